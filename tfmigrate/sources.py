"""Reading and writing source files without losing a byte.

A file is read once, as bytes, and decoded as Python does (PEP 263: a UTF-8
byte order mark or a coding cookie in the first two lines, UTF-8 otherwise).
Writing is the exact inverse: same encoding, same BOM, the caller's newlines
untouched, the same permission bits. A write goes to a temporary file next to
the target and is renamed over it, so an interrupted run leaves every file
either old or new, and never a stray temporary file.
"""
from __future__ import annotations

import codecs
import contextlib
import io
import os
import signal
import stat
import threading
import tokenize
import unicodedata
from dataclasses import dataclass
from typing import Iterator, Optional, Sequence, Union

BINARY_SNIFF_BYTES = 8192  # a NUL byte in this many leading bytes marks a binary file
TEMP_PREFIX = "."
TEMP_SUFFIX = ".tfmigrate.tmp"
DEFAULT_NEEDLES = (b"tensorflow",)

_READ_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_BINARY", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_NONBLOCK", 0)  # opening a FIFO named *.py must not hang the run
)
_CREATE_FLAGS = (
    os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
)
_FRIENDLY_ENCODINGS = {"iso8859-1": "latin-1"}  # the name users write in cookies
_EXIT_STATUS = {signal.SIGINT: 130, signal.SIGTERM: 143}


class SourceError(Exception):
    """A file that cannot be read, decoded, encoded or written.

    `reason` is one short line for the report, e.g. "binary file" or
    "cannot read: permission denied".
    """

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(path, reason)  # both in args so the error pickles across processes
        self.path = path
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


class ReadOnlyError(SourceError):
    """A file without write permission: reported, never changed or chmod-ed."""

    def __init__(self, path: str, reason: str = "read-only file") -> None:
        super().__init__(path, reason)


@dataclass(frozen=True)
class SourceFile:
    """One file as read from disk, with what is needed to write it back identically."""

    path: str  # as the user named it
    raw: bytes  # the bytes on disk
    text: str  # decoded, BOM removed, newlines exactly as on disk
    encoding: str  # normalised codec name: "utf-8", "latin-1", "cp1252", ...
    bom: bool  # the file starts with a UTF-8 byte order mark
    newline: str  # the first line ending found: "\n", "\r\n" or "\r" ("\n" if none)
    mode: int  # permission bits (st_mode without the file type)
    real_path: str  # symlinks resolved: where a write really lands


def read_source(path: str) -> SourceFile:
    """Read and decode one source file; raise SourceError with a one-line reason."""
    raw, mode = _read_bytes(path)
    if raw.find(b"\0", 0, BINARY_SNIFF_BYTES) != -1:
        raise SourceError(path, "binary file")
    encoding, bom = _detect_encoding(path, raw)
    text = _decode(path, raw, encoding, bom)
    return SourceFile(
        path=path,
        raw=raw,
        text=text,
        encoding=encoding,
        bom=bom,
        newline=first_newline(text),
        mode=mode,
        real_path=os.path.realpath(path),
    )


def _read_bytes(path: str) -> "tuple[bytes, int]":
    """The file's bytes and permission bits, read through one open descriptor."""
    try:
        fd = os.open(path, _READ_FLAGS)
    except OSError as exc:
        if isinstance(exc, PermissionError) and os.path.isdir(path):
            raise SourceError(path, "not a file") from None  # Windows refuses to open folders
        raise SourceError(path, f"cannot read: {_os_reason(exc)}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise SourceError(path, "not a file")
        with open(fd, "rb", buffering=0, closefd=False) as stream:
            return stream.readall(), stat.S_IMODE(info.st_mode)
    except OSError as exc:
        raise SourceError(path, f"cannot read: {_os_reason(exc)}") from None
    finally:
        os.close(fd)


def _detect_encoding(path: str, raw: bytes) -> "tuple[str, bool]":
    """PEP 263 encoding of `raw` as (normalised name, has UTF-8 BOM)."""
    try:
        name, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
    except SyntaxError as exc:
        message = str(exc.msg)
        if message.startswith("invalid or missing encoding declaration"):
            return "utf-8", False  # no cookie and bad UTF-8: decoding reports where
        if message.startswith("unknown encoding"):
            cookie = message.rpartition(": ")[2]
            raise SourceError(path, f"unknown encoding in coding cookie: {cookie}") from None
        raise SourceError(path, "coding cookie contradicts the UTF-8 byte order mark") from None
    if name == "utf-8-sig":
        return "utf-8", True
    return normalise_encoding(name), False


def normalise_encoding(name: str) -> str:
    """The canonical codec name for `name` ("UTF8" -> "utf-8", "iso-8859-1" -> "latin-1")."""
    canonical = codecs.lookup(name).name
    return _FRIENDLY_ENCODINGS.get(canonical, canonical)


def _decode(path: str, raw: bytes, encoding: str, bom: bool) -> str:
    skip = len(codecs.BOM_UTF8) if bom else 0
    try:
        return raw[skip:].decode(encoding)
    except UnicodeDecodeError as exc:
        offset = exc.start + skip
        line = _line_number(raw[:offset])
        raise SourceError(
            path, f"cannot decode as {encoding}: {exc.reason} at offset {offset} (line {line})"
        ) from None


def _line_number(prefix: Union[str, bytes]) -> int:
    """1-based number of the line that follows `prefix` (CRLF, LF and CR all end lines)."""
    cr, lf = ("\r", "\n") if isinstance(prefix, str) else (b"\r", b"\n")
    return prefix.count(lf) + prefix.count(cr) - prefix.count(cr + lf) + 1


def first_newline(text: str) -> str:
    """The first line ending in `text`: "\\n", "\\r\\n" or "\\r"; "\\n" if there is none."""
    cr = text.find("\r")
    if cr == -1 or text.find("\n", 0, cr) != -1:
        return "\n"
    return "\r\n" if text.startswith("\n", cr + 1) else "\r"


def quick_scan(raw: bytes, needles: Sequence[bytes] = DEFAULT_NEEDLES) -> bool:
    """Whether the file could mention a needle at all; False means it cannot use TensorFlow.

    True also for a mention in a comment or a string: this only decides which
    files are worth parsing.
    """
    if any(needle in raw for needle in needles):
        return True
    if raw.isascii():
        return False
    return _scan_normalised(raw, needles)


def _scan_normalised(raw: bytes, needles: Sequence[bytes]) -> bool:
    # Python folds identifiers with NFKC, so a fullwidth `ｔensorflow` imports tensorflow.
    try:
        encoding, bom = _detect_encoding("", raw)
    except SourceError:
        encoding, bom = "utf-8", False
    text = raw[len(codecs.BOM_UTF8) if bom else 0 :].decode(encoding, errors="replace")
    if unicodedata.is_normalized("NFKC", text):
        return False
    folded = unicodedata.normalize("NFKC", text)
    return any(needle.decode("latin-1") in folded for needle in needles)


def encode_source(text: str, like: SourceFile) -> bytes:
    """`text` as bytes the way `like` was stored: same encoding, BOM kept, newlines untouched."""
    try:
        data = text.encode(like.encoding)
    except UnicodeEncodeError as exc:
        char = exc.object[exc.start]
        line = _line_number(exc.object[: exc.start])
        raise SourceError(
            like.path,
            f"cannot encode as {like.encoding}: character {char!r} (U+{ord(char):04X}) on line {line}",
        ) from None
    return codecs.BOM_UTF8 + data if like.bom else data


def ensure_writable(source: SourceFile) -> None:
    """Raise ReadOnlyError if `source` must not be changed (no write permission)."""
    if _read_only(source.mode, source.real_path):
        raise ReadOnlyError(source.path)


def _read_only(mode: int, real_path: str) -> bool:
    # Mode bits first: root may write anywhere, yet `chmod a-w` still says "leave this alone".
    return not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(real_path, os.W_OK)


def write_atomic(path: str, data: bytes, *, mode: Optional[int] = None) -> None:
    """Replace the file at `path` with `data` in one rename; raise SourceError on failure.

    A symlink stays a link: its target is replaced. The permission bits (or
    `mode`) and, where allowed, the owner are kept. A read-only file raises
    ReadOnlyError and is left as it is. SIGINT/SIGTERM arriving meanwhile are
    held until the file is whole, then raised.
    """
    with deferred_interrupts():
        _replace(path, os.path.realpath(path), data, mode)


def _replace(path: str, target: str, data: bytes, mode: Optional[int]) -> None:
    current = _existing(path, target)
    if mode is None and current is not None:
        mode = stat.S_IMODE(current.st_mode)
    folder, name = os.path.split(target)
    temp = None
    try:
        fd, temp = _create_temp(folder, name, private=mode is not None)
        try:
            _write_all(fd, data)
            _keep_owner(fd, current)
            if mode is not None:
                _chmod(fd, temp, mode)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, target)
        temp = None
    except OSError as exc:
        raise SourceError(path, f"cannot write: {_os_reason(exc)}") from exc
    finally:
        if temp is not None:
            _remove_quietly(temp)
    _sync_folder(folder)


def _existing(path: str, target: str) -> Optional[os.stat_result]:
    """The target's stat, None if it does not exist yet; refuse what must not be replaced."""
    try:
        current = os.stat(target)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SourceError(path, f"cannot write: {_os_reason(exc)}") from None
    if not stat.S_ISREG(current.st_mode):
        raise SourceError(path, "not a file")
    if _read_only(current.st_mode, target):
        raise ReadOnlyError(path)
    return current


def _create_temp(folder: str, name: str, *, private: bool) -> "tuple[int, str]":
    """A new, empty temporary file beside the target: (descriptor, path)."""
    # 0o600 until the final bits are set, so a private file is never briefly readable;
    # a new file gets 0o666 and the umask, as any editor would give it.
    create_mode = 0o600 if private else 0o666
    while True:
        temp = os.path.join(folder, f"{TEMP_PREFIX}{name[:120]}.{os.urandom(4).hex()}{TEMP_SUFFIX}")
        try:
            return os.open(temp, _CREATE_FLAGS, create_mode), temp
        except FileExistsError:
            continue


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _keep_owner(fd: int, current: Optional[os.stat_result]) -> None:
    # A file rewritten by root (CI containers) should still belong to its owner.
    if current is None or not hasattr(os, "fchown"):
        return
    if (current.st_uid, current.st_gid) == (os.geteuid(), os.getegid()):
        return
    try:
        os.fchown(fd, current.st_uid, current.st_gid)
    except OSError:
        pass  # only root may give a file away; the content matters more


def _chmod(fd: int, temp: str, mode: int) -> None:
    if os.chmod in os.supports_fd:
        os.chmod(fd, mode)
    else:
        os.chmod(temp, mode)


def _remove_quietly(temp: str) -> None:
    try:
        os.unlink(temp)
    except OSError:
        pass


def _sync_folder(folder: str) -> None:
    """Make the rename itself durable (POSIX); best effort."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder or os.curdir, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _os_reason(exc: OSError) -> str:
    """"permission denied" from PermissionError(13, 'Permission denied')."""
    text = exc.strerror or str(exc)
    return text[:1].lower() + text[1:]


class _HeldSignals:
    """SIGINT/SIGTERM handlers that remember the first signal instead of acting on it."""

    active = False  # nested blocks defer to the outermost one

    def __init__(self) -> None:
        self.previous: dict = {}
        self.pending: Optional[int] = None

    def _hold(self, signum: int, frame: object) -> None:
        if self.pending is None:
            self.pending = signum

    def install(self) -> None:
        for signum in _EXIT_STATUS:
            handler = signal.getsignal(signum)
            if handler is None or handler is signal.SIG_IGN:
                continue  # installed outside Python, or ignored on purpose: leave it be
            self.previous[signum] = handler
            signal.signal(signum, self._hold)
        _HeldSignals.active = True

    def restore(self) -> None:
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)
        _HeldSignals.active = False

    def deliver(self) -> None:
        """Act on the held signal as its own handler would have."""
        if self.pending is None:
            return
        handler = self.previous.get(self.pending)
        if callable(handler):
            handler(self.pending, None)  # Python's own SIGINT handler raises KeyboardInterrupt
            return
        if self.pending == signal.SIGINT:
            raise KeyboardInterrupt
        raise SystemExit(_EXIT_STATUS[self.pending])


@contextlib.contextmanager
def deferred_interrupts() -> Iterator[None]:
    """Hold SIGINT/SIGTERM while the block runs, then raise them.

    SIGINT becomes KeyboardInterrupt (exit status 130 for the CLI), SIGTERM
    SystemExit(143), raised once the block is done so a run stops between
    files. Only the main thread can own signal handlers; elsewhere, and
    inside another such block, this does nothing.
    """
    if _HeldSignals.active or threading.current_thread() is not threading.main_thread():
        yield
        return
    held = _HeldSignals()
    held.install()
    try:
        yield
    finally:
        held.restore()
        held.deliver()
