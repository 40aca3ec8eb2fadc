"""An Estimator program and the file of its model and input functions, rewritten together
(tfmigrate/merge.py): alone, neither can become Keras 3 (the program's model_fn is the other
file's; the library builds no Estimator); in one run the model_fn is a Keras model class of the
library, which the program makes, as it imported the library (`import model`, `from model
import ...`, `from . import model`)."""
from __future__ import annotations

import textwrap

import pytest

from conftest import ROOT, run_cli
from test_project import _write
from tfmigrate import merge
from tfmigrate.options import Options

DATA = ROOT / "tests" / "data" / "estimator_library"
ORIGINAL = {name: (DATA / "original" / name).read_text() for name in ("model.py", "task.py")}
EXPECTED = {name: (DATA / "expected" / name).read_text() for name in ("model.py", "task.py")}
TOGETHER = Options(fix=True, unsafe_fixes=True)
GONE = " (tf.estimator is gone from TensorFlow 2.21, tf.compat.v1.estimator too: the file is left as it is)"


def _reasons(output):
    return [line.strip() for line in output.splitlines() if line.startswith("  manual")]


def test_each_file_alone_says_to_fix_it_with_the_other(tmp_path):
    _write(tmp_path, ORIGINAL)
    task = run_cli("check", "--output-format", "concise", "--no-cache", "task.py", cwd=tmp_path)
    assert _reasons(task.stdout) == [
        "manual       task.py:8:14: TFM010 not rewritten to Keras 3: an Estimator whose model_fn is not a function "
        "of this file: fix it in one run with the file that defines it" + GONE]
    model = run_cli("check", "--output-format", "concise", "--no-cache", "model.py", cwd=tmp_path)
    assert _reasons(model.stdout) == [
        "manual       model.py:1:1: TFM010 not rewritten to Keras 3: tf.estimator is used, but no Estimator is built "
        "in this file: fix it in one run with the program that builds an Estimator from its model_fn" + GONE]


def test_the_two_files_fixed_in_one_run_are_a_keras_model_and_the_program_that_makes_it(tmp_path):
    _write(tmp_path, ORIGINAL)
    check = run_cli("check", "--output-format", "concise", "--no-cache", ".", cwd=tmp_path)
    assert check.returncode == 1
    assert "Migration: 2 idiomatic, 0 compat-only, 0 manual." in check.stdout, check.stdout
    assert ("model.py:1:1: TFM090 rewritten together with the other file of its Estimator program: the model_fn "
            "becomes a Keras 3 model") in check.stdout
    fixed = run_cli("fix", "--unsafe-fixes", "--no-cache", ".", cwd=tmp_path)
    assert "Migration: 2 idiomatic, 0 compat-only, 0 manual." in fixed.stdout, fixed.stdout + fixed.stderr
    for name in ("model.py", "task.py"):
        assert (tmp_path / name).read_text() == EXPECTED[name], name
    again = run_cli("check", "--no-cache", ".", cwd=tmp_path)
    assert again.returncode == 0 and "All checks passed." in again.stdout


@pytest.mark.slow
def test_the_rewrite_prints_what_the_tf1_program_printed_on_tensorflow_2_15():
    done = run_cli("verify", "--deterministic", DATA / "original" / "task.py", DATA / "expected" / "task.py")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "(tf1 on TF 2.15.1, ok, 9 numbers, " in done.stdout.splitlines()[0]
    rows = [line.split() for line in done.stdout.splitlines() if line[:1].isdigit()]
    assert [(row[1], row[2]) for row in rows] == [
        ("0.0365", "0.0365"), ("1.0", "1.0"), ("200.0", "200.0"),  # loss, accuracy, global step
        ("0.0", "0.0"), ("0.957", "0.957"), ("0.043", "0.043"),  # class 0 and its probabilities
        ("1.0", "1.0"), ("0.0", "0.0"), ("1.0", "1.0")]
    assert "exact: 9 numbers, each printed identically" in done.stdout


def _together(program, library=ORIGINAL["model.py"], name="model", path="task.py"):
    return merge.rewrite_together(path, textwrap.dedent(program), library, name, TOGETHER)


# The program of the test data, importing the library in each form Python has.
PROGRAM = '''\
import tensorflow as tf
{import_line}

features, labels = {q}make_data()
classifier = tf.estimator.Estimator(model_fn={q}model_fn, params={{"hidden_units": 4, "learning_rate": 0.05}})
classifier.train(input_fn=lambda: {q}input_fn(features, labels, 16), steps=200)
'''


@pytest.mark.parametrize("import_line, q, name, new_import", [
    ("from model import make_data, model_fn, input_fn", "", "model",
     "from model import make_data, input_fn, ModelFn"),
    ("from . import model", "model.", ".model", "from . import model"),
    ("from trainer import model", "model.", "trainer.model", "from trainer import model"),
    ("import trainer.model as m", "m.", "trainer.model", "import trainer.model as m"),
    ("import model as m", "m.", "model", "import model as m"),
])
def test_every_form_of_the_import_reaches_the_same_rewrite(import_line, q, name, new_import):
    program, library = _together(PROGRAM.format(import_line=import_line, q=q), name=name)
    assert library == EXPECTED["model.py"]
    assert program == (
        "import tensorflow as tf\n"
        f"{new_import}\n\n"
        f"features, labels = {q}make_data()\n"
        f'classifier = {q}ModelFn(params={{"hidden_units": 4, "learning_rate": 0.05}})\n'
        f"classifier.fit({q}input_fn(features, labels, 16), epochs=1, steps_per_epoch=200, verbose=0)\n")


def test_a_name_of_the_programs_own_that_the_library_defines_too_stays_the_programs():
    # `input_fn` and `model.input_fn` are one name while the two are read as one: the library's is an alias
    program, library = _together(PROGRAM.format(import_line="import model", q="model.") + "input_fn = None\n")
    assert library == EXPECTED["model.py"]
    assert program.endswith(
        "classifier.fit(model.input_fn(features, labels, 16), epochs=1, steps_per_epoch=200, verbose=0)\n"
        "input_fn = None\n")


@pytest.mark.parametrize("program", [
    # the module itself handed on: its functions are not only `model.f`
    PROGRAM.format(import_line="import model", q="model.") + "print(model)\n",
    # an attribute the library does not define (set elsewhere at run time)
    PROGRAM.format(import_line="import model", q="model.") + "print(model.VERSION)\n",
    # `import trainer.model` binds `trainer`: `trainer.model.f` is not followed
    PROGRAM.format(import_line="import trainer.model", q="trainer.model."),
    # the library imported twice
    PROGRAM.format(import_line="import model\nfrom model import input_fn", q="model."),
])
def test_a_program_using_the_library_otherwise_is_not_rewritten_with_it(program):
    name = "trainer.model" if "trainer" in program else "model"
    assert _together(program, name=name) is None


def test_in_one_run_the_two_files_say_where_their_rewrite_together_stops(tmp_path):
    library = ORIGINAL["model.py"].replace(
        "    predicted = tf.argmax(logits, 1)\n",
        "    predicted = tf.argmax(logits, 1)\n    tf.add_to_collection(\"logits\", logits)\n")
    line = library.splitlines().index('    tf.add_to_collection("logits", logits)') + 1
    _write(tmp_path, {"model.py": library, "task.py": ORIGINAL["task.py"]})
    check = run_cli("check", "--output-format", "concise", "--no-cache", ".", cwd=tmp_path)
    stop = (f"as one program, which stops at model.py:{line}: tf.add_to_collection would stay in the rewrite, and "
            "TensorFlow 2 does not have it")
    assert _reasons(check.stdout) == [
        f"manual       model.py:1:1: TFM010 not rewritten to Keras 3: read with task.py {stop}" + GONE,
        f"manual       task.py:8:14: TFM010 not rewritten to Keras 3: read with model.py {stop}" + GONE]


def test_the_reason_given_is_what_holds_the_program_not_a_tf_estimator_name_before_it(tmp_path):
    """A mode constant in an input function comes before the model_fn's blocker in the file; the
    rewrite leaves tf.estimator's names where it stops, and the files name the blocker."""
    library = ORIGINAL["model.py"].replace(
        "def input_fn(features, labels, batch_size, repeat=True):",
        "def input_fn(features, labels, batch_size, repeat=True, mode=tf.estimator.ModeKeys.TRAIN):").replace(
        "    predicted = tf.argmax(logits, 1)\n",
        "    predicted = tf.argmax(logits, 1)\n    tf.add_to_collection(\"logits\", logits)\n")
    line = library.splitlines().index('    tf.add_to_collection("logits", logits)') + 1
    _write(tmp_path, {"model.py": library, "task.py": ORIGINAL["task.py"]})
    check = run_cli("check", "--output-format", "concise", "--no-cache", ".", cwd=tmp_path)
    assert f"which stops at model.py:{line}: tf.add_to_collection would stay in the rewrite" in check.stdout


def test_a_library_with_code_run_at_import_is_not_rewritten_with_its_program(tmp_path):
    library = ORIGINAL["model.py"] + "\nDATA = make_data()\n"
    _write(tmp_path, {"model.py": library, "task.py": ORIGINAL["task.py"]})
    check = run_cli("check", "--output-format", "concise", "--no-cache", ".", cwd=tmp_path)
    assert "Migration: 0 idiomatic, 0 compat-only, 2 manual." in check.stdout, check.stdout


def test_numpy_constants_and_the_logging_level_of_a_library_run_no_graph_code():
    library = ORIGINAL["model.py"].replace(
        'HIDDEN_UNITS = 4\n', 'HIDDEN_UNITS = 4\nOFFSETS = np.array([[0.5], [1.5]], np.float32)\n'
                              'tf.logging.set_verbosity(tf.logging.INFO)\n')
    program, library_new = _together(PROGRAM.format(import_line="import model", q="model."), library=library)
    assert "OFFSETS = np.array([[0.5], [1.5]], np.float32)\nlogging.set_verbosity(logging.INFO)\n" in library_new
    assert "class ModelFn(tf.keras.Model):" in library_new and "model.ModelFn(" in program


def test_a_class_the_rewrite_writes_for_the_library_s_model_goes_into_the_library():
    """TF1's RMSProp is a class of the rewrite's (TF1RMSprop) that the model class builds: it is written in the
    library, before the model class (in the program, the library's model could not find it)."""
    library = ORIGINAL["model.py"].replace("tf.train.AdamOptimizer(params[\"learning_rate\"])",
                                          "tf.train.RMSPropOptimizer(params[\"learning_rate\"])")
    program, library_new = _together(PROGRAM.format(import_line="import model", q="model."), library=library)
    assert "TF1RMSprop" not in program
    assert library_new.index("class TF1RMSprop(") < library_new.index("class ModelFn(")
    assert "self.compile(optimizer=TF1RMSprop(params[\"learning_rate\"], epsilon=1e-10))" in library_new


def test_verify_names_the_known_differences_of_the_library_s_optimizer():
    # the model (and its Adam) is made in model.py: what is known of Keras's Adam is said of that file
    from tfmigrate import programs
    from tfmigrate.programs import imported_known

    original = programs.load(str(DATA / "original" / "task.py"))
    known = imported_known(original, str(DATA / "expected" / "task.py"))
    assert [line.split(":")[0] for line in known] == ["model.py line 39"]
    assert "Keras Adam computes 1 - beta_2 in double precision" in known[0]
    assert imported_known(original, None) == []  # the rewrite of the program alone: no file of its own


def test_a_local_of_a_library_function_named_as_a_function_of_the_program_is_no_clash():
    # input_fn's local `dataset` is not the program's function `dataset`
    program = PROGRAM.format(import_line="import model", q="model.") + "\n\ndef dataset():\n    return None\n"
    together = _together(program)
    assert together is not None and together[1] == EXPECTED["model.py"]


BUILDER = ROOT / "tests" / "data" / "estimator_builder"
BUILDER_ORIGINAL = {name: (BUILDER / "original" / name).read_text() for name in ("model.py", "task.py")}
BUILDER_EXPECTED = {name: (BUILDER / "expected" / name).read_text() for name in ("model.py", "task.py")}


def test_a_builder_of_another_file_and_its_program_each_say_to_fix_them_together(tmp_path):
    """A trainer's layout: model.py's build_estimator returns the canned estimator, task.py calls it."""
    _write(tmp_path, BUILDER_ORIGINAL)
    task = run_cli("check", "--output-format", "concise", "--no-cache", "task.py", cwd=tmp_path)
    assert _reasons(task.stdout) == [
        "manual       task.py:2:1: TFM010 not rewritten to Keras 3: an estimator built and returned by a function "
        "of another file: fix it in one run with the file that defines it" + GONE]
    model = run_cli("check", "--output-format", "concise", "--no-cache", "model.py", cwd=tmp_path)
    assert ("model.py:14:12: TFM010 not rewritten to Keras 3: an estimator built and returned by a function "
            "that no code of this file calls: fix it in one run with the program that calls it" + GONE) in (
        model.stdout.splitlines())


def test_a_builder_and_its_program_fixed_in_one_run_are_a_keras_model_the_builder_returns(tmp_path):
    _write(tmp_path, BUILDER_ORIGINAL)
    fixed = run_cli("fix", "--unsafe-fixes", "--no-cache", ".", cwd=tmp_path)
    assert "Migration: 2 idiomatic, 0 compat-only, 0 manual." in fixed.stdout, fixed.stdout + fixed.stderr
    for name in ("model.py", "task.py"):
        assert (tmp_path / name).read_text() == BUILDER_EXPECTED[name], name
    assert "    estimator = model.build_estimator(hidden_units=[16], learning_rate=learning_rate)\n" in (
        BUILDER_EXPECTED["task.py"])
    again = run_cli("check", "--no-cache", ".", cwd=tmp_path)
    assert again.returncode == 0 and "All checks passed." in again.stdout


@pytest.mark.slow
def test_the_builders_rewrite_prints_what_the_tf1_program_printed_on_tensorflow_2_15():
    done = run_cli("verify", BUILDER / "original" / "task.py", BUILDER / "expected" / "task.py")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "(tf1 on TF 2.15.1, ok, 1 number, " in done.stdout.splitlines()[0]
    assert [line.split()[1:3] for line in done.stdout.splitlines() if line[:1].isdigit()] == [["1.0", "1.0"]]


def test_a_program_read_with_one_of_its_libraries_names_the_file_where_the_rewrite_stopped(tmp_path):
    """task.py imports inputs.py and model.py, each a library of its estimator; read with model.py
    it stops there (its columns come from a third file): every file names model.py's line."""
    files = dict(BUILDER_ORIGINAL)
    files["featurizer.py"] = ("import tensorflow as tf\n\n\ndef columns():\n"
                              "    return [tf.feature_column.numeric_column(k) for k in ['x1', 'x2']]\n")
    files["model.py"] = files["model.py"].replace("feature_columns=get_feature_columns()",
                                                  "feature_columns=featurizer.columns()").replace(
        "import tensorflow as tf\n", "import tensorflow as tf\n\nimport featurizer\n", 1)
    files["inputs.py"] = ("import tensorflow as tf\n\n\ndef serving_fn():\n"
                          "    return tf.estimator.export.ServingInputReceiver({}, {})\n")
    files["task.py"] = files["task.py"].replace("import model\n", "import inputs\nimport model\n")
    _write(tmp_path, files)
    check = run_cli("check", "--output-format", "concise", "--no-cache", ".", cwd=tmp_path)
    stops = [line.split(": ", 1)[1] for line in _reasons(check.stdout) if "TFM010" in line]
    assert stops and all("which stops at model.py:" in why for why in stops), check.stdout
