"""The findings report as data: what the HTML page shows, computed once and independent of its layout."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from cdisc_pipe.errors import Report, Severity
from cdisc_pipe.raw.model import RawExport
from cdisc_pipe.raw.rules import RULES
from cdisc_pipe.spec.model import Study

__all__ = ["FormSummary", "build_findings_context"]

_SEVERITIES = tuple(Severity)


@dataclass(frozen=True)
class FormSummary:
    """One form as checked: its file, whether it was there, its records and columns, and its findings."""

    id: str
    name: str
    file: str
    present: bool
    records: int
    columns: int
    counts: dict[str, int]
    findings: list[dict[str, Any]]
    more: int

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _counts(frame: pd.DataFrame) -> dict[str, int]:
    by = frame["severity"].value_counts() if not frame.empty else pd.Series(dtype="int64")
    return {s.value: int(by.get(s.value, 0)) for s in _SEVERITIES}


def build_findings_context(
    report: Report,
    *,
    study: Study,
    export: RawExport,
    generated_at: str | None = None,
    max_details_per_form: int = 500,
) -> dict[str, Any]:
    """Everything ``templates/findings.html.j2`` renders: summary counts (per severity, per form, per rule),
    the forms checked with their record counts, the details per form (at most ``max_details_per_form``
    findings each, the rest counted), and every rule that was checked.

    Only ``generated_at`` (when given) varies between runs on the same data; the context is otherwise
    a pure function of its inputs.
    """
    frame = report.to_frame()
    rows = frame.astype(object).where(frame.notna(), None)
    forms: list[FormSummary] = []
    for form in study.forms:
        raw = export.forms.get(form.id)
        mine = rows[rows["dataset"] == form.id]
        shown = mine.head(max_details_per_form).to_dict("records")
        forms.append(
            FormSummary(
                id=form.id,
                name=form.name,
                file=raw.file if raw is not None else form.file,
                present=raw is not None,
                records=raw.n_records if raw is not None else 0,
                columns=len(raw.frame.columns) - 1 if raw is not None else 0,
                counts=_counts(mine),
                findings=shown,
                more=len(mine) - len(shown),
            )
        )
    other = rows[~rows["dataset"].isin([f.id for f in study.forms])]
    per_rule = report.by_rule()
    rules = [
        {"id": r["rule"], "severity": r["severity"], "count": int(r["count"]),
         "title": RULES[r["rule"]].title if r["rule"] in RULES else ""}
        for r in per_rule.to_dict("records")
    ]
    return {
        "title": f"Raw validation - {study.studyid}",
        "study": {"studyid": study.studyid, "title": study.title},
        "export": {"source": Path(export.source).name or str(export.source), "format": export.format},
        "generated_at": generated_at,
        "total": len(frame),
        "counts": _counts(frame),
        "severities": [s.value for s in _SEVERITIES],
        "has_errors": report.has_errors,
        "forms": forms,
        "records": sum(f.records for f in forms),
        "other_findings": other.to_dict("records"),
        "rules": rules,
        "checked": list(RULES.values()),
        "max_details_per_form": max_details_per_form,
    }
