"""A layer that is not an output of the network is read by no other layer.

## What it does
Reports a layer whose output no `from` (explicit or implied) consumes, except the network's
outputs: the layers the spec's `outputs` lists, or else the last layer. Quiet while a `from`
names no earlier layer (NS004), or a layer's `from` cannot be read or may be misspelt (NS002),
as while `outputs` has errors: the layer it would report may be the one meant, so that one
typo gives one diagnostic.

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

from collections.abc import Iterator

from netspec.analysis import Analysis
from netspec.diagnostics import Severity
from netspec.rules.base import Rule, Violation
from netspec.spec import flow_item


def check(analysis: Analysis) -> Iterator[Violation]:
    graph = analysis.graph
    if graph.outputs is None or not _reads_known(analysis):
        # Which layers are outputs, or which each reads, is unknown until `outputs`, or the
        # layer, is mended (NS002, NS004): the layer reported may be the one meant.
        return
    outputs = graph.returned
    # With `outputs`, the last layer may be reported too: say why.
    unlisted = ", and `outputs` does not list it" if analysis.spec.outputs is not None else ""
    # A name two layers share (NS005) lists only one of them.
    listed = {graph.nodes[index].name: index for index in outputs} if unlisted else {}
    # A second head without `outputs` is the likelier mistake: offer the list that returns
    # every layer nothing reads, in order, where it is short enough to write.
    ends = [node.name for node in graph.nodes if not node.consumers]
    listing = f": `outputs: [{', '.join(map(flow_item, ends))}]`" if len(ends) <= _LISTED_OUTPUTS else ""
    help = (
        f"if the network returns it, list what it returns{listing}"
        if analysis.spec.outputs is None
        else "if the network returns it, add it to `outputs`"
    )
    for node in graph.nodes:
        if not node.consumers and node.index not in outputs:
            namesake = listed.get(node.name)
            why = unlisted if namesake is None else f", and the '{node.name}' in `outputs` is layer {namesake + 1}"
            yield Violation(node.index, f"{node.name}: no layer reads this layer's output{why}", help=help)


def _reads_known(analysis: Analysis) -> bool:
    """Whether every layer reads what the file means it to: no `from` names an unknown layer
    (NS004), and none is unreadable or perhaps misspelt (an unknown key, or a layer that is
    not a mapping: NS002)."""
    if any(problem.code == "NS004" and problem.index is not None for problem in analysis.graph.problems):
        return False
    if any(problem.unknown_key for problem in analysis.spec.problems if problem.path[:1] == ("layers",)):
        return False
    return all(
        isinstance(raw, dict) and (node.layer is not None or _readable_from(raw.get("from")))
        for node, raw in zip(analysis.graph.nodes, analysis.spec.raw_layers, strict=True)
    )


def _readable_from(value: object) -> bool:
    return (
        value is None or isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))
    )


#: The most outputs a help writes out.
_LISTED_OUTPUTS = 5

RULE = Rule("NS110", "unused-layer", Severity.WARNING, __doc__, check)
