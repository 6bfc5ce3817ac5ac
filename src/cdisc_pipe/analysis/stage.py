"""The ``analyze`` stage: the paper's analyses from the ADaM files this run wrote, as data and as a report.

The ADaM datasets are read back from the XPT files in the staged submission tree (never from frames held in
memory). Outputs, under ``analysis/``:

* ``ard.csv``, ``ard.json`` — analysis results data: every statistic, one row each (:mod:`.ard`);
* ``reproduction.csv``, ``reproduction.json`` — each published figure beside ours, when the study spec
  has a ``published.yaml`` (:mod:`.reproduce`);
* ``figures/*.svg`` — Kaplan-Meier, adverse events, mean ± SE by visit, study flow;
* ``report.html`` — tables and figures for a statistician, from the ARD only.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pandas as pd

from cdisc_pipe.analysis.ard import concat_ard, write_ard
from cdisc_pipe.analysis.load import adam_folder, read_adam
from cdisc_pipe.analysis.sections import build_sections, draw_figures
from cdisc_pipe.errors import Report

if TYPE_CHECKING:
    from cdisc_pipe.pipeline import RunContext

__all__ = ["analyze_stage", "analyse_all"]


def analyse_all(adam) -> pd.DataFrame:
    """The whole ARD of the study from its ADaM datasets."""
    from cdisc_pipe.analysis.adverse_events import analyse_adverse_events
    from cdisc_pipe.analysis.continuous_tables import analyse_continuous
    from cdisc_pipe.analysis.flow import analyse_flow
    from cdisc_pipe.analysis.survival import analyse_survival
    from cdisc_pipe.analysis.symptoms import analyse_symptoms

    return concat_ard([analyse_flow(adam), analyse_survival(adam), analyse_adverse_events(adam),
                       analyse_continuous(adam), analyse_symptoms(adam)])


def analyze_stage(context: "RunContext") -> Report:
    from cdisc_pipe.analysis.reproduce import load_published, published_path, reproduce, summarise_reproduction
    from cdisc_pipe.analysis.report import render_report

    study = context.study
    adam = read_adam(adam_folder(context.staging.path, study.studyid))
    ard = analyse_all(adam)
    folder = context.staging.dir("analysis")
    write_ard(ard, folder / "ard.csv", folder / "ard.json")
    figures = draw_figures(ard, folder / "figures")
    reproduction, summary = None, None
    if published_path(study).is_file():
        reproduction = reproduce(ard, load_published(study))
        result = summarise_reproduction(reproduction)
        summary = {"figures": result.n_figures, "matched": result.n_matched, "rate": result.rate,
                   "target": result.target, "met": result.met}
        reproduction.to_csv(folder / "reproduction.csv", index=False, lineterminator="\n")
        (folder / "reproduction.json").write_text(
            json.dumps({"summary": summary, "figures": reproduction.replace({float("nan"): None})
                        .to_dict("records")}, indent=1, allow_nan=False) + "\n", encoding="utf-8")
    html = render_report(study=study, sections=build_sections(ard, figures), reproduction=reproduction,
                         summary=summary, datasets={name: len(frame) for name, frame in adam.items()})
    (folder / "report.html").write_text(html, encoding="utf-8")
    context.results["analysis"] = ard
    return Report()
