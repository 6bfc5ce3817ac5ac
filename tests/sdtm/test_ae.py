"""AE and SUPPAE on the simulated default export: the published adverse-event table, the SAEs, coding with
the study dictionary, relationship, ongoing events, keys, study days and lineage."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from cdisc_pipe.raw.read import read_raw
from cdisc_pipe.sdtm.algorithms_events import DICTIONARY_FOLDER, compute_normalised_term, read_term_dictionary
from cdisc_pipe.sdtm.assemble import build_sdtm
from cdisc_pipe.simulate import run_simulation
from cdisc_pipe.spec.sdtm_load import load_sdtm_spec


@pytest.fixture(scope="module")
def export(study, study_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("raw")
    run_simulation(study_dir, out)
    return read_raw(out, study)


@pytest.fixture(scope="module")
def result(export, study):
    """DM and SE (for study days and EPOCH) and AE."""
    spec = {k: v for k, v in load_sdtm_spec(study).items() if k in ("DM", "SE", "AE")}
    return build_sdtm(export, study, spec)


@pytest.fixture(scope="module")
def ae(result):
    arms = result.domains["DM"][["USUBJID", "ARMCD"]]
    return result.domains["AE"].merge(arms, on="USUBJID", how="left", validate="many_to_one")


def _counts(frame, by):
    return {k: int(v) for k, v in frame.groupby(by).size().items()}


def test_ae_holds_every_raw_event_and_no_finding(result, export):
    assert len(result.domains["AE"]) == export.forms["AE"].n_records == 154
    assert [f for f in result.report.findings if f.dataset == "AE"] == []
    assert "AESEV" not in result.domains["AE"] and "AESOC" not in result.domains["AE"]


def test_non_serious_events_match_the_published_table(ae):
    table = ae[ae["AESER"] == "N"]
    assert _counts(table, "ARMCD") == {"HIGH": 54, "LOW": 63, "MEDIUM": 34}
    assert _counts(table, ["AETOXGR", "ARMCD"]) == {
        ("1", "HIGH"): 24, ("1", "LOW"): 33, ("1", "MEDIUM"): 18,
        ("2", "HIGH"): 16, ("2", "LOW"): 24, ("2", "MEDIUM"): 10,
        ("3", "HIGH"): 13, ("3", "LOW"): 6, ("3", "MEDIUM"): 5,
        ("4", "HIGH"): 1, ("4", "MEDIUM"): 1,
    }
    # the publication's categories: laboratory 71, gastrointestinal 20, metabolism 18, general 7
    bodsys = _counts(table, "AEBODSYS")
    assert (bodsys["Investigations"], bodsys["Gastrointestinal disorders"],
            bodsys["Metabolism and nutrition disorders"],
            bodsys["General disorders and administration site conditions"]) == (71, 20, 18, 7)
    assert _counts(table, ["AEREL", "ARMCD"]) == {
        ("NOT RELATED", "HIGH"): 54, ("NOT RELATED", "LOW"): 59, ("NOT RELATED", "MEDIUM"): 34,
        ("RELATED", "LOW"): 4,
    }
    assert set(table["AEACN"]) == {"DOSE NOT CHANGED", "NOT APPLICABLE"}


def test_the_three_serious_events(ae):
    sae = ae[ae["AESER"] == "Y"].sort_values("AESTDY")
    columns = ["ARMCD", "AEDECOD", "AETOXGR", "AESTDY", "AEENDY", "AEOUT", "AESDTH", "AESLIFE", "AESHOSP",
               "AESDISAB", "AESCONG", "AESMIE", "AEREL"]
    assert sae[columns].values.tolist() == [
        ["LOW", "Hepatocellular carcinoma", "3", 85, 121, "RECOVERED/RESOLVED", "N", "N", "Y", "N", "N", "N",
         "NOT RELATED"],
        ["HIGH", "Hepatic encephalopathy", "5", 149, 214, "FATAL", "Y", "Y", "Y", "N", "N", "N", "NOT RELATED"],
        ["MEDIUM", "Upper gastrointestinal hemorrhage", "3", 152, 163, "RECOVERED/RESOLVED", "N", "N", "Y", "N",
         "N", "N", "NOT RELATED"],
    ]
    criteria = ["AESDTH", "AESLIFE", "AESHOSP", "AESDISAB", "AESCONG", "AESMIE"]
    assert ae.loc[ae["AESER"] == "N", criteria].isna().all().all()


def test_every_verbatim_the_simulator_writes_is_coded(study):
    calibration = yaml.safe_load((study.root / "simulation.yaml").read_text(encoding="utf-8"))
    verbatims = [v for term in calibration["adverse_events"]["terms"].values() for v in term["verbatims"]]
    verbatims += [e["term"] for e in calibration["serious_adverse_events"].values()]
    dictionary = read_term_dictionary(study.root / DICTIONARY_FOLDER / "ae-terms.yaml")
    codes = dictionary.attribute_map("decod")
    uncoded = [v for v, key in zip(verbatims, compute_normalised_term(pd.Series(verbatims))) if key not in codes]
    assert uncoded == []


def test_variants_of_one_concept_share_their_coding(ae):
    assert ae["AEDECOD"].notna().all() and ae["AEBODSYS"].notna().all()
    variants = ae.loc[ae["AEDECOD"] == "Hypocalcemia", "AETERM"]
    assert set(variants) == {"Hypocalcemia", "Hypocalcaemia"}
    assert ae.groupby("AEDECOD")["AEBODSYS"].nunique().max() == 1


def test_trial_relationship_scale_is_in_suppae(result, ae):
    supp = result.domains["SUPPAE"]
    assert len(supp) == len(ae)
    assert set(supp["QNAM"]) == {"AERELTRL"} and set(supp["IDVAR"]) == {"AESEQ"}
    assert set(supp["QLABEL"]) == {"Relationship to hUC-MSC (trial scale)"}
    both = supp.merge(ae.astype({"AESEQ": "string"}), left_on=["USUBJID", "IDVARVAL"], right_on=["USUBJID", "AESEQ"],
                      validate="one_to_one")
    related = both["QVAL"].isin(["ABSOLUTELY RELEVANT", "POSSIBLY RELEVANT"])
    assert (both["AEREL"] == related.map({True: "RELATED", False: "NOT RELATED"})).all()
    table = both[both["AESER"] == "N"]
    assert _counts(table, ["QVAL", "ARMCD"]) == {
        ("ABSOLUTELY IRRELEVANT", "HIGH"): 54, ("ABSOLUTELY IRRELEVANT", "LOW"): 58,
        ("ABSOLUTELY IRRELEVANT", "MEDIUM"): 33, ("POSSIBLY IRRELEVANT", "LOW"): 1,
        ("POSSIBLY IRRELEVANT", "MEDIUM"): 1, ("POSSIBLY RELEVANT", "LOW"): 4,
    }


def test_ongoing_events_and_partial_dates(ae, export):
    ongoing = ae[ae["AEENRTPT"].notna()]
    assert len(ongoing) == 36
    assert set(ongoing["AEENRTPT"]) == {"ONGOING"} and set(ongoing["AEENTPT"]) == {"END OF STUDY"}
    assert ongoing["AEENDTC"].isna().all() and set(ongoing["AEOUT"]) == {"NOT RECOVERED/NOT RESOLVED"}
    assert ae.loc[ae["AEENRTPT"].isna(), ["AEENTPT"]].isna().all().all()
    partial = ae[ae["AESTDTC"].str.len() == 7]
    assert partial["AESTDTC"].tolist() == ["2020-02", "2022-03"]
    assert partial["AESTDY"].isna().all() and partial["EPOCH"].isna().all()
    assert ae["AEENDTC"].str.len().eq(7).sum() == 2


def test_keys_sequence_study_days_and_ct(ae, study):
    assert not ae.duplicated(["STUDYID", "USUBJID", "AEDECOD", "AESTDTC", "AESPID"]).any()
    seq = ae.groupby("USUBJID")["AESEQ"].agg(list)
    assert all(values == list(range(1, len(values) + 1)) for values in seq)
    ordered = ae.sort_values(["USUBJID", "AESTDTC", "AETERM"], kind="stable")
    assert ordered["AESEQ"].tolist() == ae["AESEQ"].tolist()
    for dy in ("AESTDY", "AEENDY"):
        assert not (ae[dy] == 0).any()
    assert (ae["AESTDY"].dropna() >= 1).all()  # every event starts on or after the first infusion
    for variable, codelist in [("AESER", "NY"), ("AEACN", "ACN"), ("AEOUT", "OUT"), ("EPOCH", "EPOCH")]:
        allowed = {t.submission for t in study.codelist(codelist).terms}
        assert set(ae[variable].dropna()) <= allowed, variable
    assert set(ae["AETOXGR"]) == {"1", "2", "3", "4", "5"}
    assert ae["EPOCH"].isna().sum() == 2  # the two partial start dates
    assert "SCREENING" not in set(ae["EPOCH"])


def test_lineage_points_at_the_raw_event(result, export):
    lineage = result.lineage[result.lineage["DOMAIN"] == "AE"]
    assert len(lineage) == 154 and set(lineage["RAW_FILE"]) == {"ae.csv"}
    raw = export.forms["AE"].frame
    assert sorted(lineage["RAW_ROW"]) == sorted(raw["_ROW_"])
    joined = lineage.merge(result.domains["AE"], left_on=["USUBJID", "SEQ"], right_on=["USUBJID", "AESEQ"]).merge(
        raw, left_on="RAW_ROW", right_on="_ROW_", suffixes=("", "_RAW"))
    assert (joined["AETERM"] == joined["AETERM_RAW"]).all()
    assert (joined["AESPID"] == joined["RECORDPOSITION"]).all()


def test_an_unknown_verbatim_is_a_finding(export, study):
    frame = export.forms["AE"].frame
    planted = frame.assign(AETERM=frame["AETERM"].mask(frame["_ROW_"] == 5, "Frobnication of the spleen"))
    forms = {**export.forms, "AE": export.forms["AE"].__class__(form=export.forms["AE"].form, frame=planted,
                                                                  file="ae.csv")}
    spec = {k: v for k, v in load_sdtm_spec(study).items() if k in ("DM", "SE", "AE")}
    result = build_sdtm(export.__class__(source=export.source, format=export.format, forms=forms), study, spec)
    found = [(f.rule, f.variable, f.row, f.value) for f in result.report.findings]
    assert found == [("SDTM-DICT-UNCODED", "AEDECOD", 5, "Frobnication of the spleen"),
                     ("SDTM-DICT-UNCODED", "AEBODSYS", 5, "Frobnication of the spleen")]
