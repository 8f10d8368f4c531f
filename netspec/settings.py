"""Which rules run, at which severity: ruff-style selection by code prefix."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from functools import cached_property
from typing import Any

from netspec.diagnostics import Severity
from netspec.globs import Globs, negation
from netspec.text import cut

#: The default size limit for one spec file, in bytes.
DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024


#: The selector of every rule, those not selected by default too, as in ruff.
ALL = "ALL"


def specificity(selector: str, code: str, exact_only: bool = False) -> int:
    """How closely ``selector`` names the rule ``code``: its length where it is the code or
    (unless ``exact_only``) a prefix of it, 0 for ``ALL``, which every other selector
    overrides, and -1 where it does not name the rule."""
    if selector == ALL:
        return 0
    return len(selector) if (selector == code if exact_only else code.startswith(selector)) else -1


def selects_a_rule(value: str) -> bool:
    """Whether ``value`` is ``ALL``, a rule's code, or a prefix of one (``NS1``)."""
    from netspec.rules import RULES  # loaded by any check, though not by these settings

    return any(specificity(value, code) >= 0 for code in RULES)


def selector_problem(values: Iterable[str]) -> str | None:
    """What is wrong with the first value that is no rule code nor prefix of one (``NS1``);
    None when all are."""
    for value in values:
        if not value:
            return "an empty rule code (a stray comma?)"
        if not selects_a_rule(value):
            return f"unknown rule code or prefix '{cut(value)}'{selector_hint(value)}"
    return None


def selector_hint(value: str) -> str:
    """What an unknown selector probably meant: a code in lower case, a rule's name, or
    several codes in one value (spaces separate codes in a noqa comment, not here): each on
    its own is a comma-separated item on the command line, a list item, a table key or a
    tuple item, whichever asked."""
    from netspec.rules import CODES_BY_NAME

    words = value.split()
    codes = value.upper().split()
    if len(words) > 1 and all(map(selects_a_rule, codes)):
        case = "" if codes == words else ", in upper case"
        return f" (that is {len(codes)} codes{case}: give each on its own, as {', '.join(map(repr, codes))})"
    if selects_a_rule(value.upper()):
        return f" (codes are upper-case: '{value.upper()}')"
    code = CODES_BY_NAME.get(value.lower())
    return f" ('{value}' is the name of {code}; rules go by their codes)" if code else ""


def _selectors(value: Any, where: str) -> tuple[str, ...]:
    """Rule codes or prefixes, as a tuple, each once: every rule's selection goes through them
    all, for each file and each problem (160,000 "NS" in a list made a check take minutes).
    A lone string would be read letter by letter, and its "N" names every rule."""
    if isinstance(value, str) or not isinstance(value, (tuple, list)) or not all(isinstance(v, str) for v in value):
        raise TypeError(f"{where} takes a sequence of rule codes or prefixes, such as ('NS102',), not {value!r}")
    return unique_selectors(value, where)


def unique_selectors(values: Iterable[str], where: str, error: type[Exception] = ValueError) -> tuple[str, ...]:
    """The rule codes or prefixes (``NS1``) in ``values``, each once; ``error`` for one that
    selects no rule, its message begun by ``where``."""
    selectors = tuple(dict.fromkeys(values))
    problem = selector_problem(selectors)
    if problem is not None:
        raise error(f"{where}: {problem}")
    return selectors


@dataclass(frozen=True)
class Settings:
    """Rule selection and limits. Codes in ``select``/``ignore`` may be prefixes (``NS1``).

    The longest matching prefix decides between select and ignore. A rule that is not
    selected by default (:attr:`Rule.selected_by_default`) is enabled only by its full code.
    """

    select: tuple[str, ...] = ("NS",)
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Code or prefix → severity; the longest prefix decides, as in selection.
    severity: dict[str, Severity] = field(default_factory=dict)
    include: tuple[str, ...] = ("*.yaml", "*.yml")
    exclude: tuple[str, ...] = ()
    #: Apply ``exclude`` to the paths named on the command line too (pre-commit names them).
    force_exclude: bool = False
    #: The directory of the configuration file, whose paths the glob patterns describe; None
    #: for the working directory.
    root: str | None = None
    #: The configuration file these settings were read from; None for the defaults.
    source: str | None = None
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    #: Settings that have no effect, each said in a sentence for the user to be warned of.
    ineffective: tuple[str, ...] = ()
    #: Every rule that is on by default is on, whatever the selection and ignores say: the
    #: settings fixes are judged by (:meth:`judging_fixes`).
    default_rules_on: bool = False

    def __post_init__(self) -> None:
        # Checked as a configuration file's are, for the settings a program builds: a typo
        # must not become a severity no reporter knows, nor a selection of nothing.
        if not isinstance(self.severity, Mapping) or not all(isinstance(code, str) for code in self.severity):
            raise TypeError(
                "Settings.severity takes a dict of rule codes or prefixes to severities, such as "
                f"{{'NS102': Severity.ERROR}}, not {self.severity!r}"
            )
        if (problem := selector_problem(self.severity)) is not None:
            raise ValueError(f"Settings.severity: {problem}")
        object.__setattr__(self, "severity", {code: Severity(level) for code, level in self.severity.items()})
        for name in ("select", "extend_select", "ignore"):
            object.__setattr__(self, name, _selectors(getattr(self, name), f"Settings.{name}"))
        if not isinstance(self.per_file_ignores, dict):
            found = self.per_file_ignores
            raise TypeError(f"Settings.per_file_ignores takes a dict of patterns to codes, not {found!r}")
        ignores = {
            pattern: _selectors(codes, f"Settings.per_file_ignores[{pattern!r}]")
            for pattern, codes in self.per_file_ignores.items()
        }
        object.__setattr__(self, "per_file_ignores", ignores)

    def severity_for(self, code: str) -> Severity | None:
        """The severity ``severity`` gives the rule, by its longest matching prefix; None where
        no prefix matches."""
        matching = [selector for selector in self.severity if specificity(selector, code) >= 0]
        return self.severity[max(matching, key=lambda selector: specificity(selector, code))] if matching else None

    def enabled(self, code: str, selected_by_default: bool, filename: str = "") -> bool:
        if selected_by_default and self.default_rules_on:
            return True

        def longest(selectors: tuple[str, ...], exact_only: bool) -> int:
            return max((specificity(selector, code, exact_only) for selector in selectors), default=-1)

        # A file's own list, as ruff's: whatever is selected, what it names is not checked there.
        if longest(self.ignores_for(filename), exact_only=False) >= 0:
            return False
        chosen = longest(self.select + self.extend_select, exact_only=not selected_by_default)
        return chosen > longest(self.ignore, exact_only=False)

    def judging_fixes(self) -> Settings:
        """The settings a fix is judged by: these, with every rule that is on by default on as
        well, whatever the selection and ignores. A fix is safe only when no problem appears
        by netspec's own measure: padding that ``--select NS102`` asks for must not break an
        ``expect`` just because NS108 was not selected. A rule that is off by default judges
        only where it is on: ``--ignore NS113`` says its problems do not matter there."""
        return self._judging_fixes

    @cached_property
    def _judging_fixes(self) -> Settings:
        # Kept, as each file asks again; what per-file-ignores finds for a file is the same
        # for both, so they share it.
        judging = replace(self, default_rules_on=True)
        judging.__dict__["_ignores_by_file"] = self._ignores_by_file
        return judging

    def ignores_for(self, filename: str) -> tuple[str, ...]:
        """The codes ``per_file_ignores`` ignores in this file; worked out once per file,
        since every rule asks, again for every fix judged."""
        if not self.per_file_ignores:
            return ()
        found = self._ignores_by_file.get(filename)
        if found is None:
            path = self.project_path(filename)
            seen, outside = (os.path.basename(filename), True) if path is None else (path, False)
            # Each code once: every rule's every question goes through them.
            found = self._ignores_by_file[filename] = tuple(
                dict.fromkeys(
                    code
                    for globs, negated, codes in self._per_file_globs
                    if globs.match(seen, outside=outside) != negated
                    for code in codes
                )
            )
        return found

    def project_path(self, path: str, *, directory: bool = False) -> str | None:
        """``path`` as the glob patterns see it: relative to the project's directory
        (:attr:`root`), so that a pattern means the same from any working directory; None
        outside it, where patterns see only file names. Symbolic links are resolved, but not a
        file's own name, which patterns are written for: a checkout under /build/ is not
        matched by ``build``. A ``directory`` is resolved whole, so that what is found in it is
        matched as what it is."""
        root = self._resolved_root
        if root is None:
            return None
        head, name = (path, "") if directory else os.path.split(path)
        real_head = self.real_directory(head)
        if real_head is None:
            return None
        return self.within_project(os.path.normpath(os.path.join(real_head, name)))  # the name may be ".."

    def real_directory(self, path: str) -> str | None:
        """``path`` with symbolic links resolved, worked out once per directory (a scan names
        many files in each); None when there is no working directory to resolve it from."""
        real = self._real_directories.get(path)
        if real is None:
            try:
                real = self._real_directories[path] = os.path.realpath(path or os.curdir)
            except OSError:
                return None
        return real

    def within_project(self, real_path: str) -> str | None:
        """An absolute, resolved path relative to the project's directory; None outside it."""
        root = self._resolved_root
        if root is None:
            return None
        if real_path == root:
            return os.curdir
        below = root if root.endswith(os.sep) else root + os.sep
        return real_path[len(below) :] if real_path.startswith(below) else None

    def __getstate__(self) -> dict[str, Any]:
        # The settings only: worker processes compile the patterns they need themselves.
        return {setting.name: getattr(self, setting.name) for setting in fields(self)}

    @cached_property
    def include_globs(self) -> Globs:
        return Globs(self.include)

    @cached_property
    def exclude_globs(self) -> Globs:
        return Globs(self.exclude)

    @cached_property
    def _resolved_root(self) -> str | None:
        """:attr:`root`, else the working directory, symbolic links resolved; None when there is
        no working directory."""
        try:
            return os.path.realpath(self.root or os.getcwd())
        except OSError:
            return None

    @cached_property
    def _real_directories(self) -> dict[str, str]:
        return {}

    @cached_property
    def _per_file_globs(self) -> list[tuple[Globs, bool, tuple[str, ...]]]:
        # The patterns that ignore the same codes are matched together; but a negated one's
        # codes apply to the files it alone does not match.
        together: dict[tuple[str, ...], list[str]] = {}
        compiled = []
        for pattern, codes in self.per_file_ignores.items():
            path, negated = negation(pattern)
            if negated:
                compiled.append((Globs([path]), True, codes))
            else:
                together.setdefault(codes, []).append(path)
        return [(Globs(paths), False, codes) for codes, paths in together.items()] + compiled

    @cached_property
    def _ignores_by_file(self) -> dict[str, tuple[str, ...]]:
        return {}


def given(settings: Settings | None, caller: str) -> Settings:
    """``settings``, or the defaults for None: anything else (a dict of options, say) is
    refused by the function it was given to, where it would fail deep in a lint."""
    if settings is None:
        return Settings()
    if not isinstance(settings, Settings):
        raise TypeError(f"{caller} takes a netspec.Settings for its settings, not {type(settings).__name__}")
    return settings
