"""Which TensorFlow names in some Python files do not exist on the installed TensorFlow.

Usage: python tests/tf_resolve.py FILE...
Prints one JSON object: {file: [[line, name, reason], ...]} for every
TensorFlow name (an attribute chain on a name bound by `import tensorflow...`
or `from tensorflow... import ...`, and the imports themselves) that a real
import and getattr cannot find. TensorFlow is imported once, as a default
install has it (Keras 3; TF_USE_LEGACY_KERAS is ignored).
"""
from __future__ import annotations

import ast
import importlib
import json
import os
import sys
from typing import Dict, List, Optional, Tuple

_MISSING = object()


def names_in(tree: ast.AST) -> List[Tuple[int, str, int]]:
    """(line, dotted name, parts an import can load) of every TensorFlow name the module
    uses, longest chains only: the rest of a chain must be attributes."""
    aliases: Dict[str, str] = {}
    found: List[Tuple[int, str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "tensorflow":
                    found.append((node.lineno, alias.name, alias.name.count(".") + 1))
                    aliases[alias.asname or "tensorflow"] = alias.name if alias.asname else "tensorflow"
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            if node.module.split(".")[0] == "tensorflow":
                for alias in node.names:
                    if alias.name != "*":
                        full = f"{node.module}.{alias.name}"
                        found.append((node.lineno, full, full.count(".") + 1))
                        aliases[alias.asname or alias.name] = full
    inner = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and id(node) not in inner:
            parts, value = [node.attr], node.value
            while isinstance(value, ast.Attribute):
                inner.add(id(value))
                parts.append(value.attr)
                value = value.value
            if isinstance(value, ast.Name) and value.id in aliases:
                base = aliases[value.id]
                found.append((node.lineno, ".".join([base] + parts[::-1]), base.count(".") + 1))
    return sorted(set(found))


def resolve(name: str, imported: int) -> Optional[str]:
    """None when ``name`` exists, else why it does not. Its first ``imported`` parts
    may be loaded as an import statement would; the others must be attributes."""
    parts = name.split(".")
    try:
        obj = importlib.import_module(parts[0])
    except Exception as error:  # pragma: no cover - TensorFlow itself missing
        return f"{type(error).__name__}: {error}"
    for index in range(1, len(parts)):
        try:
            value = getattr(obj, parts[index], _MISSING)
        except Exception as error:  # a lazily loaded module that cannot load (Keras 2 APIs)
            return f"{type(error).__name__}: {str(error).splitlines()[0][:200]}"
        if value is _MISSING and isinstance(obj, type(sys)) and index < imported:
            try:
                value = importlib.import_module(".".join(parts[: index + 1]))
            except Exception:
                value = _MISSING
        if value is _MISSING:
            return f"no attribute {parts[index]!r} on {'.'.join(parts[:index])}"
        obj = value
    return None


def main() -> None:
    os.environ.pop("TF_USE_LEGACY_KERAS", None)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow  # noqa: F401  (once, before the files are read)

    results = {}
    for path in sys.argv[1:]:
        try:
            with open(path, encoding="utf-8") as handle:
                tree = ast.parse(handle.read())
        except (SyntaxError, ValueError, UnicodeDecodeError, OSError):
            continue
        missing = []
        for line, name, imported in names_in(tree):
            reason = resolve(name, imported)
            if reason is not None:
                missing.append([line, name, reason])
        results[path] = missing
    sys.stdout.write(json.dumps(results))


if __name__ == "__main__":
    main()
