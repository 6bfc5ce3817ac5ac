"""Unit tests of derive_param_tte (admiral's rules) on small literal frames with hand-written expectations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal, assert_series_equal

from cdisc_pipe.adam.verbs_dates import derive_vars_duration
from cdisc_pipe.adam.verbs_tte import compute_tte_date, derive_param_tte
from cdisc_pipe.errors import AdamError

NA = pd.NA
NaT = pd.NaT


def _dates(values):
    return pd.to_datetime(pd.Series(values, dtype="object"), format="%Y-%m-%d").astype("datetime64[s]")


# The population: S-1 .. S-6 treated (TRTSDT), S-7 not treated. LSTALVDT is the censoring date.
ADSL = pd.DataFrame({
    "STUDYID": ["S"] * 7,
    "USUBJID": [f"S-{i}" for i in range(1, 8)],
    "TRTSDT": _dates(["2020-01-01", "2020-01-01", "2020-02-01", "2020-02-01", "2020-03-01", "2020-03-01", None]),
    "LSTALVDT": _dates(["2020-03-10", "2020-06-30", "2020-05-01", "2020-07-01", "2020-09-30", None,
                        "2020-04-01"]),
})
# Deaths: S-1 before censoring, S-3 on the censoring date, S-4 after it, S-5 with a partial date (not usable);
# S-8 is not in the population.
DS = pd.DataFrame({
    "STUDYID": ["S"] * 6,
    "USUBJID": ["S-1", "S-1", "S-3", "S-4", "S-5", "S-8"],
    "DSSEQ": [1, 2, 2, 3, 2, 1],
    "DSDECOD": ["COMPLETED", "DEATH", "DEATH", "DEATH", "DEATH", "DEATH"],
    "DSSTDTC": ["2019-12-20", "2020-03-10", "2020-05-01", "2020-08-01", "2020-05", "2020-02-02"],
})
SOURCES = {"ADSL": ADSL, "DS": DS}

DEATH = {"dataset_name": "DS", "filter": "DSDECOD == 'DEATH'", "date": "DSSTDTC", "seq": "DSSEQ",
         "set_values_to": {"EVNTDESC": "DEATH"}}
ALIVE = {"dataset_name": "ADSL", "date": "LSTALVDT",
         "set_values_to": {"EVNTDESC": "LAST KNOWN ALIVE", "CNSDTDSC": "LAST KNOWN ALIVE DATE"}}
OS = {"set_values_to": {"PARAMCD": "OS", "PARAM": "Overall Survival"},
      "event_sources": [DEATH], "censor_sources": [ALIVE]}


def _tte(dataset=ADSL, parameters=(OS,), sources=SOURCES, **kwargs):
    return derive_param_tte(dataset, sources=sources, parameters=list(parameters), **kwargs)


def test_overall_survival_follows_admirals_event_and_censoring_rules():
    out = _tte()
    expected = pd.DataFrame({
        "STUDYID": ["S"] * 6,
        "USUBJID": ["S-1", "S-2", "S-3", "S-4", "S-5", "S-7"],
        "PARAMCD": ["OS"] * 6,
        "PARAM": ["Overall Survival"] * 6,
        "STARTDT": _dates(["2020-01-01", "2020-01-01", "2020-02-01", "2020-02-01", "2020-03-01", None]),
        # S-1 event before censoring; S-2 censored; S-3 tie: event wins; S-4 event after the last alive date is
        # still the event; S-5 partial death date: no event, censored; S-6 no date at all: no record;
        # S-7 untreated: kept with missing STARTDT (the population filter belongs to the start frame).
        "ADT": _dates(["2020-03-10", "2020-06-30", "2020-05-01", "2020-08-01", "2020-09-30", "2020-04-01"]),
        "CNSR": [0.0, 1.0, 0.0, 0.0, 1.0, 1.0],
        "SRCSEQ": [2.0, np.nan, 2.0, 3.0, np.nan, np.nan],
        "SRCDOM": ["DS", "ADSL", "DS", "DS", "ADSL", "ADSL"],
        "SRCVAR": ["DSSTDTC", "LSTALVDT", "DSSTDTC", "DSSTDTC", "LSTALVDT", "LSTALVDT"],
        "EVNTDESC": ["DEATH", "LAST KNOWN ALIVE", "DEATH", "DEATH", "LAST KNOWN ALIVE", "LAST KNOWN ALIVE"],
        "CNSDTDSC": [NA, "LAST KNOWN ALIVE DATE", NA, NA, "LAST KNOWN ALIVE DATE", "LAST KNOWN ALIVE DATE"],
    })
    expected = expected.astype({c: "string" for c in ["STUDYID", "USUBJID", "PARAMCD", "PARAM", "SRCDOM",
                                                      "SRCVAR", "EVNTDESC", "CNSDTDSC"]})
    assert_frame_equal(out[expected.columns].astype({c: "string" for c in ["STUDYID", "USUBJID"]}), expected)


def test_cnsr_zero_exactly_when_an_event_source_was_selected():
    out = _tte()
    assert (out["CNSR"].eq(0) == out["SRCDOM"].eq("DS")).all()


def test_subject_without_any_source_date_gets_no_record_and_others_outside_population_none():
    out = _tte()
    assert "S-6" not in set(out["USUBJID"])       # no event, censoring date missing
    assert "S-8" not in set(out["USUBJID"])       # has a death record but is not in the population


def test_event_or_censoring_before_start_is_moved_to_start_date():
    adsl = ADSL.iloc[[0]].assign(TRTSDT=_dates(["2020-04-01"]))
    out = _tte(dataset=adsl)
    assert out.loc[0, "ADT"] == pd.Timestamp("2020-04-01") and out.loc[0, "CNSR"] == 0


def test_aval_is_adt_minus_startdt_plus_one_day():
    out = derive_vars_duration(_tte(), new_var="AVAL", new_var_unit="AVALU", start_date="STARTDT", end_date="ADT")
    # S-1: 2020-01-01 .. 2020-03-10 = 69 days apart, + 1; S-7 has no start date
    assert_series_equal(out["AVAL"], pd.Series([70.0, 182.0, 91.0, 183.0, 214.0, np.nan], name="AVAL"))
    assert out["AVALU"].tolist()[:5] == ["DAYS"] * 5 and pd.isna(out["AVALU"].iloc[5])


def test_event_on_start_day_has_aval_one():
    adsl = ADSL.iloc[[0]].assign(TRTSDT=_dates(["2020-03-10"]))
    out = derive_vars_duration(_tte(dataset=adsl), new_var="AVAL", start_date="STARTDT", end_date="ADT")
    assert out["AVAL"].tolist() == [1.0]


# --- several sources ------------------------------------------------------------------------------------

AE = pd.DataFrame({
    "STUDYID": ["S"] * 5,
    "USUBJID": ["S-1", "S-1", "S-1", "S-2", "S-2"],
    "AESEQ": [3, 1, 2, 1, 2],
    "AESER": ["Y", "Y", "N", "Y", "Y"],
    "AESTDTC": ["2020-02-01", "2020-02-01T08:00", "2020-01-15", "2020-06-30", None],
})


def test_earliest_event_wins_and_ties_go_to_first_source_then_first_in_order():
    sae = {"dataset_name": "AE", "filter": "AESER == 'Y'", "date": "AESTDTC", "seq": "AESEQ", "order": ["AESEQ"],
           "set_values_to": {"EVNTDESC": "SERIOUS AE"}}
    death_same_day = {**DEATH, "set_values_to": {"EVNTDESC": "DEATH"}}
    ds = DS.assign(DSSTDTC=DS["DSSTDTC"].where(DS["USUBJID"] != "S-1", "2020-02-01"))
    param = {"set_values_to": {"PARAMCD": "TTSAE"}, "event_sources": [sae, death_same_day],
             "censor_sources": [ALIVE]}
    out = _tte(dataset=ADSL.iloc[:2], parameters=[param], sources={**SOURCES, "AE": AE, "DS": ds})
    # S-1: AESEQ 1 and 3 and the death all on 2020-02-01: the AE source is listed first, AESEQ 1 first in order.
    # S-2: the SAE on the censoring date is an event; the SAE without a date is no candidate.
    assert out[["USUBJID", "ADT", "CNSR", "SRCDOM", "SRCSEQ", "EVNTDESC"]].astype(object).values.tolist() == [
        ["S-1", pd.Timestamp("2020-02-01"), 0.0, "AE", 1.0, "SERIOUS AE"],
        ["S-2", pd.Timestamp("2020-06-30"), 0.0, "AE", 1.0, "SERIOUS AE"],
    ]


def test_latest_censoring_wins_and_ties_go_to_last_source():
    adsl = ADSL.iloc[:2].assign(EOSDT=_dates(["2020-03-10", "2020-05-01"]))
    eos = {"dataset_name": "ADSL", "date": "EOSDT", "set_values_to": {"CNSDTDSC": "END OF STUDY"}}
    alive = {**ALIVE, "set_values_to": {"CNSDTDSC": "LAST KNOWN ALIVE DATE"}}
    param = {"set_values_to": {"PARAMCD": "X"}, "censor_sources": [alive, eos]}
    out = _tte(dataset=adsl, parameters=[param], sources={"ADSL": adsl})
    # S-1: both 2020-03-10, the source listed last (EOSDT) wins; S-2: LSTALVDT is later
    assert out["SRCVAR"].tolist() == ["EOSDT", "LSTALVDT"]
    assert out["CNSDTDSC"].tolist() == ["END OF STUDY", "LAST KNOWN ALIVE DATE"]
    assert out["CNSR"].tolist() == [1.0, 1.0] and "EVNTDESC" not in out.columns


def test_censor_value_and_source_provenance_can_be_set():
    alive = {**ALIVE, "censor": 2, "set_values_to": {"SRCDOM": "ADSL", "SRCVAR": "LSTALVDTC"}}
    param = {"set_values_to": {"PARAMCD": "X"}, "censor_sources": [alive]}
    out = _tte(dataset=ADSL.iloc[[1]], parameters=[param])
    assert out.loc[0, "CNSR"] == 2.0 and out.loc[0, "SRCVAR"] == "LSTALVDTC"


def test_several_parameters_one_record_each_sorted_by_subject_then_parameter_order():
    ttd = {"set_values_to": {"PARAMCD": "TTD", "PARAM": "Time to Death"}, "event_sources": [DEATH],
           "censor_sources": [ALIVE]}
    out = _tte(dataset=ADSL.iloc[:2], parameters=[ttd, OS])
    assert out[["USUBJID", "PARAMCD"]].values.tolist() == [["S-1", "TTD"], ["S-1", "OS"], ["S-2", "TTD"],
                                                          ["S-2", "OS"]]


def test_datetime_dates_keep_the_date_part_and_startdtf_is_carried():
    adsl = ADSL.iloc[[1]].assign(TRTSDTF=pd.Series(["D"], dtype="string", index=[1]),
                                 LSTALVDT=pd.to_datetime(["2020-06-30 17:45"]).astype("datetime64[s]"))
    out = _tte(dataset=adsl, sources={"ADSL": adsl, "DS": DS})
    assert out.loc[0, "ADT"] == pd.Timestamp("2020-06-30") and out.loc[0, "STARTDTF"] == "D"


def test_compute_tte_date_takes_complete_iso_dates_only():
    text = pd.Series(["2020-01-02T10:00", "2020-01", "2020", None], dtype="string")
    assert_series_equal(compute_tte_date(text), _dates(["2020-01-02", None, None, None]))


def test_input_is_not_modified():
    before = ADSL.copy()
    _tte()
    assert_frame_equal(ADSL, before)


# --- misuse ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        ([], "'parameters' must be a non-empty list"),
        ([{**OS, "censor_source": [ALIVE]}], "closest match: 'censor_sources'"),
        ([{"set_values_to": {"PARAMCD": "OS"}, "event_sources": [DEATH]}], "must give ['censor_sources']"),
        ([OS, OS], "must set a PARAMCD not used before (got 'OS')"),
        ([{**OS, "censor_sources": [{**ALIVE, "dataset_name": "ADSLX"}]}], "must name an available dataset"),
        ([{**OS, "censor_sources": [{**ALIVE, "date": "LSTALV"}]}], "must contain the variables ['LSTALV']"),
        ([{**OS, "event_sources": [{**DEATH, "filter": "DSDECD == 'DEATH'"}]}], "event_sources[0].filter"),
        ([{**OS, "censor_sources": [{**ALIVE, "set_values_to": {"ADT": 1}}]}], "must not set ['ADT']"),
    ],
)
def test_misuse_raises_naming_the_argument(parameters, message):
    with pytest.raises(AdamError) as err:
        _tte(parameters=parameters)
    assert message in str(err.value)


def test_population_must_hold_the_start_date_and_one_record_per_subject():
    with pytest.raises(AdamError, match=r"'dataset' must contain the variables \['RANDDT'\]"):
        _tte(start_date="RANDDT")
    with pytest.raises(AdamError, match="at most one record per"):
        _tte(dataset=pd.concat([ADSL, ADSL]))


def test_bad_source_columns_raise_naming_the_source():
    ds_text_seq = DS.assign(DSSEQ=["a", "b", "c", "d", "e", "f"])
    with pytest.raises(AdamError, match=r"'parameters\[0\].event_sources\[0\].seq' must name a numeric"):
        _tte(sources={**SOURCES, "DS": ds_text_seq})
    ds_number_date = DS.assign(DSSTDTC=[1, 2, 3, 4, 5, 6])
    with pytest.raises(AdamError, match=r"'parameters\[0\].event_sources\[0\].date' \(DS.DSSTDTC\)"):
        _tte(sources={**SOURCES, "DS": ds_number_date})
    with pytest.raises(AdamError, match=r"censor' must be a whole number \(got 'yes'\)"):
        _tte(parameters=[{**OS, "censor_sources": [{**ALIVE, "censor": "yes"}]}])
