"""A layer that is not an output of the network is read by no other layer.

## What it does
Reports a layer whose output no `from` (explicit or implied) consumes, except the network's
outputs: the layers the spec's `outputs` lists, or else the last layer. Quiet while `outputs`
has errors, and, before a layer whose `from` names no earlier layer (NS004), cannot be read,
or may be misspelt (an unknown key close to `from`, NS002): the layer it would report may be
the one meant, so that one typo gives one diagnostic.

## Why is this bad?
A dead branch costs parameters and compute and contributes nothing; usually a `from` further
down names the wrong layer.

## Example
```yaml
- {type: conv, name: a, filters: 16, kernel: 3, padding: 1}
- {type: conv, name: b, filters: 16, kernel: 3, padding: 1, from: input}   # a is unused
```

## Fix
No automatic fix: connect the layer or delete it. Where a second output is meant (an
auxiliary classifier, as in GoogLeNet, or a detector's heads), list the outputs:
`outputs: [aux, logits]`.
"""

from collections import Counter
from collections.abc import Iterator

from netspec.analysis import Analysis
from netspec.diagnostics import Severity
from netspec.graph import declared_sources
from netspec.rules.base import Rule, Violation
from netspec.rules.ns004_unknown_reference import RULE as UNKNOWN_REFERENCE
from netspec.spec import flow_item, known_keys, suggest


def check(analysis: Analysis) -> Iterator[Violation]:
    graph = analysis.graph
    if graph.outputs is None:
        # Which layers are outputs is unknown until `outputs` is mended (NS002, NS004).
        return
    # A layer whose `from` is unknown may have meant any layer before it (NS002, NS004).
    first_judged = max(_last_unknown_reads(analysis), 0)
    outputs = graph.returned
    # With `outputs`, the last layer may be reported too: say why.
    unlisted = ", and `outputs` does not list it" if analysis.spec.outputs is not None else ""
    # A name two layers share (NS005) lists only one of them.
    listed = {graph.nodes[index].name: index for index in outputs} if unlisted else {}
    # A second head without `outputs` is the likelier mistake: offer the list that returns
    # every layer nothing reads, in order, where it is short enough to write.
    ends = [node.name for node in graph.nodes if not node.consumers]
    names = Counter(node.name for node in graph.nodes)
    if any(names[name] > 1 for name in ends):
        # A name two layers share (NS005) cannot say which of them `outputs` means.
        listing = " in `outputs`, once each layer has a name of its own"
    elif len(ends) <= _LISTED_OUTPUTS:
        listing = f": `outputs: [{', '.join(map(flow_item, ends))}]`"
    else:
        listing = ""
    help = (
        f"if the network returns it, list what it returns{listing}"
        if analysis.spec.outputs is None
        else "if the network returns it, add it to `outputs`"
    )
    for node in graph.nodes[first_judged:]:
        if not node.consumers and node.index not in outputs:
            namesake = listed.get(node.name)
            why = unlisted if namesake is None else f", and the '{node.name}' in `outputs` is layer {namesake + 1}"
            yield Violation(node.index, f"{node.name}: no layer reads this layer's output{why}", help=help)


def _last_unknown_reads(analysis: Analysis) -> int:
    """The last layer whose `from` is unknown (−1 for none): one that names no earlier layer
    (NS004), cannot be read, may be a misspelt key (close to `from`), or is not a mapping."""
    unknown = (p.index for p in analysis.graph.problems if p.code == UNKNOWN_REFERENCE.code)
    last = max((index for index in unknown if index is not None), default=-1)
    # Each key compared once: a file may hold thousands of unknown keys, most of them alike.
    near_from: dict[str, bool] = {}
    raw_layers = analysis.spec.raw_layers
    for problem in analysis.spec.problems:
        layer = problem.path[1] if len(problem.path) == 3 else None
        if problem.unknown_key and problem.path[0] == "layers" and isinstance(layer, int) and layer > last:
            # The problem names the layer's first unknown key; `frm` may come after another.
            # (A layer has an unknown key only once its type is known.)
            raw = raw_layers[layer]
            known = known_keys(raw["type"])
            for key in (str(key) for key in raw if key not in known):
                if key not in near_from:
                    near_from[key] = bool(suggest(key, ["from"]))
                if near_from[key]:
                    last = layer
                    break
    for node, raw in zip(analysis.graph.nodes, analysis.spec.raw_layers, strict=True):
        if not isinstance(raw, dict) or (raw.get("from") is not None and declared_sources(node.layer, raw) is None):
            last = max(last, node.index)
    return last


#: The most outputs a help writes out.
_LISTED_OUTPUTS = 5

RULE = Rule("NS110", "unused-layer", Severity.WARNING, __doc__, check)
