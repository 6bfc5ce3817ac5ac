"""The default export's adverse events reproduce Table 1, the named terms and the three SAEs.

Counts are computed from the raw AE frame: verbatims are mapped to concepts with the verbatim lists of
simulation.yaml (the job the SDTM stage does with its dictionary), nothing else is taken from the simulator.
"""

from __future__ import annotations

import pandas as pd
import pytest

from simulate_helpers import AEREL, NO, YES, arms, edc_date, first_infusion


@pytest.fixture(scope="module")
def ae(default_frames, calibration) -> pd.DataFrame:
    frame = default_frames["AE"].merge(arms(default_frames), left_on="SUBJECT", right_index=True, how="left")
    concept_of = {v: c for c, t in calibration.adverse_events.terms.items() for v in t.verbatims}
    category_of = {c: t.category for c, t in calibration.adverse_events.terms.items()}
    frame["CONCEPT"] = frame["AETERM"].map(concept_of)
    frame["CATEGORY"] = frame["CONCEPT"].map(category_of)
    return frame


@pytest.fixture(scope="module")
def nonserious(ae) -> pd.DataFrame:
    return ae[ae["AESER"] == NO]


def _table(frame: pd.DataFrame, row: str) -> dict:
    counts = frame.groupby([row, "ARM"]).size()
    return {key: int(value) for key, value in counts.items()}


def test_every_verbatim_is_a_known_concept(nonserious):
    assert nonserious["CONCEPT"].notna().all(), nonserious.loc[nonserious["CONCEPT"].isna(), "AETERM"].unique()


def test_table1_totals(nonserious):
    assert nonserious.groupby("ARM").size().to_dict() == {"LOW": 63, "MEDIUM": 34, "HIGH": 54}


def test_table1_grades(nonserious):
    assert _table(nonserious, "AEGRADE") == {
        ("1", "HIGH"): 24,
        ("1", "LOW"): 33,
        ("1", "MEDIUM"): 18,
        ("2", "HIGH"): 16,
        ("2", "LOW"): 24,
        ("2", "MEDIUM"): 10,
        ("3", "HIGH"): 13,
        ("3", "LOW"): 6,
        ("3", "MEDIUM"): 5,
        ("4", "HIGH"): 1,
        ("4", "MEDIUM"): 1,
    }


def test_table1_relationship(nonserious):
    assert _table(nonserious, "AEREL") == {
        (AEREL["POSSIBLY RELEVANT"], "LOW"): 4,
        (AEREL["POSSIBLY IRRELEVANT"], "LOW"): 1,
        (AEREL["POSSIBLY IRRELEVANT"], "MEDIUM"): 1,
        (AEREL["ABSOLUTELY IRRELEVANT"], "LOW"): 58,
        (AEREL["ABSOLUTELY IRRELEVANT"], "MEDIUM"): 33,
        (AEREL["ABSOLUTELY IRRELEVANT"], "HIGH"): 54,
    }


def test_no_ae_changed_dose_or_stopped_therapy_or_killed(ae):
    # ACN 1 = dose not changed (during the infusions), 5 = not applicable (after them)
    assert set(ae["AEACN"]) <= {"1", "5"}
    nonserious = ae[ae["AESER"] == NO]
    assert (nonserious["AEOUT"] != "5").all() and (nonserious["AEGRADE"] != "5").all()


def test_named_terms_by_group_and_grade(nonserious, published):
    for concept, expected in published["adverse_event_terms"].items():
        if not isinstance(expected, dict):
            continue
        rows = nonserious[nonserious["CONCEPT"] == concept]
        got = {
            arm: {int(g): int(n) for g, n in part.groupby("AEGRADE").size().items()}
            for arm, part in rows.groupby("ARM")
        }
        assert got == {arm: {int(g): n for g, n in grades.items()} for arm, grades in expected.items()}, concept


def test_term_and_category_totals(nonserious, published):
    terms = published["adverse_event_terms"]
    assert (nonserious["CONCEPT"] == "leukopenia").sum() == terms["leukopenia_total"] == 5
    assert (nonserious["CONCEPT"] == "lymphopenia").sum() == terms["lymphopenia_total"] == 4
    assert (nonserious["CONCEPT"] == "urobilinogen increased").sum() == terms["urobilinogen increased_total"] == 3
    categories = nonserious["CATEGORY"].value_counts().to_dict()
    assert categories["laboratory"] == terms["laboratory_alterations_total"] == 71
    assert categories["gastrointestinal"] == terms["gastrointestinal_total"] == 20
    assert categories["metabolism"] == terms["metabolism_total"] == 18
    assert categories["general"] == terms["general_total"] == 7


def test_three_serious_events(ae, default_frames):
    sae = ae[ae["AESER"] == YES].set_index("ARM")
    assert sorted(sae.index) == ["HIGH", "LOW", "MEDIUM"]
    assert sae.loc["LOW", "AETERM"] == "Newly diagnosed hepatocellular carcinoma"
    assert sae.loc["MEDIUM", "AETERM"] == "Upper gastrointestinal haemorrhage"
    assert sae.loc["HIGH", "AETERM"] == "Hepatic encephalopathy"
    assert (sae["AESHOSP"] == YES).all()
    assert sae.loc["HIGH", "AESDTH"] == YES and sae.loc["HIGH", "AEOUT"] == "5"
    assert sae.loc["LOW", "AESDTH"] == NO and sae.loc["LOW", "AEOUT"] == "1"
    # onset in months after the first infusion: ~3 (LOW), ~5 (MEDIUM), ~5 (HIGH)
    start = edc_date(sae["AESTDAT"]) - first_infusion(default_frames).reindex(sae["SUBJECT"]).to_numpy()
    months = (start.dt.days / 30.4375).round(1).to_dict()
    assert months == {"LOW": 2.8, "MEDIUM": 5.0, "HIGH": 4.9}
    # the fatal one ends with the death
    death = default_frames["DTH"].set_index("SUBJECT")["DTHDAT"]
    assert sae.loc["HIGH", "AEENDAT"] == death[sae.loc["HIGH", "SUBJECT"]]


def test_non_serious_events_lie_within_follow_up(nonserious, default_frames):
    first = first_infusion(default_frames)
    vis = default_frames["VIS"]
    last_visit = edc_date(vis["VISDAT"]).groupby(vis["SUBJECT"]).max()
    start, end = edc_date(nonserious["AESTDAT"]), edc_date(nonserious["AEENDAT"])
    subject = nonserious["SUBJECT"]
    complete = start.notna()
    assert (start[complete] >= first.reindex(subject[complete]).to_numpy()).all()
    assert (start[complete] <= last_visit.reindex(subject[complete]).to_numpy()).all()
    both = start.notna() & end.notna()
    assert (end[both] >= start[both]).all()
    assert ((nonserious["AEENDAT"] == "") == (nonserious["AEONGO"] == YES)).all()


def test_a_few_partial_dates(ae):
    partial_start = ae["AESTDAT"].str.startswith("UN")
    partial_end = ae["AEENDAT"].str.startswith("UN")
    assert partial_start.sum() == 2 and partial_end.sum() == 2
    assert ae.loc[partial_start, "AESTDAT"].str.fullmatch(r"UN [A-Z]{3} \d{4}").all()
