"""The pre-commit hook, run for real by ``pre-commit try-repo``: pre-commit builds its own
virtualenv, pip-installs this repository into it and runs the hook's entry point."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.helpers import ROOT

pytestmark = pytest.mark.slow

assert (ROOT / "pyproject.toml").is_file(), ROOT

CLEAN = """\
name: small
input: [1, 28, 28]
layers:
  - {type: conv, filters: 8, kernel: 5, padding: 2}
  - {type: maxpool, kernel: 2}
  - {type: flatten}
  - {type: dense, units: 10}
"""

# An unpadded 3×3 conv: 8 − 3 + 1 = 6, the map shrinks (NS102, a warning).
SHRINKING = """\
name: shrinking
input: [1, 8, 8]
layers:
  - {type: conv, filters: 8, kernel: 3}
"""

# A 5×5 kernel on a 3×3 input: 3 − 5 + 1 = −1 output rows, which PyTorch refuses at run time.
BROKEN = """\
name: broken
input: [1, 3, 3]
layers:
  - {type: conv, filters: 8, kernel: 5}
  - {type: flatten}
  - {type: dense, units: 10}
"""

if shutil.which("git") is None:
    pytest.skip("git is not installed", allow_module_level=True)


def git(cwd: Path, *args: str) -> str:
    command = ["git", "-c", "user.name=netspec", "-c", "user.email=netspec@example.invalid"]
    command += ["-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args]
    return subprocess.run(command, cwd=cwd, check=True, capture_output=True, text=True).stdout


def project_files() -> list[str]:
    """The files of this repository as it stands: tracked and untracked, minus the ignored."""
    listed = git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    return [name for name in listed.split("\0") if name and (ROOT / name).is_file()]


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A one-commit copy of this repository's working tree.

    ``try-repo`` on a dirty tree commits only changes to tracked files (``git add -u``), so new,
    uncommitted files would be missing; a snapshot tests the working tree as it is, clean clone
    or not.
    """
    snapshot = tmp_path_factory.mktemp("netspec-repo")
    for name in project_files():
        target = snapshot / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    git(snapshot, "init", "-q")
    git(snapshot, "add", "-A")
    git(snapshot, "commit", "-q", "-m", "snapshot")
    return snapshot


@pytest.fixture(scope="session")
def hook_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A fresh pre-commit cache for the session (no stale environments), shared by its tests."""
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path_factory.mktemp("pre-commit-home")))
    # The report format must not depend on where the tests run.
    for name in ("GITHUB_ACTIONS", "NETSPEC_OUTPUT_FORMAT"):
        env.pop(name, None)
    return env


@pytest.fixture
def user_repo(tmp_path: Path) -> Path:
    """A project using netspec: specs where the hook looks, and one YAML file where it does not."""
    files = {
        "specs/clean.yaml": CLEAN,
        "specs/broken.yaml": BROKEN,
        "models/broken.yaml": BROKEN,
        "nets/resnet.netspec.yml": BROKEN,
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    return tmp_path


def try_repo(hook_repo: Path, user_repo: Path, env: dict[str, str], *files: str) -> subprocess.CompletedProcess[str]:
    """The hook on these files, or on the staged files when none is named."""
    command = [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), "netspec"]
    command += ["--files", *files] if files else []
    return subprocess.run(command, cwd=user_repo, env=env, capture_output=True, text=True, timeout=900)


def test_manifest_declares_the_hook() -> None:
    from pre_commit.clientlib import load_manifest

    (hook,) = load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))
    assert (hook["id"], hook["language"], hook["entry"], hook["args"], hook["pass_filenames"]) == (
        "netspec",
        "python",
        "netspec check --force-exclude",
        ["--"],
        True,
    )
    # The README documents the same default pattern.
    manifest = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert manifest[0]["files"] in (ROOT / "README.md").read_text(encoding="utf-8")


def test_hook_fails_on_a_broken_spec(hook_repo: Path, hook_env: dict[str, str], user_repo: Path) -> None:
    run = try_repo(hook_repo, user_repo, hook_env, "specs/broken.yaml")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Failed" in run.stdout
    assert "specs/broken.yaml:4:5" in run.stdout
    assert "NS103" in run.stdout


def test_hook_passes_on_a_clean_spec(hook_repo: Path, hook_env: dict[str, str], user_repo: Path) -> None:
    run = try_repo(hook_repo, user_repo, hook_env, "specs/clean.yaml")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Passed" in run.stdout


def test_default_pattern_selects_spec_files_only(hook_repo: Path, hook_env: dict[str, str], user_repo: Path) -> None:
    # models/ is not a spec location: the hook does not even run on it.
    skipped = try_repo(hook_repo, user_repo, hook_env, "models/broken.yaml")
    assert skipped.returncode == 0, skipped.stdout + skipped.stderr
    assert "(no files to check)Skipped" in skipped.stdout
    # The *.netspec.yml naming convention is matched anywhere.
    named = try_repo(hook_repo, user_repo, hook_env, "nets/resnet.netspec.yml", "specs/clean.yaml")
    assert named.returncode == 1, named.stdout + named.stderr
    assert "nets/resnet.netspec.yml:4:5" in named.stdout


def test_hook_honours_the_configured_exclude(hook_repo: Path, hook_env: dict[str, str], user_repo: Path) -> None:
    # pre-commit names each file; the configuration's exclude must still keep specs/legacy out.
    (user_repo / "specs" / "legacy").mkdir()
    (user_repo / "specs" / "legacy" / "old.yaml").write_text(BROKEN, encoding="utf-8")
    (user_repo / "pyproject.toml").write_text('[tool.netspec]\nexclude = ["specs/legacy"]\n', encoding="utf-8")
    git(user_repo, "add", "-A")
    excluded = try_repo(hook_repo, user_repo, hook_env, "specs/legacy/old.yaml", "specs/clean.yaml")
    assert excluded.returncode == 0, excluded.stdout + excluded.stderr
    # The near miss: the same broken spec outside the excluded directory fails the hook.
    failed = try_repo(hook_repo, user_repo, hook_env, "specs/legacy/old.yaml", "specs/broken.yaml")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "specs/broken.yaml:4:5" in failed.stdout
    assert "legacy" not in failed.stdout


def stage_alone(user_repo: Path, name: str, text: str) -> None:
    """Commit the project, then stage one new file: pre-commit, run without ``--files`` (whose
    own parser would take a name starting with "-" for an option), checks the staged files."""
    git(user_repo, "commit", "-q", "-m", "project")
    (user_repo / name).write_text(text, encoding="utf-8")
    git(user_repo, "add", "--", name)


def test_hook_checks_a_file_named_like_an_option(hook_repo: Path, hook_env: dict[str, str], user_repo: Path) -> None:
    # pre-commit names a top-level file as it is: without the hook's "--", click would read
    # "-shrinking.netspec.yaml" as options (-s, -h, ...) and fail with a usage error instead.
    stage_alone(user_repo, "-shrinking.netspec.yaml", SHRINKING)
    run = try_repo(hook_repo, user_repo, hook_env)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "-shrinking.netspec.yaml:4:5" in run.stdout
    assert "NS102" in run.stdout
    assert "No such option" not in run.stdout


def test_users_args_replace_the_default_and_end_with_the_separator(
    hook_repo: Path, hook_env: dict[str, str], user_repo: Path
) -> None:
    # A user's args replace the hook's ["--"]: the README's example ends them with "--" again.
    stage_alone(user_repo, "-shrinking.netspec.yaml", SHRINKING)
    revision = git(hook_repo, "rev-parse", "HEAD").strip()

    def run_hook(**hook: object) -> subprocess.CompletedProcess[str]:
        config = {"repos": [{"repo": str(hook_repo), "rev": revision, "hooks": [{"id": "netspec", **hook}]}]}
        (user_repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
        command = [sys.executable, "-m", "pre_commit", "run"]
        return subprocess.run(command, cwd=user_repo, env=hook_env, capture_output=True, text=True, timeout=900)

    ignoring = run_hook(args=["--ignore", "NS102", "--"])
    assert ignoring.returncode == 0, ignoring.stdout + ignoring.stderr
    assert "Passed" in ignoring.stdout
    # The near miss: with the hook's own args, the same file fails on its NS102.
    default = run_hook()
    assert default.returncode == 1, default.stdout + default.stderr
    assert "-shrinking.netspec.yaml:4:5" in default.stdout
