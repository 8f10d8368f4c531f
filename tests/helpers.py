"""Small helpers shared by the tests: lint a snippet, list (code, row) pairs."""

from __future__ import annotations

import textwrap
from pathlib import Path

from netspec import Diagnostic, Settings, lint_text

#: The bundled specs.
SPECS = sorted((Path(__file__).resolve().parent.parent / "specs").glob("*.yaml"))


def lint(source: str, settings: Settings | None = None) -> list[Diagnostic]:
    return lint_text(textwrap.dedent(source).lstrip("\n"), "spec.yaml", settings).diagnostics


def codes(source: str, settings: Settings | None = None) -> list[str]:
    return [d.code for d in lint(source, settings)]


def spec(input_shape: str, *layers: str) -> str:
    """A spec text with one flow-style layer per line, starting on line 3."""
    return f"input: {input_shape}\nlayers:\n" + "".join(f"  - {layer}\n" for layer in layers)


#: Published parameter counts of the bundled specs (see the README's references):
PUBLISHED_PARAMS = {
    "lenet5": 61_706,  # LeNet-5 with dense C5 and F6
    "vgg16": 138_357_544,  # torchvision
    "resnet18": 11_689_512,  # torchvision
    "unet": 31_030_658,  # Ronneberger et al. 2015, with 2 classes
    "mobilenet_v1": 4_231_976,  # Keras' MobileNet 1.0-224, trainable parameters
    "googlenet": 6_624_904,  # torchvision, without the auxiliary classifiers
}
