"""TF1's RNN cells in code kept on tensorflow.compat.v1: TF1's own classes, from the module where
TensorFlow 2.21 still has them without tf-keras (``tensorflow.python.ops.rnn_cell_impl``)."""
from __future__ import annotations

from conftest import run_in_tensorflow
from tfmigrate.engine import Options, process_text

FIX = Options(fix=True, unsafe_fixes=True)

# A model class that holds its session: the graph rewrite keeps it on tensorflow.compat.v1.
PROGRAM = """\
import numpy as np
import tensorflow as tf


class Tagger:
    def __init__(self, hidden=4):
        tf.set_random_seed(7)
        self.x = tf.placeholder(tf.float32, [2, 3, 5])
        layers = [tf.nn.rnn_cell.DropoutWrapper(tf.nn.rnn_cell.BasicLSTMCell(hidden), output_keep_prob=1.0),
                  tf.nn.rnn_cell.GRUCell(3)]
        cell = tf.nn.rnn_cell.MultiRNNCell(layers)
        self.out, self.state = tf.nn.dynamic_rnn(cell, self.x, dtype=tf.float32)
        assert isinstance(self.state[0], tf.nn.rnn_cell.LSTMStateTuple)
        self.sess = tf.Session()
        self.sess.run(tf.global_variables_initializer())

    def run(self, x):
        return self.sess.run(self.out, {self.x: x})


tagger = Tagger()
print(sorted(v.name for v in tf.global_variables()))
print(np.round(tagger.run(np.linspace(-1, 1, 30).reshape(2, 3, 5)), 5).tolist())
"""


def test_cells_come_from_tf1s_module_and_compute_what_tf1_computed():
    check = process_text(PROGRAM, "tagger.py", Options())
    cells = [(f.code, f.start.line) for f in check.findings if f.code in ("TFM106", "TFM120")]
    assert cells == [("TFM106", 9), ("TFM106", 9), ("TFM106", 10), ("TFM106", 11), ("TFM106", 13)]
    assert all("tensorflow.python.ops.rnn_cell_impl" in f.message for f in check.findings if f.code == "TFM106")
    assert check.status.value == "compat-only"
    fixed = process_text(PROGRAM, "tagger.py", FIX)
    assert fixed.status.value == "compat-only"
    new = fixed.new_text
    assert new.startswith("import numpy as np\nimport tensorflow.compat.v1 as tf\n"
                          "from tensorflow.python.ops import rnn_cell_impl\ntf.disable_v2_behavior()\n")
    assert ("        layers = [rnn_cell_impl.DropoutWrapper(rnn_cell_impl.BasicLSTMCell(hidden), output_keep_prob=1.0),\n"
            "                  rnn_cell_impl.GRUCell(3)]\n"
            "        cell = rnn_cell_impl.MultiRNNCell(layers)\n") in new
    assert "assert isinstance(self.state[0], rnn_cell_impl.LSTMStateTuple)" in new
    assert [f.code for f in fixed.remaining if f.code in ("TFM106", "TFM107", "TFM114", "TFM120")] == ["TFM114"]
    assert "private API" in next(f.message for f in fixed.remaining if f.code == "TFM114")
    # tf.contrib.rnn's cells were these classes
    contrib = PROGRAM.replace("tf.nn.rnn_cell.BasicLSTMCell", "tf.contrib.rnn.BasicLSTMCell")
    assert process_text(contrib, "tagger.py", FIX).new_text == new
    # TF1's classes: the same variables, and the same numbers, on TensorFlow 2.21 without tf-keras
    printed = run_in_tensorflow("tf1", PROGRAM, "tagger.py")
    assert printed.startswith("['rnn/multi_rnn_cell/cell_0/basic_lstm_cell/bias:0', ")
    assert run_in_tensorflow("tf2-no-tf-keras", new, "tagger.py") == printed


def test_cells_and_static_rnn_of_an_imported_contrib_rnn_module():
    source = (
        "import tensorflow as tf\nfrom tensorflow.contrib import rnn\n\n"
        "x = tf.unstack(tf.placeholder(tf.float32, [None, 3, 2]), 3, 1)\n"
        "cell = rnn.MultiRNNCell([rnn.BasicLSTMCell(4) for _ in range(2)])\n"
        "outputs, state = rnn.static_rnn(cell, x, dtype=tf.float32)\n"
        "graph = tf.get_default_graph()\n")
    fixed = process_text(source, "a.py", FIX)
    assert fixed.new_text == (
        "import tensorflow.compat.v1 as tf\nfrom tensorflow.python.ops import rnn_cell_impl\n"
        "tf.disable_v2_behavior()\n\n"
        "x = tf.unstack(tf.placeholder(tf.float32, [None, 3, 2]), 3, 1)\n"
        "cell = rnn_cell_impl.MultiRNNCell([rnn_cell_impl.BasicLSTMCell(4) for _ in range(2)])\n"
        "outputs, state = tf.nn.static_rnn(cell, x, dtype=tf.float32)\n"
        "graph = tf.get_default_graph()\n")
    assert not [f for f in fixed.remaining if f.code in ("TFM106", "TFM107")]
