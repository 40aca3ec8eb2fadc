"""The pre-commit hooks, through real `pre-commit try-repo` on a temporary git repository."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _pre_commit(*args, cwd):
    env = {**os.environ, "PRE_COMMIT_HOME": str(cwd.parent / "pre-commit-home"), "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "pre_commit", *args], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=900)


def _git(*args, cwd):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def test_check_fails_fix_rewrites_check_passes(tmp_path):
    pytest.importorskip("pre_commit")
    hook_repo = tmp_path / "tfmigrate"
    # try-repo installs the hook from a git repository: a clean copy of this one, committed.
    shutil.copytree(ROOT, hook_repo, ignore=shutil.ignore_patterns(
        ".git", ".venv", "*.egg-info", "__pycache__", ".tfmigrate_cache", ".pytest_cache", ".hypothesis"))
    _git("init", "-q", cwd=hook_repo)
    _git("add", "-A", cwd=hook_repo)
    _git("-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "hooks", cwd=hook_repo)

    project = tmp_path / "project"
    project.mkdir()
    _git("init", "-q", cwd=project)
    shutil.copyfile(ROOT / "fixtures" / "seed_quadratic_keras2" / "original.py", project / "train.py")
    (project / "plain.py").write_text("print('no tensorflow here')\n")
    _git("add", "-A", cwd=project)

    check = _pre_commit("try-repo", str(hook_repo), "tfmigrate-check", "--all-files", cwd=project)
    assert check.returncode == 1, check.stdout + check.stderr
    assert "train.py:17:5: TFM007" in check.stdout

    fix = _pre_commit("try-repo", str(hook_repo), "tfmigrate-fix", "--all-files", cwd=project)
    assert fix.returncode == 1, fix.stdout + fix.stderr  # files were changed: pre-commit fails the commit
    assert "optimizer.minimize(" not in (project / "train.py").read_text()
    assert (project / "plain.py").read_text() == "print('no tensorflow here')\n"

    _git("add", "-A", cwd=project)
    again = _pre_commit("try-repo", str(hook_repo), "tfmigrate-check", "--all-files", cwd=project)
    assert again.returncode == 0, again.stdout + again.stderr


def _readme_hook_config() -> str:
    """The first `.pre-commit-config.yaml` the README gives (the one with `rev`)."""
    import re

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return next(block for block in re.findall(r"```yaml\n(.*?)```", text, re.S) if "rev:" in block)


def test_readme_pins_the_release_tag_pre_commit_accepts_without_warning(tmp_path):
    pytest.importorskip("pre_commit")
    import re

    from tfmigrate import __version__

    config = _readme_hook_config()
    assert re.search(r"^\s+rev: (\S+)$", config, re.M).group(1) == f"v{__version__}"  # the tag of this version
    (tmp_path / "pinned.yaml").write_text(config)
    (tmp_path / "branch.yaml").write_text(re.sub(r"rev: \S+", "rev: main", config))
    pinned = _pre_commit("validate-config", "pinned.yaml", cwd=tmp_path)
    branch = _pre_commit("validate-config", "branch.yaml", cwd=tmp_path)
    assert pinned.returncode == branch.returncode == 0, pinned.stdout + branch.stdout
    assert "mutable reference" not in pinned.stdout + pinned.stderr
    assert "mutable reference" in branch.stdout + branch.stderr  # what `rev: main` did at every run
