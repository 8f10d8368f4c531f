"""Coverage-guided fuzzing of the loader and the whole lint pipeline with atheris (libFuzzer).

Not run in CI: it runs until stopped or until it finds an input that raises. Any exception
other than the diagnostics netspec reports is a bug, and atheris saves the input as
``crash-<hash>`` in the working directory.

    pip install atheris
    mkdir -p /tmp/netspec-fuzz && cp specs/*.yaml /tmp/netspec-fuzz/
    python bench/fuzz_loader.py /tmp/netspec-fuzz -max_total_time=600 -max_len=4096

The corpus directory grows with the inputs that reached new code; keep it between runs.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    from netspec.linter import lint_text
    from netspec.source import LoadError, decode


def test_one_input(data: bytes) -> None:
    try:
        text = decode(data)
    except LoadError:
        return
    result = lint_text(text, "fuzz.yaml")
    if not isinstance(result.diagnostics, list) or result.internal_error is not None:
        raise AssertionError(f"broken result: {result!r}")


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
