"""TF1 RNN cells and RNN functions in the graph-to-eager rewrite: exact rewrites, refusals, check == fix.

The numbers are proven by the fixtures rnn_* (``verify --deterministic``, tests/test_fixtures.py).
"""
from __future__ import annotations

import textwrap

import pytest

from tfmigrate.rules._eager.rnn import FORGET_BIAS_NOTE
from tfmigrate.engine import Options, process_text

HEAD = "import tensorflow as tf\nx = tf.placeholder(tf.float32, [None, 5, 3])\n"


def fixed(source: str):
    return process_text(textwrap.dedent(source), "case.py", Options(fix=True, unsafe_fixes=True))


def after_helpers(text: str) -> str:
    """The rewrite from the first statement after the cell helpers on."""
    lines = text.splitlines(keepends=True)
    start = max(i for i, line in enumerate(lines) if line.startswith("def ") and line.split("(")[0].endswith("_cell"))
    start += 1
    while not lines[start].strip() or lines[start][0].isspace():
        start += 1
    return "".join(lines[start:])


def test_basic_lstm_cell_becomes_a_keras_rnn_whose_state_keeps_tf1s_c_h_order():
    outcome = fixed("""\
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [None, 7, 2])
        cell = tf.nn.rnn_cell.BasicLSTMCell(4)
        outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
        last = state.h + state.c
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(last, feed_dict={x: [[[1.0, 2.0]] * 7]}))
            print(sess.run(state, feed_dict={x: [[[1.0, 2.0]] * 7]}))
    """)
    assert outcome.status.value == "idiomatic"
    text = outcome.new_text
    assert text.count("def lstm_cell(units, input_size, initializer=None, forget_bias=1.0, activation=tf.tanh):") == 1
    assert "    i, j, f, o = tf.split(initializer(shape=[input_size + units, 4 * units]), 4, axis=1)\n" in text
    assert "    kernel = tf.concat([i, f, j, o], axis=1)\n" in text
    assert 'recurrent_activation="sigmoid", unit_forget_bias=False,' in text
    assert "SIGNATURE = [tf.TensorSpec([None, 7, 2], tf.float32)]\n" in text
    spec = "@tf.function(input_signature=SIGNATURE)\n"
    assert after_helpers(text) == (
        "rnn = tf.keras.layers.RNN(lstm_cell(4, 2), return_sequences=True, return_state=True)\n"
        "rnn.build((None, None, 2))\n\n"
        "def outputs_state(x):\n    outputs, h, c = rnn(x)\n    return outputs, (c, h)\n\n"
        "def outputs(x):\n    return outputs_state(x)[0]\n\n"
        f"{spec}def state(x):\n    return outputs_state(x)[1]\n\n"
        f"{spec}def last(x):\n    return state(x)[1] + state(x)[0]\n\n"
        "print(last([[[1.0, 2.0]] * 7]).numpy())\n"
        "print(tf.nest.map_structure(lambda value: value.numpy(), state([[[1.0, 2.0]] * 7])))\n")


def test_contrib_stack_of_gru_and_basic_rnn_time_major():
    outcome = fixed("""\
        import tensorflow as tf
        from tensorflow.contrib import rnn
        x = tf.placeholder(tf.float32, [None, 5, 3])
        cell = rnn.MultiRNNCell([rnn.DropoutWrapper(rnn.GRUCell(8), output_keep_prob=1.0), rnn.BasicRNNCell(2)])
        outputs, (first, second) = tf.nn.dynamic_rnn(cell, tf.transpose(x, [1, 0, 2]), time_major=True,
                                                     dtype=tf.float32)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(second, feed_dict={x: [[[1.0, 2.0, 3.0]] * 5]}))
    """)
    assert outcome.status.value == "idiomatic" and outcome.remaining == []
    text = outcome.new_text
    assert "contrib" not in text
    assert 'units, activation=activation, recurrent_activation="sigmoid", reset_after=False,' in text
    assert "    kernel = tf.concat([u, r, candidate], axis=1)\n" in text
    assert "rnn = tf.keras.layers.RNN([gru_cell(8, 3), simple_rnn_cell(2, 8)], return_sequences=True, " \
           "return_state=True)\n" in text
    assert ("def outputs_first_second(x):\n"
            "    outputs, [h], [h_2] = rnn(tf.transpose(tf.transpose(x, [1, 0, 2]), [1, 0, 2]))\n"
            "    return tf.transpose(outputs, [1, 0, 2]), (h, h_2)\n") in text
    assert "def second(x):\n    return outputs_first_second(x)[1][1]\n" in text
    assert text.endswith("print(second([[[1.0, 2.0, 3.0]] * 5]).numpy())\n")


def test_stack_by_comprehension_with_lengths_masks_and_returns_each_layers_state():
    text = fixed(HEAD + """\
lengths = tf.placeholder(tf.int32, [None])
stack = tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.GRUCell(6) for _ in range(3)])
zero = stack.zero_state(4, tf.float32)
outputs, states = tf.nn.dynamic_rnn(stack, x, sequence_length=lengths, initial_state=zero)
""").new_text
    assert ("rnn = tf.keras.layers.RNN(\n    [gru_cell(6, 3 if layer == 0 else 6) for layer in range(3)],\n"
            "    return_sequences=True, return_state=True, zero_output_for_mask=True)\n") in text
    assert ("    outputs, *layer_states = rnn(x, mask=tf.sequence_mask(lengths, maxlen=tf.shape(x)[1]))\n"
            "    return outputs, tuple(state[0] for state in layer_states)\n") in text
    assert "zero_state" not in text


def test_an_initial_lstm_state_is_given_to_keras_as_h_c():
    text = fixed(HEAD + """\
c0 = tf.placeholder(tf.float32, [None, 4])
h0 = tf.placeholder(tf.float32, [None, 4])
cell = tf.nn.rnn_cell.LSTMCell(4, forget_bias=0.5)
outputs, state = tf.nn.dynamic_rnn(cell, x, initial_state=tf.nn.rnn_cell.LSTMStateTuple(c0, h0))
""").new_text
    assert "lstm_cell(4, 3, forget_bias=0.5)" in text
    assert "    outputs, h, c = rnn(x, initial_state=[h0, c0])\n    return outputs, (c, h)\n" in text


def test_static_and_bidirectional_rnns():
    text = fixed(HEAD + """\
steps = tf.unstack(x, 5, 1)
outputs, state = tf.nn.static_rnn(tf.nn.rnn_cell.BasicRNNCell(6, activation=tf.nn.relu), steps, dtype=tf.float32)
(fw, bw), (s_fw, s_bw) = tf.nn.bidirectional_dynamic_rnn(tf.nn.rnn_cell.GRUCell(2), tf.nn.rnn_cell.GRUCell(2), x,
                                                         dtype=tf.float32)
""").new_text
    assert "simple_rnn_cell(6, 3, activation=tf.nn.relu)" in text
    assert ("    outputs, h = rnn(tf.stack(steps(x), axis=1))\n"
            "    return tf.unstack(outputs, axis=1), h\n") in text
    assert ("rnn_bw = tf.keras.layers.RNN(gru_cell(2, 3), return_sequences=True, return_state=True, "
            "go_backwards=True)\n"
            "birnn = tf.keras.layers.Bidirectional(rnn_fw, backward_layer=rnn_bw, merge_mode=None)\n") in text
    assert ("    outputs_fw, outputs_bw, h, h_2 = birnn(x)\n"
            "    return (outputs_fw, outputs_bw), (h, h_2)\n") in text


@pytest.mark.parametrize("body,why", [
    ("cell = tf.nn.rnn_cell.DropoutWrapper(tf.nn.rnn_cell.GRUCell(4), output_keep_prob=0.5)\n"
     "o, s = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)\n",
     "DropoutWrapper(output_keep_prob=0.5): a Keras cell's dropout draws one mask for the whole sequence"),
    ("cell = tf.nn.rnn_cell.GRUCell(4)\no, s = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)\n"
     "o2, s2 = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)\n",
     "cell cell runs in two RNNs (TF1 shares its variables between them)"),
    ("y = tf.placeholder(tf.float32)\no, s = tf.nn.dynamic_rnn(tf.nn.rnn_cell.GRUCell(4), y, dtype=tf.float32)\n",
     "the size of the inputs of tf.nn.dynamic_rnn is not evident from the code"),
    ("cell = tf.nn.rnn_cell.GRUCell(4)\nstack = tf.nn.rnn_cell.MultiRNNCell([cell] * 2)\n",
     "MultiRNNCell([cell] * n): one cell object in every layer (TF1 refuses it)"),
    ("cell = tf.nn.rnn_cell.GRUCell(4)\nprint(cell.output_size)\n",
     "cell (an RNN cell or its zero state) is used outside an RNN function"),
    ("cell = tf.nn.rnn_cell.LSTMCell(4, use_peepholes=True)\n", "tf.nn.rnn_cell.LSTMCell(use_peepholes=True)"),
    ("cell = tf.nn.rnn_cell.LSTMCell(4, num_proj=2)\n",
     "tf.nn.rnn_cell.LSTMCell(num_proj=2) (the Keras cell has no such option)"),
    ("o, s = tf.nn.dynamic_rnn(tf.nn.rnn_cell.GRUCell(4), x, dtype=tf.float64)\n",
     "tf.nn.dynamic_rnn with a dtype other than float32"),
    ("o, s = tf.nn.dynamic_rnn(tf.nn.rnn_cell.GRUCell(4), x, dtype=tf.float32)\ny = s.h\n",
     "`s.h`: a state of an RNN read in a way this rewrite cannot follow"),
])
def test_what_keeps_an_rnn_on_compat_is_said_and_check_predicts_it(body, why):
    source = HEAD + body
    outcome = process_text(source, "case.py", Options(fix=True, unsafe_fixes=True))
    checked = process_text(source, "case.py", Options(fix=False))
    assert why in [f.message for f in outcome.remaining if f.code == "TFM090"][0]
    # TF1's cells there, from where TensorFlow 2.21 has them without tf-keras (tests/test_compat_rnn.py)
    assert outcome.new_text.startswith("import tensorflow.compat.v1 as tf\nfrom tensorflow.python.ops import "
                                       "rnn_cell_impl\ntf.disable_v2_behavior()\n")
    assert "tf.nn.rnn_cell." not in outcome.new_text and "rnn_cell_impl." in outcome.new_text
    assert not [f for f in outcome.remaining if f.code in ("TFM106", "TFM107")]
    assert checked.status.value == outcome.status.value == "compat-only"


def test_check_predicts_idiomatic_for_an_rnn_the_rewrite_handles_and_notes_the_lstm_forget_bias():
    source = HEAD + "cell = tf.nn.rnn_cell.BasicLSTMCell(4)\no, s = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)\n"
    checked = process_text(source, "case.py", Options(fix=False))
    assert checked.status.value == fixed(source).status.value == "idiomatic"
    assert [(f.start.line, f.message) for f in checked.findings if f.code == "TFM090"] == [(4, FORGET_BIAS_NOTE)]


def test_a_cell_factory_function_is_read_as_the_cell_it_returns_and_goes():
    source = """\
        import tensorflow as tf
        from tensorflow.contrib import rnn
        x = tf.placeholder(tf.float32, [None, 5, 3])
        # one cell per layer
        def lstm_cell():
            \"\"\"A cell.\"\"\"
            cell = rnn.BasicLSTMCell(4, state_is_tuple=True)
            return rnn.DropoutWrapper(cell, output_keep_prob=1.0)
        cells = rnn.MultiRNNCell([lstm_cell() for _ in range(2)], state_is_tuple=True)
        outputs, _states = tf.nn.dynamic_rnn(cells, x, dtype=tf.float32)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(outputs, feed_dict={x: [[[1.0, 2.0, 3.0]] * 5]}).shape)
    """
    check = process_text(textwrap.dedent(source), "case.py", Options())
    outcome = fixed(source)
    assert check.status.value == outcome.status.value == "idiomatic" and outcome.remaining == []
    text = outcome.new_text
    assert "contrib" not in text and "lstm_cell()" not in text and "_2" not in text
    # the Keras helper takes the factory's name, the layer the contrib module's
    assert text.count("def lstm_cell(") == 1
    assert after_helpers(text) == textwrap.dedent("""\
        rnn = tf.keras.layers.RNN(
            [lstm_cell(4, 3 if layer == 0 else 4) for layer in range(2)],
            return_sequences=True, return_state=True)
        rnn.build((None, None, 3))

        def outputs__states(x):
            outputs, *layer_states = rnn(x)
            return outputs, tuple((state[1], state[0]) for state in layer_states)

        @tf.function(input_signature=[tf.TensorSpec([None, 5, 3], tf.float32)])
        def outputs(x):
            return outputs__states(x)[0]

        def _states(x):
            return outputs__states(x)[1]

        print(outputs([[[1.0, 2.0, 3.0]] * 5]).numpy().shape)
    """)
    # a factory called with arguments, or passed on, is not read as a cell
    passed = source.replace("[lstm_cell() for _ in range(2)]", "[lstm_cell() for _ in range(2)] if lstm_cell else []")
    kept = fixed(passed)
    assert kept.status.value == process_text(textwrap.dedent(passed), "case.py", Options()).status.value != "idiomatic"
    assert "def lstm_cell():" in kept.new_text


def test_a_model_function_running_one_cell_in_two_rnns_stays_on_compat():
    source = textwrap.dedent("""\
        import tensorflow as tf
        def encoder(x, n):
            cell = tf.nn.rnn_cell.GRUCell(n)
            first, _ = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
            second, state = tf.nn.dynamic_rnn(cell, first, dtype=tf.float32)
            return state
        x = tf.placeholder(tf.float32, [None, 3, 2])
        y = encoder(x, 4)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(y, {x: [[[1., 2.]] * 3]}))
        """)
    findings = process_text(source, "case.py", Options()).findings
    assert [f.message for f in findings if f.code == "TFM090"] == [
        "kept on tensorflow.compat.v1: cell cell of encoder runs in two RNNs (TF1 shares its variables between them)"]


def test_a_cell_of_a_model_function_read_beyond_its_rnn_stays_on_compat():
    source = textwrap.dedent("""\
        import tensorflow as tf
        def model(x, n):
            lstm = tf.nn.rnn_cell.BasicLSTMCell(n)
            outputs, _ = tf.nn.dynamic_rnn(lstm, x, dtype=tf.float32)
            return outputs[:, -1], lstm.state_size
        x = tf.placeholder(tf.float32, [None, 3, 2])
        y, size = model(x, 4)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(y, {x: [[[1., 2.]] * 3]}))
        """)
    findings = process_text(source, "case.py", Options()).findings
    assert [f.message for f in findings if f.code == "TFM090"] == [
        "kept on tensorflow.compat.v1: the cell lstm of model is used beyond the RNN that runs it"]


def test_a_model_function_running_a_stack_of_factory_cells_becomes_a_module():
    # the comprehension's `_` is its own: the program binding `_` further down does not defer the def
    outcome = fixed("""\
        import tensorflow as tf
        hidden, depth = 5, 2

        def lstm_cell():
            return tf.contrib.rnn.BasicLSTMCell(hidden, state_is_tuple=True)

        def model(X, W, b):
            cell = tf.contrib.rnn.MultiRNNCell([lstm_cell() for _ in range(depth)], state_is_tuple=True)
            outputs, _states = tf.nn.dynamic_rnn(cell, X, dtype=tf.float32)
            return tf.matmul(outputs[:, -1], W) + b

        X = tf.placeholder(tf.float32, [None, 4, 3])
        W = tf.Variable(tf.ones([hidden, 1]))
        pred = model(X, W, 0.5)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            _, value = 0, sess.run(pred, {X: [[[1.0] * 3] * 4]})
    """)
    assert outcome.status.value == "idiomatic"
    text = outcome.new_text
    assert text[text.index("class Model"):text.index("W = ")] == textwrap.dedent("""\
        class Model(tf.Module):
            def __init__(self, name=None):
                super().__init__(name=name)
                self.is_built = False

            @tf.Module.with_name_scope
            def __call__(self, X, W, b):
                if not self.is_built:
                    with tf.init_scope():
                        self.rnn = tf.keras.layers.RNN(
                            [lstm_cell(hidden, X.shape[-1] if layer == 0 else hidden) for layer in range(depth)],
                            return_sequences=True, return_state=True)
                        self.rnn.build(X.shape)
                    self.is_built = True
                outputs, *layer_states = self.rnn(X)
                _states = tuple((state[1], state[0]) for state in layer_states)
                return tf.matmul(outputs[:, -1], W) + b

        """)


def test_the_input_size_of_embedded_ids_is_the_embedding_variables_last_dimension():
    # `embeddings = tf.Variable(init_embeds)` of a random tensor made the line before: its shape says the size
    outcome = fixed("""\
        import tensorflow as tf
        ids = tf.placeholder(tf.int32, [None, 5])
        init_embeds = tf.random_uniform([20, 6], -1.0, 1.0)
        embeddings = tf.Variable(init_embeds, name="embeddings")
        embed = tf.nn.embedding_lookup(embeddings, ids)
        outputs, state = tf.nn.dynamic_rnn(tf.nn.rnn_cell.GRUCell(4), embed, dtype=tf.float32)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(state, feed_dict={ids: [[1, 2, 3, 4, 5]]}))
    """)
    assert outcome.status.value == "idiomatic"
    assert "rnn = tf.keras.layers.RNN(gru_cell(4, 6), return_sequences=True, return_state=True)\n" in outcome.new_text


def test_the_last_layers_h_of_a_stack_of_lstm_cells_in_a_model_function_is_its_second_half():
    # TF1's LSTMStateTuple(c, h) is the tuple (c, h) here: `states[-1].h` reads its [1]
    outcome = fixed("""\
        import tensorflow as tf

        def model(x):
            stacked = tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.LSTMCell(4) for _ in range(2)])
            outputs, states = tf.nn.dynamic_rnn(stacked, x, dtype=tf.float32)
            return states[-1].h + states[0].c

        x = tf.placeholder(tf.float32, [None, 3, 2])
        y = model(x)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(y, {x: [[[1.0, 2.0]] * 3]}))
    """)
    assert outcome.status.value == "idiomatic"
    assert ("        outputs, *layer_states = self.rnn(x)\n"
            "        states = tuple((state[1], state[0]) for state in layer_states)\n"
            "        return states[-1][1] + states[0][0]\n") in outcome.new_text
