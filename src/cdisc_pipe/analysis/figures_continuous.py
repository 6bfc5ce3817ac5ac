"""Line figures of continuous parameters (Figures 3-6): mean +/- SE of AVAL over the visits, one line per group.

One SVG per parameter family, one panel per parameter, drawn from the ARD rows CONT-DESC-AVAL (MEAN, SE) that
:func:`~cdisc_pipe.analysis.continuous_tables.analyse_continuous` writes; the full analysis set, group TRT01A.
The x axis is the study day of the visit (baseline drawn at day 1); groups are drawn slightly apart so their
error bars do not hide each other. A point with N = 1 has no SE bar; a group without values at a visit has
no point there.

=================================  ================================================================
function                           panels (PARAMCD)
=================================  ================================================================
figure_liver_function (Fig. 3)     ALB, ALT, AST, CHOLINES, BILI, BILDIR, CHOL
figure_coagulation (Fig. 4)        PTACT, PT, INR, ANTHRMAG
figure_general_condition (Fig. 5)  WEIGHT, CHILDPUG, MELD
figure_immune_cells (Fig. 6)       TLC, TLYH, NKCE, NKTLY, TH1TH, TH2TH
figure_cytokines (Fig. 6)          INTLK1B, INTLK4, INTLK6, INTLK8, INTLK12, INTLK15, INTLK17
=================================  ================================================================

Every function takes the ARD (a DataFrame) or the ADaM datasets (a mapping of name to DataFrame; the ARD is
then computed) and a path, and writes the same bytes on every run (fixed style, hash salt and no date). The
figures are matplotlib ``Figure`` objects rendered by the SVG backend directly: pyplot and its global
backend are not touched.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from cdisc_pipe.analysis.continuous_params import CONTINUOUS_PARAMETERS
from cdisc_pipe.analysis.continuous_tables import analyse_continuous
from cdisc_pipe.analysis.methods.inputs import AnalysisError

__all__ = [
    "FIGURE_FAMILIES",
    "figure_liver_function",
    "figure_coagulation",
    "figure_general_condition",
    "figure_immune_cells",
    "figure_cytokines",
    "figure_continuous_panels",
]

FIGURE_FAMILIES = {
    "liver_function": ("LIVER FUNCTION", "Liver function: mean \u00b1 SE by visit"),
    "coagulation": ("COAGULATION", "Coagulation function: mean \u00b1 SE by visit"),
    "general_condition": ("GENERAL CONDITION", "Weight, Child-Pugh and MELD: mean \u00b1 SE by visit"),
    "immune_cells": ("IMMUNE CELLS", "Immune cells: mean \u00b1 SE by visit"),
    "cytokines": ("CYTOKINES", "Cytokines: mean \u00b1 SE by visit"),
}
"""Figure name -> (catalogue family, title)."""
COLOURS = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02")
MARKERS = ("o", "s", "^", "D", "v", "P")
STYLE = {
    "svg.hashsalt": "cdisc_pipe",
    "svg.fonttype": "path",
    "font.family": "DejaVu Sans",
    "font.size": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "path.simplify": False,
}
BASELINE_DAY = 1.0
DODGE_DAYS = 2.5
NCOLS = 3


def _as_ard(ard_or_adam) -> pd.DataFrame:
    if isinstance(ard_or_adam, pd.DataFrame):
        return ard_or_adam
    if isinstance(ard_or_adam, Mapping):
        return analyse_continuous(ard_or_adam)
    raise AnalysisError(f"'ard_or_adam' must be the ARD DataFrame or a mapping of ADaM datasets "
                        f"(got {type(ard_or_adam).__name__})")


def _means(ard: pd.DataFrame, paramcds: list[str]) -> pd.DataFrame:
    """PARAMCD, PARAM, GROUP, GROUPN, DAY, MEAN, SE of CONT-DESC-AVAL, one row per parameter, group, visit."""
    rows = ard[(ard["ANALYSIS"] == "CONT-DESC-AVAL") & ard["PARAMCD"].isin(paramcds)
               & ard["STATISTIC"].isin(["MEAN", "SE"])]
    wide = rows.pivot(index=["PARAMCD", "PARAM", "GROUP", "GROUPN", "AVISITN"], columns="STATISTIC",
                      values="VALUE").reset_index()
    wide.columns.name = None
    for column in ("MEAN", "SE"):
        if column not in wide.columns:
            wide[column] = np.nan
    wide["DAY"] = np.where(wide["AVISITN"] == 0, BASELINE_DAY, wide["AVISITN"])
    return wide.sort_values(["PARAMCD", "GROUPN", "DAY"], kind="stable", ignore_index=True)


def figure_continuous_panels(ard_or_adam, path: Path, *, paramcds: list[str], title: str) -> None:
    """An SVG at ``path`` with one mean +/- SE panel per PARAMCD of ``paramcds`` (in that order)."""
    ard = _as_ard(ard_or_adam)
    data = _means(ard, paramcds)
    present = [code for code in paramcds if code in set(data["PARAMCD"])]
    if not present:
        raise AnalysisError(f"the ARD must hold CONT-DESC-AVAL MEAN rows for at least one of {paramcds} (got none)")
    groups = data[["GROUPN", "GROUP"]].drop_duplicates().sort_values("GROUPN", kind="stable")
    ncols = min(NCOLS, len(present))
    nrows = -(-len(present) // ncols)
    offsets = (np.arange(len(groups)) - (len(groups) - 1) / 2.0) * DODGE_DAYS
    with matplotlib.rc_context(STYLE):  # a Figure without pyplot: no global backend, no figure manager
        fig = Figure(figsize=(3.2 * ncols, 2.6 * nrows + 0.8))
        axes = fig.subplots(nrows, ncols, squeeze=False)
        for ax, code in zip(axes.ravel(), present):
            part = data[data["PARAMCD"] == code]
            for i, (groupn, group) in enumerate(groups.itertuples(index=False)):
                line = part[part["GROUPN"] == groupn]
                ax.errorbar(line["DAY"].to_numpy() + offsets[i], line["MEAN"].to_numpy(),
                            yerr=line["SE"].fillna(0.0).to_numpy(), color=COLOURS[i % len(COLOURS)],
                            marker=MARKERS[i % len(MARKERS)], markersize=3.5, linewidth=1.1, capsize=2.5,
                            label=str(group))
            days = sorted(part["DAY"].unique())
            ax.set_xticks(days, ["BL" if d == BASELINE_DAY else f"{d:g}" for d in days])
            ax.set_xlabel("Study day")
            ax.set_title(str(part["PARAM"].iloc[0]), fontsize=8)
        for ax in axes.ravel()[len(present):]:
            ax.set_visible(False)
        handles, labels = axes.ravel()[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="lower center", ncol=len(labels), frameon=False)
        fig.suptitle(title, fontsize=10)
        fig.tight_layout(rect=(0, 0.06, 1, 1))
        fig.savefig(Path(path), format="svg", metadata={"Date": None})


def _family_figure(name: str):
    family, title = FIGURE_FAMILIES[name]
    codes = [p.paramcd for p in CONTINUOUS_PARAMETERS if p.family == family]

    def figure(ard_or_adam, path: Path) -> None:
        figure_continuous_panels(ard_or_adam, path, paramcds=codes, title=title)

    figure.__name__ = f"figure_{name}"
    figure.__doc__ = f"{title} ({', '.join(codes)}): SVG at ``path`` from the ARD or the ADaM datasets."
    return figure


figure_liver_function = _family_figure("liver_function")
figure_coagulation = _family_figure("coagulation")
figure_general_condition = _family_figure("general_condition")
figure_immune_cells = _family_figure("immune_cells")
figure_cytokines = _family_figure("cytokines")
