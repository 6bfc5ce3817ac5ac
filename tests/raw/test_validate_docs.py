"""``docs/errors.md`` documents every raw rule id with its severity, and nothing that does not exist."""

from __future__ import annotations

import re
from pathlib import Path

from cdisc_pipe.raw.rules import RULES

DOC = Path(__file__).resolve().parents[2] / "docs" / "errors.md"


def test_every_rule_is_documented_with_its_severity():
    text = DOC.read_text(encoding="utf-8")
    sections = dict(re.findall(r"^### (RAW-[A-Z-]+)\n\*(\w+)\.\*", text, flags=re.MULTILINE))
    assert set(sections) == set(RULES)
    assert {rule: RULES[rule].severity.value for rule in sections} == sections


def test_every_documented_section_has_an_example_message():
    text = DOC.read_text(encoding="utf-8")
    for block in re.split(r"^### ", text, flags=re.MULTILINE)[1:]:
        rule = block.split("\n", 1)[0]
        assert re.search(r"^    `[A-Za-z0-9_]+[.`]", block, flags=re.MULTILINE), rule
