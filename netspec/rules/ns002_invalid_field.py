"""A key or value does not fit the spec format.

## What it does
Reports schema violations: an unknown key or layer type (with "did you mean …?"), a missing
field, a value of the wrong type (a string, float or boolean where an integer belongs), a size
≤ 0 (an `expect` may hold a 0, which no output matches: NS108 says what the output is), an
absurdly large number, or a list whose length does not match the input's spatial rank.

## Why is this bad?
PyTorch would raise a `TypeError` at model construction, or worse, accept the value and do
something else (`strides: 2` is silently ignored by many config loaders). netspec cannot
check an invalid layer, nor the layers that depend on it, nor anything without a valid `input`
and `layers`, so those problems cannot be disabled or suppressed. Where a layer's only
mistakes are in keys that change no shape, no parameter count and no receptive field (a
batchnorm's `eps`, an activation's slope, a conv's `activation` or `in_channels`, a dense
layer's `activation` or `in_features`, an `expect`), the layers after it are checked all the
same, with those keys at their defaults, and those mistakes may be suppressed. An upsample's
`mode` or `align_corners` changes the receptive fields after it, and a conv's `padding_mode`
what the rules say of the conv itself (which positions it reads, how much padding it may
take), so a mistake in one of those stops the check. Problems elsewhere (an
unknown top-level key holding YAML anchors, say) leave nothing unchecked, and can be.

## Example
```yaml
input: [3, 224, 224]
layers:
  - {type: conv, filters: 64, kernel: 3, strides: 2}   # did you mean 'stride'?
```

## Fix
No automatic fix: the error says what is expected.
"""

from collections.abc import Iterator
from functools import partial

from netspec.analysis import Analysis
from netspec.diagnostics import Severity
from netspec.rules.base import Rule, Violation, layer_errors
from netspec.source import Document
from netspec.spec import SchemaProblem


def check(analysis: Analysis) -> Iterator[Violation]:
    for problem in sorted(analysis.spec.problems, key=partial(_placement, analysis.document)):
        index = problem.path[1] if problem.path[:1] == ("layers",) and len(problem.path) > 1 else None
        yield Violation(
            index if isinstance(index, int) else None,
            problem.message,
            at_key=problem.at_key,
            path=problem.path,
            # Only the file as a whole, `input`, the layers and `outputs` (NS110's premise) are
            # needed to check the spec.
            blocking=problem.path[:1] in ((), ("input",), ("layers",), ("outputs",)) and not problem.checked_past,
        )
    # Lists whose length does not match the input's rank are only found during propagation.
    yield from layer_errors(RULE.code)(analysis)


def _placement(document: Document, problem: SchemaProblem) -> tuple[int, int]:
    """Innermost first, then in the file's order: a layer's problems become one diagnostic,
    placed at the first, so an unknown key goes before the required key it misspells (which
    is placed at the whole layer), and a key on row 6 before a value on row 7."""
    start, end = document.key_range(problem.path) if problem.at_key else document.value_range(problem.path)
    return end, -start


RULE = Rule(
    "NS002",
    "invalid-field",
    Severity.ERROR,
    __doc__,
    check,
    blocking=True,
    silenceable=(
        "unknown top-level keys and mistakes in keys that change no shape, no parameter count and no receptive field"
    ),
)
