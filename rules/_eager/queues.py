"""Queue pipelines: the tf.data datasets that read the same elements, in the form the iterator rewrite reads.

    filename_queue = tf.train.string_input_producer(['scores.csv'], shuffle=False)
    reader = tf.TextLineReader(skip_header_lines=1)
    key, value = reader.read(filename_queue)
    xy = tf.decode_csv(value, record_defaults=record_defaults)
    x_batch, y_batch = tf.train.batch([xy[0:-1], xy[-1:]], batch_size=10)
    ...
    coord = tf.train.Coordinator()
    threads = tf.train.start_queue_runners(sess=sess, coord=coord)
    ... sess.run([x_batch, y_batch]) ...
    coord.request_stop()
    coord.join(threads)

TF1 filled queues from threads; each run of a batch took the next one. The same elements come from a
dataset: the producer's files (or slices) repeated ``num_epochs`` times (forever when None), shuffled each
epoch where the producer shuffled, read by the reader's dataset (``TextLineDataset``, ``TFRecordDataset``,
``FixedLengthRecordDataset``; a whole file is ``tf.io.read_file``), the statements between the read and the
batch as the function the dataset maps, and the batch (``drop_remainder`` unless the program allowed a
smaller final batch; ``shuffle_batch`` shuffles in a buffer of its capacity first)::

    def parse_line(value):
        xy = tf.decode_csv(value, record_defaults=record_defaults)
        return xy[0:-1], xy[-1:]


    x_batch, y_batch = (tf.data.TextLineDataset(['scores.csv']).skip(1).repeat().map(parse_line)
                        .batch(10, drop_remainder=True).make_one_shot_iterator().get_next())

That is the TF1 program of a one-shot iterator, which the rest of the rewrite reads (pipelines.py: a
Python iterator over the dataset, ``next`` before the runs that read the batch). The coordinator and the
queue runners' threads go with the queues (``coord.should_stop()`` is False: a dataset repeated forever
never stops; one of ``num_epochs`` ends as TF1's queue did, where the iterator rewrite catches
StopIteration for OutOfRangeError).

A function that reads the queue it is given (TF1's reading guide: ``image, label =
read_and_decode(filename_queue)``, where the function makes the reader, reads the record and returns what it
computes from it) takes the record instead, and the dataset maps it (``.map(read_and_decode)``).

Only pipelines built by top-level lines of the module (or of a function: input_functions.py) are read, each
from one producer to one batch (or, in a function, to its ``return`` of what the element lines compute: one
element a run), and only where nothing else reads the queue, the reader, the producer's outputs or what the
moved lines bind.
Elements a shuffling producer or ``shuffle_batch`` draws come in another random order than TF1's (a random
order both ways). The rewrite of the new program is kept only when it succeeds; its notes, the nodes it
keeps and its reasons are mapped back to the program as written.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Set, Tuple

import libcst as cst

from tfmigrate.names import fresh_name

from .. import _tf
from . import coordinators, queries
from .coordinators import names_bound
from .state import Unsupported

_TF_MODULES = ("tensorflow", "tensorflow.compat.v1")
_READERS = {"TextLineReader": "TextLineDataset", "TFRecordReader": "TFRecordDataset",
            "FixedLengthRecordReader": "FixedLengthRecordDataset", "WholeFileReader": None}
_BATCHES = ("train.batch", "train.shuffle_batch")
_PRODUCERS = ("train.string_input_producer", "train.slice_input_producer")
SHUFFLED = ("a queue pipeline that shuffles: the dataset draws its elements in another random order than "
            "TF1's queues")


@dataclass
class _Pipeline:
    removed: Set[int] = field(default_factory=set)  # ids of top-level statements that go
    moved: List[cst.BaseStatement] = field(default_factory=list)  # the element lines, in order
    batch: Optional[cst.SimpleStatementLine] = None
    new: List[cst.BaseStatement] = field(default_factory=list)  # what takes the batch line's place
    shuffles: bool = False
    function: str = "prepare_example"  # the name of the function the dataset maps


def _assign(stmt) -> Optional[cst.Assign]:
    if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Assign) \
            and len(stmt.body[0].targets) == 1:
        return stmt.body[0]
    return None


def _false(arg: Optional[cst.Arg]) -> bool:
    return arg is None or (isinstance(arg.value, cst.Name) and arg.value.value in ("False", "None"))


class _Reader:
    def __init__(self, module: cst.Module, imports) -> None:
        self.module = module
        self.imports = imports
        self.tf = next((local for local, full in sorted(imports.aliases.items()) if full in _TF_MODULES), None)
        self.body = list(module.body)  # the lines read: the module's, or a function's
        self.blank = 2  # blank lines around a function written among them
        self._taken: Optional[Set[str]] = None
        self.helpers: Dict[int, cst.FunctionDef] = {}  # id of a function reading a queue -> it reading a record

    def name(self, node) -> Optional[str]:
        return _tf.call_name(self.imports, node)

    def code(self, node) -> str:
        return self.module.code_for_node(node)

    def fresh(self, base: str) -> str:
        if self._taken is None:
            self._taken = queries.source_names(self.module)
        return fresh_name(self._taken, base)

    def uses(self, name: str, outside: Set[int]) -> List[cst.Name]:
        """Reads and bindings of ``name`` in top-level statements not in ``outside``."""
        return [n for i, stmt in enumerate(self.body) if id(stmt) not in outside
                for n in queries.find(stmt, cst.Name, lambda n: n.value == name)]

    # --- one pipeline ------------------------------------------------------------------
    def pipeline(self, start: int) -> _Pipeline:
        stmt = self.body[start]
        assign = _assign(stmt)
        call = assign.value
        kind = self.name(call)
        out = _Pipeline(removed={id(stmt)})
        if kind == "train.string_input_producer":
            source, params, at = self.files(start, assign, out)
        else:
            source, params, at = self.slices(start, assign, out)
        elements: Set[str] = {param.lstrip("*") for param in params}
        read_by_moved: Set[str] = set()
        for index in range(at + 1, len(self.body)):
            line = self.body[index]
            if id(line) in out.removed:
                continue
            reads = queries.names_in(line)
            batch = _assign(line)
            if batch is not None and self.name(batch.value) in _BATCHES and reads & elements:
                out.batch = line
                self.batched(out, batch, source, params, elements, read_by_moved, index)
                return out
            if self.blank == 1 and reads & elements and isinstance(line, cst.SimpleStatementLine) and len(
                    line.body) == 1 and isinstance(line.body[0], cst.Return) and line.body[0].value is not None:
                out.batch = line  # in a function (its lines' blank is one): `return image`, one element a run
                self.unbatched(out, line.body[0].value, source, params)
                return out
            if not reads & elements:
                if queries.bound_names(line) & read_by_moved:
                    raise Unsupported(line, "a name the lines of a queue's elements read is bound again before "
                                         "its batch")
                continue
            if not isinstance(line, cst.SimpleStatementLine) or not all(
                    isinstance(small, (cst.Assign, cst.AugAssign, cst.AnnAssign)) or _sets_shape(small, elements)
                    for small in line.body):
                raise Unsupported(line, "a queue's element used by something other than an assignment before its "
                                     "batch")
            out.moved.append(line)
            out.removed.add(id(line))
            read_by_moved |= reads
            elements |= queries.bound_names(line)
        raise Unsupported(stmt, "a queue no tf.train.batch reads")

    def files(self, start: int, assign: cst.Assign, out: _Pipeline):
        """A string_input_producer, its reader and the read: the dataset of records and the parameters of
        the element function."""
        queue = names_bound(assign.targets[0].target)
        call = assign.value
        files = _tf.argument(call, 0, "string_tensor")
        if queue is None or len(queue) != 1 or files is None:
            raise Unsupported(call, "a string_input_producer not bound to one name")
        for keyword in ("shared_name", "cancel_op"):
            if not _false(_tf.argument(call, None, keyword)):
                raise Unsupported(call, f"string_input_producer({keyword}=...)")
        lines, helper, read_at, read = self.body, None, *_read_of(self.body, queue[0], start)
        if read is None:
            helper, call_at = self.reading_function(start, queue[0])
            lines = list(helper.body.body)
            read_at, read = _read_of(lines, helper.params.params[0].name.value)
            gone = {id(self.body[call_at]), id(helper)}
        value = _assign(read).value
        reader_node = value.func.value
        reader_stmt = None
        if isinstance(reader_node, cst.Name):
            reader_stmt = next((s for s in lines[:read_at] if _assign(s) is not None and names_bound(
                _assign(s).targets[0].target) == [reader_node.value]), None)
            if reader_stmt is None:
                raise Unsupported(value, "a reader this rewrite does not see made")
            out.removed.add(id(reader_stmt))
            if _used(lines, reader_node.value, {id(reader_stmt), id(read)}):
                raise Unsupported(reader_stmt, f"reader {reader_node.value} used for more than one read")
            reader_node = _assign(reader_stmt).value
        reader = self.name(reader_node) if isinstance(reader_node, cst.Call) else None
        if reader not in _READERS:
            raise Unsupported(value, "a queue read by a reader that is not TF1's TextLine, TFRecord, FixedLengthRecord "
                                  "or WholeFile reader")
        out.removed.add(id(read))
        if self.uses(queue[0], {id(self.body[start]), *({id(read)} if helper is None else gone)}):
            raise Unsupported(call, f"filename queue {queue[0]} used for more than its reader")
        targets = names_bound(_assign(read).targets[0].target)
        if targets is None or len(targets) != 2:
            raise Unsupported(read, "a reader's read not unpacked into its key and value")
        key, record = targets
        out.function = "parse_line" if reader == "TextLineReader" else "parse_record"
        tf = self.tf
        if reader == "WholeFileReader":
            dataset_of = None
        else:
            options = [f"{a.keyword.value}={self.code(a.value)}" if a.keyword else self.code(a.value)
                       for a in reader_node.args if not (a.keyword and a.keyword.value in ("name", "skip_header_lines"))]
            if reader == "FixedLengthRecordReader" and not _false(_tf.argument(reader_node, 3, "hop_bytes")):
                raise Unsupported(reader_node, "FixedLengthRecordReader(hop_bytes=...)")
            if reader != "FixedLengthRecordReader" and options:
                raise Unsupported(reader_node, f"tf.{reader} with options ({', '.join(options)})")
            skip = _tf.argument(reader_node, 0 if reader == "TextLineReader" else None, "skip_header_lines")
            skips = "" if _false(skip) else f".skip({self.code(skip.value)})"
            dataset_of = (lambda f: f"{tf}.data.{_READERS[reader]}({', '.join([f, *options])}){skips}")
        epochs = _tf.argument(call, 1, "num_epochs")
        repeat = f".repeat({'' if _false(epochs) else self.code(epochs.value)})"
        shuffle = _tf.argument(call, 2, "shuffle")
        seed = _tf.argument(call, 3, "seed")
        files_code = self.code(files.value)
        count = len(files.value.elements) if isinstance(files.value, (cst.List, cst.Tuple)) else None
        shuffles = not (shuffle is not None and isinstance(shuffle.value, cst.Name) and shuffle.value.value == "False")
        shuffles = shuffles and count != 1
        if shuffles and count is None and not isinstance(files.value, cst.Name):
            raise Unsupported(files, "a shuffling string_input_producer of files this rewrite cannot count")
        if dataset_of is not None and not shuffles and (not skips or count == 1):
            source = dataset_of(files_code) + repeat
        else:
            source = f"{tf}.data.Dataset.from_tensor_slices({files_code})"
            if shuffles:
                out.shuffles = True
                source += f".shuffle({count if count is not None else f'len({files_code})'}" + (
                    f", seed={self.code(seed.value)})" if not _false(seed) else ")")
            source += repeat
            filename = self.fresh("filename")
            if dataset_of is None:
                source += f".map(lambda {filename}: ({filename}, {tf}.io.read_file({filename})))"
            else:
                source += f".flat_map(lambda {filename}: {dataset_of(filename)})"
        if dataset_of is not None and key != "_" and _used(lines, key, {id(read)}):
            raise Unsupported(read, f"the key {key} of a read (a file's name and position) is used")
        if helper is not None:  # the function reads a record now; the dataset maps it
            if dataset_of is None:
                raise Unsupported(read, "a WholeFileReader read by a function")
            kept = [line for line in helper.body.body if id(line) not in out.removed]
            self.helpers[id(helper)] = helper.with_changes(
                params=helper.params.with_changes(params=[helper.params.params[0].with_changes(name=cst.Name(record)),
                                                        *helper.params.params[1:]]),
                body=helper.body.with_changes(body=kept))
            out.removed.add(id(self.body[call_at]))
            return f"{source}.map({helper.name.value})", names_bound(_assign(self.body[call_at]).targets[0].target), \
                call_at
        return (source, [record], read_at) if dataset_of is not None else (source, [key, record], read_at)

    def reading_function(self, start: int, queue: str) -> Tuple[cst.FunctionDef, int]:
        """``image, label = read_and_decode(filename_queue)``: the module's function that makes a reader, reads
        the queue it is given and returns what it computes from the record, and the line that calls it."""
        passed = next((c for line in self.body if not isinstance(line, (cst.FunctionDef, cst.ClassDef))
                       for c in queries.find(line, cst.Call) if any(
            isinstance(a.value, cst.Name) and a.value.value == queue for a in c.args)), None)
        if passed is None:
            raise Unsupported(self.body[start], "a filename queue no reader reads")
        func = next((f for f in self.module.body if isinstance(f, cst.FunctionDef) and isinstance(passed.func, cst.Name)
                     and f.name.value == passed.func.value), None)
        at = next((i for i, line in enumerate(self.body) if i > start and _assign(line) is not None
                   and _assign(line).value is passed), None)
        if func is None or at is None or not _reads_its_queue(func) or len(passed.args) != 1 or \
                passed.args[0].keyword is not None or names_bound(_assign(self.body[at]).targets[0].target) is None \
                or len(queries.find(self.module, cst.Name, lambda n: n.value == func.name.value)) != 2:
            raise Unsupported(passed, f"filename queue {queue} read by `{self.code(passed.func)}`, a function the "
                                      "rewrite does not read as the reader of a dataset (a `key, value = "
                                      "reader.read(queue)` line next to the producer is, or a function called "
                                      "once with the queue alone, that reads it so and returns what it computes)")
        return func, at

    def slices(self, start: int, assign: cst.Assign, out: _Pipeline):
        call = assign.value
        targets = names_bound(assign.targets[0].target)
        tensors = _tf.argument(call, 0, "tensor_list")
        if targets is None or tensors is None or not isinstance(tensors.value, (cst.List, cst.Tuple)):
            raise Unsupported(call, "a slice_input_producer whose list of tensors is not a list of its own")
        if isinstance(assign.targets[0].target, cst.Name):  # `input_queue = ...`, read `input_queue[0]`
            targets = [f"*{targets[0]}"]
        elif len(tensors.value.elements) != len(targets):
            raise Unsupported(call, "a slice_input_producer whose list of tensors is not unpacked into names")
        for keyword in ("shared_name", "capacity_unused"):
            if not _false(_tf.argument(call, None, keyword)):
                raise Unsupported(call, f"slice_input_producer({keyword}=...)")
        parts = [self.code(e.value) for e in tensors.value.elements]
        source = f"{self.tf}.data.Dataset.from_tensor_slices({parts[0] if len(parts) == 1 else '(' + ', '.join(parts) + ')'})"
        shuffle = _tf.argument(call, 2, "shuffle")
        if not (shuffle is not None and isinstance(shuffle.value, cst.Name) and shuffle.value.value == "False"):
            first = tensors.value.elements[0].value
            if not isinstance(first, cst.Name):
                raise Unsupported(first, "a shuffling slice_input_producer of tensors this rewrite cannot count")
            seed = _tf.argument(call, 3, "seed")
            source += f".shuffle(len({first.value})" + (f", seed={self.code(seed.value)})" if not _false(seed) else ")")
            out.shuffles = True
        epochs = _tf.argument(call, 1, "num_epochs")
        source += f".repeat({'' if _false(epochs) else self.code(epochs.value)})"
        return source, targets, start

    def batched(self, out: _Pipeline, batch: cst.Assign, source: str, params: List[str], elements: Set[str],
                read_by_moved: Set[str], index: int) -> None:
        call = batch.value
        kind = self.name(call)
        shuffled = kind == "train.shuffle_batch"
        tensors = _tf.argument(call, 0, "tensors")
        size = _tf.argument(call, 1, "batch_size")
        targets = names_bound(batch.targets[0].target)
        single = isinstance(batch.targets[0].target, cst.Name)  # `batch = tf.train.batch([x, y], 4)`: a list
        if tensors is None or size is None or not isinstance(tensors.value, (cst.List, cst.Tuple)) or targets is None \
                or not single and len(targets) != len(tensors.value.elements):
            raise Unsupported(call, f"tf.{kind} of tensors not listed and unpacked into names")
        positions = {"enqueue_many": 6 if shuffled else 4, "dynamic_pad": None if shuffled else 6,
                     "shared_name": None}
        for keyword, position in positions.items():
            if not _false(_tf.argument(call, position, keyword)):
                raise Unsupported(call, f"tf.{kind}({keyword}=...)")
        bound = set().union(*(queries.bound_names(line) for line in out.moved)) if out.moved else set()
        later = {id(s) for s in self.body[:index + 1]}
        for name in sorted(bound | {param.lstrip("*") for param in params}):
            if self.uses(name, later):
                raise Unsupported(out.moved[0] if out.moved else call,
                               f"{name}, a queue's element, is used after its batch")
        returned = [self.code(e.value) for e in tensors.value.elements]
        if len(returned) == 1 and not single:  # TF1 returned the tensor itself for a list of one
            raise Unsupported(batch.targets[0].target, f"tf.{kind} of one tensor unpacked (it returned the tensor)")
        chain = self.mapped(out, source, params, returned)
        if shuffled:
            capacity = _tf.argument(call, 2, "capacity")
            seed = _tf.argument(call, 5, "seed")
            if capacity is None:
                raise Unsupported(call, "tf.train.shuffle_batch without its capacity")
            chain += f".shuffle({self.code(capacity.value)}" + (
                f", seed={self.code(seed.value)})" if not _false(seed) else ")")
            out.shuffles = True
        smaller = _tf.argument(call, 9 if shuffled else 7, "allow_smaller_final_batch")
        drop = "" if not _false(smaller) else ", drop_remainder=True"
        chain += f".batch({self.code(size.value)}{drop})"
        self.finish(out, f"{self.code(batch.targets[0].target)} = {chain}.make_one_shot_iterator().get_next()\n")

    def unbatched(self, out: _Pipeline, returned: cst.BaseExpression, source: str, params: List[str]) -> None:
        """``return image``, in a function, of what the lines after the read compute, without a batch: each
        run read the next element. The function returns the next element of the dataset of them."""
        chain = self.mapped(out, source, params, [self.code(returned)])
        self.finish(out, f"return {chain}.make_one_shot_iterator().get_next()\n")

    def mapped(self, out: _Pipeline, source: str, params: List[str], returned: List[str]) -> str:
        """``source`` mapped by the function of the element lines returning ``returned`` (where they are not
        just the read's values)."""
        if not out.moved and returned == params:
            return source
        function = self.fresh(out.function)
        func = cst.parse_statement(f"def {function}({', '.join(params)}):\n    pass\n")
        ret = cst.parse_statement(f"return {', '.join(returned)}\n")
        out.new.append(func.with_changes(body=func.body.with_changes(body=[*out.moved, ret])))
        return f"{source}.map({function})"

    def finish(self, out: _Pipeline, code: str) -> None:
        """The line ``code`` in the place of the pipeline's last line, after the function it maps."""
        first = next(s for s in self.body if id(s) in out.removed)  # where the pipeline began: its blank lines
        new_batch = cst.parse_statement(code).with_changes(
            leading_lines=[*first.leading_lines, *_comments(out.batch.leading_lines)] if first is not out.batch
            else out.batch.leading_lines)
        if out.new:
            moved = {id(line) for line in out.moved}
            lead = [line for s in self.body if id(s) in out.removed and id(s) not in moved
                    for line in _comments(s.leading_lines)]
            out.new[0] = out.new[0].with_changes(leading_lines=[cst.EmptyLine(indent=False)] * self.blank + lead)
            new_batch = new_batch.with_changes(
                leading_lines=[cst.EmptyLine(indent=False)] * self.blank + _comments(out.batch.leading_lines))
        out.new.append(new_batch)
        out.removed.add(id(out.batch))


def _read_of(lines, queue: str, after: int = -1):
    """(index, line) of ``key, value = reader.read(queue)`` among ``lines`` after ``after``; (None, None)."""
    return next(((i, s) for i, s in enumerate(lines) if i > after and _assign(s) is not None
                 and queries.is_method_call(_assign(s).value, ("read",)) and _reads_queue(_assign(s).value, queue)),
                (None, None))


def _used(lines, name: str, outside: Set[int]) -> bool:
    """Is ``name`` read or bound in ``lines`` not in ``outside``?"""
    return any(queries.holds(line, cst.Name, lambda n: n.value == name) for line in lines if id(line) not in outside)


def _reads_its_queue(func: cst.FunctionDef) -> bool:
    """``def f(queue)`` (other parameters with defaults, which the dataset's map leaves to them) whose lines read
    ``queue`` once, by ``key, value = reader.read(queue)``, and end with its one ``return`` of a value (no
    other, no yield, no function inside)."""
    params = func.params
    if not params.params or any(p.default is None for p in params.params[1:]) or params.posonly_params or \
            params.star_arg is not cst.MaybeSentinel.DEFAULT or params.kwonly_params or \
            params.star_kwarg is not None or func.decorators or not isinstance(func.body, cst.IndentedBlock):
        return False
    lines, queue = list(func.body.body), params.params[0].name.value
    read = _read_of(lines, queue)[1]
    last, returns = lines[-1], queries.find(func.body, cst.Return)
    return read is not None and not _used(lines, queue, {id(read)}) and len(returns) == 1 and isinstance(
        last, cst.SimpleStatementLine) and last.body[-1] is returns[0] and returns[0].value is not None and \
        not queries.holds(func.body, (cst.Yield, cst.FunctionDef, cst.Lambda))


def _sets_shape(small, elements: Set[str]) -> bool:
    """``image.set_shape([28, 28])`` on an element."""
    value = small.value if isinstance(small, cst.Expr) else None
    return queries.is_method_call(value, ("set_shape",)) and isinstance(value.func.value, cst.Name) and \
        value.func.value.value in elements


def _comments(lines) -> list:
    """``lines`` from their first comment on (the blank lines before it go)."""
    lines = list(lines)
    while lines and lines[0].comment is None:
        lines.pop(0)
    return lines


def _reads_queue(call: cst.Call, queue: str) -> bool:
    """``reader.read(queue)``."""
    return len(call.args) == 1 and isinstance(call.args[0].value, cst.Name) and call.args[0].value.value == queue


def _converted(reader: _Reader, lines: list, pipelines: List[_Pipeline], back: Dict[int, cst.CSTNode]):
    """``lines`` (a module's or a function's) with each pipeline they build as a dataset; the pipelines
    join ``pipelines``. ``lines`` itself where there is none."""
    reader.body = lines
    found = [reader.pipeline(i) for i, stmt in enumerate(lines) if _assign(stmt) is not None
             and reader.name(_assign(stmt).value) in _PRODUCERS]
    if not found:
        return lines
    pipelines += found
    body: List[cst.BaseStatement] = []
    for stmt in lines:
        owner = next((p for p in found if id(stmt) in p.removed), None)
        if owner is None:
            body.append(stmt)
        elif stmt is owner.batch:
            for new in owner.new:
                back.update((id(node), stmt) for node in queries.every_node(new))
                body.append(new)
    return body


def rewritten(module: cst.Module, imports) -> Optional[Tuple[cst.Module, Dict[int, cst.CSTNode], Optional[cst.CSTNode]]]:
    """The program with its queue pipelines as datasets, {id of a node of it: the node as written} for the
    nodes it changed or made, and the batch line of a pipeline that shuffles (None: none does); None when
    the program has no queue producer. Raises Unsupported for a pipeline this rewrite does not read."""
    reader = _Reader(module, imports)
    if reader.tf is None:
        return None
    back: Dict[int, cst.CSTNode] = {}
    pipelines: List[_Pipeline] = []
    body = _converted(reader, list(module.body), pipelines, back)
    for at, stmt in enumerate(body):  # pipelines a function builds (input functions: input_functions.py)
        if isinstance(stmt, cst.FunctionDef) and isinstance(stmt.body, cst.IndentedBlock):
            reader.blank = 1
            lines = list(stmt.body.body)
            inner = _converted(reader, lines, pipelines, back)
            if inner is not lines:
                body[at] = stmt.with_changes(body=stmt.body.with_changes(body=inner))
                back[id(body[at])] = stmt
    if not pipelines:
        return None
    for at, stmt in enumerate(body):
        if id(stmt) in reader.helpers:
            body[at] = reader.helpers[id(stmt)]
            back.update((id(node), stmt) for node in queries.every_node(body[at]))
    new_module = coordinators.removed(module, module.with_changes(body=body), reader.name, reader.fresh, back)
    back[id(new_module)] = module
    return new_module, back, next((p.batch for p in pipelines if p.shuffles), None)
