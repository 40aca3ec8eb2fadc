"""A run over several files treats them as one program (tfmigrate/project.py): an eager rewrite
that would import a module the run keeps on tensorflow.compat.v1 (whose
`disable_v2_behavior()` switches TF2 behaviour off for the whole process) stays on compat too."""
from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys

from conftest import ROOT, run_cli
from tfmigrate.project import COMPAT, EAGER, Facts, blockers, is_library, resolve, scan_imports

# A library the graph-to-eager rewrite keeps on compat.v1 (it reads the default graph).
LIBRARY = '''import tensorflow as tf


def scaled(x, factor):
    """x times factor, named in the default graph."""
    graph = tf.get_default_graph()
    return tf.multiply(x, factor, name="scaled_%d" % len(graph.get_operations()))
'''

# A program that runs a graph built with the library.
PROGRAM = '''import tensorflow as tf
import numpy as np  # not in the run
from lib import scaled

x = tf.placeholder(tf.float32, shape=[])
w = tf.Variable(2.0)
y = scaled(x * w, 3.0)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(sess.run(y, feed_dict={x: 1.5}))
'''

# The same program without the library: the graph-to-eager rewrite takes it whole.
ALONE = PROGRAM.replace("from lib import scaled\n", "").replace("scaled(x * w, 3.0)", "x * w * 3.0")

REASON = ("importing `lib` loads lib.py, which stays on tensorflow.compat.v1 and turns TensorFlow 2 behaviour "
          "off for the whole program (tf.get_default_graph has no TensorFlow 2 equivalent)")


def _kept(output):
    """The TFM090 findings of a concise report (not the summary's lines of reasons)."""
    return [line for line in output.splitlines() if "TFM090" in line and not line.startswith(" ")]


def _write(folder, files):
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return folder


def _run_tf2(program, mode: str = "tf2") -> dict:
    """{"stdout": ..., "error": ...} of ``program`` run on TensorFlow 2 (``mode``, of tests/tf_batch.py) in a
    child process."""
    ran = subprocess.run([sys.executable, str(ROOT / "tests" / "tf_batch.py"), mode, str(program)],
                         capture_output=True, text=True, timeout=600, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
    return json.loads(ran.stdout.strip().splitlines()[-1])[str(program)]


def test_scan_imports_reads_every_form_without_parsing():
    text = ("import os, a.b as c\nfrom . import ops, utils as u\nfrom .models.rnn import (\n    RNN,\n"
            "    cell as c2,  # the cell\n    state,\n)\nfrom pkg.layers import *\nfrom x import y  # comment\n"
            "def f():\n    import inner\n    from .. import up\nfrom q import \\\n    r\n")
    assert scan_imports(text) == (
        (1, ""), (1, "ops"), (1, "utils"), (1, "models.rnn"), (1, "models.rnn.RNN"), (1, "models.rnn.cell"),
        (1, "models.rnn.state"), (0, "pkg.layers"), (0, "x"), (0, "x.y"), (2, ""), (2, "up"), (0, "q"), (0, "q.r"),
        (0, "os"), (0, "a.b"), (0, "inner"),
    )


def test_resolve_finds_siblings_packages_and_their_inits():
    files = {os.path.join("p", name): None for name in (
        "main.py", "ops.py", "pkg/__init__.py", "pkg/layers.py", "pkg/sub/__init__.py", "pkg/sub/deep.py")}
    assert resolve("p/main.py", (0, "ops"), files) == ["p/ops.py"]
    assert resolve("p/main.py", (0, "numpy"), files) == []
    assert resolve("p/main.py", (0, "pkg.sub.deep"), files) == [
        "p/pkg/__init__.py", "p/pkg/sub/__init__.py", "p/pkg/sub/deep.py"]
    assert resolve("p/pkg/sub/deep.py", (2, "layers"), files) == ["p/pkg/layers.py"]
    assert resolve("p/pkg/sub/deep.py", (0, "pkg.layers"), files) == ["p/pkg/__init__.py", "p/pkg/layers.py"]
    assert resolve("p/pkg/layers.py", (1, ""), files) == ["p/pkg/__init__.py"]


def test_blockers_follow_chains_and_leave_libraries_and_compat_programs_alone():
    facts = {
        "p/main.py": Facts(EAGER, ((0, "models"),)),  # through a library to a compat module
        "p/models.py": Facts("", ((0, "layers"),)),
        "p/layers.py": Facts(COMPAT, (), "why"),
        "p/tool.py": Facts("", ((0, "layers"),)),  # a library: its graph code runs in either mode
        "p/old.py": Facts(COMPAT, ((0, "layers"),), "own"),  # already on compat
        "p/clean.py": Facts(EAGER, ((0, "models2"),)),  # imports nothing of the run
        "p/run_all.py": Facts(EAGER, ((0, "main"),)),  # imports an eager program that is kept on compat
    }
    assert blockers(facts) == {
        "p/main.py": ("models", "importing `models` loads layers.py, which stays on tensorflow.compat.v1 and turns"
                                " TensorFlow 2 behaviour off for the whole program (why)"),
        "p/run_all.py": ("main", "importing `main` loads layers.py, which stays on tensorflow.compat.v1 and turns"
                                 " TensorFlow 2 behaviour off for the whole program (why)"),
    }


def test_an_eager_file_a_compat_program_imports_stays_on_compat_and_so_do_its_eager_importers():
    # the compat program turns TF2 behaviour off for the process: the library's eager rewrite (a model
    # class whose methods read values with .numpy()) would run as graph code
    facts = {
        "p/main.py": Facts(COMPAT, ((0, "models"),), "why"),
        "p/models.py": Facts("", ((0, "gan"),)),  # through a file of the run that is no program
        "p/gan.py": Facts(EAGER, ()),
        "p/tool.py": Facts("", ()),  # a library: its code runs in either mode
        "p/train.py": Facts(EAGER, ((0, "gan"),)),  # an eager program importing what is kept on compat now
    }
    assert blockers(facts) == {
        "p/gan.py": ("", "main.py imports it and stays on tensorflow.compat.v1, which turns TensorFlow 2 behaviour"
                         " off for the whole program: this file's eager rewrite would run as graph code (why)"),
        "p/train.py": ("gan", "importing `gan` loads gan.py, which stays on tensorflow.compat.v1 and turns TensorFlow 2"
                              " behaviour off for the whole program (main.py imports it and stays on"
                              " tensorflow.compat.v1, which turns TensorFlow 2 behaviour off for the whole program:"
                              " this file's eager rewrite would run as graph code (why))"),
    }


def test_a_library_only_defines_things_and_a_script_runs_its_graph_at_module_level():
    assert is_library('"""Doc."""\nimport tensorflow as tf\nSIZE = 3\n\n\nclass GAN:\n    pass\n\n\n'
                      'def f():\n    pass\n\n\nif __name__ == "__main__":\n    f()\n')
    assert not is_library("import tensorflow as tf\nx = tf.placeholder(tf.float32)\n")
    assert not is_library("import tensorflow as tf\nwith tf.Session() as sess:\n    pass\n")
    assert not is_library("def broken(:\n")


def test_a_model_class_a_program_kept_on_compat_runs_stays_tf1_code(tmp_path):
    # the class would become eager (its methods run its session): main.py, kept on compat for a reason of
    # its own, runs it with TF2 behaviour off, and passes it the session
    library = ("import tensorflow as tf\n\n\nclass Model(object):\n    def __init__(self):\n"
               "        self.sess = tf.Session()\n        self.x = tf.placeholder(tf.float32, [None, 2])\n"
               "        w = tf.Variable(tf.ones([2, 1]))\n        self.y = tf.matmul(self.x, w)\n"
               "        self.sess.run(tf.global_variables_initializer())\n\n"
               "    def predict(self, x):\n        return self.sess.run(self.y, feed_dict={self.x: x})\n")
    program = ("import tensorflow as tf\nfrom model import Model\n\nmodel = Model()\n"
               "print(len(tf.get_default_graph().get_operations()) > 0)\nprint(model.predict([[1.0, 2.0]]))\n")
    _write(tmp_path, {"model.py": library, "main.py": program})
    done = run_cli("fix", "--unsafe-fixes", ".", cwd=tmp_path)
    assert "Migration: 0 idiomatic, 2 compat-only, 0 manual." in done.stdout, done.stdout
    assert "tf.disable_v2_behavior()" in (tmp_path / "model.py").read_text()
    result = _run_tf2(tmp_path / "main.py")
    assert result == {"stdout": "True\n[[3.]]\n", "error": None}


def test_a_file_whose_session_runs_nothing_is_no_program_and_a_compat_file_may_import_its_rewrite(tmp_path):
    # neural-style's vgg.py makes a session for its GPU options only: its rewrite builds ops in either mode
    library = ("import tensorflow as tf\n\nconfig = tf.ConfigProto()\nconfig.gpu_options.allow_growth = True\n"
               "sess = tf.Session(config=config)\n\n\ndef double(x):\n    return tf.multiply(x, 2.0)\n")
    program = ("import tensorflow as tf\nimport vgg\n\nx = tf.placeholder(tf.float32, [])\n"
               "print(len(tf.get_default_graph().get_operations()) > 0)\nwith tf.Session() as sess:\n"
               "    print(sess.run(vgg.double(x), feed_dict={x: 3.0}))\n")
    _write(tmp_path, {"vgg.py": library, "main.py": program})
    done = run_cli("fix", "--unsafe-fixes", ".", cwd=tmp_path)
    assert "Migration: 1 idiomatic, 1 compat-only, 0 manual." in done.stdout, done.stdout
    assert "tf.Session" not in (tmp_path / "vgg.py").read_text()
    result = _run_tf2(tmp_path / "main.py")
    assert result == {"stdout": "True\n6.0\n", "error": None}


def test_of_two_compat_modules_a_package_loads_the_reason_names_the_same_one_in_every_process():
    # which file is named does not depend on the order of a set of strings (their hashes, which change from
    # one Python process to the next)
    code = ("from tfmigrate.project import COMPAT, EAGER, Facts, blockers\n"
            "print(blockers({'p/main_test.py': Facts(EAGER, ((0, 'pkg'),)),"
            " 'p/pkg/__init__.py': Facts('', ((1, 'zeta'), (1, 'alpha'))),"
            " 'p/pkg/zeta.py': Facts(COMPAT, (), 'z'), 'p/pkg/alpha.py': Facts(COMPAT, (), 'a')})['p/main_test.py'][1])")
    named = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True,
                            env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout for seed in range(6)}
    assert named == {"importing `pkg` loads pkg/alpha.py, which stays on tensorflow.compat.v1 and turns TensorFlow 2 "
                     "behaviour off for the whole program (a)\n"}


def test_check_keeps_a_program_importing_a_compat_module_on_compat(tmp_path):
    _write(tmp_path, {"main.py": PROGRAM, "lib.py": LIBRARY, "alone.py": ALONE})
    result = run_cli("check", "--output-format", "concise", "--no-cache", ".", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    kept = _kept(result.stdout)
    assert kept == [
        "lib.py:6:13: TFM090 kept on tensorflow.compat.v1: tf.get_default_graph has no TensorFlow 2 equivalent",
        f"main.py:3:1: TFM090 kept on tensorflow.compat.v1: {REASON}",
    ]
    assert "Migration: 1 idiomatic, 2 compat-only, 0 manual." in result.stdout
    # Checked alone, main.py is judged with what lib.py next to it becomes.
    alone = run_cli("check", "--output-format", "concise", "--no-cache", "main.py", cwd=tmp_path)
    assert _kept(alone.stdout) == [f"main.py:3:1: TFM090 kept on tensorflow.compat.v1: {REASON}"]
    assert "Migration: 0 idiomatic, 1 compat-only, 0 manual." in alone.stdout
    # Without lib.py on disk, `from lib import scaled` is some installed package's.
    (tmp_path / "lib.py").unlink()
    alone = run_cli("check", "--output-format", "concise", "--no-cache", "main.py", cwd=tmp_path)
    assert not _kept(alone.stdout) and "Migration: 1 idiomatic, 0 compat-only, 0 manual." in alone.stdout


def test_the_cache_keeps_the_run_s_verdict(tmp_path):
    _write(tmp_path, {"main.py": PROGRAM, "lib.py": LIBRARY})
    cache = ["--cache-dir", str(tmp_path / "cache")]
    first = run_cli("check", "--output-format", "concise", *cache, "main.py", "lib.py", cwd=tmp_path)
    again = run_cli("check", "--output-format", "concise", *cache, "main.py", "lib.py", cwd=tmp_path)
    assert first.stdout == again.stdout and REASON in again.stdout
    # The library migrated by hand: the program is an eager program again.
    (tmp_path / "lib.py").write_text("import tensorflow as tf\n\n\ndef scaled(x, factor):\n"
                                     "    return tf.multiply(x, factor)\n")
    after = run_cli("check", "--output-format", "concise", *cache, "main.py", "lib.py", cwd=tmp_path)
    assert not _kept(after.stdout) and "Migration: 1 idiomatic, 0 compat-only" in after.stdout


def test_fix_diff_and_fix_agree_and_the_fixed_program_runs_on_tensorflow_2(tmp_path):
    _write(tmp_path, {"main.py": PROGRAM, "lib.py": LIBRARY})
    diff = run_cli("fix", "--unsafe-fixes", "--diff", ".", cwd=tmp_path)
    assert diff.returncode == 1, diff.stderr
    assert (tmp_path / "main.py").read_text() == PROGRAM  # --diff writes nothing
    done = run_cli("fix", "--unsafe-fixes", ".", cwd=tmp_path)
    assert "Migration: 0 idiomatic, 2 compat-only, 0 manual." in done.stdout, done.stdout
    fixed = (tmp_path / "main.py").read_text()
    assert fixed == PROGRAM.replace("import tensorflow as tf\n",
                                    "import tensorflow.compat.v1 as tf\ntf.disable_v2_behavior()\n", 1)
    for name in ("main.py", "lib.py"):
        assert f"+++ b/{name}" in diff.stdout
    # Both files on compat.v1: the program runs on TensorFlow 2 and prints what TF1 computed.
    result = _run_tf2(tmp_path / "main.py")
    assert result == {"stdout": "9.0\n", "error": None}
    assert len(_kept(run_cli("check", "--output-format", "concise", ".", cwd=tmp_path).stdout)) == 2


def test_a_run_of_one_file_and_libraries_without_sessions_are_not_held_back(tmp_path):
    library_user = "import tensorflow as tf\nfrom lib import scaled\n\n\ndef double(x):\n    return scaled(x, 2.0)\n"
    _write(tmp_path, {"user.py": library_user, "lib.py": LIBRARY})
    result = run_cli("check", "--output-format", "concise", "--no-cache", ".", cwd=tmp_path)
    assert _kept(result.stdout) == [
        "lib.py:6:13: TFM090 kept on tensorflow.compat.v1: tf.get_default_graph has no TensorFlow 2 equivalent"]


LAYERS = ROOT / "tests" / "data" / "layer_library"


def test_a_program_and_its_layer_library_are_rewritten_together(tmp_path):
    """train.py calls fc_layer of layers.py, a library of functions making variables: alone, the
    library stays on compat.v1 (nothing in it calls its functions, which make variables); with the
    program, fc_layer becomes the tf.Module FcLayer and train.py imports and instantiates it."""
    alone = run_cli("check", "--output-format", "concise", "--no-cache", "layers.py", cwd=LAYERS / "original")
    assert _kept(alone.stdout) == [
        "layers.py:20:5: TFM090 kept on tensorflow.compat.v1: fc_layer makes variables and nothing in this file calls "
        "it: fix it in one run with the files that call it, which decide who shares its variables"]
    work = tmp_path / "work"
    work.mkdir()
    for name in ("layers.py", "train.py"):
        (work / name).write_text((LAYERS / "original" / name).read_text())
    check = run_cli("check", "--output-format", "concise", "--no-cache", ".", cwd=work)
    assert _kept(check.stdout) == [
        "layers.py:1:1: TFM090 rewritten together with the program that imports it: its layer functions become "
        "tf.Module classes that program makes"]
    assert "Migration: 2 idiomatic, 0 compat-only, 0 manual." in check.stdout
    # the program alone: fix would not write the library, and says how to rewrite both
    program = run_cli("check", "--output-format", "concise", "--no-cache", "train.py", cwd=work)
    assert _kept(program.stdout) == [
        "train.py:4:1: TFM090 kept on tensorflow.compat.v1: importing `layers` loads layers.py, which stays on "
        "tensorflow.compat.v1 when it is fixed alone: fix both files in one run to rewrite them together"]
    diff = run_cli("fix", "--unsafe-fixes", "--diff", ".", cwd=work)
    assert "+++ b/layers.py" in diff.stdout and "+++ b/train.py" in diff.stdout
    fixed = run_cli("fix", "--unsafe-fixes", ".", cwd=work)
    assert "Migration: 2 idiomatic, 0 compat-only, 0 manual." in fixed.stdout, fixed.stdout + fixed.stderr
    for name in ("layers.py", "train.py"):
        assert (work / name).read_text() == (LAYERS / "expected" / name).read_text(), name
    assert "All checks passed." in run_cli("check", ".", cwd=work).stdout


def test_the_rewrite_together_computes_what_tf1_computed():
    done = run_cli("verify", "--deterministic", LAYERS / "original" / "train.py", LAYERS / "expected" / "train.py")
    assert done.returncode == 0, done.stdout + done.stderr
    rows = [line.split() for line in done.stdout.splitlines() if line[:1].isdigit()]
    assert [(row[1], row[2]) for row in rows] == [
        ("0.0", "0.0"), ("0.67963827", "0.67963827"), ("20.0", "20.0"), ("0.22417712", "0.22417712"),
        ("40.0", "40.0"), ("0.10602029", "0.10602029"), ("0.975", "0.975")]
    assert "exact: 7 numbers, each printed identically" in done.stdout


def test_a_library_another_file_also_uses_is_not_rewritten_for_one_program(tmp_path):
    _write(tmp_path, {name: (LAYERS / "original" / name).read_text() for name in ("layers.py", "train.py")})
    # a second library calling fc_layer by its name: fc_layer cannot become a class for train.py alone
    (tmp_path / "blocks.py").write_text("from layers import fc_layer\n\n\ndef two(x):\n"
                                        "    return fc_layer(fc_layer(x, 4, 'A'), 4, 'B')\n")
    check = run_cli("check", "--output-format", "concise", "--no-cache", ".", cwd=tmp_path)
    assert _kept(check.stdout) == [
        "layers.py:20:5: TFM090 kept on tensorflow.compat.v1: fc_layer makes variables and nothing in this file calls "
        "it: fix it in one run with the files that call it, which decide who shares its variables",
        "train.py:4:1: TFM090 kept on tensorflow.compat.v1: importing `layers` loads layers.py, which stays on "
        "tensorflow.compat.v1 and turns TensorFlow 2 behaviour off for the whole program (fc_layer makes variables "
        "and nothing in this file calls it: fix it in one run with the files that call it, which decide who shares "
        "its variables)",
    ]


def test_a_program_importing_the_library_as_a_module_names_its_classes_through_the_module(tmp_path):
    program = (LAYERS / "original" / "train.py").read_text()
    program = program.replace("from layers import fc_layer", "import layers").replace("fc_layer(", "layers.fc_layer(")
    _write(tmp_path, {"layers.py": (LAYERS / "original" / "layers.py").read_text(), "train.py": program})
    fixed = run_cli("fix", "--unsafe-fixes", "--no-cache", ".", cwd=tmp_path)
    assert "Migration: 2 idiomatic, 0 compat-only, 0 manual." in fixed.stdout, fixed.stdout
    expected = (LAYERS / "expected" / "train.py").read_text().replace("from layers import FcLayer", "import layers")
    assert (tmp_path / "train.py").read_text() == expected.replace(" = FcLayer()", " = layers.FcLayer()")
    assert (tmp_path / "layers.py").read_text() == (LAYERS / "expected" / "layers.py").read_text()


def test_a_library_a_file_outside_the_run_imports_is_not_rewritten(tmp_path):
    _write(tmp_path, {name: (LAYERS / "original" / name).read_text() for name in ("layers.py", "train.py")})
    (tmp_path / "evaluate.py").write_text("from layers import fc_layer\n")  # next to it, not in the run
    check = run_cli("check", "--output-format", "concise", "--no-cache", "layers.py", "train.py", cwd=tmp_path)
    assert "Migration: 0 idiomatic, 2 compat-only, 0 manual." in check.stdout


def test_a_file_changed_while_the_run_read_the_others_is_left_as_it_is(tmp_path):
    from tfmigrate.api import Job, _deliver_checked, process_file
    from tfmigrate.options import Options

    _write(tmp_path, {"main.py": ALONE.replace("import numpy as np  # not in the run\n", "import helpers\n"),
                      "helpers.py": "SCALE = 3.0\n"})
    job = Job(Options(fix=True, unsafe_fixes=True), write=True)
    report = process_file(str(tmp_path / "main.py"), dataclasses.replace(job, defer=True))
    assert report.deferred and report.changed  # an eager program importing a file: written last
    edited = (tmp_path / "main.py").read_text() + "print('edited meanwhile')\n"
    (tmp_path / "main.py").write_text(edited)
    late = _deliver_checked(report, job)
    assert late.error is not None and late.error.reason == "changed while tfmigrate ran; left as it is"
    assert (tmp_path / "main.py").read_text() == edited


def test_a_star_import_of_the_library_stays_a_star_import(tmp_path):
    program = (LAYERS / "original" / "train.py").read_text().replace("from layers import fc_layer",
                                                                    "from layers import *")
    _write(tmp_path, {"layers.py": (LAYERS / "original" / "layers.py").read_text(), "train.py": program})
    fixed = run_cli("fix", "--unsafe-fixes", ".", cwd=tmp_path)
    assert "Migration: 2 idiomatic, 0 compat-only, 0 manual." in fixed.stdout, fixed.stdout
    expected = (LAYERS / "expected" / "train.py").read_text().replace("from layers import FcLayer",
                                                                     "from layers import *")
    assert (tmp_path / "train.py").read_text() == expected
    assert (tmp_path / "layers.py").read_text() == (LAYERS / "expected" / "layers.py").read_text()


def test_a_library_a_file_below_it_imports_is_not_rewritten(tmp_path):
    _write(tmp_path, {name: (LAYERS / "original" / name).read_text() for name in ("layers.py", "train.py")})
    _write(tmp_path, {"tools/evaluate.py": "from layers import fc_layer\n"})  # outside the run, below it
    check = run_cli("check", "--output-format", "concise", "--no-cache", "layers.py", "train.py", cwd=tmp_path)
    assert "Migration: 0 idiomatic, 2 compat-only, 0 manual." in check.stdout


def test_a_library_fixed_alone_first_is_rewritten_with_its_program_later(tmp_path):
    """A pre-commit hook that fixed layers.py alone kept it on compat.v1; fixing both files later
    rewrites them together all the same."""
    _write(tmp_path, {name: (LAYERS / "original" / name).read_text() for name in ("layers.py", "train.py")})
    alone = run_cli("fix", "--unsafe-fixes", "layers.py", cwd=tmp_path)
    assert "Migration: 0 idiomatic, 1 compat-only, 0 manual." in alone.stdout
    assert "tf.disable_v2_behavior()" in (tmp_path / "layers.py").read_text()
    both = run_cli("fix", "--unsafe-fixes", ".", cwd=tmp_path)
    assert "Migration: 2 idiomatic, 0 compat-only, 0 manual." in both.stdout, both.stdout
    for name in ("layers.py", "train.py"):
        assert (tmp_path / name).read_text() == (LAYERS / "expected" / name).read_text(), name


def test_a_program_kept_on_compat_runs_with_a_library_the_fix_made_tf2(tmp_path):
    """The other way round: weight helpers rewritten to TF2 (`tf.Variable` of a Keras initializer)
    run in the graph of a program kept on compat.v1 for a reason of its own."""
    helpers = ("import tensorflow as tf\n\n\ndef weight_variable(shape):\n"
               "    initer = tf.truncated_normal_initializer(stddev=0.01)\n"
               "    return tf.get_variable('W', dtype=tf.float32, shape=shape, initializer=initer)\n\n\n"
               "def bias_variable(shape):\n    initial = tf.constant(0.5, shape=shape, dtype=tf.float32)\n"
               "    return tf.get_variable('b', dtype=tf.float32, initializer=initial)\n")
    program = ("import numpy as np\nimport tensorflow as tf\nfrom helpers import weight_variable, bias_variable\n\n"
               "x = tf.placeholder(tf.float32, shape=[None, 3])\nW = weight_variable(shape=[3, 2])\n"
               "b = bias_variable(shape=[2])\ny = tf.matmul(x * 0.0, W) + b\n"
               "print(len(tf.get_default_graph().get_operations()) > 0)\n"
               "with tf.Session() as sess:\n    sess.run(tf.global_variables_initializer())\n"
               "    print(sess.run(y, feed_dict={x: np.ones([1, 3])}))\n")
    _write(tmp_path, {"helpers.py": helpers, "main.py": program})
    done = run_cli("fix", "--unsafe-fixes", ".", cwd=tmp_path)
    assert "Migration: 1 idiomatic, 1 compat-only, 0 manual." in done.stdout, done.stdout
    assert "tf.disable_v2_behavior()" in (tmp_path / "main.py").read_text()
    assert "tf.keras.initializers.TruncatedNormal" in (tmp_path / "helpers.py").read_text()
    result = _run_tf2(tmp_path / "main.py")
    assert result == {"stdout": "True\n[[0.5 0.5]]\n", "error": None}


def test_a_library_s_layer_function_keeps_the_parameter_the_program_passes_by_its_own_setting(tmp_path):
    """Every call passes `scale` by the program's module-level name: in one file the module would read
    that name itself; a library cannot read the program's names, so its __call__ keeps the parameter."""
    work = _write(tmp_path, {
        "ops.py": "import tensorflow as tf\n\n\n"
                  "def dense(x, units, scale):\n"
                  "    with tf.variable_scope('dense', reuse=tf.AUTO_REUSE):\n"
                  "        w = tf.get_variable('w', [2, units], initializer=tf.ones_initializer())\n"
                  "        return tf.matmul(x, w) * scale\n",
        "train.py": "import tensorflow as tf\nfrom ops import dense\n\n"
                    "scale = 3.0\n"
                    "x = tf.placeholder(tf.float32, [None, 2])\n"
                    "y = dense(x, 1, scale)\n"
                    "with tf.Session() as sess:\n"
                    "    sess.run(tf.global_variables_initializer())\n"
                    "    print(sess.run(y, feed_dict={x: [[1.0, 2.0]]}))\n"})
    fixed = run_cli("fix", "--unsafe-fixes", ".", cwd=work)
    assert "Migration: 2 idiomatic, 0 compat-only, 0 manual." in fixed.stdout, fixed.stdout + fixed.stderr
    library = (work / "ops.py").read_text()
    assert "    def __call__(self, x, units, scale):\n" in library and "return tf.matmul(x, self.w) * scale\n" in library
    assert "    return dense(x, 1, scale)\n" in (work / "train.py").read_text()
    done = subprocess.run([sys.executable, "train.py"], cwd=work, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert done.stdout.split() == ["[[9.]]"], done.stderr[-2000:]


def test_a_star_import_after_the_compat_import_does_not_rebind_tf_to_tensorflow_2(tmp_path):
    """The library becomes TF2 (`import tensorflow as tf`), the program stays on compat.v1: its
    `from utils import *` would bind the program's `tf` to TensorFlow 2, where `tf.placeholder` is gone."""
    work = _write(tmp_path, {
        "utils.py": "import tensorflow as tf\n\n\ndef zeros(n):\n    return tf.to_float(tf.zeros([n], tf.int32))\n",
        "main.py": "import tensorflow as tf\nfrom utils import *\n\n"
                   "x = tf.placeholder(tf.float32, [2])\n"
                   "y = x + zeros(2)\n"
                   "print(len(tf.get_default_graph().get_operations()) > 0)\n"
                   "with tf.Session() as sess:\n"
                   "    print(sess.run(y, feed_dict={x: [1.0, 2.0]}))\n"})
    fixed = run_cli("fix", "--unsafe-fixes", ".", cwd=work)
    assert "1 idiomatic, 1 compat-only" in fixed.stdout, fixed.stdout + fixed.stderr
    assert (work / "main.py").read_text().startswith(
        "import tensorflow.compat.v1 as tf\ntf.disable_v2_behavior()\nfrom utils import *\n"
        "import tensorflow.compat.v1 as tf  # the star import above may bind tf to TensorFlow 2\n")
    done = subprocess.run([sys.executable, "main.py"], cwd=work, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert done.stdout.split() == ["True", "[1.", "2.]"], done.stderr[-2000:]


# A library of TensorFlow 2 names only: `tf.Variable` in functions a TF1 program calls on its placeholders.
VARIABLE_LIBRARY = '''import tensorflow as tf


def fc_layer(x, n_in, n_out, name):
    with tf.name_scope(name):
        w = tf.Variable(tf.ones([n_in, n_out]) * 0.1, name="w")
        return tf.matmul(x, w)


def classifier(x):
    return fc_layer(fc_layer(x, 3, 4, "fc1"), 4, 2, "fc2")
'''

VARIABLE_PROGRAM = '''import numpy as np
import tensorflow as tf

from netlib import classifier

x = tf.placeholder(tf.float32, [None, 3])
logits = classifier(x)
loss = tf.reduce_mean(tf.square(logits))
train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for _ in range(3):
        _, value = sess.run([train_op, loss], {x: np.ones((2, 3))})
        print(value)
'''


def test_a_library_of_tf2_names_whose_functions_make_the_programs_variables_is_rewritten_with_it(tmp_path):
    """Each eager call of classifier would make new variables (and a tf.function refuses that): the library
    is rewritten with the program that shares its variables, as one whose functions are TF1's."""
    _write(tmp_path, {"netlib.py": VARIABLE_LIBRARY, "train.py": VARIABLE_PROGRAM})
    alone = run_cli("check", "--output-format", "concise", "--no-cache", "train.py", cwd=tmp_path)
    assert _kept(alone.stdout) == [
        "train.py:4:1: TFM090 kept on tensorflow.compat.v1: netlib.py, which this program imports, makes variables in "
        "classifier (TF1 made them once, where the graph was built; each eager call would make new ones): fix both "
        "files in one run to rewrite them together"]
    assert "All checks passed." in run_cli("check", "--no-cache", "netlib.py", cwd=tmp_path).stdout
    fixed = run_cli("fix", "--unsafe-fixes", "--no-cache", ".", cwd=tmp_path)
    assert "Migration: 2 idiomatic, 0 compat-only, 0 manual." in fixed.stdout, fixed.stdout
    library = (tmp_path / "netlib.py").read_text()
    assert "class FcLayer(tf.Module):" in library and "class Classifier(tf.Module):" in library
    assert "            self.fc_layer = FcLayer()\n            self.fc_layer2 = FcLayer()\n" in library
    program = (tmp_path / "train.py").read_text()
    assert "from netlib import Classifier\n" in program and "classifier = Classifier()\n" in program
    printed = _run_tf2(tmp_path / "train.py")
    original = _write(tmp_path / "original", {"netlib.py": VARIABLE_LIBRARY, "train.py": VARIABLE_PROGRAM})
    tf1 = _run_tf2(original / "train.py", "tf1")
    assert printed["error"] is None and tf1["error"] is None, (printed, tf1)
    assert printed["stdout"] == tf1["stdout"] and len(tf1["stdout"].split()) == 3


# TensorFlow's MNIST tutorial layout: a library of inference / loss / training / evaluation (training makes the
# loss's summary), and a program whose main() builds the graph with them (its own `loss` beside the library's),
# merges the summaries and runs it.
MNIST_LIBRARY = '''import tensorflow as tf


def inference(x, hidden_units):
    with tf.name_scope("hidden1"):
        weights = tf.Variable(tf.ones([3, hidden_units]) * 0.1, name="weights")
        hidden = tf.nn.relu(tf.matmul(x, weights))
    with tf.name_scope("softmax_linear"):
        weights = tf.Variable(tf.ones([hidden_units, 2]) * 0.2, name="weights")
        return tf.matmul(hidden, weights)


def loss(logits, labels):
    return tf.losses.sparse_softmax_cross_entropy(labels=tf.to_int64(labels), logits=logits)


def training(loss, learning_rate):
    tf.summary.scalar("loss", loss)
    optimizer = tf.train.GradientDescentOptimizer(learning_rate)
    global_step = tf.Variable(0, name="global_step", trainable=False)
    train_op = optimizer.minimize(loss, global_step=global_step)
    return train_op


def evaluation(logits, labels):
    return tf.reduce_sum(tf.cast(tf.nn.in_top_k(logits, labels, 1), tf.int32))
'''

MNIST_PROGRAM = '''import tempfile

import numpy as np
import tensorflow as tf

import mnist


def run_training():
    images = tf.placeholder(tf.float32, [None, 3])
    labels = tf.placeholder(tf.int32, [None])
    logits = mnist.inference(images, 4)
    loss = mnist.loss(logits, labels)
    train_op = mnist.training(loss, 0.5)
    eval_correct = mnist.evaluation(logits, labels)
    summary = tf.summary.merge_all()
    data, classes = np.array([[1.0, 0.0, 2.0], [0.0, 1.0, -1.0]], np.float32), np.array([1, 0])
    with tf.Session() as sess:
        writer = tf.summary.FileWriter(tempfile.mkdtemp(), sess.graph)
        sess.run(tf.global_variables_initializer())
        for step in range(3):
            _, loss_value = sess.run([train_op, loss], {images: data, labels: classes})
            print(step, loss_value)
            writer.add_summary(sess.run(summary, {images: data, labels: classes}), step)
        print(sess.run(eval_correct, {images: data, labels: classes}))


if __name__ == "__main__":
    run_training()
'''


def test_the_mnist_tutorial_layout_is_rewritten_together_with_the_programs_own_loss_beside_the_librarys(tmp_path):
    _write(tmp_path, {"mnist.py": MNIST_LIBRARY, "fully_connected_feed.py": MNIST_PROGRAM})
    fixed = run_cli("fix", "--unsafe-fixes", "--no-cache", ".", cwd=tmp_path)
    assert "Migration: 2 idiomatic, 0 compat-only, 0 manual." in fixed.stdout, fixed.stdout
    library = (tmp_path / "mnist.py").read_text()
    assert "class Inference(tf.Module):" in library and "\ndef loss(logits, labels):\n" in library
    assert "\ndef training(" not in library  # its train op is the program's train step now
    program = (tmp_path / "fully_connected_feed.py").read_text()
    assert "    inference = mnist.Inference()\n" in program
    assert "        return mnist.loss(logits(images), labels)\n" in program
    assert "            tf.summary.scalar(\"loss\", values[0])\n" in program
    printed = _run_tf2(tmp_path / "fully_connected_feed.py")
    original = _write(tmp_path / "original", {"mnist.py": MNIST_LIBRARY, "fully_connected_feed.py": MNIST_PROGRAM})
    tf1 = _run_tf2(original / "fully_connected_feed.py", "tf1")
    assert printed["error"] is None and tf1["error"] is None, (printed, tf1)
    assert printed["stdout"] == tf1["stdout"] and len(tf1["stdout"].split()) == 7


def test_a_library_function_read_under_an_alias_keeps_its_parameters_methods_and_keywords():
    import libcst as cst

    from tfmigrate.merge import _Renamed

    library = ("def loss(a):\n    return a\n\n\nclass M:\n    def loss(self, x):\n        return loss(x)\n\n\n"
               "def training(loss, lr):\n    return loss * lr\n\n\ndef other(y):\n    return loss(y) + f(loss=y)\n")
    renamed = cst.parse_module(library).visit(_Renamed({"loss": "mnist_loss"})).code
    assert renamed == library.replace("def loss(a)", "def mnist_loss(a)").replace(
        "return loss(x)", "return mnist_loss(x)").replace("return loss(y)", "return mnist_loss(y)")
    assert cst.parse_module(renamed).visit(_Renamed({"mnist_loss": "loss"})).code == library


def test_a_library_of_tf2_variable_functions_imported_through_another_module_holds_no_program_back(tmp_path):
    # helpers.py imports netlib.py (its functions make tf.Variables, a TF2 library's own business): the program
    # calls none of them, and is rewritten as it would be alone
    helpers = "import netlib\n\n\ndef scale(x):\n    return x * 2.0\n"
    program = ALONE.replace("import numpy as np  # not in the run\n", "from helpers import scale\n").replace(
        "x * w * 3.0", "scale(x * w)")
    _write(tmp_path, {"netlib.py": VARIABLE_LIBRARY, "helpers.py": helpers, "main.py": program})
    check = run_cli("check", "--output-format", "concise", "--no-cache", ".", cwd=tmp_path)
    assert _kept(check.stdout) == [] and "Migration: 1 idiomatic, 0 compat-only, 0 manual." in check.stdout, \
        check.stdout
