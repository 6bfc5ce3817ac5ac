"""Calibration of the measurement forms on the default export, checked from the raw frames with scipy.

Every published within-group p-value (exact Wilcoxon signed-rank, change from D001) is reproduced to the
paper's 4 decimals, every between-group Kruskal-Wallis p too, and every other cell stays not significant
by every method an analyst might use (exact, permutation, normal approximation with and without
continuity correction). Child-Pugh and MELD are computed here, independently of the simulator.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_measurements_readback import (
    VISITS,
    arm_changes,
    kruskal_by_cell,
    parameters,
    published_cells,
    published_kruskal,
    round_half_up,
    wilcoxon_pvalues,
    within_offenders,
)


@pytest.fixture(scope="module")
def table(default_frames) -> pd.DataFrame:
    return parameters(default_frames)


@pytest.fixture(scope="module")
def arm_of(default_frames) -> pd.Series:
    codes = {"1": "LOW", "2": "MEDIUM", "3": "HIGH"}
    return default_frames["ENR"].set_index("SUBJECT")["DOSEGRP"].map(codes)


def test_every_published_within_group_p_value_is_reproduced(table, arm_of, published):
    cells = published_cells(published)
    assert len(cells) == 27
    report = []
    for (name, arm, folder), (value, direction) in sorted(cells.items()):
        d = arm_changes(table, arm_of, name, arm, folder)
        assert np.all(d != 0), f"{name} {arm} {folder} has zero changes"
        assert len(np.unique(np.abs(d))) == len(d), f"{name} {arm} {folder} has tied |changes|"
        p = wilcoxon_pvalues(d)["exact"]
        assert np.sign(np.median(d)) == direction, f"{name} {arm} {folder} goes the wrong way"
        if value == "significant":
            assert p < 0.05, f"{name} {arm} {folder}: p {p} must be significant"
        else:
            report.append((name, arm, folder, round_half_up(p), float(value)))
    wrong = [r for r in report if r[3] != r[4]]
    assert not wrong, f"published p-values not reproduced: {wrong}"


def test_every_other_within_group_cell_is_not_significant(table, arm_of, published):
    offenders = within_offenders(table, arm_of, published_cells(published))
    assert not offenders, f"cells the paper reports as not significant are significant: {offenders[:10]}"


def test_same_clot_fields_follow_pta_in_the_high_group(table, arm_of):
    for folder in VISITS:
        pta = arm_changes(table, arm_of, "PTA", "HIGH", folder)
        inr = arm_changes(table, arm_of, "INR", "HIGH", folder)
        assert len(inr) == len(pta)
        assert np.all((inr == 0) | (np.sign(inr) == -np.sign(pta))), f"INR must move against PTA at {folder}"


def test_between_group_kruskal_wallis(table, arm_of, published):
    wanted = published_kruskal(published)
    results = kruskal_by_cell(table, arm_of)
    assert {cell: round_half_up(results[cell]) for cell in wanted} == wanted
    offenders = {cell: round(p, 4) for cell, p in results.items() if cell not in wanted and p < 0.05}
    assert not offenders, f"between-group differences the paper reports as not significant: {offenders}"


def test_il17a_high_group_stays_at_zero_on_day_57(default_frames, arm_of):
    cyt = default_frames["LBCYT"]
    day57 = cyt[(cyt["FOLDER"] == "D057") & (cyt["SUBJECT"].map(arm_of) == "HIGH") & (cyt["IL17A"] != "")]
    assert len(day57) >= 5 and set(day57["IL17A"].astype(float)) == {0.0}
    medium = cyt[(cyt["FOLDER"] == "D057") & (cyt["SUBJECT"].map(arm_of) == "MEDIUM")]
    assert medium.empty, "the medium group's day-57 immune tests were not done (lockdown)"


def test_inclusion_criteria_hold_at_screening_and_baseline(table, arm_of):
    enrolled = table[table.index.get_level_values("SUBJECT").isin(arm_of.index)]
    for folder in ("SCRN", "D001"):
        rows = enrolled.xs(folder, level="FOLDER")
        assert len(rows) == 24
        assert (rows["ALB"] < 35).all() and (rows["TBIL"] < 170).all() and (rows["PTA"] > 30).all()
        assert (rows["HGB"] > 70).all() and (rows["PLAT"] > 3).all()
        assert (rows["CHILDPUGH"] >= 7).all(), rows["CHILDPUGH"].min()
        assert (rows["MELD"] <= 15).all(), rows["MELD"].max()


def test_the_hcc_patient_goes_from_child_pugh_9_to_6(default_frames, table):
    ds = default_frames["DS"]
    hcc = ds.loc[ds["DSTERM"].str.contains("hepatocellular", case=False), "SUBJECT"].unique()
    assert len(hcc) == 1
    cp = table.loc[hcc[0], "CHILDPUGH"]
    assert cp["D001"] == 9 and cp["D085"] == 6
    symp = default_frames["SYMP"].set_index(["SUBJECT", "FOLDER"])
    assert symp.loc[(hcc[0], "D001"), "ASCITES"] == "2" and symp.loc[(hcc[0], "D085"), "ASCITES"] == "0"


def test_values_are_consistent_and_in_range(default_frames, study):
    liv = default_frames["LBLIV"].replace("", np.nan)
    both = liv.dropna(subset=["TBIL", "DBIL"])
    assert (both["DBIL"].astype(float) < both["TBIL"].astype(float)).all()
    hem = default_frames["LBHEM"].replace("", np.nan).dropna(subset=["WBC", "NEUT", "LYM"])
    assert (hem["NEUT"].astype(float) + hem["LYM"].astype(float) < hem["WBC"].astype(float)).all()
    coag = default_frames["LBCOAG"].replace("", np.nan).dropna(subset=["PTA", "PT", "INR"])
    pt = 12.0 * (0.6 + 0.4 * 100.0 / coag["PTA"].astype(float))
    assert np.allclose(coag["PT"].astype(float), pt, atol=0.051)
    assert np.allclose(coag["INR"].astype(float), coag["PT"].astype(float) / 12.0, atol=0.0051)
    for form_id in ("LBLIV", "LBCOAG", "LBCHEM", "LBHEM", "LBIMM", "LBCYT", "VS"):
        frame = default_frames[form_id]
        for field in study.form(form_id).fields:
            if field.type not in ("float", "integer") or field.name not in frame.columns:
                continue
            values = frame[field.name].replace("", np.nan).dropna().astype(float)
            assert values.between(field.min, field.max).all(), f"{form_id}.{field.name} outside its range"
