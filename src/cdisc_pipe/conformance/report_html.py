"""The conformance report as files: ``conformance.json`` (everything) and ``conformance.html`` (the four
Pinnacle 21-style sheets, details capped per dataset and rule). Same report, same bytes."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from cdisc_pipe.conformance.report import SEVERITIES, ConformanceReport
from cdisc_pipe.report.templates import template_environment

__all__ = ["TEMPLATE", "ReportFiles", "build_context", "render_html", "write_report"]

TEMPLATE = "conformance.html.j2"


@dataclass(frozen=True)
class ReportFiles:
    json: Path
    html: Path


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def build_context(report: ConformanceReport, *, max_details: int = 1000,
                  generated_at: str | None = None) -> dict[str, Any]:
    """What the template renders; a pure function of the report (and ``generated_at``)."""
    summary = report.dataset_summary()
    summary["total"] = summary[SEVERITIES].sum(axis=1)
    core = {r.id: "; ".join(r.core) for r in report.rules}
    issue_summary = report.issue_summary()
    issue_summary["core"] = issue_summary["rule"].map(core).fillna("")
    details = []
    issues = report.issues
    for name in summary.loc[summary["total"] > 0, "dataset"]:
        mine = issues[issues["dataset"] == name]
        rank = mine.groupby("rule", sort=False).cumcount()
        shown = mine[rank < max_details]
        counts = mine.groupby("rule", sort=False).size()
        more = [{"rule": r, "count": int(n - max_details)} for r, n in counts.items() if n > max_details]
        details.append({"dataset": name, "issues": _records(shown), "more": more})
    return {
        "title": "Conformance report",
        "source": str(report.study.root) if report.study.root is not None else "(datasets in memory)",
        "defines": [str(p) for p in report.study.defines],
        "generated_at": generated_at,
        "severities": SEVERITIES,
        "counts": report.counts(),
        "total": len(issues),
        "has_errors": report.has_errors,
        "records": int(summary["records"].sum()),
        "datasets": _records(summary),
        "issue_summary": _records(issue_summary),
        "details": details,
        "rules": _records(report.rules_table()),
        "max_details": max_details,
    }


def render_html(report: ConformanceReport, *, max_details: int = 1000, generated_at: str | None = None) -> str:
    folder = Path(str(resources.files("cdisc_pipe.conformance") / "templates"))
    context = build_context(report, max_details=max_details, generated_at=generated_at)
    return template_environment(folder).get_template(TEMPLATE).render(**context)


def write_report(report: ConformanceReport, out_dir: str | Path, *, max_details: int = 1000,
                 generated_at: str | None = None) -> ReportFiles:
    """Write ``conformance.json`` and ``conformance.html`` into ``out_dir`` (created if needed)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = ReportFiles(json=out / "conformance.json", html=out / "conformance.html")
    files.json.write_text(report.to_json(), encoding="utf-8", newline="")
    files.html.write_text(render_html(report, max_details=max_details, generated_at=generated_at),
                          encoding="utf-8", newline="")
    return files
