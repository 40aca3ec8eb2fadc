"""TF1's MNIST loader written into the file, where the data sets object goes beyond what ``_mnist`` reads.

``return input_data.read_data_sets('MNIST_data/', one_hot=one_hot)`` (a data module whose callers use the
object), ``provide_data(mnist)`` (passed to a function), ``mnist.train.epochs_completed``: the program uses
the object TF1 returned, so the rewrite gives it that object. ``read_data_sets`` becomes a function of the
file, written from ``tf.keras.datasets.mnist.load_data()``, that returns the same splits with the same
arrays (flat float32 images scaled to [0, 1], or 28x28x1 ones; the first ``validation_size`` training
examples held out; labels one-hot as float64, or the digits) and the same ``next_batch``: the examples
reordered by NumPy's generator at the first batch and at each epoch, the last batch of an epoch completed
with the first examples of the next. The files are Keras's copy of MNIST (the same 70,000 images), in
``~/.keras/datasets`` instead of the directory the program names.

Only calls with the directory and ``one_hot``, ``reshape``, ``validation_size`` (``fake_data``, ``dtype``,
``seed`` and ``source_url`` have no counterpart here), in a file that uses nothing else of
``tensorflow.examples`` and imports the loader on lines of its own.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional

import libcst as cst

from tfmigrate.names import fresh_name

from . import _mnist_support, _tf, _written
from ._eager import queries

PARAMETERS = ("train_dir", "one_hot", "reshape", "validation_size")

LOADER = '''\
class {split}:
    """One split of MNIST as TF1's `input_data.read_data_sets` gave it: `images`, `labels`, `num_examples`,
    `epochs_completed` and `next_batch`."""

    def __init__(self, images, labels):
        self.images, self.labels = images, labels
        self.num_examples = len(images)
        self.epochs_completed = 0
        self._start = 0

    def next_batch(self, batch_size, shuffle=True):
        """The next `batch_size` examples, in an order NumPy draws at the first batch and at each epoch; the
        last batch of an epoch ends with the first examples of the next."""
        if shuffle and self.epochs_completed == 0 and self._start == 0:
            self._reorder()
        start, end = self._start, self._start + batch_size
        if end <= self.num_examples:
            self._start = end
            return self.images[start:end], self.labels[start:end]
        images, labels = self.images[start:], self.labels[start:]
        self.epochs_completed += 1
        if shuffle:
            self._reorder()
        self._start = end - self.num_examples
        return ({np}.concatenate([images, self.images[:self._start]]),
                {np}.concatenate([labels, self.labels[:self._start]]))

    def _reorder(self):
        order = {np}.random.permutation(self.num_examples)
        self.images, self.labels = self.images[order], self.labels[order]


class {datasets}:
    """MNIST's `train`, `validation` and `test` splits, as TF1's `input_data.read_data_sets` returned them."""

    def __init__(self, train, validation, test):
        self.train, self.validation, self.test = train, validation, test


def {loader}(train_dir=None, one_hot=False, reshape=True, validation_size=5000):
    """MNIST from `tf.keras.datasets` (Keras's copy, in ~/.keras/datasets rather than `train_dir`), as TF1's
    `input_data.read_data_sets` prepared it: float32 images scaled to [0, 1], flat (28x28x1 with
    `reshape=False`), labels one-hot (float64) with `one_hot=True`, the first `validation_size` training
    examples held out for validation."""
    (x_train, y_train), (x_test, y_test) = {tf}.keras.datasets.mnist.load_data()

    def split(images, labels):
        images = images.reshape(len(images), -1) if reshape else images.reshape(len(images), 28, 28, 1)
        labels = {np}.eye(10)[labels] if one_hot else labels
        return {split}(images.astype({np}.float32) * (1.0 / 255.0), labels)

    return {datasets}(
        split(x_train[validation_size:], y_train[validation_size:]),
        split(x_train[:validation_size], y_train[:validation_size]),
        split(x_test, y_test))
'''


@dataclass
class Shim:
    """How the file's loader is replaced."""

    calls: List[cst.Call]
    imports: List[cst.SimpleStatementLine]  # the statements that import the loader only
    tf: str  # the names the loader's code gives tensorflow and numpy
    numpy: str
    added: List[str]  # the import statements that bring those the file does not import


def read(module: cst.Module, imports, calls) -> Optional[Shim]:
    """The shim for the loader calls ``calls`` (``_mnist._Calls``), or None where the file uses more of
    tensorflow.examples, passes other arguments, or imports the loader with other names."""
    if calls.others or not calls.loaders:
        return None
    for call in calls.loaders:
        if any(arg.star for arg in call.args):
            return None
        given = _tf.by_parameter(call, ("train_dir", "fake_data", "one_hot", "dtype", "reshape", "validation_size",
                                        "seed", "source_url"))
        if any(key not in PARAMETERS for key, _ in given) or len(given) != len(call.args):
            return None
    statements = [s for s in module.body if isinstance(s, cst.SimpleStatementLine)]
    statements += list(_mnist_support.function_imports(module))
    loader_imports = []
    for statement in statements:
        names = [_mnist_support.imported_names(small) or [] for small in statement.body]
        if not any(names):
            continue
        if len(statement.body) != 1 or any(not name.startswith(_mnist_support.PACKAGE) for name in names[0]):
            return None
        loader_imports.append(statement)
    found = _written.module_names(module, (("tensorflow", _tf.tf_alias(imports), ("tf", "tensorflow")),
                                           ("numpy", _tf.alias(imports, "numpy"), ("np", "numpy"))))
    if found is None or not loader_imports:  # (`np` may be the file's own, or a `*` import's: `import numpy`)
        return None
    names, added = found
    return Shim(calls.loaders, loader_imports, names[0], names[1], added)


def rewrite(module: cst.Module, shim: Shim) -> cst.Module:
    """``module`` with its own ``read_data_sets`` (named so where the name is free) called instead of TF1's."""
    taken = set(queries.source_names(module))
    names = {base: fresh_name(taken, base) for base in ("read_data_sets", "MnistSplit", "MnistDatasets")}
    code = LOADER.format(split=names["MnistSplit"], datasets=names["MnistDatasets"], loader=names["read_data_sets"],
                         np=shim.numpy, tf=shim.tf)
    replaced = {id(call.func): cst.Name(names["read_data_sets"]) for call in shim.calls}
    return _written.write(module, code, replaced, {id(statement) for statement in shim.imports}, shim.added)
