"""``tf.layers.dense`` / ``conv2d`` / ``conv2d_transpose`` / ``separable_conv2d`` / ``dropout`` /
``batch_normalization`` in a program kept on ``tensorflow.compat.v1``: TF1's layers, written in.

TensorFlow 2.21's ``tf.compat.v1.layers`` needs tf-keras. Keras 3's layers, called on graph
tensors, run but draw their initial values their own way and do not see variable scopes
(``reuse``, ``AUTO_REUSE``, a scope's ``initializer``). These helpers, written into the file, are
TF1's functional layers on ``tf.compat.v1`` variables: the same parameters, the same variables
(``scope/dense/kernel``, ``scope/dense/bias``, made with ``tf.get_variable`` under
``variable_scope(name, default_name="dense")`` as TF1's layer made them, so shared and initialised
by scopes as they were, drawn from the same seeds, and restored from TF1 checkpoints), the same ops.
``dropout``'s helper is TF1's layer on ``tf.nn.dropout``: it takes a boolean tensor for ``training``
(a Keras 3 layer wants a Python bool) and adds no variable (Keras 3's ``Dropout`` adds its seed
generator's state, which a TF1 checkpoint lacks). ``batch_normalization``'s takes one too: where
``training`` is true it normalises by the batch (TF1's fused kernel on rank 4, ``tf.nn.moments``
elsewhere) and puts the moving averages' updates in ``UPDATE_OPS``, which the program runs as it ran
TF1's (Keras 3's layer, called on graph tensors, puts them nowhere: the moving averages would stay
at their initial values).
"""
from __future__ import annotations

from typing import Callable, Dict, List, Optional, Set, Tuple

import libcst as cst

from tfmigrate.names import fresh_name

from . import _tf

# TF1 function -> (the helper's base name, its parameters after `inputs` in TF1's order, its code).
HELPERS: Dict[str, Tuple[str, Tuple[str, ...], str]] = {
    "layers.dense": ("layers_dense", (
        "units", "activation", "use_bias", "kernel_initializer", "bias_initializer", "kernel_regularizer",
        "bias_regularizer", "trainable", "name", "reuse"), '''\
def {helper}(inputs, units, activation=None, use_bias=True, kernel_initializer=None,
{pad}bias_initializer={tf}.zeros_initializer(), kernel_regularizer=None, bias_regularizer=None,
{pad}trainable=True, name=None, reuse=None):
    """TF1's `tf.layers.dense` on tf.compat.v1 variables (`name/kernel`, `name/bias`), shared through
    variable scopes as TF1's layer shared them (TensorFlow 2.21's tf.compat.v1.layers needs Keras 2)."""
    scope = {tf}.variable_scope(name or "dense", reuse=reuse) if reuse else {tf}.variable_scope(
        name, default_name="dense")
    with scope:
        # a Keras 3 regularizer reads a tensor: TF1's reference variable, read first
        kernel_regularizer, bias_regularizer = [
            r and (lambda w, r=r: r({tf}.identity(w))) for r in (kernel_regularizer, bias_regularizer)]
        inputs = {tf}.convert_to_tensor(inputs)
        kernel = {tf}.get_variable("kernel", [inputs.shape[-1], units], inputs.dtype.base_dtype,
                                 kernel_initializer, kernel_regularizer, trainable)
        if inputs.shape.ndims == 2:
            outputs = {tf}.matmul(inputs, kernel)
        else:
            outputs = {tf}.tensordot(inputs, kernel, [[inputs.shape.ndims - 1], [0]])
        if use_bias:
            bias = {tf}.get_variable("bias", [units], inputs.dtype.base_dtype, bias_initializer,
                                   bias_regularizer, trainable)
            outputs = {tf}.nn.bias_add(outputs, bias)
        return activation(outputs) if activation is not None else outputs
'''),
    "layers.conv2d": ("layers_conv2d", (
        "filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "activation", "use_bias",
        "kernel_initializer", "bias_initializer", "kernel_regularizer", "bias_regularizer", "trainable", "name",
        "reuse"), '''\
def {helper}(inputs, filters, kernel_size, strides=(1, 1), padding="valid", data_format="channels_last",
{pad}dilation_rate=(1, 1), activation=None, use_bias=True, kernel_initializer=None,
{pad}bias_initializer={tf}.zeros_initializer(), kernel_regularizer=None, bias_regularizer=None,
{pad}trainable=True, name=None, reuse=None):
    """TF1's `tf.layers.conv2d` on tf.compat.v1 variables (`name/kernel`, `name/bias`), shared through
    variable scopes as TF1's layer shared them (TensorFlow 2.21's tf.compat.v1.layers needs Keras 2).
    Channels last, as every call of it in this file."""
    pair = lambda value: tuple(value) if isinstance(value, (list, tuple)) else (value, value)
    scope = {tf}.variable_scope(name or "conv2d", reuse=reuse) if reuse else {tf}.variable_scope(
        name, default_name="conv2d")
    with scope:
        # a Keras 3 regularizer reads a tensor: TF1's reference variable, read first
        kernel_regularizer, bias_regularizer = [
            r and (lambda w, r=r: r({tf}.identity(w))) for r in (kernel_regularizer, bias_regularizer)]
        inputs = {tf}.convert_to_tensor(inputs)
        kernel = {tf}.get_variable("kernel", [*pair(kernel_size), inputs.shape[-1], filters],
                                 inputs.dtype.base_dtype, kernel_initializer, kernel_regularizer, trainable)
        outputs = {tf}.nn.conv2d(inputs, kernel, [1, *pair(strides), 1], padding.upper(),
                               dilations=[1, *pair(dilation_rate), 1])
        if use_bias:
            bias = {tf}.get_variable("bias", [filters], inputs.dtype.base_dtype, bias_initializer,
                                   bias_regularizer, trainable)
            outputs = {tf}.nn.bias_add(outputs, bias)
        return activation(outputs) if activation is not None else outputs
'''),
    "layers.conv2d_transpose": ("layers_conv2d_transpose", (
        "filters", "kernel_size", "strides", "padding", "data_format", "activation", "use_bias",
        "kernel_initializer", "bias_initializer", "kernel_regularizer", "bias_regularizer", "trainable", "name",
        "reuse"), '''\
def {helper}(inputs, filters, kernel_size, strides=(1, 1), padding="valid", data_format="channels_last",
{pad}activation=None, use_bias=True, kernel_initializer=None, bias_initializer={tf}.zeros_initializer(),
{pad}kernel_regularizer=None, bias_regularizer=None, trainable=True, name=None, reuse=None):
    """TF1's `tf.layers.conv2d_transpose` on tf.compat.v1 variables (`name/kernel`, `name/bias`), shared
    through variable scopes as TF1's layer shared them (TensorFlow 2.21's tf.compat.v1.layers needs Keras 2).
    Channels last, as every call of it in this file."""
    pair = lambda value: tuple(value) if isinstance(value, (list, tuple)) else (value, value)
    scope = {tf}.variable_scope(name or "conv2d_transpose", reuse=reuse) if reuse else {tf}.variable_scope(
        name, default_name="conv2d_transpose")
    with scope:
        # a Keras 3 regularizer reads a tensor: TF1's reference variable, read first
        kernel_regularizer, bias_regularizer = [
            r and (lambda w, r=r: r({tf}.identity(w))) for r in (kernel_regularizer, bias_regularizer)]
        inputs = {tf}.convert_to_tensor(inputs)
        (kernel_height, kernel_width), (stride_height, stride_width) = pair(kernel_size), pair(strides)
        kernel = {tf}.get_variable("kernel", [kernel_height, kernel_width, filters, inputs.shape[-1]],
                                 inputs.dtype.base_dtype, kernel_initializer, kernel_regularizer, trainable)

        def length(size, kernel_size, stride):  # TF1's deconv_output_length
            return size * stride + (max(kernel_size - stride, 0) if padding.lower() == "valid" else 0)

        batch, height, width = {tf}.unstack({tf}.shape(inputs)[:3])
        outputs = {tf}.nn.conv2d_transpose(
            inputs, kernel, {tf}.stack([batch, length(height, kernel_height, stride_height),
                                      length(width, kernel_width, stride_width), filters]),
            [1, stride_height, stride_width, 1], padding.upper())
        static = inputs.shape.as_list()
        outputs.set_shape([static[0]] + [None if size is None else length(size, k, s) for size, k, s in (
            (static[1], kernel_height, stride_height), (static[2], kernel_width, stride_width))] + [filters])
        if use_bias:
            bias = {tf}.get_variable("bias", [filters], inputs.dtype.base_dtype, bias_initializer,
                                   bias_regularizer, trainable)
            outputs = {tf}.nn.bias_add(outputs, bias)
        return activation(outputs) if activation is not None else outputs
'''),
    "layers.separable_conv2d": ("layers_separable_conv2d", (
        "filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "depth_multiplier",
        "activation", "use_bias", "depthwise_initializer", "pointwise_initializer", "bias_initializer",
        "depthwise_regularizer", "pointwise_regularizer", "bias_regularizer", "trainable", "name", "reuse"), '''\
def {helper}(inputs, filters, kernel_size, strides=(1, 1), padding="valid", data_format="channels_last",
{pad}dilation_rate=(1, 1), depth_multiplier=1, activation=None, use_bias=True, depthwise_initializer=None,
{pad}pointwise_initializer=None, bias_initializer={tf}.zeros_initializer(), depthwise_regularizer=None,
{pad}pointwise_regularizer=None, bias_regularizer=None, trainable=True, name=None, reuse=None):
    """TF1's `tf.layers.separable_conv2d` on tf.compat.v1 variables (`name/depthwise_kernel`,
    `pointwise_kernel`, `bias`), shared through variable scopes as TF1's layer shared them (TensorFlow
    2.21's tf.compat.v1.layers needs Keras 2). Channels last, as every call of it in this file."""
    pair = lambda value: tuple(value) if isinstance(value, (list, tuple)) else (value, value)
    scope = {tf}.variable_scope(name or "separable_conv2d", reuse=reuse) if reuse else {tf}.variable_scope(
        name, default_name="separable_conv2d")
    with scope:
        # a Keras 3 regularizer reads a tensor: TF1's reference variable, read first
        depthwise_regularizer, pointwise_regularizer, bias_regularizer = [
            r and (lambda w, r=r: r({tf}.identity(w)))
            for r in (depthwise_regularizer, pointwise_regularizer, bias_regularizer)]
        inputs = {tf}.convert_to_tensor(inputs)
        channels, dtype = inputs.shape[-1], inputs.dtype.base_dtype
        depthwise = {tf}.get_variable("depthwise_kernel", [*pair(kernel_size), channels, depth_multiplier], dtype,
                                    depthwise_initializer, depthwise_regularizer, trainable)
        pointwise = {tf}.get_variable("pointwise_kernel", [1, 1, channels * depth_multiplier, filters], dtype,
                                    pointwise_initializer, pointwise_regularizer, trainable)
        outputs = {tf}.nn.separable_conv2d(inputs, depthwise, pointwise, [1, *pair(strides), 1], padding.upper(),
                                         rate=pair(dilation_rate))
        if use_bias:
            bias = {tf}.get_variable("bias", [filters], dtype, bias_initializer, bias_regularizer, trainable)
            outputs = {tf}.nn.bias_add(outputs, bias)
        return activation(outputs) if activation is not None else outputs
'''),
    "layers.dropout": ("layers_dropout", ("rate", "noise_shape", "seed", "training", "name"), '''\
def {helper}(inputs, rate=0.5, noise_shape=None, seed=None, training=False, name=None):
    """TF1's `tf.layers.dropout` on tf.compat.v1 ops: inputs dropped only when `training` (a bool or a
    boolean tensor) is true, as TF1's layer dropped them (TensorFlow 2.21's tf.compat.v1.layers needs
    Keras 2)."""
    with {tf}.name_scope(name or "dropout"):
        inputs = {tf}.convert_to_tensor(inputs)

        def drop():
            shape = noise_shape  # read only where inputs are dropped; a None dimension is the input's
            if shape is not None:
                shape = [{tf}.shape(inputs)[i] if size is None else size for i, size in enumerate(shape)]
            return {tf}.nn.dropout(inputs, noise_shape=shape, seed=seed, rate=rate)

        static = training if isinstance(training, bool) else {tf}.get_static_value(training)
        if static is None:
            return {tf}.cond(training, drop, lambda: {tf}.identity(inputs))
        return drop() if static else {tf}.identity(inputs)
'''),
    "layers.batch_normalization": ("layers_batch_normalization", (
        "axis", "momentum", "epsilon", "center", "scale", "beta_initializer", "gamma_initializer",
        "moving_mean_initializer", "moving_variance_initializer", "beta_regularizer", "gamma_regularizer",
        "beta_constraint", "gamma_constraint", "training", "trainable", "name", "reuse", "fused"), '''\
def {helper}(inputs, axis=-1, momentum=0.99, epsilon=0.001, center=True, scale=True,
{pad}beta_initializer={tf}.zeros_initializer(), gamma_initializer={tf}.ones_initializer(),
{pad}moving_mean_initializer={tf}.zeros_initializer(), moving_variance_initializer={tf}.ones_initializer(),
{pad}beta_regularizer=None, gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
{pad}training=False, trainable=True, name=None, reuse=None, fused=None):
    """TF1's `tf.layers.batch_normalization` on tf.compat.v1 variables (`name/gamma`, `beta`, `moving_mean`,
    `moving_variance`), shared through variable scopes as TF1's layer shared them; where `training` (a bool
    or a boolean tensor) is true, it normalises by the batch and puts the moving averages' updates in
    UPDATE_OPS, as TF1's layer did (TensorFlow 2.21's tf.compat.v1.layers needs Keras 2)."""
    scope = {tf}.variable_scope(name or "batch_normalization", reuse=reuse) if reuse else {tf}.variable_scope(
        name, default_name="batch_normalization")
    with scope:
        # a Keras 3 regularizer reads a tensor: TF1's reference variable, read first
        beta_regularizer, gamma_regularizer = [
            r and (lambda w, r=r: r({tf}.identity(w))) for r in (beta_regularizer, gamma_regularizer)]
        inputs = {tf}.convert_to_tensor(inputs)
        rank, dtype = inputs.shape.ndims, inputs.dtype.base_dtype
        dtype = {tf}.float32 if dtype in ({tf}.float16, {tf}.bfloat16) else dtype
        axis = axis % rank
        fused = fused is not False and rank == 4 and axis in (1, 3)  # TF1's fused kernel, where it used it
        shape = [inputs.shape[axis]]
        gamma = {tf}.get_variable("gamma", shape, dtype, gamma_initializer, gamma_regularizer, trainable,
                                constraint=gamma_constraint) if scale else None
        beta = {tf}.get_variable("beta", shape, dtype, beta_initializer, beta_regularizer, trainable,
                               constraint=beta_constraint) if center else None
        moving_mean = {tf}.get_variable("moving_mean", shape, dtype, moving_mean_initializer, trainable=False)
        moving_variance = {tf}.get_variable("moving_variance", shape, dtype, moving_variance_initializer,
                                          trainable=False)
        broadcast = [inputs.shape[i] if i == axis else 1 for i in range(rank)]

        def normalized(mean, variance):
            if fused:
                return {tf}.nn.fused_batch_norm(
                    inputs, {tf}.ones(shape, dtype) if gamma is None else gamma,
                    {tf}.zeros(shape, dtype) if beta is None else beta, mean, variance, epsilon,
                    "NCHW" if axis == 1 else "NHWC", is_training=mean is None)
            if mean is None:
                mean, variance = {tf}.nn.moments(inputs, [i for i in range(rank) if i != axis])
            shaped = [v if v is None or axis == rank - 1 else {tf}.reshape(v, broadcast)
                      for v in (mean, variance, beta, gamma)]
            return ({tf}.nn.batch_normalization(inputs, *shaped, epsilon), mean, variance)

        static = training if isinstance(training, bool) else {tf}.get_static_value({tf}.convert_to_tensor(training))
        train, infer = lambda: normalized(None, None), lambda: normalized(moving_mean, moving_variance)
        outputs, mean, variance = {tf}.cond(training, train, infer) if static is None else (
            train() if static else infer())
        if static is None or static:
            def update():
                return tuple({tf}.assign_sub(average, (average - value) * (1.0 - momentum))
                             for average, value in ((moving_mean, mean), (moving_variance, variance)))

            for value in update() if static else {tf}.cond(
                    training, update, lambda: ({tf}.identity(moving_mean), {tf}.identity(moving_variance))):
                {tf}.add_to_collection({tf}.GraphKeys.UPDATE_OPS, value)
        return outputs
'''),
}


def written_in(module: cst.Module, codes: List[str]) -> cst.Module:
    """``module`` with the functions ``codes`` after its imports (and ``tf.disable_v2_behavior()``), two
    blank lines around each."""
    if not codes:
        return module
    body = list(module.body)
    at = _tf.last_import(body) + 1
    while at < len(body) and _switch(body[at]):
        at += 1
    config = module.config_for_parsing
    functions = [cst.parse_statement(code.replace("\n", module.default_newline), config=config).with_changes(
        leading_lines=[cst.EmptyLine(), cst.EmptyLine()]) for code in codes]
    if at < len(body):
        body[at] = body[at].with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine(), *[
            line for line in body[at].leading_lines if line.comment is not None]])
    body[at:at] = functions
    return module.with_changes(body=body)


def _switch(statement) -> bool:
    """Is ``statement`` ``tf.disable_v2_behavior()`` (or ``disable_eager_execution()``)?"""
    return (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1
            and isinstance(statement.body[0], cst.Expr) and isinstance(statement.body[0].value, cst.Call)
            and isinstance(statement.body[0].value.func, cst.Attribute)
            and statement.body[0].value.func.attr.value in ("disable_v2_behavior", "disable_eager_execution"))


def _layer_of(stmt) -> Optional[str]:
    """The TF1 layer (``layers.dense``) a helper a fix wrote into the file stands for, as its docstring says;
    None for another statement."""
    if isinstance(stmt, cst.FunctionDef) and stmt.body.body:
        first = stmt.body.body[0]
        if (isinstance(first, cst.SimpleStatementLine) and isinstance(first.body[0], cst.Expr)
                and isinstance(first.body[0].value, cst.SimpleString)
                and first.body[0].value.value.startswith('"""TF1\'s `tf.layers.')
                and "tf.compat.v1.layers needs" in first.body[0].value.value):
            doc = first.body[0].value.value
            return doc[doc.index("`tf.") + 4:doc.index("`", doc.index("`tf.") + 1)]
    return None


def written(module: cst.Module) -> Optional[Tuple[cst.FunctionDef, str]]:
    """(a helper of this module that a fix wrote into ``module``, as its docstring says, the reason the
    file stays on tensorflow.compat.v1), or None."""
    for stmt in module.body:
        if _layer_of(stmt) is not None:
            return stmt, (f"{stmt.name.value} is a TF1 layer a fix wrote into the file (it runs on "
                          "tensorflow.compat.v1)")
    return None


def unwritten(module: cst.Module, alias: str) -> Optional[cst.Module]:
    """``module`` as it was before a fix wrote TF1's layers into it: the helpers gone, their calls the TF1
    layers they stand for on the TensorFlow alias ``alias`` (``layers_dense(x, 3)`` ->
    ``tf.layers.dense(x, 3)``); None when it has no helper."""
    layers = {stmt.name.value: _layer_of(stmt) for stmt in module.body if isinstance(stmt, cst.FunctionDef)}
    names = {name: layer for name, layer in layers.items() if layer is not None}
    if not names:
        return None

    class _Calls(cst.CSTTransformer):
        def leave_Call(self, original, updated):
            if isinstance(updated.func, cst.Name) and updated.func.value in names:
                return updated.with_changes(func=cst.parse_expression(f"{alias}.{names[updated.func.value]}"))
            return updated

    body = [stmt for stmt in module.body if not (isinstance(stmt, cst.FunctionDef) and stmt.name.value in names)]
    return module.with_changes(body=body).visit(_Calls())


def left_reason(module: cst.Module, imports, moved, helper: Tuple[cst.FunctionDef, str]) -> str:
    """Why a file the fix kept on tensorflow.compat.v1 (writing TF1's layers into it) stays there: what stops
    the graph-to-eager rewrite of the file as it was (the helper's own reason when nothing does)."""
    from . import _eager

    alias = next((local for local, full in sorted(imports.aliases.items()) if full == "tensorflow.compat.v1"), None)
    before = unwritten(module, alias) if alias else None
    if before is None:
        return helper[1]
    try:
        _eager.to_eager(before, imports, None, moved)
    except _eager.Unsupported as problem:
        # (a Keras layer called where it is built: the fallback writes TF1's pooling and flatten so)
        return helper[1] if problem.reason.startswith(_eager.program.INLINE_KERAS) else problem.reason
    except Exception:  # the rewrite of a module no file holds: the helper's reason stands
        return helper[1]
    return helper[1]


class Helpers:
    """The helpers one file needs, and their names there."""

    def __init__(self, names: Callable[[], Set[str]]) -> None:
        self.names_of_file = names  # every name the file uses, asked for when a helper is first named
        self.taken: Optional[Set[str]] = None
        self.names: Dict[str, str] = {}  # TF1 function -> the helper's name in the file
        self.alias = ""

    def call(self, call: cst.Call, name: str, alias: str) -> Optional[cst.Call]:
        """``tf.layers.dense(x, 3, name="z")`` -> ``layers_dense(x, 3, name="z")``: the same arguments;
        None for one the helper does not take (``**kwargs``, constraints, ``activity_regularizer``)."""
        params = ("inputs", *HELPERS[name][1])
        positional = [a for a in call.args if a.keyword is None]
        if any(a.star for a in call.args) or len(positional) > len(params) or any(
                a.keyword is not None and a.keyword.value not in params for a in call.args):
            return None
        if self.alias and alias != self.alias:
            return None
        for index, arg in enumerate(call.args):
            key = arg.keyword.value if arg.keyword is not None else params[index]
            if key == "data_format" and not (isinstance(arg.value, cst.SimpleString)
                                             and arg.value.evaluated_value == "channels_last"):
                return None
        self.alias = alias
        if name not in self.names:
            if self.taken is None:
                self.taken = set(self.names_of_file())
            self.names[name] = fresh_name(self.taken, HELPERS[name][0])
        return call.with_changes(func=cst.Name(self.names[name]))

    def code(self) -> List[str]:
        """The helpers' definitions, in a fixed order."""
        out = []
        for name, (_, _, template) in HELPERS.items():
            helper = self.names.get(name)
            if helper is not None:
                out.append(template.format(helper=helper, tf=self.alias, pad=" " * (len(helper) + 5)))
        return out
