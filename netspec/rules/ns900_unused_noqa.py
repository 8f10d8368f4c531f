"""A suppression comment silences nothing, or not what it says.

## What it does
Reports a `# noqa` or `# netspec: noqa` comment that silences no problem: a code whose rule
ran and found nothing on that line or layer, a code that is not a netspec rule, a bare
`# noqa` on a clean layer, `# noqa:` with no codes after the colon, `# noqa NS102` without
the colon (which flake8 would read as a bare `# noqa`), another mark in the colon's place
(`# noqa;NS102`, a full-width colon: the comment then silences nothing, as in ruff), or none
(`# noqaNS102`, `# noqa-NS102`: a `noqa` run into the next word silences nothing), and a
file-wide `# netspec: noqa` written after content instead of on a line of its own, or
without the colon after `netspec` (`# netspec noqa`, which silences nothing). It also reports a comment that would
cover a problem netspec cannot check past (an invalid layer, say): those are always reported,
so the comment does not do what it says.

A code whose rule did not run on the file (not selected, or ignored by configuration) is not
reported: whether it is needed cannot be known without running the rule, and the comment may
serve another configuration.

## Why is this bad?
A stale suppression hides the next real problem on that layer. After the padding of a
layer is corrected, `# noqa: NS102` left on it would silence the next shrinking layer edited
into that line, and nobody would see it.

## Example
```yaml
input: [3, 32, 32]
layers:
  - {type: conv, filters: 16, kernel: 3, padding: 1}   # noqa: NS102
```
With `padding: 1` the 32×32 input stays (32 + 2·1 − 3)/1 + 1 = 32 wide: NS102 reports
nothing here, so the comment is unused.

## Fix
No automatic fix: delete the comment, or the codes in it that no longer apply. Add
`NS900` to the comment's codes to keep it deliberately.
"""

from netspec.diagnostics import Severity
from netspec.rules.base import Rule

# Found by netspec.noqa once every other rule has run, and reported by the linter: no check of its own.
RULE = Rule("NS900", "unused-noqa", Severity.WARNING, __doc__, check=None)
