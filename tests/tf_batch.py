"""Run several programs in one TensorFlow process (importing TF costs seconds).

Usage: python tests/tf_batch.py MODE PROGRAM...
Prints one JSON object: {program: {"stdout": ..., "error": ...}}.
MODE is tf1 (import tensorflow gives tensorflow.compat.v1, v2 behaviour
off, Keras 2 for tf.layers), tf2.15 (tf1 on TensorFlow 2.15, whose own Keras
is Keras 2: run with the reference runtime's Python), tf2-keras2 (TensorFlow 2 with Keras 2) or tf2
(plain TensorFlow 2, Keras 3), tf2-compat (TF2 for programs that
switch v2 behaviour off themselves) or tf2-no-tf-keras (tf2 where importing
tf-keras fails, as where it is not installed).
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import runpy
import sys
import traceback


def main() -> None:
    mode = sys.argv[1]
    if mode == "tf2.15":
        mode = "tf1"  # TensorFlow 2.15's tf.keras is Keras 2 already; TF_USE_LEGACY_KERAS would break it
        os.environ.pop("TF_USE_LEGACY_KERAS", None)
    elif mode in ("tf1", "tf2-keras2"):
        os.environ["TF_USE_LEGACY_KERAS"] = "1"  # tf.layers and Keras 2 optimizers need tf-keras
    elif mode == "tf2-no-tf-keras":
        sys.modules["tf_keras"] = None  # `import tf_keras` raises ImportError
        os.environ.pop("TF_USE_LEGACY_KERAS", None)
        mode = "tf2"
    programs = sys.argv[2:]
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as real_tf

    if mode in ("tf1", "tf2-compat"):
        import tensorflow.compat.v1 as v1

        v1.disable_v2_behavior()
        if mode == "tf1":
            sys.modules["tensorflow"] = v1
    from absl import flags as absl_flags

    results = {}
    real_stdout = sys.stdout
    for program in programs:
        buffer = io.StringIO()
        error = None
        if mode == "tf1" or not real_tf.executing_eagerly():
            real_tf.compat.v1.reset_default_graph()  # a compat program turned graph mode on
        else:
            real_tf.keras.backend.clear_session()
        folder = os.path.dirname(os.path.abspath(program))
        cwd = os.getcwd()
        sys.path.insert(0, folder)
        os.chdir(folder)
        defined = set(absl_flags.FLAGS)  # flags are process-wide: each program defines its own
        try:
            with contextlib.redirect_stdout(buffer):
                sys.argv = [program]
                runpy.run_path(program, run_name="__main__")
        except SystemExit as end:  # absl's app.run (and tf.app.run) end with sys.exit(main(argv))
            if end.code not in (None, 0):
                error = f"SystemExit: {end.code}"
        except BaseException:  # a failing program must not stop the batch
            lines = traceback.format_exc().strip().splitlines()
            error = lines[-1] if lines else "unknown error"
        finally:
            os.chdir(cwd)
            sys.path.remove(folder)
            for name in set(absl_flags.FLAGS) - defined:
                delattr(absl_flags.FLAGS, name)
            absl_flags.FLAGS.unparse_flags()
        results[program] = {"stdout": buffer.getvalue(), "error": error}
    real_stdout.write(json.dumps(results))


if __name__ == "__main__":
    main()
