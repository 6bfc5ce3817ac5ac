"""Shift tables (+/+, +/-, -/+, -/-; the first sign is baseline) on literal frames with hand counts, and
against an independent count (pandas crosstab and a plain loop) on a random ADCE-like frame."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
import pytest

from cdisc_pipe.analysis.methods.inputs import AnalysisError
from cdisc_pipe.analysis.methods.shift import SHIFT_CELLS, compute_shift, count_shifts

NA = np.nan


def _adce() -> pd.DataFrame:
    """Ascites, LOW (8 subjects) and HIGH (3 subjects), day 29 and day 57 records."""
    base = {"L1": "Y", "L2": "Y", "L3": "Y", "L4": "Y", "L5": "Y", "L6": "Y", "L7": "N", "L8": "Y",
            "H1": "N", "H2": "N", "H3": "Y"}
    day29 = {"L1": "N", "L2": "N", "L3": "N", "L4": "N", "L5": "N", "L6": "Y", "L7": "N", "L8": "Y",
             "H1": "Y", "H2": "N", "H3": "Y"}
    day57 = {"L1": "N", "L2": "Y", "L3": "", "L4": None, "L5": "N", "L6": "Y", "L7": "Y", "L8": "Y",
             "H1": "Y", "H2": "Y", "H3": "N"}
    rows = []
    for visit, values in ((29, day29), (57, day57)):
        for subject, value in values.items():
            rows.append({"USUBJID": subject, "TRT01A": "LOW" if subject[0] == "L" else "HIGH",
                         "PARAMCD": "ASCITES", "AVISITN": visit, "AVISIT": f"DAY {visit}",
                         "BASEC": base[subject], "AVALC": value})
    return pd.DataFrame(rows)


def test_counts_by_hand_in_the_papers_notation():
    got = count_shifts(_adce()).set_index(["AVISITN", "TRT01A"])
    assert list(got.columns) == ["PARAMCD", "N", "+/+", "+/-", "-/+", "-/-", "NMISS"]
    # LOW day 29: "5 of 8 became ascites free" -> +/- = 5 of N = 8; L6, L8 stay positive; L7 stays negative
    assert got.loc[(29, "LOW"), ["N", "+/+", "+/-", "-/+", "-/-", "NMISS"]].tolist() == [8, 2, 5, 0, 1, 0]
    # LOW day 57: L3 blank and L4 None are missing; L1, L5 improved; L2, L6, L8 stay; L7 worsened
    assert got.loc[(57, "LOW"), ["N", "+/+", "+/-", "-/+", "-/-", "NMISS"]].tolist() == [6, 3, 2, 1, 0, 2]
    assert got.loc[(29, "HIGH"), ["N", "+/+", "+/-", "-/+", "-/-", "NMISS"]].tolist() == [3, 1, 0, 1, 1, 0]
    assert got.loc[(57, "HIGH"), ["N", "+/+", "+/-", "-/+", "-/-", "NMISS"]].tolist() == [3, 0, 1, 2, 0, 0]


def test_missing_baseline_counts_as_missing():
    frame = _adce()
    frame.loc[frame["USUBJID"] == "H3", "BASEC"] = NA
    got = count_shifts(frame).set_index(["AVISITN", "TRT01A"])
    assert got.loc[(29, "HIGH"), ["N", "+/+", "NMISS"]].tolist() == [2, 0, 1]


def test_population_gives_every_group_a_row_and_counts_absent_subjects():
    population = pd.DataFrame({"USUBJID": [f"L{i}" for i in range(1, 9)] + ["H1", "H2", "H3", "H4", "M1"],
                               "TRT01A": ["LOW"] * 8 + ["HIGH"] * 4 + ["MEDIUM"]})
    got = count_shifts(_adce(), population=population).set_index(["AVISITN", "TRT01A"])
    assert got.loc[(29, "HIGH"), ["N", "NMISS"]].tolist() == [3, 1]       # H4 has no record
    assert got.loc[(57, "LOW"), ["N", "NMISS"]].tolist() == [6, 2]
    assert got.loc[(57, "MEDIUM"), ["N", *SHIFT_CELLS, "NMISS"]].tolist() == [0, 0, 0, 0, 0, 1]
    without_high = population[population["TRT01A"] != "HIGH"]
    with pytest.raises(AnalysisError, match=r"in 'population' with the same TRT01A \(got \['H1', 'H2', 'H3'\]\)"):
        count_shifts(_adce(), population=without_high)


def test_compute_shift_labels_first_sign_is_baseline():
    got = compute_shift(pd.Series(["Y", "Y", "N", "N", "Y", " "]), pd.Series(["Y", "N", "Y", "N", NA, "N"]))
    assert got.tolist()[:4] == ["+/+", "+/-", "-/+", "-/-"]
    assert got.isna().tolist() == [False] * 4 + [True, True]


def test_other_codes_raise_with_the_offending_values():
    frame = _adce()
    frame.loc[0, "AVALC"] = "U"
    with pytest.raises(AnalysisError, match=r"variable AVALC must hold 'Y' or 'N' or be missing \(got \['U'\]\)"):
        count_shifts(frame)
    custom = _adce().replace({"Y": "PRESENT", "N": "ABSENT"})
    assert count_shifts(custom, positive="PRESENT", negative="ABSENT").equals(count_shifts(_adce()))


def test_refuses_duplicates_and_missing_variables():
    with pytest.raises(AnalysisError, match="must have one record per"):
        count_shifts(pd.concat([_adce(), _adce().head(1)]))
    with pytest.raises(AnalysisError, match=r"'dataset' must contain the variables \['BASEC'\]"):
        count_shifts(_adce().drop(columns="BASEC"))


def test_matches_crosstab_and_a_plain_loop_on_a_random_frame():
    rng = np.random.default_rng(5)
    subjects = [f"S{i:03d}" for i in range(60)]
    arm = dict(zip(subjects, rng.choice(["LOW", "MEDIUM", "HIGH"], len(subjects))))
    codes = np.array(["Y", "N", "", None], dtype=object)
    rows = [{"USUBJID": s, "TRT01A": arm[s], "PARAMCD": p, "AVISITN": v,
             "BASEC": codes[rng.choice(4, p=[.45, .45, .05, .05])], "AVALC": codes[rng.choice(4, p=[.4, .4, .1, .1])]}
            for s in subjects for p in ("ASCITES", "JAUNDICE") for v in (29, 57, 85, 169)]
    frame = pd.DataFrame(rows)
    got = count_shifts(frame).set_index(["PARAMCD", "AVISITN", "TRT01A"])
    # independent 1: a plain loop
    loop: dict[tuple, Counter] = {}
    for row in rows:
        cell = loop.setdefault((row["PARAMCD"], row["AVISITN"], row["TRT01A"]), Counter())
        b, a = row["BASEC"], row["AVALC"]
        if b in ("Y", "N") and a in ("Y", "N"):
            cell[("+" if b == "Y" else "-") + "/" + ("+" if a == "Y" else "-")] += 1
        else:
            cell["NMISS"] += 1
    for key, cell in loop.items():
        assert [got.loc[key, c] for c in (*SHIFT_CELLS, "NMISS")] == [cell[c] for c in (*SHIFT_CELLS, "NMISS")]
        assert got.loc[key, "N"] == sum(cell[c] for c in SHIFT_CELLS)
    # independent 2: pandas crosstab of baseline by visit value
    complete = frame[frame["BASEC"].isin(["Y", "N"]) & frame["AVALC"].isin(["Y", "N"])]
    for (param, visit, group), part in complete.groupby(["PARAMCD", "AVISITN", "TRT01A"]):
        table = pd.crosstab(part["BASEC"], part["AVALC"]).reindex(index=["Y", "N"], columns=["Y", "N"], fill_value=0)
        assert got.loc[(param, visit, group), list(SHIFT_CELLS)].tolist() == table.to_numpy().ravel().tolist()
