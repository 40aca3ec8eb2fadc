"""`input_data.read_data_sets(...)`: the MNIST loader of TF1's tutorials (see ``_mnist``)."""
from __future__ import annotations

from typing import Optional

import libcst as cst

from tfmigrate.ftypes import Applicability, Status
from tfmigrate.rule import Context, Invalid, ProgramFix, Rule

from . import _compat, _mnist


def rewritten(context: Context) -> bool:
    """Does `fix --unsafe-fixes` load this file's MNIST from tf.keras.datasets? Wherever the rest of the
    program ends up: eager code batches with tf.data, code on tensorflow.compat.v1 graphs with NumPy."""
    plan = _mnist.analyse(context)
    return plan is not None and plan.fixable


def _rewrite(module: cst.Module, context: Context) -> Optional[cst.Module]:
    plan = _mnist.analyse(context)
    if plan is None or not plan.fixable:
        return None
    return _mnist.rewrite(module, plan, graph=_compat.is_compat_mode(module, context.imports))


# After the graph-to-eager rewrite, which moves the loops that read the batches.
MNIST_FIX = ProgramFix("MNIST from tf.keras.datasets", Applicability.UNSAFE, _rewrite, order=1)


class MnistInputData(Rule):
    """`input_data.read_data_sets(...)`: the MNIST loader of TF1's tutorials.

    What it finds: `mnist = input_data.read_data_sets(dir, one_hot=...)` from
    `tensorflow.examples.tutorials.mnist`, which TensorFlow 2 does not have
    (the import fails), in a program that reads it as `mnist.<split>.images`,
    `.labels`, `.num_examples` and `.next_batch(n)` (split: train, validation,
    test).

    Fix (unsafe): the arrays come from `tf.keras.datasets.mnist.load_data()`,
    prepared as `read_data_sets` did: flat float32 images scaled to [0, 1]
    (28x28x1 with `reshape=False`), the first `validation_size` (5,000)
    training images held out for validation, one-hot labels with
    `one_hot=True` (float64, as TF1's). `split.next_batch(n)` becomes
    `next(split_batches)`, a `tf.data` pipeline started just before the
    statement that first reads it (inside the `with` blocks around that
    statement where the batch size is set there, as in `with tf.Session() as
    sess:`; a size read from `args = parser.parse_args()` is known at module
    level, a flag's value only where `main` runs), which reshuffles every epoch and lets a
    batch run across two epochs as TF1's did; `split.num_examples` is
    `len(x_split)`; a field the program gives a split (`data.test.cls =
    np.argmax(data.test.labels, axis=1)`, assigned before any read) becomes
    a name of its own (`cls_test`). In code that stays on `tensorflow.compat.v1` (its own
    import, or the graph rewrite's fallback), where tf.data has no Python
    iterators, the batches come from a generator function written into the
    file that does what TF1's `next_batch` did with NumPy. The data is
    Keras's copy of MNIST (the same 70,000
    images), downloaded to `~/.keras/datasets` instead of the named folder,
    and shuffled by TensorFlow's generator (seeded by `tf.random.set_seed`)
    rather than NumPy's: the same data in another order.

    Where the program uses the object TF1 returned in other ways (returned
    or passed to a function, `epochs_completed`, a field read before it is
    assigned, one split read with two batch sizes, a batch size not known
    before the loop that reads it), the fix writes a `read_data_sets` of its
    own into the file instead (a class for the splits with TF1's
    `next_batch`, NumPy's generator reordering the examples at each epoch),
    called where TF1's was.

    Known limits: `fake_data`, `seed`, `dtype` or `source_url` arguments, an
    import of the loader that brings other names too, other names of
    `tensorflow.examples`: the names are then TFM107 findings, which say why,
    and the file is left as it is.
    """

    code = "TFM086"
    name = "mnist-input-data"
    fix_applicability = Applicability.UNSAFE
    program_fix = MNIST_FIX
    unfixed_status = Status.MANUAL
    VALID = ["import tensorflow as tf\n(x, y), _ = tf.keras.datasets.mnist.load_data()\n"]
    INVALID = [Invalid(
        "import tensorflow as tf\nfrom tensorflow.examples.tutorials.mnist import input_data\n"
        "mnist = input_data.read_data_sets('MNIST_data/', one_hot=True)\n"
        "print(mnist.train.num_examples, mnist.test.images.shape)\n")]

    def visit_Module(self, node: cst.Module) -> None:
        if not rewritten(self.context):
            return
        plan = _mnist.analyse(self.context)
        if plan.problem is None:
            self.report(plan.call, "`tensorflow.examples.tutorials.mnist` is not part of TensorFlow 2: load MNIST "
                                   "with `tf.keras.datasets.mnist.load_data()` and batch it with tf.data")
        else:  # the program uses the object TF1 returned (plan.problem says how)
            self.report(plan.call, "`tensorflow.examples.tutorials.mnist` is not part of TensorFlow 2: the fix "
                                   "writes its `read_data_sets` into the file, loading `tf.keras.datasets.mnist`")
