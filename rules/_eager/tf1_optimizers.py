"""TF1 optimizers whose Keras 3 counterpart computes something else: a class written into the file.

- ``tf.train.RMSPropOptimizer``: ``TF1RMSprop`` (below).
- ``tf.train.MomentumOptimizer`` with a changing learning rate (a decay): ``TF1Momentum``. TF1's
  accumulator sums the gradients (``accum = momentum * accum + gradient``) and each step moves the
  variable by the current rate times that sum; Keras's SGD folds each step's own rate into its
  velocity (``velocity = momentum * velocity - rate * gradient``). The same for a constant rate, and
  apart as soon as it changes (measured: 142% on the last of 5 steps halving the rate each step).
  Each step runs TF1's own kernel.
"""
from __future__ import annotations

from .state import Rewrite

# TF1's RMSProp is Keras's but for the mean square's start (ones; Keras: zeros, and much larger first steps)
# and for rounding: the same update (epsilon inside the square root, momentum on the scaled step, centered
# likewise), which TF1's kernel computes in another order (the mean square moved toward the squared gradient
# by 1 - rho in float32). Each step runs that kernel: a long run that amplifies differences (measured: RMSProp
# on a small tanh network, 100 steps) then ends on TF1's numbers, not 10-20% away.
_RMSPROP_STEP = '''\
class {name}({tf}.keras.optimizers.RMSprop):
    """TF1's RMSPropOptimizer: Keras's RMSprop with the mean square of the gradients starting at
    ones, as TF1's did (Keras starts it at zeros), and each step TF1's own kernel, rounded as TF1's."""

    def add_optimizer_variables(self, trainable_variables, name, initializer="zeros"):
        if name == "velocity":
            initializer = "ones"
        return super().add_optimizer_variables(trainable_variables, name, initializer)

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        if not self.momentum > 0:  # TF1's kernel keeps its step in a momentum slot
            self._momentums = self.add_optimizer_variables(var_list, "momentum")

    def update_step(self, gradient, variable, learning_rate):
        index, dtype = self._get_variable_index(variable), variable.dtype
        step = dict(var=variable.handle, ms=self._velocities[index].handle, mom=self._momentums[index].handle,
                    lr={tf}.cast(learning_rate, dtype), rho={tf}.cast(self.rho, dtype),
                    momentum={tf}.cast(self.momentum, dtype), epsilon={tf}.cast(self.epsilon, dtype),
                    grad={tf}.cast(gradient, dtype))
'''

_TF1_RMSPROP = _RMSPROP_STEP + '''\
        if self.centered:
            {tf}.raw_ops.ResourceApplyCenteredRMSProp(mg=self._average_gradients[index].handle, **step)
        else:
            {tf}.raw_ops.ResourceApplyRMSProp(**step)
'''

_MOMENTUM_CLASS = '''\
class {name}({tf}.keras.optimizers.SGD):
    """TF1's MomentumOptimizer: the accumulator sums the gradients and each step moves the variable by the
    current learning rate times that sum, TF1's own kernel (Keras's SGD folds each step's own rate into its
    velocity'''

_TF1_MOMENTUM = _MOMENTUM_CLASS + ''': the same while the rate is constant)."""

    def update_step(self, gradient, variable, learning_rate):
        dtype = variable.dtype
        {tf}.raw_ops.ResourceApplyMomentum(
            var=variable.handle, accum=self.momentums[self._get_variable_index(variable)].handle,
            lr={tf}.cast(learning_rate, dtype), grad={tf}.cast(gradient, dtype),
            momentum={tf}.cast(self.momentum, dtype), use_nesterov=self.nesterov)
'''

# A program that looks rows up (tf.nn.embedding_lookup, tf.gather): the gradient of the table comes as
# IndexedSlices, and TF1 applied it with the sparse kernel: the looked-up rows' repeats summed, and only those
# rows, their accumulator and mean square, moved (the dense kernel on the gradient made dense moves every row's
# momentum: 10% apart after two steps, up to 46% in a skip-gram's embeddings).
_SUMMED_ROWS = '''\
            rows, positions = {tf}.unique(gradient.indices)
            values = {tf}.math.unsorted_segment_sum(gradient.values, positions, {tf}.shape(rows)[0])
'''

_TF1_RMSPROP_SPARSE = _RMSPROP_STEP + '''\
        apply = "ResourceApplyCenteredRMSProp" if self.centered else "ResourceApplyRMSProp"
        if self.centered:
            step["mg"] = self._average_gradients[index].handle
        if isinstance(gradient, {tf}.IndexedSlices):  # looked-up rows: only they move, their repeats summed
''' + _SUMMED_ROWS + '''\
            step.update(grad={tf}.cast(values, dtype), indices=rows)
            apply = apply.replace("Resource", "ResourceSparse")
        getattr({tf}.raw_ops, apply)(**step)
'''

_TF1_MOMENTUM_SPARSE = _MOMENTUM_CLASS + '''\
); looked-up rows, TF1's sparse kernel: only they move, their repeats summed."""

    def update_step(self, gradient, variable, learning_rate):
        dtype = variable.dtype
        step = dict(var=variable.handle, accum=self.momentums[self._get_variable_index(variable)].handle,
                    lr={tf}.cast(learning_rate, dtype), momentum={tf}.cast(self.momentum, dtype),
                    use_nesterov=self.nesterov)
        if isinstance(gradient, {tf}.IndexedSlices):
''' + _SUMMED_ROWS + '''\
            {tf}.raw_ops.ResourceSparseApplyMomentum(grad={tf}.cast(values, dtype), indices=rows, **step)
        else:
            {tf}.raw_ops.ResourceApplyMomentum(grad={tf}.cast(gradient, dtype), **step)
'''

_CLASSES = {"rmsprop": ("TF1RMSprop", _TF1_RMSPROP), "momentum": ("TF1Momentum", _TF1_MOMENTUM),
            "rmsprop_sparse": ("TF1RMSprop", _TF1_RMSPROP_SPARSE),
            "momentum_sparse": ("TF1Momentum", _TF1_MOMENTUM_SPARSE)}


def written(s: Rewrite, kind: str) -> str:
    """The name of the class of ``kind`` written into the file: before the statement that first uses it (the
    graph-to-eager rewrite), or where the Estimator rewrite places its ``helpers_out``."""
    return s.helper(kind, *_CLASSES[kind])
