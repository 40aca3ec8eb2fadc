"""Make an install start fast from its first run: ``python -m tfmigrate.precompile``.

Writes what tfmigrate's start would otherwise write (or, for bytecode under
``PYTHONDONTWRITEBYTECODE``, redo) at its first runs:

- the bytecode of tfmigrate and its rules: an editable install is not
  compiled by pip, and where ``PYTHONDONTWRITEBYTECODE`` is set Python never
  writes it, so every start would compile them again (about 60 ms);
- the start-up cache of the methods ``dataclasses`` generates for libcst's
  node classes and tfmigrate's own (see ``_startup``; about 80 ms of every
  start without it).

Safe to run again at any time: it rewrites only what is missing or stale.
"""
from __future__ import annotations

import compileall
import sys


def main() -> int:
    import tfmigrate
    import tfmigrate.rules

    from ._startup import cache_path, cached_dataclass_code

    folders = [*tfmigrate.__path__, *tfmigrate.rules.__path__]
    if not all(compileall.compile_dir(folder, quiet=1) for folder in folders):
        print("tfmigrate.precompile: some modules could not be compiled (see above)", file=sys.stderr)
        return 1
    with cached_dataclass_code() as cache:
        from . import api, cli, config, discovery, engine, options, sources  # noqa: F401  (what every check imports)
        from .registry import all_rules

        all_rules()
    path = cache_path()
    if path is None or cache.written != cache.compiled:
        where = "this Python keeps no bytecode" if path is None else f"{path} could not be written"
        print(f"tfmigrate.precompile: bytecode compiled; no start-up cache: {where}", file=sys.stderr)
        return 0
    print(f"tfmigrate.precompile: bytecode compiled in {', '.join(folders)}; "
          f"start-up cache {path} ({len(cache.codes)} methods)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
