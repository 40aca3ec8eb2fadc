"""TFM117: switches to TensorFlow 2 behaviour go; TensorFlow 2 always behaves so."""
from __future__ import annotations

import textwrap

from tfmigrate.engine import Options, process_text


def run(source: str, unsafe: bool = False):
    return process_text(textwrap.dedent(source), "m.py", Options(fix=True, unsafe_fixes=unsafe))


def test_switch_statements_go_and_a_block_of_them_keeps_pass():
    outcome = run("""\
        import tensorflow as tf
        tf.enable_eager_execution()
        tf.compat.v1.enable_resource_variables()
        w = tf.Variable(1.0)
        if __name__ == "__main__":
            tf.enable_v2_behavior()
            tf.enable_v2_tensorshape()
    """)
    assert outcome.new_text == textwrap.dedent("""\
        import tensorflow as tf
        w = tf.Variable(1.0)
        if __name__ == "__main__":
            pass
    """)
    assert outcome.status.value == "idiomatic"


def test_with_arguments_or_in_a_program_that_turns_v2_off_they_stay():
    kept = run("""\
        import tensorflow as tf
        tf.enable_eager_execution(config=tf.ConfigProto())
    """)
    assert "enable_eager_execution(config" in kept.new_text
    assert [f.code for f in kept.findings if f.code in ("TFM105", "TFM117")] == ["TFM105"]
    source = """\
        import tensorflow.compat.v1 as tf
        tf.disable_v2_behavior()
        tf.enable_resource_variables()
    """
    assert run(source).new_text == textwrap.dedent(source)
