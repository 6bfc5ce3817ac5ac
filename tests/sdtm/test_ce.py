"""CE on the simulated default export: one record per pre-specified symptom per visit, occurrence and the
ascites grade, coding, keys, study days and lineage (HEGRADE is not CE's)."""

from __future__ import annotations

import pandas as pd
import pytest

from cdisc_pipe.raw.read import read_raw
from cdisc_pipe.sdtm.assemble import build_sdtm
from cdisc_pipe.simulate import run_simulation
from cdisc_pipe.spec.sdtm_load import load_sdtm_spec

SYMPTOMS = {"ASCITES": "Ascites", "LEGEDEMA": "Oedema of the legs", "HAEMAT": "Haematemesis",
            "JAUNDICE": "Jaundice", "POORAPP": "Poor appetite"}


@pytest.fixture(scope="module")
def export(study, study_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("raw")
    run_simulation(study_dir, out)
    return read_raw(out, study)


@pytest.fixture(scope="module")
def result(export, study):
    """DM and SE (for study days and EPOCH) and CE."""
    spec = {k: v for k, v in load_sdtm_spec(study).items() if k in ("DM", "SE", "CE")}
    return build_sdtm(export, study, spec)


@pytest.fixture(scope="module")
def ce(result):
    return result.domains["CE"]


@pytest.fixture(scope="module")
def joined(result, export, ce):
    """CE records beside the raw SYMP record each came from."""
    lineage = result.lineage[result.lineage["DOMAIN"] == "CE"]
    return lineage.merge(ce, left_on=["USUBJID", "SEQ"], right_on=["USUBJID", "CESEQ"], validate="one_to_one").merge(
        export.forms["SYMP"].frame, left_on="RAW_ROW", right_on="_ROW_", validate="many_to_one")


def test_one_record_per_symptom_per_visit(result, export, ce):
    assert len(ce) == 5 * export.forms["SYMP"].n_records == 750
    assert [f for f in result.report.findings if f.dataset == "CE"] == []
    assert ce.groupby("CETERM").size().to_dict() == {term: 150 for term in SYMPTOMS.values()}
    assert set(ce["CEPRESP"]) == {"Y"}
    assert ce["VISIT"].value_counts().to_dict() == {"SCREENING": 195, "DAY 1": 120, "DAY 29": 115, "DAY 57": 110,
                                                    "DAY 85": 110, "DAY 169": 100}


def test_occurrence_follows_the_crf_answer(joined):
    for field, term in SYMPTOMS.items():
        rows = joined[joined["CETERM"] == term]
        occurred = rows[field].map({"0": "N", "1": "Y", "2": "Y"})
        assert (rows["CEOCCUR"] == occurred).all(), field
    assert joined.groupby(["CETERM", "CEOCCUR"]).size().to_dict() == {
        ("Ascites", "N"): 75, ("Ascites", "Y"): 75, ("Haematemesis", "N"): 149, ("Haematemesis", "Y"): 1,
        ("Jaundice", "N"): 139, ("Jaundice", "Y"): 11, ("Oedema of the legs", "N"): 61,
        ("Oedema of the legs", "Y"): 89, ("Poor appetite", "N"): 149, ("Poor appetite", "Y"): 1,
    }


def test_ascites_grade_is_the_severity(joined):
    ascites = joined[joined["CETERM"] == "Ascites"]
    expected = ascites["ASCITES"].map({"1": "MILD", "2": "MODERATE TO SEVERE"})
    assert ascites["CESEV"].fillna("-").tolist() == expected.fillna("-").tolist()
    assert ascites["CESEV"].value_counts().to_dict() == {"MILD": 40, "MODERATE TO SEVERE": 35}
    assert joined.loc[joined["CETERM"] != "Ascites", "CESEV"].isna().all()


def test_coding_dates_and_days(joined, ce):
    assert dict(zip(ce["CETERM"], ce["CEDECOD"])) == {
        "Ascites": "Ascites", "Oedema of the legs": "Edema limbs", "Haematemesis": "Hematemesis",
        "Jaundice": "Jaundice", "Poor appetite": "Anorexia"}
    assert ce["CEBODSYS"].notna().all()
    assert ce["CEDTC"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert not (ce["CEDY"] == 0).any()
    day1 = joined[joined["VISIT"] == "DAY 1"]
    assert set(day1["CEDY"]) == {1} and set(day1["EPOCH"]) == {"TREATMENT"}
    assert set(joined.loc[joined["VISIT"] == "SCREENING", "EPOCH"]) == {"SCREENING"}


def test_keys_sequence_and_lineage(result, export, ce, joined):
    assert not ce.duplicated(["STUDYID", "USUBJID", "CETERM", "VISITNUM"]).any()
    assert all(v == list(range(1, len(v) + 1)) for v in ce.groupby("USUBJID")["CESEQ"].agg(list))
    assert ce.sort_values(["USUBJID", "VISITNUM", "CETERM"], kind="stable")["CESEQ"].tolist() == ce["CESEQ"].tolist()
    lineage = result.lineage[result.lineage["DOMAIN"] == "CE"]
    assert set(lineage["RAW_FILE"]) == {"symptoms.csv"}
    assert lineage["RAW_ROW"].value_counts().eq(5).all()
    assert sorted(lineage["RAW_ROW"].unique()) == sorted(export.forms["SYMP"].frame["_ROW_"])
    assessed = pd.to_datetime(joined["SYDAT"].astype(str), format="%d %b %Y").dt.strftime("%Y-%m-%d")
    assert (joined["CEDTC"] == assessed).all()
    assert "Hepatic encephalopathy" not in set(ce["CETERM"])
