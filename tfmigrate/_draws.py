"""The values ``verify --deterministic`` hands TensorFlow's random ops, initializers and samplers: NumPy only,
so they can be checked without TensorFlow. ``_deterministic`` patches TensorFlow to take them."""
from __future__ import annotations

import contextlib
import math

TRUNCATED_STDDEV = 0.87962566103423978  # stddev of a unit normal cut at +-2



class RandomSource:
    """Hands out one NumPy generator per random call, seeded by (seed, call number)."""

    def __init__(self, seed: int) -> None:
        self.seed = seed % 2**63  # SeedSequence wants a non-negative integer
        self.calls = 0  # the number of the next random call
        self._replay = None  # while a value is drawn again: the number of its next call
        self._traced = {}  # (traced function, its n-th random call) -> the number that call took

    def generator(self, traced=None):
        """The generator of the next random call; ``traced``, a random call of a function being traced
        (its name, the call's place in the trace), takes the number it took in an earlier trace."""
        import numpy as np

        if self._replay is not None:
            number, self._replay = self._replay, self._replay + 1
        elif traced is not None and traced in self._traced:
            number = self._traced[traced]
        else:
            number, self.calls = self.calls, self.calls + 1
            if traced is not None:
                self._traced[traced] = number
        return np.random.default_rng([self.seed, number])

    @contextlib.contextmanager
    def drawn_again(self, first):
        """Inside, random calls take the numbers from `first` on again (a value computed twice gets
        the same draws); with `first` None they count on. Yields the number of the first call."""
        if first is None:
            yield self.calls
            return
        self._replay = first
        try:
            yield first
        finally:
            self._replay = None


def draw_normal(rng, shape, mean=0.0, stddev=1.0):
    return mean + stddev * rng.standard_normal(shape)


def draw_uniform(rng, shape, minval=0.0, maxval=1.0, integer=False):
    if integer:
        return rng.integers(minval, maxval, size=shape)
    return rng.uniform(minval, maxval, size=shape)


def draw_truncated_normal(rng, shape, mean=0.0, stddev=1.0):
    """Normal values redrawn until each lies within two standard deviations, as TensorFlow does."""
    values = rng.standard_normal(shape)
    outside = abs(values) > 2.0
    while outside.any():
        values[outside] = rng.standard_normal(int(outside.sum()))
        outside = abs(values) > 2.0
    return mean + stddev * values


def compute_fans(shape, input_axes=None, output_axes=None):
    """(fan_in, fan_out) of a weight shape, by the rule TensorFlow and Keras share."""
    if input_axes is not None and output_axes is not None:
        return math.prod(shape[a] for a in input_axes), math.prod(shape[a] for a in output_axes)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive_field = math.prod(shape[:-2])
    return shape[-2] * receptive_field, shape[-1] * receptive_field


def draw_variance_scaling(rng, shape, scale=1.0, mode="fan_in", distribution="truncated_normal",
                          input_axes=None, output_axes=None):
    """Glorot, He and LeCun initial values: scale divided by the fan chosen by mode."""
    fan_in, fan_out = compute_fans(shape, input_axes, output_axes)
    fan = {"fan_in": fan_in, "fan_out": fan_out}.get(mode, (fan_in + fan_out) / 2.0)
    scale = scale / max(1.0, fan)
    if distribution in ("truncated_normal", "normal"):  # "normal" is TF1's old name for truncated
        return draw_truncated_normal(rng, shape, 0.0, math.sqrt(scale) / TRUNCATED_STDDEV)
    if distribution == "untruncated_normal":
        return draw_normal(rng, shape, 0.0, math.sqrt(scale))
    limit = math.sqrt(3.0 * scale)
    return draw_uniform(rng, shape, -limit, limit)


def draw_orthogonal(rng, shape, gain=1.0):
    """An orthogonal matrix (QR of a normal draw), reshaped to shape and scaled by gain."""
    import numpy as np

    if len(shape) < 2:
        raise ValueError(f"an orthogonal initializer needs at least 2 dimensions, got shape {list(shape)}")
    rows, cols = math.prod(shape[:-1]), shape[-1]
    q, r = np.linalg.qr(rng.standard_normal((max(rows, cols), min(rows, cols))))
    q = q * np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return gain * q.reshape(shape)


DRAWS = {
    "normal": draw_normal,
    "uniform": draw_uniform,
    "truncated_normal": draw_truncated_normal,
    "variance_scaling": draw_variance_scaling,
    "orthogonal": draw_orthogonal,
}


def sample_candidates(rng, true_classes, num_sampled: int, unique: bool, range_max: int, log_uniform: bool):
    """What TensorFlow's log-uniform (Zipfian) or uniform candidate sampler hands back, drawn from ``rng``:
    (sampled classes, expected counts of the true classes, of the sampled ones). As TensorFlow's sampler
    does: ``unique`` draws until ``num_sampled`` distinct classes, and an expected count is
    ``-expm1(tries * log1p(-p))`` after more tries than classes sampled, else ``p * num_sampled``."""
    import numpy as np

    log_range = math.log(range_max + 1)

    def probability(values):
        values = np.asarray(values, dtype=np.float64)
        if log_uniform:
            return (np.log(values + 2.0) - np.log(values + 1.0)) / log_range
        return np.full(values.shape, 1.0 / range_max)

    sampled, seen, tries = [], set(), 0
    while len(sampled) < num_sampled:
        draw = rng.uniform()
        value = int(math.exp(draw * log_range)) - 1 if log_uniform else int(draw * range_max)
        value = min(value, range_max - 1)
        tries += 1
        if unique and value in seen:
            continue
        seen.add(value)
        sampled.append(value)

    def expected(values):
        p = probability(values)
        if tries == num_sampled:
            return (p * num_sampled).astype(np.float32)
        return (-np.expm1(tries * np.log1p(-p))).astype(np.float32)

    return np.array(sampled, dtype=np.int64), expected(true_classes), expected(sampled)
