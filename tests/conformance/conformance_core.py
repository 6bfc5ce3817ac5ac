"""CDISC CORE's open-rules test cases (../shared/reference/cdisc-open-rules) as studies our engine checks.

A case folder holds ``data/`` (``.env``, ``_datasets.csv``, ``_variables.csv``, one CSV per dataset) and
``results/results.csv`` (``Dataset,Record,Variable,Value``, one row per reported variable per finding): the
findings CORE gives, which we treat as the oracle (not the positive/negative folder name, see CORE-000718).
We compare the set of flagged ``(dataset, record)`` pairs; a dataset-level finding has no record.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import pandas as pd

from cdisc_pipe.conformance import Rule, Study, check_study, make_dataset, variables_table

OPEN_RULES = Path(__file__).resolve().parents[3] / "shared" / "reference" / "cdisc-open-rules"

#: Rules whose results.csv files sit in the other case folder than the data they describe: in
#: CORE-000718 the violations (AESTDTC 2019 > AEENDTC 2018-06-14, ...) are in negative/01's data and
#: are listed in positive/01/results/results.csv; positive/01's data is clean and negative/01's results
#: are empty. The README calls this reversed polarity; reading the data shows the results are misfiled.
RESULTS_SWAPPED = {"CORE-000718"}


@dataclass(frozen=True)
class CoreCase:
    core_id: str
    folder: Path  # the case folder (…/positive/01)

    @property
    def name(self) -> str:
        return f"{self.core_id}/{self.folder.parent.name}/{self.folder.name}"


def rule_folder(core_id: str) -> Path:
    return OPEN_RULES / "Published" / core_id


def cases(core_id: str) -> list[CoreCase]:
    """The case folders of ``core_id`` that have expected results and SDTM/ADaM data."""
    found = []
    for folder in sorted(rule_folder(core_id).glob("*/*")):
        if not (folder / "results" / "results.csv").is_file() or not (folder / "data").is_dir():
            continue
        env = _env(folder / "data" / ".env")
        if env.get("PRODUCT", "").upper() not in ("SDTMIG", "ADAMIG"):
            continue
        found.append(CoreCase(core_id, folder))
    return found


def _env(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return {k.strip(): v.strip() for k, v in pairs}


def load_case(case: CoreCase) -> Study:
    data = case.folder / "data"
    labels = {r["Filename"].lower(): r["Label"] for r in _rows(data / "_datasets.csv")}
    meta: dict[str, list[dict]] = {}
    for r in _rows(data / "_variables.csv"):
        meta.setdefault(r["dataset"].lower(), []).append(r)
    study = Study(root=data)
    for stem in labels:
        path = data / f"{stem}.csv"
        if not path.is_file():
            continue
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        declared = {r["variable"]: r for r in meta.get(stem, [])}
        rows = []
        for i, column in enumerate(frame.columns):
            info = declared.get(column, {})
            kind = "Num" if info.get("type", "").lower() in ("num", "integer", "float") else "Char"
            if kind == "Num":
                frame[column] = pd.to_numeric(frame[column].replace("", None), errors="coerce").astype("float64")
            length = info.get("length") or ""
            rows.append({"name": column, "label": info.get("label", ""), "type": kind,
                         "length": int(float(length)) if length.strip() else None, "order": i + 1, "format": None})
        study.datasets[stem.upper()] = make_dataset(stem, frame, variables_table(rows), label=labels[stem],
                                                    file=path.name)
    return study


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        return []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def sensitivity(core_id: str) -> str:
    """``Record`` or ``Dataset`` (how CORE counts findings), from the rule's ``Sensitivity``."""
    for line in (rule_folder(core_id) / "rule.yml").read_text(encoding="utf-8").splitlines():
        if line.startswith("Sensitivity:"):
            return line.split(":", 1)[1].strip()
    return "Record"


def comparable(found: set[tuple[str, int | None]], level: str) -> set:
    """Findings at CORE's level: (dataset, record) for Record sensitivity; datasets for Dataset
    sensitivity; for our study-level issues (dataset "(study)") only whether there is any."""
    if any(d == "(study)" for d, _ in found):
        return {"study-level finding"}
    if level == "Dataset":
        return {d for d, _ in found}
    return found


def agree(case: CoreCase, rules: Iterable[Rule]) -> tuple[bool, set, set]:
    """Whether our rules flag what CORE flags on ``case``: (agree, CORE's, ours) at CORE's level."""
    level = sensitivity(case.core_id)
    want = expected(case)
    got = ours(case, rules)
    if any(d == "(study)" for d, _ in got):
        want_c, got_c = ({"study-level finding"} if want else set()), {"study-level finding"}
    else:
        want_c, got_c = comparable(want, level), comparable(got, level)
    return want_c == got_c, want_c, got_c


def _results_file(case: CoreCase) -> Path:
    if case.core_id in RESULTS_SWAPPED:
        other = {"positive": "negative", "negative": "positive"}[case.folder.parent.name]
        return case.folder.parent.parent / other / case.folder.name / "results" / "results.csv"
    return case.folder / "results" / "results.csv"


def expected(case: CoreCase) -> set[tuple[str, int | None]]:
    """(dataset, record) pairs CORE reports for the case."""
    out = set()
    for r in _rows(_results_file(case)):
        record = r.get("Record", "").strip()
        out.add((r["Dataset"].upper(), int(float(record)) if record else None))
    return out


def ours(case: CoreCase, rules: Iterable[Rule]) -> set[tuple[str, int | None]]:
    report = check_study(load_case(case), list(rules))
    records = report.issues["record"].astype(object).where(report.issues["record"].notna(), None)
    return {(d, None if r is None else int(r)) for d, r in zip(report.issues["dataset"], records)}
