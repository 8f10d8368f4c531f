"""Configuration files: ``[tool.netspec]`` in ``pyproject.toml``, or a ``netspec.toml``.

The nearest configuration is found by searching upward from the current directory. In each
directory ``netspec.toml`` wins over ``pyproject.toml`` (as ``ruff.toml`` does over
``pyproject.toml`` for ruff), and a ``pyproject.toml`` without a ``[tool.netspec]`` table is
passed over. Command-line flags are applied on top of the file (see :func:`resolve`).
"""

from __future__ import annotations

import datetime
import json
import os
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from netspec.diagnostics import Severity
from netspec.discovery import is_directory
from netspec.globs import negation
from netspec.rules import RULES
from netspec.settings import ALL, Settings, unique_selectors
from netspec.source import FileTooLarge, NotARegularFile, read_limited
from netspec.text import cut

#: The file names looked for in each directory, the first found winning.
CONFIG_NAMES = ("netspec.toml", "pyproject.toml")
#: Larger configuration files are refused unread.
MAX_CONFIG_SIZE = 1 << 20
#: Keys of more parts, counting the parts of the table header they are under, are refused
#: unparsed. tomllib's time grows with the square of a dotted key's parts (8,000 parts take
#: a second) and, for every key, with its header's: a 1 MiB file of 256-part headers and keys
#: took 21 s. At 32, the worst such file parses in about 4 s (headers cost tomllib ~0.15 ms
#: each, however short: 1 MiB of 8-part ones takes 3.4 s); a real key has a few parts.
MAX_KEY_PARTS = 32
_KEY_PART = r"""[A-Za-z0-9_-]+|"[^"\\\n]*(?:\\.[^"\\\n]*)*"|'[^'\n]*'"""
#: TOML read left to right as names (group ``name``: bare or quoted parts joined by dots, a
#: key or a value alike), multi-line strings, unclosed strings, comments, and the rest (group
#: ``other``). Every alternative consumes what it starts (an unclosed string up to the end of
#: its line, a multi-line one up to the end of the text), so the scan is linear on any text.
#: Compiled on first use (by ``re``'s cache): most runs read no configuration file. A string's
#: characters are matched in runs, a group repeated only at its escapes and quotes: re keeps a
#: backtracking point per repeat of a group (280 MB for a string of a million characters).
_TOML_TOKEN = (
    # Up to five quotes may close a multi-line string (two of them its own).
    r'''"""[^"\\]*(?:(?:\\[\s\S]|"(?!""))[^"\\]*)*(?:"{3,5}|\\?\Z)'''
    r"""|'''[^']*(?:'(?!'')[^']*)*(?:'{3,5}|\Z)"""
    rf"""|(?P<name>(?:{_KEY_PART})(?:[ \t]*\.[ \t]*(?:{_KEY_PART}))*)"""
    r"""|"[^"\\\n]*(?:\\.[^"\\\n]*)*|'[^'\n]*|\#[^\n]*|(?P<other>[^"'\#A-Za-z0-9_-]+)|[\s\S]"""
)


def _check_key_lengths(text: str, path: Path) -> None:
    header = 0  # the parts of the table header the keys are under
    opens_header = False  # whether a name here is a header: after "[" or "[[" at a line start
    for token in re.finditer(_TOML_TOKEN, text):
        name, other = token["name"], token["other"]
        if name is not None:
            # A header's parts are counted; a key's only when it is long enough to matter, as
            # each part but the first takes two characters at least.
            long = opens_header or len(name) > 2 * (MAX_KEY_PARTS - header)
            parts = len(re.findall(_KEY_PART, name)) if long else 1
            if opens_header:
                header = parts
            if header + (0 if opens_header else parts) > MAX_KEY_PARTS:
                row = text.count("\n", 0, token.start()) + 1
                raise ConfigError(
                    f"{path}:{row}: a key of more than {MAX_KEY_PARTS} dotted parts with its table's; "
                    "no configuration needs one"
                )
        line_start = token.start() == 0 or (other is not None and "\n" in other)
        opens_header = other is not None and line_start and other.rsplit("\n", 1)[-1].strip(" \t") in ("[", "[[")


_KEYS = frozenset(
    {
        "select",
        "extend-select",
        "ignore",
        "per-file-ignores",
        "include",
        "exclude",
        "force-exclude",
        "severity",
        "max-file-size",
    }
)

#: ruff's keys that netspec spells otherwise, and what to write instead: netspec's own
#: keys already add to its defaults, as ruff's ``extend-`` ones do.
_RUFF_KEYS = {
    "extend-exclude": "`exclude`, which adds to the directories a scan always skips",
    "extend-ignore": "`ignore`",
    "extend-per-file-ignores": "`per-file-ignores`",
    "extend-include": "`include`, which replaces the default *.yaml and *.yml: list them too",
}


class ConfigError(Exception):
    """The configuration is unusable; the message names the file and the offending value."""


@dataclass(frozen=True)
class Overrides:
    """Selection given on the command line; ``None`` where a flag was not given."""

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    max_file_size: int | None = None
    force_exclude: bool | None = None


def _nearest(start: Path) -> tuple[Path, dict[str, Any]] | None:
    """The nearest configuration file upward, with its netspec table (read once)."""
    for directory in (start, *start.parents):
        for name in CONFIG_NAMES:
            candidate = directory / name
            table = _table(candidate) if _exists(candidate) else None
            if table is not None:
                return candidate, table
    return None


def _passed_over(chosen: Path) -> tuple[str, ...]:
    """A sentence for a ``[tool.netspec]`` table in the pyproject.toml beside the chosen
    file, which netspec does not read: a user who edits it would see no change."""
    beside = chosen.with_name("pyproject.toml")
    try:
        passed_over = _exists(beside) and _table(beside) is not None
    except ConfigError:  # not read, so not reported as broken either
        passed_over = False
    said = f"{beside}'s [tool.netspec] is not read: {chosen.name} beside it comes first; move its settings there"
    return (said,) if passed_over else ()


def _exists(candidate: Path) -> bool:
    """Whether a configuration file is there: anything by its name but a directory. One that
    cannot be read (a link to nothing or in a loop, a pipe) is an error when it is read, since
    passing it over would run with other rules than the user set; is_file() is False for it."""
    try:
        candidate.lstat()
    except (FileNotFoundError, NotADirectoryError):
        return False
    except OSError as error:
        raise ConfigError(f"{candidate}: cannot read the file: {error.strerror or error}") from None
    return not is_directory(candidate)


def _read(path: Path) -> dict[str, Any]:
    try:
        raw = read_limited(path, MAX_CONFIG_SIZE)
    except NotARegularFile:
        raise ConfigError(f"{path}: not a regular file") from None
    except FileTooLarge:
        raise ConfigError(f"{path}: over {MAX_CONFIG_SIZE:,} bytes; a configuration file is never this large") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read the file: {error.strerror or error}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: not UTF-8 (byte {error.start})") from None
    # TOML has no byte-order mark, but editors on Windows write one: skip it.
    text = text.removeprefix("\ufeff")
    _check_key_lengths(text, path)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid TOML: nested too deeply") from None
    except ValueError:  # an integer past Python's 4,300-digit limit
        raise ConfigError(f"{path}: invalid TOML: a number too long to read") from None


def _table(path: Path) -> dict[str, Any] | None:
    """The netspec table of a file: ``[tool.netspec]`` in pyproject.toml, the whole of any other."""
    data = _read(path)
    if path.name != "pyproject.toml":
        return data
    tool = data.get("tool")
    table = tool.get("netspec") if isinstance(tool, dict) else None
    if table is not None and not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.netspec] must be a table")
    return table


def load(path: Path) -> Settings:
    """Settings from one configuration file; raises :class:`ConfigError`."""
    table = _table(path)
    if table is None:
        raise ConfigError(f"{path}: no [tool.netspec] table")
    return parse(table, str(path))


def parse(table: Mapping[str, Any], source: str) -> Settings:
    """Settings from a configuration table; ``source`` names the file in errors."""
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise ConfigError(f"{source}: unknown key '{cut(unknown[0])}'{_key_hint(unknown[0], source)}")
    settings = Settings()
    changes: dict[str, Any] = {"root": str(Path(source).parent), "source": source}
    ineffective: tuple[str, ...] = ()
    for key in ("select", "extend-select", "ignore"):
        if key in table:
            values = _strings(table[key], key, source)
            changes[key.replace("-", "_")] = unique_selectors(values, f"{source}: {key}", ConfigError)
    if ALL in changes.get("ignore", ()) and "select" not in table:
        # The default selection is no choice of the file's: ignoring ALL starts from nothing,
        # as --ignore ALL does, rather than lose to the default's more specific NS.
        changes["select"] = ()
    ineffective += _always_reported(changes.get("ignore", ()), f"{source}: ignore")
    for key in ("include", "exclude"):
        if key in table:
            changes[key] = tuple(_strings(table[key], key, source))
            if "" in changes[key]:
                raise ConfigError(f"{source}: {key} holds an empty pattern, which matches no file")
            ineffective += _absolute(changes[key], f"{source}: {key}")
    if "per-file-ignores" in table:
        ignores = {}
        for pattern, codes in _table_of(table["per-file-ignores"], "per-file-ignores", source).items():
            if not negation(pattern)[0]:
                raise ConfigError(f"{source}: per-file-ignores has an empty pattern ({_quoted(pattern)})")
            key = f"per-file-ignores.{cut(_toml_key(pattern))}"
            ignores[pattern] = unique_selectors(_strings(codes, key, source), f"{source}: {key}", ConfigError)
            ineffective += _always_reported(ignores[pattern], f"{source}: {key}")
        changes["per_file_ignores"] = ignores
        ineffective += _absolute(ignores, f"{source}: per-file-ignores", negatable=True)
    if "severity" in table:
        levels = _table_of(table["severity"], "severity", source)
        changes["severity"] = _severities(levels, source)
        demoted = [selector for selector, level in levels.items() if level == Severity.WARNING.value]
        ineffective += _always_reported(demoted, f"{source}: severity")
    if "force-exclude" in table:
        if not isinstance(table["force-exclude"], bool):
            raise ConfigError(f"{source}: force-exclude must be true or false, not {_quoted(table['force-exclude'])}")
        changes["force_exclude"] = table["force-exclude"]
    if "max-file-size" in table:
        size = table["max-file-size"]
        if not isinstance(size, int) or isinstance(size, bool) or size < 1:
            raise ConfigError(f"{source}: max-file-size must be a positive number of bytes, not {_quoted(size)}")
        changes["max_file_size"] = size
    return replace(settings, **changes, ineffective=ineffective)


def _key_hint(key: str, source: str) -> str:
    """What an unknown key probably meant, then the known keys."""
    from netspec.spec import suggest  # an error path only

    known = f"(known keys: {', '.join(sorted(_KEYS))})"
    if key == "tool" and Path(source).name != "pyproject.toml":
        return f"; this file holds the settings at its top level, without [tool.netspec] {known}"
    if key in _RUFF_KEYS:
        return f"; netspec's key is {_RUFF_KEYS[key]} {known}"
    hint = suggest(key, sorted(_KEYS))
    return f"{hint} {known}"


def _toml_key(key: str) -> str:
    """A key as TOML writes it in a dotted key: bare where it may be, else quoted
    (``per-file-ignores."specs/*.yaml"``)."""
    return key if _BARE_KEY.fullmatch(key) else _as_toml(key)


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _quoted(value: Any) -> str:
    """A value from the file as an error quotes it, in TOML, cut short: the file may hold a
    megabyte."""
    return cut(_as_toml(value))


def _as_toml(value: Any) -> str:
    """A value as TOML writes it (``["NS1", true]``, not Python's ``['NS1', True]``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        # TOML's basic strings take JSON's escapes, and escape DEL too.
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, list):
        return f"[{', '.join(map(_as_toml, value))}]"
    if isinstance(value, dict):
        return f"{{{', '.join(f'{_as_toml(key)} = {_as_toml(item)}' for key, item in value.items())}}}"
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return str(value)  # numbers: inf and nan are TOML's spelling too


def _strings(value: Any, key: str, source: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{source}: {key} must be a list of strings, not {_quoted(value)}")
    return value


def _table_of(value: Any, key: str, source: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{source}: {key} must be a table, not {_quoted(value)}")
    return value


def _always_reported(selectors: Iterable[str], where: str) -> tuple[str, ...]:
    """A sentence for each selector that names, in full, a rule whose problems are always
    reported (blocking, with none that leave nothing unchecked): ignoring or demoting it
    does nothing, which would otherwise pass without a word."""
    return tuple(
        f"{where} names {selector}, which has no effect: netspec cannot check past its problems, "
        "so it always reports them, as errors"
        for selector in selectors
        if (rule := RULES.get(selector)) is not None and rule.blocking and rule.silenceable is None
    )


def _absolute(patterns: Iterable[str], where: str, *, negatable: bool = False) -> tuple[str, ...]:
    """A sentence for each pattern written as an absolute path, which no path a pattern is
    matched against (a file name, or a path from the project's directory) can be; negated
    (a per-file ignore's ``!``), it therefore matches every file."""
    sentences = []
    for pattern in patterns:
        path, negated = negation(pattern) if negatable else (pattern, False)
        if path.startswith("/") or os.path.isabs(path):
            effect = "so its codes are off in every file" if negated else "so it matches nothing"
            sentences.append(
                f"{where} has the absolute path '{cut(pattern)}', {effect}: patterns are matched against file "
                "names and paths from the project's directory (write './' and the path from there)"
            )
    return tuple(sentences)


def _severities(table: Mapping[str, Any], source: str) -> dict[str, Severity]:
    """Code or prefix → severity (the longest prefix decides, in :meth:`Settings.severity_for`)."""
    levels = {level.value for level in Severity}
    result: dict[str, Severity] = {}
    for selector in unique_selectors(table, f"{source}: severity", ConfigError):
        level = table[selector]
        if not isinstance(level, str) or level not in levels:
            raise ConfigError(
                f"{source}: severity.{selector} must be one of {', '.join(sorted(levels))}, not {_quoted(level)}"
            )
        result[selector] = Severity(level)
    return result


def split_flag(values: Sequence[str] | None, flag: str) -> tuple[str, ...] | None:
    """Comma-separated, repeatable flag values → checked selectors; ``None`` when not given."""
    if values is None:
        return None
    # Empty parts are errors, not nothing: `--select ""` must not silently select no rule.
    return unique_selectors([part.strip() for value in values for part in value.split(",")], flag, ConfigError)


def _not_under(selectors: tuple[str, ...], prefixes: tuple[str, ...]) -> tuple[str, ...]:
    """The ``selectors`` that no prefix in ``prefixes`` covers (``ALL`` covers them all)."""
    if ALL in prefixes:
        return ()
    return tuple(selector for selector in selectors if not selector.startswith(prefixes))


def resolve(config: Path | None, overrides: Overrides, cwd: Path | None = None) -> Settings:
    """The settings for a run: the given or nearest configuration file, then the flags.
    The patterns of the nearest file describe paths from its directory, those of a given one
    from the working directory.

    The flags are a layer above the file, as in ruff. ``--select`` replaces the file's whole
    selection (select, extend-select and ignore). ``--extend-select`` and ``--ignore`` add to
    it, and what they name is the flags' say: the file's selectors under it give way, however
    specific, so ``--extend-select NS1`` enables the NS102 that the file ignores.
    """
    if config is not None:
        # As in ruff: a file given by --config describes paths from the working directory,
        # so that a CI job's config kept in ci/ means what it would at the project's root.
        settings = replace(load(config), root=None)
    else:
        try:
            start = (cwd or Path.cwd()).resolve()
        except OSError as error:  # the directory was removed under the shell
            raise ConfigError(f"cannot find the current directory: {error.strerror or error}") from None
        found = _nearest(start)
        settings = parse(found[1], str(found[0])) if found else Settings()
        if found and found[0].name != "pyproject.toml":
            settings = replace(settings, ineffective=settings.ineffective + _passed_over(found[0]))
    enabled, disabled = overrides.extend_select, overrides.ignore
    if overrides.select is not None:
        settings = replace(settings, select=overrides.select, extend_select=(), ignore=())
    else:
        settings = replace(
            settings,
            select=_not_under(settings.select, disabled),
            extend_select=_not_under(settings.extend_select, disabled),
            ignore=_not_under(settings.ignore, enabled),
        )
    return replace(
        settings,
        ineffective=settings.ineffective + _always_reported(disabled, "--ignore"),
        extend_select=settings.extend_select + enabled,
        ignore=settings.ignore + disabled,
        max_file_size=overrides.max_file_size or settings.max_file_size,
        force_exclude=settings.force_exclude if overrides.force_exclude is None else overrides.force_exclude,
    )


__all__ = ["CONFIG_NAMES", "ConfigError", "Overrides", "load", "parse", "resolve"]
