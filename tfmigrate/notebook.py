"""Jupyter notebooks: code cells as Python sources, and the notebook written back.

What a user can rely on:

- Cells are numbered from 1 among all cells, markdown and raw cells
  included, as a notebook editor shows them; only code cells are checked.
  A notebook whose kernel language is not Python has nothing to check.
- IPython syntax that is not Python, at the start of a statement, is replaced
  by a placeholder statement of as many lines, so line numbers stay those of
  the cell: line magics (`%matplotlib inline`, `%timeit f()`), shell lines
  (`!pip install tensorflow==1.15`, `files = !ls`), help (`?tf.Session`,
  `tf.Session??`), autocall escapes (`/f x`) and the lines such a command
  continues onto with a backslash. Written back, each comes back exactly as
  it was, at the indentation its placeholder has then.
- A cell starting with `%%time`, `%%timeit`, `%%capture` or `%%prun` is
  Python below its first line; any other cell magic (`%%bash`,
  `%%writefile`, ...) makes the cell something else, and it is left alone.
- Writing back splices the new `source` of each changed cell into the
  original text: outputs, metadata, execution counts, key order, escaping
  and the final newline stay byte for byte, so a diff of the notebook shows
  only the source lines that changed. The new source is written in the
  layout of the old one: a list of lines (each ending in a newline but the
  last, as Jupyter writes them) at the notebook's indentation, or one string
  when the cell held one string.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Dict, Iterator, List, Optional, Tuple

PYTHON_CELL_MAGICS = ("time", "timeit", "capture", "prun")
_ESCAPES = ("%", "!", "?", "/", ";", ",")  # IPython escapes at the start of a statement
_ASSIGNED_ESCAPE = re.compile(r"[A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*\s*=\s*[%!]")
_HELP_SUFFIX = re.compile(r"[%*\w.\[\]]+\?\??\s*\Z")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_PLACEHOLDER_PREFIX = "__tfmigrate_magic_"
_WHITESPACE = " \t\n\r"


class NotebookError(Exception):
    """A file that is not a notebook tfmigrate can read, or a fix it cannot write back."""


@dataclass(frozen=True)
class Magic:
    """A run of IPython lines replaced by a placeholder: its text (without indentation) and length."""

    name: str  # the placeholder's identifier
    text: str  # from the first non-blank character to the end of its last line, newline excluded
    lines: int

    def placeholder(self, indent: str, endings: List[str]) -> str:
        """`name` on one line, or `(name` + blank lines + `)` over several, with the original newlines."""
        if self.lines == 1:
            return indent + self.name + endings[0]
        middle = "".join(endings[1:-1])
        return f"{indent}({self.name}{endings[0]}{middle}{indent}){endings[-1]}"


@dataclass(frozen=True)
class Cell:
    """One code cell: `index` is its 1-based position among all cells; `source` is Python."""

    index: int
    source: str
    original: str = ""  # the cell's text as stored, magics included
    magics: Tuple[Magic, ...] = ()

    def restore(self, source: str) -> str:
        """A Python source of this cell (the engine's output) with its magics put back."""
        if source == self.source:
            return self.original
        for magic in self.magics:
            source = _restore_one(self.index, magic, source)
        return source


@dataclass(frozen=True)
class _Span:
    """Where one code cell's `source` value sits in the notebook text."""

    start: int
    end: int
    key_start: int


class Notebook:
    """A parsed notebook: its Python cells, and the text it was read from."""

    def __init__(self, text: str, data: dict, spans: Dict[int, _Span]) -> None:
        self.text = text
        self.language = _language(data)
        self._spans = spans
        self._stored: Dict[int, object] = {}
        self._ensure_ascii: Optional[bool] = None  # found on the first write
        self.cells: List[Cell] = []
        for index, cell in enumerate(data["cells"], 1):
            if not isinstance(cell, dict):
                raise NotebookError(f"not a notebook: cell {index} is not a JSON object")
            if cell.get("cell_type") != "code":
                continue
            stored = cell.get("source", "")
            self._stored[index] = stored
            parsed = _python_cell(index, _joined(index, stored)) if self.language == "python" else None
            if parsed is not None:
                self.cells.append(parsed)

    def cell(self, index: int) -> Cell:
        for cell in self.cells:
            if cell.index == index:
                return cell
        raise KeyError(f"no Python code cell {index}")

    def with_sources(self, new_sources: Dict[int, str]) -> str:
        """The notebook text with these cells' sources replaced (Python form), all else as it was."""
        edits = []
        for index, source in new_sources.items():
            cell = self.cell(index)
            restored = cell.restore(source)
            if not cell.original.endswith("\n") and restored.endswith("\n"):
                restored = restored[:-1]  # Jupyter stores no newline after a cell's last line
            if restored == cell.original:
                continue
            if index not in self._spans:
                raise NotebookError(f"cell {index}: no source field to write the fix into; left as it was")
            edits.append((self._spans[index], self._encode(index, restored)))
        pieces, done = [], 0
        for span, value in sorted(edits, key=lambda edit: edit[0].start):
            pieces += [self.text[done:span.start], value]
            done = span.end
        return "".join(pieces) + self.text[done:]

    def _encode(self, index: int, source: str) -> str:
        """The JSON value of a new source, laid out as the cell's old one was."""
        if self._ensure_ascii is None:
            self._ensure_ascii = _writes_ascii(self.text)
        ensure_ascii = self._ensure_ascii
        if isinstance(self._stored[index], str):
            return json.dumps(source, ensure_ascii=ensure_ascii)
        lines = [json.dumps(line, ensure_ascii=ensure_ascii) for line in _LINE.findall(source)]
        if not lines:
            return "[]"
        span = self._spans[index]
        layout = _list_layout(self.text, span)
        if layout is None:
            separator = ", " if re.match(r'"source"\s*:\s', self.text[span.key_start:]) else ","
            return "[" + separator.join(lines) + "]"
        item_indent, closing_indent = layout
        return "[\n" + ",\n".join(item_indent + line for line in lines) + "\n" + closing_indent + "]"


def load_notebook(text: str) -> Notebook:
    """The notebook in `text`; NotebookError when it is not JSON or has no cells."""
    try:
        data = json.loads(text)
    except ValueError as error:
        raise NotebookError(f"invalid notebook JSON: {error}") from None
    if not isinstance(data, dict):
        raise NotebookError("not a notebook: the JSON is not an object")
    if not isinstance(data.get("cells"), list):
        raise NotebookError("not a notebook: no cells")
    spans = dict(_source_spans(text))
    return Notebook(text, data, spans)


# --------------------------------------------------------------------------
# reading the cells


def _language(data: dict) -> str:
    """The kernel's language, from the metadata Jupyter writes ("python" when unsaid)."""
    metadata = data.get("metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    for key, field in (("language_info", "name"), ("kernelspec", "language")):
        section = metadata.get(key)
        if isinstance(section, dict) and isinstance(section.get(field), str):
            return section[field].lower()
    return "python"


def _joined(index: int, stored: object) -> str:
    if isinstance(stored, str):
        return stored
    if isinstance(stored, list) and all(isinstance(line, str) for line in stored):
        return "".join(stored)
    raise NotebookError(f"not a notebook: the source of cell {index} is not text")


def _python_cell(index: int, original: str) -> Optional[Cell]:
    """The cell with its IPython lines replaced, or None for a cell magic that is not Python."""
    lines = _LINE.findall(original)
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    header = None
    if first is not None and lines[first].lstrip().startswith("%%"):
        name = lines[first].lstrip()[2:].split(None, 1)[0] if lines[first].strip() != "%%" else ""
        if name not in PYTHON_CELL_MAGICS:
            return None
        header = first
    out, magics = [], []
    for start, count in _magic_runs(lines, header):
        if count == 0:
            out.append(lines[start])
            continue
        run = lines[start:start + count]
        indent = run[0][: len(run[0]) - len(run[0].lstrip(" \t"))]
        magic = Magic(f"{_PLACEHOLDER_PREFIX}{index}_{len(magics)}__", "".join(run)[len(indent):].rstrip("\r\n"), count)
        magics.append(magic)
        out.append(magic.placeholder(indent, [line[len(line.rstrip("\r\n")):] for line in run]))
    return Cell(index, "".join(out), original, tuple(magics))


def _magic_runs(lines: List[str], header: Optional[int]) -> Iterator[Tuple[int, int]]:
    """(line index, length of the IPython run starting there, 0 for a Python line), in order."""
    scanner = _Scanner()
    index = 0
    while index < len(lines):
        if index == header or (scanner.at_statement_start() and _is_ipython(lines[index])):
            count = 1
            while index + count < len(lines) and lines[index + count - 1].rstrip("\r\n").endswith("\\"):
                count += 1
            yield index, count
            index += count
            continue
        scanner.feed(lines[index])
        yield index, 0
        index += 1


def _is_ipython(line: str) -> bool:
    body = line.strip()
    if not body or body.startswith("#"):
        return False
    return body.startswith(_ESCAPES) or bool(_ASSIGNED_ESCAPE.match(body) or _HELP_SUFFIX.fullmatch(body))


class _Scanner:
    """Just enough of Python's tokenizer to know whether a line starts a statement."""

    def __init__(self) -> None:
        self.depth = 0  # open brackets
        self.quote: Optional[str] = None  # the string the line ends inside
        self.continued = False  # the line ended with a backslash

    def at_statement_start(self) -> bool:
        return self.depth == 0 and self.quote is None and not self.continued

    def feed(self, line: str) -> None:
        body = line.rstrip("\r\n")
        position = 0
        self.continued = False
        while position < len(body):
            if self.quote is not None:
                position = self._in_string(body, position)
                continue
            char = body[position]
            if char == "#":
                return
            if char in "\"'":
                self.quote = body[position:position + 3] if body.startswith(char * 3, position) else char
                position += len(self.quote)
                continue
            if char in "([{":
                self.depth += 1
            elif char in ")]}":
                self.depth = max(0, self.depth - 1)
            elif char == "\\" and position == len(body) - 1:
                self.continued = True
            position += 1
        if self.quote is not None and len(self.quote) == 1 and not body.endswith("\\"):
            self.quote = None  # an unterminated string: the parser will say so

    def _in_string(self, body: str, position: int) -> int:
        quote = self.quote or ""
        while position < len(body):
            if body[position] == "\\":
                position += 2
            elif body.startswith(quote, position):
                self.quote = None
                return position + len(quote)
            else:
                position += 1
        return position


# --------------------------------------------------------------------------
# writing back


def _restore_one(index: int, magic: Magic, source: str) -> str:
    pattern = re.compile(rf"^([ \t]*)\(?{magic.name}\b", re.MULTILINE)
    found = list(pattern.finditer(source))
    if len(found) != 1:
        what = "removed" if not found else "duplicated"
        raise NotebookError(f"cell {index}: a fix {what} the line `{magic.text.splitlines()[0]}`; left as it was")
    match = found[0]
    end = _placeholder_end(source, match.end(), magic)
    return source[: match.start()] + match.group(1) + magic.text + source[end:]


def _placeholder_end(source: str, after_name: int, magic: Magic) -> int:
    """Where the placeholder ends: its line's end, or past the `)` closing a multi-line one."""
    if magic.lines > 1:
        closing = source.index(")", after_name)
        return closing + 1
    newline = re.compile(r"\r\n|\r|\n").search(source, after_name)
    return newline.start() if newline else len(source)


def _writes_ascii(text: str) -> bool:
    """Whether the notebook escapes non-ASCII text (`\\u00e9`) instead of writing it as is."""
    return text.isascii() and re.search(r"\\u(?!00[0-7])[0-9a-fA-F]{4}", text) is not None


def _list_layout(text: str, span: _Span) -> Optional[Tuple[str, str]]:
    """(indentation of the items, of the closing bracket) for an indented notebook, None if compact."""
    line_start = text.rfind("\n", 0, span.key_start) + 1
    key_indent = text[line_start:span.key_start]
    if line_start == 0 or key_indent.strip(" \t"):
        return None
    value = text[span.start:span.end]
    item = re.match(r"\[[ \t]*\r?\n([ \t]*)\S", value)
    if item:
        return item.group(1), key_indent
    unit = re.match(r"[^\n]*\n([ \t]+)", text)
    return key_indent + (unit.group(1) if unit else " "), key_indent


# --------------------------------------------------------------------------
# locating each cell's source in the text

_DECODER = json.JSONDecoder()


def _skip(text: str, position: int) -> int:
    while position < len(text) and text[position] in _WHITESPACE:
        position += 1
    return position


def _members(text: str, position: int) -> Iterator[Tuple[str, int, int, int]]:
    """(key, key start, value start, value end) of the object starting at `position`."""
    position = _skip(text, position + 1)
    while text[position] != "}":
        key_start = position
        key, position = json.decoder.scanstring(text, position + 1)
        value_start = _skip(text, _skip(text, position) + 1)
        _, value_end = _DECODER.raw_decode(text, value_start)
        yield key, key_start, value_start, value_end
        position = _skip(text, value_end)
        if text[position] == ",":
            position = _skip(text, position + 1)


def _items(text: str, position: int) -> Iterator[int]:
    """The start of each value in the array starting at `position`."""
    position = _skip(text, position + 1)
    while text[position] != "]":
        yield position
        _, end = _DECODER.raw_decode(text, position)
        position = _skip(text, end)
        if text[position] == ",":
            position = _skip(text, position + 1)


def _source_spans(text: str) -> Iterator[Tuple[int, _Span]]:
    """(cell index, span of its `source` value) for every cell object (the text is valid JSON)."""
    cells = None
    for key, _, start, _end in _members(text, _skip(text, 0)):
        if key == "cells":
            cells = start
    if cells is None:
        return
    for index, start in enumerate(_items(text, cells), 1):
        if text[start] != "{":
            continue
        spans = [_Span(value_start, value_end, key_start)
                 for key, key_start, value_start, value_end in _members(text, start) if key == "source"]
        if spans:
            yield index, spans[-1]  # a repeated key: JSON readers keep the last
