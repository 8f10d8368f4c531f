"""Coverage-guided fuzzing of the loader, the whole lint pipeline and ``--fix`` with atheris
(libFuzzer).

Not run in CI: it runs until stopped or until it finds an input that raises. Any exception
other than the diagnostics netspec reports is a bug, and atheris saves the input as
``crash-<hash>`` in the working directory.

    pip install atheris
    mkdir -p /tmp/netspec-fuzz && cp specs/*.yaml tests/fix_golden/*.yaml /tmp/netspec-fuzz/
    python bench/fuzz_loader.py /tmp/netspec-fuzz -max_total_time=600 -max_len=4096

The corpus directory grows with the inputs that reached new code; keep it between runs.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    from netspec.fix import fix_text
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
    if any(d.fix is not None for d in result.diagnostics):
        # Every fix, unsafe ones too: the edited text must load as the fixed spec (fix_text
        # raises FixError otherwise), and a second run must change nothing.
        fixed = fix_text(text, "fuzz.yaml", unsafe=True).result.text
        assert fixed is not None  # a fixed file is always linted again
        if fix_text(fixed, "fuzz.yaml", unsafe=True).result.text != fixed:
            raise AssertionError("a second --fix changed the text")


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
