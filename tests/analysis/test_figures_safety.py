"""Safety figures: SVG with the same bytes on every run (also from another process), drawn from ARD rows."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from cdisc_pipe.analysis.adverse_events import analyse_adverse_events
from cdisc_pipe.analysis.ard import concat_ard
from cdisc_pipe.analysis.figures_safety import figure_ae_top_terms, figure_flow, figure_km
from cdisc_pipe.analysis.flow import analyse_flow
from cdisc_pipe.analysis.methods.inputs import AnalysisError
from cdisc_pipe.analysis.survival import analyse_survival

FIGURES = {
    "km_os": lambda ard, path: figure_km(ard, path),
    "km_ttsae": lambda ard, path: figure_km(ard, path, paramcd="TTSAE"),
    "ae_top15": lambda ard, path: figure_ae_top_terms(ard, path),
    "ae_top15_teae": lambda ard, path: figure_ae_top_terms(ard, path, scope="TEAE"),
    "flow": lambda ard, path: figure_flow(ard, path),
}


@pytest.fixture(scope="module")
def safety_ard(adam_study) -> pd.DataFrame:
    return concat_ard([analyse_flow(adam_study), analyse_survival(adam_study), analyse_adverse_events(adam_study)])


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_figure_is_svg_with_the_same_bytes_twice(safety_ard, tmp_path, name):
    first, second = tmp_path / f"{name}-1.svg", tmp_path / f"{name}-2.svg"
    FIGURES[name](safety_ard, first)
    FIGURES[name](safety_ard, second)
    data = first.read_bytes()
    assert data.startswith(b"<?xml") and b"<svg" in data[:600]
    assert b"<dc:date>" not in data                         # no date metadata
    assert data == second.read_bytes()


def test_figure_bytes_do_not_depend_on_the_process(safety_ard, tmp_path):
    """svg.hashsalt fixes the ids matplotlib would otherwise draw at random per process."""
    stored = tmp_path / "ard.pkl"
    safety_ard.to_pickle(stored)
    here = tmp_path / "here.svg"
    figure_km(safety_ard, here)
    there = tmp_path / "there.svg"
    code = ("import pandas as pd; from cdisc_pipe.analysis.figures_safety import figure_km; "
            f"figure_km(pd.read_pickle({str(stored)!r}), {str(there)!r})")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
    assert here.read_bytes() == there.read_bytes()


def test_figures_draw_only_from_ard_rows(safety_ard, tmp_path):
    """A figure asked for rows the ARD does not hold says which."""
    with pytest.raises(AnalysisError, match="SURV-KM-CURVE"):
        figure_km(safety_ard[safety_ard["ANALYSIS"].ne("SURV-KM-CURVE")], tmp_path / "x.svg")
    with pytest.raises(AnalysisError, match="AE-T1-TOP10"):
        figure_ae_top_terms(safety_ard, tmp_path / "x.svg", top=10)
    assert not Path(tmp_path / "x.svg").exists()
