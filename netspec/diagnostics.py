"""What the linter reports: a located diagnostic, with an optional fix."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from netspec.layers import Fix
from netspec.source import Span

#: The axes a problem is in (the spatial dimensions, or an `expect`'s), for rules that judge
#: each one; None for a problem of the whole layer: a rule that does not, or an error that
#: stops the layer being checked at all.
Axes = frozenset[int] | None
#: The kinds of problem a finding is, each in an axis (None for the whole layer) with how
#: much of it there is (input positions left unread, say), for rules that measure them: a fix
#: that brings a kind to an axis that did not have it, or more of it, brings a new problem,
#: though the layer's problem was in that axis already.
Kinds = frozenset[tuple[int | None, str, int]]


def grown(before: Kinds, after: Kinds) -> dict[str, bool]:
    """The kinds ``after`` has more of than ``before`` in some axis: each with whether it is
    new there (else there is more of it)."""
    most: dict[tuple[int | None, str], int] = {}
    for axis, kind, amount in before:
        most[axis, kind] = max(amount, most.get((axis, kind), amount))
    found: dict[str, bool] = {}
    for axis, kind, amount in after:
        was = most.get((axis, kind))
        if was is None or amount > was:
            found[kind] = found.get(kind, False) or was is None
    return found


def joined(first: Axes, second: Axes) -> Axes:
    """The axes of two problems of one rule in one layer, taken as one."""
    return None if first is None or second is None else first | second


def within(axes: Axes, bounds: Axes) -> bool:
    """Whether every axis of ``axes`` is one of ``bounds`` (None: the whole layer, every axis)."""
    return bounds is None or (axes is not None and axes <= bounds)


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Applicability(StrEnum):
    """Whether ``--fix`` may apply a fix on its own (decided by re-analysis, see fix.py)."""

    SAFE = "safe"
    UNSAFE = "unsafe"


@dataclass(frozen=True)
class Replacement:
    """One text change of a fix: ``span`` of the checked text (empty: an insertion point)
    becomes ``text``."""

    span: Span
    text: str


@dataclass(frozen=True)
class Diagnostic:
    code: str
    name: str
    severity: Severity
    message: str
    filename: str
    span: Span
    layer: str | None = None
    #: The index of the layer in ``layers``, when the diagnostic is about one layer.
    layer_index: int | None = None
    help: str | None = None
    fix: Fix | None = None
    #: None where nobody judged the fix: the library's ``assess_fixes=False``, or a check past
    #: its budget for judging fixes, which ``--fix`` judges anew.
    applicability: Applicability | None = None
    #: Why an unsafe fix is unsafe, in a few words ("conv2 would then report NS101"), or why a
    #: fix was not judged.
    unsafe_because: str | None = None
    #: netspec could not check past this problem, so no selection or ``noqa`` hides it.
    blocking: bool = False
    #: A blocking problem that a selection or ``noqa`` would have hidden: reported all the
    #: same, but ``--fix`` leaves it to the user who silenced it.
    silenced: bool = False
    #: Where each of the fix's edits lands: the span of the value it replaces, or None where
    #: it adds a key. Resolved while the positions are at hand, so a result needs no analysis.
    edit_spans: tuple[Span | None, ...] = ()
    #: The fix as changes to the checked text, each independent of other diagnostics' fixes;
    #: empty when the layer's text cannot be edited safely (``--fix`` then says why).
    replacements: tuple[Replacement, ...] = ()
    #: The axes the problem is in, where its rule judges each one.
    axes: Axes = None
    #: The kinds of problem it is, where its rule tells them apart (see ``Violation.kinds``).
    kinds: Kinds = frozenset()

    def fixable(self, *, unsafe: bool = False) -> bool:
        """Whether ``--fix`` applies this fix (``unsafe``: ``--fix --unsafe-fixes``): never to a
        problem the user silenced."""
        if self.silenced:
            return False
        return self.applicability is Applicability.SAFE or (unsafe and self.applicability is Applicability.UNSAFE)

    @property
    def location(self) -> str:
        """``file:row:column`` where the problem starts."""
        return f"{self.filename}:{self.span.start.row}:{self.span.start.column}"

    @property
    def sort_key(self) -> tuple[Any, ...]:
        return (self.filename, self.span.start, self.code)
