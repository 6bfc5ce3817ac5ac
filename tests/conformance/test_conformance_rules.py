"""One passing and one failing literal case per conformance rule (cases/*.yaml, see literal.py)."""

from __future__ import annotations

import pytest

from cdisc_pipe.conformance import check_study, load_rules

from conformance_literal import build_study, load_cases

RULES = {rule.id: rule for rule in load_rules()}
CASES = load_cases()


def test_every_rule_has_a_case() -> None:
    assert sorted(set(RULES) - set(CASES)) == []


def test_every_case_names_a_rule() -> None:
    assert sorted(set(CASES) - set(RULES)) == []


@pytest.mark.parametrize("rule_id", sorted(set(RULES) & set(CASES)))
def test_rule_passes_on_conforming_data(rule_id: str) -> None:
    report = check_study(build_study(CASES[rule_id], "pass"), [RULES[rule_id]])
    assert report.issues[["dataset", "record", "variables", "values"]].to_dict("records") == []
    assert any(e.status == "checked" for e in report.executions), report.executions


@pytest.mark.parametrize("rule_id", sorted(set(RULES) & set(CASES)))
def test_rule_flags_the_failing_records(rule_id: str) -> None:
    case = CASES[rule_id]
    report = check_study(build_study(case, "fail"), [RULES[rule_id]])
    assert len(report.issues) > 0, f"{rule_id} found nothing in its failing case ({case['_file']})"
    assert set(report.issues["rule"]) == {rule_id}
    if "flagged" in case:
        got = sorted(flagged(report), key=str)
        want = sorted({(d, r) for d, r in case["flagged"]}, key=str)
        assert got == want


def flagged(report) -> set[tuple[str, int | None]]:
    """(dataset, record) pairs of a report; None for dataset-level issues."""
    records = report.issues["record"].astype(object).where(report.issues["record"].notna(), None)
    return {(d, None if r is None else int(r)) for d, r in zip(report.issues["dataset"], records)}


def test_docs_list_every_rule() -> None:
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[2] / "docs" / "conformance.md").read_text(encoding="utf-8")
    assert [rule_id for rule_id in RULES if f"`{rule_id}`" not in docs] == []
