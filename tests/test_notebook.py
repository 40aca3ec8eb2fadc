"""Notebooks: code cells as Python, IPython lines masked and restored, the JSON written back exactly."""
from __future__ import annotations

import ast
import difflib
import json

import pytest

from tfmigrate.notebook import Cell, NotebookError, load_notebook

# A notebook as Jupyter saves it: one-space indentation, sorted keys, non-ASCII
# text as is, outputs with a base64 image, a final newline.
JUPYTER = r"""{
 "cells": [
  {
   "cell_type": "markdown",
   "metadata": {},
   "source": [
    "# Régression quadratique — 二次関数 📈\n",
    "Minimise $w^2 - 10w + 25$."
   ]
  },
  {
   "cell_type": "code",
   "execution_count": 1,
   "metadata": {
    "tags": [
     "setup"
    ]
   },
   "outputs": [
    {
     "name": "stdout",
     "output_type": "stream",
     "text": [
      "Collecting tensorflow==1.15\n"
     ]
    }
   ],
   "source": [
    "%matplotlib inline\n",
    "!pip install tensorflow==1.15\n",
    "import numpy as np\n",
    "import tensorflow as tf"
   ]
  },
  {
   "cell_type": "code",
   "execution_count": 2,
   "metadata": {},
   "outputs": [
    {
     "data": {
      "image/png": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
      "text/plain": [
       "<Figure size 432x288 with 1 Axes>"
      ]
     },
     "metadata": {
      "needs_background": "light"
     },
     "output_type": "display_data"
    }
   ],
   "source": [
    "w = tf.Variable(0, dtype=tf.float32)  # poids « w »\n",
    "x = tf.placeholder(tf.float32, [3, 1])\n",
    "cost = x[0][0]*w**2 + x[1][0]*w + x[2][0]\n",
    "train = tf.train.GradientDescentOptimizer(0.01).minimize(cost)"
   ]
  },
  {
   "cell_type": "code",
   "execution_count": 3,
   "metadata": {},
   "outputs": [
    {
     "name": "stdout",
     "output_type": "stream",
     "text": [
      "CPU times: user 1.2 s, sys: 10 ms, total: 1.21 s\n",
      "9.999977\n"
     ]
    }
   ],
   "source": [
    "%%time\n",
    "with tf.Session() as sess:\n",
    "    sess.run(tf.global_variables_initializer())\n",
    "    for i in range(1000):\n",
    "        sess.run(train, feed_dict={x: coefficients})\n",
    "    print(sess.run(w))"
   ]
  },
  {
   "cell_type": "code",
   "execution_count": null,
   "metadata": {},
   "outputs": [],
   "source": [
    "%%bash\n",
    "echo tensorflow"
   ]
  },
  {
   "cell_type": "raw",
   "metadata": {},
   "source": [
    "tf.Session()"
   ]
  },
  {
   "cell_type": "code",
   "execution_count": null,
   "metadata": {},
   "outputs": [],
   "source": "tf.Session?"
  }
 ],
 "metadata": {
  "kernelspec": {
   "display_name": "Python 3",
   "language": "python",
   "name": "python3"
  },
  "language_info": {
   "name": "python",
   "version": "3.7.6"
  }
 },
 "nbformat": 4,
 "nbformat_minor": 4
}
"""


def notebook_json(*sources, indent=1, ensure_ascii=False, newline=True, **metadata) -> str:
    """A notebook holding one code cell per source (a list of lines, or a string)."""
    cells = [
        {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": source}
        for source in sources
    ]
    data = {"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}
    text = json.dumps(data, indent=indent, ensure_ascii=ensure_ascii)
    return text + "\n" if newline else text


def lines_of(source: str) -> list:
    """A source as Jupyter stores it: lines ending in a newline, but the last."""
    return source.splitlines(keepends=True)


# --------------------------------------------------------------------------
# reading


def test_the_sample_is_what_jupyter_writes():
    data = json.loads(JUPYTER)
    assert json.dumps(data, sort_keys=True, indent=1, ensure_ascii=False) + "\n" == JUPYTER


def test_code_cells_numbered_among_all_cells_with_ipython_lines_masked():
    notebook = load_notebook(JUPYTER)
    assert [(cell.index, cell.source) for cell in notebook.cells] == [
        (2, "__tfmigrate_magic_2_0__\n__tfmigrate_magic_2_1__\nimport numpy as np\nimport tensorflow as tf"),
        (3, "w = tf.Variable(0, dtype=tf.float32)  # poids « w »\n"
            "x = tf.placeholder(tf.float32, [3, 1])\n"
            "cost = x[0][0]*w**2 + x[1][0]*w + x[2][0]\n"
            "train = tf.train.GradientDescentOptimizer(0.01).minimize(cost)"),
        (4, "__tfmigrate_magic_4_0__\n"
            "with tf.Session() as sess:\n"
            "    sess.run(tf.global_variables_initializer())\n"
            "    for i in range(1000):\n"
            "        sess.run(train, feed_dict={x: coefficients})\n"
            "    print(sess.run(w))"),
        (7, "__tfmigrate_magic_7_0__"),
    ]
    assert notebook.language == "python"
    assert notebook.cell(3).original == "".join(json.loads(JUPYTER)["cells"][2]["source"])


def test_a_cell_looked_up_that_is_not_python_is_a_key_error():
    with pytest.raises(KeyError):
        load_notebook(JUPYTER).cell(5)  # %%bash


MASKED = [
    ("%matplotlib inline\nx = 1", "__M0__\nx = 1"),
    ("!pip install tensorflow==1.15", "__M0__"),
    ("!ls", "__M0__"),
    ("%timeit x", "__M0__"),
    ("?tf.Session", "__M0__"),
    ("??tf.Session", "__M0__"),
    ("tf.Session?", "__M0__"),
    ("tf.Session??", "__M0__"),
    ("%pinfo?", "__M0__"),
    ("files = !ls *.csv", "__M0__"),
    ("a, b = %sx echo 1 2", "__M0__"),
    ("/print 1", "__M0__"),
    ("!pip install \\\n    tensorflow==1.15 \\\n    numpy\nx = 1", "(__M0__\n\n)\nx = 1"),
    ("!pip install \\\n    numpy", "(__M0__\n)"),
    ("for i in range(3):\n    !echo $i\n    %time f(i)", "for i in range(3):\n    __M0__\n    __M1__"),
    ("if x:\n\t%env A=1", "if x:\n\t__M0__"),
    ("%%time\nx = 1\n%time y = 2", "__M0__\nx = 1\n__M1__"),
    ("%%timeit -n 10 setup = 1\nx = 1", "__M0__\nx = 1"),
    ("%%capture out\nimport tensorflow as tf", "__M0__\nimport tensorflow as tf"),
    ("\n%%time\nx = 1", "\n__M0__\nx = 1"),
    ("%matplotlib inline\r\nx = 1\r\n", "__M0__\r\nx = 1\r\n"),
    # Python that only looks like IPython is left alone
    ("x = (10\n% 3)", None),
    ("y = 10 \\\n    % 3", None),
    ('s = """\n!not a shell line\n?help\n"""', None),
    ("s = 'a\\\n!b'", None),
    ("# is this a question?\nx = 1", None),
    ("x = 1  # really?", None),
    ("print('?')", None),
    ("a != b", None),
    ("a = b % c", None),
    ("d = {\n    'k':\n    !x\n}", None),
    ("", None),
]


@pytest.mark.parametrize("source, expected", MASKED)
def test_ipython_lines_become_placeholders_of_as_many_lines(source, expected):
    notebook = load_notebook(notebook_json(lines_of(source)))
    [cell] = notebook.cells
    assert cell.source == (source if expected is None else expected.replace("__M", "__tfmigrate_magic_1_"))
    assert cell.source.count("\n") == source.count("\n")
    assert cell.restore(cell.source) == source
    if expected is not None:
        ast.parse(cell.source)


@pytest.mark.parametrize("magic", ["%%bash", "%%writefile model.py", "%%html", "%%", "%%javascript"])
def test_cells_under_other_cell_magics_are_not_python(magic):
    notebook = load_notebook(notebook_json(lines_of(f"{magic}\nimport tensorflow as tf\n"), ["x = 1"]))
    assert [(cell.index, cell.source) for cell in notebook.cells] == [(2, "x = 1")]


def test_a_non_python_kernel_has_no_cells_to_check():
    text = notebook_json(["library(tensorflow)"], language_info={"name": "R"})
    assert load_notebook(text).cells == []
    assert load_notebook(text).language == "r"
    assert load_notebook(notebook_json(["x = 1"], kernelspec={"language": "python"})).cells[0].source == "x = 1"


@pytest.mark.parametrize("text, message", [
    ("{", "invalid notebook JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
    ("", "invalid notebook JSON: Expecting value: line 1 column 1 (char 0)"),
    ("[]", "not a notebook: the JSON is not an object"),
    ("{}", "not a notebook: no cells"),
    ('{"cells": {}}', "not a notebook: no cells"),
    ('{"cells": [{"cell_type": "code", "source": 3}]}', "not a notebook: the source of cell 1 is not text"),
    ('{"cells": [{"cell_type": "code", "source": ["a", 1]}]}', "not a notebook: the source of cell 1 is not text"),
    ('{"cells": [1]}', "not a notebook: cell 1 is not a JSON object"),
])
def test_what_is_not_a_notebook(text, message):
    with pytest.raises(NotebookError) as caught:
        load_notebook(text)
    assert str(caught.value) == message


# --------------------------------------------------------------------------
# writing back


def test_unchanged_sources_give_back_the_exact_text():
    notebook = load_notebook(JUPYTER)
    assert notebook.with_sources({}) == JUPYTER
    assert notebook.with_sources({cell.index: cell.source for cell in notebook.cells}) == JUPYTER


@pytest.mark.parametrize("options", [
    dict(indent=1), dict(indent=2), dict(indent=4), dict(indent="\t"), dict(indent=None),
    dict(indent=1, ensure_ascii=True), dict(indent=1, newline=False),
])
def test_round_trip_of_every_layout(options):
    text = notebook_json(lines_of("%time x = 'é'\ny = 2"), "z = 3", **options)
    notebook = load_notebook(text)
    assert notebook.with_sources({cell.index: cell.source for cell in notebook.cells}) == text


@pytest.mark.parametrize("options", [
    dict(indent=1), dict(indent=2), dict(indent=4), dict(indent="\t"), dict(indent=None),
    dict(indent=1, ensure_ascii=True), dict(indent=2, newline=False),
])
def test_a_changed_cell_is_written_in_the_notebook_layout(options):
    old = "%time x = 1\ny = 2"
    text = notebook_json(lines_of(old), "keep = 'é'", **options)
    notebook = load_notebook(text)
    new_python = notebook.cell(1).source.replace("y = 2", "y = 'ü'\nz = 3")
    expected = notebook_json(lines_of("%time x = 1\ny = 'ü'\nz = 3"), "keep = 'é'", **options)
    assert notebook.with_sources({1: new_python}) == expected


def test_a_string_source_stays_a_string():
    text = notebook_json(["a = 1\n", "b = 2"], "tf.Session?\nx = tf.Session()")
    notebook = load_notebook(text)
    changed = notebook.with_sources({2: notebook.cell(2).source.replace("tf.Session()", "tf.compat.v1.Session()")})
    assert changed == notebook_json(["a = 1\n", "b = 2"], "tf.Session?\nx = tf.compat.v1.Session()")


def test_an_emptied_cell_is_an_empty_list_and_an_empty_cell_can_be_filled():
    notebook = load_notebook(notebook_json(["x = 1"], []))
    assert notebook.with_sources({1: ""}) == notebook_json([], [])
    assert notebook.with_sources({2: "y = 2\nz = 3"}) == notebook_json(["x = 1"], ["y = 2\n", "z = 3"])


def test_a_final_newline_added_by_a_fix_is_not_stored():
    notebook = load_notebook(notebook_json(["x = 1\n", "y = 2"]))
    assert notebook.with_sources({1: "x = 1\ny = 3\n"}) == notebook_json(["x = 1\n", "y = 3"])
    notebook = load_notebook(notebook_json(["x = 1\n"]))
    assert notebook.with_sources({1: "x = 2\n"}) == notebook_json(["x = 2\n"])


def test_only_the_changed_source_line_differs():
    notebook = load_notebook(JUPYTER)
    new_python = notebook.cell(3).source.replace(
        "x = tf.placeholder(tf.float32, [3, 1])", "x = tf.compat.v1.placeholder(tf.float32, [3, 1])")
    changed = notebook.with_sources({3: new_python})
    diff = [
        line for line in difflib.unified_diff(JUPYTER.splitlines(), changed.splitlines(), lineterm="", n=0)
        if line.startswith(("+", "-")) and not line.startswith(("+++", "---"))
    ]
    assert diff == [
        '-    "x = tf.placeholder(tf.float32, [3, 1])\\n",',
        '+    "x = tf.compat.v1.placeholder(tf.float32, [3, 1])\\n",',
    ]


def test_outputs_metadata_and_counts_are_untouched_by_a_fix():
    notebook = load_notebook(JUPYTER)
    changed = json.loads(notebook.with_sources({4: notebook.cell(4).source.replace("range(1000)", "range(10)")}))
    original = json.loads(JUPYTER)
    assert changed["cells"][3]["source"][3] == "    for i in range(10):\n"
    changed["cells"][3]["source"][3] = original["cells"][3]["source"][3]
    assert changed == original


def test_magics_come_back_at_the_indentation_their_placeholder_has():
    source = "with tf.Session() as sess:\n    %time sess.run(w)\n    !echo done \\\n      now"
    notebook = load_notebook(notebook_json(lines_of(source)))
    python = notebook.cell(1).source
    assert python == "with tf.Session() as sess:\n    __tfmigrate_magic_1_0__\n    (__tfmigrate_magic_1_1__\n    )"
    dedented = "\n".join(line[4:] for line in python.splitlines()[1:])
    assert notebook.cell(1).restore(dedented) == "%time sess.run(w)\n!echo done \\\n      now"


def test_magics_restored_around_edited_lines():
    notebook = load_notebook(JUPYTER)
    python = notebook.cell(2).source.replace("import tensorflow as tf", "import tensorflow as tf\nimport os")
    assert notebook.cell(2).restore(python) == (
        "%matplotlib inline\n!pip install tensorflow==1.15\nimport numpy as np\nimport tensorflow as tf\nimport os")


@pytest.mark.parametrize("edit, message", [
    (lambda s: s.replace("__tfmigrate_magic_1_0__\n", ""), "cell 1: a fix removed the line `%time x`; left as it was"),
    (lambda s: s + "\n__tfmigrate_magic_1_0__", "cell 1: a fix duplicated the line `%time x`; left as it was"),
])
def test_a_fix_that_loses_a_magic_line_is_refused(edit, message):
    notebook = load_notebook(notebook_json(["%time x\n", "y = 1"]))
    with pytest.raises(NotebookError) as caught:
        notebook.with_sources({1: edit(notebook.cell(1).source)})
    assert str(caught.value) == message


def test_restore_of_an_unchanged_cell_is_its_stored_text():
    cell = load_notebook(JUPYTER).cell(4)
    assert isinstance(cell, Cell)
    assert cell.restore(cell.source) == cell.original
    assert cell.original.startswith("%%time\nwith tf.Session() as sess:\n")


def test_a_cell_without_a_source_field_reads_as_empty_and_cannot_take_a_fix():
    notebook = load_notebook('{"cells": [{"cell_type": "code", "outputs": []}]}')
    assert [(cell.index, cell.source) for cell in notebook.cells] == [(1, "")]
    assert notebook.with_sources({1: ""}) == '{"cells": [{"cell_type": "code", "outputs": []}]}'
    with pytest.raises(NotebookError) as caught:
        notebook.with_sources({1: "x = 1"})
    assert str(caught.value) == "cell 1: no source field to write the fix into; left as it was"
