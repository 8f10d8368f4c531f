"""The file cannot be read as YAML.

## What it does
Reports a file that is not parseable YAML, with the parser's own line and column, and a file
netspec refuses to load for safety: a non-standard tag (`!!python/object/apply:…`), an alias
bomb, nesting deeper than 64 levels, several documents in one file, invalid UTF-8, or a file
over the size limit.

## Why is this bad?
Nothing else can be checked, so this rule cannot be disabled or suppressed, as ruff always
reports syntax errors. netspec never constructs objects from tags and never expands
aliases without a budget, so a hostile file is refused rather than executed or expanded.

## Example
```yaml
layers:
  - {type: conv, filters: 64, kernel: 3
```

## Fix
No automatic fix: correct the YAML.
"""

from netspec.diagnostics import Severity
from netspec.rules.base import Rule

RULE = Rule("NS001", "yaml-syntax", Severity.ERROR, __doc__, check=None, blocking=True)
