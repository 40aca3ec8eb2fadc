"""The files of one run as one program: which of them import which, and what that decides.

`tf.compat.v1.disable_v2_behavior()` (what the compat.v1 fallback writes) switches TensorFlow 2
behaviour off for the whole process, not for the module that calls it. A file the graph-to-eager
rewrite turns into an eager program (it ran sessions: its rewrite reads values with `.numpy()`)
fails when it imports, directly or through other modules, a file of the run that stays on
tensorflow.compat.v1 that way: its functions then build graph tensors. Such a file is kept on
compat.v1 too, with the reason naming the module; so is a program importing it, and so on. The
other way round as well: an eager library that a compat file imports (a model class whose methods read
values) would run as graph code, and stays on compat.v1.

Kept free of libcst: a run answered from the cache decides this without parsing anything.
"""
from __future__ import annotations

import os
import re
from collections import deque
from dataclasses import dataclass
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Set, Tuple

EAGER = "eager"  # the rewrite is an eager program: it runs TensorFlow code and reads values
COMPAT = "compat"  # the file ends on tensorflow.compat.v1 with TF2 behaviour switched off
ESTIMATOR_PROGRAM = "estimator-program"  # builds an Estimator from another file's model_fn
ESTIMATOR_LIBRARY = "estimator-library"  # uses tf.estimator (a model_fn), builds no Estimator
VARIABLE_LIBRARY = "variable-library"  # TF2 names only, but functions that make the variables a TF1 graph shares

Import = Tuple[int, str]  # (level: leading dots, dotted module name)

_FROM = re.compile(r"^[ \t]*from[ \t]+(\.*)[ \t]*([\w.]*)[ \t]+import[ \t]+(\([^)]*\)|(?:[^\n#;\\]|\\\n)*)",
                   re.MULTILINE)
_IMPORT = re.compile(r"^[ \t]*import[ \t]+((?:[^\n#;\\]|\\\n)+)", re.MULTILINE)
_NAME = re.compile(r"^[A-Za-z_][\w.]*$")


def scan_imports(text: str) -> Tuple[Import, ...]:
    """The modules ``text`` imports (a `from X import a` imports X, and X.a when that is a module),
    read from its lines without parsing it: a file skipped for having no TensorFlow counts too."""
    found: List[Import] = []
    for match in _FROM.finditer(text):
        level, module = len(match.group(1)), match.group(2).strip(".")
        found.append((level, module))
        names = re.sub(r"#[^\n]*", "", match.group(3)).strip().strip("()")
        for part in names.replace("\\\n", " ").split(","):
            name = part.split(" as ")[0].strip()
            if name and name != "*" and _NAME.match(name):
                found.append((level, f"{module}.{name}" if module else name))
    for match in _IMPORT.finditer(text):
        for part in match.group(1).replace("\\\n", " ").split(","):
            name = part.split(" as ")[0].strip()
            if _NAME.match(name):
                found.append((0, name))
    return tuple(dict.fromkeys(found))


@dataclass
class Facts:
    """What the project pass needs of one file."""

    mode: str  # EAGER, COMPAT or ""
    imports: Optional[Tuple[Import, ...]]  # None: not read yet (imports_of)
    reason: str = ""  # COMPAT: why it stays on compat.v1; VARIABLE_LIBRARY: its function that makes variables
    path: str = ""


def _module_file(base: str, dotted: str, files: Mapping[str, object]) -> Optional[str]:
    target = dotted.replace(".", os.sep)
    target = (base + os.sep + target if target else base) if base else target
    for candidate in (target + ".py", target + os.sep + "__init__.py"):
        if candidate in files:
            return candidate
    return None


def resolve(path: str, imported: Import, files: Mapping[str, object], memo: Optional[dict] = None) -> List[str]:
    """The files of the run that importing ``imported`` from ``path`` executes (the module and the
    packages' ``__init__.py`` on the way), as Python finds them when the importer's folder or one
    above it is on the path. ``memo``: answers by folder, for one ``files``."""
    folder = os.path.dirname(path)
    if memo is None:
        found = _resolve(folder, imported, files)
    else:
        found = memo.get((folder, imported))
        if found is None:
            found = memo[folder, imported] = _resolve(folder, imported, files)
    return [f for f in found if f != path]


def _resolve(folder: str, imported: Import, files: Mapping[str, object]) -> List[str]:
    level, dotted = imported
    if level:
        for _ in range(level - 1):
            folder = os.path.dirname(folder)
        found = _module_file(folder, dotted, files)
        return [found] if found is not None else []
    while True:
        found = _module_file(folder, dotted, files)
        if found is not None:
            parts = dotted.split(".")
            inits = [_module_file(folder, ".".join(parts[:i]), files) for i in range(1, len(parts))]
            return [f for f in [*inits, found] if f is not None]
        parent = os.path.dirname(folder)
        if parent == folder:
            return []
        folder = parent


def imports_of(item) -> Tuple[Import, ...]:
    """The imports a report (or Facts) carries; a file skipped for having no TensorFlow is read
    only when a program's imports lead to it."""
    if item.imports is None:
        try:
            with open(item.path, encoding="utf-8", errors="replace") as handle:
                item.imports = scan_imports(handle.read())
        except OSError:
            item.imports = ()
    return item.imports


def blockers(facts: Mapping[str, Facts]) -> Dict[str, Tuple[str, str]]:
    """{path: (the import, the reason)} for each eager file that imports a compat one, directly or
    through other files of the run, and each that a compat file imports (the import is then ""): such
    a file is kept on compat.v1 (and blocks its own importers, and what it imports), until nothing more
    is."""
    current = dict(facts)
    result: Dict[str, Tuple[str, str]] = {}
    while True:
        found = {**_imported_by_compat(current), **_importing_compat(current)}
        new = {path: why for path, why in found.items() if path not in result}
        if not new:
            return result
        result.update(new)
        for path, (_, message) in new.items():
            current[path] = Facts(COMPAT, current[path].imports, message, current[path].path)


def is_library(text: str) -> bool:
    """Does importing the module only define things (imports, functions, classes, constants, a
    `if __name__ == "__main__":` block)? Such a file is imported by others; a script that runs its graph at
    module level is run. (Read with `ast`: this module does without libcst.)"""
    import ast

    try:
        body = ast.parse(text).body
    except (SyntaxError, ValueError):
        return False
    for stmt in body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and not any(
                isinstance(n, ast.Call) for n in ast.walk(stmt)):
            continue
        if isinstance(stmt, ast.If) and "__main__" in ast.dump(stmt.test):
            continue
        if isinstance(stmt, ast.Try) and all(isinstance(s, (ast.Import, ast.ImportFrom)) for s in stmt.body):
            continue
        if isinstance(stmt, ast.Try) and not stmt.finalbody and all(  # `try: xrange` / `except NameError: xrange = range`
                isinstance(s, (ast.Import, ast.ImportFrom)) or isinstance(s, ast.Expr) and isinstance(s.value, ast.Name)
                or isinstance(s, ast.Assign) and not any(isinstance(n, ast.Call) for n in ast.walk(s))
                for s in [*stmt.body, *stmt.orelse, *(b for h in stmt.handlers for b in h.body)]):
            continue
        return False
    return True


def _library_file(path: str) -> bool:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return is_library(handle.read())
    except OSError:
        return True  # (not on disk: judged as what it says it is, an eager file a compat one imports)


def _imported_by_compat(facts: Mapping[str, Facts]) -> Dict[str, Tuple[str, str]]:
    """{path: ("", the reason)} for each eager library (a file that only defines things: one that runs its
    graph at module level is a script, not imported) that a compat file of the run imports, directly or
    through other files: the compat file turns TensorFlow 2 behaviour off for the process, and the eager
    rewrite would run as graph code."""
    files = {os.path.normpath(p): p for p in facts}
    memo: dict = {}
    result: Dict[str, Tuple[str, str]] = {}
    for start in sorted(norm for norm, original in files.items() if facts[original].mode == COMPAT):
        seen, todo = {start}, [start]
        while todo:
            norm = todo.pop()
            for imported in imports_of(facts[files[norm]]):
                for target in resolve(norm, imported, files, memo):
                    if target in seen:
                        continue
                    seen.add(target)
                    todo.append(target)
                    original = files[target]
                    if facts[original].mode == EAGER and original not in result and _library_file(
                            facts[original].path or original):
                        shown = os.path.relpath(start, os.path.dirname(target) or ".")
                        reason = facts[files[start]].reason
                        result[original] = ("", f"{shown} imports it and stays on tensorflow.compat.v1, which turns "
                                                f"TensorFlow 2 behaviour off for the whole program: this file's eager "
                                                f"rewrite would run as graph code" + (f" ({reason})" if reason else ""))
    return result


def _importing_compat(facts: Mapping[str, Facts]) -> Dict[str, Tuple[str, str]]:
    """{path: (the import, the reason)} for each eager file that imports a compat one, directly or
    through other files of the run."""
    files = {os.path.normpath(p): p for p in facts}
    memo: dict = {}
    edges: Dict[str, List[Tuple[str, Import]]] = {}
    importers: Dict[str, List[str]] = {}
    # The files the eager programs reach, with their imports (read only there).
    todo = [norm for norm, original in files.items() if facts[original].mode == EAGER]
    seen = set(todo)
    while todo:
        norm = todo.pop()
        for imported in imports_of(facts[files[norm]]):
            for target in resolve(norm, imported, files, memo):
                edges.setdefault(norm, []).append((target, imported))
                importers.setdefault(target, []).append(norm)
                if target not in seen:
                    seen.add(target)
                    todo.append(target)
    # From every compat file reached backwards: each file that reaches one learns the nearest.
    nearest: Dict[str, str] = {}
    queue = deque()
    for norm in sorted(seen):  # (in path order: which of two compat files at one distance is named)
        if facts[files[norm]].mode == COMPAT:
            nearest[norm] = norm
            queue.append(norm)
    while queue:
        node = queue.popleft()
        for importer in importers.get(node, ()):
            if importer not in nearest:
                nearest[importer] = nearest[node]
                queue.append(importer)
    result: Dict[str, Tuple[str, str]] = {}
    for norm, original in files.items():
        if facts[original].mode != EAGER or norm not in nearest or nearest[norm] == norm:
            continue
        target, imported = _first_step(norm, edges, nearest)
        end = nearest[target]
        reason = facts[files[end]].reason
        shown = os.path.relpath(end, os.path.dirname(norm) or ".")
        name = "." * imported[0] + imported[1]
        message = (f"importing `{name}` loads {shown}, which stays on tensorflow.compat.v1 and turns "
                   f"TensorFlow 2 behaviour off for the whole program" + (f" ({reason})" if reason else ""))
        result[original] = (name, message)
    return result


def _first_step(norm: str, edges, nearest) -> Tuple[str, Import]:
    """The import of ``norm`` that leads to a compat file (the first, in the order of the file)."""
    best = None
    for target, imported in edges.get(norm, ()):
        if target in nearest:
            if nearest[target] == target:
                return target, imported
            best = best or (target, imported)
    return best


class _OnDisk:
    """The files on disk, as `resolve` asks for them: each folder listed once."""

    def __init__(self) -> None:
        self.listed: Dict[str, frozenset] = {}

    def __contains__(self, path: str) -> bool:
        folder, name = os.path.split(path)
        names = self.listed.get(folder)
        if names is None:
            try:
                names = frozenset(os.listdir(folder or "."))
            except OSError:
                names = frozenset()
            self.listed[folder] = names
        return name in names and os.path.isfile(path)


def imported_files(path: str, text: str) -> List[str]:
    """The Python files next to ``path`` (or in a folder above it) that ``text`` imports, as Python finds them."""
    here = os.path.normpath(path)
    disk, memo = _OnDisk(), {}
    found: List[str] = []
    for imported in scan_imports(text):
        found += [target for target in resolve(here, imported, disk, memo) if target not in found]
    return found


def imports_files(path: str, imports: Sequence[Import]) -> bool:
    """Does ``path`` import a Python file found next to it (or in a folder above)?"""
    here = os.path.normpath(path)
    disk = _OnDisk()
    return any(resolve(here, imported, disk) for imported in imports)


def outside_files(reports: Sequence, known: Set[str], disk: Optional[_OnDisk] = None) -> List[str]:
    """Files on disk, not in ``known`` (normalised paths), that the eager programs of ``reports``
    import, directly or through the files of ``reports``: what the run must also know of."""
    disk = disk or _OnDisk()
    memo: dict = {}
    by_path = {os.path.normpath(r.path): r for r in reports}
    stack = [p for p, r in by_path.items() if r.mode == EAGER and r.imports]
    seen = set(stack)
    found: Set[str] = set()
    while stack:
        path = stack.pop()
        for imported in imports_of(by_path[path]):
            for target in resolve(path, imported, disk, memo):
                if target in seen:
                    continue
                seen.add(target)
                if target in by_path:
                    stack.append(target)
                elif target not in known:
                    found.add(target)
    return sorted(found)


def facts_of(reports: Iterable) -> Dict[str, Facts]:
    """The facts each report of a run carries, by path."""
    return {r.path: Facts(r.mode, r.imports, r.mode_reason, r.path) for r in reports
            if r.error is None and not r.path.endswith(".ipynb")}


def project_blockers(facts: Mapping[str, Facts]) -> Dict[str, Tuple[str, str]]:
    """`blockers`, when the run has both eager programs and compat files."""
    if not any(f.mode == COMPAT for f in facts.values()) or not any(f.mode == EAGER for f in facts.values()):
        return {}
    return blockers(facts)


def merge_candidates(facts: Mapping[str, Facts]) -> Tuple[List[Tuple[str, str, str]], Dict[str, List[str]]]:
    """([(program, library it imports directly, the import's name)], {file: its importers}): an
    eager program and a compat file or a variable library, or an Estimator program and the library of its
    model_fn."""
    files = {os.path.normpath(p): p for p in facts}
    memo: dict = {}
    candidates: List[Tuple[str, str, str]] = []
    importers: Dict[str, List[str]] = {}
    for norm, original in files.items():
        for imported in imports_of(facts[original]):
            targets = resolve(norm, imported, files, memo)
            for target in targets:
                importers.setdefault(files[target], []).append(original)
            if not targets or facts[original].mode not in (EAGER, ESTIMATOR_PROGRAM):
                continue
            module = files[targets[-1]]
            wanted = (COMPAT, VARIABLE_LIBRARY) if facts[original].mode == EAGER else (ESTIMATOR_LIBRARY,)
            if facts[module].mode in wanted:
                candidates.append((original, module, "." * imported[0] + imported[1]))
    return candidates, {k: sorted(set(v)) for k, v in importers.items()}


_NEIGHBOURS = 5000  # files looked at for callers of a library, at most


def importers_on_disk(library: str, known: Set[str]) -> List[str]:
    """The Python files around ``library`` (its folder and those below it, and the folder above),
    not in ``known`` (normalised paths), that import it: a library whose API changes must not have
    callers the run does not see."""
    target = os.path.normpath(library)
    folder = os.path.dirname(target) or "."
    candidates: List[str] = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        candidates += [os.path.join(root, n) for n in sorted(names) if n.endswith(".py")]
        if len(candidates) > _NEIGHBOURS:
            break
    parent = os.path.dirname(os.path.abspath(folder))
    try:
        candidates += [os.path.join(parent, n) for n in sorted(os.listdir(parent)) if n.endswith(".py")]
    except OSError:
        pass
    found = []
    for path in candidates[:_NEIGHBOURS]:
        path = os.path.normpath(path)
        if path in known or path == target or os.path.abspath(path) in known:
            continue
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                text = handle.read()
        except OSError:
            continue
        if any(target in resolve(path, imported, {target: None}) for imported in scan_imports(text)):
            found.append(path)
    return found
