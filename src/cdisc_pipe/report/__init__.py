"""Findings reports: CSV and JSON for tools, an HTML page (jinja2) for data managers."""

from cdisc_pipe.report.context import build_findings_context
from cdisc_pipe.report.templates import templates_dir
from cdisc_pipe.report.write import FindingsFiles, render_findings_html, write_findings

__all__ = ["FindingsFiles", "build_findings_context", "render_findings_html", "templates_dir", "write_findings"]
