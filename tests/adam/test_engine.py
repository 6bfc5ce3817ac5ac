"""The ADaM engine on literal frames and hand-made spec objects: start frame, steps, variable metadata,
build order, and a whole two-dataset build."""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from types import MappingProxyType
from typing import Callable, Mapping

import numpy as np
import pandas as pd
import pytest

from cdisc_pipe.adam import engine
from cdisc_pipe.adam.engine import apply_variables, build_adam, run_step, start_frame
from cdisc_pipe.adam.registry import ENGINE_ARGS, verbs
from cdisc_pipe.errors import AdamError
from cdisc_pipe.spec.adam_load import build_order
from cdisc_pipe.spec.adam_model import AdamDataset, AdamSource, AdamStep, AdamVariable

NA = pd.NA


def _step(verb: str, **args) -> AdamStep:
    return AdamStep(verb=verb, args=MappingProxyType(args))


def _dataset(name="ADLB", *, source=AdamSource("LB"), steps=(), final_steps=(), variables=(), keys=("USUBJID",),
             order=()) -> AdamDataset:
    variables = variables or (AdamVariable("USUBJID", "Unique Subject Identifier", "Char", "Predecessor",
                                           source="DM.USUBJID"),)
    return AdamDataset(name=name, label=name, adam_class="BASIC DATA STRUCTURE", structure="x", keys=tuple(keys),
                       order=tuple(order), source=source, steps=tuple(steps), final_steps=tuple(final_steps),
                       variables=tuple(variables), file=f"adam/{name.lower()}.yaml")


def _var(name, type_="Char", fmt=None) -> AdamVariable:
    return AdamVariable(name, name.title(), type_, "Derived", method="m", format=fmt)


DM = pd.DataFrame({"STUDYID": ["S", "S", "S"], "USUBJID": ["1", "2", "3"], "ARMCD": ["LOW", "HIGH", None],
                   "RFSTDTC": ["2019-03-05", "2019-03-10", None]})
LB = pd.DataFrame({"STUDYID": ["S"] * 4, "USUBJID": ["1", "1", "2", "3"], "LBSEQ": [1, 2, 1, 1],
                   "LBTESTCD": ["ALT"] * 4, "LBSTRESN": [30.0, 45.0, np.nan, 12.0],
                   "LBDTC": ["2019-03-04", "2019-04-02", "2019-03-10", "2019-03-01"]}, index=[20, 21, 22, 23])
SDTM = {"DM": DM, "LB": LB}


# --- start_frame ------------------------------------------------------------------------------------------------


def test_start_frame_filters_and_adds_srcdom_and_srcseq():
    spec = _dataset(source=AdamSource("LB", filter="LBSTRESN.notna()", seq="LBSEQ"))
    frame = start_frame(spec, SDTM)
    assert frame["USUBJID"].tolist() == ["1", "1", "3"]
    assert frame["SRCDOM"].tolist() == ["LB"] * 3 and frame["SRCDOM"].dtype == "string"
    assert frame["SRCSEQ"].tolist() == [1.0, 2.0, 1.0] and frame["SRCSEQ"].dtype == "float64"
    assert list(frame.index) == [0, 1, 2]
    assert "SRCDOM" not in LB.columns                                 # the source is not changed


def test_start_frame_without_seq_adds_no_pointer():
    frame = start_frame(_dataset("ADSL", source=AdamSource("DM", filter="ARMCD.notna()")), SDTM)
    assert frame["USUBJID"].tolist() == ["1", "2"]
    assert "SRCDOM" not in frame.columns and "SRCSEQ" not in frame.columns


def test_start_frame_names_an_unknown_source_and_seq():
    with pytest.raises(AdamError, match=r"^ADLB: source dataset 'XX' must be available \(got \['DM', 'LB'\]\)"):
        start_frame(_dataset(source=AdamSource("XX")), SDTM)
    with pytest.raises(AdamError, match=r"^ADLB: source.seq must be a variable of LB \(got 'XXSEQ'\)"):
        start_frame(_dataset(source=AdamSource("LB", seq="XXSEQ")), SDTM)
    with pytest.raises(AdamError, match=r"^'ADLB.source.filter' must be a pandas expression"):
        start_frame(_dataset(source=AdamSource("LB", filter="LBSTRESX > 1")), SDTM)


# --- run_step ----------------------------------------------------------------------------------------------------


def test_run_step_resolves_a_dataset_name(study):
    frame = start_frame(_dataset(source=AdamSource("LB", seq="LBSEQ")), SDTM)
    step = _step("derive_vars_merged", dataset_add="DM", by_vars=["STUDYID", "USUBJID"], new_vars=["ARMCD"])
    out = run_step(frame, step, sources=SDTM, study=study, where="adam/adlb.yaml: steps[0]")
    assert [None if pd.isna(v) else v for v in out["ARMCD"]] == ["LOW", "LOW", "HIGH", None]


def test_run_step_turns_an_inline_list_of_mappings_into_a_table(study):
    frame = start_frame(_dataset(source=AdamSource("DM")), SDTM)
    step = _step("derive_vars_merged", dataset_add=[{"ARMCD": "LOW", "TRT01PN": 1}, {"ARMCD": "HIGH", "TRT01PN": 3}],
                 by_vars=["ARMCD"])
    out = run_step(frame, step, sources=SDTM, study=study, where="w")
    assert [None if pd.isna(v) else v for v in out["TRT01PN"]] == [1, 3, None]


def test_run_step_names_an_unknown_dataset_and_wraps_verb_errors_with_the_step(study):
    frame = start_frame(_dataset(source=AdamSource("DM")), SDTM)
    with pytest.raises(AdamError) as caught:
        run_step(frame, _step("derive_vars_merged", dataset_add="ADSL", by_vars=["USUBJID"]), sources=SDTM,
                 study=study, where="adam/adlb.yaml: steps[3]")
    assert str(caught.value) == ("adam/adlb.yaml: steps[3].args.dataset_add: must name an available dataset "
                                 "(got 'ADSL'; available ['DM', 'LB'])")
    with pytest.raises(AdamError) as caught:
        run_step(frame, _step("derive_vars_dt", new_vars_prefix="A", dtc="LBDTC"), sources=SDTM, study=study,
                 where="adam/adlb.yaml: steps[4]")
    assert str(caught.value) == ("adam/adlb.yaml: steps[4] (derive_vars_dt): 'dataset' must contain the variables "
                                 "['LBDTC'] (got columns ['STUDYID', 'USUBJID', 'ARMCD', 'RFSTDTC'])")


def test_run_step_passes_study_and_sources_only_to_verbs_that_ask(study, monkeypatch):
    seen = {}

    def derive_var_probe(dataset, *, study, sources, table: pd.DataFrame):
        seen.update(study=study, sources=sources, table=table)
        return dataset

    def derive_var_plain(dataset, *, value):
        seen["value"] = value
        return dataset

    monkeypatch.setattr(engine, "verbs", lambda: {"derive_var_probe": derive_var_probe,
                                                  "derive_var_plain": derive_var_plain})
    run_step(DM, _step("derive_var_probe", table="LB"), sources=SDTM, study=study, where="w")
    assert seen["study"] is study and seen["sources"] is SDTM and seen["table"] is LB
    run_step(DM, _step("derive_var_plain", value="LB"), sources=SDTM, study=study, where="w")
    assert seen["value"] == "LB"                                          # not a DataFrame argument: as written


def test_run_step_refuses_a_verb_that_returns_no_frame(study, monkeypatch):
    monkeypatch.setattr(engine, "verbs", lambda: {"derive_var_none": lambda dataset: None})
    with pytest.raises(AdamError, match=r"^w \(derive_var_none\): a verb must return a DataFrame \(got NoneType\)"):
        run_step(DM, _step("derive_var_none"), sources=SDTM, study=study, where="w")


# --- apply_variables ----------------------------------------------------------------------------------------------


def test_apply_variables_keeps_spec_variables_in_order_with_their_types_and_sorts():
    frame = pd.DataFrame({"EXTRA": [1, 2, 3], "USUBJID": ["2", "1", "1"], "AVAL": [1, 2, 3],
                          "ADT": pd.to_datetime(["2019-03-02", "2019-03-05", "2019-03-01"]),
                          "ADTM": pd.to_datetime(["2019-03-02 10:00", None, "2019-03-01 08:30"]),
                          "ABLFL": ["Y", None, None]})
    spec = _dataset(variables=(_var("USUBJID"), _var("ADT", "Num", "DATE9."), _var("ADTM", "Num", "DATETIME20."),
                               _var("AVAL", "Num"), _var("ABLFL")), order=("USUBJID", "ADT desc"))
    out = apply_variables(frame, spec)
    assert list(out.columns) == ["USUBJID", "ADT", "ADTM", "AVAL", "ABLFL"]
    assert out.dtypes.astype(str).tolist() == ["string", "datetime64[s]", "datetime64[s]", "float64", "string"]
    assert out["AVAL"].tolist() == [2.0, 3.0, 1.0]
    assert list(out.index) == [0, 1, 2]


def test_apply_variables_names_the_missing_variables():
    spec = _dataset(variables=(_var("USUBJID"), _var("BASE", "Num"), _var("CHG", "Num")))
    with pytest.raises(AdamError) as caught:
        apply_variables(pd.DataFrame({"USUBJID": ["1"]}), spec)
    assert str(caught.value) == "ADLB: the steps must create every variable of the spec (missing ['BASE', 'CHG'])"


def test_apply_variables_refuses_a_date_with_a_time_and_a_date_that_is_text():
    spec = _dataset(variables=(_var("ADT", "Num", "DATE9."),))
    with pytest.raises(AdamError) as caught:
        apply_variables(pd.DataFrame({"ADT": pd.to_datetime(["2019-03-05 09:15"])}), spec)
    assert str(caught.value) == "ADLB.ADT must hold dates without a time of day (format DATE9.)"
    with pytest.raises(AdamError, match=r"^ADLB.ADT must be a date \(format DATE9.\) \(got dtype "):
        apply_variables(pd.DataFrame({"ADT": ["2019-03-05"]}), spec)


def test_apply_variables_refuses_text_in_a_numeric_variable_but_accepts_all_missing():
    spec = _dataset(variables=(_var("AVAL", "Num"),))
    with pytest.raises(AdamError, match=r"^ADLB.AVAL must be numeric \(got dtype "):
        apply_variables(pd.DataFrame({"AVAL": ["1.5"]}), spec)
    out = apply_variables(pd.DataFrame({"AVAL": [None, None]}, dtype="object"), spec)
    assert out["AVAL"].dtype == "float64" and out["AVAL"].isna().all()


# --- build_order -----------------------------------------------------------------------------------------------


def test_build_order_puts_each_dataset_after_those_its_steps_read():
    adsl = _dataset("ADSL", source=AdamSource("DM"),
                    final_steps=[_step("derive_vars_merged", dataset_add="ADLIVER", by_vars=["USUBJID"])])
    adlb = _dataset("ADLB", steps=[_step("derive_vars_merged", dataset_add="ADSL", by_vars=["USUBJID"])])
    adliver = _dataset("ADLIVER", source=AdamSource("ADLB"))
    adtte = _dataset("ADTTE", source=AdamSource("ADSL"), steps=[_step(
        "derive_param_tte", event_sources=[{"dataset_name": "ADLIVER"}], censor_sources=[{"dataset_name": "DS"}])])
    order, cycle = build_order({"ADTTE": adtte, "ADLIVER": adliver, "ADLB": adlb, "ADSL": adsl})
    assert order == ["ADSL", "ADLB", "ADLIVER", "ADTTE"] and cycle == []


def test_build_order_reports_a_cycle():
    adsl = _dataset("ADSL", source=AdamSource("DM"),
                    steps=[_step("derive_vars_merged", dataset_add="ADLB", by_vars=["USUBJID"])])
    adlb = _dataset("ADLB", steps=[_step("derive_vars_merged", dataset_add="ADSL", by_vars=["USUBJID"])])
    adae = _dataset("ADAE", source=AdamSource("AE"))
    assert build_order({"ADSL": adsl, "ADLB": adlb, "ADAE": adae}) == (["ADAE"], ["ADLB", "ADSL"])


# --- build_adam ---------------------------------------------------------------------------------------------------


def test_build_adam_builds_in_order_runs_final_steps_and_checks(study):
    adsl = _dataset("ADSL", source=AdamSource("DM", filter="ARMCD.notna()"), keys=("USUBJID",), steps=[
        _step("derive_vars_dt", new_vars_prefix="TRTS", dtc="RFSTDTC")],
        final_steps=[_step("derive_vars_merged", dataset_add="ADLB", by_vars=["USUBJID"], new_vars={"BLALT": "AVAL"},
                           filter_add="ABLFL == 'Y'")],
        variables=(_var("USUBJID"), _var("TRTSDT", "Num", "DATE9."), _var("BLALT", "Num")))
    adlb = _dataset("ADLB", source=AdamSource("LB", seq="LBSEQ"), keys=("USUBJID", "ADT"), order=("USUBJID", "ADT"),
                    steps=[
                        _step("derive_vars_merged", dataset_add="ADSL", by_vars=["USUBJID"], new_vars=["TRTSDT"]),
                        _step("derive_vars_copy", new_vars={"AVAL": "LBSTRESN", "PARAMCD": "LBTESTCD"}),
                        _step("derive_vars_dt", new_vars_prefix="A", dtc="LBDTC"),
                        _step("derive_var_extreme_flag", by_vars=["USUBJID", "PARAMCD"], order=["ADT"],
                              new_var="ABLFL", mode="last", filter="AVAL.notna() and ADT <= TRTSDT")],
                    variables=(_var("USUBJID"), _var("PARAMCD"), _var("AVAL", "Num"), _var("ADT", "Num", "DATE9."),
                               _var("ABLFL"), _var("SRCDOM"), _var("SRCSEQ", "Num")))
    result = build_adam(SDTM, study, {"ADSL": adsl, "ADLB": adlb})
    assert list(result.datasets) == ["ADSL", "ADLB"]
    # Subject 2's only ALT has no value, so no baseline reaches ADSL in the final step.
    assert [None if pd.isna(v) else v for v in result.datasets["ADSL"]["BLALT"]] == [30.0, None]
    assert result.datasets["ADLB"]["USUBJID"].tolist() == ["1", "1", "2", "3"]     # subject 3 has no arm: kept
    assert [None if pd.isna(v) else v for v in result.datasets["ADLB"]["ABLFL"]] == ["Y", None, None, None]
    assert result.report.count() == 0


# --- the verb catalogue of docs/adam/README.md ------------------------------------------------------------------

README = Path(__file__).resolve().parents[2] / "docs" / "adam" / "README.md"


def catalogue_problems(text: str, registry: Mapping[str, Callable]) -> list[str]:
    """Differences between the README's verb tables and the registry: every verb has one row whose
    'required' and 'optional' cells name exactly its keyword arguments (engine arguments excluded)."""
    start = text.find("\n## Verb catalogue\n")
    if start < 0:
        return ["the README must have a section '## Verb catalogue' (got none)"]
    section = text[start + 1:]
    end = section.find("\n## ")
    section = section if end < 0 else section[:end]
    rows: dict[str, tuple[set[str], set[str]]] = {}
    for line in section.splitlines():
        if line.startswith("| `"):
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
            name = re.findall(r"`([a-z_0-9]+)`", cells[0])[0]
            rows[name] = (set(re.findall(r"`([a-z_0-9]+)`", cells[1])),
                          set(re.findall(r"`([a-z_0-9]+)`", cells[2])))
    problems = [f"catalogue must list verb '{n}' (got no row)" for n in sorted(set(registry) - set(rows))]
    problems += [f"catalogue row '{n}' must name a registered verb (got none)"
                 for n in sorted(set(rows) - set(registry))]
    for name in sorted(set(rows) & set(registry)):
        params = inspect.signature(registry[name]).parameters
        keyword = [p for p in params.values() if p.kind is p.KEYWORD_ONLY and p.name not in ENGINE_ARGS]
        required = {p.name for p in keyword if p.default is inspect.Parameter.empty}
        optional = {p.name for p in keyword} - required
        if rows[name] != (required, optional):
            problems.append(f"catalogue row '{name}' must list required {sorted(required)} and optional "
                            f"{sorted(optional)} (got {sorted(rows[name][0])} and {sorted(rows[name][1])})")
    return problems


def test_the_verb_catalogue_lists_every_registered_verb_with_its_arguments():
    assert catalogue_problems(README.read_text(encoding="utf-8"), verbs()) == []


def test_the_catalogue_check_sees_a_drifted_row():
    text = README.read_text(encoding="utf-8").replace("| `filter_records` | `filter` |", "| `filter_records` | |")
    assert catalogue_problems(text, verbs()) == [
        "catalogue row 'filter_records' must list required ['filter'] and optional [] (got [] and [])"]
    assert catalogue_problems(text.replace("| `filter_records` |", "| `filter_rows` |"), verbs()) == [
        "catalogue must list verb 'filter_records' (got no row)",
        "catalogue row 'filter_rows' must name a registered verb (got none)"]
    assert catalogue_problems("# nothing\n", {}) == ["the README must have a section '## Verb catalogue' (got none)"]
