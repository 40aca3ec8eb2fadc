"""Jupyter notebooks: code cells as Python sources, and the notebook written back.

IPython magics and shell lines (`%matplotlib inline`, `!pip install ...`)
are not Python: each such line is replaced by a placeholder statement that
keeps the line numbering, and restored exactly when the cell is written
back. The JSON keeps its indentation, key order, escaping and final newline,
so a diff shows only the source lines a fix changed.
"""
from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from typing import Dict, List, Optional

_MAGIC_LINE = re.compile(r"^(\s*)(%|!|\?)")
_HELP_SUFFIX = re.compile(r"^\s*[\w.]+\?{1,2}\s*$")
_PLACEHOLDER = re.compile(r"^(\s*)pass  # tfmigrate-magic-(\d+)$")
# Cell magics whose body is still Python.
_PYTHON_CELL_MAGICS = ("%%time", "%%timeit", "%%capture")


class NotebookError(Exception):
    """A file that is not a notebook tfmigrate can read."""


@dataclass(frozen=True)
class Cell:
    index: int  # 1-based position among all cells, as a notebook shows them
    source: str  # Python: magics replaced by placeholders


class Notebook:
    def __init__(self, text: str, data: dict) -> None:
        self._text = text
        self._data = data
        self._magics: Dict[int, List[str]] = {}  # cell index -> the magic lines replaced
        self.cells: List[Cell] = []
        for position, cell in enumerate(data["cells"], 1):
            if cell.get("cell_type") != "code":
                continue
            source = _joined(cell.get("source", ""))
            python = self._mask(position, source)
            if python is not None:
                self.cells.append(Cell(position, python))

    def _mask(self, index: int, source: str) -> Optional[str]:
        lines = source.splitlines(keepends=True)
        if lines and lines[0].startswith("%%") and not lines[0].startswith(_PYTHON_CELL_MAGICS):
            return None  # %%bash, %%html...: not Python
        magics: List[str] = []
        out: List[str] = []
        continued = False
        for line in lines:
            body = line.rstrip("\r\n")
            ending = line[len(body):]
            if continued or _MAGIC_LINE.match(body) or _HELP_SUFFIX.match(body) or body.startswith("%%"):
                indent = re.match(r"\s*", body).group(0)
                out.append(f"{indent}pass  # tfmigrate-magic-{len(magics)}{ending}")
                magics.append(body)
                continued = body.endswith("\\")
            else:
                out.append(line)
        self._magics[index] = magics
        return "".join(out)

    def _unmask(self, index: int, source: str) -> str:
        magics = self._magics.get(index, [])
        out = []
        for line in source.splitlines(keepends=True):
            body = line.rstrip("\r\n")
            match = _PLACEHOLDER.match(body)
            if match and int(match.group(2)) < len(magics):
                out.append(magics[int(match.group(2))] + line[len(body):])
            else:
                out.append(line)
        return "".join(out)

    def with_sources(self, new_sources: Dict[int, str]) -> str:
        """The notebook text with these cells' sources replaced, all else as it was."""
        data = copy.deepcopy(self._data)
        for index, source in new_sources.items():
            cell = data["cells"][index - 1]
            restored = self._unmask(index, source)
            original = cell.get("source", "")
            cell["source"] = restored if isinstance(original, str) else restored.splitlines(keepends=True)
        return _dumps(data, self._text)


def _joined(source) -> str:
    return source if isinstance(source, str) else "".join(source)


def _dumps(data: dict, like: str) -> str:
    """JSON written the way ``like`` was: indentation, escaping, final newline."""
    indent = _indentation(like)
    ensure_ascii = like.isascii() and "\\u" in like
    text = json.dumps(data, indent=indent, ensure_ascii=ensure_ascii,
                      separators=(",", ": ") if indent is not None else (",", ":"))
    return text + "\n" if like.endswith("\n") else text


def _indentation(text: str):
    lines = text.splitlines()
    if len(lines) < 2:
        return None
    second = lines[1]
    if second.startswith("\t"):
        return "\t"
    return len(second) - len(second.lstrip(" ")) or None


def load_notebook(text: str) -> Notebook:
    try:
        data = json.loads(text)
    except ValueError as error:
        raise NotebookError(f"invalid notebook JSON: {error}") from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise NotebookError("not a notebook: no cells")
    return Notebook(text, data)
