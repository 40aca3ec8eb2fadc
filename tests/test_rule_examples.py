"""Every rule's own VALID and INVALID examples, run: its documentation cannot drift."""
from __future__ import annotations

import pytest

from tfmigrate.engine import Options, process_text
from tfmigrate.registry import all_rules

RULES = all_rules()
VALID = [(rule, code) for rule in RULES for code in rule.VALID]
INVALID = [(rule, example) for rule in RULES for example in rule.INVALID]


def _ids(items):
    return [f"{rule.code}-{i}" for i, (rule, _) in enumerate(items)]


@pytest.mark.parametrize("rule,code", VALID, ids=_ids(VALID))
def test_valid_example_is_not_flagged(rule, code):
    outcome = process_text(code, "example.py", Options())
    assert [f.code for f in outcome.findings if f.code == rule.code] == []


@pytest.mark.parametrize("rule,example", INVALID, ids=_ids(INVALID))
def test_invalid_example_is_flagged_and_fixed(rule, example):
    outcome = process_text(example.code, "example.py", Options(fix=True, unsafe_fixes=example.unsafe))
    assert rule.code in {f.code for f in outcome.findings}
    if example.expected is not None:
        assert outcome.new_text == example.expected
        again = process_text(outcome.new_text, "example.py", Options(fix=True, unsafe_fixes=example.unsafe))
        assert again.new_text == outcome.new_text


def test_every_rule_is_documented_with_examples():
    for rule in RULES:
        assert rule.code.startswith("TFM") and rule.code[3:].isdigit()
        assert rule.documentation(), rule.code
        assert rule.INVALID or rule.code == "TFM900", rule.code


def test_codes_are_unique_and_sorted():
    codes = [rule.code for rule in RULES]
    assert codes == sorted(set(codes))
