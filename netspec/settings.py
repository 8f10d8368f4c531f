"""Which rules run, at which severity: ruff-style selection by code prefix."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field

from netspec.diagnostics import Severity

#: The default size limit for one spec file, in bytes.
DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024


@dataclass(frozen=True)
class Settings:
    """Rule selection and limits. Codes in ``select``/``ignore`` may be prefixes (``NS1``).

    The longest matching prefix decides between select and ignore. A rule that is not
    selected by default (NS113, NS114) is enabled only by its full code.
    """

    select: tuple[str, ...] = ("NS",)
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)
    severity: dict[str, Severity] = field(default_factory=dict)
    include: tuple[str, ...] = ("*.yaml", "*.yml")
    exclude: tuple[str, ...] = ()
    max_file_size: int = DEFAULT_MAX_FILE_SIZE

    def enabled(self, code: str, selected_by_default: bool, filename: str = "") -> bool:
        def longest(prefixes: tuple[str, ...], exact_only: bool) -> int:
            lengths = [len(p) for p in prefixes if (p == code if exact_only else code.startswith(p))]
            return max(lengths, default=-1)

        chosen = longest(self.select + self.extend_select, exact_only=not selected_by_default)
        ignored = longest(self.ignore + self.ignores_for(filename), exact_only=False)
        return chosen > ignored

    def ignores_for(self, filename: str) -> tuple[str, ...]:
        normalized = filename.replace("\\", "/")
        return tuple(
            code
            for pattern, codes in self.per_file_ignores.items()
            if fnmatch.fnmatch(normalized, pattern) or fnmatch.fnmatch(normalized.rsplit("/", 1)[-1], pattern)
            for code in codes
        )
