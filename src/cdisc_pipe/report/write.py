"""Writers of the raw findings: CSV and JSON for tools, HTML for people. Same inputs, same bytes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cdisc_pipe.errors import FINDING_COLUMNS, Report
from cdisc_pipe.raw.model import RawExport
from cdisc_pipe.report.context import build_findings_context
from cdisc_pipe.report.templates import template_environment, templates_dir
from cdisc_pipe.spec.model import Study

__all__ = ["FindingsFiles", "FINDINGS_TEMPLATE", "render_findings_html", "write_findings"]

#: The jinja2 template of the HTML page, in :func:`~cdisc_pipe.report.templates.templates_dir`.
FINDINGS_TEMPLATE = "findings.html.j2"


@dataclass(frozen=True)
class FindingsFiles:
    """Paths of the three files :func:`write_findings` wrote."""

    csv: Path
    json: Path
    html: Path


def render_findings_html(
    report: Report,
    *,
    study: Study,
    export: RawExport,
    generated_at: str | None = None,
    max_details_per_form: int = 500,
    templates: Path | None = None,
) -> str:
    """The HTML page of ``report`` (autoescaped), from ``templates/findings.html.j2``."""
    folder = templates if templates is not None else templates_dir(FINDINGS_TEMPLATE)
    context = build_findings_context(
        report, study=study, export=export, generated_at=generated_at, max_details_per_form=max_details_per_form
    )
    return template_environment(folder).get_template(FINDINGS_TEMPLATE).render(**context)


def write_findings(
    report: Report,
    out_dir: Path,
    *,
    study: Study,
    export: RawExport,
    generated_at: str | None = None,
    max_details_per_form: int = 500,
    templates: Path | None = None,
) -> FindingsFiles:
    """Write ``raw-findings.csv``, ``raw-findings.json`` and ``raw-validation.html`` into ``out_dir``.

    The CSV has one row per finding and the columns of :class:`~cdisc_pipe.errors.Finding` (UTF-8, ``\\n``
    line ends); the JSON is :meth:`Report.to_json`; the HTML shows at most ``max_details_per_form``
    findings per form and points to the CSV for the rest. Nothing time-dependent is written unless
    ``generated_at`` is passed.
    """
    html = render_findings_html(
        report,
        study=study,
        export=export,
        generated_at=generated_at,
        max_details_per_form=max_details_per_form,
        templates=templates,
    )
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = FindingsFiles(
        csv=out / "raw-findings.csv", json=out / "raw-findings.json", html=out / "raw-validation.html"
    )
    csv_text = report.to_frame()[FINDING_COLUMNS].to_csv(index=False, lineterminator="\n")
    files.csv.write_text(csv_text, encoding="utf-8", newline="")
    files.json.write_text(report.to_json(), encoding="utf-8", newline="")
    files.html.write_text(html, encoding="utf-8", newline="")
    return files
