"""TFM114: TensorFlow's private module paths written as the public TF1 names of the same objects."""
from __future__ import annotations

from pathlib import Path

import pytest

from rules import _private
from tfmigrate.engine import Options, process_text
from tfmigrate.ftypes import Status


def _codes(outcome):
    return [(f.code, f.start.line) for f in outcome.findings]


@pytest.mark.parametrize("private, public", [
    ("python.ops.math_ops.cast", "cast"),  # exported where it is defined
    ("python.ops.math_ops.reduce_all", "reduce_all"),  # the least nested of reduce_all / math.reduce_all
    ("python.framework.dtypes.float32", "float32"),  # an exported constant
    ("python.ops.control_flow_ops.cond", "cond"),  # moved to ops/cond.py by TensorFlow 2
    ("python.ops.control_flow_ops.while_loop", "while_loop"),
    ("python.framework.ops.name_scope", "name_scope"),  # its TF1 export is name_scope_v1 now
    ("python.util.nest.map_structure", "nest.map_structure"),
    ("python.platform.gfile.FastGFile", "gfile.FastGFile"),
    ("python.saved_model.tag_constants.SERVING", "saved_model.SERVING"),
    ("python.estimator.model_fn.ModeKeys.EVAL", "estimator.ModeKeys.EVAL"),  # tensorflow_estimator's modules
    ("python.estimator.inputs.numpy_io.numpy_input_fn", "estimator.inputs.numpy_input_fn"),
    ("python.estimator.util.fn_args", None),  # never exported
    ("python.framework.dtypes.float32.as_numpy_dtype", "float32.as_numpy_dtype"),  # an attribute of one
    ("python.ops.control_flow_ops.with_dependencies", None),  # never exported
    ("python.ops.control_flow_ops.merge", None),  # not tf.sparse.merge, which has the name too
    ("python.ops.inplace_ops.alias_inplace_update", None),
    ("python.ops.control_flow_ops", None),  # a module
    ("python.ops.variable_scope", None),  # a module, though tf.variable_scope has its last part
    ("python.ops.variable_scope.variable_scope", "variable_scope"),
    ("python.ops.check_ops.cond", None),  # check_ops imports the module `cond`, not the function
    ("ops.control_flow_ops.cond", None),
])
def test_table(private, public):
    assert _private.public(private) == public


PROGRAM = ("import tensorflow as tf\n"
           "from tensorflow.python.ops import control_flow_ops, math_ops  # pylint: disable=g-direct\n"
           "from tensorflow.python.util import nest\n"
           "from tensorflow.python.framework import dtypes\n"
           "\n"
           "\n"
           "def f(p, x):\n"
           "    y = control_flow_ops.cond(p, lambda: x, lambda: math_ops.reduce_sum(x))\n"
           "    z = nest.map_structure(lambda t: t * 2, [y, x])\n"
           "    return control_flow_ops.with_dependencies([y], z[0]), tf.cast(x, dtypes.float32)\n")


def test_names_become_public_and_unused_imports_go():
    found = process_text(PROGRAM, "lib.py", Options())
    # control_flow_ops.with_dependencies was never exported; TensorFlow 2.21 still has it
    assert _codes(found) == [("TFM114", 2), ("TFM114", 2), ("TFM114", 3), ("TFM114", 4), ("TFM114", 8),
                             ("TFM114", 8), ("TFM114", 9), ("TFM114", 10), ("TFM114", 10)]
    assert found.findings[-2].message == (
        "`tensorflow.python.ops.control_flow_ops.with_dependencies` is TensorFlow's private API "
        "(tensorflow.python), which no public name has: TensorFlow 2.21 still has it, but private modules "
        "change between releases without notice")
    fixed = process_text(PROGRAM, "lib.py", Options(fix=True))
    assert fixed.new_text == (
        "import tensorflow as tf\n"
        "from tensorflow.python.ops import control_flow_ops  # pylint: disable=g-direct\n"
        "\n"
        "\n"
        "def f(p, x):\n"
        "    y = tf.cond(p, lambda: x, lambda: tf.reduce_sum(x))\n"
        "    z = tf.nest.map_structure(lambda t: t * 2, [y, x])\n"
        "    return control_flow_ops.with_dependencies([y], z[0]), tf.cast(x, tf.float32)\n")
    left = process_text(fixed.new_text, "lib.py", Options())
    assert _codes(left) == [("TFM114", 2), ("TFM114", 8)]  # what was never public stays, reported
    assert fixed.status is found.status is left.status is Status.COMPAT  # it runs, on a private API


def test_a_private_name_todays_tensorflow_does_not_have_is_manual():
    source = ("import tensorflow as tf\nfrom tensorflow.python.platform import flags\n"
              "from tensorflow.python.estimator import util\nFLAGS = flags.FLAGS\nfn_args = util.fn_args\n")
    found = process_text(source, "lib.py", Options())
    assert [(f.code, f.start.line, f.message) for f in found.findings] == [
        ("TFM114", 2, "`tensorflow.python.platform.flags` is TensorFlow's private API (tensorflow.python), which "
                      "no public name has: TensorFlow 2.21 still has it, but private modules change between "
                      "releases without notice"),
        ("TFM107", 3, "`tf.python.estimator.util` is TensorFlow's private API (tensorflow.python), and "
                      "TensorFlow 2.21 does not have it"),
        ("TFM114", 4, "`tensorflow.python.platform.flags.FLAGS` is TensorFlow's private API (tensorflow.python), "
                      "which no public name has: TensorFlow 2.21 still has it, but private modules change "
                      "between releases without notice"),
        ("TFM107", 5, "`tf.python.estimator.util.fn_args` is TensorFlow's private API (tensorflow.python), "
                      "and TensorFlow 2.21 does not have it")]
    assert found.status is Status.MANUAL
    assert process_text(source.replace("from tensorflow.python.estimator import util\n", "").replace(
        "fn_args = util.fn_args\n", ""), "lib.py", Options()).status is Status.COMPAT


def test_the_table_of_private_names_matches_the_installed_tensorflow(tmp_path):
    """One TensorFlow process imports a sample of the names the table lists, and checks that a few it
    leaves out are absent."""
    pytest.importorskip("tensorflow")
    import json
    import os
    import random
    import subprocess
    import sys

    table = json.loads((Path(_private.__file__).parent / "data" / "tf_private_present.json").read_text())
    modules = sorted(table["modules"].items())
    sample = random.Random(0).sample(modules, 60)
    code = ["import importlib, json, sys, tensorflow as tf", "wrong = []",
            "def found(name):\n    try:\n        return bool(importlib.import_module(name))\n"
            "    except ImportError:\n        return False",
            f"if tf.__version__ != {table['tensorflow_version']!r}: print('skip'); sys.exit(0)"]
    for module, names in sample:
        listed = names.split()[:20]
        code.append(f"m = importlib.import_module('tensorflow.{module}')")
        code.append(f"wrong += ['{module}.' + n for n in {listed!r} if not hasattr(m, n) and not found("
                    f"'tensorflow.{module}.' + n)]")  # a submodule an import loads
    code.append("wrong += [n for n in ('estimator', 'contrib') if hasattr(importlib.import_module("
                "'tensorflow.python'), n)]")
    code.append("print(json.dumps(wrong))")
    result = subprocess.run([sys.executable, "-c", "\n".join(code)], capture_output=True, text=True, timeout=300,
                            env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
    assert result.returncode == 0, result.stderr[-2000:]
    last = result.stdout.strip().splitlines()[-1]
    if last == "skip":
        pytest.skip(f"the table is for TensorFlow {table['tensorflow_version']}")
    assert json.loads(last) == []


def test_every_use_rewritten_makes_the_file_clean():
    source = ("import tensorflow as tf\n"
              "from tensorflow.python.ops import array_ops\n"
              "import tensorflow.python.ops.math_ops as mo\n"
              "from tensorflow.python.ops.math_ops import reduce_sum as total\n"
              "def f(x):\n"
              "    return mo.add(array_ops.where(x > 0, x, -x), total(x))\n")
    found = process_text(source, "lib.py", Options())
    assert _codes(found) == [("TFM114", 2), ("TFM114", 3), ("TFM114", 4), ("TFM114", 6), ("TFM114", 6)]
    fixed = process_text(source, "lib.py", Options(fix=True))
    assert fixed.new_text == ("import tensorflow as tf\n"
                              "from tensorflow import reduce_sum as total\n"
                              "def f(x):\n"
                              "    return tf.add(tf.where(x > 0, x, -x), total(x))\n")
    assert process_text(fixed.new_text, "lib.py", Options()).findings == []
    assert fixed.status is found.status is Status.IDIOMATIC


def test_a_local_name_that_shadows_the_module_is_left_alone():
    source = ("import tensorflow as tf\n"
              "from tensorflow.python.framework import ops\n"
              "def f(ops):\n"
              "    return ops.name_scope\n"
              "g = ops.name_scope('a')\n")
    fixed = process_text(source, "lib.py", Options(fix=True))
    assert fixed.new_text == ("import tensorflow as tf\n"
                              "from tensorflow.python.framework import ops\n"
                              "def f(ops):\n"
                              "    return ops.name_scope\n"
                              "g = tf.name_scope('a')\n")


def test_without_a_tensorflow_alias_there_is_no_fix():
    source = "from tensorflow.python.ops import control_flow_ops\ny = control_flow_ops.cond(p, f, g)\n"
    found = process_text(source, "lib.py", Options(fix=True))
    assert found.new_text is None or found.new_text == source
    assert [(f.code, f.start.line, f.fix is None) for f in found.findings] == [
        ("TFM114", 1, True), ("TFM114", 2, True)]
    assert found.findings[1].message.startswith("`control_flow_ops.cond` is TensorFlow's private module path of "
                                                "`tf.cond`")


def test_without_a_tensorflow_alias_an_import_whose_every_use_goes_with_a_decorator_goes_too():
    # TensorFlow Probability's tests: `import tensorflow.compat.v2 as tf`, test_util only for a TFM116 decorator
    source = ("import tensorflow.compat.v2 as tf\nfrom tensorflow.python.framework import test_util\n\n\n"
              "@test_util.run_all_in_graph_and_eager_modes\nclass T(tf.test.TestCase):\n\n"
              "    def testA(self):\n        self.assertEqual(self.evaluate(tf.constant(1)), 1)\n")
    checked = process_text(source, "t_test.py", Options())
    assert (_codes(checked), checked.status) == ([("TFM114", 2), ("TFM116", 5)], Status.IDIOMATIC)
    fixed = process_text(source, "t_test.py", Options(fix=True, unsafe_fixes=True))
    assert fixed.new_text == ("import tensorflow.compat.v2 as tf\n\n\nclass T(tf.test.TestCase):\n\n"
                              "    def testA(self):\n        self.assertEqual(self.evaluate(tf.constant(1)), 1)\n")
    assert (fixed.remaining, fixed.status) == ([], Status.IDIOMATIC)
    # another use of the module keeps it, and the file manual, as before
    kept = source.replace("tf.constant(1)", "test_util.gpu_device_name() or tf.constant(1)")
    assert process_text(kept, "t_test.py", Options()).status == Status.MANUAL


@pytest.mark.parametrize("path, source", [
    ("pkg/__init__.py", "import tensorflow as tf\nfrom tensorflow.python.util import nest\ny = nest.flatten(x)\n"),
    ("lib.py", "import tensorflow as tf\nfrom tensorflow.python.util import nest\n__all__ = ['nest']\n"
               "y = nest.flatten(x)\n"),
])
def test_imports_that_may_be_re_exported_stay(path, source):
    fixed = process_text(source, path, Options(fix=True))
    assert "from tensorflow.python.util import nest\n" in fixed.new_text
    assert "y = tf.nest.flatten(x)\n" in fixed.new_text


def test_renames_write_the_tensorflow_2_name_on_the_alias():
    source = "import tensorflow as tf\nfrom tensorflow.python.ops import math_ops\ny = math_ops.to_float(x)\n"
    fixed = process_text(source, "lib.py", Options(fix=True))
    assert fixed.new_text == "import tensorflow as tf\ny = tf.cast(x, tf.float32)\n"
