"""The result cache: a file's findings, keyed by everything that decides them.

The key is a hash of the file's bytes, its path, tfmigrate's version (and
the state of its rule and engine modules), and the effective configuration.
An unchanged tree is then checked without parsing anything.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import tempfile
from typing import Optional

from . import __version__
from .ftypes import Applicability, Edit, FileReport, Finding, Fix, Position, Status

FORMAT = 3  # 2: each finding's verdict; 3: the file's mode and imports (project.py)
_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# This file marks a cache folder (tfmigrate).\n"


@functools.lru_cache(maxsize=1)
def _code_state() -> str:
    """Sizes and mtimes of tfmigrate's own modules: an edited rule invalidates the cache."""
    here = os.path.dirname(os.path.abspath(__file__))
    from . import rules as rules_package  # noqa: F401  (tfmigrate.rules)

    folders = [here, *getattr(rules_package, "__path__", [])]
    parts = [__version__, str(FORMAT)]
    for folder in folders:
        for root, _, names in os.walk(folder):
            for name in sorted(names):
                if name.endswith((".py", ".json")):
                    stat = os.stat(os.path.join(root, name))
                    parts.append(f"{name}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def key(path: str, raw: bytes, options) -> str:
    config = options.config
    fingerprint = config.fingerprint() if hasattr(config, "fingerprint") else repr(config)
    digest = hashlib.sha256()
    for part in (_code_state(), fingerprint, str(options.unsafe_fixes), str(options.fix), path,
                 repr(options.blocker(path)), repr(options.merged_text(path))):
        digest.update(part.encode("utf-8", "surrogateescape"))
        digest.update(b"\0")
    digest.update(raw)
    return digest.hexdigest()


def _entry(cache_dir: str, digest: str) -> str:
    return os.path.join(cache_dir, f"v{FORMAT}", digest[:2], digest[2:] + ".json")


def get(cache_dir: str, path: str, raw: bytes, options) -> Optional[FileReport]:
    try:
        with open(_entry(cache_dir, key(path, raw, options)), encoding="utf-8") as handle:
            return _load(json.load(handle))
    except (OSError, ValueError, KeyError, TypeError):
        return None  # a missing or damaged entry is a miss


def put(cache_dir: str, path: str, raw: bytes, options, report: FileReport) -> None:
    target = _entry(cache_dir, key(path, raw, options))
    try:
        _prepare(cache_dir)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=os.path.dirname(target), prefix=".", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(_dump(report), handle, separators=(",", ":"))
            os.replace(temp, target)
        except BaseException:
            if os.path.exists(temp):
                os.unlink(temp)
            raise
    except OSError:
        pass  # a cache that cannot be written only costs time


def _prepare(cache_dir: str) -> None:
    if os.path.isdir(cache_dir):
        return
    os.makedirs(cache_dir, exist_ok=True)
    with open(os.path.join(cache_dir, "CACHEDIR.TAG"), "w") as handle:
        handle.write(_TAG)
    with open(os.path.join(cache_dir, ".gitignore"), "w") as handle:
        handle.write("# Created by tfmigrate.\n*\n")


def clear(cache_dir: str) -> bool:
    if not os.path.isdir(cache_dir):
        return False
    shutil.rmtree(cache_dir)
    return True


def _dump(report: FileReport) -> dict:
    return {
        "path": report.path,
        "status": report.status.value,
        "unsafe_available": report.unsafe_available,
        "findings": [_dump_finding(f) for f in report.findings],
        "mode": report.mode,
        "mode_reason": report.mode_reason,
        "imports": [list(i) for i in report.imports or ()],
    }


def _dump_finding(f: Finding) -> dict:
    fix = None
    if f.fix is not None:
        fix = {
            "applicability": f.fix.applicability.value,
            "message": f.fix.message,
            "edits": [[e.start.line, e.start.column, e.end.line, e.end.column, e.content] for e in f.fix.edits],
        }
    return {
        "code": f.code, "message": f.message, "start": [f.start.line, f.start.column],
        "end": [f.end.line, f.end.column], "fix": fix, "cell": f.cell, "source_line": f.source_line,
        "verdict": f.verdict.value if f.verdict is not None else None,
    }


def _load(data: dict) -> FileReport:
    findings = []
    for item in data["findings"]:
        fix = None
        if item["fix"] is not None:
            edits = tuple(Edit(Position(a, b), Position(c, d), text) for a, b, c, d, text in item["fix"]["edits"])
            fix = Fix(Applicability(item["fix"]["applicability"]), item["fix"]["message"], edits)
        verdict = Status(item["verdict"]) if item["verdict"] is not None else None
        findings.append(Finding(item["code"], item["message"], data["path"], Position(*item["start"]),
                                Position(*item["end"]), fix, item["cell"], item["source_line"], verdict))
    report = FileReport(data["path"], findings=findings, status=Status(data["status"]))
    report.unsafe_available = data["unsafe_available"]
    report.mode = data["mode"]
    report.mode_reason = data["mode_reason"]
    report.imports = tuple((level, name) for level, name in data["imports"])
    return report
