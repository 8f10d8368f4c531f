"""Small helpers shared by the tests: lint a snippet, list (code, row) pairs."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from netspec import Diagnostic, Settings, lint_text

#: Root may read and write any file whatever its mode; what permissions refuse needs another user.
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
#: The conventional unprivileged user and group of POSIX systems.
NOBODY = 65534


@contextmanager
def ordinary_directory() -> Iterator[Path]:
    """A fresh directory of an ordinary user (:data:`NOBODY` when this is root), outside
    root's private temporary directories; removed afterwards."""
    directory = Path(tempfile.mkdtemp())
    try:
        if IS_ROOT:
            os.chown(directory, NOBODY, NOBODY)
        yield directory
    finally:
        # A test may have taken its own permissions away: give them back to remove the tree.
        for parent, subdirectories, _ in os.walk(directory):
            for name in subdirectories:
                os.chmod(os.path.join(parent, name), 0o700)
        shutil.rmtree(directory)


def netspec_process(*args: str, prefix: Sequence[str] = (), **options: Any) -> subprocess.CompletedProcess[Any]:
    """``python -m netspec ARGS`` in a process of its own (run through ``prefix``), bounded by a
    timeout; output captured as text unless ``options`` say otherwise."""
    settings: dict[str, Any] = {"capture_output": True, "text": True, "timeout": 60, "check": False}
    if "stdout" in options:  # capture_output would set stdout too
        settings = {**settings, "capture_output": False, "stderr": subprocess.PIPE}
    return subprocess.run([*prefix, sys.executable, "-m", "netspec", *args], **(settings | options))


def netspec_as_ordinary_user(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``netspec ARGS`` in a process of its own, as an ordinary user: this one, unless it is
    root, which drops to :data:`NOBODY` with ``setpriv`` (the test is skipped without it).
    Files the process should own must be given to it (``os.chown`` to NOBODY, as root)."""
    prefix: list[str] = []
    if IS_ROOT:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root, without setpriv to run as another user")
        prefix = [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    return netspec_process(*args, prefix=prefix, cwd=cwd)


@contextmanager
def within(seconds: float) -> Iterator[None]:
    """Fail, rather than hang the suite, when the block runs longer than ``seconds``."""

    def expire(signum: int, frame: Any) -> None:
        raise TimeoutError(f"took longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


#: The repository's root.
ROOT = Path(__file__).resolve().parent.parent
#: The bundled specs.
SPECS = sorted((ROOT / "specs").glob("*.yaml"))
#: The examples of broken specs, one or more rules firing in each.
BROKEN_EXAMPLES = sorted((ROOT / "examples" / "broken").glob("*.yaml"))


#: A padded 3×3 conv on 32×32 keeps its size, (32 + 2·1 − 3)/1 + 1 = 32: nothing to report.
CLEAN = "input: [3, 32, 32]\nlayers:\n  - {type: conv, filters: 8, kernel: 3, padding: 1}\n"
#: The same conv unpadded shrinks it, (32 − 3)/1 + 1 = 30: NS102, a warning with a safe fix.
SHRINKING = "input: [3, 32, 32]\nlayers:\n  - {type: conv, filters: 8, kernel: 3}\n"


def write_spec(directory: Path, text: str | bytes, name: str = "spec.yaml") -> Path:
    """A file in ``directory`` holding exactly ``text`` (UTF-8, line breaks as written)."""
    path = directory / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


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
    "mobilenet_v3_small": 2_542_856,  # torchvision
    # pytorch-CycleGAN-and-pix2pix prints 11.378 M; in full, 9,472 + 73,856 + 295,168 (stem and
    # downsampling) + 9·2·590,080 (blocks) + 295,040 + 73,792 + 9,411 (upsampling and head).
    "cyclegan_resnet_generator": 11_378_179,
    "shufflenet_v2": 2_278_604,  # torchvision, 1.0×
    # Ultralytics' summary: "3157200 parameters, 3157184 gradients"; the 16 without a gradient
    # are the fixed DFL weights, which the spec leaves out.
    "yolov8n": 3_157_184,
    "convnext_tiny": 28_589_128,  # torchvision
    "efficientnet_b0": 5_288_548,  # torchvision
    "densenet121": 7_978_856,  # torchvision
    "inception_v3": 27_161_264,  # torchvision, with the auxiliary classifier
    "r3d_18": 33_371_472,  # torchvision's video model
    "m5": 26_915,  # torchaudio's speech-commands tutorial prints it; worked by hand in the spec
}
