"""The rule registry: every ``nsNNN_name`` module here, each holding its :class:`Rule` as
``RULE``. Adding a rule is adding its module."""

from __future__ import annotations

import pkgutil
import re
from importlib import import_module

from netspec.rules.base import Rule, Violation

#: By code: the modules are found in name order, and a module's name starts with its code.
RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in (
        import_module(f"{__name__}.{module.name}").RULE
        for module in pkgutil.iter_modules(__path__)
        if re.fullmatch(r"ns\d{3}_\w+", module.name)
    )
}

#: Each rule's code by its name, for messages that meet a name where a code belongs.
CODES_BY_NAME = {rule.name: code for code, rule in RULES.items()}


__all__ = ["CODES_BY_NAME", "RULES", "Rule", "Violation"]
