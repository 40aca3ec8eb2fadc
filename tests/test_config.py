"""[tool.tfmigrate] in pyproject.toml: finding it, reading it, selecting codes, merging flags."""
from __future__ import annotations

import os

import pytest

from tfmigrate.config import Config, ConfigError, find_config, load_config

CODES = ("TFM001", "TFM005", "TFM101", "TFM102", "TFM105", "TFM201")


def enabled(config: Config, path: str = "a.py") -> list:
    return [code for code in CODES if config.is_enabled(code, os.path.join(config.root, path))]


def write(folder, text: str) -> str:
    path = folder / "pyproject.toml"
    path.write_text(text)
    return str(path)


# --------------------------------------------------------------------------
# finding


def test_nearest_pyproject_with_the_table_wins_and_one_without_is_passed_over(tmp_path):
    top = write(tmp_path, '[tool.tfmigrate]\nignore = ["TFM1"]\n')
    (tmp_path / "pkg" / "sub").mkdir(parents=True)
    write(tmp_path / "pkg", '[project]\nname = "pkg"\n[tool.ruff]\nline-length = 99\n')
    (tmp_path / "pkg" / "sub" / "m.py").write_text("x = 1\n")
    assert find_config(str(tmp_path / "pkg" / "sub")) == top
    assert find_config(str(tmp_path / "pkg" / "sub" / "m.py")) == top
    assert find_config(str(tmp_path / "pkg" / "sub" / "missing.py")) == top
    inner = write(tmp_path / "pkg", "[tool.tfmigrate]\n")
    assert find_config(str(tmp_path / "pkg" / "sub" / "m.py")) == inner
    assert find_config(str(tmp_path)) == top


def test_an_invalid_pyproject_is_found_only_when_it_mentions_tfmigrate(tmp_path):
    (tmp_path / "a").mkdir()
    write(tmp_path / "a", "[tool.black\n")
    assert find_config(str(tmp_path / "a")) is None
    broken = write(tmp_path / "a", "[tool.tfmigrate]\nselect = [\n")
    assert find_config(str(tmp_path / "a")) == broken
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_config(broken)


def test_no_pyproject_anywhere_gives_none(tmp_path):
    assert find_config(str(tmp_path)) is None


def test_dotted_table_counts(tmp_path):
    path = write(tmp_path, 'tool.tfmigrate.select = ["TFM0"]\n')
    assert find_config(str(tmp_path)) == path
    assert load_config(path).select == ("TFM0",)


# --------------------------------------------------------------------------
# reading


def test_every_key_read(tmp_path):
    path = write(tmp_path, """
[tool.tfmigrate]
select = ["TFM0", "tfm1"]
extend-select = ["TFM201"]
ignore = ["TFM005"]
extend-ignore = ["TFM102"]
exclude = ["legacy/"]
extend-exclude = ["*_pb2.py"]
unsafe-fixes = true
respect-gitignore = false
cache-dir = ".cache/tfm"

[tool.tfmigrate.per-file-ignores]
"tests/*.py" = ["TFM001"]
"__init__.py" = ["TFM1"]
""")
    assert load_config(path) == Config(
        select=("TFM0", "TFM1", "TFM201"),
        ignore=("TFM005", "TFM102"),
        exclude=("legacy/",),
        extend_exclude=("*_pb2.py",),
        per_file_ignores=(("tests/*.py", ("TFM001",)), ("__init__.py", ("TFM1",))),
        unsafe_fixes=True,
        respect_gitignore=False,
        cache_dir=".cache/tfm",
        root=str(tmp_path),
        path=path,
    )


def test_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load_config(None) == Config(
        select=("TFM",), ignore=(), exclude=(), extend_exclude=(), per_file_ignores=(),
        unsafe_fixes=False, respect_gitignore=True, cache_dir=None, root=str(tmp_path), path=None,
    )
    path = write(tmp_path, "[project]\nname = 'x'\n")
    assert load_config(path) == Config(root=str(tmp_path), path=path)
    assert load_config(write(tmp_path, '[tool.tfmigrate]\nextend-select = ["TFM201"]\n')).select == ("TFM", "TFM201")


@pytest.mark.parametrize("toml, message", [
    ('selct = ["TFM"]', "[tool.tfmigrate] unknown key 'selct' (did you mean 'select'?)"),
    ('per_file_ignores = {}', "[tool.tfmigrate] unknown key 'per_file_ignores' (did you mean 'per-file-ignores'?)"),
    ('ignores = ["TFM1"]', "[tool.tfmigrate] unknown key 'ignores' (did you mean 'ignore'?)"),
    ("line-length = 88", "[tool.tfmigrate] unknown key 'line-length'; known keys: select, extend-select, ignore, extend-ignore, "
                         "exclude, extend-exclude, per-file-ignores, unsafe-fixes, respect-gitignore, cache-dir"),
    ('select = "TFM"', "[tool.tfmigrate] 'select' must be an array of strings, not a string"),
    ("ignore = [1]", "[tool.tfmigrate] 'ignore' must be an array of strings, not an array holding an integer"),
    ('select = ["E501"]', "[tool.tfmigrate] 'select' has 'E501', which is not a tfmigrate code "
                          "(TFM followed by digits, or a prefix of it)"),
    ('ignore = ["TFM1x"]', "[tool.tfmigrate] 'ignore' has 'TFM1X', which is not a tfmigrate code "
                           "(TFM followed by digits, or a prefix of it)"),
    ('extend-select = ["TFX"]', "[tool.tfmigrate] 'extend-select' has 'TFX', which is not a tfmigrate code "
                                "(TFM followed by digits, or a prefix of it)"),
    ("exclude = {a = 1}", "[tool.tfmigrate] 'exclude' must be an array of strings, not a table"),
    ('unsafe-fixes = "yes"', "[tool.tfmigrate] 'unsafe-fixes' must be true or false, not a string"),
    ("respect-gitignore = 1", "[tool.tfmigrate] 'respect-gitignore' must be true or false, not an integer"),
    ("cache-dir = 3.5", "[tool.tfmigrate] 'cache-dir' must be a folder name, not a float"),
    ('cache-dir = ""', "[tool.tfmigrate] 'cache-dir' must be a folder name, not an empty string"),
    ('per-file-ignores = ["a"]', "[tool.tfmigrate] 'per-file-ignores' must be a table of glob = [codes], not an array"),
    ('per-file-ignores = { "a.py" = "TFM1" }',
     "[tool.tfmigrate] 'per-file-ignores.\"a.py\"' must be an array of strings, not a string"),
    ('per-file-ignores = { "a.py" = ["F401"] }',
     "[tool.tfmigrate] 'per-file-ignores.\"a.py\"' has 'F401', which is not a tfmigrate code "
     "(TFM followed by digits, or a prefix of it)"),
    ('select = "a" "b"', "invalid TOML: Expected newline or end of document after a statement (at line 2, column 14)"),
])
def test_mistakes_are_one_line_naming_file_and_key(tmp_path, toml, message):
    path = write(tmp_path, "[tool.tfmigrate]\n" + toml + "\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    text = str(caught.value)
    assert "\n" not in text
    assert text == f"{path}: {message}"


def test_tool_or_table_of_the_wrong_type(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, "[tool]\ntfmigrate = 1\n"))
    assert str(caught.value).endswith(": 'tool.tfmigrate' must be a table, not an integer")
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, 'tool = "x"\n'))
    assert str(caught.value).endswith(": 'tool' must be a table, not a string")


def test_unreadable_file(tmp_path):
    missing = str(tmp_path / "nope" / "pyproject.toml")
    with pytest.raises(ConfigError) as caught:
        load_config(missing)
    assert str(caught.value) == f"{missing}: cannot read: No such file or directory"


# --------------------------------------------------------------------------
# selecting


@pytest.mark.parametrize("select, ignore, expected", [
    (("TFM",), (), list(CODES)),
    (("ALL",), (), list(CODES)),
    (("T",), ("TFM2",), ["TFM001", "TFM005", "TFM101", "TFM102", "TFM105"]),
    (("TFM",), ("TFM1",), ["TFM001", "TFM005", "TFM201"]),
    (("TFM101",), ("TFM1",), ["TFM101"]),
    (("TFM", "TFM101"), ("TFM1",), ["TFM001", "TFM005", "TFM101", "TFM201"]),
    (("TFM1",), ("TFM1",), []),
    (("TFM10",), ("TFM",), ["TFM101", "TFM102", "TFM105"]),
    (("TFM0",), (), ["TFM001", "TFM005"]),
    ((), (), []),
    (("TFM",), ("ALL",), list(CODES)),  # ALL is the least specific selector
    (("TFM001",), ("ALL",), ["TFM001"]),
])
def test_longest_prefix_wins_and_ties_go_to_ignore(select, ignore, expected):
    assert enabled(Config(select=select, ignore=ignore, root="/project")) == expected


def test_codes_asked_in_lower_case_are_matched():
    assert Config(select=("TFM1",), root="/p").is_enabled("tfm101", "/p/a.py")


@pytest.mark.parametrize("file, flags, expected", [
    # --select replaces the file's selection, its ignores included
    (dict(select=("TFM0",), ignore=("TFM101",)), dict(select=("TFM101",)), ["TFM101"]),
    (dict(ignore=("TFM1",)), dict(select=("TFM1",), ignore=("TFM105",)), ["TFM101", "TFM102"]),
    (dict(ignore=("TFM1",)), dict(select=("TFM0",), extend_select=("TFM201",)), ["TFM001", "TFM005", "TFM201"]),
    # --ignore always turns off, --extend-select always turns on
    (dict(select=("TFM101",)), dict(ignore=("TFM1",)), []),
    (dict(ignore=("TFM101",)), dict(extend_select=("TFM101",)), list(CODES)),
    (dict(ignore=("TFM1",)), dict(extend_select=("TFM101",), extend_ignore=("TFM0",)), ["TFM101", "TFM201"]),
    (dict(ignore=("TFM1",)), dict(extend_select=("TFM1",)), list(CODES)),
    (dict(), dict(ignore=("TFM1",), extend_select=("TFM102",)), ["TFM001", "TFM005", "TFM102", "TFM201"]),
    (dict(), dict(extend_select=("TFM1",), ignore=("TFM1",)), ["TFM001", "TFM005", "TFM201"]),
    (dict(select=("TFM0",)), dict(select=None, ignore=None), ["TFM001", "TFM005"]),
    (dict(), dict(select=["tfm0", " TFM201 "]), ["TFM001", "TFM005", "TFM201"]),
])
def test_command_line_selection_over_the_file(file, flags, expected):
    config = Config(root="/project", **file)
    assert enabled(config.merged(**flags)) == expected


def test_flags_applied_one_after_another_stack():
    config = Config(root="/p").merged(ignore=("TFM1",)).merged(extend_select=("TFM105",))
    assert enabled(config) == ["TFM001", "TFM005", "TFM105", "TFM201"]
    assert enabled(config.merged(select=("TFM1",))) == ["TFM101", "TFM102", "TFM105"]


def test_other_flags_override_the_file():
    config = Config(exclude=("a/",), extend_exclude=("b/",), per_file_ignores=(("x.py", ("TFM1",)),), root="/p")
    merged = config.merged(exclude=("c/",), extend_exclude=("d/",), unsafe_fixes=True,
                           per_file_ignores={"y.py": ["TFM0"]}, respect_gitignore=False, cache_dir="/tmp/c")
    assert (merged.exclude, merged.extend_exclude, merged.unsafe_fixes, merged.per_file_ignores,
            merged.respect_gitignore, merged.cache_dir) == (
        ("c/",), ("b/", "d/"), True, (("y.py", ("TFM0",)),), False, "/tmp/c")
    assert config.merged(unsafe_fixes=None) == config
    assert config.merged(per_file_ignores=[("z/**", ("TFM2",))]).per_file_ignores == (("z/**", ("TFM2",)),)


@pytest.mark.parametrize("flag, value, message", [
    ("select", ("E501",), "--select: 'E501' is not a tfmigrate code (TFM followed by digits, or a prefix of it)"),
    ("extend_ignore", ("TFMX",), "--extend-ignore: 'TFMX' is not a tfmigrate code (TFM followed by digits, or a prefix of it)"),
    ("per_file_ignores", {"a.py": ["W1"]},
     "--per-file-ignores: 'W1' is not a tfmigrate code (TFM followed by digits, or a prefix of it)"),
])
def test_bad_codes_on_the_command_line(flag, value, message):
    with pytest.raises(ConfigError) as caught:
        Config(root="/p").merged(**{flag: value})
    assert str(caught.value) == message


def test_unknown_flag_is_a_programming_error():
    with pytest.raises(TypeError):
        Config().merged(line_length=3)


# --------------------------------------------------------------------------
# per-file-ignores


@pytest.mark.parametrize("pattern, path, ignored", [
    ("__init__.py", "__init__.py", True),
    ("__init__.py", "pkg/sub/__init__.py", True),
    ("__init__.py", "pkg/init.py", False),
    ("*_test.py", "pkg/model_test.py", True),
    ("*_test.py", "pkg/test_model.py", False),
    ("tests/*.py", "tests/test_a.py", True),
    ("tests/*.py", "tests/unit/test_a.py", False),
    ("tests/*.py", "src/tests/test_a.py", False),
    ("tests/**/*.py", "tests/unit/deep/test_a.py", True),
    ("tests/**/*.py", "tests/test_a.py", True),
    ("**/legacy/*.py", "a/b/legacy/old.py", True),
    ("**/legacy/*.py", "legacy/old.py", True),
    ("legacy/**", "legacy/x/y.py", True),
    ("legacy/", "legacy/x/y.py", True),
    ("legacy", "src/legacy/y.py", True),
    ("legacy", "src/legacy_y.py", False),
    ("./scripts/*.py", "scripts/run.py", True),
    ("model_v?.py", "model_v1.py", True),
    ("model_v?.py", "model_v10.py", False),
    ("model_[0-9].py", "model_3.py", True),
    ("model_[!0-9].py", "model_3.py", False),
    ("model_[!0-9].py", "model_x.py", True),
    ("nb/*.ipynb", "nb/train.ipynb", True),
])
def test_per_file_ignore_patterns(pattern, path, ignored):
    config = Config(per_file_ignores=((pattern, ("TFM1",)),), root="/project")
    assert config.is_enabled("TFM101", os.path.join("/project", path)) is not ignored
    assert config.is_enabled("TFM001", os.path.join("/project", path))


def test_per_file_ignores_relative_to_the_config_folder(tmp_path, monkeypatch):
    path = write(tmp_path, '[tool.tfmigrate.per-file-ignores]\n"tests/*.py" = ["TFM0"]\n"x.py" = ["TFM101"]\n')
    config = load_config(path)
    (tmp_path / "tests").mkdir()
    monkeypatch.chdir(tmp_path / "tests")
    assert not config.is_enabled("TFM001", "t.py")  # relative to the current folder, under root/tests
    assert config.is_enabled("TFM005", str(tmp_path / "src" / "tests" / "t.py")) is True
    outside = os.path.join(os.path.dirname(str(tmp_path)), "tests", "x.py")
    assert config.is_enabled("TFM001", outside)  # a path pattern never matches outside the root
    assert not config.is_enabled("TFM101", outside)  # a name pattern does
    assert config.is_enabled("TFM102", outside)


# --------------------------------------------------------------------------
# fingerprint


def test_fingerprint_follows_the_settings_that_change_findings():
    base = Config(select=("TFM0", "TFM1"), ignore=("TFM105",), root="/p", path="/p/pyproject.toml")
    same = Config(select=("TFM1", "TFM0"), ignore=("TFM105",), root="/q", cache_dir="c", exclude=("x",))
    assert base.fingerprint() == same.fingerprint()
    assert len(base.fingerprint()) == 64 and base.fingerprint() == base.fingerprint()
    different = [
        Config(select=("TFM0",), ignore=("TFM105",), root="/p"),
        Config(select=("TFM0", "TFM1"), ignore=(), root="/p"),
        Config(select=("TFM0", "TFM1"), ignore=("TFM105",), unsafe_fixes=True, root="/p"),
        Config(select=("TFM0", "TFM1"), ignore=("TFM105",), per_file_ignores=(("a.py", ("TFM1",)),), root="/p"),
        base.merged(extend_select=("TFM105",)),
    ]
    prints = {config.fingerprint() for config in different} | {base.fingerprint()}
    assert len(prints) == len(different) + 1
    with_globs = Config(per_file_ignores=(("a/*.py", ("TFM1",)),), root="/p")
    assert with_globs.fingerprint() != Config(per_file_ignores=(("a/*.py", ("TFM1",)),), root="/q").fingerprint()


# --- codes that name no rule, and pyproject files that do not parse -----------------------

def _cli(tmp_path, *args, toml=None):
    import subprocess
    import sys

    (tmp_path / "m.py").write_text("import tensorflow as tf\nx = tf.zeros([2])  # tfmigrate: ignore[TFM1O1]\n")
    if toml is not None:
        (tmp_path / "pyproject.toml").write_text(toml)
    return subprocess.run([sys.executable, "-m", "tfmigrate", "check", "--no-cache", *args, "m.py"],
                          cwd=tmp_path, capture_output=True, text=True)


@pytest.mark.parametrize("args, toml, message", [
    (("--select", "TFM999"), None, "Error: --select: unknown rule code 'TFM999' (did you mean 'TFM900'?)"),
    (("--ignore", "TFM1055"), None, "Error: --ignore: unknown rule code 'TFM1055' (did you mean 'TFM105'?)"),
    ((), '[tool.tfmigrate]\nselect = ["TFM1077"]\n',
     "[tool.tfmigrate] 'select/extend-select': unknown rule code 'TFM1077' (did you mean 'TFM107'?)"),
    ((), '[tool.tfmigrate.per-file-ignores]\n"m.py" = ["TFM995"]\n',
     "[tool.tfmigrate] 'per-file-ignores.\"m.py\"': unknown rule code 'TFM995' (did you mean 'TFM900'?)"),
    ((), '[tool."tfmigrate"]\nselect = [TFM1\n', "pyproject.toml: invalid TOML"),
])
def test_unknown_codes_and_broken_tables_exit_2(tmp_path, args, toml, message):
    result = _cli(tmp_path, *args, toml=toml)
    assert result.returncode == 2
    assert message in result.stderr


def test_known_prefixes_pass_and_unknown_suppression_codes_are_findings(tmp_path):
    result = _cli(tmp_path, "--select", "TFM1,TFM9", "--ignore", "TFM10", "--output-format", "concise")
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == (
        "m.py:2:20: TFM900 suppression names an unknown rule code: 'TFM1O1' (did you mean 'TFM101'?)")


def test_a_code_suggestion_reads_a_letter_o_as_the_zero_it_stands_for():
    from tfmigrate.selectors import suggest_code

    # TFM110 and TFM111 are one letter from 'TFM1O1' as TFM101 is: what was meant decides
    assert suggest_code("TFM1O1", ["TFM101", "TFM110", "TFM111"]) == " (did you mean 'TFM101'?)"
    assert suggest_code("TFM1100", ["TFM101", "TFM110", "TFM111"]) == " (did you mean 'TFM110'?)"


def test_a_code_suggestion_considers_every_known_code_not_only_difflibs_first_five():
    from tfmigrate.selectors import suggest_code

    # eleven codes as close to 'TFM1O1' by difflib's ratio as TFM101 is: the mistyped zero still wins
    known = [f"TFM1{n:02d}" for n in range(20)]
    assert suggest_code("TFM1O1", known) == " (did you mean 'TFM101'?)"
