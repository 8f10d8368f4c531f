"""Glob patterns against the standard library's own reading of them, ``fnmatch.fnmatchcase``."""

from __future__ import annotations

import fnmatch
import os
import pickle
import re
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from netspec import Settings
from netspec.globs import Globs, translate
from tests.helpers import within

#: The characters that mean something in a glob, and a few that do not.
PATTERN_CHARACTERS = "ab-!]*?[/.^\\&~|"


@settings(max_examples=2_000, deadline=None)
@given(st.text(PATTERN_CHARACTERS, max_size=10), st.text("ab-!]/.^[\\c&", max_size=6))
def test_a_pattern_matches_what_fnmatch_matches(pattern: str, name: str) -> None:
    assume(not re.search(r"(^|/)\*\*/", pattern))  # "**/" means more than fnmatch's "*" (below)
    assert (re.fullmatch(translate(pattern), name, re.DOTALL) is not None) == fnmatch.fnmatchcase(name, pattern)


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("sp*.yaml", "specs/a.yaml", True),  # * crosses / (the name alone, a.yaml, would not match)
        ("[!a]x", "bx", True),
        ("[!a]x", "ax", False),
        ("[]]", "]", True),  # a ] right after [ belongs to the set
        ("[z-a]", "m", False),  # a reversed range matches nothing
        ("[" * 5, "[" * 5, True),  # unclosed brackets are themselves
        # What ruff's and git's patterns add: "**/" is any directories, or none.
        ("**/legacy", "legacy", True),
        ("**/legacy/**", "legacy/old.yaml", True),
        ("**/legacy/**", "specs/legacy/old.yaml", True),
        ("specs/**/*.yaml", "specs/net.yaml", True),
        ("specs/**/*.yaml", "specs/a/b/net.yaml", True),
        ("a/**/b/**/c", "a/b/c", True),
        ("a/**/b/**/c", "a/x/c", False),
        # Only at the start or after a "/": elsewhere "**" is fnmatch's "*".
        ("x**/b", "b", False),
        # A trailing "/" is dropped; "./" names a path from the project's directory only.
        ("legacy/", "legacy", True),
        ("./legacy", "legacy", True),
        ("./legacy", "specs/legacy", False),
        ("legacy", "specs/legacy", True),
    ],
)
def test_cases_worked_by_hand(pattern: str, path: str, matches: bool) -> None:
    assert Globs([pattern]).match(path) is matches


def test_directory_stars_match_in_linear_time() -> None:
    with within(10):
        assert not Globs(["a/**/" * 5_000 + "b"]).match("a/" * 2_000 + "c")
        assert not Globs(["**/a" * 3_000 + "/b"]).match("a/" * 300 + "c")


def test_many_stars_match_in_linear_time() -> None:
    # Backtracking into each star would try every split of the name: hours, for these.
    with within(10):
        assert not Globs(["*a" * 8 + "*b"]).match("a" * 250)
        assert Globs(["*a" * 8 + "*b"]).match("a" * 250 + "b")


def test_a_pattern_matches_the_path_or_the_file_name() -> None:
    globs = Globs(["legacy_*.yaml", "*/old/*"])
    assert globs.match("specs/legacy_net.yaml")  # by file name
    assert globs.match(os.path.join("specs", "old", "net.yaml"))  # by path, with the platform's separator
    assert not globs.match("specs/new/net.yaml")


def test_per_file_ignores_match_by_path_and_by_name() -> None:
    chosen = Settings(per_file_ignores={"*/legacy/*": ("NS102",), "*.yml": ("NS1",)})
    assert chosen.ignores_for("specs/legacy/net.yml") == ("NS102", "NS1")
    assert chosen.ignores_for("specs/net.yaml") == ()
    assert not chosen.enabled("NS102", selected_by_default=True, filename="specs/legacy/a.yaml")
    assert chosen.enabled("NS102", selected_by_default=True, filename="specs/a.yaml")


def test_patterns_see_a_path_from_the_project_directory_or_only_its_name_outside_it(tmp_path: Path) -> None:
    (tmp_path / "repo" / "specs").mkdir(parents=True)
    (tmp_path / "elsewhere" / "specs").mkdir(parents=True)
    chosen = Settings(root=str(tmp_path / "repo"), per_file_ignores={"specs/*": ("NS102",), "b.yaml": ("NS1",)})
    inside, outside = tmp_path / "repo" / "specs" / "a.yaml", tmp_path / "elsewhere" / "specs" / "a.yaml"
    assert chosen.project_path(str(inside)) == os.path.join("specs", "a.yaml")
    assert chosen.project_path(str(outside)) is None
    assert (chosen.ignores_for(str(inside)), chosen.ignores_for(str(outside))) == (("NS102",), ())
    assert chosen.ignores_for(str(outside.with_name("b.yaml"))) == ("NS1",)  # by its name


def test_settings_sent_to_a_worker_carry_no_compiled_patterns() -> None:
    chosen = Settings(exclude=("*/legacy/*",), per_file_ignores={"*.yml": ("NS1",)})
    assert chosen.exclude_globs.match("specs/legacy/a.yaml") and chosen.ignores_for("a.yml") == ("NS1",)
    copy = pickle.loads(pickle.dumps(chosen))
    assert copy == chosen and not {"exclude_globs", "_ignores_by_file"} & set(vars(copy))
    assert copy.exclude_globs.match("specs/legacy/a.yaml") and copy.ignores_for("a.yml") == ("NS1",)


def test_several_patterns_match_as_any_one_of_them_would() -> None:
    # Matched as one expression: an anchored pattern still matches only the path from the
    # project's directory, and an unanchored one the path or the file name.
    globs = Globs(["./a/*.yaml", "b*", "c/[!x]?.yaml"])
    assert globs.match("a/n.yaml") and not globs.match("x/a/n.yaml")
    assert globs.match("x/b.yaml") and globs.match("c/yz.yaml") and not globs.match("c/xz.yaml")
    # Outside the project only file names are matched: the anchored pattern matches nothing.
    assert not globs.match("a/n.yaml", outside=True) and globs.match("a/b.yaml", outside=True)
    # No patterns match nothing, the empty path included.
    assert not Globs([]).match("") and not Globs([]).match("a.yaml")
