"""The `input` looks channels-last, or holds the batch dimension.

## What it does
Reports an `input` laid out as another framework takes it, not as netspec (and PyTorch) does,
channels first and without the batch dimension:
- channels last: `[H, W, C]` (Keras' `input_shape`, NumPy images), and `[N, H, W, C]` or
  `[D, H, W, C]`, with C of 1, 3 or 4 (grey, RGB, RGBA), H and W at least 8 and at most 4
  times each other, as an image's are;
- the batch included: `[N, C, H, W]` with C of 1, 3 or 4 and H, W at least 8 (`x.shape` of a
  PyTorch batch), where N is 1 or more than 4: `[3, 4, 160, 160]` is a clip of four RGB frames
  (X3D-XS) as netspec reads it, and `[2, 4, 112, 112]` four frames of optical flow.

A four-size input is also a volume, `[C, D, H, W]`, as netspec reads it: `[128, 4, 28, 28]` is
as likely a video block's features, 4 frames deep, as a batch of 128 images. The layers that
read a tensor of the input's rank tell: those that read the input, or a layer whose output has
its rank (judged by the layer's type where an error leaves the output unknown: not a
`flatten`, a `dense` or a `reshape` to another rank), and those whose `from` does not resolve.
A per-dimension value written for three dimensions (`kernel: [1, 3, 3]`, `trilinear`) makes
it a volume: the rule stays quiet on a channels-first input, and gives a channels-last one's
depth reading. One written for two (`kernel: [3, 3]`, `bilinear`) makes the first size the
batch, where it can be one (of a channels-first input, 1 or more than 4). Where neither is
written, a first size of 1 is taken for the batch, and any other gets both readings in the
message; so does a channels-last input's first size of 1 under layers written for three.

A 1-D input `[C, L]` is left alone: `[128, 1]` is as likely to be 128 features as 128 samples.
So is a signal of C channels over more than 4·C steps as 2-D convolutions take it,
`[9, 128, 1]`; one over fewer, such as `[22, 64, 1]`, looks like a grey image and is reported:
silence it where it is meant.

## Why is this bad?
Nothing fails: `[224, 224, 3]` is a valid input of 224 channels, 224 rows and 3 columns. The
first 7×7 stride-2 conv gives 64×112×2, the spec checks clean, and the parameter and MAC counts
are wrong by orders of magnitude. `[1, 3, 224, 224]` reads as a 3-D volume of one channel,
three slices deep.

## Example
```yaml
input: [224, 224, 3]    # netspec reads 224 channels of 224×3
layers:
  - {type: conv, filters: 64, kernel: 3, padding: 1}    # gives 64×224×3
```

## Fix
No automatic fix, since every shape after it changes: the message gives the input in
netspec's layout, such as `[3, 224, 224]`. Silence it with `# noqa: NS116` on the `input` line
where the layout is meant.
"""

from collections.abc import Iterator
from typing import Any

from netspec.analysis import Analysis
from netspec.diagnostics import Severity
from netspec.graph import INPUT
from netspec.layers import LayerBase
from netspec.layers.base import NewPositions
from netspec.layers.resize import INTERPOLATING_RANKS
from netspec.rules.base import Rule, Violation
from netspec.spec import model_of, raw_field
from netspec.text import plural

#: Grey, RGB and RGBA: the channel counts an image or video input has.
_IMAGE_CHANNELS = (1, 3, 4)
#: The smallest size taken for a spatial one; a channel count of 3 is not one.
_SPATIAL = 8
#: How much longer than the other an image's side may be (a text line of 32×128 is 4).
_ASPECT = 4


def _image_sides(height: int, width: int) -> bool:
    return min(height, width) >= _SPATIAL and max(height, width) <= _ASPECT * min(height, width)


#: Keys whose lists are not one value per spatial dimension: every layer's own (``from``,
#: ``expect``), and a reshape's new shape.
_NOT_PER_DIMENSION = frozenset({field.alias or key for key, field in LayerBase.model_fields.items()} | {"shape"})


def _ranks_of(layer: dict[Any, Any]) -> Iterator[int]:
    """The spatial ranks a layer's values are written for: ``kernel: [1, 3, 3]`` and
    ``padding: [[1, 1], [0, 0], [2, 2]]`` are 3-D, ``mode: bilinear`` is 2-D."""
    for key, value in layer.items():
        if key in _NOT_PER_DIMENSION:
            continue
        if isinstance(value, list) and value and all(isinstance(v, int | list) for v in value):
            yield len(value)
        elif key == "mode" and isinstance(value, str) and value in INTERPOLATING_RANKS:
            yield INTERPOLATING_RANKS[value]


def written_ranks(analysis: Analysis) -> set[int]:
    """The spatial ranks written by the layers that read a tensor of the input's rank, and by
    those whose sources are unknown."""
    sizes = len(analysis.spec.input or ())
    nodes, raws = analysis.graph.nodes, analysis.spec.raw_layers

    def of_input_rank(source: int) -> bool:
        if source == INPUT:
            return True
        node, raw = nodes[source], raws[source]
        if node.output is not None:
            return len(node.output) == sizes
        # No model (no mapping, no known type): nothing says the rank changed.
        model, shape = model_of(raw), raw_field(raw, "shape")
        rearranges = model is not None and issubclass(model, NewPositions)
        return not rearranges or (isinstance(shape, list) and len(shape) == sizes)

    ranks: set[int] = set()
    for node in nodes:
        raw = raws[node.index]
        if isinstance(raw, dict) and (not node.sources or any(of_input_rank(s) for s in node.sources)):
            ranks.update(_ranks_of(raw))
    return ranks


def foreign_layout(shape: list[int], ranks: set[int]) -> tuple[str, str] | None:
    """What the input looks like, and what to write instead; None if it looks like netspec's
    own layout. ``ranks``: what :func:`written_ranks` found, which settles a four-size input."""
    volume, images = 3 in ranks and 2 not in ranks, 2 in ranks and 3 not in ranks
    if len(shape) in (3, 4) and shape[-1] in _IMAGE_CHANNELS and _image_sides(*shape[-3:-1]):
        *outer, height, width, channels = shape
        image = f"`input: {[channels, height, width]}`"
        if not outer:
            return "[H, W, C]", image
        (first,) = outer
        if images or (first == 1 and not volume):
            return "[N, H, W, C]", image
        depth = f"`input: {[channels, *shape[:-1]]}`"
        if volume and first > 1:
            return "[D, H, W, C]", depth
        return "[N, H, W, C] or [D, H, W, C]", f"{image} if {first} is the batch, {depth} if it is the depth"
    # A first size of 2 to 4 is more likely a clip's channels (flow, RGB, RGBA) than a batch.
    batch = len(shape) == 4 and (shape[0] == 1 or shape[0] > max(_IMAGE_CHANNELS))
    if not batch or volume or shape[1] not in _IMAGE_CHANNELS or min(shape[2:]) < _SPATIAL:
        return None
    if shape[0] == 1 or images:
        return "[N, C, H, W], with the batch", f"`input: {shape[1:]}`"
    return (
        "[N, C, H, W], with the batch",
        f"`input: {shape[1:]}` if {shape[0]} is the batch; if it is a volume's channels, as netspec reads it, "
        "a layer written for three dimensions (`kernel: [3, 3, 3]`) says so",
    )


def check(analysis: Analysis) -> Iterator[Violation]:
    shape = analysis.spec.input
    if shape is None:
        return
    # Only a four-size input can be read two ways; the layers are read only then.
    ranks = written_ranks(analysis) if len(shape) == 4 else set()
    if (found := foreign_layout(list(shape), ranks)) is None:
        return
    layout, meant = found
    read_as = f"{plural(shape[0], 'channel')} of {'×'.join(map(str, shape[1:]))}"
    yield Violation(
        None,
        f"input {list(shape)} looks like {layout}; netspec reads it as {read_as}",
        # At the key, where a `noqa` goes whether the list is written in flow or block style.
        at_key=True,
        path=("input",),
        help=f"netspec takes channels first, without the batch: write {meant}",
    )


RULE = Rule("NS116", "input-layout", Severity.WARNING, __doc__, check)
