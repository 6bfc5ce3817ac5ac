"""Every ADaM dataset of the spec has its walkthrough in docs/adam/, and the walkthrough names every
variable of the dataset (so a variable added to the spec cannot go undocumented)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cdisc_pipe.spec.adam_load import load_adam_spec

DOCS = Path(__file__).resolve().parents[2] / "docs" / "adam"


@pytest.fixture(scope="module")
def adam_spec(study):
    return load_adam_spec(study)


def test_every_dataset_has_a_walkthrough_linked_from_the_index(adam_spec):
    index = (DOCS / "README.md").read_text(encoding="utf-8")
    for name in adam_spec:
        page = DOCS / f"{name.lower()}.md"
        assert page.is_file(), f"docs/adam/{page.name} must exist for {name}"
        assert f"{name.lower()}.md" in index, f"docs/adam/README.md must link {page.name}"


def test_every_variable_is_named_in_its_walkthrough(adam_spec):
    missing = {}
    for name, dataset in adam_spec.items():
        text = (DOCS / f"{name.lower()}.md").read_text(encoding="utf-8")
        absent = [v.name for v in dataset.variables if not re.search(rf"\b{v.name}\b", text)]
        if absent:
            missing[name] = absent
    assert missing == {}
