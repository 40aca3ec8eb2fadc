"""TF1's ``tf.contrib.layers.batch_norm`` (TF-Slim's ``batch_norm``), written into a file kept on tensorflow.compat.v1.

tf_slim's ``batch_norm`` fails on TensorFlow 2.21 whatever its arguments (tf-slim 1.1.0 reads
``tensorflow.python.framework.ops.Tensor``; its rank-4 path is tf-keras's legacy layer). The helper
is TF1's layer on ``tf.compat.v1`` ops and tf_slim's model variables: the same parameters in the same
order, the same variables (``scope/BatchNorm/beta``, ``gamma``, ``moving_mean``, ``moving_variance``,
in the collections TF1 put them in), the fused kernel where TF1 used it (rank 2 and 4, ``fused`` not
False: the moving variance is the kernel's unbiased one) and ``tf.nn.moments`` elsewhere, the moving
averages updated as TF1 updated them (through ``updates_collections``, or before the output when it
is None; only where ``is_training`` is true, a bool or a boolean tensor), ``activation_fn``,
``outputs_collections``, and ``arg_scope`` (the helper is decorated with tf_slim's ``add_arg_scope``,
so ``arg_scope([slim.batch_norm], ...)`` reaches it once its name there is the helper's).
Measured against tf_slim's own batch_norm on TensorFlow 2.15: ``tests/test_slim_batch_norm.py``.
"""
from __future__ import annotations

# Keywords of TF1's batch_norm the helper leaves out (renormalization, a custom adjustment): a call
# that passes one keeps its finding.
UNSUPPORTED = frozenset({"renorm", "renorm_clipping", "renorm_decay", "adjustment"})

_TEMPLATE = '''\
@{slim}.add_arg_scope
def {helper}(inputs, decay=0.999, center=True, scale=False, epsilon=0.001, activation_fn=None,
{pad}param_initializers=None, param_regularizers=None, updates_collections={tf}.GraphKeys.UPDATE_OPS,
{pad}is_training=True, reuse=None, variables_collections=None, outputs_collections=None,
{pad}trainable=True, batch_weights=None, fused=None, data_format="NHWC", zero_debias_moving_mean=False,
{pad}scope=None):
    """TF1's `tf.contrib.layers.batch_norm` (TF-Slim's) on tf.compat.v1 ops and tf_slim's model variables
    (`scope/beta`, `gamma`, `moving_mean`, `moving_variance`), its moving averages updated as TF1 updated
    them (tf_slim's batch_norm needs tensorflow.python.framework.ops.Tensor, which TensorFlow 2.21 lacks)."""
    if batch_weights is not None or zero_debias_moving_mean:
        raise ValueError("{helper}: batch_weights and zero_debias_moving_mean are not supported")
    with {tf}.variable_scope(scope, "BatchNorm", [inputs], reuse=reuse) as sc:
        inputs = {tf}.convert_to_tensor(inputs)
        shape, rank = inputs.shape, inputs.shape.ndims
        channels_first = data_format == "NCHW"
        fused = fused is not False and rank in (2, 4)
        if not fused and channels_first:
            raise ValueError("{helper}: NCHW is supported for inputs of rank 2 or 4, fused")
        x = inputs
        if rank == 2 and fused:
            x = {tf}.reshape(inputs, [-1, shape[-1], 1, 1] if channels_first else [-1, 1, 1, shape[-1]])
        params_shape = x.shape[1:2] if channels_first else x.shape[-1:]
        initializers, regularizers = param_initializers or {{}}, param_regularizers or {{}}

        def variable(name, initializer, regularizer=None, trainable=False):
            return {slim}.model_variable(
                name, shape=params_shape, dtype={tf}.float32, initializer=initializers.get(name, initializer),
                regularizer=regularizer, trainable=trainable,
                collections={slim}.layers.utils.get_variable_collections(variables_collections, name))

        zeros, ones = {tf}.zeros_initializer(), {tf}.ones_initializer()
        made = {{}}
        # TF1 made gamma first where it used the Keras layer (updates in UPDATE_OPS, rank 4 or not fused)
        for name in (("gamma", "beta") if updates_collections is {tf}.GraphKeys.UPDATE_OPS and not (
                fused and rank == 2) else ("beta", "gamma")):
            if center if name == "beta" else scale:
                made[name] = variable(name, zeros if name == "beta" else ones, regularizers.get(name), trainable)
        beta = made.get("beta", {tf}.constant(0.0, shape=params_shape))
        gamma = made.get("gamma", {tf}.constant(1.0, shape=params_shape))
        moving_mean, moving_variance = variable("moving_mean", zeros), variable("moving_variance", ones)

        def train():
            if fused:
                return {tf}.nn.fused_batch_norm(x, gamma, beta, epsilon=epsilon, data_format=data_format)
            mean, variance = {tf}.nn.moments(x, list(range(rank - 1)))
            return {tf}.nn.batch_normalization(x, mean, variance, beta, gamma, epsilon), mean, variance

        def infer():
            if fused:
                return {tf}.nn.fused_batch_norm(x, gamma, beta, moving_mean, moving_variance, epsilon,
                {pad_infer}data_format=data_format, is_training=False)
            return ({tf}.nn.batch_normalization(x, moving_mean, moving_variance, beta, gamma, epsilon),
                    moving_mean, moving_variance)

        static = (is_training if isinstance(is_training, bool)
                  else {tf}.get_static_value({tf}.convert_to_tensor(is_training)))
        outputs, mean, variance = {tf}.cond(is_training, train, infer) if static is None else (
            train() if static else infer())
        if static is None or static:
            def update():
                return tuple({tf}.assign_sub(average, (average - value) * (1.0 - decay))
                             for average, value in ((moving_mean, mean), (moving_variance, variance)))

            if updates_collections is None:
                plain = outputs

                def updated():
                    with {tf}.control_dependencies(update()):
                        return {tf}.identity(plain)

                outputs = updated() if static else {tf}.cond(is_training, updated, lambda: plain)
            else:
                for value in update() if static else {tf}.cond(
                        is_training, update, lambda: ({tf}.identity(moving_mean), {tf}.identity(moving_variance))):
                    {tf}.add_to_collections(updates_collections, value)
        outputs.set_shape(x.shape)
        if rank == 2 and fused:
            outputs = {tf}.reshape(outputs, {tf}.shape(inputs))
            outputs.set_shape(shape)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return {slim}.layers.utils.collect_named_outputs(outputs_collections, sc.name, outputs)
'''


def code(helper: str, tf: str, slim: str) -> str:
    """The helper's definition, named ``helper``, on the file's ``tf`` (tensorflow.compat.v1) and ``slim``
    (tf_slim) aliases."""
    return _TEMPLATE.format(helper=helper, tf=tf, slim=slim, pad=" " * (len(helper) + 5),
                            pad_infer=" " * (len(tf) + 44))
