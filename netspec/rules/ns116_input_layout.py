"""The `input` looks channels-last, or holds the batch dimension.

## What it does
Reports an `input` laid out as another framework takes it, not as netspec (and PyTorch) does,
channels first and without the batch dimension:
- channels last: `[H, W, C]` or `[D, H, W, C]` (Keras' `input_shape`, NumPy images), with
  C of 1, 3 or 4 (grey, RGB, RGBA) and every other size at least 8, also after a batch of 1;
- the batch included: `[1, C, H, W]` with C of 1, 3 or 4 and H, W at least 8 (`x.shape` of a
  PyTorch batch of one).

A 1-D input `[C, L]` is left alone: `[128, 1]` is as likely to be 128 features as 128 samples.

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

from netspec.analysis import Analysis
from netspec.diagnostics import Severity
from netspec.rules.base import Rule, Violation

#: Grey, RGB and RGBA: the channel counts an image or video input has.
_IMAGE_CHANNELS = (1, 3, 4)
#: The smallest size taken for a spatial one; a channel count of 3 is not one.
_SPATIAL = 8


def channels_first(shape: list[int]) -> tuple[list[int], str] | None:
    """The input in netspec's layout and what the given one looks like, or None if it looks
    like netspec's own."""
    batch = len(shape) == 4 and shape[0] == 1
    sizes = shape[1:] if batch else shape
    if len(sizes) >= 3 and sizes[-1] in _IMAGE_CHANNELS and min(sizes[:-1]) >= _SPATIAL:
        layout = ["N"] * batch + ["D", "H", "W"][-(len(sizes) - 1) :] + ["C"]
        return [sizes[-1], *sizes[:-1]], f"[{', '.join(layout)}]"
    if batch and sizes[0] in _IMAGE_CHANNELS and min(sizes[1:]) >= _SPATIAL:
        return sizes, "[N, C, H, W], with the batch"
    return None


def check(analysis: Analysis) -> Iterator[Violation]:
    shape = analysis.spec.input
    found = channels_first(list(shape)) if shape is not None else None
    if shape is None or found is None:
        return
    meant, layout = found
    read_as = f"{shape[0]} channel{'s' if shape[0] > 1 else ''} of {'×'.join(map(str, shape[1:]))}"
    yield Violation(
        None,
        f"input {list(shape)} looks like {layout}; netspec reads it as {read_as}",
        path=("input",),
        help=f"netspec takes channels first, without the batch: write `input: {meant}`",
    )


RULE = Rule("NS116", "input-layout", Severity.WARNING, __doc__, check)
