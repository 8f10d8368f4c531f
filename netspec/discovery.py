"""Which files ``netspec check`` looks at: explicit files as given, directories searched."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from netspec.settings import Settings

#: Directories never searched, and left out under ``force_exclude``: version control,
#: virtual environments, caches, build output. Ruff's default excludes, and ``__pycache__``.
SKIPPED_DIRECTORIES = frozenset(
    {
        *(".bzr", ".direnv", ".eggs", ".git", ".git-rewrite", ".hg", ".ipynb_checkpoints", ".mypy_cache"),
        *(".nox", ".pants.d", ".pyenv", ".pytest_cache", ".pytype", ".ruff_cache", ".svn", ".tox", ".venv"),
        *(".vscode", "__pypackages__", "__pycache__", "_build", "buck-out", "dist", "node_modules"),
        *("site-packages", "venv"),
    }
)


def missing(path: Path) -> bool:
    """Whether nothing at all is at ``path``, not even a dangling symbolic link. A path that
    cannot be looked at (too long, in a directory this user may not search) is not missing:
    reading it tells the user why."""
    try:
        path.lstat()
    except (FileNotFoundError, NotADirectoryError):
        return True
    except OSError:
        pass
    return False


def is_directory(path: Path) -> bool:
    """``path.is_dir()``, False where the path cannot be looked at (Python 3.11 raises there)."""
    try:
        return path.is_dir()
    except OSError:
        return False


@dataclass
class Discovery:
    files: list[Path] = field(default_factory=list)
    #: Directories the walk could not list, with the error: reported, never passed over.
    unlisted: dict[Path, OSError] = field(default_factory=dict)
    #: Paths named on the command line that ``force_exclude`` left out.
    excluded: list[Path] = field(default_factory=list)


def discover(targets: Iterable[Path], settings: Settings) -> Discovery:
    """Explicit files are checked, as ruff does, unless ``force_exclude`` applies ``exclude``
    to them too; directories are walked for files matching ``include`` and not ``exclude``.
    Patterns see each path as :meth:`Settings.project_path` gives it. Symbolic links to
    directories are not followed, so a link loop cannot make the walk endless."""
    found = Discovery()
    # Each file once, however it is named (a.yaml and ./specs/../a.yaml, or a directory and a
    # link to it), under the first name it was found by.
    seen: set[str] = set()
    for target in targets:
        if settings.force_exclude and is_excluded(target, settings):
            found.excluded.append(target)
            continue
        candidates = _walk(target, settings, found.unlisted) if is_directory(target) else [target]
        for path in candidates:
            # Its directory resolved, not its own name, as patterns see it: a link to a file
            # is another file, with a name of its own.
            directory, name = os.path.split(path)
            where = os.path.join(settings.real_directory(directory) or directory, name)
            if where not in seen:
                seen.add(where)
                found.files.append(path)
    return found


def _unsearched(directory: str) -> bool:
    """A directory a scan does not enter: one of :data:`SKIPPED_DIRECTORIES`, or hidden, as
    hidden directories hold other tools' YAML (.github's workflows). A file in a hidden
    directory that is named, as pre-commit names the files its pattern matches, is checked."""
    return _hidden(directory) or directory in SKIPPED_DIRECTORIES


def _hidden(name: str) -> bool:
    """A hidden file or directory, passed by in a scan: hidden files are other tools'
    configuration too (.pre-commit-config.yaml, .gitlab-ci.yml), and are checked when named."""
    return name.startswith(".")


def _walk(top: Path, settings: Settings, unlisted: dict[Path, OSError]) -> list[Path]:
    files = []
    start = os.fspath(top)
    # Each directory as the patterns see it: the walk follows no link, so below the real
    # start it is where the walk says. A walk may start outside the project and enter it,
    # or the reverse: outside, patterns see file names only, and exclude no directory (the
    # hidden ones and SKIPPED_DIRECTORIES are passed by all the same).
    real_start = settings.real_directory(start)

    def as_seen(directory: str) -> str | None:
        """``directory`` as patterns see it ("" for the project's own), None outside it."""
        if real_start is None:
            return None
        real = os.path.normpath(os.path.join(real_start, directory[len(start) :].lstrip(os.sep)))
        inside = settings.within_project(real)
        return "" if inside == os.curdir else inside

    include, exclude = settings.include_globs, settings.exclude_globs

    def cannot_list(error: OSError) -> None:
        unlisted.setdefault(Path(error.filename), error)  # once, however many targets lead to it

    for directory, subdirectories, names in _walk_tree(start, cannot_list):
        seen_from = as_seen(directory)
        subdirectories[:] = sorted(
            d
            for d in subdirectories
            if not _unsearched(d) and (seen_from is None or not exclude.match(os.path.join(seen_from, d)))
        )
        outside = seen_from is None
        for name in sorted(name for name in names if not _hidden(name)):
            seen = name if seen_from is None else os.path.join(seen_from, name)
            if include.match(seen, outside=outside) and not exclude.match(seen, outside=outside):
                files.append(Path(directory, name))
    return files


def is_excluded(path: Path, settings: Settings) -> bool:
    """Whether ``path``, or a directory it is in below the project's, matches ``exclude`` or is
    one of :data:`SKIPPED_DIRECTORIES` (as ruff's default excludes are part of its
    ``exclude``); outside the project, whether a file's name matches."""
    directory = is_directory(path)
    spellings = {settings.project_path(str(path))}
    if directory:  # reached through a symbolic link: matched by the link's name and by what it is
        spellings.add(settings.project_path(str(path), directory=True))
    inside = [Path(seen) for seen in spellings if seen is not None]
    if not inside:
        return not directory and settings.exclude_globs.match(path.name, outside=True)
    for seen in inside:
        directories = (seen, *seen.parents) if directory else seen.parents
        if any(d.name in SKIPPED_DIRECTORIES for d in directories):
            return True
        if any(settings.exclude_globs.match(p.as_posix()) for p in (seen, *seen.parents) if p.name):
            return True
    return False


def _walk_tree(top: str, onerror: Callable[[OSError], None]) -> Iterator[tuple[str, list[str], list[str]]]:
    """``os.walk(top, onerror=onerror, followlinks=False)``, top-down, with a stack instead of
    recursion: Python 3.11's walk recurses once per level, so a tree a thousand directories
    deep raised RecursionError and stopped the whole run. As there, the caller may prune the
    subdirectories it is given, and a directory that cannot be listed goes to ``onerror``."""
    stack = [top]
    while stack:
        directory = stack.pop()
        subdirectories: list[str] = []
        names: list[str] = []
        try:
            with os.scandir(directory) as entries:
                for entry in entries:
                    try:
                        is_directory = entry.is_dir()
                    except OSError:
                        is_directory = False
                    (subdirectories if is_directory else names).append(entry.name)
        except OSError as error:
            onerror(error)
            continue
        yield directory, subdirectories, names
        # Reversed, so that the first is walked first, and all below it before the next.
        for name in reversed(subdirectories):
            path = os.path.join(directory, name)
            if not os.path.islink(path):
                stack.append(path)


def working_directory() -> str | None:
    """The current directory; None when it was removed under the shell (names are then kept
    as given, rather than the report lost)."""
    try:
        return os.getcwd()
    except OSError:
        return None
