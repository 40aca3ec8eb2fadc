"""Finding files: walking, excludes, .gitignore, symlinks, errors."""
from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tfmigrate import discovery
from tfmigrate.discovery import DEFAULT_EXCLUDES, Candidate, GitIgnore, iter_files


def make(root, *relpaths: str) -> None:
    """Create files (and their folders); a path ending in "/" is a folder."""
    for relpath in relpaths:
        path = os.path.join(str(root), relpath)
        if relpath.endswith("/"):
            os.makedirs(path, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as stream:
                stream.write("x = 1\n")


def paths(candidates) -> list:
    return [c.path for c in candidates]


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """A temporary folder that is also the current folder."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --------------------------------------------------------------------------
# walking


def test_walk_finds_python_and_notebooks_sorted(tree):
    make(tree, "b.py", "a/z.py", "a/m.ipynb", "a/readme.md", "a/data.pb", "c/d/e.py", "a.py")
    assert paths(iter_files(["."])) == ["a.py", "a/m.ipynb", "a/z.py", "b.py", "c/d/e.py"]


def test_walked_files_are_not_explicit(tree):
    make(tree, "a.py")
    assert iter_files(["."]) == [Candidate("a.py", explicit=False)]


def test_paths_keep_the_folder_given(tree):
    make(tree, "src/pkg/m.py")
    assert paths(iter_files(["./src/"])) == [os.path.join("src", "pkg", "m.py")]
    absolute = str(tree / "src")
    assert paths(iter_files([absolute])) == [os.path.join(absolute, "pkg", "m.py")]


def test_extensions_can_be_chosen(tree):
    make(tree, "a.py", "b.ipynb", "c.pyi")
    assert paths(iter_files(["."], extensions=(".py", ".pyi"))) == ["a.py", "c.pyi"]


def test_awkward_names(tree):
    names = ["with space.py", "a,b.py", "données.py", "数据/模型.py"]
    make(tree, *names)
    assert paths(iter_files(["."])) == sorted(os.path.join(*n.split("/")) for n in names)


def test_empty_folder(tree):
    make(tree, "empty/")
    assert iter_files(["empty"]) == []


# --------------------------------------------------------------------------
# explicit paths


def test_explicit_file_is_returned_even_if_excluded_or_not_python(tree):
    make(tree, "build/gen.py", "script", "notes.txt")
    assert iter_files(["build/gen.py", "script", "notes.txt"]) == [
        Candidate("build/gen.py", explicit=True),
        Candidate("notes.txt", explicit=True),
        Candidate("script", explicit=True),
    ]


def test_missing_path_is_an_error_entry(tree):
    make(tree, "a.py")
    assert iter_files(["a.py", "gone.py", "gone/"]) == [
        Candidate("a.py", explicit=True),
        Candidate("gone", explicit=True, error="No such file or directory"),
        Candidate("gone.py", explicit=True, error="No such file or directory"),
    ]


def test_explicit_broken_symlink_is_an_error_entry(tree):
    os.symlink("nowhere.py", "dangling.py")
    assert iter_files(["dangling.py"]) == [
        Candidate("dangling.py", explicit=True, error="No such file or directory")
    ]


def test_broken_symlink_in_a_walked_folder_is_skipped(tree):
    make(tree, "pkg/a.py")
    os.symlink("nowhere.py", os.path.join("pkg", "dangling.py"))
    assert paths(iter_files(["pkg"])) == [os.path.join("pkg", "a.py")]


def test_explicit_excluded_folder_is_walked_but_its_excluded_children_are_not(tree):
    make(tree, "build/lib/m.py", "build/lib/__pycache__/m.py")
    assert paths(iter_files(["build"])) == [os.path.join("build", "lib", "m.py")]


def test_same_file_named_twice_is_one_entry(tree):
    make(tree, "a.py")
    assert iter_files(["a.py", "./a.py", os.path.abspath("a.py")]) == [Candidate("a.py", explicit=True)]


def test_file_named_and_walked_is_explicit(tree):
    make(tree, "pkg/a.py", "pkg/b.py")
    assert iter_files(["pkg", "pkg/a.py"]) == [
        Candidate(os.path.join("pkg", "a.py"), explicit=True),
        Candidate(os.path.join("pkg", "b.py"), explicit=False),
    ]


def test_overlapping_folders_are_walked_once(tree):
    make(tree, "src/a.py", "src/pkg/b.py")
    expected = [os.path.join("src", "a.py"), os.path.join("src", "pkg", "b.py")]
    assert paths(iter_files(["src", "src/pkg"])) == expected
    assert paths(iter_files(["src/pkg", "src"])) == expected


def test_unlistable_folder_is_an_error_entry(tree, monkeypatch):
    make(tree, "ok/a.py", "locked/b.py")
    real_scandir = os.scandir

    def scandir(path="."):
        if os.path.basename(path) == "locked":
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(discovery.os, "scandir", scandir)
    assert iter_files(["."]) == [
        Candidate("locked", explicit=False, error="Permission denied"),
        Candidate(os.path.join("ok", "a.py"), explicit=False),
    ]


# --------------------------------------------------------------------------
# default excludes and virtualenvs


@pytest.mark.parametrize("folder", [p.replace("*", "demo") for p in DEFAULT_EXCLUDES])
def test_default_excludes(tree, folder):
    make(tree, "keep.py", f"{folder}/skip.py", f"sub/{folder}/skip.py")
    assert paths(iter_files(["."])) == ["keep.py"]


def test_virtualenv_under_any_name_is_skipped(tree):
    make(tree, "keep.py", "py311/pyvenv.cfg", "py311/lib/python3.11/x.py", "py311/bin/activate_this.py")
    assert paths(iter_files(["."])) == ["keep.py"]


def test_env_folder_without_pyvenv_cfg_is_code(tree):
    make(tree, "env/cartpole.py", "envs/gridworld.py")
    assert paths(iter_files(["."])) == [os.path.join("env", "cartpole.py"), os.path.join("envs", "gridworld.py")]


def test_env_folder_with_pyvenv_cfg_is_skipped(tree):
    make(tree, "env/pyvenv.cfg", "env/lib/x.py", "main.py")
    assert paths(iter_files(["."])) == ["main.py"]


def test_explicit_virtualenv_is_walked(tree):
    make(tree, "tools/pyvenv.cfg", "tools/script.py")
    assert paths(iter_files(["tools"])) == [os.path.join("tools", "script.py")]


# --------------------------------------------------------------------------
# user excludes


def test_extend_exclude_patterns(tree):
    make(
        tree,
        "data/loader.py",
        "src/data/loader.py",
        "src/model_pb2.py",
        "legacy/a/old_train.py",
        "legacy/a/new_train.py",
        "legacy/old_eval.py",
        "other/legacy/x/old_run.py",
        "src/data.py",
    )
    found = iter_files(["."], extend_exclude=["data/", "*_pb2.py", "legacy/**/old_*.py"])
    assert paths(found) == [
        os.path.join("legacy", "a", "new_train.py"),
        os.path.join("other", "legacy", "x", "old_run.py"),
        os.path.join("src", "data.py"),
    ]


def test_exclude_replaces_defaults(tree):
    make(tree, "build/a.py", "gen/b.py", "c.py")
    assert paths(iter_files(["."], exclude=["gen"])) == [os.path.join("build", "a.py"), "c.py"]


def test_extend_exclude_can_reinclude_a_default(tree):
    make(tree, "build/a.py", "dist/b.py")
    assert paths(iter_files(["."], extend_exclude=["!build"])) == [os.path.join("build", "a.py")]


def test_anchored_patterns_are_relative_to_root(tree):
    make(tree, "proj/gen/a.py", "proj/src/gen/b.py")
    found = iter_files(["proj"], extend_exclude=["/gen"], root=str(tree / "proj"))
    assert paths(found) == [os.path.join("proj", "src", "gen", "b.py")]
    found = iter_files(["proj"], extend_exclude=["/proj/gen"])  # root defaults to the current folder
    assert paths(found) == [os.path.join("proj", "src", "gen", "b.py")]


def test_folder_outside_root_is_its_own_root(tree):
    make(tree, "outside/gen/a.py", "outside/keep.py", "inside/")
    found = iter_files(["outside"], extend_exclude=["/gen"], root=str(tree / "inside"))
    assert paths(found) == [os.path.join("outside", "keep.py")]


# --------------------------------------------------------------------------
# symlinks


def test_symlink_loop_is_walked_once(tree):
    make(tree, "pkg/a.py", "pkg/sub/b.py")
    os.symlink("..", os.path.join("pkg", "sub", "up"))
    os.symlink(".", os.path.join("pkg", "self"))
    assert paths(iter_files(["pkg"])) == [os.path.join("pkg", "a.py"), os.path.join("pkg", "sub", "b.py")]


def test_mutual_symlink_loop_outside_the_tree(tree):
    make(tree, "a/x.py", "b/y.py")
    os.symlink(os.path.join("..", "b"), os.path.join("a", "to_b"))
    os.symlink(os.path.join("..", "a"), os.path.join("b", "to_a"))
    assert paths(iter_files(["a"])) == [os.path.join("a", "to_b", "y.py"), os.path.join("a", "x.py")]


def test_symlinked_folder_outside_is_followed(tree):
    make(tree, "shared/util.py", "proj/main.py")
    os.symlink(os.path.join("..", "shared"), os.path.join("proj", "shared"))
    assert paths(iter_files(["proj"])) == [os.path.join("proj", "main.py"), os.path.join("proj", "shared", "util.py")]


def test_real_location_wins_over_a_link_to_it(tree):
    make(tree, "pkg/m.py")
    os.symlink("pkg", "alias")  # sorts before pkg, yet pkg is the real place
    os.symlink(os.path.join("pkg", "m.py"), "m_link.py")
    assert paths(iter_files(["."])) == [os.path.join("pkg", "m.py")]


def test_two_links_to_one_folder_walk_it_once(tree):
    make(tree, "elsewhere/m.py", "proj/")
    os.symlink(os.path.join("..", "elsewhere"), os.path.join("proj", "one"))
    os.symlink(os.path.join("..", "elsewhere"), os.path.join("proj", "two"))
    assert paths(iter_files(["proj"])) == [os.path.join("proj", "one", "m.py")]


def test_walk_needs_no_stat_per_file(tree, monkeypatch):
    make(tree, *[f"pkg{i}/m{j}.py" for i in range(20) for j in range(20)])
    calls = []
    for name in ("stat", "lstat"):
        real = getattr(os, name)

        def counting(*args, _real=real, **kwargs):
            calls.append(args[0])
            return _real(*args, **kwargs)

        monkeypatch.setattr(discovery.os, name, counting)
    assert len(iter_files(["."])) == 400
    assert len(calls) < 30  # the named path, realpath of it, and looking for .git above


# --------------------------------------------------------------------------
# .gitignore while walking


def git_tree(root) -> None:
    os.makedirs(os.path.join(str(root), ".git", "info"), exist_ok=True)


def write(path, text: str) -> None:
    with open(str(path), "w") as stream:
        stream.write(text)


def test_gitignore_applies_inside_a_work_tree(tree):
    git_tree(tree)
    make(tree, "a.py", "gen/b.py", "c_pb2.py", "src/gen/d.py")
    write(tree / ".gitignore", "/gen/\n*_pb2.py\n")
    assert paths(iter_files(["."])) == ["a.py", os.path.join("src", "gen", "d.py")]


def test_gitignore_is_ignored_outside_a_work_tree(tree):
    make(tree, "a.py", "gen/b.py")
    write(tree / ".gitignore", "gen/\n")
    assert paths(iter_files(["."])) == ["a.py", os.path.join("gen", "b.py")]


def test_gitignore_can_be_turned_off(tree):
    git_tree(tree)
    make(tree, "a.py", "gen/b.py")
    write(tree / ".gitignore", "gen/\n")
    assert paths(iter_files(["."], respect_gitignore=False)) == ["a.py", os.path.join("gen", "b.py")]


def test_nested_gitignore_overrides_and_scopes(tree):
    git_tree(tree)
    make(tree, "top.log.py", "pkg/keep.log.py", "pkg/drop.py", "other/drop.py")
    write(tree / ".gitignore", "*.log.py\n")
    write(tree / "pkg" / ".gitignore", "!keep.log.py\ndrop.py\n")
    assert paths(iter_files(["."])) == [os.path.join("other", "drop.py"), os.path.join("pkg", "keep.log.py")]


def test_info_exclude_counts(tree):
    git_tree(tree)
    make(tree, "a.py", "scratch.py")
    write(tree / ".git" / "info" / "exclude", "scratch.py\n")
    assert paths(iter_files(["."])) == ["a.py"]


def test_walking_a_subfolder_uses_the_gitignore_files_above(tree):
    git_tree(tree)
    make(tree, "src/pkg/a.py", "src/pkg/gen/b.py", "src/pkg/c.py")
    write(tree / ".gitignore", "/src/pkg/gen/\n")
    write(tree / "src" / ".gitignore", "pkg/c.py\n")
    assert paths(iter_files([os.path.join("src", "pkg")])) == [os.path.join("src", "pkg", "a.py")]


def test_nested_repository_starts_afresh(tree):
    git_tree(tree)
    make(tree, "vendor/lib/m.py", "vendor/lib/x.py", "x.py")
    write(tree / ".gitignore", "m.py\n")
    git_tree(tree / "vendor" / "lib")
    write(tree / "vendor" / "lib" / ".gitignore", "x.py\n")
    assert paths(iter_files(["."])) == [os.path.join("vendor", "lib", "m.py"), "x.py"]


def test_gitignored_folder_cannot_be_reincluded_from_inside(tree):
    git_tree(tree)
    make(tree, "build2/keep.py", "a.py")
    write(tree / ".gitignore", "build2/\n!build2/keep.py\n")
    assert paths(iter_files(["."])) == ["a.py"]


# --------------------------------------------------------------------------
# GitIgnore against gitignore(5)

# (patterns, path, is_dir, what match() says)
MATCH_TABLE = [
    (["hello.*"], "hello.txt", False, True),
    (["hello.*"], "a/hello.java", False, True),
    (["hello.*"], "hello", False, None),
    (["/hello.*"], "hello.c", False, True),
    (["/hello.*"], "a/hello.java", False, None),
    (["foo/"], "foo", True, True),
    (["foo/"], "foo", False, None),
    (["foo/"], "a/foo", True, True),
    (["doc/frotz/"], "doc/frotz", True, True),
    (["doc/frotz/"], "a/doc/frotz", True, None),
    (["frotz/"], "a/frotz", True, True),
    (["doc/frotz"], "doc/frotz", False, True),
    (["/doc/frotz"], "doc/frotz", False, True),
    (["/doc/frotz"], "a/doc/frotz", False, None),
    (["foo/*"], "foo/test.json", False, True),
    (["foo/*"], "foo/bar", True, True),
    (["foo/*"], "foo/bar/hello.c", False, None),
    (["**/foo"], "foo", False, True),
    (["**/foo"], "a/b/foo", True, True),
    (["**/foo/bar"], "foo/bar", False, True),
    (["**/foo/bar"], "x/y/foo/bar", False, True),
    (["**/foo/bar"], "foo/x/bar", False, None),
    (["abc/**"], "abc/x", False, True),
    (["abc/**"], "abc/x/y.py", False, True),
    (["abc/**"], "abc", True, None),
    (["abc/**"], "x/abc/y", False, None),
    (["a/**/b"], "a/b", False, True),
    (["a/**/b"], "a/x/b", False, True),
    (["a/**/b"], "a/x/y/b", False, True),
    (["a/**/b"], "a/xb", False, None),
    (["Documentation/*.html"], "Documentation/git.html", False, True),
    (["Documentation/*.html"], "Documentation/ppc/ppc.html", False, None),
    (["Documentation/*.html"], "tools/perf/Documentation/perf.html", False, None),
    (["#foo"], "#foo", False, None),
    (["\\#foo"], "#foo", False, True),
    (["\\!important!.txt"], "!important!.txt", False, True),
    (["*.log", "!keep.log"], "a.log", False, True),
    (["*.log", "!keep.log"], "x/keep.log", False, False),
    (["!keep.log", "*.log"], "keep.log", False, True),
    (["foo  "], "foo", False, True),
    (["foo\\ "], "foo ", False, True),
    (["foo\\ "], "foo", False, None),
    (["build\r"], "build", True, True),
    (["a?c"], "abc", False, True),
    (["a?c"], "a/c", False, None),
    (["*.py"], "pkg/mod.py", False, True),
    (["a/*.py"], "a/b/c.py", False, None),
    (["[a-c].py"], "b.py", False, True),
    (["[a-c].py"], "d.py", False, None),
    (["[!a-c].py"], "d.py", False, True),
    (["[!a-c].py"], "b.py", False, None),
    (["[]]x"], "]x", False, True),
    (["[[:digit:]]x"], "7x", False, True),
    (["[[:digit:]]x"], "ax", False, None),
    (["[abc"], "[abc", False, True),
    (["\\*.py"], "*.py", False, True),
    (["\\*.py"], "a.py", False, None),
    (["foo**bar"], "fooxbar", False, True),
    (["foo**bar"], "foo/bar", False, None),
    (["**"], "a/b/c", False, True),
    (["!"], "!", False, None),
    (["", "   ", "# comment"], "anything", False, None),
]


@pytest.mark.parametrize("patterns, path, is_dir, expected", MATCH_TABLE)
def test_gitignore_match(patterns, path, is_dir, expected):
    assert GitIgnore(patterns).match(path, is_dir) is expected


def test_gitignore_documentation_example_everything_but_foo_bar():
    rules = GitIgnore(["/*", "!/foo", "/foo/*", "!/foo/bar"])
    assert [rules.ignored(p, d) for p, d in [("foo", True), ("foo/bar", True), ("foo/bar/x.py", False)]] == [
        False,
        False,
        False,
    ]
    assert [rules.ignored(p, d) for p, d in [("foo/baz", True), ("foo/baz/x.py", False), ("top.py", False)]] == [
        True,
        True,
        True,
    ]


def test_gitignore_parent_folder_cannot_be_reincluded():
    rules = GitIgnore(["build/", "!build/keep.py"])
    assert rules.match("build/keep.py", False) is False
    assert rules.ignored("build/keep.py") is True


def test_gitignore_reads_files(tmp_path):
    write(tmp_path / "ignore", "# generated\r\n*.pb\r\n\r\n!keep.pb\r\n")
    rules = GitIgnore.from_file(str(tmp_path / "ignore"))
    assert (rules.match("a.pb", False), rules.match("keep.pb", False)) == (True, False)
    assert not GitIgnore.from_file(str(tmp_path / "missing"))


GIT_PATTERNS = """\
*.log
!important.log
/build/
doc/**/*.html
**/cache
tmp*/
!tmp_keep/
[a-c]?.txt
\\#hash
trailing\\ 
nested/*
!nested/keep
/*.cfg
deep/**
**/logs/*.txt
"""

GIT_FILES = [
    "a.log", "important.log", "sub/a.log", "sub/important.log", "build/x.py", "sub/build/x.py",
    "doc/a.html", "doc/x/y/b.html", "doc/x/y/b.txt", "cache/x", "a/b/cache", "tmp1/x", "tmp_keep/x",
    "tmpfile", "a1.txt", "d1.txt", "ab1.txt", "#hash", "trailing ", "trailing", "nested/keep/deeper",
    "nested/other", "plain.py", "top.cfg", "sub/top.cfg", "deep/a/b", "x/logs/a.txt", "logs/b.txt",
    "logs/x/c.txt",
]
GIT_FOLDERS = ["build", "sub/build", "cache", "tmp1", "tmp_keep", "nested", "nested/keep", "doc/x", "deep", "deep/a"]


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_gitignore_agrees_with_git(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    write(tmp_path / ".gitignore", GIT_PATTERNS)
    make(tmp_path, *GIT_FILES)
    queries = GIT_FILES + GIT_FOLDERS
    result = subprocess.run(
        ["git", "check-ignore", "--no-index", "--stdin"],
        input="\n".join(queries) + "\n",
        cwd=str(tmp_path),
        capture_output=True,
        text=True,
    )
    by_git = sorted(result.stdout.splitlines())
    rules = GitIgnore(GIT_PATTERNS.splitlines())
    ours = sorted(p for p in queries if rules.ignored(p, os.path.isdir(tmp_path / p)))
    assert ours == by_git
    assert 8 < len(by_git) < len(queries) - 8  # the table exercises both answers
