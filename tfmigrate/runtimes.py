"""The reference runtime: TensorFlow 2.15.1, for originals that today's TensorFlow cannot run.

TensorFlow 2.16 removed ``tf.estimator`` and made ``tf.keras`` Keras 3, which
has no ``tf.layers``. TensorFlow 2.15.1 is the last release with both, and it
still runs TF1 code through ``tensorflow.compat.v1``. ``verify`` runs such an
original there: in a virtual environment that it creates on first use
(``python -m venv`` and ``pip install tensorflow-cpu==2.15.1``, about 1.3 GB,
a minute or two) and keeps in a cache folder:

1. ``--reference-runtime PATH``, else
2. ``$TFMIGRATE_REFERENCE_RUNTIME``, else
3. ``$XDG_CACHE_HOME/tfmigrate/runtimes/tf-2.15`` (``~/.cache`` when unset).

The runtime is built in a sibling folder and renamed into place when done,
under a lock file beside it: two ``verify`` runs never build it twice nor
see half of it. TensorFlow 2.15 has wheels for Python 3.9-3.11: the venv is
made with the Python running tfmigrate when it is one of those, else with
``$TFMIGRATE_REFERENCE_PYTHON`` or the first ``python3.11``, ``python3.10``,
``python3.9`` on PATH.
"""
from __future__ import annotations

import ast
import contextlib
import glob
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from typing import Callable, Optional, Sequence, Tuple

TF_VERSION = "2.15.1"
RUNTIME_NAME = "tf-2.15"
PYTHONS = ((3, 9), (3, 10), (3, 11))  # those TensorFlow 2.15.1 has wheels for
PYTHON_NAMES = ("python3.11", "python3.10", "python3.9")
LOCATION_VARIABLE = "TFMIGRATE_REFERENCE_RUNTIME"
PYTHON_VARIABLE = "TFMIGRATE_REFERENCE_PYTHON"
MARKER = "tfmigrate-runtime.json"
# Errors of an original on TensorFlow >= 2.16 that the reference runtime does not have.
TELLTALE_ERRORS = ("has no attribute 'estimator'", "is not available with Keras 3",
                   "No module named 'tensorflow_estimator'", "Keras 3 has no support for TF 1",
                   "model_to_estimator function not available")


class RuntimeUnavailable(Exception):
    """The reference runtime cannot be had here: the message (one line) says why and what to do."""


def requirement() -> str:
    """The pip requirement of the reference TensorFlow on this platform."""
    if sys.platform.startswith(("linux", "win")) and platform.machine().lower() in ("x86_64", "amd64"):
        return f"tensorflow-cpu=={TF_VERSION}"  # no CUDA libraries: a third of the size
    return f"tensorflow=={TF_VERSION}"


def default_location() -> str:
    """Where the runtime lives unless --reference-runtime says otherwise."""
    if os.environ.get(LOCATION_VARIABLE):
        return os.path.abspath(os.path.expanduser(os.environ[LOCATION_VARIABLE]))
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(os.path.abspath(cache), "tfmigrate", "runtimes", RUNTIME_NAME)


def python_in(venv: str) -> str:
    if os.name == "nt":
        return os.path.join(venv, "Scripts", "python.exe")
    return os.path.join(venv, "bin", "python")


def python_version(executable: str) -> Optional[Tuple[int, int]]:
    """(major, minor) of an interpreter, None when it does not run."""
    if os.path.abspath(executable) == os.path.abspath(sys.executable):
        return sys.version_info[:2]
    try:
        done = subprocess.run([executable, "-c", "import sys; print(*sys.version_info[:2])"],
                              capture_output=True, text=True, timeout=60)
        major, minor = done.stdout.split()
        return int(major), int(minor)
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return None


def base_python(candidates: Optional[Sequence[str]] = None) -> str:
    """An interpreter TensorFlow 2.15 installs on; RuntimeUnavailable when there is none."""
    if candidates is None:
        chosen = os.environ.get(PYTHON_VARIABLE)
        candidates = [chosen] if chosen else [sys.executable] + [p for p in map(shutil.which, PYTHON_NAMES) if p]
    tried = []
    for candidate in candidates:
        version = python_version(candidate)
        if version in PYTHONS:
            return candidate
        tried.append(f"{candidate} is {'.'.join(map(str, version)) if version else 'not runnable'}")
    raise RuntimeUnavailable(
        f"the TensorFlow {TF_VERSION} reference runtime needs Python 3.9-3.11, which TensorFlow {TF_VERSION} has "
        f"wheels for ({'; '.join(tried)}): install python3.11 or name one in ${PYTHON_VARIABLE}")


@contextlib.contextmanager
def _locked(path: str, log: Callable[[str], None]):
    """Hold an exclusive lock on the file `path` (created if needed) until the block ends."""
    handle = open(path, "a+")
    try:
        try:
            import fcntl
        except ImportError:  # Windows
            import msvcrt

            while True:
                try:
                    msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
                    break
                except OSError:
                    time.sleep(1)
            yield
            return
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            log(f"tfmigrate: waiting for another tfmigrate that is creating {os.path.dirname(path)} ...")
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        yield
    finally:
        handle.close()  # closing releases the lock


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def ensure_runtime(location: Optional[str] = None, requirements: Optional[Sequence[str]] = None,
                   log: Callable[[str], None] = _stderr, python: Optional[str] = None) -> str:
    """The interpreter of the reference runtime at `location`, created first if it is not there.

    `requirements` (default: the reference TensorFlow) are pip-installed into
    a new venv made with `python` (default: ``base_python()``). Progress goes
    to `log` and pip's own output to stderr. Raises RuntimeUnavailable.
    """
    location = os.path.abspath(location or default_location())
    interpreter = python_in(location)
    if os.path.exists(interpreter):
        return interpreter
    if os.path.exists(location):
        raise RuntimeUnavailable(f"{location} exists but is not a virtual environment (no {interpreter})")
    requirements = [requirement()] if requirements is None else list(requirements)
    try:
        os.makedirs(os.path.dirname(location), exist_ok=True)
        with _locked(location + ".lock", log):
            if os.path.exists(interpreter):
                return interpreter  # another run made it while this one waited
            _build(location, requirements, log, python or base_python())
    except OSError as error:
        raise RuntimeUnavailable(f"cannot create the reference runtime in {location}: {error}") from None
    return interpreter


def _build(location: str, requirements: Sequence[str], log: Callable[[str], None], python: str) -> None:
    """Make the venv in a sibling folder, install into it, and rename it into place (under the lock)."""
    for stale in glob.glob(glob.escape(location) + ".tmp-*"):  # left by a run that was killed
        shutil.rmtree(stale, ignore_errors=True)
    staging = f"{location}.tmp-{os.getpid()}"
    what = " ".join(requirements) or "nothing"
    log(f"tfmigrate: creating the reference runtime in {location} ({what}; once, a minute or two) ...")
    start = time.monotonic()
    try:
        steps = [([python, "-m", "venv", staging] + ([] if requirements else ["--without-pip"]), "python -m venv")]
        if requirements:
            pip = [python_in(staging), "-m", "pip", "install", "--disable-pip-version-check", *requirements]
            steps.append((pip, f"pip install {what}"))
        for command, name in steps:
            code = subprocess.run(command, stdout=sys.stderr, stdin=subprocess.DEVNULL).returncode
            if code != 0:
                raise RuntimeUnavailable(f"cannot create the reference runtime in {location}: {name} failed "
                                         f"(exit {code}; its messages are above)")
        with open(os.path.join(staging, MARKER), "w", encoding="utf-8") as handle:
            json.dump({"requirements": list(requirements), "python": python}, handle)
        os.rename(staging, location)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    log(f"tfmigrate: reference runtime ready in {time.monotonic() - start:.0f} s: {location}")


def add_module(location: str, module: str, log: Callable[[str], None] = _stderr) -> str:
    """Install into the runtime at `location` the package that gives `module` here (pandas for an original
    that imports it): the version this environment has, else the newest that fits, with every package the
    runtime has kept at its version. What it installed (``pandas==3.0.6``); RuntimeUnavailable (one line)
    when this environment does not have the module either or pip cannot install it."""

    from importlib import metadata

    top = module.split(".")[0]
    names = metadata.packages_distributions().get(top)
    if not names:
        raise RuntimeUnavailable(f"the module '{top}' is not installed here either")
    name, python = names[0], python_in(location)
    pinned = f"{name}=={metadata.version(name)}"
    with _locked(location + ".lock", log), tempfile.TemporaryDirectory() as folder:
        frozen = subprocess.run([python, "-m", "pip", "freeze", "--disable-pip-version-check"],
                                capture_output=True, text=True, stdin=subprocess.DEVNULL)
        if frozen.returncode != 0:
            raise RuntimeUnavailable(f"cannot install {name} into the reference runtime in {location}: it has no "
                                     f"pip (pip freeze: exit {frozen.returncode})")
        constraints = os.path.join(folder, "constraints.txt")
        with open(constraints, "w", encoding="utf-8") as handle:  # what it has stays as it is
            handle.writelines(line + "\n" for line in frozen.stdout.splitlines() if "==" in line)
        for requirement in (pinned, name):
            log(f"tfmigrate: installing {requirement} into the reference runtime in {location} (the original "
                f"imports {top}, which this environment has) ...")
            command = [python, "-m", "pip", "install", "--disable-pip-version-check", "-c", constraints, requirement]
            if subprocess.run(command, stdout=sys.stderr, stdin=subprocess.DEVNULL).returncode == 0:
                asked = [python, "-c", "import importlib.metadata as m, sys; print(m.version(sys.argv[1]))", name]
                version = subprocess.run(asked, capture_output=True, text=True).stdout.strip()
                return f"{name}=={version}" if version else requirement
    raise RuntimeUnavailable(f"pip cannot install {name} into the reference runtime in {location} beside its "
                             f"TensorFlow {TF_VERSION} (its messages are above): {python} -m pip install {name}")


# ----------------------------------------------------------------------------
# Which originals need it.

def _dotted(node: ast.AST) -> Optional[str]:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return ".".join([node.id, *reversed(parts)])
    return None


def _api_path(full: str) -> Optional[str]:
    """`tensorflow.compat.v1.estimator.Estimator` -> `estimator.Estimator`; None outside TensorFlow."""
    if full == "tensorflow_estimator" or full.startswith("tensorflow_estimator."):
        return "estimator"
    if full != "tensorflow" and not full.startswith("tensorflow."):
        return None
    path = full[len("tensorflow."):] if full != "tensorflow" else ""
    for prefix in ("compat.v1.", "compat.v2."):
        if path.startswith(prefix):
            path = path[len(prefix):]
    return path


def _uses(path: str, tf_keras: bool) -> Optional[str]:
    first = path.split(".", 1)[0]
    if first == "estimator":
        return "it uses tf.estimator, which TensorFlow 2.16 removed"
    if path == "keras.estimator" or path.startswith("keras.estimator."):
        return "it uses tf.keras.estimator, whose Estimators TensorFlow 2.16 removed"
    if first == "layers" and not tf_keras:
        return "it uses tf.layers, which needs Keras 2 (tf-keras is not installed here)"
    return None


def reference_reason(source: str, tf_keras: bool = True) -> Optional[str]:
    """Why `source` needs TensorFlow 2.15 (`it uses tf.estimator, ...`), or None when it does not.

    `tf_keras`: whether Keras 2 (tf-keras) is installed beside today's TensorFlow.
    """
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    aliases = {}  # local name -> the tensorflow module path it stands for
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    aliases[alias.asname] = alias.name
                else:
                    aliases[alias.name.split(".")[0]] = alias.name.split(".")[0]
                path = _api_path(alias.name)
                reason = path is not None and _uses(path, tf_keras)
                if reason:
                    return reason
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                aliases[alias.asname or alias.name] = full
                path = _api_path(full)
                reason = path is not None and _uses(path, tf_keras)
                if reason:
                    return reason
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            dotted = _dotted(node)
            root = dotted.split(".", 1)[0] if dotted else None
            if root in aliases:
                path = _api_path(aliases[root] + dotted[len(root):])
                reason = path is not None and _uses(path, tf_keras)
                if reason:
                    return reason
    return None


def telltale(error: Optional[str]) -> bool:
    """Whether a failed run's last error line says it needs TensorFlow <= 2.15."""
    return bool(error) and any(text in error for text in TELLTALE_ERRORS)
