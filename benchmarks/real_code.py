"""Measure tfmigrate on real TensorFlow 1 code: what `fix --unsafe-fixes` leaves, checked against TF 2.21.

    python benchmarks/real_code.py /work/corpus/real /work/corpus/tutorials /work/corpus/estimator
    python benchmarks/real_code.py --json out.json --run /work/corpus/tutorials

Each argument is a set: a folder whose sub-folders are repositories. For each set the script
copies the set to a temporary folder, runs `tfmigrate check --output-format json` on the
originals, `tfmigrate fix --unsafe-fixes` on the copy and `tfmigrate check --output-format json`
on the result, and then asks the installed TensorFlow (one child process for the whole run) whether
every TensorFlow name in each fixed file resolves. See benchmarks/README.md.

A "TF1 file" is a .py file that Python 3 parses, imports tensorflow, and names at least one
TF1-only API (TF1_PATTERNS below, matched on the dotted name with `tensorflow.` and
`tensorflow.compat.v1.` taken off) or imports `tensorflow.compat.v1` / `tensorflow.contrib`.
"""
from __future__ import annotations

import argparse
import ast
import collections
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Tuple

TF1_PATTERNS = [
    r"(sparse_)?placeholder(_with_default)?", r"(Interactive)?Session", r"variable_scope", r"get_variable(_scope)?",
    r"AUTO_REUSE", r"contrib(\..*)?", r"train\.\w+Optimizer", r"layers\..*", r"app\..*", r"flags\..*",
    r"estimator(\..*)?", r"\w*(FIFO|Shuffle|Priority)Queue", r"train\.\w*(input_producer|batch\w*|[Qq]ueue\w*)",
    r"train\.(Saver|Supervisor|MonitoredTrainingSession|Coordinator|SummaryWriter|import_meta_graph|"
    r"get_or_create_global_step|get_global_step|create_global_step|Scaffold|SessionRunHook|\w+Hook)",
    r"(global|local|all|initialize_all|initialize_local|trainable|model)_variables(_initializer)?",
    r"variables_initializer", r"(get|add_to|get_collection_ref)_collection\w*", r"GraphKeys(\..*)?",
    r"summary\.(FileWriter|merge_all|merge)", r"Print", r"(reset|get)_default_graph",
    r"losses\.(softmax_cross_entropy|sparse_softmax_cross_entropy|sigmoid_cross_entropy|absolute_difference|log_loss"
    r"|hinge_loss|huber_loss|get_\w+|add_loss|compute_weighted_loss|cosine_distance|mean_pairwise_squared_error)",
    r"metrics\.(accuracy|auc|precision|recall|mean|mean_iou|root_mean_squared_error|\w+_at_\w+|false_\w+|true_\w+"
    r"|mean_\w+)",
    r"nn\.rnn_cell\..*", r"nn\.(dynamic_rnn|static_rnn|bidirectional_dynamic_rnn)", r"logging\..*", r"gfile\..*",
    r"python_io\..*", r"(ConfigProto|GPUOptions|RunOptions|RunMetadata)", r"set_random_seed",
    r"(random_normal|random_uniform|truncated_normal|to_float|to_int32|to_int64|log|div|mod)",
    r"(initialize_all_tables|tables_initializer|assign|assign_add|py_func|sparse_to_dense)",
]
_TF1_RE = re.compile("^(?:" + "|".join(TF1_PATTERNS) + ")$")
_SUFFIX_RE = re.compile(r"^[A-Za-z_]\w*?_\d+$")
GONE_PARTS = {"contrib", "estimator"}
_ESTIMATOR_RE = re.compile(r"(^|\.)(estimator|feature_column)(\.|$)|numpy_input_fn")
VERIFY_TIMEOUT = 120.0
# A program that fetches its data cannot run here (no network): not run, counted as "needs a download".
_DOWNLOAD_RE = re.compile(rb"read_data_sets|\.load_data\(|urlretrieve|urlopen|requests\.get|get_file\(|maybe_download"
                          rb"|wget|tfds\.load|download\(")


# --- references: every TensorFlow name a file uses -------------------------------------------

@dataclass(frozen=True)
class Ref:
    line: int
    end_line: int
    base: str  # the module an import binds, e.g. "tensorflow.compat.v1"
    parts: Tuple[str, ...]  # attributes after it
    mode: str  # "import": `import base`; "from": `from base import parts[0]`; "attr": alias.parts

    @property
    def key(self) -> str:
        return f"{self.mode}|{self.base}|{'.'.join(self.parts)}"

    @property
    def dotted(self) -> str:
        return ".".join((self.base,) + self.parts)


def _is_tf(module: Optional[str]) -> bool:
    return bool(module) and (module == "tensorflow" or module.startswith("tensorflow."))


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


def _scope_roots(scope: ast.AST) -> List[ast.AST]:
    return [scope.body] if isinstance(scope, ast.Lambda) else list(scope.body)


def _outer_parts(fn: ast.AST) -> List[ast.AST]:
    """What of a function belongs to the enclosing scope: decorators, defaults, annotations."""
    args = fn.args
    out = list(args.defaults) + [d for d in args.kw_defaults if d is not None]
    if not isinstance(fn, ast.Lambda):
        out += list(fn.decorator_list) + ([fn.returns] if fn.returns else [])
        every = args.posonlyargs + args.args + args.kwonlyargs + [a for a in (args.vararg, args.kwarg) if a]
        out += [a.annotation for a in every if a.annotation is not None]
    return out


def _scope_nodes(scope: ast.AST) -> Iterable[ast.AST]:
    """The nodes of one scope (module or function); a nested function's own body is its scope."""
    stack = _scope_roots(scope)
    while stack:
        node = stack.pop()
        yield node
        stack.extend(_outer_parts(node) if isinstance(node, _SCOPES) else ast.iter_child_nodes(node))


def tf_references(tree: ast.AST) -> List[Ref]:
    """Import statements of tensorflow and every dotted chain rooted at a name they bind.

    Imports bind in their own scope: a function's `import tensorflow as tf` does not change what
    `tf` is at module level. Within a scope the last import of a name before the line wins.
    """
    refs: List[Ref] = []

    def bindings_of(scope: ast.AST) -> Dict[str, List[Tuple[int, str]]]:
        out: Dict[str, List[Tuple[int, str]]] = collections.defaultdict(list)
        for node in _scope_nodes(scope):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                end = node.end_lineno or node.lineno
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if _is_tf(alias.name):
                        refs.append(Ref(node.lineno, end, alias.name, (), "import"))
                        if alias.asname:
                            out[alias.asname].append((node.lineno, alias.name))
                        else:
                            out["tensorflow"].append((node.lineno, "tensorflow"))
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and _is_tf(node.module):
                for alias in node.names:
                    if alias.name == "*":
                        refs.append(Ref(node.lineno, end, node.module, (), "import"))
                        continue
                    refs.append(Ref(node.lineno, end, node.module, (alias.name,), "from"))
                    out[alias.asname or alias.name].append((node.lineno, f"{node.module}.{alias.name}"))
        return {k: sorted(v) for k, v in out.items()}

    def lookup(name: str, line: int, chain: List[Dict[str, List[Tuple[int, str]]]]) -> Optional[str]:
        for bindings in reversed(chain):
            if name in bindings:
                before = [base for lineno, base in bindings[name] if lineno <= line]
                return before[-1] if before else bindings[name][0][1]
        return None

    def visit(scope: ast.AST, chain: List[Dict[str, List[Tuple[int, str]]]]) -> None:
        chain = chain + [bindings_of(scope)]
        inner = set()
        nested = []
        for node in _scope_nodes(scope):
            if isinstance(node, _SCOPES):
                nested.append(node)
            if not isinstance(node, ast.Attribute) or id(node) in inner:
                continue
            parts: List[str] = []
            cur: ast.AST = node
            while isinstance(cur, ast.Attribute):
                parts.append(cur.attr)
                inner.add(id(cur))
                cur = cur.value
            if isinstance(cur, ast.Name):
                base = lookup(cur.id, node.lineno, chain)
                if base is not None:
                    refs.append(Ref(node.lineno, node.end_lineno or node.lineno, base, tuple(reversed(parts)), "attr"))
        for node in nested:
            visit(node, chain)

    visit(tree, [])
    return refs


def short_name(dotted: str) -> str:
    """`tensorflow.compat.v1.layers.dense` -> `tf.compat.v1.layers.dense`."""
    return "tf" + dotted[len("tensorflow"):] if dotted.startswith("tensorflow") else dotted


def name_group(name: str) -> str:
    """`tf.compat.v1.layers.dense` -> `tf.compat.v1.layers`, `tf.contrib.rnn.LSTMCell` -> `tf.contrib.rnn`."""
    head = "tf.compat.v1." if name.startswith("tf.compat.v1.") else "tf." if name.startswith("tf.") else ""
    tail = name[len(head):].split(".")
    return head + ".".join(tail[:2 if tail[0] in ("contrib", "keras") else 1])


def api_tail(dotted: str) -> Tuple[str, bool]:
    """(the name without `tensorflow.` / `tensorflow.compat.v1.`, whether it went through compat.v1)."""
    rest = dotted[len("tensorflow."):] if dotted.startswith("tensorflow.") else ""
    if rest.startswith("compat.v1.") or rest == "compat.v1":
        return rest[len("compat.v1."):], True
    return rest, False


def is_tf1_file(refs: List[Ref]) -> bool:
    for ref in refs:
        tail, compat = api_tail(ref.dotted)
        if compat or tail.startswith("contrib") or _TF1_RE.match(tail):
            return True
    return False


# --- resolving names against the installed TensorFlow ------------------------------------------

_CHILD = r'''
import importlib, json, os, sys, types
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tensorflow
requests = json.load(sys.stdin)
out = {}

def resolve(mode, base, parts):
    """(status, failing prefix, message); status "ok" or "fail"."""
    names = base.split(".")
    try:
        obj = importlib.import_module(names[0])
    except Exception as e:
        return "fail", names[0], f"{type(e).__name__}: {e}"
    done = [names[0]]
    for name in names[1:]:  # an import statement: submodules are imported
        done.append(name)
        try:
            obj = importlib.import_module(".".join(done))
        except Exception as e:
            try:
                obj = getattr(obj, name)
            except Exception:
                return "fail", ".".join(done), f"{type(e).__name__}: {e}"
    for i, name in enumerate(parts):
        if not isinstance(obj, types.ModuleType):
            break  # past the first non-module object the chain is the object's own attributes
        done.append(name)
        try:
            obj = getattr(obj, name)
        except Exception as e:
            if mode == "from" and i == 0:
                try:
                    obj = importlib.import_module(".".join(done))
                    continue
                except Exception:
                    pass
            return "fail", ".".join(done), f"{type(e).__name__}: {e}"
    return "ok", "", ""

for key in requests:
    mode, base, parts = key.split("|")
    try:
        out[key] = resolve(mode, base, parts.split(".") if parts else [])
    except BaseException as e:
        out[key] = ("fail", base, f"{type(e).__name__}: {e}")
json.dump(out, sys.stdout)
'''


def _run_child(keys: List[str], legacy: bool, python: str) -> Dict[str, list]:
    env = {k: v for k, v in os.environ.items() if k != "TF_USE_LEGACY_KERAS"}
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    if legacy:
        env["TF_USE_LEGACY_KERAS"] = "1"
    with tempfile.TemporaryDirectory() as empty:  # -I and an empty folder: no stray module shadows the stdlib
        done = subprocess.run([python, "-I", "-c", _CHILD], input=json.dumps(keys), capture_output=True, text=True,
                              env=env, cwd=empty)
    if done.returncode != 0:
        raise SystemExit(f"error: the TensorFlow child failed: {done.stderr.strip().splitlines()[-1:]}")
    return json.loads(done.stdout)


def _versions(python: str) -> Dict[str, str]:
    code = ("import importlib.metadata as m, json\nout = {}\n"
            "for d in ('tensorflow', 'tensorflow-cpu', 'keras', 'tf-keras'):\n"
            "    try: out[d] = m.version(d)\n    except Exception: pass\nprint(json.dumps(out))")
    with tempfile.TemporaryDirectory() as empty:
        done = subprocess.run([python, "-I", "-c", code], capture_output=True, text=True, cwd=empty)
    return json.loads(done.stdout or "{}")


def category(dotted_fail: str, message: str, legacy_ok: Optional[bool]) -> str:
    """gone (contrib, estimator), keras2-only (resolves only with tf-keras), or missing."""
    parts = dotted_fail.split(".")
    if parts[-1] in GONE_PARTS or "contrib" in parts:
        return "gone"
    if legacy_ok:
        return "keras2-only"
    if legacy_ok is None and "not available with Keras 3" in message:
        return "keras2-only"
    return "missing"


class Resolver:
    """Ground truth from the installed TensorFlow; answers cached per TensorFlow/Keras version."""

    def __init__(self, python: str, cache_path: Optional[str]) -> None:
        self.python = python
        self.versions = _versions(python)
        self.cache_path = cache_path
        self.answers: Dict[str, list] = {}
        self.legacy_measured = "tf-keras" in self.versions
        tag = json.dumps(self.versions, sort_keys=True)
        if cache_path and os.path.exists(cache_path):
            try:
                data = json.load(open(cache_path))
                if data.get("versions") == tag:
                    self.answers = data["answers"]
            except (OSError, ValueError, KeyError):
                pass
        self.tag = tag
        self.child_runs = 0

    def resolve(self, keys: Iterable[str]) -> None:
        todo = sorted(set(keys) - set(self.answers))
        if not todo:
            return
        first = _run_child(todo, legacy=False, python=self.python)
        self.child_runs += 1
        failed = [k for k in todo if first[k][0] != "ok"]
        second = {}
        if failed and self.legacy_measured:
            second = _run_child(failed, legacy=True, python=self.python)
            self.child_runs += 1
        for key in todo:
            status, where, message = first[key]
            if status == "ok":
                self.answers[key] = ["ok", "", ""]
            else:
                legacy_ok = (second.get(key, ["fail"])[0] == "ok") if self.legacy_measured else None
                self.answers[key] = [category(where, message, legacy_ok), where, message[:200]]
        if self.cache_path:
            os.makedirs(os.path.dirname(self.cache_path), exist_ok=True)
            tmp = f"{self.cache_path}.{os.getpid()}.tmp"
            with open(tmp, "w") as f:
                json.dump({"versions": self.tag, "answers": self.answers}, f)
            os.replace(tmp, self.cache_path)

    def answer(self, ref: Ref) -> Tuple[str, str, str]:
        return tuple(self.answers[ref.key])  # type: ignore[return-value]


# --- findings and statuses -----------------------------------------------------------------------

def file_status(had_findings: bool, status_after: str) -> str:
    """The status `fix --unsafe-fixes` reached: the fixed file's own status, and a file whose findings
    were all fixed away (clean now) is idiomatic."""
    if not had_findings:
        return "clean"
    return "idiomatic" if status_after == "clean" else status_after


def _check_one(path: str, blocker=None) -> tuple:
    """`tfmigrate check` of one fixed file: (path, status, findings, error, report).

    The status is the one `fix --unsafe-fixes` gives a file it leaves in this state: the engine's
    `_status` over every finding left, each with its own verdict (the fix re-checks its final text
    the same way). `check`'s own per-file status is a prediction that leaves out fixable findings
    without a verdict, and the command prints statuses only as totals. ``blocker``: what the run
    as a whole says of the file's imports (`check_in_process`).
    """
    from tfmigrate import engine
    from tfmigrate.api import Job, process_file
    from tfmigrate.options import Options
    from tfmigrate.sources import read_source

    options = Options(blockers={path: blocker} if blocker else None)
    report = process_file(path, Job(options))
    findings = [{"code": f.code, "message": f.message, "location": {"row": f.start.line},
                 "end_location": {"row": f.end.line}} for f in report.findings]
    status = report.status.value
    if report.error is None and report.findings:
        text = read_source(path).text
        lines = engine._lines(text)
        found = engine._apply_suppressions(
            engine._lint(engine.parse(text), path, options.active_rules(path), lines, text, blocker), lines, path,
            True, lambda code: options.config.is_enabled(code, path))
        status = engine._status(found).value if found else "clean"
    report.findings = []  # only the facts the run as a whole needs go back
    return path, status, findings, report.error.reason if report.error else "", report


def _check_blocked(item) -> tuple:
    return _check_one(*item)


def check_in_process(paths: List[str], jobs: int) -> Dict[str, Tuple[str, List[dict], str]]:
    """`_check_one` of each file, as `tfmigrate check` of them all does: a file importing one kept
    on tensorflow.compat.v1 is checked again knowing it (tfmigrate/project.py)."""
    import multiprocessing

    from tfmigrate.api import Job, project_verdicts
    from tfmigrate.options import Options

    jobs = jobs or os.cpu_count() or 1
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        done = {path: rest for path, *rest in pool.imap_unordered(_check_one, paths, chunksize=2)}
        blockers, _ = project_verdicts([rest[-1] for rest in done.values()], Job(Options()), jobs)
        done.update({path: rest for path, *rest in pool.imap_unordered(_check_blocked, blockers.items())})
    return {path: tuple(rest[:-1]) for path, rest in done.items()}


def group_message(message: str) -> str:
    """A finding's message with its specifics (names, numbers) taken out, to group alike ones."""
    text = re.sub(r"`[^`]*`", "`…`", message)
    text = re.sub(r"\b(class|graph tensor|placeholder) \w+", r"\1 …", text)
    text = re.sub(r"\bsession \w+ is used", "session … is used", text)
    text = re.sub(r"^(kept on tensorflow\.compat\.v1: )\w+ (\(a train op|is fetched)", r"\1… \2", text)
    text = re.sub(r"\btf(\.\w+)+", "tf.…", text)
    return re.sub(r"(?<!TensorFlow )\b\d+\b", "N", text)


# --- readability -------------------------------------------------------------------------------------

def identifiers(tree: ast.AST) -> set:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
    return names


def new_suffixed_names(original: ast.AST, fixed: ast.AST) -> List[str]:
    """Names like `optimizer_2` in the rewrite that the original did not have."""
    before = identifiers(original)
    return sorted(n for n in identifiers(fixed) - before if _SUFFIX_RE.match(n))


def max_repeated_signature(tree: ast.AST) -> int:
    """How often the most repeated `input_signature=` value written out occurs in one file
    (`input_signature=SIGNATURE`, a constant the rewrite shares, repeats no signature)."""
    seen: collections.Counter = collections.Counter()
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == "input_signature" and not isinstance(
                node.value.value if isinstance(node.value, ast.Subscript) else node.value, ast.Name):
            seen[ast.unparse(node.value)] += 1
    return max(seen.values(), default=0)


# --- one set ---------------------------------------------------------------------------------------

@dataclass
class FileResult:
    repo: str
    path: str  # relative to the set
    parsed: bool = True
    tf1: bool = False
    status: str = ""
    fix_error: str = ""
    fixed_parses: bool = True
    names: int = 0
    unresolved: List[dict] = field(default_factory=list)  # {line, name, fail, category, silent}
    suffixed: List[str] = field(default_factory=list)
    max_signature: int = 0
    estimator_left: List[str] = field(default_factory=list)
    uses_estimator: bool = False
    left_codes: List[str] = field(default_factory=list)
    left_messages: List[Tuple[str, str]] = field(default_factory=list)
    left_lines: List[Tuple[int, int]] = field(default_factory=list)
    verify: Optional[dict] = None

    @property
    def all_resolve(self) -> bool:
        return self.fixed_parses and not self.unresolved

    @property
    def resolve_with_keras2(self) -> bool:
        return self.fixed_parses and all(u["category"] == "keras2-only" for u in self.unresolved)


def _tfmigrate(args: List[str], cwd: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tfmigrate"] + args, capture_output=True, text=True, cwd=cwd)


def _findings_by_file(report: str, root: str) -> Tuple[Dict[str, List[dict]], Dict[str, str]]:
    findings: Dict[str, List[dict]] = collections.defaultdict(list)
    errors: Dict[str, str] = {}
    for entry in json.loads(report or "[]"):
        rel = os.path.relpath(os.path.abspath(entry["filename"]), root)
        if entry.get("error"):
            errors[rel] = entry["message"]
        else:
            findings[rel].append(entry)
    return findings, errors


def _parse(path: str) -> Optional[ast.AST]:
    try:
        with open(path, "rb") as f:
            return ast.parse(f.read(), filename=path)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _py_files(root: str) -> List[str]:
    out = []
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        out += [os.path.relpath(os.path.join(folder, f), root) for f in sorted(files) if f.endswith(".py")
                and os.path.exists(os.path.join(folder, f))]  # (a symbolic link to nothing is no file)
    return out


def _dangling(folder: str, names: List[str]) -> List[str]:
    """The symbolic links in ``folder`` whose target does not exist: a copy leaves them out (shutil's own
    ``ignore_dangling_symlinks`` resolves a relative link from the working folder, and drops good ones)."""
    return [n for n in names if os.path.islink(os.path.join(folder, n)) and not os.path.exists(os.path.join(folder, n))]


_TF_TEXT = re.compile(rb"^\s*(import|from)\s+tensorflow\b", re.M)


def measure_set(set_dir: str, work: str, resolver: Resolver, cache_dir: Optional[str], jobs: int, log) -> dict:
    name = os.path.basename(os.path.normpath(set_dir))
    copy = os.path.join(work, name)
    # a real copy: `fix` writes into it, and a symbolic link would take the write to the corpus itself
    shutil.copytree(set_dir, copy, symlinks=False, ignore=_dangling)
    common = ["--isolated", "--no-respect-gitignore", "--no-progress", "-j", str(jobs)]
    common += ["--cache-dir", cache_dir] if cache_dir else ["--no-cache"]
    timings = {}
    start = time.monotonic()
    before = _tfmigrate(["check", "--output-format", "json", "--exit-zero"] + common + [set_dir], cwd=work)
    timings["check originals"] = time.monotonic() - start
    start = time.monotonic()
    fixed_run = _tfmigrate(["fix", "--unsafe-fixes"] + common + [copy], cwd=work)
    timings["fix --unsafe-fixes"] = time.monotonic() - start
    orig_findings, orig_errors = _findings_by_file(before.stdout, os.path.abspath(set_dir))
    fix_errors = {}
    for line in (fixed_run.stdout + fixed_run.stderr).splitlines():
        m = re.match(r"^(.*\.py): error: (.*)$", line)
        if m:
            fix_errors[os.path.relpath(os.path.abspath(m.group(1)), os.path.abspath(copy))] = m.group(2)
    migration = re.search(r"Migration: .*", fixed_run.stdout + fixed_run.stderr)

    results: List[FileResult] = []
    trees = {}
    for rel in _py_files(set_dir):
        res = FileResult(rel.split(os.sep, 1)[0], rel)
        results.append(res)
        tree = _parse(os.path.join(set_dir, rel))
        if tree is None:
            res.parsed = False
            with open(os.path.join(set_dir, rel), "rb") as f:
                res.tf1 = bool(_TF_TEXT.search(f.read()))  # for the unparsable count only
            continue
        refs = tf_references(tree)
        res.tf1 = is_tf1_file(refs)
        if res.tf1:
            res.uses_estimator = any(_ESTIMATOR_RE.search(r.dotted) for r in refs)
            trees[rel] = tree
    # `check` of the result, file by file, so that each file's status can be read (the CLI prints totals)
    start = time.monotonic()
    checked = sorted(set(trees) | {r.path for r in results if r.parsed and orig_findings.get(r.path)})
    after = check_in_process([os.path.join(copy, rel) for rel in checked], jobs)
    timings["check result"] = time.monotonic() - start
    log(f"{name}: " + ", ".join(f"{k} {v:.0f} s" for k, v in timings.items()))

    pending: List[Tuple[FileResult, List[Ref]]] = []
    for res in results:
        if os.path.join(copy, res.path) in after:
            res.status = file_status(bool(orig_findings.get(res.path)), after[os.path.join(copy, res.path)][0])
        if res.path not in trees:
            continue
        status_after, left, error_after = after[os.path.join(copy, res.path)]
        res.fix_error = fix_errors.get(res.path, "") or error_after
        res.left_codes = sorted({f["code"] for f in left})
        res.left_messages = [(f["code"], f["message"]) for f in left]
        res.left_lines = [(f["location"]["row"], f["end_location"]["row"]) for f in left]
        fixed_tree = _parse(os.path.join(copy, res.path))
        if fixed_tree is None:
            res.fixed_parses = False
            continue
        res.suffixed = new_suffixed_names(trees[res.path], fixed_tree)
        res.max_signature = max_repeated_signature(fixed_tree)
        pending.append((res, tf_references(fixed_tree)))
    resolver.resolve(r.key for _, refs in pending for r in refs)
    for res, refs in pending:
        res.names = len(refs)
        for ref in refs:
            status, where, message = resolver.answer(ref)
            if _ESTIMATOR_RE.search(ref.dotted) or api_tail(ref.dotted)[1]:
                res.estimator_left.append(f"{ref.line}: {short_name(ref.dotted)}")
            if status == "ok":
                continue
            silent = not any(a <= ref.end_line and ref.line <= b for a, b in res.left_lines)
            res.unresolved.append({"line": ref.line, "name": short_name(ref.dotted), "fail": short_name(where),
                                   "category": status, "silent": silent, "message": message})
    return {"name": name, "dir": os.path.abspath(set_dir), "copy": copy, "files": results, "timings": timings,
            "migration_line": migration.group(0) if migration else "", "fix_exit": fixed_run.returncode}


# --- running the tutorials -----------------------------------------------------------------------

def classify_verify(output: str, code: int) -> str:
    last = output.strip().splitlines()[-1] if output.strip() else ""
    if code == 0:
        return "match"
    if code == 1:
        return "mismatch"
    if "the original did not run: timed out" in last or "neither program ran: the original: timed out" in last:
        return "original times out"
    if "neither program ran" in last or "the original did not run" in last:
        return "original fails"
    if "the rewrite did not run: timed out" in last:
        return "rewrite times out"
    if "the rewrite did not run" in last:
        return "rewrite fails"
    if "neither program printed a number" in last:
        return "no numbers"
    if last.startswith("could not run:"):
        return "could not run here"  # a module the program imports is not installed here
    return "verify error"


def run_tutorials(set_result: dict, work: str, timeout: float, log) -> None:
    """`tfmigrate verify --deterministic` on every TF1 file, the original run from a copy of the set."""
    files = [r for r in set_result["files"] if r.tf1 and r.parsed and r.fixed_parses]
    pristine = os.path.join(work, set_result["name"] + ".originals")
    shutil.copytree(set_result["dir"], pristine, symlinks=False, ignore=_dangling)
    for i, res in enumerate(files, 1):
        original = os.path.join(pristine, res.path)
        with open(original, "rb") as f:
            if _DOWNLOAD_RE.search(f.read()):
                res.verify = {"verdict": "needs a download", "line": "", "seconds": 0.0}
                continue
        rewrite = os.path.join(set_result["copy"], res.path)
        start = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "tfmigrate", "verify", "--deterministic", "--timeout",
                               str(timeout), original, rewrite], capture_output=True, text=True, cwd=work)
        verdict = classify_verify(done.stdout, done.returncode)
        last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr.strip()[-200:]
        res.verify = {"verdict": verdict, "line": last[:300], "seconds": round(time.monotonic() - start, 1)}
        log(f"  verify {i}/{len(files)} {res.path}: {verdict}")


# --- report ----------------------------------------------------------------------------------------------

def _summary(files: List[FileResult]) -> dict:
    tf1 = [r for r in files if r.tf1 and r.parsed]
    statuses = collections.Counter(r.status for r in tf1)
    idiomatic = [r for r in tf1 if r.status == "idiomatic"]
    silent = [u for r in tf1 for u in r.unresolved if u["silent"]]
    silent_lines = {(r.path, u["line"]) for r in tf1 for u in r.unresolved if u["silent"]}
    out = {
        "py_files": len(files),
        "unparsable": sum(1 for r in files if not r.parsed),
        "unparsable_tf": sum(1 for r in files if not r.parsed and r.tf1),
        "tf1_files": len(tf1),
        "status": {s: statuses.get(s, 0) for s in ("idiomatic", "compat-only", "manual", "clean")},
        "all_resolve": sum(1 for r in tf1 if r.all_resolve),
        "resolve_with_keras2": sum(1 for r in tf1 if r.resolve_with_keras2),
        "idiomatic_and_resolve": sum(1 for r in idiomatic if r.all_resolve),
        "fixed_unparsable": sum(1 for r in tf1 if not r.fixed_parses),
        "fix_errors": sum(1 for r in tf1 if r.fix_error),
        "unresolved_lines": len({(r.path, u["line"]) for r in tf1 for u in r.unresolved}),
        "silent_lines": len(silent_lines),
        "silent_by_category": dict(collections.Counter(u["category"] for u in silent)),
        "signature_3x_idiomatic": sum(1 for r in idiomatic if r.max_signature >= 3),
        "new_suffixed_files": sum(1 for r in tf1 if r.suffixed),
        "estimator_files": sum(1 for r in tf1 if r.uses_estimator),
        "estimator_files_left": sum(1 for r in tf1 if r.uses_estimator and r.estimator_left),
    }
    every = collections.Counter(r.status for r in files if r.status and r.status != "clean")
    out["status_every_file"] = {s: every.get(s, 0) for s in ("idiomatic", "compat-only", "manual")}
    verified = [r.verify["verdict"] for r in tf1 if r.verify]
    if verified:
        out["verify"] = dict(collections.Counter(verified))
    return out


def _pct(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:5.1f}%" if whole else "    -"


COLUMNS = ("py", "py2", "TF1", "idiom", "compat", "manual", "clean", "resolve", "+keras2", "silent", "fixerr")


def _row(label: str, s: dict) -> str:
    st = s["status"]
    cells = (s["py_files"], s["unparsable"], s["tf1_files"], st["idiomatic"], st["compat-only"], st["manual"],
             st["clean"], s["all_resolve"], s["resolve_with_keras2"], s["silent_lines"], s["fix_errors"])
    return f"{label[:44]:<44}" + "".join(f"{c:>8}" for c in cells)


def render(sets: List[dict], resolver: Resolver, top: int) -> str:
    out = [f"Versions: {resolver.versions} (keras2-only measured with tf-keras: {resolver.legacy_measured})", ""]
    header = f"{'set / repository':<44}" + "".join(f"{c:>8}" for c in COLUMNS)
    for s in sets:
        summary = s["summary"]
        out += [f"== {s['name']} ({s['dir']})", header]
        for repo, rs in sorted(s["repos"].items()):
            out.append(_row(repo, rs))
        out.append(_row("TOTAL", summary))
        n = summary["tf1_files"]
        out.append(f"idiomatic {summary['status']['idiomatic']}/{n} = {_pct(summary['status']['idiomatic'], n)}; "
                   f"all names resolve {summary['all_resolve']}/{n} = {_pct(summary['all_resolve'], n)} "
                   f"(counting keras2-only as resolving: {_pct(summary['resolve_with_keras2'], n)}); "
                   f"idiomatic and resolving {summary['idiomatic_and_resolve']}")
        out.append(f"unresolved lines {summary['unresolved_lines']}, silent (check says nothing) "
                   f"{summary['silent_lines']} {summary['silent_by_category']}; Python 2 / unparsable files "
                   f"{summary['unparsable']} ({summary['unparsable_tf']} import tensorflow); fixed file does not "
                   f"parse {summary['fixed_unparsable']}")
        idi = summary["status"]["idiomatic"]
        out.append(f"readability: idiomatic rewrites repeating one input_signature >= 3 times "
                   f"{summary['signature_3x_idiomatic']}/{idi} = {_pct(summary['signature_3x_idiomatic'], idi)}; "
                   f"files with new `_<digit>` names {summary['new_suffixed_files']}")
        if summary["estimator_files"]:
            out.append(f"estimator/feature-column files {summary['estimator_files']}, still naming tf.estimator / "
                       f"compat.v1 / feature_column / numpy_input_fn after the fix: {summary['estimator_files_left']}")
        if "verify" in summary:
            v = summary["verify"]
            ran = sum(c for k, c in v.items()
                      if not k.startswith("original") and k not in ("needs a download", "could not run here"))
            still = sum(v.get(k, 0) for k in ("match", "mismatch", "no numbers"))
            compared = v.get("match", 0) + v.get("mismatch", 0)
            out.append(f"verify --deterministic: {v}; of originals that run, rewrite runs {still}/{ran} = "
                       f"{_pct(still, ran)}; match {v.get('match', 0)}/{compared} = {_pct(v.get('match', 0), compared)}")
        every = summary.get("status_every_file", {})
        out.append("statuses of every .py file with findings, read here (the tool's line below counts notebooks too): " +
                   ", ".join(f"{n} {k}" for k, n in every.items()))
        out.append(f"tool: {s['migration_line']} (fix exit {s['fix_exit']}); times " +
                   ", ".join(f"{k} {v:.0f} s" for k, v in s["timings"].items()))
        groups = collections.Counter()
        silent_list = []
        for r in s["files"]:
            for u in r.unresolved:
                if u["silent"]:
                    groups[name_group(u["fail"])] += 1
                    silent_list.append(f"  {r.path}:{u['line']}: {u['name']} [{u['category']}]")
        if groups:
            out.append("silent unresolved names, top groups: " +
                       ", ".join(f"{g} {c}" for g, c in groups.most_common(top)))
            out += silent_list[:top]
            if len(silent_list) > top:
                out.append(f"  ... {len(silent_list) - top} more (all in --json)")
        out.append("")
    return "\n".join(out)


def blockers_markdown(sets: List[dict], top: int) -> str:
    """Why TF1 files are not idiomatic after the fix, and which names still do not resolve: the next work."""
    out = ["# Top blockers after `tfmigrate fix --unsafe-fixes`", ""]
    for s in sets:
        tf1 = [r for r in s["files"] if r.tf1 and r.parsed]
        stuck = [r for r in tf1 if r.status in ("compat-only", "manual")]
        out += [f"## {s['name']}: {len(stuck)} of {len(tf1)} TF1 files not idiomatic "
                f"({sum(r.status == 'compat-only' for r in stuck)} compat-only, "
                f"{sum(r.status == 'manual' for r in stuck)} manual)", ""]
        tables = [
            ("TFM090 reasons (files kept on tensorflow.compat.v1)", ("compat-only", "manual"), "TFM090", lambda m: m),
            ("TFM090 reasons, grouped", ("compat-only", "manual"), "TFM090", group_message),
            ("Findings left in manual files (TFM090 aside), by code and message", ("manual",), None, lambda m: m),
            ("Findings left in manual files (TFM090 aside), grouped", ("manual",), None, group_message),
        ]
        for title, statuses, only, key in tables:
            files: collections.Counter = collections.Counter()
            hits: collections.Counter = collections.Counter()
            keep = (lambda c, m: c == only) if only else (lambda c, m: c != "TFM090")
            for r in stuck:
                if r.status not in statuses:
                    continue
                seen = set()
                for code, message in r.left_messages:
                    if keep(code, message):
                        k = f"{code} {key(message)}"
                        hits[k] += 1
                        seen.add(k)
                files.update(seen)
            out += [f"### {title}", "", "| files | findings | reason |", "| ---: | ---: | --- |"]
            out += [f"| {n} | {hits[k]} | {k.replace('|', '/')} |" for k, n in files.most_common(top)]
            out.append("")
        for title, only_silent in (("Names that do not resolve on TF 2.21 after the fix", False),
                                   ("... of them, on lines where `check` of the result says nothing", True)):
            lines: collections.Counter = collections.Counter()
            files = collections.Counter()
            cats = {}
            for r in tf1:
                seen = set()
                for u in r.unresolved:
                    if only_silent and not u["silent"]:
                        continue
                    lines[u["name"]] += 1
                    seen.add(u["name"])
                    cats[u["name"]] = u["category"]
                files.update(seen)
            where = {(r.path, u["line"]) for r in tf1 for u in r.unresolved if u["silent"] or not only_silent}
            out += [f"### {title}: {len(where)} lines", "", "| lines | files | name | category |",
                    "| ---: | ---: | --- | --- |"]
            out += [f"| {n} | {files[k]} | `{k}` | {cats[k]} |" for k, n in lines.most_common(top)]
            prefixes: collections.Counter = collections.Counter()
            for k, n in lines.items():
                prefixes[name_group(k)] += n
            out += ["", "By prefix: " + ", ".join(f"`{k}` {n}" for k, n in prefixes.most_common(top)), ""]
    return "\n".join(out)


def to_json(sets: List[dict], resolver: Resolver) -> dict:
    def file_dict(r: FileResult) -> dict:
        d = {k: v for k, v in r.__dict__.items() if k not in ("left_messages", "left_lines")}
        d["all_resolve"] = r.all_resolve
        d["resolve_with_keras2"] = r.resolve_with_keras2
        d["left_messages"] = [list(m) for m in r.left_messages]
        return d

    return {"versions": resolver.versions, "keras2_measured": resolver.legacy_measured, "tf1_patterns": TF1_PATTERNS,
            "sets": [{"name": s["name"], "dir": s["dir"], "summary": s["summary"], "repos": s["repos"],
                      "timings": s["timings"], "migration_line": s["migration_line"],
                      "files": [file_dict(r) for r in s["files"]]} for s in sets]}


def rerender(args) -> int:
    """The table and the blockers again, from the --json of an earlier run."""
    names = {f.name for f in FileResult.__dataclass_fields__.values()}
    sets = []
    for path in args.sets:
        data = json.load(open(path))
        resolver = Resolver.__new__(Resolver)
        resolver.versions, resolver.legacy_measured = data["versions"], data["keras2_measured"]
        for s in data["sets"]:
            files = [FileResult(**{k: v for k, v in f.items() if k in names}) for f in s["files"]]
            for f in files:
                f.left_messages = [tuple(m) for m in f.left_messages]
            sets.append(dict(s, files=files, copy="", fix_exit="?"))
    print(render(sets, resolver, args.top))
    if args.blockers:
        with open(args.blockers, "w") as f:
            f.write(blockers_markdown(sets, max(args.top, 30)) + "\n")
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sets", nargs="+", help="set folders; each sub-folder is one repository")
    parser.add_argument("--json", dest="json_path", help="write every figure and file record here")
    parser.add_argument("--run", action="store_true",
                        help="for sets named 'tutorials*': tfmigrate verify --deterministic every TF1 file")
    parser.add_argument("--run-timeout", type=float, default=VERIFY_TIMEOUT, help="seconds per program run")
    parser.add_argument("--cache-dir", help="tfmigrate result cache to use (default: none, a cold run)")
    parser.add_argument("--names-cache", default=os.path.expanduser("~/.cache/tfmigrate-real-code/names.json"),
                        help="where the name-resolution answers are kept ('' for none)")
    parser.add_argument("--python", default=sys.executable, help="the Python with TensorFlow (default: this one)")
    parser.add_argument("-j", "--jobs", type=int, default=0, help="tfmigrate processes (0: all cores)")
    parser.add_argument("--top", type=int, default=25, help="rows in the silent-name listing")
    parser.add_argument("--keep", help="keep the fixed copies in this folder")
    parser.add_argument("--blockers", help="write a Markdown list of why files are not idiomatic, and the names "
                        "that still do not resolve, here")
    parser.add_argument("--from-json", action="store_true",
                        help="SETS are --json files of earlier runs: only print the table (and --blockers) again")
    args = parser.parse_args(argv)
    if args.from_json:
        return rerender(args)
    for d in args.sets:
        if not os.path.isdir(d) and not args.from_json:
            print(f"error: {d}: not a folder", file=sys.stderr)
            return 2

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    started = time.monotonic()
    resolver = Resolver(args.python, args.names_cache or None)
    work = args.keep or tempfile.mkdtemp(prefix="tfm-real-")
    os.makedirs(work, exist_ok=True)
    sets = []
    try:
        for d in args.sets:
            s = measure_set(d, work, resolver, args.cache_dir, args.jobs, log)
            if args.run and s["name"].startswith("tutorial"):
                run_tutorials(s, work, args.run_timeout, log)
            s["summary"] = _summary(s["files"])
            by_repo = collections.defaultdict(list)
            for r in s["files"]:
                by_repo[r.repo].append(r)
            s["repos"] = {repo: _summary(fs) for repo, fs in by_repo.items()}
            sets.append(s)
        print(render(sets, resolver, args.top))
        print(f"Whole run {time.monotonic() - started:.0f} s (load average {os.getloadavg()[0]:.1f} at the end, "
              f"{os.cpu_count()} cores); TensorFlow child processes {resolver.child_runs}")
        if args.blockers:
            with open(args.blockers, "w") as f:
                f.write(blockers_markdown(sets, max(args.top, 30)) + "\n")
        if args.json_path:
            with open(args.json_path, "w") as f:
                json.dump(to_json(sets, resolver), f, indent=1)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
