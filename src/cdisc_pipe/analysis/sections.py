"""What the analysis report shows, section by section: which ARD analyses become which tables, and the
figures drawn beside them. Layout only: every value comes from the ARD."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402

from cdisc_pipe.analysis.report import Section, table  # noqa: E402

__all__ = ["build_sections", "draw_figures"]

_G = ["GROUP", "STATISTIC"]
_DESC = ["N", "NMISS", "MEAN", "SD", "MEDIAN", "Q1", "Q3"]


def draw_figures(ard: pd.DataFrame, folder: Path) -> dict[str, str]:
    """Every figure of the report as SVG under ``folder``; returns {figure id: path relative to the report}."""
    from cdisc_pipe.analysis import figures_continuous as fc
    from cdisc_pipe.analysis.figures_safety import figure_ae_top_terms, figure_flow, figure_km

    folder.mkdir(parents=True, exist_ok=True)
    drawn = {
        "flow": (figure_flow, {}),
        "km-os": (figure_km, {"paramcd": "OS"}),
        "km-ttsae": (figure_km, {"paramcd": "TTSAE"}),
        "ae-top15": (figure_ae_top_terms, {}),
        **{f"cont-{name}": (getattr(fc, f"figure_{name}"), {}) for name in fc.FIGURE_FAMILIES},
    }
    out = {}
    for name, (draw, kwargs) in drawn.items():
        draw(ard, folder / f"{name}.svg", **kwargs)
        out[name] = f"{folder.name}/{name}.svg"
    return out


def _continuous_sections(ard: pd.DataFrame, figures: dict[str, str]) -> list[Section]:
    from cdisc_pipe.analysis.continuous_params import CONTINUOUS_PARAMETERS
    from cdisc_pipe.analysis.figures_continuous import FIGURE_FAMILIES

    sections = []
    for name, (family, title) in FIGURE_FAMILIES.items():
        codes = [p.paramcd for p in CONTINUOUS_PARAMETERS if p.family == family]
        rows = ["PARAM", "AVISIT"]
        sections.append(Section(
            id=f"cont-{name}", title=title.split(":")[0],
            text="Full analysis set; analysed record per visit window (ANL01FL); change from baseline (day 1).",
            figures=((figures[f"cont-{name}"], title),),
            tables=(
                table(ard, "Value by visit", "CONT-DESC-AVAL", rows=rows, columns=_G, statistics=_DESC, paramcds=codes),
                table(ard, "Change from baseline", "CONT-DESC-CHG", rows=rows, columns=_G, statistics=_DESC,
                      paramcds=codes),
                table(ard, "Within group: Wilcoxon signed-rank on the change, p (R wilcox.test rules)",
                      "CONT-SIGNRANK-R", rows=rows, columns=["GROUP"], statistics=["P"], paramcds=codes),
                table(ard, "Within group: Wilcoxon signed-rank on the change, p (SAS PROC UNIVARIATE rules)",
                      "CONT-SIGNRANK-SAS", rows=rows, columns=["GROUP"], statistics=["P"], paramcds=codes),
                table(ard, "Between groups: Kruskal-Wallis on the change", "CONT-KW", rows=rows, columns=["STATISTIC"],
                      statistics=["N", "H", "DF", "P"], paramcds=codes),
                table(ard, "Between groups: one-way ANOVA on the change", "CONT-ANOVA", rows=rows,
                      columns=["STATISTIC"], statistics=["N", "F", "DF1", "DF2", "P"], paramcds=codes),
                table(ard, "Normality of the change: Shapiro-Wilk, p", "CONT-SHAPIRO", rows=rows, columns=["GROUP"],
                      statistics=["P"], paramcds=codes),
            ),
        ))
    return sections


def build_sections(ard: pd.DataFrame, figures: dict[str, str]) -> list[Section]:
    """The report's sections in reading order."""
    flow = Section(
        id="flow", title="Study flow", text="Screened, enrolled and followed subjects (ADSL).",
        figures=((figures["flow"], "Study flow"),),
        tables=(
            table(ard, "Screening", "FLOW-SCREEN", rows=["PARAMCD"], columns=["STATISTIC"]),
            table(ard, "Disposition by group", "FLOW-DISP", rows=["PARAMCD"], columns=["GROUP"]),
            table(ard, "Did not complete the 24-week follow-up, by reason", "FLOW-NCOMPL", rows=["PARAMCD"],
                  columns=["GROUP"]),
            table(ard, "Discontinued the study, by reason", "FLOW-DCSREAS", rows=["PARAMCD"], columns=["GROUP"]),
        ))
    survival = Section(
        id="survival", title="Survival",
        text="Kaplan-Meier estimates (Greenwood variance, log-transformed confidence limits as R survival), "
             "three-group log-rank test (R survdiff), and the crude rate alive and followed / N.",
        figures=((figures["km-os"], "Overall survival"), (figures["km-ttsae"], "Time to first serious adverse event")),
        tables=(
            table(ard, "Kaplan-Meier estimates", "SURV-KM-AT", rows=["PARAMCD", "AVISIT"], columns=_G,
                  statistics=["SURV", "LCL", "UCL", "N_RISK"]),
            table(ard, "Log-rank test", "SURV-LOGRANK", rows=["PARAMCD", "GROUP"], columns=["STATISTIC"],
                  statistics=["N", "OBSERVED", "EXPECTED", "CHISQ", "DF", "P"]),
            table(ard, "Median time (days)", "SURV-MEDIAN", rows=["PARAMCD"], columns=_G,
                  statistics=["N", "N_EVENT", "MEDIAN", "LCL", "UCL"]),
            table(ard, "Numbers at risk", "SURV-NRISK", rows=["PARAMCD", "GROUP"], columns=["AVISIT"]),
            table(ard, "Crude survival rate (alive and followed / N)", "SURV-CRUDE", rows=["AVISIT"], columns=_G),
        ))
    adverse = Section(
        id="adverse-events", title="Adverse events",
        text="Safety population. Table 1 selection as the paper counts events (AE-T1-*) and all treatment-emergent "
             "events (AE-TEAE-*).",
        figures=((figures["ae-top15"], "The 15 most frequent terms by group"),),
        tables=(
            table(ard, "Adverse events", ["AE-T1-TOTAL"], rows=["PARAMCD"], columns=_G),
            table(ard, "By CTCAE grade", "AE-T1-GRADE", rows=["PARAMCD"], columns=_G,
                  statistics=["N_EVENTS", "PCT_EVENTS", "N_SUBJ"]),
            table(ard, "By relationship", "AE-T1-REL", rows=["PARAMCD"], columns=_G,
                  statistics=["N_EVENTS", "PCT_EVENTS", "N_SUBJ"]),
            table(ard, "Leading to dose reduction, discontinuation or death", "AE-T1-ACTION", rows=["PARAMCD"],
                  columns=_G),
            table(ard, "Across groups: repeated-measures ANOVA (the paper's Table 1 test)", "AE-T1-RMANOVA",
                  rows=["PARAMCD"], columns=["STATISTIC"]),
            table(ard, "Across groups: chi-square or Fisher's exact", "AE-T1-CATTEST", rows=["PARAMCD"],
                  columns=["STATISTIC"]),
            table(ard, "Serious adverse events", "AE-SAE-LIST", rows=["GROUP", "PARAMCD"], columns=["STATISTIC"]),
            table(ard, "By system organ class (events)", "AE-T1-SOC", rows=["PARAMCD"], columns=["GROUP"],
                  statistics=["N_EVENTS"]),
        ))
    symptoms = Section(
        id="symptoms", title="Symptoms: shifts from baseline",
        text="First sign: baseline; second sign: the visit (+ present, − absent).",
        figures=(),
        tables=(
            table(ard, "At baseline", "SYMP-BASELINE", rows=["PARAM"], columns=_G),
            table(ard, "Shifts", "SYMP-SHIFT", rows=["PARAM", "AVISIT"], columns=_G,
                  statistics=["N", "+/+", "+/-", "-/+", "-/-"]),
        ))
    return [flow, survival, adverse, *_continuous_sections(ard, figures), symptoms]
