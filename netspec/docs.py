"""Rule documentation, rendered from the one place it lives: each rule module's docstring.

``netspec rule``, the README's rule table and SARIF's rule metadata all come from here, so
they cannot drift apart. ``python -m netspec.docs --write-readme`` regenerates the README
table; ``--check`` exits 1 when the committed table is stale.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from netspec.rules import RULES, Rule

README_START = "<!-- rules:start -->"
README_END = "<!-- rules:end -->"

_FIX_AVAILABILITY = {
    "always": "always available",
    "sometimes": "sometimes available",
    "never": "not available",
}
_SAFETY = (
    "A fix is safe when re-analysis of the fixed spec finds no new problem; `--fix` applies "
    "only safe fixes, and the others are shown as unsafe."
)


def sections(rule: Rule) -> dict[str, str]:
    """The documentation's ``## Heading`` sections, heading → body (stripped)."""
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in rule.doc.splitlines():
        if line.startswith("## "):
            current = found.setdefault(line[3:].strip(), [])
        elif current is not None:
            current.append(line)
    return {heading: "\n".join(lines).strip() for heading, lines in found.items()}


def yes_no(value: bool) -> str:
    return "yes" if value else "no"


def default_label(rule: Rule) -> str:
    """Whether the rule runs by default: ``yes``, ``no``, or ``always`` for a blocking rule."""
    return "always" if rule.blocking else yes_no(rule.selected_by_default)


def fix_note(rule: Rule) -> str:
    """``Fix: sometimes available. A fix is safe when …``."""
    note = f"Fix: {_FIX_AVAILABILITY[rule.fix]}."
    return note if rule.fix == "never" else f"{note} {_SAFETY}"


def rule_markdown(rule: Rule) -> str:
    """The full documentation of one rule, in Markdown: what ``netspec rule CODE`` prints."""
    body = "\n\n".join(f"## {heading}\n{text}" for heading, text in sections(rule).items())
    facts = [
        f"- Default severity: {rule.severity_label}",
        f"- Selected by default: {default_label(rule)}"
        + ("" if rule.selected_by_default else f" (enable it with `--extend-select {rule.code}`)")
        + (
            " (netspec cannot check past its problems, so neither `select`, `ignore`, per-file ignores"
            " nor `noqa` hide them"
            + (f"; its {rule.silenceable} leave nothing unchecked, and may be silenced" if rule.silenceable else "")
            + ")"
            if rule.blocking
            else ""
        ),
        f"- {fix_note(rule)}",
    ]
    return f"# {rule.code}: {rule.name}\n\n{rule.summary}\n\n" + "\n".join(facts) + f"\n\n{body}\n"


def rule_list() -> str:
    """An aligned plain-text table of the rules: what ``netspec rule --all`` prints."""
    header = ("code", "name", "severity", "default")
    rows = [header] + [(r.code, r.name, r.severity_label, default_label(r)) for r in RULES.values()]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def readme_table() -> str:
    """The README's Markdown rule table."""
    lines = ["| Code | Name | Severity | Default | Summary |", "| --- | --- | --- | --- | --- |"]
    for r in RULES.values():
        cells = (r.code, f"`{r.name}`", r.severity_label, default_label(r), _cell(r.summary))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def readme_note() -> str:
    """What the table's columns leave unsaid: what `always` means, and its exceptions."""
    exceptions = " and ".join(f"{r.code}'s {r.silenceable}" for r in RULES.values() if r.blocking and r.silenceable)
    return (
        "Default `always`: netspec cannot check past the rule's problems, so no selection or `noqa` hides them"
        + (f" (but for {exceptions}, which leave nothing unchecked)" if exceptions else "")
        + ". `netspec rule NS101` prints a rule's full documentation, `netspec rule --all` lists them all. "
        "This table is generated from the rules' documentation by `python -m netspec.docs --write-readme`."
    )


def with_readme_table(readme: str) -> str:
    """The README text with the generated table between the markers."""
    start, end = _marker_bounds(readme)
    return f"{readme[:start]}\n{readme_table()}\n\n{readme_note()}\n{readme[end:]}"


def _marker_bounds(readme: str) -> tuple[int, int]:
    start = readme.find(README_START)
    end = readme.find(README_END, start + 1)
    if start < 0 or end < 0:
        raise ValueError(f"the README lacks the {README_START} … {README_END} markers")
    return start + len(README_START), end


def main(argv: Sequence[str] | None = None) -> int:
    import argparse  # only for this script: `netspec rule` and the SARIF report import this module

    parser = argparse.ArgumentParser(prog="python -m netspec.docs", description="Regenerate the README rule table.")
    parser.add_argument("--readme", type=Path, default=Path("README.md"), help="the README to update")
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write-readme", action="store_true", help="write the generated table into the README")
    action.add_argument("--check", action="store_true", help="exit 1 when the README table is out of date")
    args = parser.parse_args(argv)
    text = args.readme.read_text(encoding="utf-8")
    updated = with_readme_table(text)
    if args.check:
        if updated != text:
            print(f"{args.readme}: the rule table is out of date; run `python -m netspec.docs --write-readme`")
            return 1
        return 0
    if updated != text:
        args.readme.write_text(updated, encoding="utf-8")
        print(f"{args.readme}: rule table updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
