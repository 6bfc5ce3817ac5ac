"""Line figures of continuous parameters (figures_continuous.py): same bytes twice, one panel per parameter,
drawn from the ARD or from the ADaM datasets."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from cdisc_pipe.analysis.ard import ard_rows
from cdisc_pipe.analysis.figures_continuous import (FIGURE_FAMILIES, figure_continuous_panels, figure_coagulation,
                                                    figure_cytokines, figure_general_condition, figure_immune_cells,
                                                    figure_liver_function)
from cdisc_pipe.analysis.methods.inputs import AnalysisError

FIGURES = {"liver_function": (figure_liver_function, 7), "coagulation": (figure_coagulation, 4),
           "general_condition": (figure_general_condition, 3), "immune_cells": (figure_immune_cells, 6),
           "cytokines": (figure_cytokines, 7)}


def _ard() -> pd.DataFrame:
    """CONT-DESC-AVAL MEAN/SE for ALB and PT, two groups, three visits; one point with N = 1 (SE missing)."""
    rows = []
    for paramcd, param in (("ALB", "Albumin (g/L)"), ("PT", "Prothrombin Time (s)")):
        for groupn, group in ((1.0, "LOW"), (3.0, "HIGH")):
            for visit, label in ((0.0, "BASELINE"), (29.0, "DAY 29"), (57.0, "DAY 57")):
                mean = 30 + groupn + visit / 29
                se = np.nan if (paramcd, group, visit) == ("PT", "HIGH", 57.0) else 0.5
                for statistic, value in (("MEAN", mean), ("SE", se), ("N", 4.0)):
                    rows.append({"PARAMCD": paramcd, "PARAM": param, "GROUP": group, "GROUPN": groupn,
                                 "AVISIT": label, "AVISITN": visit, "STATISTIC": statistic, "VALUE": value})
    return ard_rows(rows, ANALYSIS="CONT-DESC-AVAL", DATASET="ADLB")


def _axes(svg: bytes) -> int:
    return len(re.findall(rb'<g id="axes_\d+"', svg))


def test_panels_are_deterministic_and_one_per_parameter(tmp_path):
    first, second = tmp_path / "a.svg", tmp_path / "b.svg"
    figure_continuous_panels(_ard(), first, paramcds=["ALB", "PT", "INR"], title="test")
    figure_continuous_panels(_ard(), second, paramcds=["ALB", "PT", "INR"], title="test")
    data = first.read_bytes()
    assert data == second.read_bytes()
    assert data.startswith(b"<?xml") and b"<svg" in data
    assert _axes(data) == 2  # INR has no rows: no panel for it
    assert b"Date" not in data and b"<dc:date>" not in data


def test_no_rows_for_any_parameter_raises(tmp_path):
    with pytest.raises(AnalysisError, match="CONT-DESC-AVAL"):
        figure_continuous_panels(_ard(), tmp_path / "x.svg", paramcds=["INR"], title="none")


def test_input_must_be_ard_or_adam(tmp_path):
    with pytest.raises(AnalysisError, match="ard_or_adam"):
        figure_liver_function([1, 2], tmp_path / "x.svg")


def test_families_name_existing_catalogue_families():
    assert set(FIGURE_FAMILIES) == set(FIGURES)


@pytest.fixture(scope="module")
def study_ard(adam_study):
    from cdisc_pipe.analysis.continuous_tables import analyse_continuous

    return analyse_continuous(adam_study)


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_study_figures_twice_same_bytes(name, study_ard, tmp_path):
    function, panels = FIGURES[name]
    first, second = tmp_path / f"{name}-1.svg", tmp_path / f"{name}-2.svg"
    function(study_ard, first)
    function(study_ard, second)
    assert first.read_bytes() == second.read_bytes()
    assert _axes(first.read_bytes()) == panels


def test_study_figure_from_adam_equals_figure_from_ard(adam_study, study_ard, tmp_path):
    figure_general_condition(adam_study, tmp_path / "from_adam.svg")
    figure_general_condition(study_ard, tmp_path / "from_ard.svg")
    assert (tmp_path / "from_adam.svg").read_bytes() == (tmp_path / "from_ard.svg").read_bytes()
