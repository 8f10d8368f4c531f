"""What a rule is: its identity, its documentation, and a check over an analysed spec."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from netspec.diagnostics import Axes, Kinds, Severity
from netspec.layers import Fix
from netspec.source import KeyPath

if TYPE_CHECKING:
    from netspec.analysis import Analysis
    from netspec.settings import Settings


@dataclass(frozen=True)
class Violation:
    """What a check yields: a problem at a layer (or a key of it), before codes are stamped."""

    index: int | None
    message: str
    #: Point at the key itself rather than its value (unknown and duplicate keys).
    at_key: bool = False
    fix: Fix | None = None
    help: str | None = None
    #: Overrides the rule's default, for rules whose severity depends on the case (NS107).
    severity: Severity | None = None
    #: The key or value at fault, for problems located more precisely than the layer.
    path: KeyPath | None = None
    #: Overrides the rule's :attr:`Rule.blocking` for this problem (NS002: an unknown
    #: top-level key leaves nothing unchecked).
    blocking: bool | None = None
    #: The axes the problem is in, for rules that judge each one: a fix that brings the
    #: problem to another axis of the layer brings a new problem, though the layer already
    #: had one of this rule's.
    axes: Axes = None
    #: What kinds of problem it is, in which axes, and how much of each, for rules that
    #: measure them: a fix that brings a kind to an axis that did not have it, or more of it,
    #: brings a new problem (NS109: input positions left unread, where windows only stepped
    #: over them; NS101: more positions dropped after the last window).
    kinds: Kinds = frozenset()


Check = Callable[["Analysis"], Iterable[Violation]]


@dataclass(frozen=True)
class Rule:
    """One rule. ``doc`` is its documentation in Markdown, the module's docstring."""

    code: str
    name: str
    severity: Severity
    doc: str
    #: None for rules the linter reports itself: while loading the file, before there is
    #: anything to check (NS001), or after every rule has run (NS900).
    check: Check | None
    selected_by_default: bool = True
    fix: Literal["always", "sometimes", "never"] = "never"
    #: Whether its fix is the same whatever the size of the layer's input (NS102's 'same'
    #: padding, D·(F − 1)/2): ``--fix`` may then take it together with fixes that change the
    #: sizes before the layer (:func:`netspec.fix.plan`).
    fix_keeps_to_input_size: bool = False
    #: The severity some of its cases get instead (NS107: pooling errors, convolution warnings).
    also: Severity | None = None
    #: netspec cannot check past its problems (the file, or a layer and those after it), so
    #: they are reported whatever the selection, per-file ignores and ``noqa`` say, as ruff
    #: reports syntax errors: hiding them would pass what was never checked. A violation
    #: may say otherwise for itself (:attr:`Violation.blocking`).
    blocking: bool = False
    #: For a blocking rule, its problems that leave nothing unchecked and so may be silenced:
    #: a plural noun phrase for the documentation ("convolution warnings").
    silenceable: str | None = None

    @property
    def severity_label(self) -> str:
        """``error``, or ``error / warning`` for a rule whose cases differ."""
        return self.severity.value + (f" / {self.also.value}" if self.also else "")

    def enabled_for(self, settings: Settings, filename: str = "") -> bool:
        return settings.enabled(self.code, self.selected_by_default, filename)

    def blocks(self, violation: Violation) -> bool:
        """Whether netspec cannot check past this problem."""
        return self.blocking if violation.blocking is None else violation.blocking

    @property
    def summary(self) -> str:
        """The documentation's first line, which is one sentence: what the rule catches."""
        return self.doc.strip().splitlines()[0].strip()


def layer_errors(code: str) -> Check:
    """A check reporting the layers that shape propagation refused with ``code``.

    The arithmetic that decides these lives in the layer models (as PyTorch decides them in
    the modules); the rule gives the verdict its code, name and documentation. Each is
    blocking: the layer has no output, so the layers it feeds go unchecked. A rule built on
    this check alone is made by :func:`layer_error_rule`; one that adds cases of its own
    (NS107) says ``blocking=True`` itself, so that it runs whatever the selection.
    """

    def check(analysis: Analysis) -> Iterator[Violation]:
        for node in analysis.graph.nodes:
            error = node.error
            if error is not None and error.code == code:
                message = f"{node.name}: {error.message}"
                path = (*node.path, error.key) if error.key else None
                yield Violation(node.index, message, fix=error.fix, help=error.help, path=path, blocking=True)

    return check


def graph_problem_rule(code: str, name: str, severity: Severity, doc: str, **options: Any) -> Rule:
    """A rule whose problems are the structural ones graph building found with its code."""
    return Rule(code, name, severity, doc, graph_problems(code), **options)


def layer_error_rule(code: str, name: str, severity: Severity, doc: str, **options: Any) -> Rule:
    """A rule whose problems are the layers shape propagation refused with its code: blocking,
    since such a layer has no output and the layers it feeds go unchecked."""
    return Rule(code, name, severity, doc, layer_errors(code), blocking=True, **options)


def graph_problems(code: str) -> Check:
    """A check reporting the structural problems graph building found with ``code``."""

    def check(analysis: Analysis) -> Iterator[Violation]:
        for problem in analysis.graph.problems:
            if problem.code == code:
                yield Violation(problem.index, problem.message, path=problem.path)

    return check
