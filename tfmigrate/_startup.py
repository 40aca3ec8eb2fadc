"""A compile cache for the methods ``dataclasses`` generates while libcst is imported.

``import libcst`` defines about 200 frozen dataclasses; ``dataclasses`` writes
the source of each one's ``__init__``, ``__repr__``, ``__eq__``, ``__hash__``,
... and compiles it with ``exec``: about a third of the import, 60-70 ms of a
one-file ``check``. The compiled code of a given source text never changes, so
it is kept, like bytecode, in ``__pycache__`` beside this module, keyed by the
exact source text and the interpreter's cache tag; a text not in the cache is
compiled as ``dataclasses`` would. Nothing else changes: each method is still
made by ``dataclasses`` itself, with the globals and locals it passes.

The cache is only a cache: unreadable, stale or unwritable, it is ignored.
"""
from __future__ import annotations

import builtins
import contextlib
import marshal
import os
import sys
from types import CodeType
from typing import Dict, Iterator, Optional

_LIMIT = 5000  # entries; above this (several libcst versions seen) the file restarts from this run's


def cache_path() -> Optional[str]:
    tag = sys.implementation.cache_tag
    if tag is None:
        return None
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "__pycache__", f"dataclass-code.{tag}.marshal")


class CodeCache:
    """``exec`` for ``dataclasses``: compiles each source text once, loads it afterwards."""

    def __init__(self, path: Optional[str]) -> None:
        self.path = path
        self.codes: Dict[str, CodeType] = _load(path)
        self.used: Dict[str, CodeType] = {}
        self.compiled = 0  # texts not found in the cache, compiled here
        self.written = 0  # how many of those the file holds

    def exec(self, source, globals=None, locals=None):  # noqa: A002 (the signature of exec)
        if type(source) is str:
            code = self.codes.get(source)
            if type(code) is not CodeType:
                # As exec would compile it from dataclasses' frame: no __future__ flags of ours.
                code = self.codes[source] = compile(source, "<string>", "exec", dont_inherit=True)
                self.compiled += 1
            self.used[source] = code
            source = code
        return builtins.exec(source, globals, locals)

    def save(self) -> None:
        """Write the cache if this import compiled anything; atomically, or not at all."""
        if self.compiled == self.written or self.path is None:
            return
        codes = self.codes if len(self.codes) <= _LIMIT else self.used
        temporary = f"{self.path}.{os.getpid()}.tmp"
        try:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            with open(temporary, "wb") as stream:
                stream.write(marshal.dumps(codes))
            os.replace(temporary, self.path)
        except OSError:  # a read-only install: every start compiles, as without the cache
            with contextlib.suppress(OSError):
                os.remove(temporary)
            return
        self.written = self.compiled


def _load(path: Optional[str]) -> Dict[str, CodeType]:
    if path is None:
        return {}
    try:
        with open(path, "rb") as stream:
            codes = marshal.loads(stream.read())  # marshal.load reads a file in small pieces
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    return codes if type(codes) is dict else {}


_loaded: Dict[Optional[str], CodeCache] = {}  # each cache file is read once per process
_active: Optional[CodeCache] = None  # the cache of the outermost block being run


@contextlib.contextmanager
def cached_dataclass_code(path: Optional[str] = None) -> Iterator[CodeCache]:
    """Within the block, dataclasses' generated methods come from the cache at ``path``.

    The file is read by the first block and written at the end of any block that compiled
    something new. A block inside another one (the engine's import inside ``precompile``) uses
    the outer block's cache, which is written once, when the outer block ends.
    """
    global _active
    if _active is not None:
        yield _active
        return
    import dataclasses

    path = cache_path() if path is None else path
    cache = _loaded.get(path)
    if cache is None:
        cache = _loaded[path] = CodeCache(path)
    previous = vars(dataclasses).get("exec")
    dataclasses.exec = cache.exec  # a module global: found before the builtin
    _active = cache
    try:
        yield cache
    finally:
        _active = None
        if previous is None:
            del dataclasses.exec
        else:
            dataclasses.exec = previous
    cache.save()
