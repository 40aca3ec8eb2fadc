"""The scaffolding rules (TFM080-TFM085), case by case: exact input, output and findings."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import libcst as cst
import pytest

from tfmigrate.engine import Options, process_text
from tfmigrate.rules import scaffolding
from tfmigrate.rules.session_config import config_definition, config_statements

SCAFFOLD = ("TFM080", "TFM081", "TFM082", "TFM083", "TFM084", "TFM085")


def run(source: str, unsafe: bool = True):
    return process_text(textwrap.dedent(source), "case.py", Options(fix=True, unsafe_fixes=unsafe))


def fix(source: str, unsafe: bool = True) -> str:
    return run(source, unsafe).new_text


def findings(source: str):
    outcome = process_text(textwrap.dedent(source), "case.py", Options())
    return [(f.code, f.start.line, f.message) for f in outcome.findings]


def test_training_script_scaffolding_becomes_absl_with_one_import_each():
    assert fix("""\
        \"\"\"Trains.\"\"\"
        from __future__ import print_function

        import tensorflow as tf

        # Command-line flags.
        flags = tf.app.flags
        FLAGS = flags.FLAGS
        flags.DEFINE_string("data_dir", "/tmp/data", "Where the data is.")
        tf.app.flags.DEFINE_integer("batch_size", 32, "Batch size.")
        tf.flags.DEFINE_bool("fast", False, "Go fast.")
        tf.app.flags.DEFINE_enum("mode", "train", ["train", "eval"], "Mode.")
        tf.app.flags.DEFINE_list("layers", "8,4", "Sizes.")
        tf.app.flags.mark_flag_as_required("data_dir")


        def main(unused_argv):
            tf.logging.set_verbosity(tf.logging.INFO)
            tf.logging.info("batch %d", FLAGS.batch_size)
            tf.logging.log_every_n(tf.logging.WARN, "every %d", 10, 1)
            tf.logging.log_first_n(tf.logging.ERROR, "first", 2)
            tf.logging.debug("quiet")
            tf.logging.error("bad")


        if __name__ == "__main__":
            tf.app.run()
    """) == textwrap.dedent("""\
        \"\"\"Trains.\"\"\"
        from __future__ import print_function

        import tensorflow as tf
        from absl import app
        from absl import flags
        from absl import logging

        # Command-line flags.
        FLAGS = flags.FLAGS
        flags.DEFINE_string("data_dir", "/tmp/data", "Where the data is.")
        flags.DEFINE_integer("batch_size", 32, "Batch size.")
        flags.DEFINE_bool("fast", False, "Go fast.")
        flags.DEFINE_enum("mode", "train", ["train", "eval"], "Mode.")
        flags.DEFINE_list("layers", "8,4", "Sizes.")
        flags.mark_flag_as_required("data_dir")


        def main(unused_argv):
            logging.set_verbosity(logging.INFO)
            logging.info("batch %d", FLAGS.batch_size)
            logging.log_every_n(logging.WARNING, "every %d", 10, 1)
            logging.log_first_n(logging.ERROR, "first", 2)
            logging.debug("quiet")
            logging.error("bad")


        if __name__ == "__main__":
            app.run(main)
    """)


def test_rewrite_is_idempotent_and_leaves_no_finding():
    source = """\
        import tensorflow as tf
        flags = tf.flags
        flags.DEFINE_integer("n", 1, "n")
        tf.logging.warn("x")
        tf.app.run(main=lambda argv: None)
    """
    outcome = run(source)
    assert outcome.error is None and outcome.remaining == []
    assert fix(outcome.new_text) == outcome.new_text
    assert outcome.status.value == "idiomatic"


def test_without_unsafe_fixes_only_the_safe_names_change():
    source = """\
        import tensorflow as tf
        tf.logging.info("x")
        graph_def = tf.gfile.FastGFile("model.pb", "rb").read()
    """
    assert fix(source, unsafe=False) == textwrap.dedent("""\
        import tensorflow as tf
        tf.logging.info("x")
        graph_def = tf.io.gfile.GFile("model.pb", "rb").read()
    """)


def test_names_already_taken_get_an_absl_prefix():
    assert fix("""\
        import logging
        import tensorflow as tf
        app = object()
        logging.basicConfig()
        tf.logging.info("tf")
        tf.app.run(main)
    """) == textwrap.dedent("""\
        import logging
        import tensorflow as tf
        from absl import app as absl_app
        from absl import logging as absl_logging
        app = object()
        logging.basicConfig()
        absl_logging.info("tf")
        absl_app.run(main)
    """)


def test_an_absl_import_already_there_is_used_not_repeated():
    assert fix("""\
        import tensorflow as tf
        from absl import flags as absl_flags
        tf.app.flags.DEFINE_string("a", "", "a")
    """) == textwrap.dedent("""\
        import tensorflow as tf
        from absl import flags as absl_flags
        absl_flags.DEFINE_string("a", "", "a")
    """)


def test_old_keyword_names_are_renamed_through_the_alias_too():
    assert fix("""\
        import tensorflow as tf
        flags = tf.app.flags
        flags.DEFINE_integer(flag_name="steps", default_value=5, docstring="Steps.")
        flags.DEFINE_list(name="xs", default=[], help="Xs.")
    """) == textwrap.dedent("""\
        import tensorflow as tf
        from absl import flags
        flags.DEFINE_integer(name="steps", default=5, help="Steps.")
        flags.DEFINE_list(name="xs", default=[], help="Xs.")
    """)


def test_logging_aliases_and_literal_levels():
    assert fix("""\
        import tensorflow as tf
        logging = tf.logging
        log = tf.logging
        logging.set_verbosity(10)
        logging.warn("w")
        log.info("i")
        tf.logging.log(40, "e")
    """) == textwrap.dedent("""\
        import tensorflow as tf
        from absl import logging
        log = logging
        logging.set_verbosity(logging.DEBUG)
        logging.warning("w")
        log.info("i")
        logging.log(logging.ERROR, "e")
    """)


def test_what_has_no_exact_absl_equivalent_is_reported_not_rewritten():
    found = findings("""\
        import tensorflow as tf
        level = tf.logging.get_verbosity()
        tf.logging.set_verbosity(level)
        FLAGS = tf.app.flags.FLAGS
        FLAGS._parse_flags()
        it = tf.python_io.tf_record_iterator("a", options=opts)
        def f():
            flags = tf.app.flags
    """)
    mine = [(code, line, message) for code, line, message in found if code in SCAFFOLD]
    assert [(code, line) for code, line, _ in mine] == [
        ("TFM082", 2), ("TFM082", 3), ("TFM081", 4), ("TFM081", 5), ("TFM084", 6), ("TFM081", 8)]
    assert "absl levels" in mine[0][2]
    assert "`logging.get_absl_logger().setLevel(level)`" in mine[1][2]
    assert "TF < 1.5" in mine[3][2]
    assert "compression_type=" in mine[4][2]
    # TF < 1.5's `_parse_flags()` parsed sys.argv, leaving arguments it did not know alone: absl does that so
    parsed = """\
        import tensorflow as tf
        FLAGS = tf.app.flags.FLAGS
        FLAGS._parse_flags()
        tf.logging.info("moves")
    """
    outcome = run(parsed)
    assert outcome.status.value == "idiomatic"
    assert outcome.new_text == ("import tensorflow as tf\nimport sys\nfrom absl import flags\nfrom absl import logging\n"
                                "FLAGS = flags.FLAGS\nFLAGS(sys.argv, known_only=True)\nlogging.info(\"moves\")\n")
    # the FLAGS object under a name of the file's own
    alias = "import tensorflow as tf\nF = tf.app.flags.FLAGS\nF._parse_flags()\nprint(sorted(F.__flags.items()))\n"
    assert run(alias).new_text == ("import tensorflow as tf\nimport sys\nfrom absl import flags\nF = flags.FLAGS\n"
                                   "F(sys.argv, known_only=True)\nprint(sorted(F.flag_values_dict().items()))\n")
    # ... on tensorflow.compat.v1 too, whose flags are absl's (the call fails there as written)
    on_compat = "import tensorflow.compat.v1 as tf\nFLAGS = tf.app.flags.FLAGS\nFLAGS._parse_flags()\n"
    assert [(f.code, f.start.line) for f in process_text(on_compat, "case.py", Options()).findings] == [
        ("TFM081", 3)]
    assert run(on_compat).new_text == ("import tensorflow.compat.v1 as tf\nimport sys\nFLAGS = tf.app.flags.FLAGS\n"
                                       "FLAGS(sys.argv, known_only=True)\n")
    # a flag absl.logging defines, defined again in a file on compat.v1 (DuplicateFlagError there too): fixed
    logged = 'import tensorflow.compat.v1 as tf\ntf.app.flags.DEFINE_string("log_dir", "/tmp/x", "where")\n'
    assert [(f.code, f.start.line) for f in process_text(logged, "case.py", Options()).findings] == [("TFM081", 2)]
    assert run(logged).new_text == ('import tensorflow.compat.v1 as tf\nfrom absl import flags\n'
                                    'flags.FLAGS.set_default("log_dir", "/tmp/x")\n')
    # One use of tf.app.flags that cannot move keeps every use on TF1, each one reported.
    source = """\
        import tensorflow as tf
        FLAGS = tf.app.flags.FLAGS
        values = tf.app.flags._FlagValues()
        tf.logging.info("moves")
    """
    outcome = run(source)
    # The flags stay TF1's, so the program stays on tensorflow.compat.v1; `_FlagValues` runs
    # nowhere (TF 1.5 made the flags absl's): the file is manual work, on compat.v1 too.
    assert outcome.status.value == "manual"
    assert outcome.new_text == "import tensorflow.compat.v1 as tf\ntf.disable_v2_behavior()\n" + textwrap.dedent(
        source)[24:]
    # (the reason is on tf.app.flags, line 3 of the result: it was on the first TF1 name of the file)
    assert [(f.code, f.start.line) for f in outcome.remaining] == [("TFM090", 3), ("TFM081", 4)]
    check = process_text(textwrap.dedent(source), "case.py", Options())
    assert check.status.value == "manual"
    assert [(f.code, f.start.line, f.fix is None) for f in check.findings if f.code in SCAFFOLD] == [
        ("TFM081", 2, False), ("TFM081", 3, True), ("TFM082", 4, False)]
    assert check.findings[0].message.endswith("(not rewritten while another use of `tf.app.flags` in this file"
                                              " cannot be)")


def test_a_flag_read_at_import_time_parses_the_command_line_first_as_tf1_did():
    source = """\
        import tensorflow as tf
        flags = tf.app.flags
        flags.DEFINE_integer("batch", 8, "Batch.")
        FLAGS = flags.FLAGS
        FLAGS.batch = 16
        # Read at import time.
        BATCH = FLAGS.batch
        class Model:
            size = FLAGS.batch
        def main(_):
            return FLAGS.batch + FLAGS.flag_values_dict()["batch"]
    """
    found = [(code, line, message) for code, line, message in findings(source) if code == "TFM081"]
    assert [(code, line) for code, line, _ in found] == [("TFM081", 2), ("TFM081", 7), ("TFM081", 9)]
    assert found[1][2] == (
        "`FLAGS.batch` is read at import time: absl raises `UnparsedFlagAccessError` before the command line is"
        " parsed, where TF1 parsed `sys.argv` on this first read; the rewrite parses it first"
        " (`if not FLAGS.is_parsed(): FLAGS(sys.argv)`)")
    outcome = run(source)
    assert outcome.status.value == "idiomatic"
    assert outcome.new_text == textwrap.dedent("""\
        import tensorflow as tf
        import sys
        from absl import flags
        flags.DEFINE_integer("batch", 8, "Batch.")
        FLAGS = flags.FLAGS
        FLAGS.batch = 16
        # Read at import time.
        if not FLAGS.is_parsed():
            FLAGS(sys.argv)
        BATCH = FLAGS.batch
        class Model:
            size = FLAGS.batch
        def main(_):
            return FLAGS.batch + FLAGS.flag_values_dict()["batch"]
    """)
    # The rewrite reads what TF1 read: the value stored before the first read unless the command line sets it.
    program = outcome.new_text.replace("import tensorflow as tf\n", "") + "print(BATCH, Model.size)\n"
    for argv, printed in (([], "16 16"), (["--batch", "3"], "3 3")):
        result = subprocess.run([sys.executable, "-c", program, *argv], capture_output=True, text=True, check=True)
        assert result.stdout.split() == printed.split()


def test_a_flag_read_by_a_default_of_a_module_level_function_is_read_at_import_time():
    source = """\
        import tensorflow as tf
        tf.app.flags.DEFINE_integer("batch", 8, "Batch.")
        FLAGS = tf.app.flags.FLAGS


        def batches(items, size=FLAGS.batch):
            def inner(n=FLAGS.batch):  # read when batches runs: after app.run parsed the command line
                return n
            return [items[i:i + size] for i in range(0, len(items), size)]
    """
    found = [(code, line) for code, line, message in findings(source) if "is read at import time" in message]
    assert found == [("TFM081", 6)]
    outcome = run(source)
    assert outcome.status.value == "idiomatic"
    assert outcome.new_text == textwrap.dedent("""\
        import tensorflow as tf
        import sys
        from absl import flags
        flags.DEFINE_integer("batch", 8, "Batch.")
        FLAGS = flags.FLAGS


        if not FLAGS.is_parsed():
            FLAGS(sys.argv)


        def batches(items, size=FLAGS.batch):
            def inner(n=FLAGS.batch):  # read when batches runs: after app.run parsed the command line
                return n
            return [items[i:i + size] for i in range(0, len(items), size)]
    """)
    program = outcome.new_text.replace("import tensorflow as tf\n", "") + "print(len(batches(list(range(24)))))\n"
    for argv, printed in (([], "3"), (["--batch", "12"], "2")):
        result = subprocess.run([sys.executable, "-c", program, *argv], capture_output=True, text=True, check=True)
        assert result.stdout.split() == [printed]


def test_a_flag_read_at_import_time_uses_the_files_sys_and_the_direct_spelling():
    assert fix("""\
        import sys as system
        import tensorflow as tf
        tf.app.flags.DEFINE_string("data", "/tmp", "Where.")
        DATA = tf.app.flags.FLAGS.data
    """) == textwrap.dedent("""\
        import sys as system
        import tensorflow as tf
        from absl import flags
        flags.DEFINE_string("data", "/tmp", "Where.")
        if not flags.FLAGS.is_parsed():
            flags.FLAGS(system.argv)
        DATA = flags.FLAGS.data
    """)


def test_fatal_and_vlog_say_how_absl_differs():
    found = {message for code, _, message in findings("""\
        import tensorflow as tf
        tf.logging.fatal("stop")
        tf.logging.vlog(1, "v")
    """) if code == "TFM082"}
    assert any("ends the program" in m for m in found)
    assert any("Python level n" in m for m in found)


def test_app_run_without_main_in_the_file_is_not_rewritten():
    found = findings("import tensorflow as tf\ntf.app.run()\n")
    assert ("TFM080", 2, "`tf.app.run()` calls `main` of `__main__`, and this file defines none: use absl's"
            " `app.run(main)`") in found
    assert "app.run(main)" not in fix("import tensorflow as tf\ntf.app.run()\n")


def test_from_tensorflow_import_flags_is_reported():
    found = findings("from tensorflow import flags\nflags.DEFINE_string('a', '', 'a')\n")
    assert [code for code, _, _ in found if code in SCAFFOLD] == ["TFM081"]
    assert fix("from tensorflow import flags\nflags.DEFINE_string('a', '', 'a')\n") == (
        "from tensorflow import flags\nflags.DEFINE_string('a', '', 'a')\n")


def test_a_function_parameter_named_tf_is_not_tensorflow():
    source = "import tensorflow as tf\ndef f(tf):\n    tf.logging.info('x')\n"
    assert [c for c, _, _ in findings(source) if c in SCAFFOLD] == []


def test_compat_files_keep_their_tf1_scaffolding():
    source = """\
        import tensorflow.compat.v1 as tf
        tf.disable_v2_behavior()
        tf.logging.info("x")
        tf.app.run()
    """
    assert [c for c, _, _ in findings(source) if c in SCAFFOLD] == []
    assert fix(source) == textwrap.dedent(source)


def test_no_double_finding_with_removed_symbol():
    found = findings("import tensorflow as tf\ntf.logging.info('x')\nc = tf.ConfigProto()\n")
    assert [c for c, _, _ in found if c != "TFM090"] == ["TFM082", "TFM085"]


def test_program_kept_on_compat_for_another_reason_keeps_tf_logging():
    source = """\
        import tensorflow as tf
        class Model:
            def __init__(self):
                self.sess = tf.Session()
        tf.logging.info("x")
        for r in tf.python_io.tf_record_iterator("a.tfrecord"):
            print(r)
    """
    outcome = run(source)
    assert outcome.new_text == textwrap.dedent("""\
        import tensorflow.compat.v1 as tf
        tf.disable_v2_behavior()
        class Model:
            def __init__(self):
                self.sess = tf.Session()
        tf.logging.info("x")
        for r in tf.python_io.tf_record_iterator("a.tfrecord"):
            print(r)
    """)
    assert outcome.status.value == "compat-only"
    check = process_text(textwrap.dedent(source), "case.py", Options())
    assert {f.code: f.fix.applicability.value for f in check.findings if f.code in SCAFFOLD} == {
        "TFM082": "unsafe", "TFM084": "unsafe"}


def test_tf_record_iterator_anywhere_in_an_expression():
    assert fix("""\
        import tensorflow as tf
        n = sum(1 for _ in tf.io.tf_record_iterator(path=files[0]))
        records = list(tf.compat.v1.python_io.tf_record_iterator(name))
    """) == textwrap.dedent("""\
        import tensorflow as tf
        n = sum(1 for _ in tf.data.TFRecordDataset(files[0]).as_numpy_iterator())
        records = list(tf.compat.v1.data.TFRecordDataset(name).as_numpy_iterator())
    """)


def test_handled_names_are_what_the_rules_rewrite():
    assert {"app.run", "app.flags", "flags", "logging.info", "logging.INFO", "gfile.FastGFile",
            "python_io.tf_record_iterator"} <= scaffolding.HANDLED_NAMES
    assert not {"logging.get_verbosity", "ConfigProto", "GPUOptions"} & scaffolding.HANDLED_NAMES


# --- ConfigProto -> tf.config -------------------------------------------------

def _call(code: str) -> cst.Call:
    return cst.parse_expression(code)


def test_config_statements_map_each_option():
    call = _call("tf.ConfigProto(log_device_placement=True, allow_soft_placement=True,"
                 " intra_op_parallelism_threads=2, inter_op_parallelism_threads=FLAGS.threads,"
                 " gpu_options=tf.GPUOptions(allow_growth=True))")
    assert config_statements(call, "tf") == [
        "tf.debugging.set_log_device_placement(True)",
        "tf.config.set_soft_device_placement(True)",
        "tf.config.threading.set_intra_op_parallelism_threads(2)",
        "tf.config.threading.set_inter_op_parallelism_threads(FLAGS.threads)",
        "for gpu in tf.config.list_physical_devices('GPU'):\n    tf.config.experimental.set_memory_growth(gpu, True)",
    ]
    assert config_statements(_call("tf.ConfigProto(device_count={'GPU': 0})"), "tf") == [
        "tf.config.set_visible_devices([], 'GPU')"]
    assert config_statements(_call("tf.ConfigProto()"), "tf") == []
    assert config_statements(_call("tf.GPUOptions(allow_growth=False)"), "tf") == []


def test_config_statements_none_without_an_exact_equivalent():
    assert config_statements(_call("tf.ConfigProto(gpu_options=tf.GPUOptions("
                                   "per_process_gpu_memory_fraction=0.4))"), "tf") is None
    assert config_statements(_call("tf.ConfigProto(gpu_options=options)"), "tf") is None
    assert config_statements(_call("tf.ConfigProto(device_count={'CPU': 4})"), "tf") is None
    assert config_statements(_call("tf.ConfigProto(**kwargs)"), "tf") is None


def test_config_definition_collects_the_assignments_after_it():
    module = cst.parse_module(
        "config = tf.ConfigProto()\nconfig.gpu_options.allow_growth = True\nconfig.log_device_placement = False\n"
        "sess = tf.Session(config=config)\n")
    found = config_definition(module.body, "config", lambda f: f.attr.value)
    call, assigns, lines = found
    assert lines == list(module.body[:3])
    assert config_statements(call, "tf", assigns) == [
        "for gpu in tf.config.list_physical_devices('GPU'):\n    tf.config.experimental.set_memory_growth(gpu, True)",
        "tf.debugging.set_log_device_placement(False)",
    ]
    assert config_definition(module.body, "other", lambda f: f.attr.value) is None


def test_session_config_finding_lists_the_mapping():
    found = findings("import tensorflow as tf\nc = tf.ConfigProto(gpu_options=tf.GPUOptions(allow_growth=True,"
                     " per_process_gpu_memory_fraction=0.5), allow_soft_placement=True)\n")
    messages = [m for code, _, m in found if code == "TFM085"]
    assert len(messages) == 2  # the ConfigProto and the GPUOptions in it
    assert "tf.config.experimental.set_memory_growth(gpu, True)" in messages[0]
    assert "no fraction in TF2" in messages[0]
    assert "tf.config.set_soft_device_placement" in messages[0]


@pytest.mark.skipif(__import__("importlib").util.find_spec("tensorflow") is None, reason="TensorFlow is not installed")
def test_config_statements_run_on_tensorflow_2_and_take_effect():
    call = _call("tf.ConfigProto(log_device_placement=True, allow_soft_placement=False, intra_op_parallelism_threads=3,"
                 " inter_op_parallelism_threads=2, gpu_options=tf.GPUOptions(allow_growth=True))")
    program = "\n".join(["import tensorflow as tf", *config_statements(call, "tf"),
                         "print(tf.config.threading.get_intra_op_parallelism_threads(),"
                         " tf.config.threading.get_inter_op_parallelism_threads(),"
                         " tf.config.get_soft_device_placement(), tf.config.list_physical_devices('GPU') == [] or"
                         " all(tf.config.experimental.get_memory_growth(g) for g in tf.config.list_physical_devices('GPU')))",
                         "print(float(tf.reduce_sum(tf.constant([1.0, 2.0]))))"])
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["3", "2", "False", "True"]
    assert "Executing op" in done.stdout or "device:CPU:0" in done.stdout  # log_device_placement is on
    assert lines[-1] == "3.0"


CONFIGURED = """\
    import numpy as np
    import tensorflow as tf

    x = tf.placeholder(tf.float32, [None])
    y = x * 2.0
    # the session's options
    config = tf.ConfigProto(allow_soft_placement=True, intra_op_parallelism_threads=2)
    config.gpu_options.allow_growth = True
    with tf.Session(config=config) as sess:
        print(sess.run(y, feed_dict={x: np.array([1.0, 2.0])}).tolist())
        print(tf.config.threading.get_intra_op_parallelism_threads())
"""


def test_session_options_given_only_to_removed_sessions_become_tf_config_calls_after_the_imports():
    assert [code for code, _, _ in findings(CONFIGURED) if code in ("TFM085", "TFM090")] == ["TFM085"]
    assert run(CONFIGURED, True).status.value == "idiomatic"
    assert process_text(textwrap.dedent(CONFIGURED), "case.py", Options()).status.value == "idiomatic"
    assert fix(CONFIGURED) == textwrap.dedent("""\
        import numpy as np
        import tensorflow as tf

        tf.config.set_soft_device_placement(True)
        tf.config.threading.set_intra_op_parallelism_threads(2)
        for gpu in tf.config.list_physical_devices('GPU'):
            tf.config.experimental.set_memory_growth(gpu, True)

        @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
        def y(x):
            return x * 2.0

        # the session's options
        print(y(np.array([1.0, 2.0])).numpy().tolist())
        print(tf.config.threading.get_intra_op_parallelism_threads())
    """)


def test_options_written_into_the_session_call_too():
    source = """\
        import numpy as np
        import tensorflow as tf

        x = tf.placeholder(tf.float32, [None])
        y = x * 2.0
        with tf.Session(config=tf.ConfigProto(gpu_options=tf.GPUOptions(allow_growth=True))) as sess:
            print(sess.run(y, feed_dict={x: np.array([1.0, 2.0])}).tolist())
            print(tf.config.threading.get_intra_op_parallelism_threads())
    """
    assert process_text(textwrap.dedent(source), "case.py", Options()).status.value == "idiomatic"
    assert fix(source) == textwrap.dedent("""\
        import numpy as np
        import tensorflow as tf

        for gpu in tf.config.list_physical_devices('GPU'):
            tf.config.experimental.set_memory_growth(gpu, True)

        @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
        def y(x):
            return x * 2.0

        print(y(np.array([1.0, 2.0])).numpy().tolist())
        print(tf.config.threading.get_intra_op_parallelism_threads())
    """)


def test_options_given_to_enable_eager_execution_go_with_it():
    source = """\
        import tensorflow as tf


        def main(_):
            config = tf.ConfigProto(device_count={'GPU': 0})
            tf.enable_eager_execution(config=config)
            print(tf.reduce_sum(tf.ones([3])).numpy())


        if __name__ == "__main__":
            tf.app.run()
    """
    assert process_text(textwrap.dedent(source), "case.py", Options()).status.value == "idiomatic"
    assert fix(source) == textwrap.dedent("""\
        import tensorflow as tf
        from absl import app

        tf.config.set_visible_devices([], 'GPU')


        def main(_):
            print(tf.reduce_sum(tf.ones([3])).numpy())


        if __name__ == "__main__":
            app.run(main)
    """)


def test_placement_options_of_any_value_are_set_where_the_session_was_configured():
    source = """\
        import numpy as np
        import tensorflow as tf

        tf.app.flags.DEFINE_boolean("soft", True, "Soft placement.")
        FLAGS = tf.app.flags.FLAGS
        x = tf.placeholder(tf.float32, [None])
        y = x * 2.0
        # the session's options
        config = tf.ConfigProto(allow_soft_placement=FLAGS.soft)
        config.log_device_placement = FLAGS.soft
        with tf.Session(config=config) as sess:
            print(sess.run(y, feed_dict={x: np.array([1.0, 2.0])}).tolist())
        with tf.Session(config=tf.ConfigProto(log_device_placement=not FLAGS.soft)) as sess:
            print(sess.run(y, feed_dict={x: np.array([3.0])}).tolist())
    """
    assert process_text(textwrap.dedent(source), "case.py", Options()).status.value == "idiomatic"
    outcome = run(source)
    assert outcome.status.value == "idiomatic"
    assert outcome.new_text == textwrap.dedent("""\
        import numpy as np
        import tensorflow as tf
        import sys
        from absl import flags

        flags.DEFINE_boolean("soft", True, "Soft placement.")
        FLAGS = flags.FLAGS

        @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
        def y(x):
            return x * 2.0

        # the session's options
        if not FLAGS.is_parsed():
            FLAGS(sys.argv)
        tf.config.set_soft_device_placement(FLAGS.soft)
        tf.debugging.set_log_device_placement(FLAGS.soft)
        print(y(np.array([1.0, 2.0])).numpy().tolist())
        tf.debugging.set_log_device_placement(not FLAGS.soft)
        print(y(np.array([3.0])).numpy().tolist())
    """)


@pytest.mark.parametrize("change", [
    ("intra_op_parallelism_threads=2", "intra_op_parallelism_threads=FLAGS.threads"),  # read where it moves to?
    ("config.gpu_options.allow_growth = True", "config.gpu_options.per_process_gpu_memory_fraction = 0.5"),
    ("with tf.Session(config=config) as sess:", "with tf.train.MonitoredSession(config=config) as sess:"),
])
def test_other_session_options_keep_the_program_on_compat_v1(change):
    source = CONFIGURED.replace(*change)
    found = findings(source)
    assert ("TFM090", 7, "kept on tensorflow.compat.v1: tf.ConfigProto has no TensorFlow 2 equivalent") in found or (
        change[1].startswith("with tf.train"))
    outcome = run(source, True)
    assert outcome.status.value == "compat-only" and "tf.ConfigProto(" in outcome.new_text


@pytest.mark.skipif(__import__("importlib").util.find_spec("tensorflow") is None, reason="TensorFlow is not installed")
def test_the_rewritten_options_run_before_tensorflow_starts(tmp_path):
    path = tmp_path / "configured.py"
    path.write_text(fix(CONFIGURED))
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines() == ["[2.0, 4.0]", "2"]


def test_a_level_held_in_a_flag_is_set_on_absls_logger_which_takes_python_levels():
    # TF1's set_verbosity set the `tensorflow` logger's Python level; absl's set_verbosity takes absl
    # levels (INFO is 0), absl's logger the Python ones: --log_level 20 shows INFO on both.
    assert fix("""\
        import tensorflow as tf
        flags = tf.app.flags
        flags.DEFINE_integer("log_level", 30, "Python logging level.")
        FLAGS = flags.FLAGS
        def main(_):
            tf.logging.set_verbosity(FLAGS.log_level)
            tf.logging.info("shown at 20")
        if __name__ == "__main__":
            tf.app.run()
    """) == textwrap.dedent("""\
        import tensorflow as tf
        from absl import app
        from absl import flags
        from absl import logging
        flags.DEFINE_integer("log_level", 30, "Python logging level.")
        FLAGS = flags.FLAGS
        def main(_):
            logging.get_absl_logger().setLevel(FLAGS.log_level)
            logging.info("shown at 20")
        if __name__ == "__main__":
            app.run(main)
    """)
    # A keyword, or an expression of TF1 levels (they become absl's numbers): reported, not rewritten.
    found = findings("""\
        import tensorflow as tf
        tf.logging.set_verbosity(v=level)
        tf.logging.set_verbosity(tf.logging.INFO if level else tf.logging.WARN)
    """)
    assert [(code, line, "pass `logging.INFO`" in message) for code, line, message in found if code == "TFM082"] == [
        ("TFM082", 2, True), ("TFM082", 3, True), ("TFM082", 3, False), ("TFM082", 3, False)]


def test_data_files_path_is_the_directory_of_the_calling_file():
    source = """\
        import os
        import tensorflow as tf
        DATA = os.path.join(tf.resource_loader.get_data_files_path(), "testdata")
        x = tf.placeholder(tf.float32)
        with tf.Session() as sess:
            print(DATA, sess.run(x * 2, feed_dict={x: 1.0}))
    """
    outcome = run(source)
    assert outcome.status.value == "idiomatic"
    assert "DATA = os.path.join(os.path.dirname(__file__), \"testdata\")\n" in outcome.new_text
    # without `import os` the finding says what to write; the file stays on compat.v1, which has it
    source = "import tensorflow as tf\nroot = tf.resource_loader.get_data_files_path()\n"
    found = findings(source)
    assert [(code, "os.path.dirname(__file__)" in message) for code, _, message in found] == [
        ("TFM090", False), ("TFM118", True)]
    assert run(source).status.value == "compat-only"


def test_a_flag_absl_logging_defines_gets_its_default_set_instead_of_defined_again():
    # TensorFlow 2 imports absl.logging, which defines --log_dir: defining it again raises
    # DuplicateFlagError (TF1's logging did not define it), under compat.v1 too.
    source = """\
        import tensorflow as tf
        flags = tf.app.flags
        flags.DEFINE_string('log_dir', '/tmp/logs', 'where the logs go')
        tf.app.flags.DEFINE_integer('steps', 10, 'how many')
        FLAGS = flags.FLAGS

        def main(_):
            print(FLAGS.log_dir, FLAGS.steps)

        if __name__ == '__main__':
            tf.app.run()
    """
    assert [(line, message) for code, line, message in findings(source) if code == "TFM081"][1] == (
        3, "`log_dir` is a flag of absl.logging, which TensorFlow 2 imports (TF1's logging did not define it): "
           "`DEFINE_string` raises DuplicateFlagError; the rewrite sets the default of absl's flag "
           "(`flags.FLAGS.set_default`), so `--log_dir` and `FLAGS.log_dir` work as they did")
    outcome = run(source)
    assert outcome.status.value == "idiomatic"
    assert outcome.new_text == textwrap.dedent("""\
        import tensorflow as tf
        from absl import app
        from absl import flags
        flags.FLAGS.set_default('log_dir', '/tmp/logs')
        flags.DEFINE_integer('steps', 10, 'how many')
        FLAGS = flags.FLAGS

        def main(_):
            print(FLAGS.log_dir, FLAGS.steps)

        if __name__ == '__main__':
            app.run(main)
    """)
    pytest.importorskip("tensorflow")
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    program = outcome.new_text.replace("'/tmp/logs'", "'default'")
    for argv, printed in (([], "default 10"), (["--log_dir", "given", "--steps", "3"], "given 3")):
        result = subprocess.run([sys.executable, "-c", program, *argv], capture_output=True, text=True, env=env,
                                timeout=300)
        assert result.stdout.split() == printed.split(), result.stderr[-2000:]
    # another type than absl's: only a new name helps
    other = 'import tensorflow as tf\ntf.app.flags.DEFINE_enum("verbosity", "low", ["low", "high"], "how much")\n'
    assert [(code, message) for code, _, message in findings(other) if code == "TFM081"] == [(
        "TFM081", "`verbosity` is a flag of absl.logging, which TensorFlow 2 imports: `DEFINE_enum` raises "
                  "DuplicateFlagError; name this flag otherwise")]
    assert run(other).status.value == "manual"
