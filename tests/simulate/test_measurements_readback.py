"""Read the measurement forms back as an analyst would, and the tests of that read-back.

Helpers used by the measurement calibration tests: everything is computed from the frames of strings
(the raw export), with scipy for the statistics and this file's own Child-Pugh and MELD, never from the
simulator's internals.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

import scipy.stats as st

VISITS = ("D029", "D057", "D085", "D169")
ARMS = ("LOW", "MEDIUM", "HIGH")
LAB_FORMS = ("LBLIV", "LBCOAG", "LBCHEM", "LBHEM", "LBIMM", "LBCYT")
SYSTEM = {"SUBJECT", "SITENUMBER", "FOLDER", "LBDAT", "VSDAT", "SYDAT", "QSDAT"}


def round_half_up(value: float, decimals: int = 4) -> float:
    """Round as the paper prints (0.03125 -> 0.0313), not Python's half-to-even."""
    scale = 10**decimals
    return math.floor(value * scale + 0.5 + 1e-9) / scale


def numeric_table(frames: dict[str, pd.DataFrame], forms=LAB_FORMS + ("VS",)) -> pd.DataFrame:
    """One row per (SUBJECT, FOLDER), one float column per measured field of ``forms`` (NaN = empty)."""
    parts = []
    for form in forms:
        frame = frames[form].set_index(["SUBJECT", "FOLDER"])
        values = [c for c in frame.columns if c not in SYSTEM]
        parts.append(frame[values].replace("", np.nan).astype(float))
    return pd.concat(parts, axis=1)


def symptom_table(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    frame = frames["SYMP"].set_index(["SUBJECT", "FOLDER"])
    return frame.drop(columns=["SITENUMBER", "SYDAT"]).replace("", np.nan).astype(float)


def child_pugh(alb, tbil, inr, ascites, he) -> pd.Series:
    """Standard Child-Pugh points (this test's own reading); NaN if an ingredient is missing."""
    score = (
        np.select([alb > 35, alb >= 28], [1, 2], 3)
        + np.select([tbil < 34, tbil <= 50], [1, 2], 3)
        + np.select([inr < 1.7, inr <= 2.3], [1, 2], 3)
        + np.select([ascites == 0, ascites == 1], [1, 2], 3)
        + np.select([he == 0, he <= 2], [1, 2], 3)
    ).astype(float)
    missing = pd.concat([alb, tbil, inr, ascites, he], axis=1).isna().any(axis=1).to_numpy()
    return pd.Series(np.where(missing, np.nan, score), index=alb.index)


def meld(tbil, inr, creat) -> pd.Series:
    bili = np.maximum(tbil / 17.1, 1.0)
    cr = np.clip(creat / 88.4, 1.0, 4.0)
    return 3.78 * np.log(bili) + 11.2 * np.log(np.maximum(inr, 1.0)) + 9.57 * np.log(cr) + 6.43


def parameters(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Every analysed parameter by (SUBJECT, FOLDER): lab fields, WEIGHT, CHILDPUGH, MELD."""
    table = numeric_table(frames)
    symp = symptom_table(frames).reindex(table.index)
    table["CHILDPUGH"] = child_pugh(table["ALB"], table["TBIL"], table["INR"], symp["ASCITES"], symp["HEGRADE"])
    table["MELD"] = meld(table["TBIL"], table["INR"], table["CREAT"])
    return table


def changes(table: pd.DataFrame, name: str) -> pd.DataFrame:
    """SUBJECT x follow-up folder: value minus the D001 value (NaN unless both are present)."""
    wide = table[name].unstack("FOLDER")
    return wide[[v for v in VISITS if v in wide.columns]].sub(wide["D001"], axis=0)


def wilcoxon_pvalues(d) -> dict[str, float]:
    """Two-sided signed-rank p-values by scipy: exact, auto (permutation with ties), normal +/- correction."""
    d = np.asarray(d, dtype=float)
    d = d[~np.isnan(d)]
    if len(d) == 0 or np.all(d == 0):
        return {}
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out["exact"] = st.wilcoxon(d, method="exact").pvalue
        out["auto"] = st.wilcoxon(d).pvalue
        out["normal"] = st.wilcoxon(d, method="approx", correction=False).pvalue
        out["normal_corrected"] = st.wilcoxon(d, method="approx", correction=True).pvalue
    return out


def kruskal_p(groups) -> float:
    groups = [np.asarray(g, dtype=float)[~np.isnan(np.asarray(g, dtype=float))] for g in groups]
    groups = [g for g in groups if len(g)]
    if len(groups) < 2 or len(np.unique(np.concatenate(groups))) < 2:
        return 1.0
    return float(st.kruskal(*groups).pvalue)


def shift_counts(symp: pd.DataFrame, arm_of: pd.Series, name: str, arm: str, folder: str) -> dict[str, int]:
    """Baseline/visit shift counts (+/+, +/-, -/+, -/-) of symptom ``name`` (present = code > 0)."""
    wide = (symp[name] > 0).where(symp[name].notna()).unstack("FOLDER")
    wide = wide[arm_of.reindex(wide.index) == arm]
    pair = wide[["D001", folder]].dropna()
    b, v = pair["D001"].astype(bool), pair[folder].astype(bool)
    return {"+/+": int((b & v).sum()), "+/-": int((b & ~v).sum()), "-/+": int((~b & v).sum()), "-/-": int((~b & ~v).sum())}


#: published-results.yaml key -> (raw field, direction of the published change).
PUBLISHED_FIELD = {
    "ALB": ("ALB", 1), "ALT": ("ALT", 1), "CHE": ("CHE", 1), "BILI": ("TBIL", 1), "CHOL": ("CHOL", 1),
    "PTTA": ("PTA", 1), "AT3": ("AT3", 1), "CHILDPUGH": ("CHILDPUGH", -1), "NK": ("NK", 1), "IL8": ("IL8", -1),
}
#: PT and INR come from the same clotting time as PTA: where PTA moves significantly they must too.
SAME_CLOT = {"PT", "INR"}
NOT_ANALYSED = {"SYSBP", "DIABP", "PULSE", "TEMP", "RESP", "HEIGHT"}


def published_cells(published: dict) -> dict[tuple[str, str, str], tuple[object, int]]:
    """(field, arm, folder) -> (published p or "significant", direction) of within_group_wilcoxon."""
    out = {}
    for key, by_arm in published["within_group_wilcoxon"].items():
        if key == "section":
            continue
        for arm, by_day in by_arm.items():
            for day, value in by_day.items():
                out[(PUBLISHED_FIELD[key][0], arm, f"D{int(day):03d}")] = (value, PUBLISHED_FIELD[key][1])
    return out


def arm_changes(table: pd.DataFrame, arm_of: pd.Series, name: str, arm: str, folder: str) -> np.ndarray:
    ch = changes(table, name)
    return ch.loc[arm_of.reindex(ch.index) == arm, folder].dropna().to_numpy()


def within_offenders(table: pd.DataFrame, arm_of: pd.Series, targets: dict) -> list:
    """Cells outside ``targets`` (and outside PT/INR where PTA is a target) significant by any method."""
    pta_targets = {(arm, folder) for (name, arm, folder) in targets if name == "PTA"}
    out = []
    for name in table.columns:
        if name in NOT_ANALYSED:
            continue
        for arm in ARMS:
            for folder in VISITS:
                if (name, arm, folder) in targets or (name in SAME_CLOT and (arm, folder) in pta_targets):
                    continue
                pvalues = wilcoxon_pvalues(arm_changes(table, arm_of, name, arm, folder))
                if pvalues and min(pvalues.values()) < 0.05:
                    out.append((name, arm, folder, {k: round(v, 4) for k, v in pvalues.items()}))
    return out


def kruskal_by_cell(table: pd.DataFrame, arm_of: pd.Series) -> dict[tuple[str, str], float]:
    """(parameter, folder) -> Kruskal-Wallis p of the change across the arms that have values."""
    out = {}
    for name in table.columns:
        if name in NOT_ANALYSED:
            continue
        ch = changes(table, name)
        arm = arm_of.reindex(ch.index)
        for folder in VISITS:
            out[(name, folder)] = kruskal_p([ch.loc[arm == a, folder].dropna().to_numpy() for a in ARMS])
    return out


def published_kruskal(published: dict) -> dict[tuple[str, str], float]:
    between = published["between_group"]
    return {("TBIL", "D029"): float(between["BILI"][29]), ("IL8", "D169"): float(between["IL8"][169]),
            ("IL17A", "D057"): float(between["IL17A_day57_low_vs_high"])}


def calibration_problems(table: pd.DataFrame, arm_of: pd.Series, published: dict) -> list:
    """Everything that differs from the published results (empty when the calibration holds)."""
    problems = []
    targets = published_cells(published)
    for (name, arm, folder), (value, direction) in sorted(targets.items()):
        d = arm_changes(table, arm_of, name, arm, folder)
        if np.any(d == 0) or len(np.unique(np.abs(d))) != len(d):
            problems.append((name, arm, folder, "ties or zeros"))
            continue
        p = wilcoxon_pvalues(d)["exact"]
        if np.sign(np.median(d)) != direction:
            problems.append((name, arm, folder, "direction"))
        if value == "significant" and not p < 0.05 or value != "significant" and round_half_up(p) != float(value):
            problems.append((name, arm, folder, p, value))
    problems += within_offenders(table, arm_of, targets)
    wanted = published_kruskal(published)
    for cell, p in kruskal_by_cell(table, arm_of).items():
        if cell in wanted and round_half_up(p) != wanted[cell] or cell not in wanted and p < 0.05:
            problems.append(("KW", *cell, p))
    return problems


# --- tests of the read-back itself --------------------------------------------------------------------

def test_round_half_up_prints_like_the_paper():
    assert round_half_up(0.03125) == 0.0313
    assert round_half_up(0.0078125) == 0.0078
    assert round_half_up(0.046875) == 0.0469


def test_child_pugh_and_meld_by_hand():
    idx = pd.RangeIndex(3)
    s = lambda *v: pd.Series(v, index=idx, dtype=float)
    score = child_pugh(s(36, 30, 27), s(20, 40, 60), s(1.2, 1.8, 2.5), s(0, 1, 2), s(0, 1, 3))
    assert score.tolist() == [5.0, 10.0, 15.0]
    value = meld(s(34.2, 10, 17.1), s(1.5, 0.9, 1.0), s(176.8, 50, 500))
    expected = 3.78 * math.log(2) + 11.2 * math.log(1.5) + 9.57 * math.log(2) + 6.43
    assert value.iloc[0] == pytest.approx(expected)
    assert value.iloc[1] == pytest.approx(6.43)
    assert value.iloc[2] == pytest.approx(9.57 * math.log(4) + 6.43)


def test_wilcoxon_helper_gives_the_exact_published_values():
    assert wilcoxon_pvalues([1, 2, 3, 4, 5, 6, 7, 8])["exact"] == pytest.approx(0.0078125)
    assert wilcoxon_pvalues([-1, 2, 3, 4, 5, 6, 7, 8])["exact"] == pytest.approx(0.015625)
    assert wilcoxon_pvalues([1, -2, 3, 4, 5, 6, 7])["exact"] == pytest.approx(0.046875)
