"""The TF1 -> TF2 API table in rules/data/tf_api.json, checked without TensorFlow.

One test regenerates the table with scripts/generate_api_table.py when
TensorFlow is installed, to prove the committed file is current.
"""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TABLE_PATH = ROOT / "rules" / "data" / "tf_api.json"
SCRIPT = ROOT / "scripts" / "generate_api_table.py"


@pytest.fixture(scope="module")
def table() -> dict:
    with open(TABLE_PATH, encoding="utf-8") as handle:
        return json.load(handle)


@pytest.fixture(scope="module")
def v2_api(table) -> set:
    return set(table["v2_api"])


@pytest.mark.parametrize(
    "old, new",
    [
        ("random_normal", "random.normal"),
        ("truncated_normal", "random.truncated_normal"),
        ("random_uniform", "random.uniform"),
        ("log", "math.log"),
        ("set_random_seed", "random.set_seed"),
        ("nn.softmax_cross_entropy_with_logits_v2", "nn.softmax_cross_entropy_with_logits"),
        ("gfile.Exists", "io.gfile.exists"),
        ("image.resize_images", "image.resize"),
        ("where_v2", "where"),
    ],
)
def test_renames(table, old, new):
    assert table["renames"][old] == new


@pytest.mark.parametrize(
    "name",
    [
        "placeholder",
        "Session",
        "global_variables_initializer",
        "train.GradientDescentOptimizer",
        "train.AdamOptimizer",
        "variable_scope",
        "to_float",
        "get_variable",
    ],
)
def test_compat_only(table, v2_api, name):
    assert name in table["compat_only"]
    assert name not in table["renames"]
    assert name not in v2_api


@pytest.mark.parametrize("name", ["layers", "layers.dense", "layers.conv2d", "nn.rnn_cell.LSTMCell"])
def test_keras_3_removed_tf1_layers(table, name):
    assert name in table["removed"]
    assert name not in table["compat_only"]
    assert name not in table["renames"]


def test_compat_renames_point_into_compat_v1(table):
    assert table["compat_renames"]["contrib.tpu.shard"] == "tpu.shard"
    assert "tpu.shard" in table["compat_only"]


def test_keyword_renames(table):
    assert table["keyword_renames"]["argmax"] == {"dimension": "axis"}
    assert table["keyword_renames"]["reduce_sum"] == {"keep_dims": "keepdims", "reduction_indices": "axis"}
    assert table["keyword_renames"]["nn.softmax_cross_entropy_with_logits"] == {"dim": "axis"}


def test_removed_keywords(table):
    assert table["removed_keywords"]["gradients"] == ["colocate_gradients_with_ops"]
    assert "strict" in table["removed_keywords"]["cond"]


def test_reorders_keep_tf1_parameter_order(table):
    assert table["reorders"]["argmax"] == [None, None, "name", "dimension", "output_type"]


def test_reorders_only_leave_leading_positions_positional(table):
    # a positional argument cannot follow a keyword one, so null never follows a name
    for name, order in table["reorders"].items():
        kept = order.index(next(p for p in order if p is not None))
        assert all(p is None for p in order[:kept]) and None not in order[kept:], name


def test_transforms_describe_the_tf2_form(table):
    assert table["transforms"]["to_float"] == "Changed tf.to_float call to tf.cast(..., dtype=tf.float32)."
    assert "keep_prob" in table["transforms"]["nn.dropout"]
    assert "*.make_one_shot_iterator" in table["transforms"]


def test_module_deprecations(table):
    assert table["module_deprecations"]["contrib"].startswith("tf.contrib cannot be converted")
    assert set(table["module_deprecations"]) >= {"contrib", "flags", "app.flags"}


def test_no_rename_target_is_under_compat_v1(table):
    assert [new for new in table["renames"].values() if new.startswith("compat.v")] == []


def test_every_rename_target_exists_in_tf2(table, v2_api):
    assert sorted(set(table["renames"].values()) - v2_api) == []


def test_no_rename_source_exists_in_tf2(table, v2_api):
    assert sorted(set(table["renames"]) & v2_api) == []


def test_keyword_renames_are_keyed_by_tf2_names(table, v2_api):
    keys = set(table["keyword_renames"]) | set(table["removed_keywords"])
    assert sorted(keys - v2_api) == []


def test_categories_do_not_overlap(table):
    renames, compat_only, removed = set(table["renames"]), set(table["compat_only"]), set(table["removed"])
    assert renames & compat_only == set()
    assert renames & removed == set()
    assert compat_only & removed == set()


def test_v2_api_has_what_the_rewrites_use(v2_api):
    wanted = {"GradientTape", "TensorSpec", "function", "optimizers.SGD", "keras.optimizers.Adam", "random.set_seed"}
    assert wanted <= v2_api
    assert {"placeholder", "Session", "compat.v1.placeholder"} & v2_api == set()


def test_lists_are_sorted_and_unique(table):
    for key in ("v2_api", "compat_only", "removed"):
        assert table[key] == sorted(set(table[key])), key
    for words in table["removed_keywords"].values():
        assert words == sorted(set(words))


def test_file_is_deterministic_json(table):
    text = TABLE_PATH.read_text(encoding="utf-8")
    assert text == json.dumps(table, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def test_script_writes_the_same_layout(table):
    spec = importlib.util.spec_from_file_location("generate_api_table", SCRIPT)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)  # TensorFlow is imported only by main()
    assert script.dumps(table) == TABLE_PATH.read_text(encoding="utf-8")


@pytest.mark.skipif(importlib.util.find_spec("tensorflow") is None, reason="TensorFlow is not installed")
def test_committed_table_matches_installed_tensorflow(tmp_path, table):
    output = tmp_path / "tf_api.json"
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--output", str(output)],
        capture_output=True, text=True, env=env, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    installed = json.loads(output.read_text(encoding="utf-8"))["tensorflow_version"]
    if installed != table["tensorflow_version"]:
        pytest.skip(f"table is for TensorFlow {table['tensorflow_version']}, {installed} is installed")
    assert f"{len(table['renames'])} renames" in result.stdout
    assert output.read_text(encoding="utf-8") == TABLE_PATH.read_text(encoding="utf-8")


def test_compat_v1_api_lists_what_compat_v1_resolves(table):
    names = set(table["compat_v1_api"])
    assert {"placeholder", "Session", "random_normal", "flags", "app.flags", "logging.info", "train.Saver"} <= names
    assert {"estimator", "contrib", "layers", "layers.dense", "nn.rnn_cell", "keras"} & names == set()
    assert table["compat_v1_api"] == sorted(names)


def test_keras2_names_and_their_keras3_counterparts(table, v2_api):
    keras2 = table["keras2"]
    assert keras2["layers.dense"] == "keras.layers.Dense"
    assert keras2["layers.max_pooling2d"] == "keras.layers.MaxPooling2D"
    assert keras2["nn.rnn_cell.BasicLSTMCell"] == "keras.layers.LSTMCell"
    assert keras2["keras.backend.get_session"] == ""
    assert keras2["keras.layers.CuDNNLSTM"] == "keras.layers.LSTM"
    assert sorted(set(v for v in keras2.values() if v) - v2_api) == []
    assert sorted(set(keras2) & v2_api) == []
    assert "keras.layers.Dense" not in keras2


def test_keras_removed_arguments_are_measured_on_keras_3(table, v2_api):
    removed = table["keras_removed_arguments"]
    assert "time_major" in removed["keras.layers.LSTM"]
    assert "jit_compile" in removed["keras.optimizers.Adam"]
    assert sorted(set(removed) - v2_api) == []
