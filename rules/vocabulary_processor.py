"""`tf.contrib.learn.preprocessing.VocabularyProcessor`: TF1's word-id encoder, written into the file (TFM127)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Set

import libcst as cst

from tfmigrate.ftypes import Applicability, Status
from tfmigrate.names import ImportTable, fresh_name
from tfmigrate.rule import Context, Invalid, ProgramFix, Rule

from . import _tf, _written
from ._eager import queries

FULL = "tensorflow.contrib.learn.preprocessing.VocabularyProcessor"
# TF-relative names the fix removes: the graph rewrite may leave them for it
NAMES = frozenset({"contrib.learn", "contrib.learn.preprocessing", "contrib.learn.preprocessing.VocabularyProcessor"})

CODE = '''\
class {vocabulary}:
    """Words to ids as TF1's `CategoricalVocabulary` numbered them: "<UNK>" is 0, the others in the order
    they are first seen, or by count (then alphabetically) once `trim` drops the rare ones; frozen, a word
    it does not know is 0."""

    def __init__(self, unknown_token="<UNK>"):
        self._unknown_token = unknown_token
        self._mapping = {{unknown_token: 0}}
        self._reverse_mapping = [unknown_token]
        self._freq = {{}}
        self._freeze = False

    def __len__(self):
        return len(self._mapping)

    def freeze(self, freeze=True):
        self._freeze = freeze

    def get(self, category):
        if category not in self._mapping:
            if self._freeze:
                return 0
            self._mapping[category] = len(self._mapping)
            self._reverse_mapping.append(category)
        return self._mapping[category]

    def add(self, category, count=1):
        if self.get(category) > 0:
            self._freq[category] = self._freq.get(category, 0) + count

    def trim(self, min_frequency, max_frequency=-1):
        counts = sorted(sorted(self._freq.items()), key=lambda item: item[1], reverse=True)
        self._mapping = {{self._unknown_token: 0}}
        self._reverse_mapping = [self._unknown_token]
        for category, count in counts:
            if 0 < max_frequency <= count:
                continue
            if count <= min_frequency:
                break
            self._mapping[category] = len(self._mapping)
            self._reverse_mapping.append(category)
        self._freq = dict(counts[:len(self._mapping) - 1])

    def reverse(self, class_id):
        return self._reverse_mapping[class_id]


class {processor}:
    """TF1's `tf.contrib.learn.preprocessing.VocabularyProcessor`: each document as `max_document_length`
    word ids (int64, 0 after its last word), its words found by TF1's tokenizer (or `tokenizer_fn`) and
    numbered by `vocabulary_`, which `fit` fills and freezes. `save` pickles it, `restore` reads it back (a
    file TF1's class wrote names that class, which TensorFlow 2 does not have: fit it again)."""

    TOKENS = {re}.compile(r"[A-Z]{{2,}}(?![a-z])|[A-Z][a-z]+(?=[A-Z])|[\\'\\w\\-]+", {re}.UNICODE)

    def __init__(self, max_document_length, min_frequency=0, vocabulary=None, tokenizer_fn=None):
        self.max_document_length = max_document_length
        self.min_frequency = min_frequency
        self.vocabulary_ = vocabulary if vocabulary else {vocabulary}()
        self._tokenizer = tokenizer_fn

    def _tokens(self, documents):
        if self._tokenizer is not None:
            return self._tokenizer(documents)
        return (self.TOKENS.findall(document) for document in documents)

    def fit(self, raw_documents, unused_y=None):
        for tokens in self._tokens(raw_documents):
            for token in tokens:
                self.vocabulary_.add(token)
        if self.min_frequency > 0:
            self.vocabulary_.trim(self.min_frequency)
        self.vocabulary_.freeze()
        return self

    def fit_transform(self, raw_documents, unused_y=None):
        self.fit(raw_documents)
        return self.transform(raw_documents)

    def transform(self, raw_documents):
        for tokens in self._tokens(raw_documents):
            ids = {np}.zeros(self.max_document_length, {np}.int64)
            for index, token in enumerate(tokens):
                if index >= self.max_document_length:
                    break
                ids[index] = self.vocabulary_.get(token)
            yield ids

    def reverse(self, documents):
        for ids in documents:
            yield " ".join(self.vocabulary_.reverse(class_id) for class_id in ids)

    def save(self, filename):
        with {tf}.io.gfile.GFile(filename, "wb") as f:
            f.write({pickle}.dumps(self))

    @classmethod
    def restore(cls, filename):
        with {tf}.io.gfile.GFile(filename, "rb") as f:
            return {pickle}.loads(f.read())
'''


@dataclass
class Plan:
    uses: List[cst.CSTNode] = field(default_factory=list)  # the chains that name the class
    imports: List[cst.SimpleStatementLine] = field(default_factory=list)  # statements that only bring it
    handled: Set[int] = field(default_factory=set)  # every node TFM107 need not report
    modules: dict = field(default_factory=dict)  # tf, np, re, pickle -> the names the written class uses for them
    added: List[str] = field(default_factory=list)  # the import lines that bring those the file does not import


def analyse(context: Context) -> Optional[Plan]:
    """The plan (cached), or None where the file does not use the class or uses more of tf.contrib.learn
    through the names that bring it."""
    if "vocabulary-processor" in context.shared:
        return context.shared["vocabulary-processor"]
    plan = None
    if context.text is None or "VocabularyProcessor" in context.text:
        plan = _analyse(context.module, context.imports)
    context.shared["vocabulary-processor"] = plan
    return plan


def _analyse(module: cst.Module, imports) -> Optional[Plan]:
    plan = Plan()
    chains = queries.find(module, (cst.Attribute, cst.Name), lambda n: imports.qualify(n) == FULL, values=True)
    in_imports = {id(n) for s in queries.find(module, (cst.Import, cst.ImportFrom)) for n in queries.find(s, (
        cst.Attribute, cst.Name))}
    plan.uses = [n for n in chains if id(n) not in in_imports]
    if not plan.uses:
        return None
    inside = {id(n) for use in plan.uses for n in queries.find(use, (cst.Attribute, cst.Name))}
    heads = {_head(use) for use in plan.uses}
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if not isinstance(small, (cst.Import, cst.ImportFrom)):
                continue
            bound = _bound(small)
            bringing = {local for local, full in bound.items() if local in heads and full.startswith(
                "tensorflow.contrib.learn") and (FULL.startswith(full + ".") or FULL == full)}
            if not bringing:
                continue
            if len(statement.body) != 1 or set(bound) != bringing:
                return None  # the statement brings other names too
            others = queries.find(module, cst.Name, lambda n: n.value in bringing and id(n) not in inside
                                  and id(n) not in in_imports, values=True)
            if others:
                return None  # the module is used for more than the class
            plan.imports.append(statement)
            plan.handled |= {id(n) for n in queries.find(statement, (cst.Attribute, cst.Name, cst.ImportAlias))}
    removed = {local for statement in plan.imports for local in _bound(statement.body[0])}
    if heads - removed - {_tf.tf_alias(imports)}:
        return None  # brought by an import this plan cannot remove (inside a function, a try)
    plan.handled |= inside | {id(a) for a in queries.find(module, cst.Attribute) if _on_use(a, inside)}
    found = _written.module_names(module, [("tensorflow", _tf.tf_alias(imports), ("tf",))] + [
        (name, _tf.alias(imports, name), (spelled,)) for name, spelled in (("numpy", "np"), ("re", "re"),
                                                                          ("pickle", "pickle"))])
    if found is None:
        return None  # a module name the class needs is the file's own
    (plan.modules["tf"], plan.modules["np"], plan.modules["re"], plan.modules["pickle"]), plan.added = found
    return plan


def _on_use(node: cst.Attribute, uses: Set[int]) -> bool:
    """Is ``node`` an attribute of a use of the class (``learn.preprocessing.VocabularyProcessor.restore``)?"""
    while isinstance(node, cst.Attribute):
        node = node.value
        if id(node) in uses:
            return True
    return False


def _head(node: cst.CSTNode) -> str:
    while isinstance(node, cst.Attribute):
        node = node.value
    return node.value


def _bound(small) -> Dict[str, str]:
    """Local name -> full dotted name, for the names an import statement binds."""
    table = ImportTable()
    table.add(small)
    return table.aliases


def handled(context: Context, node: cst.CSTNode) -> bool:
    """Does TFM127's fix rewrite ``node`` (a use of the class, or the import that brings it)?"""
    plan = analyse(context)
    return plan is not None and id(node) in plan.handled


def moved(context: Context) -> frozenset:
    return NAMES if analyse(context) is not None else frozenset()


def _rewrite(module: cst.Module, context: Context) -> Optional[cst.Module]:
    plan = analyse(context)
    if plan is None:
        return None
    taken = set(queries.source_names(module))
    names = {base: fresh_name(taken, base) for base in ("VocabularyProcessor", "Vocabulary")}
    for stmt in plan.imports:  # `from ...preprocessing import VocabularyProcessor`: the name is free again
        for local in _bound(stmt.body[0]):
            if local == "VocabularyProcessor":
                names["VocabularyProcessor"] = local
    code = CODE.format(vocabulary=names["Vocabulary"], processor=names["VocabularyProcessor"], **plan.modules)
    replaced = {id(use): cst.Name(names["VocabularyProcessor"]) for use in plan.uses}
    return _written.write(module, code, replaced, {id(s) for s in plan.imports}, plan.added)


VOCABULARY_FIX = ProgramFix("TF1's VocabularyProcessor written into the file", Applicability.UNSAFE, _rewrite,
                            order=-1)


class VocabularyProcessorRule(Rule):
    """`tf.contrib.learn.preprocessing.VocabularyProcessor`: TF1's word-id encoder of text models.

    What it finds: the class, through `from tensorflow.contrib import learn`
    (`learn.preprocessing.VocabularyProcessor(max_document_length)`), its full
    name or an import of it, in a file that uses nothing else of
    `tf.contrib.learn` through those names.

    Why: tf.contrib is gone, and Keras 3's `TextVectorization`, the successor
    the migration guide names, splits and numbers words otherwise (it lowercases,
    strips punctuation and orders the vocabulary by count): the ids a model was
    trained on would change.

    Fix (unsafe): the class, with the vocabulary class behind its
    `vocabulary_`, is written into the file (`import numpy`, `re`, `pickle`
    come in where missing) and the uses call it: the same tokenizer, the same
    ids ("<UNK>" 0, then the words in the order first seen, by count once
    `min_frequency` trims), the same int64 arrays from `fit_transform` /
    `transform`, `save` / `restore` with pickle. A vocabulary file that TF1's
    class saved names that class: it is fitted again.
    """

    code = "TFM127"
    name = "vocabulary-processor"
    fix_applicability = Applicability.UNSAFE
    program_fix = VOCABULARY_FIX
    unfixed_status = Status.MANUAL
    VALID = ["import numpy as np\nwords = {'<UNK>': 0}\n"]
    INVALID = [Invalid(
        "import numpy as np\nfrom tensorflow.contrib import learn\n"
        "processor = learn.preprocessing.VocabularyProcessor(4)\n"
        "print(np.array(list(processor.fit_transform(['a b', 'b c d e f']))))\n")]

    def visit_Module(self, node: cst.Module) -> None:
        plan = analyse(self.context)
        if plan is None:
            return
        for use in plan.uses:
            self.report(use, "`tf.contrib.learn.preprocessing.VocabularyProcessor` is gone with tf.contrib, and "
                             "Keras 3's TextVectorization numbers words otherwise: the fix writes TF1's class into "
                             "the file (the same tokens and word ids)")
