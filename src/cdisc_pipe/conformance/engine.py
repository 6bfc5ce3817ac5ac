"""The conformance engine: run rules (data) over a study's datasets and collect the issues.

For each rule and each dataset in its scope the engine

1. writes the rule for that dataset: ``--`` becomes the domain prefix (``--SEQ`` → ``AESEQ``) and, for a
   rule with ``for_each``, ``$VAR`` becomes each selected variable in turn;
2. skips it, saying why, when the dataset lacks a variable the rule names or another dataset the rule
   reads is absent (the Rules sheet of the report lists what ran and what did not);
3. keeps the records where ``where`` holds, evaluates ``check`` (see :mod:`.ops`) and turns every False
   into an issue: dataset, record number, USUBJID, --SEQ, the variables and their values.

Nothing here loops over records; loops run over rules, datasets and variables only.
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Mapping

import pandas as pd

from cdisc_pipe.conformance.dates import text
from cdisc_pipe.conformance.model import Dataset, Rule, Scope, Study, for_dataset, variables_table
from cdisc_pipe.conformance.ops import OpContext, RecordResult, evaluate, node_datasets, node_foreign, node_variables
from cdisc_pipe.conformance.report import ISSUE_COLUMNS, ConformanceReport, Execution

__all__ = ["run_rules", "in_scope", "expand", "select_variables"]

_PREFIX = re.compile(r"(?<![A-Za-z0-9_])--(?=[A-Z])")
STUDY_LEVEL = "(study)"


def expand(obj: Any, prefix: str, var: str | None = None, name: str = "") -> Any:
    """``obj`` with ``--`` before a variable stem replaced by ``prefix``, ``$VAR`` by ``var`` and
    ``$PARENT`` by characters 5-6 of the dataset ``name`` (the parent domain of a SUPP-- dataset)."""
    if isinstance(obj, str):
        out = _PREFIX.sub(prefix, obj).replace("$PARENT", name[4:6])
        return out.replace("$VAR", var) if var is not None else out
    if isinstance(obj, Mapping):
        return {expand(k, prefix, var, name): expand(v, prefix, var, name) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [expand(v, prefix, var, name) for v in obj]
    return obj


def _matches(entry: str, dataset: Dataset) -> bool:
    if entry == "ALL":
        return True
    if entry.endswith("--"):
        return dataset.name.startswith(entry[:-2]) and len(dataset.name) > len(entry) - 2
    return entry in (dataset.name, dataset.domain)


def in_scope(scope: Scope, dataset: Dataset) -> bool:
    if scope.standards and dataset.standard not in scope.standards:
        return False
    if scope.classes and "ALL" not in scope.classes and dataset.cls not in scope.classes:
        return False
    if dataset.cls in scope.exclude_classes:
        return False
    if scope.domains and not any(_matches(d, dataset) for d in scope.domains):
        return False
    return not any(_matches(d, dataset) for d in scope.exclude_domains)


def select_variables(selector: Mapping[str, Any], dataset: Dataset) -> list[str]:
    """The variables of ``dataset`` a rule's ``for_each`` picks, in dataset order."""
    table = dataset.variables
    names = table["name"].astype(str)
    keep = pd.Series(True, index=table.index)
    if "names" in selector:
        keep &= names.isin(selector["names"])
    if "by_domain" in selector:
        keep &= names.isin(list(for_dataset(selector["by_domain"], dataset)))
    if "suffix" in selector:
        suffixes = selector["suffix"] if isinstance(selector["suffix"], list) else [selector["suffix"]]
        keep &= names.str.endswith(tuple(suffixes)) & (names.str.len() > min(map(len, suffixes)))
    if "regex" in selector:
        keep &= names.str.fullmatch(selector["regex"])
    if "type" in selector:
        keep &= table["type"] == selector["type"]
    if selector.get("has_codelist"):
        keep &= names.isin(list(dataset.codelists))
    if "exclude" in selector:
        keep &= ~names.isin(selector["exclude"])
    return [n for n in names[keep] if n in dataset.columns]


def _study_dataset(study: Study) -> Dataset:
    return Dataset(name=STUDY_LEVEL, frame=pd.DataFrame(), variables=variables_table([]), standard="",
                   cls="", domain="")


def run_rules(study: Study, rules: Iterable[Rule]) -> ConformanceReport:
    """Check every dataset of ``study`` against ``rules``; never raises on bad data."""
    issues: list[pd.DataFrame] = []
    executions: list[Execution] = []
    rules = list(rules)
    for rule in rules:
        if rule.scope.level == "study":
            standards = {d.standard for d in study.datasets.values()}
            if not rule.scope.standards or standards.intersection(rule.scope.standards):
                _run(rule, _study_dataset(study), study, issues, executions)
            continue
        for dataset in study.datasets.values():
            if in_scope(rule.scope, dataset):
                _run(rule, dataset, study, issues, executions)
    frame = pd.concat(issues, ignore_index=True) if issues else pd.DataFrame(columns=ISSUE_COLUMNS)
    return ConformanceReport(issues=frame[ISSUE_COLUMNS], study=study, rules=tuple(rules),
                             executions=tuple(executions))


def _run(rule: Rule, dataset: Dataset, study: Study, issues: list[pd.DataFrame],
         executions: list[Execution]) -> None:
    targets: list[str | None] = [None]
    if rule.for_each is not None:
        targets = select_variables(expand(rule.for_each, dataset.domain), dataset)
        if not targets:
            executions.append(Execution(rule.id, dataset.name, "not applicable", "no variable selected", 0))
            return
    found, skipped = 0, []
    for var in targets:
        written = _write(rule, dataset, var)
        reason = _missing(written, dataset, study)
        if reason:
            skipped.append(reason)
            continue
        frame = _issues(rule, written, dataset, study)
        found += len(frame)
        if len(frame):
            issues.append(frame)
    if len(skipped) == len(targets):
        executions.append(Execution(rule.id, dataset.name, "not applicable", skipped[0], 0))
    else:
        executions.append(Execution(rule.id, dataset.name, "checked", "", found))


def _write(rule: Rule, dataset: Dataset, var: str | None) -> dict[str, Any]:
    def written(obj: Any) -> Any:
        return expand(obj, dataset.domain, var, dataset.name)

    return {
        "check": written(rule.check),
        "where": written(rule.where) if rule.where is not None else None,
        "report": written(list(rule.report)) if rule.report is not None else None,
        "message": written(rule.message),
    }


def _missing(written: Mapping[str, Any], dataset: Dataset, study: Study) -> str:
    nodes = [written["check"]] + ([written["where"]] if written["where"] is not None else [])
    if dataset.name == STUDY_LEVEL:
        return ""
    needed = [v for node in nodes for v in node_variables(node)]
    absent = [v for v in dict.fromkeys(needed) if v not in dataset.columns]
    if absent:
        return f"variables not in dataset: {', '.join(absent)}"
    others = [d for node in nodes for d in node_datasets(node) if d not in study]
    if others:
        return f"datasets not in study: {', '.join(dict.fromkeys(others))}"
    foreign = [f"{d}.{v}" for node in nodes for d, v in node_foreign(node)
               if v not in study.datasets[d.upper()].columns]
    if foreign:
        return f"variables not in study: {', '.join(dict.fromkeys(foreign))}"
    return ""


def _issues(rule: Rule, written: Mapping[str, Any], dataset: Dataset, study: Study) -> pd.DataFrame:
    frame = dataset.frame
    if written["where"] is not None:
        condition = evaluate(written["where"], OpContext(dataset, frame, study))
        assert isinstance(condition, RecordResult)
        frame = frame[condition.ok.fillna(False).to_numpy(dtype=bool)]
    result = evaluate(written["check"], OpContext(dataset, frame, study))
    if isinstance(result, RecordResult):
        return _record_issues(rule, written, dataset, frame, result)
    return _dataset_issues(rule, written, dataset, result)


def _record_issues(rule: Rule, written: Mapping[str, Any], dataset: Dataset, frame: pd.DataFrame,
                   result: RecordResult) -> pd.DataFrame:
    bad = (result.ok == False).fillna(False).to_numpy(dtype=bool)  # noqa: E712 - three-valued
    rows = frame[bad]
    if rows.empty:
        return pd.DataFrame(columns=ISSUE_COLUMNS)
    shown_vars = written["report"]
    if shown_vars is None:
        nodes = [written["check"]] + ([written["where"]] if written["where"] is not None else [])
        shown_vars = list(dict.fromkeys(v for n in nodes for v in node_variables(n) + node_variables(
            n, optional=True)))
    shown_vars = [v for v in shown_vars if v in rows.columns]
    labels = shown_vars + list(result.shown)
    columns = [text(rows[v]) for v in shown_vars] + [text(s[bad]) for s in result.shown.values()]
    values = _join(columns, rows.index)
    out = pd.DataFrame({
        "rule": rule.id,
        "severity": rule.severity.value,
        "dataset": dataset.name,
        "record": (rows.index.to_numpy() + 1),
        "usubjid": text(rows["USUBJID"]).to_numpy() if "USUBJID" in rows else pd.NA,
        "seq": _seq(dataset, rows),
        "variables": ", ".join(labels),
        "values": values.to_numpy(),
        "expected": pd.NA,
        "message": written["message"],
    })
    return out.astype({"record": "Int64"})


def _join(columns: list[pd.Series], index: pd.Index) -> pd.Series:
    if not columns:
        return pd.Series("", index=index, dtype="string")
    out = columns[0].fillna("").astype("string")
    for column in columns[1:]:
        out = out + ", " + column.fillna("").astype("string").to_numpy()
    return out


def _seq(dataset: Dataset, rows: pd.DataFrame) -> Any:
    for name in (f"{dataset.domain}SEQ", "ASEQ", "SEQ"):
        if name in rows.columns:
            return text(rows[name]).to_numpy()
    return pd.NA


def _dataset_issues(rule: Rule, written: Mapping[str, Any], dataset: Dataset, hits: list) -> pd.DataFrame:
    if not hits:
        return pd.DataFrame(columns=ISSUE_COLUMNS)
    return pd.DataFrame({
        "rule": rule.id,
        "severity": rule.severity.value,
        "dataset": dataset.name,
        "record": pd.array([pd.NA] * len(hits), dtype="Int64"),
        "usubjid": pd.NA,
        "seq": pd.NA,
        "variables": [", ".join(h.variables) for h in hits],
        "values": [", ".join(h.values) for h in hits],
        "expected": [h.expected or pd.NA for h in hits],
        "message": written["message"],
    })
