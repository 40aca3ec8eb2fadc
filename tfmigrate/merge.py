"""A program and the library it imports its model functions from, rewritten together.

`from ops import fc_layer` in a TF1 program: alone, ops.py is a file of functions that build
graph tensors and make variables, which the graph-to-eager rewrite cannot read without the
program that calls them, and stays on tensorflow.compat.v1 (project.py then keeps the program
there too). Read together they are one program: ops.py's functions, then the program. That
module is rewritten as one (a layer function becomes a `tf.Module` class, its call sites
instances of it), and the result is cut back into the two files: ops.py gets its part, the
program its own, importing what it uses of ops.py's new names.

The same for an Estimator program (`tf.estimator.Estimator(model.model_fn, ...)`) and the file of
its model and input functions: read as one, the model_fn becomes a Keras 3 model class in the
library, which the program makes. The library may be imported as a module too (`import model`,
`from . import model`, `import trainer.model as m`): the program's `model.f` is read as `f` for
the rewrite, and its part of the result names the library's new names as `model.F` again.

The library must hold only definitions (imports, functions, constants, a docstring), so that
its part of the rewrite is its own; every program of the run that imports it must reach the
same library text, and nothing else of the run may import it.
"""
from __future__ import annotations

import os
from typing import Dict, List, Mapping, Optional, Sequence, Set, Tuple

import libcst as cst

from .names import dotted_name, import_from_module

SPLIT = "__tfmigrate_split__"
IMPORT = "__tfmigrate_import__"


def _marker(name: str) -> cst.SimpleStatementLine:
    return cst.parse_statement(f"{name} = None\n")


def is_marker(stmt: cst.CSTNode, name: str) -> bool:
    """``<name> = None``: a marker statement this module writes (``SPLIT``, ``IMPORT``)."""
    return (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1
            and isinstance(stmt.body[0], cst.Assign) and isinstance(stmt.body[0].targets[0].target, cst.Name)
            and stmt.body[0].targets[0].target.value == name)


def definitions_only(module: cst.Module) -> bool:
    """Imports, functions, a docstring and assignments of constants (literals and displays of them), also
    in a ``try:`` of Python 2 fallbacks (``try: xrange`` / ``except NameError: xrange = range``):
    importing it runs no graph code."""
    return _defines(module.body)


def _defines(body) -> bool:
    for stmt in body:
        if isinstance(stmt, cst.FunctionDef):
            continue
        if isinstance(stmt, cst.Try) and all(
                _defines(part.body.body) for part in (stmt, *stmt.handlers, *filter(None, (stmt.orelse,)))) \
                and stmt.finalbody is None:
            continue
        if not isinstance(stmt, cst.SimpleStatementLine):
            return False
        for small in stmt.body:
            if isinstance(small, (cst.Import, cst.ImportFrom)):
                continue
            if isinstance(small, cst.Expr) and isinstance(small.value, cst.Name):
                continue  # `xrange` in a try: a name looked up
            if isinstance(small, cst.Expr) and isinstance(small.value, (cst.SimpleString, cst.ConcatenatedString)):
                continue
            if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call) and (
                    dotted_name(small.value.func) or "").endswith("logging.set_verbosity"):
                continue  # tf.logging.set_verbosity(tf.logging.INFO): the fix makes it absl's
            if isinstance(small, cst.Assign) and _constant(small.value):
                continue
            return False
    return True


_LITERALS = (cst.Integer, cst.Float, cst.Imaginary, cst.SimpleString, cst.ConcatenatedString, cst.Name)


def _constant(value: cst.BaseExpression) -> bool:
    """A value computed without calling TensorFlow: literals, names and their attributes (`tf.float32`),
    displays of them, arithmetic, NumPy calls of those."""
    if isinstance(value, _LITERALS):
        return True
    if isinstance(value, cst.Attribute):
        return _constant(value.value)
    if isinstance(value, (cst.List, cst.Tuple, cst.Set)):
        return all(not isinstance(e, cst.StarredElement) and _constant(e.value) for e in value.elements)
    if isinstance(value, cst.Dict):
        return all(isinstance(e, cst.DictElement) and _constant(e.key) and _constant(e.value) for e in value.elements)
    if isinstance(value, cst.UnaryOperation):
        return _constant(value.expression)
    if isinstance(value, cst.BinaryOperation):
        return _constant(value.left) and _constant(value.right)
    if isinstance(value, cst.Call) and (dotted_name(value.func) or "").split(".")[0] in ("np", "numpy"):
        return all(_constant(arg.value) for arg in value.args)  # np.array([[1.0], [2.0]], np.float32)
    return False


def _switch(stmt: cst.CSTNode) -> bool:
    return (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Expr)
            and isinstance(stmt.body[0].value, cst.Call)
            and (dotted_name(stmt.body[0].value.func) or "").endswith(".disable_v2_behavior"))


def _as_tf1(library: cst.Module) -> cst.Module:
    """A library a fix kept on compat.v1 when it ran alone (`import tensorflow.compat.v1 as tf`,
    `tf.disable_v2_behavior()`) as the TF1 file it was: its code is TF1 code under that name."""
    if not any(_switch(stmt) for stmt in library.body):
        return library
    body = []
    for stmt in library.body:
        if _switch(stmt):
            continue
        if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Import):
            names = stmt.body[0].names
            if any(dotted_name(a.name) == "tensorflow.compat.v1" and a.asname is None for a in names):
                return library  # `tensorflow.compat.v1.X` spelled out: not the fallback's import
            stmt = stmt.with_changes(body=[stmt.body[0].with_changes(names=[
                a.with_changes(name=cst.Name("tensorflow")) if dotted_name(a.name) == "tensorflow.compat.v1" else a
                for a in names])])
        body.append(stmt)
    return library.with_changes(body=body)


def _library_import(program: cst.Module, name: str) -> Optional[Tuple[int, Optional[str]]]:
    """(the index of the one module-level statement that is all the program imports of the
    library, None or the name it binds the module to): `from <name> import a, b` (or `*`) without
    `as`, or the module alone, `import <name>` (one name, or `as m`) or `from <package> import <last>`
    (`from . import model`); None if there is not exactly one of those."""
    found = None
    package, _, last = name.rpartition(".")
    package = package + "." if name.startswith(".") and not package.strip(".") else package
    for index, stmt in enumerate(program.body):
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if isinstance(small, cst.ImportFrom) and import_from_module(small) == name:
                if found is not None or len(stmt.body) != 1:
                    return None
                if not isinstance(small.names, cst.ImportStar) and any(a.asname is not None for a in small.names):
                    return None
                found = index, None
            elif (isinstance(small, cst.ImportFrom) and import_from_module(small) == package and last
                  and not isinstance(small.names, cst.ImportStar) and any(
                      dotted_name(a.name) == last for a in small.names)):
                if found is not None or len(stmt.body) != 1 or len(small.names) != 1:
                    return None
                alias = small.names[0]
                found = index, alias.asname.name.value if alias.asname is not None else last
            elif isinstance(small, cst.Import) and any(dotted_name(a.name) == name for a in small.names):
                if found is not None or len(stmt.body) != 1 or len(small.names) != 1:
                    return None
                alias = small.names[0]
                if alias.asname is None and "." in name:
                    return None  # `import pkg.ops` binds pkg: `pkg.ops.f` is not followed
                found = index, alias.asname.name.value if alias.asname is not None else name
    return found


class _ValueNames(cst.CSTTransformer):
    """A transformer of names used as values: attribute and keyword names are left alone (``skipped``)."""

    def __init__(self) -> None:
        self.skipped: Set[int] = set()

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        self.skipped.add(id(node.attr))
        return True

    def visit_Arg(self, node: cst.Arg) -> bool:
        if node.keyword is not None:
            self.skipped.add(id(node.keyword))
        return True


class _Qualified(_ValueNames):
    """`<module>.f` -> `f` for the library's names ``names`` (the program and the library read as
    one module), or, with ``back``, `f` -> `<module>.f` (the program's part after the cut)."""

    def __init__(self, module: str, names: Set[str], back: bool = False,
                 aliases: Optional[Mapping[str, str]] = None) -> None:
        super().__init__()
        self.module, self.names, self.back = module, names, back
        self.aliases = dict(aliases or {})  # a library name -> the name it has in the module read as one
        self.named = {alias: name for name, alias in self.aliases.items()}  # (back)
        self.other = False  # the module is used otherwise than as `<module>.<one of names>`
        self.seen: Set[str] = set()  # the names read or bound (not attributes, not keywords)

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        if isinstance(node.value, cst.Name) and node.value.value == self.module and node.attr.value in self.names:
            self.skipped.add(id(node.value))
        return super().visit_Attribute(node)

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.BaseExpression:
        if (not self.back and isinstance(original.value, cst.Name) and original.value.value == self.module
                and original.attr.value in self.names):
            return original.attr.with_changes(value=self.aliases.get(original.attr.value, original.attr.value))
        return updated

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.BaseExpression:
        if id(original) in self.skipped:
            return updated
        self.seen.add(original.value)
        if self.back and original.value in self.names:
            return cst.Attribute(cst.Name(self.module), cst.Name(self.named.get(original.value, original.value)))
        if not self.back and original.value == self.module:
            self.other = True
        return updated


def _free(node: cst.CSTNode) -> Set[str]:
    """The module's names a statement (or a module) needs: those it reads that are no parameter or local of
    the function, or method, reading them."""
    from .names import _function_locals

    if isinstance(node, cst.Module):
        return set().union(*(_free(stmt) for stmt in node.body)) if node.body else set()
    if isinstance(node, cst.FunctionDef):
        return _read(node) - _function_locals(node) - {node.name.value}
    if isinstance(node, cst.ClassDef):
        methods = [m for m in node.body.body if isinstance(m, cst.FunctionDef)]
        rest = [m for m in node.body.body if not isinstance(m, cst.FunctionDef)]
        return set().union(set(), *(_free(m) for m in methods), *(_read(m) for m in rest))
    return _read(node)


def _read(node: cst.CSTNode) -> Set[str]:
    """The names ``node`` reads or binds (not attribute or keyword names)."""
    names = _Qualified("", set(), back=True)
    node.visit(names)
    return names.seen


def _unqualified(program: cst.Module, module: str, library_names: Set[str],
                 aliases: Optional[Mapping[str, str]] = None) -> Optional[cst.Module]:
    """The program with `<module>.f` read as `f` (as its alias, when ``aliases`` gives one); None when the
    module is used otherwise, when the program has names of its own the library defines (without an alias),
    or uses an attribute the library lacks."""
    if _read(program) & (library_names - set(aliases or {})):
        return None  # `f` of the program and `<module>.f` would be one name
    unqualify = _Qualified(module, library_names, aliases=aliases)
    new = program.visit(unqualify)
    if unqualify.other:
        return None
    return new


class _Renamed(_ValueNames):
    """The library's module-level functions ``names`` (name -> new name) renamed where they are defined and
    read (not where a function's parameter or local of that name is meant, nor attributes and keywords)."""

    def __init__(self, names: Mapping[str, str]) -> None:
        from .names import _function_locals

        super().__init__()
        self.names, self.local = names, _function_locals
        self.shadowed: List[Set[str]] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        if self.shadowed:  # a nested function's own name is a local of the one around it
            self.skipped.add(id(node.name))
        self.shadowed.append(self.local(node))
        return True

    def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.FunctionDef:
        self.shadowed.pop()
        return updated

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self.shadowed.append(set())  # its methods' names are its own
        return True

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
        self.shadowed.pop()
        return updated

    def visit_Param(self, node: cst.Param) -> bool:
        self.skipped.add(id(node.name))
        return True

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.Name:
        if id(original) in self.skipped or original.value not in self.names or any(
                original.value in scope for scope in self.shadowed):
            return updated
        return updated.with_changes(value=self.names[original.value])


def _top_names(module: cst.Module) -> List[str]:
    names: List[str] = []
    for stmt in module.body:
        if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            names.append(stmt.name.value)
        elif isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.Assign):
                    names.extend(t.target.value for t in small.targets if isinstance(t.target, cst.Name))
    return names


class _Used(cst.CSTVisitor):
    def __init__(self) -> None:
        self.names: Set[str] = set()

    def visit_Name(self, node: cst.Name) -> None:
        self.names.add(node.value)



def _helpers_moved(library: List[cst.BaseStatement], program: List[cst.BaseStatement], known: Set[str]):
    """(library part, program part) with the classes and functions the rewrite wrote into the program's part
    (a TF1 optimizer's class, ``TF1RMSprop``) that the library's part uses moved there, before the first
    statement of it that reads them: the model class made in the library builds its optimizer."""
    for stmt in list(program):
        if not isinstance(stmt, (cst.ClassDef, cst.FunctionDef)) or stmt.name.value in known:
            continue
        name = stmt.name.value
        readers = [i for i, s in enumerate(library) if name in _free(s)]
        if not readers:
            continue
        program.remove(stmt)
        library.insert(readers[0], stmt.with_changes(leading_lines=library[readers[0]].leading_lines))
        library[readers[0] + 1] = library[readers[0] + 1].with_changes(
            leading_lines=[cst.EmptyLine(), cst.EmptyLine()])
    return library, program


def rewrite_together(program_path: str, program_text: str, library_text: str, name: str,
                     options, why: Optional[list] = None) -> Optional[Tuple[str, str]]:
    """(the program's new text, the library's new text), or None when the two cannot be
    rewritten as one idiomatic program. ``name``: the library as the program imports it.
    ``why``, when given, receives the combined rewrite's first reason where it stops short of
    idiomatic: (True for a line of the library, False for the program's, the line or None, the
    finding's message)."""
    from .engine import parse, process_text
    from .ftypes import Status

    if "\r" in library_text or "\r" in program_text:
        return None  # the two texts are cut and joined by "\n" lines
    try:
        library = parse(library_text)
        program = parse(program_text)
    except Exception:
        return None
    as_written = library
    library = _as_tf1(library)
    if not definitions_only(library):
        return None
    found = _library_import(program, name)
    if found is None:
        return None
    at, bound = found
    aliases: dict = {}  # `loss = model.loss(logits, labels)`: the library's loss is model_loss while read as one
    if bound is not None:
        body = list(program.body)
        body[at] = cst.SimpleStatementLine([cst.Pass()])
        functions = {stmt.name.value for stmt in library.body if isinstance(stmt, cst.FunctionDef)}
        taken = _read(program) | _read(library)
        for clash in sorted(_read(program.with_changes(body=body)) & functions):
            aliases[clash] = next(n for n in (f"{bound}_{clash}{i or ''}" for i in range(99)) if n not in taken)
        library = library.visit(_Renamed(aliases)) if aliases else library
        program_alone = _unqualified(program.with_changes(body=body), bound, set(_top_names(library)) | set(aliases),
                                     aliases)
        if program_alone is None:
            return None
        program = program_alone.with_changes(body=[*program_alone.body[:at], program.body[at],
                                                   *program_alone.body[at + 1:]])
    original_import = program.body[at]
    body = list(program.body)
    body[at] = original_import.with_changes(body=[_marker(IMPORT).body[0]])
    program_part = program.with_changes(body=body).code
    combined = library.code.rstrip("\n") + "\n\n\n" + f"{SPLIT} = None\n" + program_part
    outcome = process_text(combined, program_path, options)
    if outcome.error is not None or outcome.status is not Status.IDIOMATIC:
        if why is not None and outcome.error is None:
            why.extend(_first_reason(outcome, library.code.rstrip("\n").count("\n") + 1, library is as_written)[:1])
        return None
    try:
        together = parse(outcome.new_text)
    except Exception:
        return None
    cut = [i for i, stmt in enumerate(together.body) if is_marker(stmt, SPLIT)]
    if len(cut) != 1:
        return None
    known = {*_top_names(library), *_top_names(program)}
    library_part, rest = _helpers_moved(list(together.body[:cut[0]]), list(together.body[cut[0] + 1:]), known)
    library_new = together.with_changes(body=library_part, footer=())
    helpers = [stmt for stmt in library_new.body
               if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)) and stmt.name.value not in known]
    if len(library_new.body) - len(helpers) > len(library.body):
        return None  # something of the program landed in the library's part (a helper the rewrite wrote may)
    defined = {stmt.name.value for stmt in rest if isinstance(stmt, (cst.ClassDef, cst.FunctionDef))}
    if _free(library_new) & (defined - set(_top_names(library_new))):
        return None  # the library's part would read a class or function only the program's part defines
    marks = [i for i, stmt in enumerate(rest) if is_marker(stmt, IMPORT)]
    if len(marks) != 1:
        return None
    rest = list(rest)
    if bound is not None:
        program_new = together.with_changes(body=[*rest[:marks[0]], *rest[marks[0] + 1:]])
        used = _Used()
        program_new.visit(used)
        if bound in used.names:
            return None  # the rewrite wrote a name of its own that the module's name would hide
        wanted = {n for n in _top_names(library_new) if n in used.names} - set(_top_names(program_new))
        if not wanted:
            del rest[marks[0]]
        else:
            rest[marks[0]] = original_import.with_changes(leading_lines=rest[marks[0]].leading_lines)
            requalified = together.with_changes(body=rest).visit(_Qualified(bound, wanted, back=True, aliases=aliases))
            rest = list(requalified.body)
    elif isinstance(original_import.body[0].names, cst.ImportStar):
        rest[marks[0]] = original_import.with_changes(leading_lines=rest[marks[0]].leading_lines)
    else:
        used = _Used()
        program_new = together.with_changes(body=rest)
        program_new.visit(used)
        defined = _top_names(library_new)
        own = set(_top_names(program_new))
        before = [dotted_name(a.name) for a in original_import.body[0].names]
        wanted = [n for n in defined if n in used.names and n not in own]
        names = [n for n in before if n in wanted] + [n for n in wanted if n not in before]
        if names:
            new_import = original_import.body[0].with_changes(
                names=[cst.ImportAlias(cst.Name(n)) for n in names], lpar=None, rpar=None)
            rest[marks[0]] = rest[marks[0]].with_changes(body=[new_import])
        else:
            del rest[marks[0]]
    if aliases:  # the library's functions read by their own names again (still functions of that name)
        if not set(aliases.values()) <= {s.name.value for s in library_new.body if isinstance(s, cst.FunctionDef)}:
            return None
        library_new = library_new.visit(_Renamed({alias: name for name, alias in aliases.items()}))
    program_code = together.with_changes(body=rest, header=()).code
    library_code = library_new.code.rstrip("\n") + "\n"
    try:
        parse(program_code)
        parse(library_code)
    except Exception:
        return None
    return program_code, library_code


def _first_reason(outcome, library_lines: int, lines_kept: bool) -> list:
    """[(in the library?, its line there or None, message)] of the first finding that holds a combined
    rewrite short of idiomatic (the library's lines first, two blank lines and the marker, the
    program's); the line is None where joining the two changed the library's lines."""
    holding = [f for f in outcome.remaining if f.verdict is outcome.status]
    # the finding that holds the whole program (TFM010, TFM090) first: the names it leaves say less
    holding.sort(key=lambda f: f.code not in ("TFM010", "TFM090"))
    if not holding:
        return []
    line = holding[0].start.line
    in_library = line <= library_lines
    line = line if in_library else line - library_lines - 3
    return [(in_library, line if lines_kept or not in_library else None, holding[0].message)]


def merges(candidates: Sequence[Tuple[str, str, str]], importers: Mapping[str, Sequence[str]],
           read, options, refused: Optional[dict] = None) -> Dict[str, str]:
    """{path: new text} for the programs and libraries rewritten together.

    ``candidates``: (program, library, the library's name as the program imports it);
    ``importers``: library -> every file that imports it; ``read(path)``: a file's text;
    ``refused``, when given, receives {program: (library, in the library?, line, message)} for the
    programs whose combined rewrite stops short of idiomatic."""
    by_library: Dict[str, List[Tuple[str, str]]] = {}
    for program, library, name in candidates:
        by_library.setdefault(library, []).append((program, name))
    result: Dict[str, str] = {}
    for library, programs in by_library.items():
        if {os.path.normpath(p) for p, _ in programs} != {os.path.normpath(p) for p in importers.get(library, ())}:
            continue  # something else imports the library too: its functions must stay as they are
        try:
            library_text = read(library)
        except Exception:
            continue
        done = {}
        for program, name in programs:
            why: list = []
            try:
                together = rewrite_together(program, read(program), library_text, name, options, why)
            except Exception:
                together = None
            if together is None:
                if why and refused is not None:
                    refused[program] = (library, *why[0])
                break
            done[program] = together
        else:
            texts = {library_new for _, library_new in done.values()}
            if len(texts) == 1:
                result[library] = texts.pop()
                result.update({program: text for program, (text, _) in done.items()})
    return result
