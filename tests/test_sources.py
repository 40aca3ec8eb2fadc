"""Reading, encoding and atomically writing source files."""
from __future__ import annotations

import os
import pickle
import signal
import stat
import threading

import pytest

from tfmigrate import sources
from tfmigrate.sources import (
    ReadOnlyError,
    SourceError,
    deferred_interrupts,
    encode_source,
    ensure_writable,
    first_newline,
    quick_scan,
    read_source,
    write_atomic,
)

BOM = b"\xef\xbb\xbf"


def write_bytes(path, data: bytes, mode: int = 0o644) -> str:
    with open(path, "wb") as stream:
        stream.write(data)
    os.chmod(path, mode)
    return str(path)


def leftovers(folder) -> list:
    return sorted(name for name in os.listdir(folder) if name.endswith(sources.TEMP_SUFFIX))


# --------------------------------------------------------------------------
# reading and round trips

ROUND_TRIPS = {
    "utf8": (b"import tensorflow as tf\nx = '\xc3\xa9'\n", "utf-8", False, "\n"),
    "utf8-bom": (BOM + b"import tensorflow as tf\r\nx = 1\r\n", "utf-8", True, "\r\n"),
    "latin-1-cookie": (b"# -*- coding: latin-1 -*-\nx = 'caf\xe9'\n", "latin-1", False, "\n"),
    "cookie-second-line": (
        b"#!/usr/bin/env python\n# vim: set fileencoding=cp1252 :\nx = '\x80'\n",
        "cp1252",
        False,
        "\n",
    ),
    "crlf": (b"a = 1\r\nb = 2\r\n", "utf-8", False, "\r\n"),
    "cr": (b"a = 1\rb = 2\r", "utf-8", False, "\r"),
    "mixed-first-wins": (b"a = 1\r\nb = 2\nc = 3\r", "utf-8", False, "\r\n"),
    "no-final-newline": (b"a = 1\nb = 2", "utf-8", False, "\n"),
    "single-line-no-newline": (b"a = 1", "utf-8", False, "\n"),
    "empty": (b"", "utf-8", False, "\n"),
    "bom-only": (BOM, "utf-8", True, "\n"),
    "nul-after-sniff": (b"#" + b" " * 9000 + b"\x00\n", "utf-8", False, "\n"),
}


@pytest.mark.parametrize("name", sorted(ROUND_TRIPS))
def test_read_then_encode_gives_the_same_bytes(tmp_path, name):
    data, encoding, bom, newline = ROUND_TRIPS[name]
    path = write_bytes(tmp_path / "m.py", data)
    source = read_source(path)
    assert (source.encoding, source.bom, source.newline) == (encoding, bom, newline)
    assert source.raw == data
    assert source.text == data[len(BOM) if bom else 0 :].decode(encoding)
    assert not source.text.startswith("\ufeff")
    assert encode_source(source.text, source) == data


def test_newlines_are_not_normalised(tmp_path):
    source = read_source(write_bytes(tmp_path / "m.py", b"a = 1\r\nb = 2\rc = 3\n"))
    assert source.text == "a = 1\r\nb = 2\rc = 3\n"


def test_latin1_text_is_decoded(tmp_path):
    source = read_source(write_bytes(tmp_path / "m.py", b"# coding: latin-1\nx = 'caf\xe9'\n"))
    assert source.text == "# coding: latin-1\nx = 'café'\n"


def test_source_records_path_mode_and_real_path(tmp_path):
    target = write_bytes(tmp_path / "real.py", b"x = 1\n", mode=0o751)
    link = tmp_path / "link.py"
    link.symlink_to("real.py")
    source = read_source(str(link))
    assert source.path == str(link)
    assert source.real_path == os.path.realpath(target)
    assert source.mode == 0o751


@pytest.mark.parametrize(
    "text, newline",
    [
        ("", "\n"),
        ("x", "\n"),
        ("a\nb\r\n", "\n"),
        ("a\r\nb\n", "\r\n"),
        ("a\rb\n", "\r"),
        ("a\r", "\r"),
        ("\r\n", "\r\n"),
    ],
)
def test_first_newline(text, newline):
    assert first_newline(text) == newline


@pytest.mark.parametrize("name", ["with space.py", "a,b.py", "modèle_données.py", "数据.py"])
def test_awkward_names_read_and_write(tmp_path, name):
    path = write_bytes(tmp_path / name, b"x = 1\n")
    source = read_source(path)
    write_atomic(path, encode_source(source.text.replace("1", "2"), source))
    assert read_source(path).text == "x = 2\n"
    assert leftovers(tmp_path) == []


# --------------------------------------------------------------------------
# reasons a file cannot be read


def reason_for(path) -> str:
    with pytest.raises(SourceError) as caught:
        read_source(str(path))
    assert caught.value.path == str(path)
    return caught.value.reason


def test_binary_file(tmp_path):
    assert reason_for(write_bytes(tmp_path / "m.py", b"\x89PNG\r\n\x1a\n\x00\x00")) == "binary file"


def test_undecodable_utf8_reports_offset_and_line(tmp_path):
    path = write_bytes(tmp_path / "m.py", b"a = 1\nb = 2\nc = '\xff'\n")
    assert reason_for(path) == "cannot decode as utf-8: invalid start byte at offset 17 (line 3)"


def test_undecodable_first_line_reports_offset(tmp_path):
    path = write_bytes(tmp_path / "m.py", b"x = '\xe9t\xe9'\n")
    assert reason_for(path) == "cannot decode as utf-8: invalid continuation byte at offset 5 (line 1)"


def test_offset_counts_the_bom_and_cr_lines(tmp_path):
    path = write_bytes(tmp_path / "m.py", BOM + b"a = 1\rb = '\xc3'\r")
    assert reason_for(path) == "cannot decode as utf-8: invalid continuation byte at offset 14 (line 2)"


def test_cookie_after_line_two_is_ignored(tmp_path):
    path = write_bytes(tmp_path / "m.py", b"import os\n\n# coding: latin-1\nx = '\xe9'\n")
    assert reason_for(path) == "cannot decode as utf-8: invalid continuation byte at offset 34 (line 4)"


def test_unknown_cookie(tmp_path):
    path = write_bytes(tmp_path / "m.py", b"# coding: klingon\nx = 1\n")
    assert reason_for(path) == "unknown encoding in coding cookie: klingon"


def test_cookie_contradicting_bom(tmp_path):
    path = write_bytes(tmp_path / "m.py", BOM + b"# coding: latin-1\nx = 1\n")
    assert reason_for(path) == "coding cookie contradicts the UTF-8 byte order mark"


def test_missing_file(tmp_path):
    assert reason_for(tmp_path / "gone.py") == "cannot read: no such file or directory"


def test_folder_is_not_a_file(tmp_path):
    (tmp_path / "pkg.py").mkdir()
    assert reason_for(tmp_path / "pkg.py") == "not a file"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_fifo_is_not_a_file_and_does_not_block(tmp_path):
    os.mkfifo(tmp_path / "pipe.py")
    assert reason_for(tmp_path / "pipe.py") == "not a file"


def reason_as_unprivileged_user(folder, name) -> str:
    """read_source's reason for `folder/name`, read by a forked child that dropped root."""
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        try:
            os.close(read_end)
            os.chdir(folder)  # a relative path needs no search permission on the parents
            os.setgid(65534)
            os.setuid(65534)
            try:
                read_source(name)
                message = "read"
            except SourceError as error:
                message = error.reason
            os.write(write_end, message.encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as stream:
        message = stream.read().decode()
    os.waitpid(child, 0)
    return message


def test_permission_denied_on_disk(tmp_path):
    write_bytes(tmp_path / "m.py", b"x = 1\n", mode=0o000)
    if os.geteuid() != 0:
        assert reason_for(tmp_path / "m.py") == "cannot read: permission denied"
        return
    if not hasattr(os, "fork"):
        pytest.skip("root reads any file and cannot drop privileges here")
    os.chmod(tmp_path, 0o755)
    assert reason_as_unprivileged_user(tmp_path, "m.py") == "cannot read: permission denied"


def test_permission_denied_reported_from_the_os_error(tmp_path, monkeypatch):
    path = write_bytes(tmp_path / "m.py", b"x = 1\n")

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(sources.os, "open", refuse)
    assert reason_for(path) == "cannot read: permission denied"


def test_source_error_survives_pickling():
    for error in (SourceError("a.py", "binary file"), ReadOnlyError("b.py")):
        copy = pickle.loads(pickle.dumps(error))
        assert (type(copy), copy.path, copy.reason, str(copy)) == (
            type(error),
            error.path,
            error.reason,
            f"{error.path}: {error.reason}",
        )


# --------------------------------------------------------------------------
# the pre-filter


@pytest.mark.parametrize(
    "raw, expected",
    [
        (b"import tensorflow as tf\n", True),
        (b"from tensorflow.compat import v1\n", True),
        (b"# uses tensorflow somewhere\n", True),
        (b"import numpy as np\n", False),
        (b"import torch  # not TF\n", False),
        (b"# coding: latin-1\n# donn\xe9es\nimport tensorflow\n", True),
        (b"# coding: latin-1\n# donn\xe9es\nimport numpy\n", False),
        ("# données\nimport tensorflow\n".encode("utf-8"), True),
        ("# données\nimport numpy\n".encode("utf-8"), False),
        (BOM + b"import tensorflow\n", True),
        ("import ｔｅｎｓｏｒｆｌｏｗ as tf\n".encode("utf-8"), True),  # NFKC folds it to tensorflow
        (b"# coding: latin-1\nimport tens\xbarflow\n", True),  # U+00BA folds to "o"
        (b"", False),
    ],
)
def test_quick_scan(raw, expected):
    assert quick_scan(raw) is expected


def test_quick_scan_with_other_needles():
    assert quick_scan(b"import keras\n", needles=(b"tensorflow", b"keras")) is True
    assert quick_scan(b"import keras\n") is False


# --------------------------------------------------------------------------
# encoding back


def test_encode_keeps_latin1_and_refuses_what_it_cannot_hold(tmp_path):
    source = read_source(write_bytes(tmp_path / "m.py", b"# coding: latin-1\nx = 'caf\xe9'\n"))
    assert encode_source("# coding: latin-1\nx = 'th\xe9'\n", source) == b"# coding: latin-1\nx = 'th\xe9'\n"
    with pytest.raises(SourceError) as caught:
        encode_source("# coding: latin-1\nx = 1\ny = '\u2192'\n", source)
    assert caught.value.reason == "cannot encode as latin-1: character '\u2192' (U+2192) on line 3"


def test_encode_does_not_touch_newlines(tmp_path):
    source = read_source(write_bytes(tmp_path / "m.py", b"a = 1\r\n"))
    assert encode_source("a = 2\r\nb = 3\n", source) == b"a = 2\r\nb = 3\n"


# --------------------------------------------------------------------------
# writing


def test_write_replaces_content_and_keeps_mode(tmp_path):
    path = write_bytes(tmp_path / "run.py", b"old\n", mode=0o754)
    write_atomic(path, b"new\n")
    with open(path, "rb") as stream:
        assert stream.read() == b"new\n"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o754
    assert leftovers(tmp_path) == []


def test_write_with_explicit_mode(tmp_path):
    path = write_bytes(tmp_path / "m.py", b"old\n", mode=0o644)
    write_atomic(path, b"new\n", mode=0o600)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_write_creates_a_new_file_with_the_umask(tmp_path):
    umask = os.umask(0o027)
    try:
        write_atomic(str(tmp_path / "fresh.py"), b"x = 1\n")
    finally:
        os.umask(umask)
    assert stat.S_IMODE(os.stat(tmp_path / "fresh.py").st_mode) == 0o640


def test_write_through_a_symlink_keeps_the_link(tmp_path):
    (tmp_path / "real").mkdir()
    target = write_bytes(tmp_path / "real" / "m.py", b"old\n", mode=0o640)
    link = tmp_path / "link.py"
    link.symlink_to(os.path.join("real", "m.py"))
    write_atomic(str(link), b"new\n")
    assert os.path.islink(link)
    assert os.readlink(link) == os.path.join("real", "m.py")
    with open(target, "rb") as stream:
        assert stream.read() == b"new\n"
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640
    assert leftovers(tmp_path) == [] and leftovers(tmp_path / "real") == []


def test_temporary_file_is_beside_the_target_and_recognisable(tmp_path, monkeypatch):
    (tmp_path / "real").mkdir()
    write_bytes(tmp_path / "real" / "m.py", b"old\n")
    (tmp_path / "link.py").symlink_to(os.path.join("real", "m.py"))
    seen = []
    original = os.replace

    def spy(src, dst):
        seen.append((src, dst))
        return original(src, dst)

    monkeypatch.setattr(sources.os, "replace", spy)
    write_atomic(str(tmp_path / "link.py"), b"new\n")
    [(temp, target)] = seen
    assert target == os.path.realpath(tmp_path / "real" / "m.py")
    assert os.path.dirname(temp) == os.path.dirname(target)
    assert os.path.basename(temp).startswith(".m.py.")
    assert temp.endswith(".tfmigrate.tmp")


def test_failed_rename_leaves_old_file_and_no_temp(tmp_path, monkeypatch):
    path = write_bytes(tmp_path / "m.py", b"old\n")

    def fail(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(sources.os, "replace", fail)
    with pytest.raises(SourceError) as caught:
        write_atomic(path, b"new\n")
    assert caught.value.reason == "cannot write: no space left on device"
    with open(path, "rb") as stream:
        assert stream.read() == b"old\n"
    assert leftovers(tmp_path) == []


def test_interrupt_mid_write_leaves_old_file_and_no_temp(tmp_path, monkeypatch):
    path = write_bytes(tmp_path / "m.py", b"old\n")

    def interrupted(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(sources.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(path, b"new\n")
    with open(path, "rb") as stream:
        assert stream.read() == b"old\n"
    assert leftovers(tmp_path) == []


def test_real_sigint_mid_write_finishes_the_file_first(tmp_path, monkeypatch):
    path = write_bytes(tmp_path / "m.py", b"old\n")
    original = os.fsync

    def signalled(fd):
        os.kill(os.getpid(), signal.SIGINT)
        return original(fd)

    monkeypatch.setattr(sources.os, "fsync", signalled)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(path, b"new\n")
    with open(path, "rb") as stream:
        assert stream.read() == b"new\n"
    assert leftovers(tmp_path) == []


def test_read_only_file_is_refused_and_untouched(tmp_path):
    path = write_bytes(tmp_path / "m.py", b"old\n", mode=0o444)
    source = read_source(path)
    with pytest.raises(ReadOnlyError) as caught:
        ensure_writable(source)
    assert caught.value.reason == "read-only file"
    with pytest.raises(ReadOnlyError):
        write_atomic(path, b"new\n")
    with open(path, "rb") as stream:
        assert stream.read() == b"old\n"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o444
    assert leftovers(tmp_path) == []


def test_writable_file_passes_the_check(tmp_path):
    ensure_writable(read_source(write_bytes(tmp_path / "m.py", b"x\n", mode=0o600)))


def test_write_to_a_folder_is_refused(tmp_path):
    (tmp_path / "pkg.py").mkdir()
    with pytest.raises(SourceError) as caught:
        write_atomic(str(tmp_path / "pkg.py"), b"x\n")
    assert caught.value.reason == "not a file"


# --------------------------------------------------------------------------
# signals


def test_sigint_is_held_until_the_block_ends():
    finished = []
    with pytest.raises(KeyboardInterrupt):
        with deferred_interrupts():
            os.kill(os.getpid(), signal.SIGINT)
            finished.append(True)
    assert finished == [True]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_sigterm_becomes_exit_143():
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(SystemExit) as caught:
        with deferred_interrupts():
            os.kill(os.getpid(), signal.SIGTERM)
    assert caught.value.code == 143
    assert signal.getsignal(signal.SIGTERM) is before


def test_quiet_block_raises_nothing_and_restores_handlers():
    before = (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM))
    with deferred_interrupts():
        assert signal.getsignal(signal.SIGINT) is not before[0]
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before


def test_nested_blocks_deliver_once_at_the_outer_end():
    steps = []
    with pytest.raises(KeyboardInterrupt):
        with deferred_interrupts():
            with deferred_interrupts():
                os.kill(os.getpid(), signal.SIGINT)
            steps.append("inner done")
    assert steps == ["inner done"]


def test_ignored_sigint_stays_ignored():
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with deferred_interrupts():
            assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)


def test_other_threads_install_nothing():
    seen = []

    def work():
        with deferred_interrupts():
            seen.append(signal.getsignal(signal.SIGTERM))

    before = signal.getsignal(signal.SIGTERM)
    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert seen == [before]


def test_custom_handler_gets_the_held_signal():
    calls = []
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: calls.append(signum))
    try:
        with deferred_interrupts():
            os.kill(os.getpid(), signal.SIGTERM)
            assert calls == []
        assert calls == [signal.SIGTERM]
    finally:
        signal.signal(signal.SIGTERM, previous)
