"""Small literal studies for rule tests, written in YAML (tests/conformance/cases/*.yaml).

One entry per rule id::

    SD-SEQ-UNIQUE:
      context: {DM: [{USUBJID: "1", ...}]}   # datasets present in both cases (optional)
      pass: {AE: [{STUDYID: S, DOMAIN: AE, USUBJID: "1", AESEQ: 1}, ...]}
      fail: {AE: [...]}
      flagged: [[AE, 2], [AE, 3]]            # (dataset, record) the rule must report in `fail`; null record
                                              # for a dataset-level issue (optional: default "at least one")
      variables: {AE: {AESEQ: {type: Char, label: ..., length: ...}}}   # metadata overrides (optional)
      fail_variables: {...}                   # ... for one case only (also pass_/fail_ labels, codelists)
      labels: {AE: Adverse Events}            # dataset labels (optional; default: the name)
      codelists: {AE: {AESEV: [MILD, MODERATE]}}   # as define.xml would give (optional)

A variable is Num when every value given is a number (or null), Char otherwise; Char lengths default to the
longest value. Frames are built the way read_xpt returns them: Char blank = "", Num missing = NaN.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd
import yaml

from cdisc_pipe.conformance import Study, make_dataset, variables_table
from cdisc_pipe.conformance.define_read import DefineDataset

CASES_DIR = Path(__file__).parent / "cases"


def load_cases() -> dict[str, dict[str, Any]]:
    cases: dict[str, dict[str, Any]] = {}
    for path in sorted(CASES_DIR.glob("*.yaml")):
        for rule, case in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).items():
            if rule in cases:
                raise ValueError(f"{path.name}: case for rule '{rule}' must be written once (got it twice)")
            cases[rule] = {**case, "_file": path.name}
    return cases


def _is_number(value: Any) -> bool:
    return value is None or (isinstance(value, (int, float)) and not isinstance(value, bool))


def frame_of(records: list[Mapping[str, Any]]) -> pd.DataFrame:
    names: list[str] = []
    for record in records:
        names += [k for k in record if k not in names]
    columns = {}
    for name in names:
        values = [r.get(name) for r in records]
        if all(_is_number(v) for v in values) and any(v is not None for v in values):
            columns[name] = pd.Series([np.nan if v is None else float(v) for v in values], dtype="float64")
        else:
            columns[name] = pd.Series(["" if v is None else str(v) for v in values], dtype="str")
    return pd.DataFrame(columns, columns=names)


def _setting(case: Mapping[str, Any], key: str, which: str) -> dict[str, Any]:
    """``case[key]`` with ``case[f"{which}_{key}"]`` laid over it, per dataset."""
    out = {name: dict(value) if isinstance(value, Mapping) else value
           for name, value in (case.get(key) or {}).items()}
    for name, value in (case.get(f"{which}_{key}") or {}).items():
        out[name] = {**out.get(name, {}), **value} if isinstance(value, Mapping) else value
    return out


def build_study(case: Mapping[str, Any], which: str) -> Study:
    datasets = {**(case.get("context") or {}), **(case.get(which) or {})}
    overrides = _setting(case, "variables", which)
    study = Study()
    for name, records in datasets.items():
        frame = frame_of(records or [])
        rows = []
        for i, column in enumerate(frame.columns):
            char = frame[column].dtype != "float64"
            length = int(max([len(v) for v in frame[column]] + [1])) if char else 8
            row = {"name": column, "label": column, "type": "Char" if char else "Num", "length": length,
                   "order": i + 1, "format": None}
            row.update((overrides.get(name) or {}).get(column, {}))
            rows.append(row)
        for column, extra in (overrides.get(name) or {}).items():
            if column not in frame.columns and extra.get("metadata_only"):
                rows.append({"name": column, "label": column, "type": "Char", "length": 8,
                             "order": len(rows) + 1, "format": None, **extra})
        lists = _setting(case, "codelists", which).get(name)
        define = DefineDataset(name, codelists={k: frozenset(v) for k, v in lists.items()}) if lists else None
        for row in rows:
            row.pop("metadata_only", None)
        study.datasets[name.upper()] = make_dataset(
            name, frame, variables_table(rows), label=_setting(case, "labels", which).get(name, name), define=define)
    return study
