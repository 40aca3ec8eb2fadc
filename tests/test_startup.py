"""The compile cache for the methods dataclasses generates while libcst is imported."""
import dataclasses
import json
import os
import subprocess
import sys

import pytest

from tfmigrate._startup import cached_dataclass_code


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
    assert cache.compiled == len(cache.used) > 0
    assert os.path.getsize(path) > 0
    assert "exec" not in vars(dataclasses)  # the hook is gone after the block

    with cached_dataclass_code(path) as again:
        behaves(make_point())
    assert again.compiled == 0 and set(again.used) == set(cache.used)


def test_a_broken_cache_file_is_ignored_and_replaced(tmp_path):
    path = tmp_path / "codes.marshal"
    path.write_bytes(b"\xe3 not marshal data")
    with cached_dataclass_code(str(path)) as cache:
        behaves(make_point())
    assert cache.compiled > 0
    with cached_dataclass_code(str(path)) as again:
        behaves(make_point())
    assert again.compiled == 0


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
from tfmigrate._startup import cached_dataclass_code
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
