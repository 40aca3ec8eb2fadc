"""Build a synthetic code base for the benchmark: TF1 scripts among ordinary Python.

One file in five is a TensorFlow 1 program of the kind found in tutorials and
research repositories (placeholders, sessions, optimizers, mini-batch loops,
``tf.layers``, helper functions, some classes holding a session, a few still
written in Python 2); the rest are ordinary modules without TensorFlow, in
nested packages. The same seed and count always give the same bytes.

    python benchmarks/corpus.py DIR [--files 2000] [--seed 0]
"""

import argparse
import dataclasses
import random
import re
from pathlib import Path
from typing import Callable, List, Tuple

TF1_SHARE = 0.2
PY2_SHARE = 0.04  # of the TF1 scripts: old repositories still hold some
TF1_LINES = (80, 300)
MODULE_LINES = (50, 500)
WALRUS_SHARE = 0.05  # of the ordinary modules: assignment expressions (Python 3.8+)

NOUNS = ["account", "batch", "record", "order", "invoice", "user", "session_info", "token",
         "report", "metric", "event", "channel", "payload", "segment", "profile", "ledger",
         "schedule", "bucket", "entry", "window", "config", "request", "response", "job",
         "worker", "queue_item", "artifact", "snapshot", "partition", "tenant", "region",
         "price", "quote", "message", "attachment", "document", "page", "cursor", "index"]
VERBS = ["load", "parse", "build", "merge", "filter", "render", "validate", "normalize",
         "resolve", "collect", "flush", "encode", "decode", "compute", "publish", "fetch",
         "store", "split", "rank", "score", "group", "sync", "apply", "format", "refresh"]
ADJECTIVES = ["pending", "active", "stale", "primary", "cached", "remote", "local", "raw",
              "clean", "partial", "default", "latest", "archived", "sorted", "unique"]
PACKAGES = ["billing", "ingest", "reporting", "accounts", "scheduler", "storage", "search",
            "notifications", "analytics", "gateway", "inventory", "catalog", "auth", "audit"]
SUBPACKAGES = ["core", "utils", "models", "services", "adapters", "handlers", "io", "api",
               "tasks", "backends", "schemas", "helpers"]
STDLIB = ["os", "re", "json", "logging", "time", "itertools", "functools", "collections",
          "hashlib", "datetime", "pathlib", "csv", "math", "statistics", "shutil", "uuid"]


@dataclasses.dataclass(frozen=True)
class CorpusSummary:
    """What was written: file counts and sizes."""

    root: Path
    tf1_files: int
    py2_files: int
    plain_files: int
    tf1_bytes: int
    plain_bytes: int
    lines: int

    @property
    def files(self) -> int:
        """All files written."""
        return self.tf1_files + self.plain_files

    @property
    def total_bytes(self) -> int:
        """All bytes written."""
        return self.tf1_bytes + self.plain_bytes


def build_corpus(root: Path, files: int = 2000, seed: int = 0) -> CorpusSummary:
    """Write FILES Python files under ROOT (created if missing) and say what was written."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    tf1_count = max(1, round(files * TF1_SHARE)) if files > 1 else files
    plain_paths = _package_layout(files - tf1_count, random.Random(f"{seed}:layout"))
    tf1_bytes = plain_bytes = lines = py2 = 0
    for index in range(tf1_count):
        rng = random.Random(f"{seed}:tf1:{index}")
        legacy = rng.random() < PY2_SHARE
        text = tf1_script(rng, python2=legacy)
        py2 += legacy
        path = root / "models" / f"{_project_name(index)}" / f"{_script_name(rng, index)}.py"
        tf1_bytes += _write(path, text)
        lines += text.count("\n")
    for index, relative in enumerate(plain_paths):
        rng = random.Random(f"{seed}:plain:{index}")
        text = package_init(rng) if relative.name == "__init__.py" else plain_module(rng)
        plain_bytes += _write(root / relative, text)
        lines += text.count("\n")
    return CorpusSummary(root, tf1_count, py2, len(plain_paths), tf1_bytes, plain_bytes, lines)


def _write(path: Path, text: str) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8")
    path.write_bytes(data)
    return len(data)


def _project_name(index: int) -> str:
    # Tutorials and experiments come in small folders of a dozen scripts.
    return f"experiment_{index // 12:03d}"


def _script_name(rng: random.Random, index: int) -> str:
    stem = rng.choice(["train", "mnist", "regression", "classifier", "autoencoder", "cnn",
                       "mlp", "model", "trainer", "fit", "softmax", "logistic"])
    return f"{stem}_{index:04d}"


# ---------------------------------------------------------------- packages

def _package_layout(count: int, rng: random.Random) -> List[Path]:
    """Paths of COUNT ordinary modules, __init__.py files included, in nested packages."""
    paths: List[Path] = []
    packages = 0
    while len(paths) < count:
        top = Path("src") / f"{rng.choice(PACKAGES)}_{packages}"
        packages += 1
        for depth_path in _package_dirs(top, rng):
            if len(paths) >= count:
                break
            paths.append(depth_path / "__init__.py")
            for _ in range(rng.randint(6, 18)):
                if len(paths) >= count:
                    break
                paths.append(depth_path / f"{rng.choice(VERBS)}_{rng.choice(NOUNS)}_{len(paths)}.py")
    return paths


def _package_dirs(top: Path, rng: random.Random) -> List[Path]:
    dirs = [top]
    for sub in rng.sample(SUBPACKAGES, rng.randint(2, 5)):
        dirs.append(top / sub)
        if rng.random() < 0.4:
            dirs.append(top / sub / rng.choice(["v1", "legacy", "internal", "contrib"]))
    return dirs


def package_init(rng: random.Random) -> str:
    """A package's __init__.py: a docstring, a few re-exports, __all__."""
    names = [f"{rng.choice(VERBS)}_{rng.choice(NOUNS)}" for _ in range(rng.randint(2, 6))]
    noun = rng.choice(NOUNS).replace("_", " ")
    lines = [f'"""The {noun} package: {rng.choice(VERBS)} and {rng.choice(VERBS)} {rng.choice(NOUNS)}s."""', ""]
    lines += [f"from .{name}_impl import {name}  # noqa: F401" for name in names]
    lines += ["", "__all__ = ["] + [f'    "{name}",' for name in names] + ["]", ""]
    lines.append(f'__version__ = "{rng.randint(0, 4)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}"')
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- ordinary modules

def plain_module(rng: random.Random) -> str:
    """An ordinary module without TensorFlow: imports, constants, classes, functions."""
    target = int(rng.triangular(MODULE_LINES[0], MODULE_LINES[1], 140))
    title, detail = _sentence(rng).capitalize(), f"{_sentence(rng).capitalize()}; {_sentence(rng)}."
    out = [f'"""{title}.', "", detail, '"""', ""]
    modules = set(rng.sample(STDLIB, rng.randint(2, 6))) | {"json", "logging"}
    out += [f"import {name}" for name in sorted(modules)]
    out += ["from dataclasses import dataclass, field",
            "from typing import Any, Dict, Iterable, List, Optional", "",
            "logger = logging.getLogger(__name__)", ""]
    out += [f"{rng.choice(ADJECTIVES).upper()}_{rng.choice(NOUNS).upper()} = {rng.randint(1, 5000)}"
            for _ in range(rng.randint(1, 4))] + ["", ""]
    while len(out) < target - 8:
        builder = rng.choice([_plain_class, _plain_class, _plain_function, _plain_dataclass])
        out += builder(rng, max(12, min(80, target - len(out)))) + ["", ""]
    if rng.random() < WALRUS_SHARE:
        out += _walrus_function(rng) + ["", ""]
    if rng.random() < 0.3:
        out += ['if __name__ == "__main__":', f"    {rng.choice(VERBS)}_{rng.choice(NOUNS)}s([])"]
    return "\n".join(out).rstrip() + "\n"


def _sentence(rng: random.Random) -> str:
    return (f"{rng.choice(VERBS)} {rng.choice(ADJECTIVES)} {rng.choice(NOUNS).replace('_', ' ')}s "
            f"{rng.choice(['for', 'from', 'into', 'before', 'after'])} the "
            f"{rng.choice(NOUNS).replace('_', ' ')}")


def _plain_function(rng: random.Random, budget: int, indent: str = "") -> List[str]:
    name = f"{rng.choice(VERBS)}_{rng.choice(NOUNS)}s"
    args = ["items"] + rng.sample(["limit", "prefix", "options", "strict", "timeout", "key"], rng.randint(0, 3))
    sig = ", ".join(_annotated(arg) for arg in args)
    out = [f"{indent}def {name}({sig}) -> {rng.choice(['List[Any]', 'Dict[str, Any]', 'int', 'str', 'bool'])}:",
           f'{indent}    """{_sentence(rng).capitalize()}.', "",
           (f"{indent}    Returns the {rng.choice(NOUNS).replace('_', ' ')}s that {rng.choice(VERBS)}; "
            f"{rng.choice(ADJECTIVES)} ones are skipped."), f'{indent}    """']
    out += _body(rng, indent + "    ", rng.randint(4, max(5, min(budget, 30))), args)
    return out


def _annotated(arg: str) -> str:
    kinds = {"items": "Iterable[Any]", "limit": "int = 100", "prefix": 'str = ""',
             "options": "Optional[Dict[str, Any]] = None", "strict": "bool = False",
             "timeout": "float = 30.0", "key": "Optional[str] = None"}
    return f"{arg}: {kinds[arg]}"


def _plain_class(rng: random.Random, budget: int) -> List[str]:
    noun = rng.choice(NOUNS)
    kind = rng.choice(["Store", "Manager", "Client", "Builder", "Cache", "Index", "Service"])
    name = "".join(part.capitalize() for part in noun.split("_")) + kind
    fields = rng.sample(["name", "limit", "items", "options", "path", "retries", "timeout"], rng.randint(2, 4))
    out = [f"class {name}{rng.choice(['', '', '(object)', '(dict)'])}:",
           f'    """{_sentence(rng).capitalize()}.', "",
           f"    Keeps its {noun.replace('_', ' ')}s in memory until `flush`.", '    """', "",
           f"    def __init__(self, {', '.join(fields)}=None):"]
    out += [f"        self.{field} = {field}" for field in fields]
    out += ["        self._seen = set()", "        self._count = 0", ""]
    for _ in range(rng.randint(2, 6)):
        if len(out) >= budget:
            break
        method = f"{rng.choice(VERBS)}_{rng.choice(NOUNS)}"
        args = rng.sample(["items", "limit", "prefix", "key", "strict"], rng.randint(1, 3))
        out += [f"    def {method}(self, {', '.join(args)}):",
                f'        """{_sentence(rng).capitalize()}."""']
        out += _body(rng, "        ", rng.randint(3, 16), args + [f"self.{field}" for field in fields])
        out.append("")
    if rng.random() < 0.5:
        out += ["    def __repr__(self):", f'        return f"{name}(count={{self._count}})"', ""]
    return out


def _plain_dataclass(rng: random.Random, budget: int) -> List[str]:
    noun = rng.choice(NOUNS)
    name = "".join(part.capitalize() for part in noun.split("_")) + "Record"
    out = ["@dataclass", f"class {name}:", f'    """One {noun.replace("_", " ")} as stored on disk."""', ""]
    types = ["str", "int", "float", "bool", "Optional[str]"]
    defaults = {"str": '""', "int": "0", "float": "0.0", "bool": "False", "Optional[str]": "None"}
    for field_name in rng.sample(NOUNS, rng.randint(3, 8)):
        kind = rng.choice(types)
        out.append(f"    {field_name}: {kind} = {defaults[kind]}")
    out += ["    tags: List[str] = field(default_factory=list)", "",
            "    def to_dict(self) -> Dict[str, Any]:", '        """The fields as a plain dict, for JSON."""',
            "        return {key: value for key, value in vars(self).items() if value is not None}"]
    return out


def _body(rng: random.Random, indent: str, size: int, names: List[str]) -> List[str]:
    """SIZE-ish lines of plausible statements that use NAMES, ending in a return."""
    out: List[str] = []
    result = rng.choice(["result", "out", "found", "total", "rows"])
    out.append(f"{indent}{result} = {rng.choice(['[]', '{}', '0', 'None', 'list()'])}")
    while len(out) < size:
        out += rng.choice(_STATEMENTS)(rng, indent, rng.choice(names), result)
    out.append(f"{indent}return {result}")
    return out


def _stmt_for(rng, indent, name, result):
    var = rng.choice(["item", "entry", "row", "value"])
    return [f"{indent}for {var} in {name} or []:",
            f"{indent}    if not {var}:", f"{indent}        continue",
            f"{indent}    logger.debug(\"{rng.choice(VERBS)} %s\", {var})" if rng.random() < 0.5 else
            f"{indent}    {var} = str({var}).strip()",
            f"{indent}    {result} = {var}"]


def _stmt_if(rng, indent, name, result):
    default = rng.choice(["0", "[]", "{}", repr(rng.choice(NOUNS))])
    return [f"{indent}if {name} is None:", f"{indent}    {name} = {default}",
            f"{indent}elif isinstance({name}, (list, tuple)):",
            f"{indent}    {name} = [part for part in {name} if part]"]


def _stmt_try(rng, indent, name, result):
    error = rng.choice(["KeyError", "ValueError", "OSError", "TypeError"])
    return [f"{indent}try:", f"{indent}    {result} = json.loads(str({name}))" if rng.random() < 0.5 else
            f"{indent}    {result} = dict({name} or {{}})",
            f"{indent}except {error} as error:",
            f"{indent}    raise RuntimeError(f\"cannot {rng.choice(VERBS)} {{{name}!r}}: {{error}}\") from error"]


def _stmt_comp(rng, indent, name, result):
    return [f"{indent}{rng.choice(NOUNS)}s = sorted(",
            f"{indent}    (str(part).lower() for part in ({name} or []) if part),",
            f"{indent}    key=len, reverse={rng.choice(['True', 'False'])},", f"{indent})"]


def _stmt_with(rng, indent, name, result):
    return [f"{indent}with open(str({name}), encoding=\"utf-8\") as handle:",
            f"{indent}    for number, line in enumerate(handle, 1):",
            f"{indent}        if line.startswith(\"#\"):", f"{indent}            continue",
            f"{indent}        {result} = (number, line.rstrip())"]


def _stmt_comment(rng, indent, name, result):
    return [f"{indent}# {_sentence(rng)}: the {rng.choice(ADJECTIVES)} case is rare",
            f"{indent}{rng.choice(NOUNS)} = {name} if {name} else {rng.randint(0, 99)}"]


def _walrus_function(rng: random.Random) -> List[str]:
    """A short function in Python 3.8 syntax, which newer code bases use here and there."""
    return [f"def first_long_{rng.choice(NOUNS)}(items: Iterable[Any]) -> Optional[str]:",
            '    """The first item whose text is longer than the limit, or None."""',
            "    for item in items:",
            f"        if (size := len(text := str(item))) > {rng.randint(10, 200)}:",
            '            logger.debug("%d characters", size)',
            "            return text",
            "    return None"]


_STATEMENTS: List[Callable[..., List[str]]] = [
    _stmt_for, _stmt_for, _stmt_if, _stmt_if, _stmt_try, _stmt_comp, _stmt_with,
    _stmt_comment, _stmt_comment]


# ---------------------------------------------------------------- TF1 scripts

OPTIMIZERS = [
    ("tf.train.GradientDescentOptimizer", "learning_rate={lr}"),
    ("tf.train.AdamOptimizer", "learning_rate={lr}"),
    ("tf.train.AdamOptimizer", "{lr}, beta1=0.9, beta2=0.999, epsilon=1e-08"),
    ("tf.train.MomentumOptimizer", "{lr}, momentum=0.9"),
    ("tf.train.MomentumOptimizer", "{lr}, 0.9, use_nesterov=True"),
    ("tf.train.RMSPropOptimizer", "{lr}, decay=0.9"),
    ("tf.train.AdagradOptimizer", "{lr}"),
    ("tf.train.AdadeltaOptimizer", "{lr}, rho=0.95"),
]
ACTIVATIONS = ["tf.nn.relu", "tf.nn.tanh", "tf.nn.sigmoid", "tf.nn.elu"]


def tf1_script(rng: random.Random, python2: bool = False) -> str:
    """A TensorFlow 1 training program of 80-300 lines; PYTHON2 writes print statements."""
    target = rng.randint(TF1_LINES[0], TF1_LINES[1] - 30)
    kind = rng.choice([_tf1_mlp, _tf1_mlp, _tf1_regression, _tf1_layers, _tf1_layers, _tf1_class])
    header, helpers, main = kind(rng)
    spare = [helper(rng) for helper in rng.sample(_HELPERS, len(_HELPERS))]
    body = helpers
    while len(header) + len(body) + len(main) < target and spare:
        body = body + [""] + spare.pop()
    text = "\n".join(header + [""] + body + ["", ""] + main).rstrip() + "\n"
    return _as_python2(text) if python2 else text


def _as_python2(text: str) -> str:
    """Old-style print statements and xrange, as in scripts never ported to Python 3."""
    out = []
    for line in text.split("\n"):
        stripped = line.lstrip()
        if stripped.startswith("print(") and stripped.endswith(")"):
            line = line[: len(line) - len(stripped)] + "print " + stripped[len("print("):-1]
        out.append(re.sub(r"\brange\(", "xrange(", line))
    return "\n".join(out)


def _tf1_header(rng: random.Random, purpose: str) -> List[str]:
    minor = rng.randint(2, 15)
    lines = [f'"""{purpose}.', "", f"Written for TensorFlow 1.{minor} ({2017 + minor // 5}).",
             f"Usage: python {rng.choice(['train', 'run', 'main'])}.py", '"""',
             "from __future__ import absolute_import", "from __future__ import division",
             "from __future__ import print_function", ""]
    imports = ["import argparse", "import os", "import sys", "import time"]
    lines += imports + ["", "import numpy as np", "import tensorflow as tf", ""]
    return lines


def _hyperparameters(rng: random.Random) -> Tuple[List[str], dict]:
    params = {"lr": rng.choice(["0.001", "0.01", "0.1", "0.0005", "1e-3"]),
              "epochs": rng.choice([5, 10, 15, 20, 50, 100]),
              "batch": rng.choice([32, 64, 100, 128, 256]),
              "inputs": rng.choice([784, 13, 64, 100, 3072]),
              "classes": rng.choice([10, 2, 5, 100]),
              "hidden": rng.choice([32, 64, 128, 256, 512])}
    lines = ["# Parameters", f"learning_rate = {params['lr']}", f"training_epochs = {params['epochs']}",
             f"batch_size = {params['batch']}", f"display_step = {rng.choice([1, 5, 10])}", "",
             "# Network parameters", f"n_input = {params['inputs']}", f"n_classes = {params['classes']}",
             f"n_hidden_1 = {params['hidden']}", f"n_hidden_2 = {params['hidden'] // 2}", ""]
    return lines, params


def _optimizer(rng: random.Random, params: dict) -> str:
    name, args = rng.choice(OPTIMIZERS)
    return f"{name}({args.format(lr='learning_rate')})"


def _training_loop(rng: random.Random, sess: str, fetch: str, indent: str) -> List[str]:
    return [f"{indent}for epoch in range(training_epochs):",
            f"{indent}    avg_cost = 0.",
            f"{indent}    total_batch = int(train_x.shape[0] / batch_size)",
            f"{indent}    # Loop over all batches",
            f"{indent}    for i in range(total_batch):",
            f"{indent}        batch_x, batch_y = next_batch(train_x, train_y, batch_size, i)",
            f"{indent}        _, c = {sess}.run([{fetch}, cost], feed_dict={{x: batch_x, y: batch_y}})",
            f"{indent}        avg_cost += c / total_batch",
            f"{indent}    if epoch % display_step == 0:",
            f"{indent}        print(\"Epoch:\", '%04d' % (epoch + 1), \"cost=\", \"{{:.9f}}\".format(avg_cost))",
            f"{indent}print(\"Optimization Finished!\")"]


def _tf1_mlp(rng: random.Random):
    header = _tf1_header(rng, "Multilayer perceptron classifier")
    params_lines, params = _hyperparameters(rng)
    act = rng.choice(ACTIVATIONS)
    init = rng.choice(["tf.random_normal", "tf.truncated_normal"])
    model = params_lines + [
        "# tf Graph input", "x = tf.placeholder(\"float\", [None, n_input])",
        "y = tf.placeholder(\"float\", [None, n_classes])", "",
        "# Store layers weight & bias", "weights = {",
        f"    'h1': tf.Variable({init}([n_input, n_hidden_1])),",
        f"    'h2': tf.Variable({init}([n_hidden_1, n_hidden_2])),",
        f"    'out': tf.Variable({init}([n_hidden_2, n_classes]))", "}", "biases = {",
        f"    'b1': tf.Variable({init}([n_hidden_1])),", f"    'b2': tf.Variable({init}([n_hidden_2])),",
        f"    'out': tf.Variable({init}([n_classes]))", "}", "", "",
        "def multilayer_perceptron(x, weights, biases):",
        '    """Two hidden layers, then a linear output layer."""',
        "    # Hidden layer with activation",
        "    layer_1 = tf.add(tf.matmul(x, weights['h1']), biases['b1'])",
        f"    layer_1 = {act}(layer_1)",
        "    layer_2 = tf.add(tf.matmul(layer_1, weights['h2']), biases['b2'])",
        f"    layer_2 = {act}(layer_2)",
        "    # Output layer with linear activation",
        "    out_layer = tf.matmul(layer_2, weights['out']) + biases['out']",
        "    return out_layer", ""]
    main = ["# Construct model", "pred = multilayer_perceptron(x, weights, biases)", "",
            "# Define loss and optimizer",
            "cost = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=pred, labels=y))",
            f"optimizer = {_optimizer(rng, params)}.minimize(cost)", "",
            "# Initializing the variables", "init = tf.global_variables_initializer()", "",
            "train_x, train_y, test_x, test_y = load_data(n_input, n_classes)", "",
            "# Launch the graph", "with tf.Session() as sess:", "    sess.run(init)", ""]
    main += _training_loop(rng, "sess", "optimizer", "    ")
    main += ["", "    # Test model", "    correct_prediction = tf.equal(tf.argmax(pred, 1), tf.argmax(y, 1))",
             "    accuracy = tf.reduce_mean(tf.cast(correct_prediction, \"float\"))",
             "    print(\"Accuracy:\", accuracy.eval({x: test_x, y: test_y}))"]
    return header, _data_helpers(rng) + [""] + model, main


def _tf1_regression(rng: random.Random):
    header = _tf1_header(rng, "Linear regression with gradient descent")
    params_lines, params = _hyperparameters(rng)
    helpers = params_lines + [
        "rng = np.random", "", "",
        "def make_data(n_samples=100, noise=0.3):",
        '    """Points scattered around a line."""',
        "    train_X = np.linspace(-1, 1, n_samples)",
        f"    train_Y = {rng.uniform(0.5, 4):.2f} * train_X + rng.randn(*train_X.shape) * noise",
        "    return train_X, train_Y", ""]
    main = ["train_X, train_Y = make_data()", "n_samples = train_X.shape[0]", "",
            "# tf Graph Input", "X = tf.placeholder(\"float\")", "Y = tf.placeholder(\"float\")", "",
            "# Set model weights", "W = tf.Variable(rng.randn(), name=\"weight\")",
            "b = tf.Variable(rng.randn(), name=\"bias\")", "", "# Construct a linear model",
            "pred = tf.add(tf.multiply(X, W), b)", "", "# Mean squared error",
            "cost = tf.reduce_sum(tf.pow(pred - Y, 2)) / (2 * n_samples)",
            f"optimizer = {_optimizer(rng, params)}.minimize(cost)", "",
            "init = tf.global_variables_initializer()", "", "sess = tf.Session()", "sess.run(init)", "",
            "# Fit all training data", "for epoch in range(training_epochs):",
            "    for (x_value, y_value) in zip(train_X, train_Y):",
            "        sess.run(optimizer, feed_dict={X: x_value, Y: y_value})",
            "    if (epoch + 1) % display_step == 0:",
            "        c = sess.run(cost, feed_dict={X: train_X, Y: train_Y})",
            ("        print(\"Epoch:\", '%04d' % (epoch + 1), \"cost=\", \"{:.9f}\".format(c),"
             " \"W=\", sess.run(W), \"b=\", sess.run(b))"), "",
            "training_cost = sess.run(cost, feed_dict={X: train_X, Y: train_Y})",
            "print(\"Training cost=\", training_cost, \"W=\", sess.run(W), \"b=\", sess.run(b))",
            "sess.close()"]
    return header, helpers, main


def _tf1_layers(rng: random.Random):
    header = _tf1_header(rng, "Convolutional network with tf.layers")
    params_lines, params = _hyperparameters(rng)
    side = rng.choice([28, 32])
    filters = rng.choice([16, 32, 64])
    model = params_lines + [
        f"image_size = {side}", f"dropout_rate = {rng.choice([0.25, 0.4, 0.5])}", "", "",
        "def conv_net(images, n_classes, dropout, is_training):",
        '    """Two convolution blocks and a dense head."""',
        "    with tf.variable_scope('ConvNet'):",
        "        net = tf.reshape(images, shape=[-1, image_size, image_size, 1])",
        f"        net = tf.layers.conv2d(net, {filters}, 5, activation={rng.choice(ACTIVATIONS)})",
        "        net = tf.layers.max_pooling2d(net, 2, 2)",
        f"        net = tf.layers.conv2d(net, {filters * 2}, 3, activation=tf.nn.relu)",
        "        net = tf.layers.max_pooling2d(net, 2, 2)",
        "        net = tf.layers.flatten(net)" if rng.random() < 0.5 else
        "        net = tf.contrib.layers.flatten(net)",
        "        net = tf.layers.dense(net, n_hidden_1)",
        "        net = tf.layers.dropout(net, rate=dropout, training=is_training)",
        "        logits = tf.layers.dense(net, n_classes)",
        "    return logits", ""]
    main = ["train_x, train_y, test_x, test_y = load_data(image_size * image_size, n_classes)", "",
            "x = tf.placeholder(tf.float32, [None, image_size * image_size], name='x')",
            "y = tf.placeholder(tf.float32, [None, n_classes], name='y')",
            "is_training = tf.placeholder(tf.bool, name='is_training')", "",
            "logits = conv_net(x, n_classes, dropout_rate, is_training)",
            "cost = tf.reduce_mean(tf.losses.softmax_cross_entropy(onehot_labels=y, logits=logits))",
            f"optimizer = {_optimizer(rng, params)}",
            "global_step = tf.train.get_or_create_global_step()",
            "train_op = optimizer.minimize(cost, global_step=global_step)", "",
            "correct = tf.equal(tf.argmax(logits, 1), tf.argmax(y, 1))",
            "accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))",
            "tf.summary.scalar('loss', cost)", "tf.summary.scalar('accuracy', accuracy)",
            "merged = tf.summary.merge_all()", "saver = tf.train.Saver(max_to_keep=3)", "",
            "with tf.Session() as sess:", "    sess.run(tf.global_variables_initializer())",
            "    writer = tf.summary.FileWriter('/tmp/logs', sess.graph)", ""]
    main += _training_loop(rng, "sess", "train_op", "    ")
    main += ["    saver.save(sess, os.path.join('checkpoints', 'model.ckpt'), global_step=global_step)",
             "    acc = sess.run(accuracy, feed_dict={x: test_x, y: test_y, is_training: False})",
             "    print(\"Test accuracy: %.4f\" % acc)"]
    return header, _data_helpers(rng) + [""] + model, main


def _tf1_class(rng: random.Random):
    header = _tf1_header(rng, "A model object that owns its graph and session")
    params_lines, params = _hyperparameters(rng)
    name = rng.choice(["Classifier", "Model", "Network", "Trainer", "SoftmaxModel"])
    helpers = _data_helpers(rng) + [""] + params_lines + [
        "", f"class {name}(object):", '    """Builds the graph once; train and predict reuse the session."""', "",
        "    def __init__(self, n_input, n_classes, learning_rate=0.01):",
        "        self.x = tf.placeholder(tf.float32, [None, n_input])",
        "        self.y = tf.placeholder(tf.float32, [None, n_classes])",
        "        self.W = tf.Variable(tf.zeros([n_input, n_classes]))",
        "        self.b = tf.Variable(tf.zeros([n_classes]))",
        "        self.logits = tf.matmul(self.x, self.W) + self.b",
        "        self.cost = tf.reduce_mean(",
        "            tf.nn.softmax_cross_entropy_with_logits(labels=self.y, logits=self.logits))",
        f"        self.train_op = {_optimizer(rng, params)}.minimize(self.cost)",
        "        self.sess = tf.Session()",
        "        self.sess.run(tf.global_variables_initializer())", "",
        "    def train(self, data_x, data_y, epochs, batch_size):",
        '        """Mini-batch training; returns the last epoch\'s mean cost."""',
        "        avg_cost = 0.",
        "        for epoch in range(epochs):",
        "            avg_cost = 0.",
        "            total_batch = max(1, data_x.shape[0] // batch_size)",
        "            for i in range(total_batch):",
        "                batch_x, batch_y = next_batch(data_x, data_y, batch_size, i)",
        "                _, c = self.sess.run([self.train_op, self.cost],",
        "                                     feed_dict={self.x: batch_x, self.y: batch_y})",
        "                avg_cost += c / total_batch",
        "            print(\"epoch\", epoch, \"cost\", avg_cost)",
        "        return avg_cost", "",
        "    def predict(self, data_x):",
        '        """Class indices for DATA_X."""',
        "        return self.sess.run(tf.argmax(self.logits, 1), feed_dict={self.x: data_x})", "",
        "    def close(self):", "        self.sess.close()", ""]
    main = ["def main():", "    train_x, train_y, test_x, test_y = load_data(n_input, n_classes)",
            f"    model = {name}(n_input, n_classes, learning_rate)",
            "    model.train(train_x, train_y, training_epochs, batch_size)",
            "    predicted = model.predict(test_x)",
            "    print(\"accuracy\", np.mean(predicted == np.argmax(test_y, 1)))",
            "    model.close()", "", "", "if __name__ == '__main__':", "    main()"]
    return header, helpers, main


def _data_helpers(rng: random.Random) -> List[str]:
    n_train, n_test = rng.choice([1000, 5000, 60000]), rng.choice([200, 1000, 10000])
    return [f"def load_data(n_input, n_classes, n_train={n_train}, n_test={n_test}):",
            '    """Random inputs and one-hot labels shaped like the real data set."""',
            f"    np.random.seed({rng.randint(0, 999)})",
            "    train_x = np.random.rand(n_train, n_input).astype(np.float32)",
            "    test_x = np.random.rand(n_test, n_input).astype(np.float32)",
            "    train_y = np.eye(n_classes)[np.random.randint(0, n_classes, n_train)]",
            "    test_y = np.eye(n_classes)[np.random.randint(0, n_classes, n_test)]",
            "    return train_x, train_y, test_x, test_y", "", "",
            "def next_batch(data_x, data_y, batch_size, index):",
            '    """The INDEX-th mini-batch of the data."""',
            "    start = index * batch_size",
            "    return data_x[start:start + batch_size], data_y[start:start + batch_size]", ""]


def _helper_flags(rng):
    return ["def parse_args(argv=None):", '    """Command-line options of the training run."""',
            "    parser = argparse.ArgumentParser(description=__doc__)",
            "    parser.add_argument('--data_dir', default='/tmp/data', help='Where the data set lives')",
            "    parser.add_argument('--log_dir', default='/tmp/logs', help='Summaries go here')",
            f"    parser.add_argument('--seed', type=int, default={rng.randint(0, 9999)})",
            "    parser.add_argument('--verbose', action='store_true')",
            "    return parser.parse_args(argv)", ""]


def _helper_normalize(rng):
    return ["def normalize(features, eps=1e-8):",
            '    """Zero mean, unit variance per column (statistics of the training set)."""',
            "    mean = features.mean(axis=0)", "    std = features.std(axis=0)",
            "    # Constant columns would divide by zero",
            "    std[std < eps] = 1.0", "    return (features - mean) / std, mean, std", ""]


def _helper_shuffle(rng):
    return ["def shuffle_in_unison(a, b, seed=None):",
            '    """Shuffle two arrays with the same permutation."""',
            "    state = np.random.RandomState(seed)", "    permutation = state.permutation(len(a))",
            "    return a[permutation], b[permutation]", ""]


def _helper_timer(rng):
    return ["class Timer(object):", '    """Wall time of a block, printed on exit."""', "",
            "    def __init__(self, label):", "        self.label = label", "        self.start = None", "",
            "    def __enter__(self):", "        self.start = time.time()", "        return self", "",
            "    def __exit__(self, *exc):",
            "        print(\"%s took %.2fs\" % (self.label, time.time() - self.start))",
            "        return False", ""]


def _helper_weights(rng):
    scope = rng.choice(["fc", "dense", "layer", "hidden"])
    return ["def weight_variable(shape, name=None):",
            '    """A weight matrix with small random values."""',
            f"    initial = tf.truncated_normal(shape, stddev={rng.choice(['0.1', '0.01', '0.05'])})",
            "    return tf.Variable(initial, name=name)", "", "",
            "def bias_variable(shape, name=None):", '    """A bias vector starting slightly positive."""',
            "    initial = tf.constant(0.1, shape=shape)", "    return tf.Variable(initial, name=name)", "", "",
            f"def {scope}_layer(inputs, size_in, size_out, name='{scope}'):",
            '    """A fully connected layer with ReLU."""',
            "    with tf.name_scope(name):", "        w = weight_variable([size_in, size_out], name='W')",
            "        b = bias_variable([size_out], name='b')",
            "        act = tf.nn.relu(tf.matmul(inputs, w) + b)",
            "        tf.summary.histogram('weights', w)", "        return act", ""]


def _helper_metrics(rng):
    return ["def confusion_matrix(labels, predictions, n_classes):",
            '    """Counts of (true class, predicted class) pairs."""',
            "    matrix = np.zeros((n_classes, n_classes), dtype=np.int64)",
            "    for true, guess in zip(labels, predictions):", "        matrix[true, guess] += 1",
            "    return matrix", "", "",
            "def precision_recall(matrix):", '    """Per-class precision and recall of a confusion matrix."""',
            "    tp = np.diag(matrix).astype(np.float64)",
            "    precision = tp / np.maximum(matrix.sum(axis=0), 1)",
            "    recall = tp / np.maximum(matrix.sum(axis=1), 1)", "    return precision, recall", ""]


def _helper_checkpoint(rng):
    return ["def latest_checkpoint_step(checkpoint_dir):",
            '    """The global step of the newest checkpoint, or 0 without one."""',
            "    if not os.path.isdir(checkpoint_dir):", "        return 0",
            "    steps = []", "    for name in os.listdir(checkpoint_dir):",
            "        # model.ckpt-1200.index -> 1200",
            "        if name.endswith('.index') and '-' in name:",
            "            steps.append(int(name.rsplit('-', 1)[1].split('.')[0]))",
            "    return max(steps) if steps else 0", ""]


def _helper_schedule(rng):
    decay, every = rng.choice(["0.5", "0.1", "0.96"]), rng.choice([5, 10, 30])
    return [f"def learning_rate_schedule(epoch, base_rate, decay={decay}, every={every}):",
            '    """Step decay: the rate falls by DECAY every EVERY epochs."""',
            "    return base_rate * (decay ** (epoch // every))", "", "",
            "def log_progress(epoch, cost, start_time, stream=sys.stdout):",
            '    """One line per epoch: number, cost and elapsed seconds."""',
            "    elapsed = time.time() - start_time",
            "    stream.write('epoch %3d  cost %.6f  %.1fs\\n' % (epoch, cost, elapsed))",
            "    stream.flush()", ""]


def _helper_evaluate(rng):
    return [f"def evaluate(sess, accuracy_op, x, y, data_x, data_y, batch_size={rng.choice([100, 500, 1000])}):",
            '    """Accuracy over DATA in batches, so large test sets fit in memory."""',
            "    total, count = 0.0, 0",
            "    for start in range(0, data_x.shape[0], batch_size):",
            "        end = start + batch_size",
            "        acc = sess.run(accuracy_op, feed_dict={x: data_x[start:end], y: data_y[start:end]})",
            "        total += acc * (min(end, data_x.shape[0]) - start)",
            "        count += min(end, data_x.shape[0]) - start",
            "    return total / max(count, 1)", ""]


def _helper_saver(rng):
    return ["def save_model(sess, saver, directory, step):",
            '    """Write a checkpoint; returns its path."""',
            "    if not os.path.exists(directory):", "        os.makedirs(directory)",
            "    path = saver.save(sess, os.path.join(directory, 'model.ckpt'), global_step=step)",
            "    print(\"Model saved in file: %s\" % path)", "    return path", "", "",
            "def restore_model(sess, saver, directory):",
            '    """Load the newest checkpoint of DIRECTORY if there is one."""',
            "    ckpt = tf.train.get_checkpoint_state(directory)",
            "    if ckpt and ckpt.model_checkpoint_path:",
            "        saver.restore(sess, ckpt.model_checkpoint_path)", "        return True",
            "    return False", ""]


def _helper_csv(rng):
    return [f"def read_csv(path, label_column={rng.choice([0, -1])}, skip_header=True):",
            '    """Features and labels from a comma-separated file of numbers."""',
            "    rows = []", "    with open(path) as handle:",
            "        for number, line in enumerate(handle):",
            "            if skip_header and number == 0:", "                continue",
            "            line = line.strip()", "            if not line or line.startswith('#'):",
            "                continue", "            rows.append([float(v) for v in line.split(',')])",
            "    data = np.array(rows, dtype=np.float32)",
            "    labels = data[:, label_column].astype(np.int64)",
            "    features = np.delete(data, label_column, axis=1)", "    return features, labels", ""]


def _helper_one_hot(rng):
    return ["def one_hot(labels, n_classes):", '    """Rows of zeros with a one at each label."""',
            "    out = np.zeros((len(labels), n_classes), dtype=np.float32)",
            "    out[np.arange(len(labels)), labels] = 1.0", "    return out", "", "",
            f"def split_train_test(features, labels, test_fraction={rng.choice(['0.1', '0.2', '0.25'])}):",
            '    """The last TEST_FRACTION of the rows are held out."""',
            "    cut = int(len(features) * (1 - test_fraction))",
            "    return features[:cut], labels[:cut], features[cut:], labels[cut:]", ""]


def _helper_flags_tf(rng):
    return ["FLAGS = tf.app.flags.FLAGS",
            "tf.app.flags.DEFINE_string('train_dir', '/tmp/train', 'Directory for checkpoints.')",
            f"tf.app.flags.DEFINE_integer('max_steps', {rng.choice([1000, 20000, 100000])}, 'Number of steps to run.')",
            "tf.app.flags.DEFINE_boolean('log_device_placement', False, 'Log where ops run.')", ""]


def _helper_augment(rng):
    return ["def random_flip(images, seed=None):", '    """Flip half of the images left-right (NHWC arrays)."""',
            "    state = np.random.RandomState(seed)", "    flip = state.rand(len(images)) < 0.5",
            "    images = images.copy()", "    images[flip] = images[flip, :, ::-1]", "    return images", "", "",
            f"def add_noise(images, stddev={rng.choice(['0.01', '0.05', '0.1'])}, seed=None):",
            '    """Gaussian noise, clipped to the valid range."""',
            "    state = np.random.RandomState(seed)",
            "    noisy = images + state.normal(0.0, stddev, images.shape)",
            "    return np.clip(noisy, 0.0, 1.0)", ""]


_HELPERS = [_helper_flags, _helper_normalize, _helper_shuffle, _helper_timer, _helper_weights,
            _helper_metrics, _helper_checkpoint, _helper_schedule, _helper_evaluate, _helper_saver,
            _helper_csv, _helper_one_hot, _helper_flags_tf, _helper_augment]


def main(argv=None) -> None:
    """Build the corpus from the command line and print its size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path, help="Folder to write into (created if missing).")
    parser.add_argument("--files", type=int, default=2000, help="How many files (default 2000).")
    parser.add_argument("--seed", type=int, default=0, help="Seed of the generator (default 0).")
    args = parser.parse_args(argv)
    summary = build_corpus(args.root, args.files, args.seed)
    print(describe(summary))


def describe(summary: CorpusSummary) -> str:
    """One paragraph: counts, sizes and average sizes of the corpus."""
    tf1_avg = summary.tf1_bytes / max(1, summary.tf1_files) / 1024
    plain_avg = summary.plain_bytes / max(1, summary.plain_files) / 1024
    return (f"{summary.files} files, {summary.total_bytes / 1e6:.1f} MB, {summary.lines} lines: "
            f"{summary.tf1_files} TF1 scripts (avg {tf1_avg:.1f} KB, {summary.py2_files} in Python 2), "
            f"{summary.plain_files} ordinary modules (avg {plain_avg:.1f} KB)")


if __name__ == "__main__":
    main()
