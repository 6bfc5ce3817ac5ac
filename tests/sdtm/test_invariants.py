"""Whole-study invariants of the default study's SDTM, over every domain the spec declares.

The domains are read from ``specs/<study>/sdtm/`` when the tests are collected, so a domain added to the
spec is checked here without a line of test code. Each check computes its expectation independently of
the engine (study days from the calendar, codelists from the spec, raw rows from the export) and names
the offending records, at most 10, in its message.
"""

from __future__ import annotations

import re
from datetime import date

import pandas as pd
import pytest

from cdisc_pipe.paths import default_study_dir
from cdisc_pipe.raw.model import ROW
from cdisc_pipe.sdtm.reconcile import load_not_mapped, reconcile
from cdisc_pipe.spec import load_spec
from cdisc_pipe.spec.sdtm_load import load_sdtm_spec

SPEC = load_sdtm_spec(load_spec(default_study_dir()))
DOMAINS = list(SPEC)
#: Domains whose records come from raw records (and so carry lineage), as opposed to ``builder`` domains.
RECORD_DOMAINS = [n for n, d in SPEC.items() if d.source.kind != "builder"]
SUPP_DOMAINS = [n for n, d in SPEC.items() if d.supp_variables]


def _names(domain) -> list[str]:
    return [v.name for v in domain.main_variables]


def _seq_name(name: str) -> str | None:
    """The --SEQ of a subject-level domain: the variable derived by ``seq``, or one named <DOMAIN>SEQ."""
    domain = SPEC[name]
    if "USUBJID" not in _names(domain):
        return None
    return next((v.name for v in domain.main_variables if v.algorithm == "seq" or v.name == f"{name}SEQ"), None)


SEQ_DOMAINS = [n for n in DOMAINS if _seq_name(n)]
#: (domain, --DY, --DTC): every variable named --DY (VISITDY is a planned day, not a study day).
STUDY_DAYS = [
    (n, v.name, v.arg("dtc") if v.algorithm == "study_day" else v.name[:-2] + "DTC")
    for n, d in SPEC.items() for v in d.main_variables if v.name.endswith("DY") and v.name != "VISITDY"
]
CODED = [(n, v.name, v.codelist) for n, d in SPEC.items() for v in d.main_variables if v.codelist and v.type == "Char"]
DTC = [(n, v.name) for n, d in SPEC.items() for v in d.main_variables if v.name.endswith("DTC")]
ISO_8601 = re.compile(r"^\d{4}(-\d{2}(-\d{2}(T\d{2}(:\d{2}(:\d{2})?)?)?)?)?$")
COMPLETE_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
MAX_SHOWN = 10


def _shown(frame: pd.DataFrame, columns: list[str]) -> str:
    rows = frame.loc[:, [c for c in columns if c in frame.columns]].head(MAX_SHOWN).to_dict("records")
    more = f" ... and {len(frame) - MAX_SHOWN} more" if len(frame) > MAX_SHOWN else ""
    return f"{rows}{more}"


def _ids(name: str) -> list[str]:
    """USUBJID and --SEQ (or the domain's keys) to name a record in a message."""
    seq = _seq_name(name)
    return ["USUBJID", seq] if seq else list(SPEC[name].keys)


@pytest.fixture(scope="module")
def domains(default_sdtm) -> dict[str, pd.DataFrame]:
    return default_sdtm.domains


def test_every_spec_domain_is_built_with_records_and_nothing_else(domains):
    supp = {f"SUPP{n}" for n in SUPP_DOMAINS}
    assert set(domains) == set(DOMAINS) | supp
    assert {n: len(domains[n]) for n in DOMAINS if len(domains[n]) == 0} == {}


# --- structure: keys, variables, names, labels, lengths ---------------------------------------------------

@pytest.mark.parametrize("name", DOMAINS)
def test_keys_are_unique(domains, name):
    keys = list(SPEC[name].keys)
    frame = domains[name]
    assert set(keys) <= set(frame.columns)
    repeated = frame[frame.duplicated(keys, keep=False)]
    assert repeated.empty, f"{name} keys {keys} must be unique (got {_shown(repeated, keys)})"


@pytest.mark.parametrize("name", DOMAINS)
def test_every_spec_variable_is_present_in_spec_order(domains, name):
    assert list(domains[name].columns) == _names(SPEC[name])


@pytest.mark.parametrize("name", DOMAINS)
def test_names_and_labels_fit_the_transport_format(name):
    domain = SPEC[name]
    assert re.fullmatch(r"[A-Z][A-Z0-9]{1,7}", name) and len(domain.label) <= 40, (name, domain.label)
    bad_names = [v.name for v in domain.variables if not re.fullmatch(r"[A-Z][A-Z0-9]{0,7}", v.name)]
    long_labels = {v.name: len(v.label) for v in domain.variables if len(v.label) > 40}
    assert bad_names == [], f"{name} variable names must be 1-8 upper-case letters/digits (got {bad_names})"
    assert long_labels == {}, f"{name} variable labels must be at most 40 characters (got {long_labels})"


@pytest.mark.parametrize("name", DOMAINS)
def test_values_fit_their_type_and_200_characters(domains, name):
    frame = domains[name]
    for variable in SPEC[name].main_variables:
        values = frame[variable.name].dropna()
        if variable.type == "Num":
            numbers = pd.to_numeric(values.astype("string"), errors="coerce")
            bad = values[numbers.isna()].head(MAX_SHOWN).tolist()
            assert numbers.notna().all(), f"{name}.{variable.name} must be numeric (got {bad})"
        else:
            text = values.astype("string")
            size = text.str.encode("utf-8").str.len()  # the transport limit is 200 bytes, so at most 200 characters
            too_long = text[size > 200]
            assert too_long.empty, f"{name}.{variable.name} must be at most 200 bytes (got {size[size > 200].tolist()})"
            assert not (text == "").any(), f"{name}.{variable.name} must be null, never an empty string"


@pytest.mark.parametrize("name", [n for n in DOMAINS if SPEC[n].order])
def test_rows_are_delivered_in_the_spec_sort_order(domains, name):
    order = list(SPEC[name].order)
    frame = domains[name]
    resorted = frame.sort_values(order, kind="stable", na_position="last", key=_sort_key).reset_index(drop=True)
    assert frame.reset_index(drop=True).equals(resorted), f"{name} rows must be sorted by {order}"


def _sort_key(column: pd.Series) -> pd.Series:
    numbers = pd.to_numeric(column, errors="coerce")
    return numbers if numbers.notna().sum() == column.notna().sum() else column.astype("string")


# --- identifiers -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", DOMAINS)
def test_studyid_is_the_study_and_domain_is_the_dataset(domains, study, name):
    frame = domains[name]
    assert set(frame["STUDYID"]) == {study.studyid}
    if "DOMAIN" in frame.columns:
        assert set(frame["DOMAIN"]) == {name}


@pytest.mark.parametrize("name", [n for n in DOMAINS if "USUBJID" in _names(SPEC[n])])
def test_every_usubjid_is_a_subject_of_dm(domains, name):
    frame = domains[name]
    required = SPEC[name].variable("USUBJID").core == "Req"
    assert not (required and frame["USUBJID"].isna().any()), f"{name}.USUBJID must never be null"
    unknown = frame[frame["USUBJID"].notna() & ~frame["USUBJID"].isin(domains["DM"]["USUBJID"])]
    assert unknown.empty, f"{name}.USUBJID must be a subject of DM (got {_shown(unknown, ['USUBJID'])})"


def test_dm_holds_every_screened_subject_once(domains, default_export, study):
    raw = default_export.forms[study.anchors.screening_form].frame[study.raw.subject]
    expected = sorted(f"{study.studyid}-{s}" for s in raw)
    assert sorted(domains["DM"]["USUBJID"]) == expected
    assert len(expected) == 39


@pytest.mark.parametrize("name", SEQ_DOMAINS)
def test_seq_is_1_to_n_within_usubjid_in_row_order(domains, name):
    seq = _seq_name(name)
    frame = domains[name]
    assert frame[seq].notna().all(), f"{name}.{seq} must never be null"
    assert frame["USUBJID"].is_monotonic_increasing, f"{name} records of one subject must be together, by USUBJID"
    expected = frame.groupby("USUBJID", sort=False).cumcount() + 1
    wrong = frame[pd.to_numeric(frame[seq]).to_numpy() != expected.to_numpy()]
    assert wrong.empty, f"{name}.{seq} must be 1..n within USUBJID in row order (got {_shown(wrong, ['USUBJID', seq])})"


# --- timing: study days, dates, epochs ---------------------------------------------------------------------

def _calendar_day(value) -> date | None:
    if pd.isna(value) or not COMPLETE_DATE.match(str(value)):
        return None
    return date.fromisoformat(str(value)[:10])


def _expected_study_day(dtc, rfstdtc) -> int | None:
    """SDTMIG 3.4 section 4.4.4, written out: day 1 is RFSTDTC, the day before is -1; null when partial."""
    when, start = _calendar_day(dtc), _calendar_day(rfstdtc)
    if when is None or start is None:
        return None
    days = (when - start).days
    return days + 1 if days >= 0 else days


def test_study_day_reference_is_written_out_correctly():
    dates = ("2019-03-05", "2019-03-06", "2019-03-04", "2019-03", "2019-02-24T10:00", None)
    assert [_expected_study_day(d, "2019-03-05T09:15") for d in dates] == [1, 2, -1, None, -9, None]


@pytest.mark.parametrize(("name", "dy", "dtc"), STUDY_DAYS, ids=[f"{n}.{dy}" for n, dy, _ in STUDY_DAYS])
def test_study_day_is_the_calendar_distance_from_rfstdtc(domains, name, dy, dtc):
    frame = domains[name]
    assert dtc in frame.columns, f"{name}.{dy} must have its date {dtc} in the dataset"
    start = frame["USUBJID"].map(domains["DM"].set_index("USUBJID")["RFSTDTC"])
    expected = pd.Series([_expected_study_day(d, r) for d, r in zip(frame[dtc], start)], index=frame.index,
                         dtype="Int64")
    got = pd.to_numeric(frame[dy]).astype("Int64")
    assert not (got == 0).any(), f"{name}.{dy} must never be 0"
    differ = frame.assign(EXPECTED=expected)[~((got == expected).fillna(False) | (got.isna() & expected.isna()))]
    assert differ.empty, (f"{name}.{dy} must be the study day of {dtc} against DM.RFSTDTC "
                          f"(got {_shown(differ, [*_ids(name), dtc, dy, 'EXPECTED'])})")
    # the derivation is exercised: the study has both dated and undated (partial or pre-treatment) records
    assert got.notna().any() or expected.isna().all()


@pytest.mark.parametrize(("name", "variable"), DTC, ids=[f"{n}.{v}" for n, v in DTC])
def test_dates_are_iso_8601_real_calendar_dates(domains, name, variable):
    values = domains[name][variable].dropna().astype("string")
    malformed = values[~values.str.match(ISO_8601)]
    assert malformed.empty, f"{name}.{variable} must be ISO 8601 (got {malformed.head(MAX_SHOWN).tolist()})"
    complete = values[values.str.match(COMPLETE_DATE)]
    impossible = [v for v in complete if not _is_date(v[:10])]
    assert impossible == [], f"{name}.{variable} must be a real calendar date (got {impossible[:MAX_SHOWN]})"


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("name", [n for n in DOMAINS if "EPOCH" in _names(SPEC[n])])
def test_epoch_values_are_epochs_of_the_study_and_of_ta(domains, study, name):
    epochs = {e.name for e in study.epochs}
    values = set(domains[name]["EPOCH"].dropna())
    assert values <= epochs, f"{name}.EPOCH must be an epoch of study.yaml (got {sorted(values - epochs)})"
    planned = set(domains["TA"]["EPOCH"])  # CDISC CORE-000271
    assert values <= planned, f"{name}.EPOCH must be an epoch of TA (got {sorted(values - planned)})"


EPOCHS_FROM_SE = [(n, v.arg("dtc")) for n, d in SPEC.items() for v in d.main_variables if v.algorithm == "epoch"]


@pytest.mark.parametrize(("name", "dtc"), EPOCHS_FROM_SE, ids=[n for n, _ in EPOCHS_FROM_SE])
def test_epoch_is_the_epoch_of_the_subject_element_on_that_date(domains, name, dtc):
    frame = domains[name]
    text = frame[dtc].astype("string")
    records = pd.DataFrame({"USUBJID": frame["USUBJID"].to_numpy(), "POS": range(len(frame)),
                            "DAY": text.str.slice(0, 10).where(text.str.match(COMPLETE_DATE)).to_numpy()})
    se = domains["SE"].loc[:, ["USUBJID", "EPOCH"]].assign(
        START=domains["SE"]["SESTDTC"].str.slice(0, 10), END=domains["SE"]["SEENDTC"].str.slice(0, 10).fillna("9999"))
    se = se.assign(LAST=se.groupby("USUBJID")["END"].transform("max"))
    pairs = records.dropna(subset=["DAY"]).merge(se, on="USUBJID")
    # an element spans [SESTDTC, SEENDTC); the subject's last element includes its end date
    inside = (pairs["DAY"] >= pairs["START"]) & (
        (pairs["DAY"] < pairs["END"]) | ((pairs["DAY"] == pairs["END"]) & (pairs["END"] == pairs["LAST"])))
    hits = pairs[inside]
    assert not hits.duplicated("POS").any(), f"SE elements must not overlap ({name} dates in two elements)"
    expected = pd.Series(pd.NA, index=range(len(frame)), dtype="string")
    expected.iloc[hits["POS"].to_numpy()] = hits["EPOCH"].to_numpy()
    got = frame["EPOCH"].astype("string").reset_index(drop=True)
    differ = frame.reset_index(drop=True).assign(EXPECTED=expected)[
        ~((got == expected).fillna(False) | (got.isna() & expected.isna()))]
    assert differ.empty, (f"{name}.EPOCH must be the epoch of the SE element holding {dtc} "
                          f"(got {_shown(differ, [*_ids(name), dtc, 'EPOCH', 'EXPECTED'])})")
    assert records["DAY"].notna().any(), f"{name}.{dtc} must hold complete dates for this check to mean anything"


SPANS = [(n, f"{n}STDTC", f"{n}ENDTC") for n, d in SPEC.items() if {f"{n}STDTC", f"{n}ENDTC"} <= set(_names(d))]


@pytest.mark.parametrize(("name", "start", "end"), SPANS, ids=[n for n, _, _ in SPANS])
def test_start_is_never_after_end(domains, name, start, end):
    frame = domains[name].dropna(subset=[start, end])
    width = pd.concat([frame[start].str.len(), frame[end].str.len()], axis=1).min(axis=1)
    first = [s[:w] for s, w in zip(frame[start], width)]
    last = [e[:w] for e, w in zip(frame[end], width)]
    after = frame[[f > la for f, la in zip(first, last)]]
    assert after.empty, f"{name}.{start} must not be after {end} (got {_shown(after, [*_ids(name), start, end])})"


LOBXFL = [(n, v.name, tuple(v.arg("by")), v.arg("dtc"), v.arg("result"))
          for n, d in SPEC.items() for v in d.main_variables if v.algorithm == "lobxfl"]


@pytest.mark.parametrize(("name", "flag", "by", "dtc", "result"), LOBXFL, ids=[f"{n}.{f}" for n, f, *_ in LOBXFL])
def test_last_observation_before_exposure_is_flagged_once(domains, name, flag, by, dtc, result):
    frame = domains[name]
    groups = ["USUBJID", *by]
    assert set(frame[flag].dropna()) <= {"Y"}
    day = frame[dtc].astype("string").str.slice(0, 10).where(frame[dtc].astype("string").str.match(COMPLETE_DATE))
    exposure = frame["USUBJID"].map(domains["DM"].set_index("USUBJID")["RFXSTDTC"]).astype("string").str.slice(0, 10)
    value = frame[result].astype("string")
    eligible = (value.notna() & (value != "") & day.notna() & exposure.notna() & (day <= exposure)).fillna(False)
    flagged = (frame[flag] == "Y").fillna(False)
    wrong = frame[flagged & ~eligible]
    assert wrong.empty, (f"{name}.{flag} must flag a dated result on or before RFXSTDTC "
                         f"(got {_shown(wrong, [*groups, dtc])})")
    work = frame.loc[:, groups].assign(DAY=day, ELIGIBLE=eligible, FLAGGED=flagged, ELIGIBLE_DAY=day.where(eligible))
    per_group = work.groupby(groups, dropna=False).agg(
        ELIGIBLE=("ELIGIBLE", "any"), FLAGS=("FLAGGED", "sum"), LATEST=("ELIGIBLE_DAY", "max"))
    miscounted = per_group[per_group["FLAGS"] != per_group["ELIGIBLE"].astype(int)].reset_index()
    assert miscounted.empty, (f"{name}.{flag} must be Y exactly once per {groups} with a pre-exposure result "
                              f"(got {_shown(miscounted, [*groups, 'FLAGS'])})")
    flagged_days = work[flagged].set_index(groups)["DAY"]
    latest = per_group.loc[flagged_days.index, "LATEST"]
    assert (flagged_days == latest).all(), f"{name}.{flag} must be on the latest pre-exposure date"


VISIT_DOMAINS = [n for n in DOMAINS if {"USUBJID", "VISITNUM", "VISIT"} <= set(_names(SPEC[n])) and n != "SV"]
# DS records of the end-of-study folder (VISITNUM 99, END OF STUDY) carry a visit that no SV record has (CDISC
# CG0034 / CORE-000168 "VISITNUM is not among VISITNUM in SV domain"), and the D169 disposition of a subject who
# left before day 169 (01-003) a visit that SV does not hold for that subject.
KNOWN_VISITS_NOT_IN_SV: set[str] = set()


@pytest.mark.parametrize("name", [n for n in DOMAINS if {"VISITNUM", "VISIT"} <= set(_names(SPEC[n])) and n != "TV"])
def test_visits_are_planned_visits_of_tv(domains, name):
    tv = domains["TV"]
    planned = dict(zip(tv["VISITNUM"].astype(float), tv["VISIT"]))
    planned_day = dict(zip(tv["VISITNUM"].astype(float), pd.to_numeric(tv["VISITDY"])))
    frame = domains[name].dropna(subset=["VISITNUM"])
    wrong = frame[frame["VISIT"] != frame["VISITNUM"].astype(float).map(planned)]
    assert wrong.empty, (f"{name} VISITNUM/VISIT must be a visit of TV "
                         f"(got {_shown(wrong, ['USUBJID', 'VISITNUM', 'VISIT'])})")
    if "VISITDY" in frame.columns:
        expected = frame["VISITNUM"].astype(float).map(planned_day)
        day = pd.to_numeric(frame["VISITDY"])
        assert ((day == expected) | (day.isna() & expected.isna())).all(), f"{name}.VISITDY must be TV.VISITDY"


@pytest.mark.parametrize("name", [
    pytest.param(n, marks=pytest.mark.xfail(
        strict=True, reason="DS VISITNUM 99 (and 8 for 01-003) is not a visit of the subject in SV"))
    if n in KNOWN_VISITS_NOT_IN_SV else n for n in VISIT_DOMAINS])
def test_visits_of_a_subject_are_in_sv(domains, name):
    held = set(zip(domains["SV"]["USUBJID"], domains["SV"]["VISITNUM"].astype(float), domains["SV"]["VISIT"]))
    frame = domains[name].dropna(subset=["VISITNUM"])
    missing = frame[[k not in held for k in zip(frame["USUBJID"], frame["VISITNUM"].astype(float), frame["VISIT"])]]
    assert missing.empty, (f"{name} visits must be subject visits in SV "
                           f"(got {_shown(missing, ['USUBJID', 'VISITNUM', 'VISIT'])})")


@pytest.mark.skipif("RELREC" not in SPEC, reason="the study has no RELREC")
def test_related_records_exist_and_come_in_groups(domains):
    relrec = domains["RELREC"]
    assert len(relrec) > 0
    for (rdomain, idvar), rows in relrec.groupby(["RDOMAIN", "IDVAR"]):
        parent = domains[rdomain]
        assert idvar == f"{rdomain}SEQ" and idvar in parent.columns
        keys = set(zip(parent["USUBJID"], parent[idvar].astype("int64").astype(str)))
        dangling = [k for k in zip(rows["USUBJID"], rows["IDVARVAL"]) if k not in keys]
        assert dangling == [], f"RELREC must name existing {rdomain} records (got {dangling[:MAX_SHOWN]})"
    sizes = relrec.groupby(["USUBJID", "RELID"]).size()
    assert (sizes >= 2).all(), f"every RELID must relate at least two records (got {sizes[sizes < 2].to_dict()})"


# --- controlled terminology --------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "variable", "codelist"), CODED, ids=[f"{n}.{v}" for n, v, _ in CODED])
def test_coded_values_are_submission_values_of_their_codelist(domains, study, name, variable, codelist):
    allowed = {t.submission for t in study.codelist(codelist).terms}
    values = set(domains[name][variable].dropna().astype("string"))
    assert values <= allowed, (f"{name}.{variable} must be a submission value of {codelist} "
                               f"(got {sorted(values - allowed)})")


@pytest.mark.parametrize("name", SUPP_DOMAINS)
def test_supplemental_records_attach_to_a_parent_record(domains, study, name):
    supp, parent, domain = domains[f"SUPP{name}"], domains[name], SPEC[name]
    qualifiers = {v.name: v for v in domain.supp_variables}
    assert len(supp) > 0
    assert set(supp["RDOMAIN"]) == {name} and set(supp["STUDYID"]) == {study.studyid}
    assert set(supp["QNAM"]) <= set(qualifiers)
    assert not supp.duplicated(["USUBJID", "IDVAR", "IDVARVAL", "QNAM"]).any()
    assert (supp["QLABEL"] == supp["QNAM"].map({q: v.label for q, v in qualifiers.items()})).all()
    assert (supp["QORIG"] == supp["QNAM"].map({q: v.origin for q, v in qualifiers.items()})).all()
    seq = _seq_name(name)
    if seq:
        assert set(supp["IDVAR"]) == {seq}
        keys = set(zip(parent["USUBJID"], parent[seq].astype("int64").astype(str)))
        orphans = [k for k in zip(supp["USUBJID"], supp["IDVARVAL"]) if k not in keys]
        assert orphans == [], f"SUPP{name} records must name a {name} record by {seq} (got {orphans[:MAX_SHOWN]})"
    else:
        assert supp["IDVAR"].isna().all() and set(supp["USUBJID"]) <= set(parent["USUBJID"])
    for qnam, variable in qualifiers.items():
        values = supp.loc[supp["QNAM"] == qnam, "QVAL"]
        assert (values.str.len() <= 200).all() and values.notna().all()
        if variable.codelist:
            allowed = {t.submission for t in study.codelist(variable.codelist).terms}
            assert set(values) <= allowed, f"SUPP{name}.QVAL of {qnam} must be in {variable.codelist}"


# --- lineage and reconciliation ----------------------------------------------------------------------------

def test_every_lineage_row_is_a_raw_record_of_the_same_subject(default_sdtm, default_export, study):
    lineage = default_sdtm.lineage
    assert len(lineage) > 0 and lineage[["DOMAIN", "USUBJID", "RAW_FORM", "RAW_FILE", "RAW_ROW"]].notna().all().all()
    assert set(lineage["DOMAIN"]) == set(RECORD_DOMAINS)
    assert set(lineage["RAW_FORM"]) <= set(default_export.forms)
    raw = pd.concat([
        form.frame.loc[:, [ROW, study.raw.subject]].assign(RAW_FORM=form_id, RAW_FILE=form.file)
        for form_id, form in default_export.forms.items()
    ], ignore_index=True).astype({ROW: "int64"})
    joined = lineage.astype({"RAW_ROW": "int64"}).merge(
        raw, left_on=["RAW_FORM", "RAW_ROW"], right_on=["RAW_FORM", ROW], how="left", suffixes=("", "_RAW"),
        validate="many_to_one")
    dangling = joined[joined[ROW].isna()]
    assert dangling.empty, (f"lineage rows must name a raw record "
                            f"(got {_shown(dangling, ['DOMAIN', 'RAW_FORM', 'RAW_ROW'])})")
    wrong_file = joined[joined["RAW_FILE"] != joined["RAW_FILE_RAW"]]
    assert wrong_file.empty, (f"lineage RAW_FILE must be the form's file "
                              f"(got {_shown(wrong_file, ['RAW_FORM', 'RAW_FILE'])})")
    other = joined[joined["USUBJID"] != study.studyid + "-" + joined[study.raw.subject]]
    assert other.empty, (f"lineage must point at the subject's own raw record "
                         f"(got {_shown(other, ['USUBJID', 'RAW_FORM', 'RAW_ROW'])})")


@pytest.mark.parametrize("name", RECORD_DOMAINS)
def test_every_record_has_exactly_one_lineage_row(domains, default_sdtm, name):
    frame = domains[name]
    lineage = default_sdtm.lineage[default_sdtm.lineage["DOMAIN"] == name]
    assert len(lineage) == len(frame)
    seq = _seq_name(name)
    if seq:
        records = sorted(zip(frame["USUBJID"], frame[seq].astype("int64")))
        assert sorted(zip(lineage["USUBJID"], lineage["SEQ"].astype("int64"))) == records
    else:
        assert lineage["USUBJID"].value_counts().sort_index().equals(frame["USUBJID"].value_counts().sort_index())


def test_reconciliation_accounts_for_every_raw_record(default_sdtm, default_export, study):
    not_mapped = load_not_mapped(study)
    table, findings = reconcile(default_export, default_sdtm.lineage, study, not_mapped)
    assert findings == []
    assert list(table["FORM"]) == [f.id for f in study.forms]
    assert table["UNACCOUNTED"].sum() == 0
    assert (table["RAW_RECORDS"] == table["MAPPED"] + table["NOT_MAPPED"]).all()
    assert (table["RAW_RECORDS"] == table["FORM"].map(lambda f: default_export.forms[f].n_records)).all()
    assert set(table.loc[table["NOT_MAPPED"] > 0, "FORM"]) <= set(not_mapped)
    assert table["MAPPED"].sum() == default_sdtm.lineage[["RAW_FORM", "RAW_ROW"]].drop_duplicates().shape[0]
