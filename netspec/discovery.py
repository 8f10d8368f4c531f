"""Which files ``netspec check`` looks at: explicit files as given, directories searched."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from netspec.settings import Settings

#: Directories never searched: version control, virtual environments, caches.
SKIPPED_DIRECTORIES = frozenset({"node_modules", "__pycache__", "venv", "site-packages"})


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
    Symbolic links to directories are not followed, so a link loop cannot make the walk endless."""
    found = Discovery()
    seen: set[Path] = set()
    root = _project_root(settings) if settings.force_exclude else None
    for target in targets:
        if settings.force_exclude and _excluded(target, root, settings):
            found.excluded.append(target)
            continue
        candidates = _walk(target, settings, found.unlisted) if is_directory(target) else [target]
        for path in candidates:
            if path not in seen:
                seen.add(path)
                found.files.append(path)
    return found


def _walk(root: Path, settings: Settings, unlisted: dict[Path, OSError]) -> list[Path]:
    files = []

    def cannot_list(error: OSError) -> None:
        unlisted.setdefault(Path(error.filename), error)  # once, however many targets lead to it

    for directory, subdirectories, names in os.walk(root, onerror=cannot_list, followlinks=False):
        subdirectories[:] = sorted(
            d
            for d in subdirectories
            if not d.startswith(".")
            and d not in SKIPPED_DIRECTORIES
            and not settings.exclude_globs.match(Path(directory, d).as_posix())
        )
        for name in sorted(names):
            path = Path(directory, name)
            if settings.include_globs.match(path.as_posix()) and not settings.exclude_globs.match(path.as_posix()):
                files.append(path)
    return files


def _project_root(settings: Settings) -> str | None:
    """The directory ``exclude`` describes, symbolic links resolved: the configuration file's,
    else the working one; None when there is no working directory."""
    try:
        return os.path.realpath(settings.root or os.getcwd())
    except OSError:
        return None


def _excluded(path: Path, root: str | None, settings: Settings) -> bool:
    """Whether ``path`` or a directory it is in matches ``exclude``, counting only the
    directories below ``root`` (the project's): a checkout under /build/ excludes nothing.
    Symbolic links are resolved, but not the path's own last part, whose name the patterns
    are written for."""
    try:
        if root is None:
            raise ValueError
        path = Path(os.path.realpath(path.parent), path.name).relative_to(root)
    except (ValueError, OSError):  # outside the project, or no working directory
        return settings.exclude_globs.match(path.name)
    return any(settings.exclude_globs.match(p.as_posix()) for p in (path, *path.parents) if p.name)
