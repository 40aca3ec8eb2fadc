"""The compile cache for the methods dataclasses generates while libcst is imported."""
import dataclasses
import json
import os
import subprocess
import sys

import pytest

from tfmigrate._startup import CodeCache, cached_dataclass_code


def make_point():
    @dataclasses.dataclass(frozen=True, order=True)
    class Point:
        x: int
        y: float = 0.5
        tags: tuple = dataclasses.field(default_factory=tuple)

    return Point


def behaves(Point) -> None:
    p = Point(1)
    assert (p.x, p.y, p.tags) == (1, 0.5, ())
    assert repr(p) == "make_point.<locals>.Point(x=1, y=0.5, tags=())"
    assert p == Point(1, 0.5) and hash(p) == hash(Point(1)) and p < Point(2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.x = 2
    # Compiled as dataclasses compiles it: no `from __future__ import annotations` of tfmigrate's
    # turns the generated signature's annotations into strings.
    assert Point.__init__.__annotations__ == {"x": int, "y": float, "tags": tuple, "return": None}


def test_first_import_compiles_and_writes_then_later_imports_load(tmp_path):
    path = str(tmp_path / "codes.marshal")
    with cached_dataclass_code(path) as cache:
        behaves(make_point())
    compiled = cache.compiled
    assert compiled == len(cache.used) > 0
    assert "exec" not in vars(dataclasses)  # the hook is gone after the block
    assert set(CodeCache(path).codes) == set(cache.used)  # what a later process reads

    with cached_dataclass_code(path) as again:  # the same process: the file is not read again
        behaves(make_point())
    assert again is cache and again.compiled == compiled


def test_a_broken_cache_file_is_ignored_and_replaced(tmp_path):
    path = tmp_path / "codes.marshal"
    path.write_bytes(b"\xe3 not marshal data")
    assert CodeCache(str(path)).codes == {}
    with cached_dataclass_code(str(path)) as cache:
        behaves(make_point())
    assert cache.compiled > 0 and set(CodeCache(str(path)).codes) == set(cache.used)


def test_an_unwritable_cache_location_only_costs_the_compile(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("a file where the cache folder would be")
    path = str(blocked / "codes.marshal")
    for _ in range(2):
        with cached_dataclass_code(path) as cache:
            behaves(make_point())
        assert cache.compiled > 0
    assert sorted(os.listdir(tmp_path)) == ["file"]


def test_an_error_inside_the_block_restores_dataclasses_and_writes_nothing(tmp_path):
    path = tmp_path / "codes.marshal"
    with pytest.raises(ZeroDivisionError):
        with cached_dataclass_code(str(path)):
            make_point()
            1 / 0
    assert "exec" not in vars(dataclasses) and not path.exists()


CHILD = """
import json, sys
from tfmigrate._startup import CodeCache, cached_dataclass_code
with cached_dataclass_code(sys.argv[1]) as cache:
    import libcst
source = "def f(a, *, b=1):\\n    return [x ** 2 for x in a if x]  # squares\\n"
module = libcst.parse_module(source)
print(json.dumps({"compiled": cache.compiled, "used": len(cache.used), "round_trip": module.code == source,
                  "equal": module.deep_equals(libcst.parse_module(source)),
                  "name": repr(libcst.Name("x"))}))
"""


def test_libcst_imported_through_the_cache_parses_and_prints(tmp_path):
    path = str(tmp_path / "codes.marshal")
    runs = [
        json.loads(subprocess.run([sys.executable, "-c", CHILD, path], capture_output=True, text=True,
                                  check=True).stdout)
        for _ in range(2)
    ]
    first, second = runs
    assert first["compiled"] == first["used"] > 500  # libcst's node classes
    assert second["compiled"] == 0 and second["used"] == first["used"]
    for run in runs:
        assert run["round_trip"] and run["equal"]
        assert run["name"].startswith("Name(\n    value='x',")


def test_a_block_inside_another_uses_the_outer_cache_written_once_at_its_end(tmp_path):
    outer_path, inner_path = tmp_path / "outer.marshal", tmp_path / "inner.marshal"
    with cached_dataclass_code(str(outer_path)) as outer:
        with cached_dataclass_code(str(inner_path)) as inner:
            behaves(make_point())
        assert inner is outer and not outer_path.exists()
        make_point()
    assert not inner_path.exists() and set(CodeCache(str(outer_path)).codes) == set(outer.used)


def test_precompile_writes_the_bytecode_and_the_start_up_cache():
    from tfmigrate._startup import cache_path

    done = subprocess.run([sys.executable, "-m", "tfmigrate.precompile"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    path = cache_path()
    assert done.stdout.startswith("tfmigrate.precompile: bytecode compiled in ")
    assert done.stdout.rstrip().endswith(f"start-up cache {path} ({len(CodeCache(path).codes)} methods)")
    assert len(CodeCache(path).codes) > 600
    import importlib.util

    import tfmigrate.rules._eager as eager

    assert os.path.exists(importlib.util.cache_from_source(eager.__file__))


def test_a_check_after_precompile_compiles_no_dataclass_method_and_loads_only_what_the_file_needs(tmp_path):
    """Every dataclass a check defines (libcst's, tfmigrate's, the rules') comes from the cache,
    and a file without tf.estimator never imports the Estimator rewrite."""
    subprocess.run([sys.executable, "-m", "tfmigrate.precompile"], check=True, capture_output=True)
    program = tmp_path / "graph.py"
    program.write_text("import tensorflow as tf\nx = tf.placeholder(tf.float32)\n"
                       "with tf.Session() as sess:\n    print(sess.run(x * 2, feed_dict={x: 3.0}))\n")
    probe = (
        "import builtins, sys\n"
        "compiled, plain_exec = [], builtins.exec\n"
        "def counting_exec(source, *args):\n"
        "    if isinstance(source, str) and sys._getframe(1).f_globals.get('__name__') == 'dataclasses':\n"
        "        compiled.append(source)\n"
        "    return plain_exec(source, *args)\n"
        "builtins.exec = counting_exec\n"
        "from tfmigrate import cli\n"
        "sys.argv = ['tfmigrate', 'check', '--no-cache', '-q', sys.argv[1]]\n"
        "try:\n    cli._main()\nexcept SystemExit:\n    pass\n"
        "print(len(compiled), 'tfmigrate.rules._eager' in sys.modules,\n"
        "      sorted(m for m in sys.modules if m.startswith('tfmigrate.rules._estimator')))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe, str(program)], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "0 True ['tfmigrate.rules._estimator']"
