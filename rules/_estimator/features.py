"""Feature columns as Keras 3 preprocessing layers, with TF1's semantics.

TF1's input layer (``tf.feature_column.input_layer``, the canned estimators) orders
its columns by name and concatenates their dense values; a linear model weighs each
column's values and sums them, which is one zero-initialised Dense layer over the
same concatenation. Each column becomes the Keras 3 layers that compute its value:

- ``numeric_column(key)``: the feature as float32, one value per example (its
  ``normalizer_fn``, a lambda or a function of the file, applied to it);
- ``bucketized_column(numeric, boundaries)``: ``Discretization`` one-hot (the same
  ``Bucketize`` op: bucket i holds ``boundaries[i-1] <= x < boundaries[i]``; a numeric
  column with a shape: each value's buckets, value after value);
- ``categorical_column_with_vocabulary_list``: ``StringLookup`` / ``IntegerLookup``
  counts without the first slot (Keras' index for values out of the vocabulary,
  which TF1's ``default_value=-1`` ignored); with ``num_oov_buckets`` (strings: n,
  integers: 1), Keras' slots move after the vocabulary, where TF1 put its buckets
  (the same hash of a value picks its bucket, and the values TF1 ignored, ``""``
  and ``-1``, are Keras' mask);
- ``categorical_column_with_identity``: ``CategoryEncoding`` counts (the ``-1`` ids TF1
  ignored in a first slot, dropped; above ``DENSE_IDS`` ids, its embedding reads them);
- ``categorical_column_with_hash_bucket``: ``Hashing`` counts (the same FarmHash
  fingerprint as TF1's ``to_hash_bucket_fast``, of an integer's digits too; ``""`` or
  ``-1``, which TF1 ignored, Keras' mask in a first slot, dropped);
- ``crossed_column(keys, n)`` of raw features and buckets: ``HashedCrossing`` (the
  same ``sparse_cross_hashed``, in the order written);
- ``indicator_column(c)``: c's counts; ``embedding_column(c, dimension)``: a bias-free
  Dense layer over c's counts (a value TF1 ignored embeds to zeros, as in TF1), or an
  ``Embedding`` of the ids of a bucketized column or of an identity or hash bucket column
  of more than ``DENSE_IDS`` ids; initialised as TF1 did (truncated normal, standard
  deviation 1/sqrt(dimension)), combined as TF1 did (``mean`` by default, ``sum``,
  ``sqrtn``: ``combiners``).

A categorical feature may hold several values per example (a bag of words: shape
(batch, n)), as TF1 read it: a ``Reshape((-1,))`` layer makes each feature a row of
values per example (TF1 read one value as a row of one), which the lookups count.
TF1 ignored ``""`` and ``-1`` in such a row (padding); so do the rewrites, but for the
embedding of an identity or hash bucket column of more than ``DENSE_IDS`` ids (``-1`` read
as the last id, ``""`` hashed). Weighted, sequence and shared-embedding columns,
vocabulary files and crosses of other categorical columns are not mapped.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterable, List, Optional, Tuple

import libcst as cst

from .. import _vocab
from .._eager import queries, tensors
from .._eager.state import Unsupported
from . import column_lists, combiners, computed_keys, numeric, vocab
from .program import Facts, arguments

NUMERIC_DTYPES = {"float32", "float64", "int32", "int64", "float16"}  # the input layer casts them to float32
PARAMETERS = {
    "numeric_column": computed_keys.NUMERIC,
    "bucketized_column": ("source_column", "boundaries"),
    "categorical_column_with_vocabulary_list": ("key", "vocabulary_list", "dtype", "default_value", "num_oov_buckets"),
    "categorical_column_with_vocabulary_file": ("key", "vocabulary_file", "vocabulary_size", "num_oov_buckets",
                                                "default_value", "dtype"),
    "categorical_column_with_identity": ("key", "num_buckets", "default_value"),
    "categorical_column_with_hash_bucket": ("key", "hash_bucket_size", "dtype"),
    "indicator_column": ("categorical_column",),
    "embedding_column": ("categorical_column", "dimension", "combiner", "initializer", "ckpt_to_load_from",
                         "tensor_name_in_ckpt", "max_norm", "trainable"),
    "crossed_column": ("keys", "hash_bucket_size", "hash_key"),
}


def identifier(base: str) -> str:
    """A feature key as an attribute name (``petal-width`` -> ``petal_width``)."""
    base = "".join(c if c.isalnum() or c == "_" else "_" for c in base).strip("_") or "feature"
    return f"{base}_" if base[0].isdigit() or base in vocab.MODEL_ATTRIBUTES else base


VOCABULARY_NOTE = "  # [:, 1:] drops Keras' slot for values out of the vocabulary, which TF1 ignored"
BUCKET_NOTE = "  # roll: Keras' slot for values out of the vocabulary goes last, where TF1 put its bucket"
HASH_NOTE = "  # [:, 1:] drops the slot of {}, which TF1 ignored (the same buckets: hash % (num_bins - 1) + 1)"
IDS_NOTE = "  # + 1 and [:, 1:]: the -1 ids TF1 ignored counted in a first slot, dropped"
DENSE_IDS = 100_000  # an identity column up to this many ids: counts (an embedding: a Dense layer over them)
BUCKETS_NOTE = "  # roll: Keras' slots for values out of the vocabulary go last, where TF1 put its buckets"
ROWS_NOTE = "  # a feature as TF1 read it: a row of values per example"


@dataclass
class Column:
    """One feature column: its TF1 name, what it computes and the layers that compute it."""

    name: str  # TF1's column name: the input layer's order, the variables' scope
    kind: str  # "numeric", "categorical" (ids only: linear models) or "dense" (one-hot or embedded)
    width: int  # the width of its dense value
    value: str  # the code of its dense float32 value
    ids: Optional[str] = None  # a categorical column: the code of its ids (embeddings read them)
    rows: bool = False  # its ids are a row per example (an embedding combines them)
    vocabulary: bool = False  # its value is a vocabulary's one-hot (values out of it have no slot)
    bucket: int = 0  # its value is a vocabulary's counts with TF1's buckets for values out of it (how many)
    note: str = ""  # the comment its value's line takes (else the vocabulary's or the buckets')
    layers: List[Tuple[str, str, List[str]]] = field(default_factory=list)  # (attribute, Keras layer, arguments)
    variables: Dict[str, str] = field(default_factory=dict)  # TF1 variable name (within the input layer) -> attribute
    keys: Optional[str] = None  # numeric columns appended to this list in a loop: their keys, known at run time

    def init(self, tf: str, indent: str, width: int = 110) -> List[str]:
        """The lines of __init__ that build the layers its dense value uses (long ones wrapped)."""
        lines, seen = [], set()
        for attr, layer, args in self.layers:
            if f"self.{attr}(" not in self.value or attr in seen:
                continue
            seen.add(attr)
            head = f"self.{attr} = {tf}.keras.layers.{layer}("
            if len(head) + sum(len(a) + 2 for a in args) <= width:
                lines.append(head + ", ".join(args) + ")" + (ROWS_NOTE if layer == "Reshape" else ""))
                continue
            lines.append(head)
            line = ""
            for arg in args:
                if line and len(indent + line + arg) + 2 > width:
                    lines.append(indent + line.rstrip())
                    line = ""
                line += arg + ", "
            lines.append(indent + line[:-2] + ")")
        return lines


class Builder:
    """Reads feature column calls into Columns; ``attribute(base)`` names a new attribute of the model."""

    def __init__(self, f: Facts, features: str, attribute: Callable[[str], str]) -> None:
        self.f, self.features, self.tf = f, features, f.tf
        self.attribute = lambda base: attribute(identifier(base))
        self.read: Dict[int, Column] = {}  # a column read twice (both halves of a wide-and-deep model) is one
        self.rows: Optional[str] = None  # the attribute of the Reshape layer giving a feature's rows
        self.weights: Dict[str, str] = {}  # a combiner that weighs a vocabulary's counts -> its method's name

    def columns(self, value: cst.BaseExpression) -> List[Column]:
        """A list of feature columns (literal, or a name bound once to one), ordered by name as TF1 did."""
        literal = column_lists.literal(self.f, value)
        literal = column_lists.returned(self.f, value if literal is None else literal) or literal
        literal = computed_keys.through_list(self.f, literal) or literal  # add_more_features(INPUT_COLUMNS)
        if isinstance(value, cst.Name):  # feature_cols = [...]; feature_cols.append(...)
            literal = column_lists.extended(self.f, value, literal) or literal
        if isinstance(value, cst.Name) and isinstance(literal, cst.ListComp):
            computed_keys.comprehension(self.f, literal)
            return [Column(value.value, "numeric", 0, "", keys=value.value)]
        made = computed_keys.made_by(self.f, value)  # feature_columns=make_feature_cols()
        if made is not None:
            computed_keys.comprehension(self.f, made)
            return [Column(self.f.s.code(value), "numeric", 0, "", keys=self.f.s.code(value))]
        if not isinstance(literal, (cst.List, cst.Tuple)):
            raise Unsupported(value, "feature columns that are not a list of tf.feature_column calls in this file")
        if isinstance(value, cst.Name) and isinstance(literal, cst.List) and not literal.elements:
            computed_keys.appended(self.f, value)
            return [Column(value.value, "numeric", 0, "", keys=value.value)]
        columns = [self.column(element.value) for element in literal.elements]
        if not columns:
            raise Unsupported(value, "no feature columns")
        names = [c.name for c in columns]
        if len(set(names)) != len(names):
            raise Unsupported(value, "two feature columns of the same name")
        return sorted(columns, key=lambda c: c.name)

    def concatenation(self, columns: List[Column], indent: str, keys: str = "") -> List[str]:
        """The lines of an expression: the columns' dense values side by side (numbers alone: one line);
        ``keys``: the code of the keys of columns appended in a loop."""
        tf = self.tf
        if columns[0].keys is not None:
            return [f"{tf}.concat([{tf}.reshape({tf}.cast({self.features}[key], {tf}.float32), (-1, 1)) "
                    f"for key in {keys}], axis=1)"]
        plain = f"{tf}.reshape({tf}.cast({self.features}[{{}}], {tf}.float32), (-1, 1))"  # a feature as it is
        if all(c.kind == "numeric" and c.value == plain.format(json.dumps(c.name)) for c in columns):
            keys = ", ".join(json.dumps(c.name) for c in columns) + ("," if len(columns) == 1 else "")
            return [f"{tf}.concat([{tf}.reshape({tf}.cast({self.features}[key], {tf}.float32), (-1, 1)) "
                    f"for key in ({keys})], axis=1)"]
        lines = [f"{tf}.concat(["]
        notes = {0: "", 1: BUCKET_NOTE}
        lines += [f"{indent}{c.value},"
                  f"{c.note or (VOCABULARY_NOTE if c.vocabulary else notes.get(c.bucket, BUCKETS_NOTE))}"
                  for c in columns]
        return lines + ["], axis=1)"]

    # --- one column -------------------------------------------------------------
    def column(self, node: cst.BaseExpression) -> Column:
        call = node
        if isinstance(node, cst.Name):
            call = self.f.value_of(node) or node
        name = self.f.call_name(call)
        kind = name.split(".", 1)[1] if name is not None and name.startswith("feature_column.") else None
        if kind not in PARAMETERS:
            what = f"tf.{name}" if name is not None and name.startswith("feature_column.") else self.f.s.code(node)
            raise Unsupported(node, f"feature column {what}: not mapped (numeric, bucketized, vocabulary list and "
                                    "file, identity, hash bucket, crossed, indicator and embedding columns are)")
        if id(call) not in self.read:
            given = arguments(call, PARAMETERS[kind], f"tf.feature_column.{kind} with arguments not mapped")
            self.read[id(call)] = getattr(self, kind)(call, given)
        return self.read[id(call)]

    def _code(self, node) -> str:
        return self.f.s.code(node)

    def _feature(self, key: str) -> str:
        return f"{self.features}[{json.dumps(key)}]"

    def _rows(self, column: Column, key: str) -> str:
        """The code of the feature ``key`` as a row of values per example (the layer added to ``column``)."""
        if self.rows is None:
            self.rows = self.attribute("rows")
        column.layers.append((self.rows, "Reshape", ["(-1,)"]))
        return f"self.{self.rows}({self._feature(key)})"

    def _int(self, call, given, name: str) -> int:
        value = given.get(name)
        if isinstance(value, cst.Name):
            value = self.f.value_of(value)  # a setting's name (a parameter of the function building the estimator)
        if not (isinstance(value, cst.Integer) and value.evaluated_value > 0):
            raise Unsupported(call, f"{name} that is not a positive integer literal")
        return value.evaluated_value

    def numeric_column(self, call, given) -> Column:
        """A numeric column's value, flattened to its shape's size per example as TF1's input layer did."""
        key = _literal_key(call, given)
        size, written = numeric.shape_size(given.get("shape"), queries.module_constants(self.f.module))
        if size is None:
            raise Unsupported(call, f"{self._code(call.func)}(shape={self._code(given['shape'])}) whose shape is not "
                                    "integers written out or bound once at module level")
        normalizer = given.get("normalizer_fn")
        normalizer = None if normalizer is not None and self._code(normalizer) == "None" else normalizer
        # default_value filled the values missing from parsed tf.Example protos: features in memory have none
        _unsupported_options(self.f, call, {k: v for k, v in given.items() if k not in ("shape", "normalizer_fn")},
                             {"key": set(), "dtype": NUMERIC_DTYPES if normalizer is None else {"float32"},
                              "default_value": set()})
        value = f"{self.tf}.cast({self._feature(key)}, {self.tf}.float32)"
        if normalizer is not None:  # TF1 applied it to the feature as the column's dtype (float32)
            value = numeric.normalized(self.f, call, normalizer, value)
        return Column(key, "numeric", size, f"{self.tf}.reshape({value}, (-1, {written}))")

    def bucketized_column(self, call, given) -> Column:
        source = self.column(given["source_column"]) if "source_column" in given else None
        boundaries = given.get("boundaries")
        if source is None or source.kind != "numeric":
            raise Unsupported(call, "bucketized_column of something other than a numeric_column")
        literal = boundaries if isinstance(boundaries, (cst.List, cst.Tuple)) else self.f.value_of(boundaries)
        if not isinstance(literal, (cst.List, cst.Tuple)) or not literal.elements:
            raise Unsupported(call, "bucketized_column with boundaries that are not a list written here")
        buckets = len(literal.elements) + 1
        attr = self.attribute(f"{source.name}_bucketized")
        build = [f"bin_boundaries={self._code(literal)}"]
        column = Column(f"{source.name}_bucketized", "dense", buckets * source.width, f"self.{attr}({source.value})")
        column.layers.append((attr, "Discretization", build + ['output_mode="one_hot"']))
        if source.width != 1:  # each value's buckets, value after value (no ids: an embedding or a cross refuses it)
            column.value = f"{self.tf}.reshape({column.value}, (-1, {source.width * buckets}))"
            return column
        ids = self.attribute(f"{source.name}_bucket")
        column.ids = f"self.{ids}({self.tf}.reshape({source.value}, (-1,)))"
        column.layers.append((ids, "Discretization", build))
        return column

    def categorical_column_with_vocabulary_list(self, call, given) -> Column:
        key = _literal_key(call, given)
        _unsupported_options(self.f, call, given, {"key": set(), "vocabulary_list": set(), "dtype": set(),
                                                "default_value": {"-1"}, "num_oov_buckets": set()})
        oov = given.get("num_oov_buckets", cst.Integer("0"))
        if not isinstance(oov, cst.Integer):
            raise Unsupported(call, "num_oov_buckets that is not an integer literal")
        oov = oov.evaluated_value
        vocabulary = given.get("vocabulary_list")
        literal = vocabulary if isinstance(vocabulary, (cst.List, cst.Tuple)) else self.f.value_of(vocabulary)
        if not isinstance(literal, (cst.List, cst.Tuple)) or not literal.elements:
            raise Unsupported(call, "a vocabulary that is not a list written here")
        values = [e.value for e in literal.elements]
        if all(isinstance(v, cst.SimpleString) for v in values):
            lookup = "StringLookup"
        elif all(isinstance(v, cst.Integer) for v in values):
            lookup = "IntegerLookup"
        else:
            raise Unsupported(call, "a vocabulary of values other than string or integer literals")
        if oov > 1 and lookup == "IntegerLookup":  # Keras spreads integers over its slots by their value
            raise Unsupported(call, "num_oov_buckets above 1 for integers (TF1 hashed them to their buckets)")
        return self._vocabulary(key, lookup, self._code(literal), len(values), oov)

    def categorical_column_with_vocabulary_file(self, call, given) -> Column:
        """The file's first ``vocabulary_size`` lines, each a value (TF1 read them whole, without the newline)."""
        key = _literal_key(call, given)
        _unsupported_options(self.f, call, given, {"key": set(), "vocabulary_file": set(), "vocabulary_size": set(),
                                                "dtype": {"tf.string", "string"}, "default_value": {"-1", "None"},
                                                "num_oov_buckets": set()})
        oov = given.get("num_oov_buckets", cst.Integer("0"))
        if not isinstance(oov, cst.Integer):
            raise Unsupported(call, "num_oov_buckets that is not an integer literal")
        if "vocabulary_size" not in given:  # TF1 counted the file's lines when it built the graph
            raise Unsupported(call, "categorical_column_with_vocabulary_file without vocabulary_size")
        size = self._int(call, given, "vocabulary_size")
        path = self._code(given["vocabulary_file"])
        lines = f'{self.tf}.io.gfile.GFile({path}).read().split("\\n")[:{size}]'
        return self._vocabulary(key, "StringLookup", lines, size, oov.evaluated_value)

    def _vocabulary(self, key: str, lookup: str, vocabulary: str, size: int, oov: int) -> Column:
        """A vocabulary column's value: counts of its values (``vocabulary``, code of ``size`` of them) and of
        the ``oov`` buckets of the others."""
        attr = self.attribute(key)
        column = Column(key, "categorical", size + oov, "", vocabulary=not oov, bucket=oov)
        value = f"{self.tf}.cast(self.{attr}({self._rows(column, key)}), {self.tf}.float32)"
        # the values out of the vocabulary: Keras' first slots (the same hash as TF1's), TF1's last or none
        column.value = f"{self.tf}.roll({value}, -{oov}, axis=1)" if oov else f"{value}[:, 1:]"
        masked = ['mask_token=""' if lookup == "StringLookup" else "mask_token=-1"] if oov else []
        masked += [f"num_oov_indices={oov}"] if oov > 1 else []
        column.layers.append((attr, lookup, [f"vocabulary={vocabulary}", *masked, 'output_mode="count"']))
        return column

    def categorical_column_with_identity(self, call, given) -> Column:
        key = _literal_key(call, given)
        _unsupported_options(self.f, call, given, {"key": set(), "num_buckets": set(), "default_value": {"None"}})
        size = self._int(call, given, "num_buckets")
        attr = self.attribute(key)
        column = Column(key, "categorical", size, "", rows=True)
        rows = self._rows(column, key)
        if size <= DENSE_IDS:  # -1 (TF1's id to ignore) counts in a first slot, dropped; embedded by a Dense layer
            column.value, column.note = f"self.{attr}({rows} + 1)[:, 1:]", IDS_NOTE
            column.layers.append((attr, "CategoryEncoding", [f"num_tokens={size + 1}", 'output_mode="count"']))
            return column
        column.ids, column.value = rows, f"self.{attr}({rows})"
        column.layers.append((attr, "CategoryEncoding", [f"num_tokens={size}", 'output_mode="count"']))
        return column

    def categorical_column_with_hash_bucket(self, call, given) -> Column:
        key = _literal_key(call, given)
        _unsupported_options(self.f, call, given, {"key": set(), "hash_bucket_size": set(),
                                                "dtype": {"string", "int32", "int64"}})  # both hash the digits
        size = self._int(call, given, "hash_bucket_size")
        attr = self.attribute(f"{key}_hash")
        column = Column(key, "categorical", size, "", rows=True)
        rows = self._rows(column, key)
        dtype = given.get("dtype")
        if size <= DENSE_IDS:  # the values TF1 ignored ("", -1) are Keras' mask: a first slot, dropped
            ignored = '""' if dtype is None or (self.f.name(dtype) or self._code(dtype)).endswith("string") else "-1"
            column.value, column.note = f"self.{attr}({rows})[:, 1:]", HASH_NOTE.format(ignored)
            column.layers.append((attr, "Hashing", [f"num_bins={size + 1}", f"mask_value={ignored}",
                                                    'output_mode="count"']))
            return column
        ids = self.attribute(f"{key}_ids")
        column.value, column.ids = f"self.{attr}({rows})", f"self.{ids}({rows})"
        column.layers += [(attr, "Hashing", [f"num_bins={size}", 'output_mode="count"']),
                          (ids, "Hashing", [f"num_bins={size}"])]
        return column

    def crossed_column(self, call, given) -> Column:
        """``HashedCrossing``: the same ``sparse_cross_hashed`` of raw features and buckets as TF1, in the order
        written (measured on TF 2.15: the same buckets; a vocabulary, identity or hash bucket column's ids TF1
        crosses otherwise)."""
        _unsupported_options(self.f, call, given, {"keys": set(), "hash_bucket_size": set(), "hash_key": {"None"}})
        size = self._int(call, given, "hash_bucket_size")
        keys = given.get("keys")
        literal = keys if isinstance(keys, (cst.List, cst.Tuple)) else self.f.value_of(keys)
        if not isinstance(literal, (cst.List, cst.Tuple)) or len(literal.elements) < 2:
            raise Unsupported(call, "crossed_column of keys that are not a list written here")
        names, inputs, layers = [], [], []
        for element in literal.elements:
            if isinstance(element.value, cst.SimpleString):
                names.append(element.value.evaluated_value)
                inputs.append(f"{self.tf}.reshape({self._feature(names[-1])}, (-1,))")
                continue
            inner = self.column(element.value)
            if not inner.name.endswith("_bucketized"):  # TF1 hashes other columns' ids its own way (measured)
                raise Unsupported(element.value, "crossed_column of a categorical column other than a bucketized "
                                                 "one (raw feature keys and buckets are mapped)")
            names.append(inner.name)
            inputs.append(inner.ids)
            layers.extend(inner.layers)
        name = "_X_".join(sorted(names))
        crossing = f"({', '.join(inputs)})"
        attr, ids = self.attribute(f"{name}_cross"), self.attribute(f"{name}_cross_ids")
        column = Column(name, "categorical", size, f"self.{attr}({crossing})", ids=f"self.{ids}({crossing})",
                        layers=layers)
        column.layers.append((attr, "HashedCrossing", [f"num_bins={size}", 'output_mode="one_hot"']))
        column.layers.append((ids, "HashedCrossing", [f"num_bins={size}"]))
        return column

    def _categorical(self, call, given) -> Column:
        inner = self.column(given["categorical_column"]) if "categorical_column" in given else None
        if inner is not None and inner.name.endswith("_bucketized") and inner.ids is None:
            raise Unsupported(call, f"{self._code(call.func)} of a bucketized column of several values per example "
                                    "(its ids, value after value, are not mapped)")
        if inner is None or inner.kind != "categorical" and inner.ids is None:
            raise Unsupported(call, f"{self._code(call.func)} of something other than a categorical column")
        return inner

    def indicator_column(self, call, given) -> Column:
        inner = self._categorical(call, given)
        return Column(f"{inner.name}_indicator", "dense", inner.width, inner.value, vocabulary=inner.vocabulary,
                      bucket=inner.bucket, note=inner.note, layers=inner.layers)

    def embedding_column(self, call, given) -> Column:
        inner = self._categorical(call, given)
        chosen = given.get("initializer")
        given = {k: v for k, v in given.items() if k != "initializer"}
        _unsupported_options(self.f, call, given, {"categorical_column": set(), "dimension": set(),
                                                "combiner": {"'mean'", "'sum'", "'sqrtn'", '"mean"', '"sum"',
                                                             '"sqrtn"'}, "max_norm": {"None"}, "trainable": {"True"}})
        combiner = given["combiner"].evaluated_value if "combiner" in given else "mean"
        dimension = self._int(call, given, "dimension")
        name = f"{inner.name}_embedding"
        attr = self.attribute(name)
        initializer = f"{self.tf}.keras.initializers.TruncatedNormal(stddev=1 / {dimension} ** 0.5)"
        if chosen is not None and self.f.s.code(chosen) != "None":
            initializer = _embedding_initializer(self.f, call, chosen)
        column = Column(name, "dense", dimension, "", vocabulary=inner.vocabulary, bucket=inner.bucket,
                        note=inner.note, layers=list(inner.layers))
        if inner.vocabulary or inner.ids is None:
            counts = inner.value
            column.value = f"self.{attr}({combiners.weighed(self, combiner, counts)})"
            column.layers.append((attr, "Dense", [str(dimension), "use_bias=False", f"kernel_initializer={initializer}",
                                                  f'name="{name}"']))
            column.variables[f"{name}/embedding_weights"] = f"{attr}.kernel"
        else:
            column.value = f"self.{attr}({inner.ids})"
            if inner.rows:  # an embedding per id of the row, combined (sqrtn: their sum over the root of their number)
                tf = self.tf
                column.value = f"{tf}.{combiners.COMBINED.get(combiner, 'reduce_sum')}({column.value}, axis=1)" + (
                    f" / {tf}.sqrt({tf}.cast({tf}.shape({inner.ids})[1], {tf}.float32))" if combiner == "sqrtn" else "")
            column.layers.append((attr, "Embedding", [str(inner.width), str(dimension),
                                                      f"embeddings_initializer={initializer}", f'name="{name}"']))
            column.variables[f"{name}/embedding_weights"] = f"{attr}.embeddings"
        return column


def once(lines: Iterable[str]) -> List[str]:
    """Lines of __init__ with each statement once (a layer that several columns read; a statement's
    continuation lines start indented)."""
    statements: List[str] = []
    for line in lines:
        if statements and line[:1] in (" ", "\t"):
            statements[-1] += "\n" + line
        else:
            statements.append(line)
    return [line for stmt in dict.fromkeys(statements) for line in stmt.split("\n")]


def _unsupported_options(f: Facts, call, given, allowed: Dict[str, set]) -> None:
    """Refuse an argument whose value is not one of those ``allowed`` for its name (an empty set: any)."""
    for key, value in given.items():
        written = f.s.code(value)
        if key in allowed and (not allowed[key] or written in allowed[key] or (f.name(value) or "") in allowed[key]):
            continue
        raise Unsupported(call, f"{f.s.code(call.func)}({key}={written}) is not mapped")


def _literal_key(call: cst.Call, given) -> str:
    key = given.get("key")
    if not isinstance(key, cst.SimpleString):
        raise Unsupported(call, "a feature column without a literal key")
    return key.evaluated_value


def _embedding_initializer(f: Facts, call: cst.Call, value: cst.BaseExpression) -> str:
    """An embedding's ``initializer=`` as the Keras initializer that draws what TF1's drew (TF1's defaults
    written out: ``truncated_normal_initializer()`` has stddev 1.0)."""
    name = f.s.call_name(value)
    if name in _vocab.INITIALIZERS_V2:
        return f.s.code(tensors.keras_initializer(f.s, value, value, name))
    if name in ("constant_initializer", "zeros_initializer", "ones_initializer") or (
            name or "").startswith("keras.initializers."):
        return f.s.code(value)  # TensorFlow 2 has them under these names, with these defaults
    raise Unsupported(call, f"tf.feature_column.embedding_column(initializer={f.s.code(value)}) is not mapped")
