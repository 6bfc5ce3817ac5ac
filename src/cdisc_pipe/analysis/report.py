"""The analysis report: the ARD rendered as HTML tables beside the figures, and the reproduction table.

Every cell of the report comes from an ARD row (``cdisc_pipe.analysis.ard``); :func:`ard_table` pivots the
rows of one analysis into a table (rows × columns of ARD fields), formatting numbers for reading only: counts
as whole numbers, p-values to 4 decimals rounded half-up (``<0.0001`` below), other statistics to 3
significant decimals. The ARD files keep full precision.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape

from cdisc_pipe.analysis.methods.continuous import format_p_value
from cdisc_pipe.paths import templates_dir

__all__ = ["Table", "Section", "ard_table", "table", "format_cell", "render_report"]

_P_STATISTICS = {"P", "P_GG", "PVALUE", "P_EXACT", "P_ASYMP"}
_COUNT_PREFIXES = ("N", "+", "-", "POS", "NEG", "BASE")


@dataclass(frozen=True)
class Table:
    title: str
    html: str
    note: str = ""


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    text: str
    figures: tuple[tuple[str, str], ...]  # (relative path, caption)
    tables: tuple[Table, ...]


def format_cell(statistic: str, value: float, text: str) -> str:
    """A value as the report prints it (the ARD keeps full precision)."""
    if text:
        return text
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if statistic.upper() in _P_STATISTICS or statistic.upper().startswith("P_") or statistic.upper() == "P":
        return format_p_value(float(value))
    if float(value).is_integer() and (statistic.upper().startswith(_COUNT_PREFIXES) or abs(value) < 1e15):
        return str(int(value))
    return f"{value:.3f}"


def ard_table(ard: pd.DataFrame, analysis: str | Sequence[str], *, rows: Sequence[str],
              columns: Sequence[str], statistics: Sequence[str] | None = None,
              paramcds: Sequence[str] | None = None) -> pd.DataFrame:
    """The rows of ``analysis`` (one id or several) pivoted: ``rows`` and ``columns`` name ARD fields
    (e.g. rows=["PARAM", "AVISIT"], columns=["GROUP", "STATISTIC"]); ``statistics`` keeps those, in that
    order. Row and column order follow the ARD's order fields (GROUPN, AVISITN) where present."""
    ids = [analysis] if isinstance(analysis, str) else list(analysis)
    part = ard[ard["ANALYSIS"].isin(ids)]
    if paramcds is not None:
        part = part[part["PARAMCD"].isin(paramcds)]
    if statistics is not None:
        part = part[part["STATISTIC"].isin(statistics)]
    if part.empty:
        return pd.DataFrame()
    part = part.assign(CELL=[format_cell(s, v, t) for s, v, t in
                             zip(part["STATISTIC"], part["VALUE"], part["VALUEC"])])
    order = {name: i for i, name in enumerate(statistics or [])}
    part = part.assign(_STAT=part["STATISTIC"].map(order).fillna(len(order)),
                       _ROW=np.arange(len(part)))
    part = part.sort_values(["GROUPN", "AVISITN", "_STAT", "_ROW"], kind="stable", na_position="first")
    table = part.pivot_table(index=list(rows), columns=list(columns), values="CELL", aggfunc="first", sort=False)
    return table.fillna("")


def _html(frame: pd.DataFrame) -> str:
    if frame.empty:
        return "<p class='empty'>No records.</p>"
    return frame.to_html(escape=True, border=0, classes="t", na_rep="")


def table(ard: pd.DataFrame, title: str, analysis: str | Sequence[str], *, rows: Sequence[str],
          columns: Sequence[str], statistics: Sequence[str] | None = None, paramcds: Sequence[str] | None = None,
          note: str = "") -> Table:
    frame = ard_table(ard, analysis, rows=rows, columns=columns, statistics=statistics, paramcds=paramcds)
    methods = sorted(set(ard.loc[ard["ANALYSIS"].isin([analysis] if isinstance(analysis, str) else analysis),
                                 "METHOD"]) - {""})
    text = " ".join(filter(None, [note, ("Method: " + "; ".join(methods)) if methods else ""]))
    return Table(title=title, html=_html(frame), note=text)


def render_report(*, study, sections: Sequence[Section], reproduction: pd.DataFrame | None,
                  summary: Mapping[str, object] | None, datasets: Mapping[str, int]) -> str:
    """The HTML report (templates/analysis-report.html.j2), autoescaped; tables are pre-rendered HTML."""
    env = Environment(loader=FileSystemLoader(str(templates_dir())), autoescape=select_autoescape(["html", "j2"]),
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    repro_html = ""
    if reproduction is not None and len(reproduction):
        shown = reproduction[["id", "description", "published", "computed", "rule", "reading", "match", "note"]]
        shown = shown.assign(match=shown["match"].map({True: "yes", False: "NO"}))
        repro_html = shown.to_html(escape=True, border=0, classes="t repro", index=False, na_rep="")
    return env.get_template("analysis-report.html.j2").render(
        study=study, sections=sections, reproduction_html=repro_html, summary=summary, datasets=datasets)
