"""Conformance checking of SDTM and ADaM datasets: rules as data, a small vocabulary of vectorised ops,
and a report laid out like Pinnacle 21 Community's.

    from cdisc_pipe.conformance import check_folder
    report = check_folder("out/m5")          # any folder of .xpt files (+ define.xml)
    report.counts()                          # {"Reject": 0, "Error": 3, "Warning": 12, "Notice": 40}
    write_report(report, "out/reports")      # conformance.json + conformance.html

- :mod:`.model` datasets, rules, severities
- :mod:`.load` / :mod:`.define_read` reading a folder of XPT files and its define.xml
- :mod:`.ops` (+ ``ops_values``, ``ops_groups``, ``ops_refs``, ``ops_meta``) the check vocabulary
- :mod:`.rules_load` the rule YAML, validated on load; :mod:`.engine` runs them
- :mod:`.report`, :mod:`.report_html` the report sheets, JSON and HTML

docs/conformance.md describes the rule format, every op and every rule.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

import pandas as pd

from cdisc_pipe.conformance.engine import run_rules
from cdisc_pipe.conformance.load import LoadProblem, make_dataset, read_folder
from cdisc_pipe.conformance.model import CheckSeverity, Dataset, Rule, Scope, Study, variables_table
from cdisc_pipe.conformance.report import ISSUE_COLUMNS, ConformanceReport
from cdisc_pipe.conformance.report_html import render_html, write_report
from cdisc_pipe.conformance.rules_load import load_rules

__all__ = ["check_folder", "check_study", "load_rules", "read_folder", "make_dataset", "variables_table",
           "write_report", "render_html", "ConformanceReport", "CheckSeverity", "Dataset", "Study", "Rule",
           "Scope", "READ_RULE"]

#: The one rule not written in YAML: a file that cannot be read as SAS XPORT v5 at all.
READ_RULE = Rule(
    id="XP-READ", title="Transport file is readable", standard="FDA Study Data TCG", section="3.3.1",
    severity=CheckSeverity.REJECT, message="dataset file must be a readable SAS XPORT v5 file",
    scope=Scope(standards=("SDTM", "ADaM"), level="study"), check={},
)


def check_study(study: Study, rules: Iterable[Rule] | None = None,
                problems: Iterable[LoadProblem] = ()) -> ConformanceReport:
    """Run ``rules`` (default: every shipped rule) over ``study``."""
    report = run_rules(study, load_rules() if rules is None else rules)
    problems = list(problems)
    if problems:
        extra = pd.DataFrame({
            "rule": READ_RULE.id, "severity": READ_RULE.severity.value,
            "dataset": [Path(p.file).stem.upper() for p in problems],
            "record": pd.array([pd.NA] * len(problems), "Int64"), "usubjid": pd.NA, "seq": pd.NA,
            "variables": "file", "values": [p.file for p in problems], "expected": "SAS XPORT v5",
            "message": [f"{READ_RULE.message} ({p.message})" for p in problems],
        })
        report = ConformanceReport(issues=pd.concat([report.issues, extra[ISSUE_COLUMNS]], ignore_index=True),
                                   study=study, rules=(READ_RULE, *report.rules), executions=report.executions)
    return report


def check_folder(path: str | Path, rules: Iterable[Rule] | None = None) -> ConformanceReport:
    """Check every ``.xpt`` under ``path`` (with the define.xml beside them) — what ``cdisc-pipe check``
    runs. Data problems are issues in the report; only an unusable folder raises (InputError)."""
    study, problems = read_folder(Path(path))
    return check_study(study, rules, problems)
