"""Symptom shifts (S-Tables 4-8) and SF-36 completion of the default export, read from the raw frames.

The paper's "k of m" sentences are read as documented in docs/simulator-measurements.md: m is the number of
subjects with data at the visit (LOW ascites day 29; the HIGH statements), or the number positive at
baseline among them (LOW ascites and MEDIUM statements), or - for the LOW leg oedema at the last visit -
the subjects who had improved at days 57 and 85 and were assessed at day 169.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_measurements_readback import VISITS, shift_counts, symptom_table


@pytest.fixture(scope="module")
def symp(default_frames) -> pd.DataFrame:
    return symptom_table(default_frames)


@pytest.fixture(scope="module")
def arm_of(default_frames) -> pd.Series:
    return default_frames["ENR"].set_index("SUBJECT")["DOSEGRP"].map({"1": "LOW", "2": "MEDIUM", "3": "HIGH"})


def _shift(symp, arm_of, name, arm, folder):
    return shift_counts(symp, arm_of, name, arm, folder)


def _n(counts):
    return sum(counts.values())


def test_ascites_low(symp, arm_of):
    day29 = _shift(symp, arm_of, "ASCITES", "LOW", "D029")
    assert _n(day29) == 8 and day29["+/-"] == 5                       # "5 of 8 ... day 29"
    assert day29["+/+"] + day29["+/-"] > 4                            # "most ... had ascites in baseline"
    improved = [_shift(symp, arm_of, "ASCITES", "LOW", f)["+/-"] for f in VISITS]
    assert improved == sorted(improved, reverse=True)                 # "the number decreased"
    last = _shift(symp, arm_of, "ASCITES", "LOW", "D169")
    assert last["+/+"] + last["+/-"] == 4 and last["+/-"] == 1          # "finally only 1 of 4"


def test_ascites_medium_and_high(symp, arm_of):
    for folder in VISITS:
        medium = _shift(symp, arm_of, "ASCITES", "MEDIUM", folder)
        assert medium["+/+"] + medium["+/-"] == 5 and medium["+/-"] == 3   # "3 of 5"
        high = _shift(symp, arm_of, "ASCITES", "HIGH", folder)
        assert _n(high) == 8 and high["+/-"] == 2 and high["-/+"] == 2     # "2 of 8 ... 2 of 8"


def test_leg_oedema(symp, arm_of):
    base = _shift(symp, arm_of, "LEGEDEMA", "LOW", "D029")
    assert base["+/+"] + base["+/-"] >= 5                               # "majority ... in baseline"
    for folder in ("D057", "D085"):
        low = _shift(symp, arm_of, "LEGEDEMA", "LOW", folder)
        assert low["+/+"] + low["+/-"] == 7 and low["+/-"] == 5          # "5 of 7"
    wide = (symp["LEGEDEMA"] > 0).where(symp["LEGEDEMA"].notna()).unstack("FOLDER")
    low = wide[arm_of.reindex(wide.index) == "LOW"]
    improvers = low[(low["D001"] == 1) & (low["D057"] == 0) & (low["D085"] == 0)]
    seen = improvers["D169"].dropna()
    assert len(seen) == 3 and int((seen == 0).sum()) == 1               # "only 1 of 3 maintained"
    for folder in VISITS:
        medium = _shift(symp, arm_of, "LEGEDEMA", "MEDIUM", folder)
        assert medium["+/+"] + medium["+/-"] == 5 and medium["+/-"] == 1   # "1 of 5 ... cure"
        high = _shift(symp, arm_of, "LEGEDEMA", "HIGH", folder)
        assert _n(high) == 8 and high["+/-"] == 1 and high["-/+"] == 1     # "1 of 8 better, 1 of 8 worse"


def test_haematemesis_jaundice_poor_appetite(symp, arm_of):
    arm = arm_of.reindex(symp.index.get_level_values("SUBJECT")).to_numpy()
    folder = symp.index.get_level_values("FOLDER")
    followed = np.isin(folder, ["D001", *VISITS])
    haem = symp["HAEMAT"].to_numpy() > 0
    assert int(haem[followed].sum()) == 1 and bool(haem[(folder == "D029") & (arm == "LOW")].any())
    appetite = symp["POORAPP"].to_numpy() > 0
    assert int(appetite[followed].sum()) == 1 and bool(appetite[(folder == "D029") & (arm == "LOW")].any())
    jaundice = _shift(symp, arm_of, "JAUNDICE", "LOW", "D029")
    assert jaundice["-/+"] + jaundice["-/-"] == 7 and jaundice["-/+"] == 1   # "1 of 7 ... day 29"
    for later in ("D057", "D085", "D169"):
        assert _shift(symp, arm_of, "JAUNDICE", "LOW", later)["-/+"] == 0   # "after that got better"
    for later in VISITS:
        high = _shift(symp, arm_of, "JAUNDICE", "HIGH", later)
        assert _n(high) == 8 and high["+/-"] == 1 and high["-/+"] == 0     # "1 of 8 ameliorate"


def test_sf36_completion_and_answers(default_frames, arm_of, study):
    sf = default_frames["SF36"]
    assert set(sf["FOLDER"]) == {"D085", "D169"}
    per_arm = sf.drop_duplicates("SUBJECT")["SUBJECT"].map(arm_of).value_counts().to_dict()
    assert per_arm == {"LOW": 2, "MEDIUM": 5, "HIGH": 7}
    for folder in ("D085", "D169"):
        at = sf[sf["FOLDER"] == folder]["SUBJECT"].map(arm_of).value_counts().to_dict()
        assert at == {"LOW": 2, "MEDIUM": 5, "HIGH": 7}
    items = [f for f in study.form("SF36").fields if f.codelist]
    blank = 0
    for field in items:
        answers = sf[field.name]
        blank += int((answers == "").sum())
        assert set(answers[answers != ""]) <= set(study.codelist(field.codelist).codes)
    assert 0 < blank < 0.05 * len(sf) * len(items)                         # occasional missing items
    # physical functioning (items 3-12, 1 = limited a lot .. 3 = not limited) is healthy-ish at the end
    pf = sf[sf["FOLDER"] == "D169"][[f"SF{i:02d}" for i in range(3, 13)]].replace("", np.nan).astype(float)
    score = ((pf.mean(axis=1) - 1) / 2 * 100).mean()
    assert score > 50
