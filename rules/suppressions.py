"""Suppression comments that no longer suppress anything."""
from __future__ import annotations

from tfmigrate.rule import Invalid, Rule


class UnusedSuppression(Rule):
    """A `# tfmigrate: ignore[...]` (or `# noqa: TFM...`) with nothing to suppress.

    What it finds: a suppression comment on a line where none of the codes it
    names is reported any more, typically because the code was migrated.

    Why: `check --add-ignore` lets a code base adopt tfmigrate at once and
    shrink the list of suppressions as the migration goes on; a suppression
    left behind would hide the next real finding on that line.

    Fix: none; delete the comment (or the codes it no longer needs).

    Known limits: a bare `# noqa` without codes is left alone, since other
    linters read it too. The engine reports this rule itself, after the
    other rules have run.
    """

    code = "TFM900"
    name = "unused-suppression"
    level = "warning"  # housekeeping: the code runs either way
    VALID = ["import tensorflow as tf\nx = tf.random_normal([2])  # tfmigrate: ignore[TFM101]\n"]
    INVALID = [Invalid("import tensorflow as tf\nx = tf.zeros([2])  # tfmigrate: ignore[TFM101]\n")]
