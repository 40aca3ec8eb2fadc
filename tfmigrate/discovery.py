"""Finding the files to check: folders walked once, excludes and .gitignore honoured.

Rules a user can rely on:

- A file named on the command line is always checked, whatever the excludes
  or .gitignore say, and whatever its extension. A named path that does not
  exist comes back as a `Candidate` with `error` set (e.g. "No such file or
  directory"); so does a folder that cannot be listed. Nothing is silently
  dropped.
- Folders are walked for files with the given extensions. Folders in
  DEFAULT_EXCLUDES are skipped, and so is any folder holding `pyvenv.cfg`
  (a virtualenv, whatever its name). A folder merely called `env` is not
  skipped: in TensorFlow projects `env/` often holds reinforcement-learning
  environments, and a real virtualenv there is found by its `pyvenv.cfg`.
- Exclude patterns are gitignore patterns rooted at `root` (default: the
  current folder): `data/` is any folder named data, `*.pb` any file so
  named, `legacy/**/old_*.py` a path under root/legacy; `!pattern`
  re-includes. For a folder outside `root`, patterns are rooted at the
  folder named on the command line.
- .gitignore files apply only inside a git work tree (a folder holding
  `.git`, at or above the walked folder, as git itself sees it): each one
  covers its own folder and below, deeper files win, and
  `.git/info/exclude` counts too. The user's global excludes file
  (core.excludesFile) is not read, so results do not depend on who runs.
- Symlinked folders are followed once; a folder reached twice (a loop, or
  two links to one place) is walked once, by its real location when the
  walk meets that too. Files are deduplicated by real path.
- The result is sorted by path, as reports are.
"""
from __future__ import annotations

import os
import re
import stat
from collections import deque
from dataclasses import dataclass
from typing import Callable, Deque, Dict, Iterable, List, Optional, Sequence, Tuple

DEFAULT_EXCLUDES: Tuple[str, ...] = (
    ".git",
    ".hg",
    ".svn",
    ".bzr",
    ".venv",
    "venv",
    ".direnv",
    "__pycache__",
    "build",
    "dist",
    ".tox",
    ".nox",
    ".eggs",
    "*.egg-info",
    "node_modules",
    "site-packages",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".pytype",
    ".ipynb_checkpoints",
    ".tfmigrate_cache",
)
VENV_MARKER = "pyvenv.cfg"
DEFAULT_EXTENSIONS = (".py", ".ipynb")


@dataclass(frozen=True)
class Candidate:
    """A file to check. `explicit`: named by the user; `error`: why it cannot be."""

    path: str
    explicit: bool = False
    error: Optional[str] = None


# --------------------------------------------------------------------------
# gitignore patterns


@dataclass(frozen=True)
class _Rule:
    negated: bool
    dir_only: bool
    basename: bool  # no slash in the pattern: it matches a name at any depth
    regex: str


_Group = Tuple[bool, Optional[Callable], Optional[Callable]]  # negated, by name, by path

_POSIX_CLASSES = {
    "alnum": "a-zA-Z0-9",
    "alpha": "a-zA-Z",
    "blank": " \\t",
    "digit": "0-9",
    "lower": "a-z",
    "punct": re.escape("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"),
    "space": " \\t\\n\\r\\f\\v",
    "upper": "A-Z",
    "xdigit": "0-9a-fA-F",
}


class GitIgnore:
    """The patterns of one .gitignore file (or one exclude list), matched as git matches them.

    Paths are relative to the folder the patterns belong to, with "/"
    separators. Only the order of ignoring and re-including (`!`) patterns
    matters, so each run of one kind is joined into one regular expression:
    a long file costs a few regex calls per path.
    """

    def __init__(self, lines: Iterable[str]) -> None:
        self.rules: Tuple[_Rule, ...] = tuple(r for r in map(parse_pattern, lines) if r is not None)
        self._for_files = _compile_groups([r for r in self.rules if not r.dir_only])
        self._for_folders = _compile_groups(self.rules)

    @classmethod
    def from_file(cls, path: str) -> "GitIgnore":
        """The patterns in `path`; an unreadable file has none (git skips it too)."""
        try:
            with open(path, "rb") as stream:
                data = stream.read()
        except OSError:
            return cls(())
        return cls(data.decode("utf-8", errors="surrogateescape").splitlines())

    def __bool__(self) -> bool:
        return bool(self.rules)

    def match(self, relpath: str, is_dir: bool) -> Optional[bool]:
        """The last matching pattern's verdict: True ignore, False re-include (`!`), None no match."""
        return self.verdict(relpath, relpath.rpartition("/")[2], is_dir)

    def verdict(self, relpath: str, name: str, is_dir: bool) -> Optional[bool]:
        """`match` for a caller that already knows the last component `name` of `relpath`."""
        for negated, by_name, by_path in self._for_folders if is_dir else self._for_files:
            if (by_name is not None and by_name(name)) or (by_path is not None and by_path(relpath)):
                return not negated
        return None

    def ignored(self, relpath: str, is_dir: bool = False) -> bool:
        """Whether git ignores `relpath`: inside an ignored folder it is, whatever follows."""
        parts = relpath.split("/")
        for depth in range(1, len(parts)):
            if self.match("/".join(parts[:depth]), True):
                return True
        return bool(self.match(relpath, is_dir))


def parse_pattern(line: str) -> Optional[_Rule]:
    """One line of a .gitignore as a rule; None for blank lines and comments."""
    line = _trim_trailing_spaces(line.rstrip("\r\n"))
    if not line or line.startswith("#"):
        return None
    negated = line.startswith("!")
    if negated:
        line = line[1:]
    dir_only = line.endswith("/")
    if dir_only:
        line = line[:-1]
    if not line:
        return None
    basename = "/" not in line
    if line.startswith("/"):
        line = line[1:]
    return _Rule(negated, dir_only, basename, _translate(line))


def _trim_trailing_spaces(line: str) -> str:
    """Drop trailing spaces unless a backslash escapes them (as git does)."""
    end = len(line)
    index = 0
    while index < len(line):
        char = line[index]
        if char == "\\" and index + 1 < len(line):
            index += 2
            end = index
            continue
        index += 1
        if char != " ":
            end = index
    return line[:end]


def _translate(pattern: str) -> str:
    """A wildmatch pattern (with pathname semantics) as a regular expression."""
    out: List[str] = []
    index, size = 0, len(pattern)
    while index < size:
        char = pattern[index]
        if char == "*":
            stars_end = index
            while stars_end < size and pattern[stars_end] == "*":
                stars_end += 1
            at_segment_start = index == 0 or pattern[index - 1] == "/"
            if stars_end - index >= 2 and at_segment_start and stars_end == size:
                out.append(".*")  # trailing "**": everything inside
            elif stars_end - index >= 2 and at_segment_start and pattern[stars_end] == "/":
                out.append("(?:.*/)?")  # "**/": zero or more folders
                stars_end += 1
            else:
                out.append("[^/]*")
            index = stars_end
        elif char == "?":
            out.append("[^/]")
            index += 1
        elif char == "[":
            regex, index = _translate_class(pattern, index)
            out.append(regex)
        elif char == "\\" and index + 1 < size:
            out.append(re.escape(pattern[index + 1]))
            index += 2
        else:
            out.append(re.escape(char))
            index += 1
    return "".join(out)


def _translate_class(pattern: str, start: int) -> Tuple[str, int]:
    """A bracket expression starting at `start`: (regex, index after it); "[" alone is literal."""
    index = start + 1
    negated = index < len(pattern) and pattern[index] in "!^"
    if negated:
        index += 1
    items: List[str] = []
    first = True
    while index < len(pattern):
        char = pattern[index]
        if char == "]" and not first:
            body = "".join(items)
            return (f"[^/{body}]" if negated else f"(?!/)[{body}]"), index + 1
        first = False
        if char == "[" and pattern.startswith("[:", index):
            close = pattern.find(":]", index + 2)
            name = pattern[index + 2 : close] if close != -1 else ""
            if name in _POSIX_CLASSES:
                items.append(_POSIX_CLASSES[name])
                index = close + 2
                continue
        if char == "\\" and index + 1 < len(pattern):
            index += 1
            char = pattern[index]
        items.append(char if char == "-" else re.escape(char))
        index += 1
    return re.escape("["), start + 1


def _compile_groups(rules: Sequence[_Rule]) -> Tuple[_Group, ...]:
    """Runs of rules with the same verdict, each as two regexes; the last run first."""
    groups: List[_Group] = []
    run: List[_Rule] = []
    for rule in rules:
        if run and rule.negated != run[0].negated:
            groups.append(_compile_run(run))
            run = []
        run.append(rule)
    if run:
        groups.append(_compile_run(run))
    return tuple(reversed(groups))


def _compile_run(run: Sequence[_Rule]) -> _Group:
    def joined(regexes: List[str]) -> Optional[Callable]:
        if not regexes:
            return None
        return re.compile("|".join(f"(?:{r})" for r in regexes), re.DOTALL).fullmatch

    by_name = joined([r.regex for r in run if r.basename])
    by_path = joined([r.regex for r in run if not r.basename])
    return run[0].negated, by_name, by_path


# --------------------------------------------------------------------------
# walking


_Layer = Tuple[GitIgnore, str]  # patterns, and this folder's path relative to theirs ("" or "a/b/")


@dataclass
class _Folder:
    path: str  # as shown to the user; "." for the current folder
    real: str
    explicit: bool
    linked: bool  # reached through a symlinked folder
    rooted: str  # path relative to the exclude root, "" or ending in "/"
    layers: Optional[Tuple[_Layer, ...]]  # None outside a git work tree

    def child(self, name: str, real: str, linked: bool) -> "_Folder":
        return _Folder(
            path=name if self.path == os.curdir else os.path.join(self.path, name),
            real=real,
            explicit=False,
            linked=linked,
            rooted=f"{self.rooted}{name}/",
            layers=None if self.layers is None else tuple((g, f"{p}{name}/") for g, p in self.layers),
        )


class _Walker:
    """One walk over the paths a user named: folders stacked, files kept by real path."""

    def __init__(
        self,
        excludes: GitIgnore,
        respect_gitignore: bool,
        extensions: Tuple[str, ...],
        root: str,
    ) -> None:
        self.excludes = excludes
        self.respect_gitignore = respect_gitignore
        self.extensions = extensions
        self.root = root
        self.found: Dict[str, Tuple[tuple, Candidate]] = {}  # real path -> (preference, candidate)
        self.errors: Dict[str, Candidate] = {}
        self.visited: set = set()
        self.folders: List[_Folder] = []
        self.linked: Deque[_Folder] = deque()  # walked last, so a real location wins over a link
        self.named = 0  # how many paths the user gave so far

    def add(self, path: str) -> None:
        self.named += 1
        shown = os.path.normpath(path)
        try:
            info = os.stat(shown)
        except OSError as exc:
            self._error(shown, exc, explicit=True)
            return
        if stat.S_ISDIR(info.st_mode):
            self.folders.append(self._top_folder(shown))
        else:
            self._keep(os.path.realpath(shown), Candidate(shown, explicit=True), linked=False, rank=self.named)

    def _top_folder(self, shown: str) -> _Folder:
        absolute = os.path.abspath(shown)
        layers = _ancestor_layers(absolute) if self.respect_gitignore else None
        return _Folder(shown, os.path.realpath(shown), True, False, _rooted(absolute, self.root), layers)

    def run(self) -> List[Candidate]:
        while self.folders or self.linked:
            folder = self.folders.pop() if self.folders else self.linked.popleft()
            if folder.real not in self.visited:
                self.visited.add(folder.real)
                self._scan(folder)
        kept = [candidate for _, candidate in self.found.values()]
        return sorted(kept + list(self.errors.values()), key=lambda c: c.path)

    def _scan(self, folder: _Folder) -> None:
        try:
            with os.scandir(folder.path) as listing:
                entries = list(listing)
        except OSError as exc:
            self._error(folder.path, exc, explicit=folder.explicit)
            return
        names = {entry.name for entry in entries}
        if VENV_MARKER in names and not folder.explicit:
            return
        if self.respect_gitignore:
            folder.layers = _own_layers(folder, names)
        real_prefix = folder.real if folder.real.endswith(os.sep) else folder.real + os.sep
        children = []
        for entry in entries:
            name = entry.name
            try:
                is_dir = entry.is_dir()
                if not is_dir and not (name.endswith(self.extensions) and entry.is_file()):
                    continue
                if self._skipped(folder, name, is_dir):
                    continue
                link = entry.is_symlink()
            except OSError:
                continue  # vanished while walking
            real = os.path.realpath(entry.path) if link else real_prefix + name
            if is_dir:
                children.append(folder.child(name, real, folder.linked or link))
            else:
                shown = entry.path if folder.path != os.curdir else name
                self._keep(real, Candidate(shown), folder.linked or link)
        # Folders in name order, so links meet a shared target in the same order everywhere.
        children.sort(key=_path)
        self.folders.extend(c for c in reversed(children) if not c.linked)
        self.linked.extend(c for c in children if c.linked)

    def _skipped(self, folder: _Folder, name: str, is_dir: bool) -> bool:
        if self.excludes.verdict(folder.rooted + name, name, is_dir):
            return True
        for patterns, prefix in reversed(folder.layers or ()):
            verdict = patterns.verdict(prefix + name, name, is_dir)
            if verdict is not None:
                return verdict
        return False

    def _keep(self, real: str, candidate: Candidate, linked: bool, rank: int = 0) -> None:
        # Among paths to one file: the first the user named, else one not through a link.
        preference = (not candidate.explicit, rank, linked, candidate.path)
        held = self.found.get(real)
        if held is None or preference < held[0]:
            self.found[real] = (preference, candidate)

    def _error(self, path: str, exc: OSError, *, explicit: bool) -> None:
        self.errors.setdefault(path, Candidate(path, explicit=explicit, error=exc.strerror or str(exc)))


def _path(folder: _Folder) -> str:
    return folder.path


def _rooted(absolute: str, root: str) -> str:
    """`absolute` relative to `root` with "/" separators, "" or ending in "/"; "" if outside."""
    try:
        relative = os.path.relpath(absolute, root)
    except ValueError:  # another drive
        return ""
    if relative == os.curdir or relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return ""
    return relative.replace(os.sep, "/") + "/"


def _ancestor_layers(absolute: str) -> Optional[Tuple[_Layer, ...]]:
    """Ignore files above the walked folder, up to its work tree; None outside any work tree."""
    above: List[str] = []
    current = os.path.dirname(absolute)
    while True:
        if os.path.lexists(os.path.join(current, ".git")):
            break
        parent = os.path.dirname(current)
        if parent == current:
            return None  # a .git inside the folder itself is found when it is listed
        above.append(current)
        current = parent
    folders = [current] + above[::-1]
    layers: List[_Layer] = []
    exclude_file = GitIgnore.from_file(os.path.join(current, ".git", "info", "exclude"))
    for index, base in enumerate(folders):
        prefix = os.path.relpath(absolute, base).replace(os.sep, "/") + "/"
        if index == 0 and exclude_file:
            layers.append((exclude_file, prefix))
        patterns = GitIgnore.from_file(os.path.join(base, ".gitignore"))
        if patterns:
            layers.append((patterns, prefix))
    return tuple(layers)


def _own_layers(folder: _Folder, names: set) -> Optional[Tuple[_Layer, ...]]:
    """The ignore layers for entries of `folder`: a nested repository starts afresh."""
    layers = folder.layers
    if ".git" in names:
        exclude_file = GitIgnore.from_file(os.path.join(folder.path, ".git", "info", "exclude"))
        layers = ((exclude_file, ""),) if exclude_file else ()
    if layers is not None and ".gitignore" in names:
        patterns = GitIgnore.from_file(os.path.join(folder.path, ".gitignore"))
        if patterns:
            layers = layers + ((patterns, ""),)
    return layers


def iter_files(
    paths: Iterable[str],
    *,
    exclude: Sequence[str] = (),
    extend_exclude: Sequence[str] = (),
    respect_gitignore: bool = True,
    extensions: Sequence[str] = DEFAULT_EXTENSIONS,
    root: Optional[str] = None,
) -> List[Candidate]:
    """The files to check under `paths`, sorted by path, each once.

    `exclude`, when not empty, replaces DEFAULT_EXCLUDES; `extend_exclude`
    adds to whichever applies. Missing paths and unlistable folders come back
    with `error` set.
    """
    patterns = list(exclude or DEFAULT_EXCLUDES) + list(extend_exclude)
    walker = _Walker(
        GitIgnore(patterns),
        respect_gitignore,
        tuple(extensions),
        os.path.abspath(root if root is not None else os.curdir),
    )
    for path in paths:
        walker.add(path)
    return walker.run()
