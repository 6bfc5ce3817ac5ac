"""Figures of the safety analyses, drawn from ARD rows only: Kaplan-Meier curves with the numbers at risk
[paper Figure 2], the most frequent adverse-event terms by group [Figure 7], and the study flow [Figure 1].

Each ``figure_*(ard, path)`` writes one SVG with the same bytes on every run (``svg.hashsalt`` fixed, no date
metadata, text drawn as paths). matplotlib's object API is used (no pyplot), so no global figure state is
touched. Every number a figure shows comes from an ARD row of :mod:`~cdisc_pipe.analysis.survival`,
:mod:`~cdisc_pipe.analysis.adverse_events` or :mod:`~cdisc_pipe.analysis.flow`.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from cdisc_pipe.analysis.methods.inputs import AnalysisError

__all__ = ["figure_km", "figure_ae_top_terms", "figure_flow"]

STYLE = {"svg.hashsalt": "cdisc_pipe", "svg.fonttype": "path", "font.size": 9, "axes.spines.top": False,
         "axes.spines.right": False}
COLOURS = ["#1b6ca8", "#d1495b", "#2a9d8f", "#8d6a9f", "#e09f3e", "#6c757d"]
ALL = "ALL"


def _rows(ard: pd.DataFrame, analysis: str, **where: str) -> pd.DataFrame:
    mask = ard["ANALYSIS"].eq(analysis)
    for name, value in where.items():
        mask &= ard[name].eq(value)
    if not mask.any():
        raise AnalysisError(f"ARD must hold rows of {analysis} {where or ''} to draw the figure (got none)")
    return ard[mask]


def _groups(rows: pd.DataFrame) -> list[str]:
    """Treatment groups in GROUPN order (ALL and across-group rows left out)."""
    named = rows[rows["GROUPN"].notna()].drop_duplicates("GROUP").sort_values("GROUPN")
    return named["GROUP"].tolist()


def _save(figure: Figure, path: Path) -> None:
    with matplotlib.rc_context(STYLE):
        figure.savefig(Path(path), format="svg", metadata={"Date": None})


def _value(rows: pd.DataFrame, statistic: str, group: str | None = None) -> float:
    chosen = rows[rows["STATISTIC"].eq(statistic) & (rows["GROUP"].eq(group) if group is not None else True)]
    return float(chosen["VALUE"].iloc[0]) if len(chosen) else float("nan")


def _time_axis(labels: list[str]) -> tuple[str, list[str]]:
    """Axis title and tick labels from time-point labels such as "MONTH 6" or "DAY 85"."""
    units = {label.split(" ")[0] for label in labels}
    if len(units) == 1 and units <= {"MONTH", "DAY", "WEEK"}:
        unit = units.pop().lower()
        return f"{unit.capitalize()}s since first infusion", [label.split(" ", 1)[1] for label in labels]
    return "Time since first infusion", labels


def figure_km(ard: pd.DataFrame, path: Path, *, paramcd: str = "OS") -> None:
    """Kaplan-Meier curves by group (censorings marked), the log-rank test in the title, and the numbers at
    risk under the plot; from SURV-KM-CURVE, SURV-NRISK and SURV-LOGRANK rows of ``paramcd``."""
    curve = _rows(ard, "SURV-KM-CURVE", PARAMCD=paramcd)
    risk = _rows(ard, "SURV-NRISK", PARAMCD=paramcd)
    groups = _groups(curve)
    ticks = risk.drop_duplicates("AVISITN").sort_values("AVISITN")
    xlabel, ticklabels = _time_axis(ticks["AVISIT"].tolist())
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(8.0, 5.4))
        grid = figure.add_gridspec(2, 1, height_ratios=[4, 0.35 + 0.25 * len(groups)], hspace=0.4,
                                   left=0.26, right=0.97, top=0.9, bottom=0.07)
        axes, table = figure.add_subplot(grid[0]), figure.add_subplot(grid[1])
        for k, group in enumerate(groups):
            wide = curve[curve["GROUP"].eq(group)].pivot_table(index="AVISITN", columns="STATISTIC", values="VALUE")
            colour = COLOURS[k % len(COLOURS)]
            axes.step(wide.index, wide["SURV"], where="post", color=colour, linewidth=1.6,
                      label=f"{group} (N = {int(wide['N_RISK'].iloc[0])})")
            censored = wide[wide["N_CENSOR"] > 0]
            axes.plot(censored.index, censored["SURV"], linestyle="none", marker="|", markersize=8, color=colour)
        axes.set_ylim(-0.02, 1.05)
        axes.set_xlim(left=0)
        axes.set_xticks(ticks["AVISITN"], ticklabels)
        axes.set_ylabel(("Survival" if paramcd == "OS" else "Event-free") + " probability (Kaplan-Meier)")
        axes.set_xlabel(xlabel)
        axes.legend(loc="lower left", frameon=False)
        param = curve["PARAM"].iloc[0]
        test = ard[ard["ANALYSIS"].eq("SURV-LOGRANK") & ard["PARAMCD"].eq(paramcd) & ard["GROUP"].eq("")]
        title = param
        if len(test):
            title += (f"\nlog-rank chi-square = {_value(test, 'CHISQ'):.4f}, df = {_value(test, 'DF'):.0f}, "
                      f"P = {_value(test, 'P'):.4f}")
        axes.set_title(title, loc="left")
        table.set_xlim(axes.get_xlim())
        table.set_ylim(-0.5, len(groups) - 0.5)
        table.set_xticks([])
        table.set_yticks(np.arange(len(groups)), list(reversed(groups)))
        table.tick_params(length=0, pad=14)
        for side in ("left", "bottom"):
            table.spines[side].set_visible(False)
        table.set_title("Number at risk", loc="left", fontsize=9)
        for k, group in enumerate(groups):
            at = risk[risk["GROUP"].eq(group)].sort_values("AVISITN")
            for x, n in zip(at["AVISITN"], at["VALUE"]):
                table.text(x, len(groups) - 1 - k, f"{n:.0f}", ha="center", va="center",
                           color=COLOURS[k % len(COLOURS)])
        _save(figure, path)


def figure_ae_top_terms(ard: pd.DataFrame, path: Path, *, scope: str = "T1", top: int = 15) -> None:
    """Horizontal grouped bars: events of the ``top`` most frequent AEDECOD terms per group (AE-<scope>-TOP<n>)."""
    rows = _rows(ard, f"AE-{scope}-TOP{top}")
    ranks = rows[rows["STATISTIC"].eq("RANK")].sort_values("VALUE")
    terms = ranks["PARAMCD"].tolist()
    counts = rows[rows["STATISTIC"].eq("N_EVENTS")]
    groups = _groups(counts)
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(7.5, 0.9 + 0.36 * len(terms)))
        axes = figure.add_subplot()
        height = 0.8 / max(len(groups), 1)
        positions = np.arange(len(terms))[::-1].astype(float)
        for k, group in enumerate(groups):
            values = counts[counts["GROUP"].eq(group)].set_index("PARAMCD")["VALUE"].reindex(terms).fillna(0.0)
            axes.barh(positions + (len(groups) - 1 - 2 * k) * height / 2, values.to_numpy(), height=height,
                      color=COLOURS[k % len(COLOURS)], label=group)
        axes.set_yticks(positions, terms)
        axes.set_xlabel("Events (person-times)")
        scope_text = "non-serious TEAEs" if scope == "T1" else "all TEAEs"
        axes.set_title(f"The {len(terms)} most frequent adverse events\n{scope_text}, events by group", loc="left")
        axes.xaxis.get_major_locator().set_params(integer=True)
        axes.legend(loc="lower right", frameon=False)
        figure.tight_layout()
        _save(figure, path)


def _flow_count(rows: pd.DataFrame, paramcd: str, group: str) -> str:
    chosen = rows[rows["PARAMCD"].eq(paramcd) & rows["GROUP"].eq(group)]
    value = chosen["VALUE"].iloc[0] if len(chosen) else float("nan")
    return "not in ADaM" if pd.isna(value) else f"{value:.0f}"


def _reasons(rows: pd.DataFrame, group: str) -> list[str]:
    chosen = rows[rows["GROUP"].eq(group) & rows["VALUE"].gt(0)].sort_values("PARAMCD")
    return [f"{p.lower()}: {v:.0f}" for p, v in zip(chosen["PARAMCD"], chosen["VALUE"])]


def figure_flow(ard: pd.DataFrame, path: Path) -> None:
    """The study flow as boxes: screened and screen failures, enrolled, then per group treated, completed the
    24-week follow-up, did not complete (with reasons), died; from FLOW-SCREEN/-DISP/-NCOMPL rows."""
    screen = _rows(ard, "FLOW-SCREEN")
    disp = _rows(ard, "FLOW-DISP")
    ncompl = ard[ard["ANALYSIS"].eq("FLOW-NCOMPL")]
    groups = _groups(disp)
    box = {"boxstyle": "round,pad=0.4", "facecolor": "#f4f6f8", "edgecolor": "#4a5560", "linewidth": 0.8}
    arrow = {"arrowstyle": "->", "color": "#4a5560", "linewidth": 0.8}
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(10.0, 6.0))
        axes = figure.add_axes((0, 0, 1, 1))
        axes.set_axis_off()
        axes.set_xlim(0, 1)
        axes.set_ylim(0, 1)
        axes.text(0.5, 0.94, f"Screened: {_flow_count(screen, 'SCREENED', ALL)}", ha="center", va="center", bbox=box)
        axes.text(0.8, 0.84, f"Screen failures: {_flow_count(screen, 'SCRNFAIL', ALL)}", ha="center", va="center",
                  bbox=box)
        axes.text(0.5, 0.74, f"Enrolled: {_flow_count(disp, 'ENROLLED', ALL)}", ha="center", va="center", bbox=box)
        axes.annotate("", xy=(0.5, 0.775), xytext=(0.5, 0.905), arrowprops=arrow)
        axes.annotate("", xy=(0.69, 0.84), xytext=(0.5, 0.84), arrowprops=arrow)
        for k, group in enumerate(groups):
            x = (k + 0.5) / len(groups)
            main = x - 0.07
            axes.annotate("", xy=(x, 0.625), xytext=(0.5, 0.705), arrowprops=arrow)
            axes.text(x, 0.58, f"{group}\nenrolled {_flow_count(disp, 'ENROLLED', group)}, treated "
                               f"{_flow_count(disp, 'TREATED', group)}", ha="center", va="center", bbox=box)
            axes.annotate("", xy=(main, 0.19), xytext=(main, 0.535), arrowprops=arrow)
            axes.annotate("", xy=(main + 0.06, 0.37), xytext=(main, 0.37), arrowprops=arrow)
            reasons = _reasons(ncompl, group)
            left = f"Did not complete 24-week\nfollow-up: {_flow_count(disp, 'NCOMPL24W', group)}"
            axes.text(main + 0.065, 0.37, left + "".join(f"\n{r}" for r in reasons), ha="left", va="center",
                      bbox=box, fontsize=8)
            axes.text(main, 0.13, f"Completed 24-week\nfollow-up: {_flow_count(disp, 'COMPL24W', group)}\n"
                                  f"died (any time): {_flow_count(disp, 'DEATH', group)}", ha="center", va="center",
                      bbox=box)
        _save(figure, path)
