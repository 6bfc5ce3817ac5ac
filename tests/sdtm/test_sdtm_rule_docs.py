"""``docs/errors.md`` documents every SDTM rule id the code raises, with its severity and example messages the
code really writes, and nothing that does not exist."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from cdisc_pipe.sdtm.assemble import build_sdtm
from cdisc_pipe.sdtm.reconcile import load_not_mapped, reconcile

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "errors.md"
SOURCES = [REPO / "src" / "cdisc_pipe" / "sdtm", REPO / "src" / "cdisc_pipe" / "spec"]
RULE_IN_CODE = re.compile(r"""rule\s*=\s*["'](SDTM-[A-Z0-9-]+)["']""")
SECTION = re.compile(r"^### (SDTM-[A-Z0-9-]+)\n\*(\w+)\.\*", flags=re.MULTILINE)


def rules_in_code() -> set[str]:
    return {rule for folder in SOURCES for path in sorted(folder.rglob("*.py"))
            for rule in RULE_IN_CODE.findall(path.read_text(encoding="utf-8"))}


def documented() -> dict[str, tuple[str, list[str]]]:
    """Rule id -> (severity, example messages) of every ``### SDTM-...`` section."""
    text = DOC.read_text(encoding="utf-8")
    sections = {}
    for block in re.split(r"^### ", text, flags=re.MULTILINE)[1:]:
        match = SECTION.match("### " + block)
        if match:
            examples = re.findall(r"^    (\S.*)$", block, flags=re.MULTILINE)
            sections[match.group(1)] = (match.group(2), examples)
    return sections


def test_the_code_raises_the_rules_the_stage_is_known_for():
    assert rules_in_code() >= {"SDTM-CT-UNMAPPED", "SDTM-SOURCE-MISSING", "SDTM-AGE-UNDETERMINED",
                               "SDTM-DICT-UNCODED", "SDTM-CRITERION-UNKNOWN", "SDTM-RECON-UNACCOUNTED"}


def test_every_sdtm_rule_is_documented_and_nothing_else():
    assert set(documented()) == rules_in_code()


def test_sdtm_sections_follow_the_sdtm_heading_each_with_an_example():
    text = DOC.read_text(encoding="utf-8")
    heading = text.index("\n## SDTM stage\n")
    assert all(m.start() > heading for m in SECTION.finditer(text))
    assert {rule: bool(examples) for rule, (_, examples) in documented().items()} == dict.fromkeys(documented(), True)


@pytest.fixture(scope="module")
def findings(default_export, study):
    """Findings of the SDTM stage on a copy of the shipped export with one problem per rule."""

    def edited(form: str, change):
        raw = default_export.forms[form]
        return dataclasses.replace(raw, frame=change(raw.frame.copy()))

    def put(frame, row: int, column: str, value: str):
        frame.loc[row, column] = value
        return frame

    forms = dict(default_export.forms)
    forms["DM"] = edited("DM", lambda f: put(put(f, 0, "SEX", "7"), 1, "BRTHDAT", "UN UNK 1960"))
    forms["AE"] = edited("AE", lambda f: put(f, 0, "AETERM", "Itchy skin"))
    forms["IE"] = edited("IE", lambda f: put(f, 0, "IECRIT", "IN99"))
    forms["EX"] = edited("EX", lambda f: f.drop(columns=["EXVOL"]))
    result = build_sdtm(dataclasses.replace(default_export, forms=forms), study)
    lineage = result.lineage[~((result.lineage["RAW_FORM"] == "MH") & result.lineage["RAW_ROW"].isin([4, 9, 17]))]
    _, unaccounted = reconcile(default_export, lineage, study, load_not_mapped(study))
    return [*result.report.findings, *unaccounted]


def test_every_rule_is_raised_by_its_problem_with_the_documented_severity(findings):
    raised = {(f.rule, f.severity.value) for f in findings}
    expected = {(rule, severity) for rule, (severity, _) in documented().items()}
    assert raised == expected, (f"raised but not documented so {sorted(raised - expected)}, documented but not "
                                f"raised {sorted(expected - raised)}; a new rule needs a problem that triggers it "
                                "in the `findings` fixture")


@pytest.mark.parametrize("rule", sorted(documented()))
def test_documented_examples_are_messages_the_code_writes(findings, rule):
    written = {f.message for f in findings if f.rule == rule}
    _, examples = documented()[rule]
    assert set(examples) <= written, f"{rule}: examples not written by the code: {sorted(set(examples) - written)}"


def test_findings_point_at_the_raw_record(findings):
    by_rule = {}
    for finding in findings:
        by_rule.setdefault(finding.rule, finding)
    ct = by_rule["SDTM-CT-UNMAPPED"]
    assert (ct.stage, ct.dataset, ct.file, ct.row, ct.variable, ct.subject, ct.value) == (
        "sdtm", "DM", "dm.csv", 1, "SEX", "01-001", "7")
    recon = by_rule["SDTM-RECON-UNACCOUNTED"]
    assert (recon.dataset, recon.file, recon.row, recon.value) == ("MH", "mh.csv", 4, "3")
