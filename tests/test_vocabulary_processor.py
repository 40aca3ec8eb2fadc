"""TFM127: tf.contrib.learn's VocabularyProcessor, written into the file. Exact findings and rewrites, and the
written class run on TensorFlow 2, its word ids worked out by hand from TF1's rules (the tokenizer's
regular expression, "<UNK>" 0, ids in the order words are first seen, or by count then alphabetically once
`min_frequency` trims)."""
from __future__ import annotations

import textwrap

from conftest import run_in_tensorflow
from tfmigrate.engine import Options, process_text

FIX = Options(fix=True, unsafe_fixes=True)

PROGRAM = """\
import numpy as np
from tensorflow.contrib import learn

docs = ["The cat sat", "the cat ate the fish", "A dog", "HTTPServer runs fine", "dog-walking isn't fun"]
processor = learn.preprocessing.VocabularyProcessor(4)
print(np.array(list(processor.fit_transform(docs))).tolist(), len(processor.vocabulary_))
trimmed = learn.preprocessing.VocabularyProcessor(3, min_frequency=1)
print(np.array(list(trimmed.fit_transform(docs))).tolist(), len(trimmed.vocabulary_))
processor.save(PATH)
again = learn.preprocessing.VocabularyProcessor.restore(PATH)
print(np.array(list(again.transform(["the fish sat", "unknown words"]))).tolist(), list(again.reverse([[1, 2, 3]])))
print(again.vocabulary_._mapping["fish"], again.vocabulary_.get("unknown"))
"""


def findings(source: str):
    return [(f.code, f.start.line, f.message) for f in process_text(source, "case.py", Options()).findings]


MESSAGE = ("`tf.contrib.learn.preprocessing.VocabularyProcessor` is gone with tf.contrib, and Keras 3's "
           "TextVectorization numbers words otherwise: the fix writes TF1's class into the file (the same tokens "
           "and word ids)")


def test_each_use_is_found_and_the_import_goes_with_them():
    assert findings(PROGRAM) == [("TFM127", 5, MESSAGE), ("TFM127", 7, MESSAGE), ("TFM127", 10, MESSAGE)]
    outcome = process_text(PROGRAM, "case.py", FIX)
    text = outcome.new_text
    assert outcome.status.value == "idiomatic" and not outcome.remaining
    assert text.startswith("import numpy as np\nimport tensorflow as tf\nimport re\nimport pickle\n\n\n"
                           "class Vocabulary:\n")
    assert "learn" not in text.split("class VocabularyProcessor")[0].split("\n", 4)[4]
    assert text.endswith('\n\n\ndocs = ["The cat sat", "the cat ate the fish", "A dog", "HTTPServer runs fine", '
                         '"dog-walking isn\'t fun"]\nprocessor = VocabularyProcessor(4)\n' + PROGRAM.split(
                             "processor = learn.preprocessing.VocabularyProcessor(4)\n")[1].replace(
                             "learn.preprocessing.VocabularyProcessor", "VocabularyProcessor"))


def test_the_written_class_gives_tf1s_word_ids(tmp_path):
    path = tmp_path / "vocab"
    text = process_text(PROGRAM.replace("PATH", repr(str(path))), "case.py", FIX).new_text
    assert run_in_tensorflow("tf2", text).splitlines() == [
        # The(1) cat(2) sat(3); the(4) ate(5) fish(6); A(7) dog(8); HTTP(9) Server(10) runs(11) fine(12);
        # dog-walking(13) isn't(14) fun(15): 15 words and "<UNK>"
        "[[1, 2, 3, 0], [4, 2, 5, 4], [7, 8, 0, 0], [9, 10, 11, 12], [13, 14, 15, 0]] 16",
        # seen more than once: cat and the (2 each), alphabetically
        "[[0, 1, 0], [2, 1, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0]] 3",
        "[[4, 6, 3, 0], [0, 0, 0, 0]] ['The cat sat']",
        "6 0",
    ]


def test_a_module_used_for_more_than_the_class_stays_a_tfm107_finding():
    source = textwrap.dedent("""\
        from tensorflow.contrib import learn
        processor = learn.preprocessing.VocabularyProcessor(4)
        vocabulary = learn.preprocessing.CategoricalVocabulary()
    """)
    assert [code for code, _, _ in findings(source)] == ["TFM107", "TFM107", "TFM107"]
    assert process_text(source, "case.py", FIX).new_text == source
    # through tensorflow itself: no import to remove
    full = "import tensorflow as tf\np = tf.contrib.learn.preprocessing.VocabularyProcessor(4)\n"
    assert findings(full) == [("TFM127", 2, MESSAGE)]
    assert process_text(full, "case.py", FIX).new_text.endswith("\n\n\np = VocabularyProcessor(4)\n")
