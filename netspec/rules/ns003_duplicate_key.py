"""The same key appears twice in one mapping.

## What it does
Reports every repeated key in a mapping, at the repetition. Keys that YAML tells apart but
Python does not (`1`, `1.0` and `true`; `0` and `false`) repeat each other too, and so does a
second merge key `<<`: where both merged mappings hold a key, which one wins depends on the
loader, and on PyYAML's version and the key's length. For the same reason, a key that two
mappings of one `<<: [*a, *b]` list give different values is reported at the list: the merge
type's specification and PyYAML up to 6.0.3 keep the first value, PyYAML 6.0.4 the last for a
key longer than one character (`kernel`) and the first for a one-character key (`k`).

## Why is this bad?
PyYAML, like most YAML loaders, silently keeps the last value: the spec says two things and
the model builder picks one without telling anyone.

## Example
```yaml
- {type: conv, filters: 64, kernel: 3, padding: 0, padding: 1}
```

## Fix
No automatic fix: delete the copy you do not mean. A second `type` in a layer is often the
next layer with its `- ` forgotten; the help line then says so.
"""

from collections.abc import Iterator

from netspec.analysis import Analysis
from netspec.diagnostics import Severity
from netspec.rules.base import Rule, Violation
from netspec.spec import shown

_LOADERS_DIFFER = "loaders differ on which merged mapping wins"


def check(analysis: Analysis) -> Iterator[Violation]:
    document = analysis.document
    repeats = [(*path, "<duplicate>", number) for number, path in enumerate(document.duplicate_keys, start=1)]
    # In file order: a merge's conflicts are found as its mapping closes, after its repeats.
    for located in sorted(repeats, key=lambda located: document.key_range(located)[0]):
        path, number = located[:-2], located[-1]
        index = path[1] if path[:1] == ("layers",) and len(path) > 2 and isinstance(path[1], int) else None
        if index is not None and not document.holds(("layers", index), document.key_range(located)[0]):
            # The repeat is in a `layers` list that a later `layers` key replaced: it belongs
            # to no layer of the spec.
            index = None
        key = shown(path[-1])
        if number in document.merge_conflicts:
            first, other = (shown(value) for value in document.merge_conflicts[number])
            repeated = f"the mappings this `<<` merges give the key {key} different values, {first} and {other}"
        elif number in document.equal_keys:  # `true` after `1`: different in YAML, one key in Python
            equal = shown(document.equal_keys[number])
            repeated = f"the key {key} repeats the key {equal} before it: in Python they are one key ({equal} == {key})"
        else:
            repeated = f"the key {key} appears more than once in this mapping"
        if number in document.merge_conflicts:
            help = f"{_LOADERS_DIFFER}: write {key} out in this mapping, with the value you mean"
        elif path[-1] == "<<":
            help = f"{_LOADERS_DIFFER}: merge once, and write out the keys you mean"
        elif path[-1] == "type" and index is not None and len(path) == 3 and not document.is_flow(path[:2]):
            # A second `type` in a layer is most often the next layer, its `- ` forgotten.
            help = "if a new layer starts here, it needs a `- ` before its first key"
        else:
            help = "YAML loaders silently keep the last one: delete the copy you do not mean"
        yield Violation(index, repeated, at_key=True, path=located, help=help)


RULE = Rule("NS003", "duplicate-key", Severity.ERROR, __doc__, check)
