"""The rule registry. Adding a rule: write its module, then list it here."""

from __future__ import annotations

from netspec.rules import (
    ns001_yaml_syntax,
    ns002_invalid_field,
    ns003_duplicate_key,
    ns004_unknown_reference,
    ns005_duplicate_name,
    ns101_non_integer_output,
    ns102_shrinking_layer,
    ns103_collapsed_output,
    ns104_channel_mismatch,
    ns105_dense_input,
    ns106_merge_mismatch,
    ns107_excessive_padding,
    ns108_expectation_failed,
    ns109_stride_skips_input,
    ns110_unused_layer,
    ns111_invalid_output_padding,
    ns112_same_padding_stride,
    ns113_padding_only_remainder,
    ns114_receptive_field_exceeds_input,
    ns115_wrong_input_rank,
    ns116_input_layout,
    ns117_reshape_mismatch,
    ns118_constant_normalisation,
    ns900_unused_noqa,
)
from netspec.rules.base import Rule, Violation

RULES: dict[str, Rule] = {
    module.RULE.code: module.RULE
    for module in (
        ns001_yaml_syntax,
        ns002_invalid_field,
        ns003_duplicate_key,
        ns004_unknown_reference,
        ns005_duplicate_name,
        ns101_non_integer_output,
        ns102_shrinking_layer,
        ns103_collapsed_output,
        ns104_channel_mismatch,
        ns105_dense_input,
        ns106_merge_mismatch,
        ns107_excessive_padding,
        ns108_expectation_failed,
        ns109_stride_skips_input,
        ns110_unused_layer,
        ns111_invalid_output_padding,
        ns112_same_padding_stride,
        ns113_padding_only_remainder,
        ns114_receptive_field_exceeds_input,
        ns115_wrong_input_rank,
        ns116_input_layout,
        ns117_reshape_mismatch,
        ns118_constant_normalisation,
        ns900_unused_noqa,
    )
}

#: Each rule's code by its name, for messages that meet a name where a code belongs.
CODES_BY_NAME = {rule.name: code for code, rule in RULES.items()}


__all__ = ["CODES_BY_NAME", "RULES", "Rule", "Violation"]
