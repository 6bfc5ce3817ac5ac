"""The ADaM spec loader: copies of the spec in tmp_path, each edited to make one mistake, and the exact
message it gets (file, key path, expectation, what was found, closest match)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml

from cdisc_pipe.errors import SpecError
from cdisc_pipe.spec import load_spec
from cdisc_pipe.spec.adam_load import load_adam_spec

SDTM_NAMES = {"DM", "LB", "EX", "DS", "AE"}


def _adsl() -> dict[str, Any]:
    return {
        "dataset": "ADSL", "label": "Subject-Level Analysis Dataset", "class": "SUBJECT LEVEL ANALYSIS DATASET",
        "structure": "One record per subject", "keys": ["STUDYID", "USUBJID"], "order": ["USUBJID"],
        "source": {"dataset": "DM", "filter": "ARMCD.notna()"},
        "steps": [{"verb": "derive_vars_merged",
                   "args": {"dataset_add": "EX", "by_vars": ["STUDYID", "USUBJID"], "new_vars": {"TRTSDTC": "EXSTDTC"},
                            "order": ["EXSTDTC"], "mode": "first"}},
                  {"verb": "derive_vars_dt", "args": {"new_vars_prefix": "TRTS", "dtc": "TRTSDTC"}}],
        "variables": [
            {"name": "STUDYID", "label": "Study Identifier", "type": "Char", "origin": "Predecessor",
             "source": "DM.STUDYID"},
            {"name": "USUBJID", "label": "Unique Subject Identifier", "type": "Char", "origin": "Predecessor",
             "source": "DM.USUBJID"},
            {"name": "TRTSDT", "label": "Date of First Exposure to Treatment", "type": "Num", "format": "DATE9.",
             "origin": "Derived", "method": "Date part of the earliest EX.EXSTDTC"},
        ],
    }


def _adlb() -> dict[str, Any]:
    return {
        "dataset": "ADLB", "label": "Laboratory Analysis Dataset", "class": "BASIC DATA STRUCTURE",
        "structure": "One record per subject per parameter per date", "keys": ["USUBJID", "PARAMCD", "ADT"],
        "source": {"dataset": "LB", "seq": "LBSEQ"},
        "steps": [{"verb": "derive_vars_merged", "args": {"dataset_add": "ADSL", "by_vars": ["STUDYID", "USUBJID"],
                                                          "new_vars": ["TRTSDT"]}},
                  {"verb": "derive_vars_copy", "args": {"new_vars": {"PARAMCD": "LBTESTCD"}}},
                  {"verb": "derive_vars_dt", "args": {"new_vars_prefix": "A", "dtc": "LBDTC"}}],
        "variables": [
            {"name": "USUBJID", "label": "Unique Subject Identifier", "type": "Char", "origin": "Predecessor",
             "source": "LB.USUBJID"},
            {"name": "PARAMCD", "label": "Parameter Code", "type": "Char", "origin": "Predecessor",
             "source": "LB.LBTESTCD"},
            {"name": "ADT", "label": "Analysis Date", "type": "Num", "format": "DATE9.", "origin": "Derived",
             "method": "Date part of LB.LBDTC"},
            {"name": "ABLFL", "label": "Baseline Record Flag", "type": "Char", "origin": "Derived",
             "method": "Last record on or before TRTSDT", "codelist": "NY"},
        ],
    }


@pytest.fixture
def spec_dir(tmp_path: Path, study_dir: Path) -> Path:
    """A copy of the study spec whose adam/ holds a small ADSL and ADLB written here."""
    target = tmp_path / "study"
    shutil.copytree(study_dir, target, ignore=shutil.ignore_patterns("raw", "adam"))
    (target / "adam").mkdir()
    _write(target, "adsl.yaml", _adsl())
    _write(target, "adlb.yaml", _adlb())
    return target


def _write(folder: Path, name: str, document: dict[str, Any]) -> None:
    (folder / "adam" / name).write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")


def _edit(folder: Path, name: str, change: Callable[[dict[str, Any]], Any]) -> None:
    path = folder / "adam" / name
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")


def _problems(folder: Path) -> list[str]:
    """The problem lines of the SpecError the loader raises for ``folder``."""
    with pytest.raises(SpecError) as caught:
        load_adam_spec(load_spec(folder), sdtm_names=SDTM_NAMES)
    head, *lines = str(caught.value).split("\n  ")
    assert head == f"spec '{folder / 'adam'}' is invalid ({len(lines)} problem(s)):"
    return lines


def test_the_small_spec_loads_in_build_order(spec_dir):
    datasets = load_adam_spec(load_spec(spec_dir), sdtm_names=SDTM_NAMES)
    assert list(datasets) == ["ADSL", "ADLB"]                  # adlb.yaml sorts first but reads ADSL
    adlb = datasets["ADLB"]
    assert adlb.file == "adam/adlb.yaml" and adlb.source.seq == "LBSEQ"
    assert adlb.steps[0].args["dataset_add"] == "ADSL"
    assert adlb.variable("ABLFL").codelist == "NY"
    assert adlb.variable("ADT").is_date and not adlb.variable("ADT").is_datetime


def test_the_study_adam_spec_loads_against_the_sdtm_spec(study):
    datasets = load_adam_spec(study)                           # SDTM names from the study's SDTM spec
    order = list(datasets)
    assert order[0] == "ADSL" and "ADLB" in order
    for name, dataset in datasets.items():                     # each after the ADaM datasets its steps read
        assert {r for r in dataset.references() if r in datasets} <= set(order[: order.index(name) + 1])


def test_unknown_verb_names_the_closest_match(spec_dir):
    _edit(spec_dir, "adlb.yaml", lambda d: d["steps"][0].update(verb="derive_vars_merge"))
    assert _problems(spec_dir) == [
        "adam/adlb.yaml: steps[0] (derive_vars_merge).verb: must be one of the registered verbs "
        "(got 'derive_vars_merge'); closest match: 'derive_vars_merged'"]


def test_unknown_and_missing_arguments(spec_dir):
    def change(d):
        d["steps"][0]["args"]["by_var"] = d["steps"][0]["args"].pop("by_vars")

    _edit(spec_dir, "adlb.yaml", change)
    problems = _problems(spec_dir)
    assert problems[0] == ("adam/adlb.yaml: steps[0] (derive_vars_merged): verb 'derive_vars_merged' must have "
                           "argument 'by_vars' (got none)")
    assert problems[1].startswith("adam/adlb.yaml: steps[0] (derive_vars_merged): verb 'derive_vars_merged' takes "
                                  "arguments ['by_vars', 'dataset_add', ")
    assert problems[1].endswith("(got unknown 'by_var')")
    assert len(problems) == 2


def test_engine_arguments_are_not_written_in_the_spec(spec_dir):
    _edit(spec_dir, "adsl.yaml", lambda d: d["steps"].append(
        {"verb": "derive_var_extreme_dt", "args": {"new_var": "LSTALVDT", "sources": {},
                                                   "source_datasets": [{"dataset_name": "AE", "date": "AESTDTC"}]}}))
    problems = _problems(spec_dir)
    assert len(problems) == 1 and problems[0].endswith("(got unknown 'sources')")


def test_unknown_dataset_references(spec_dir):
    _edit(spec_dir, "adlb.yaml", lambda d: d["steps"][0]["args"].update(dataset_add="ADSX"))
    _edit(spec_dir, "adsl.yaml", lambda d: d["source"].update(dataset="DN"))
    assert _problems(spec_dir) == [
        "adam/adlb.yaml: steps: 'ADSX' must name an SDTM domain or ADaM dataset (got 'ADSX'); closest match: 'ADSL'",
        "adam/adsl.yaml: source.dataset: 'DN' must name an SDTM domain or ADaM dataset (got 'DN'); "
        "closest match: 'DS'",
    ]


def test_a_source_datasets_entry_naming_an_unknown_domain(spec_dir):
    _edit(spec_dir, "adsl.yaml", lambda d: d["steps"].append(
        {"verb": "derive_var_extreme_dt",
         "args": {"new_var": "LSTALVDT", "source_datasets": [{"dataset_name": "SV", "date": "SVSTDTC"}]}}))
    assert _problems(spec_dir) == [
        "adam/adsl.yaml: steps: 'SV' must name an SDTM domain or ADaM dataset (got 'SV'); closest match: 'DS'"]


def test_keys_and_order_must_name_variables(spec_dir):
    _edit(spec_dir, "adlb.yaml", lambda d: d.update(keys=["USUBJID", "PARAMCX"], order=["USUBJID", "ADTM desc"]))
    assert _problems(spec_dir) == [
        "adam/adlb.yaml: keys: 'PARAMCX' must name a variable of the dataset (got 'PARAMCX'); "
        "closest match: 'PARAMCD'",
        "adam/adlb.yaml: order: 'ADTM' must name a variable of the dataset (got 'ADTM'); closest match: 'ADT'",
    ]


def test_variables_must_be_unique_and_codelists_exist(spec_dir):
    def change(d):
        d["variables"][3]["codelist"] = "NYY"
        d["variables"].append(dict(d["variables"][0]))

    _edit(spec_dir, "adlb.yaml", change)
    assert _problems(spec_dir) == [
        "adam/adlb.yaml: variables[4]: variable must be unique (got 'USUBJID' twice)",
        "adam/adlb.yaml: variables[3] (ABLFL).codelist: 'NYY' must name a codelist (got 'NYY'); closest match: 'NY'",
    ]


def test_a_predecessor_without_source_and_a_derived_without_method_fail_the_schema(spec_dir):
    def change(d):
        del d["variables"][1]["source"]
        del d["variables"][2]["method"]

    _edit(spec_dir, "adsl.yaml", change)
    assert _problems(spec_dir) == [
        "adam/adsl.yaml: variables[1]: key 'source' must be present (got a mapping without it)",
        "adam/adsl.yaml: variables[2]: key 'method' must be present (got a mapping without it)",
    ]


def test_schema_problems_name_key_and_closest_match(spec_dir):
    _edit(spec_dir, "adsl.yaml", lambda d: d.update({"class": "SUBJECT LEVEL", "stepz": []}))
    problems = _problems(spec_dir)
    assert problems[0] == ("adam/adsl.yaml: (top level): keys must be among ['class', 'dataset', 'final_steps', "
                           "'keys', 'label', 'order', 'source', 'steps', 'structure', 'variables'] "
                           "(got unknown 'stepz'; closest match: 'steps')")
    assert problems[1].startswith("adam/adsl.yaml: class: must be one of ['SUBJECT LEVEL ANALYSIS DATASET', ")
    assert problems[1].endswith("(got 'SUBJECT LEVEL'); closest match: 'SUBJECT LEVEL ANALYSIS DATASET'")


def test_two_files_for_one_dataset(spec_dir):
    _write(spec_dir, "adsl2.yaml", _adsl())
    assert _problems(spec_dir) == ["adam[2]: dataset must be unique (got 'ADSL' twice)"]


def test_datasets_reading_each_other_in_their_steps_are_a_cycle(spec_dir):
    _edit(spec_dir, "adsl.yaml", lambda d: d["steps"].append(
        {"verb": "derive_vars_merged", "args": {"dataset_add": "ADLB", "by_vars": ["USUBJID"], "new_vars": ["ADT"],
                                                "mode": "first"}}))
    assert _problems(spec_dir) == [
        "adam: datasets must not read each other in their steps (got a cycle among ['ADLB', 'ADSL']); "
        "move the read into 'final_steps'"]


def test_a_read_in_final_steps_is_not_a_cycle(spec_dir):
    _edit(spec_dir, "adsl.yaml", lambda d: d.update(final_steps=[
        {"verb": "derive_vars_merged", "args": {"dataset_add": "ADLB", "by_vars": ["USUBJID"], "new_vars": ["ADT"],
                                                "mode": "first"}}]))
    datasets = load_adam_spec(load_spec(spec_dir), sdtm_names=SDTM_NAMES)
    assert list(datasets) == ["ADSL", "ADLB"]
    assert datasets["ADSL"].references(final=True) == {"ADLB"}


def test_files_starting_with_an_underscore_are_not_datasets(spec_dir):
    (spec_dir / "adam" / "_notes.yaml").write_text("not: a dataset\n", encoding="utf-8")
    assert list(load_adam_spec(load_spec(spec_dir), sdtm_names=SDTM_NAMES)) == ["ADSL", "ADLB"]


def test_a_spec_without_an_adam_folder(spec_dir):
    shutil.rmtree(spec_dir / "adam")
    with pytest.raises(SpecError) as caught:
        load_adam_spec(load_spec(spec_dir), sdtm_names=SDTM_NAMES)
    assert str(caught.value) == (f"adam/: the ADaM spec folder must exist in {spec_dir} "
                                 f"(got nothing at '{spec_dir / 'adam'}')")
