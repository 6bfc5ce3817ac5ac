"""Define-vs-data: does define.xml describe the datasets as written?

:func:`validate_define_data` reads define.xml back and compares it with the frames and their
:class:`~cdisc_pipe.export.metadata.DatasetMetadata` (name -> (frame, metadata)):

============================  =====================================================================  ========
rule                          what                                                                   severity
============================  =====================================================================  ========
DEFINE-DATA-DATASET           a dataset is in define.xml but not written, or written but not defined  Error
DEFINE-DATA-VARIABLE          a variable is in one but not the other                                  Error
DEFINE-DATA-ORDER             variables in another order than written                                 Warning
DEFINE-DATA-LABEL             ItemDef description differs from the written label                      Error
DEFINE-DATA-TYPE              DataType does not fit the written type, or a value does not fit it      Error
DEFINE-DATA-LENGTH            Length differs from the written length, or a value is longer            Error
DEFINE-DATA-CODELIST          a value is not in the item's codelist (value-level items included)      Error
DEFINE-DATA-MANDATORY         Mandatory="Yes" but some records have no value                          Error
DEFINE-DATA-WHERE             a where clause uses a comparator or variable the check cannot evaluate  Warning
============================  =====================================================================  ========

Vectorised over each column; at most 10 distinct offending values are named per finding.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd
from defusedxml import ElementTree

from cdisc_pipe.errors import Finding, Report, Severity
from cdisc_pipe.export.define_values import DATE_TYPES, coded_text, iso_matches, text_length

__all__ = ["NS", "parse_define", "finding", "validate_define_data"]

NS = {"odm": "http://www.cdisc.org/ns/odm/v1.3", "def": "http://www.cdisc.org/ns/def/v2.1",
      "xlink": "http://www.w3.org/1999/xlink"}
_SHOWN = 10


def parse_define(define_xml: str | bytes):
    """The root element of ``define_xml`` (parsed with defusedxml: no entities, no network)."""
    data = define_xml.encode("utf-8") if isinstance(define_xml, str) else define_xml
    return ElementTree.fromstring(data)


def finding(rule: str, message: str, *, dataset: str | None = None, variable: str | None = None,
            row: int | None = None, value: str | None = None, expected: str | None = None,
            severity: Severity = Severity.ERROR) -> Finding:
    return Finding(stage="export", rule=rule, severity=severity, message=message, dataset=dataset,
                   variable=variable, row=row, value=value, expected=expected)


def _label(element) -> str | None:
    text = element.find("odm:Description/odm:TranslatedText", NS)
    return None if text is None else (text.text or "")


def _text(column: pd.Series) -> pd.Series:
    """The column as codelist text, full length, missing as <NA>."""
    out = pd.Series(pd.NA, index=column.index, dtype="object")
    present = coded_text(column)
    out.loc[present.index] = present.to_numpy(dtype=object)
    return out


def _missing(column: pd.Series) -> np.ndarray:
    missing = column.isna().to_numpy().copy()
    if not pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_datetime64_any_dtype(column):
        missing |= (column.astype("string").fillna("").str.len() == 0).to_numpy()
    return missing


def _offenders(rule: str, what: str, column: pd.Series, bad: np.ndarray, *, dataset: str, variable: str,
               expected: str | None = None) -> Finding | None:
    """One finding naming the offending values (at most 10) and the first row holding one (1-based)."""
    if not bad.any():
        return None
    rows = np.flatnonzero(bad)
    if pd.api.types.is_integer_dtype(column.index):  # frames are written with a 0-based RangeIndex
        rows = column.index.to_numpy()[rows]
    values = pd.Series(column.to_numpy(dtype=object)[np.flatnonzero(bad)]).astype(str)
    distinct = list(dict.fromkeys(values))
    shown = ", ".join(repr(v) for v in distinct[:_SHOWN])
    more = f" … and {len(distinct) - _SHOWN} more; see report" if len(distinct) > _SHOWN else ""
    return finding(rule, f"{dataset}.{variable} {what} (got {shown}{more}; {len(rows)} record(s), first at row "
                   f"{rows[0] + 1})", dataset=dataset, variable=variable, row=int(rows[0]) + 1, value=distinct[0],
                   expected=expected)


def _check_values(values: pd.Series, item, *, dataset: str, variable: str, numeric: bool,
                  codelists: Mapping[str, set[str]]) -> list[Finding]:
    """The values of one item (a variable, or the records of one value-level entry) against its DataType,
    Length and codelist."""
    out: list[Finding | None] = []
    data_type, length = item.get("DataType"), item.get("Length")
    if not numeric and not pd.api.types.is_datetime64_any_dtype(values):
        text = values.astype("string").fillna("")
        present = (text.str.len() > 0).to_numpy()
        if data_type in DATE_TYPES:
            ok = iso_matches(text, data_type).reindex(text.index, fill_value=True).to_numpy()
            out.append(_offenders("DEFINE-DATA-TYPE", f"values must be ISO 8601 {data_type}", values, ~ok,
                                  dataset=dataset, variable=variable, expected=data_type))
        elif data_type in ("integer", "float"):
            numbers = pd.to_numeric(text.where(present), errors="coerce")
            bad = present & numbers.isna().to_numpy()
            if data_type == "integer":
                bad |= present & ~(numbers.fillna(0) == np.round(numbers.fillna(0))).to_numpy()
            out.append(_offenders("DEFINE-DATA-TYPE", f"values must be {data_type} numbers", values, bad,
                                  dataset=dataset, variable=variable, expected=data_type))
        if length is not None and present.any():
            longest = text_length(text[present])
            if longest > int(length):
                out.append(finding("DEFINE-DATA-LENGTH", f"{dataset}.{variable} values must fit Length {length} "
                                   f"(got a value of {longest} bytes)", dataset=dataset, variable=variable,
                                   value=str(longest), expected=str(length)))
    elif numeric and data_type == "integer" and not pd.api.types.is_datetime64_any_dtype(values):
        numbers = pd.to_numeric(values, errors="coerce")
        bad = (numbers.notna() & (numbers != np.round(numbers))).to_numpy()
        out.append(_offenders("DEFINE-DATA-TYPE", "values must be whole numbers (DataType integer)", values, bad,
                              dataset=dataset, variable=variable, expected="integer"))
    ref = item.find("odm:CodeListRef", NS)
    if ref is not None and ref.get("CodeListOID") in codelists:
        allowed = codelists[ref.get("CodeListOID")]
        text = _text(values)
        bad = (text.notna() & ~text.isin(allowed)).to_numpy()
        out.append(_offenders("DEFINE-DATA-CODELIST", f"values must be in codelist {ref.get('CodeListOID')}",
                              values, bad, dataset=dataset, variable=variable))
    return [f for f in out if f is not None]


def _where_mask(frame: pd.DataFrame, clause, items: Mapping, *, dataset: str,
                texts: dict[str, pd.Series]) -> tuple[np.ndarray, list[Finding]]:
    """Records the where clause selects; ``texts`` caches each compared column as text."""
    mask = np.ones(len(frame), dtype=bool)
    problems = []
    for check in clause.findall("odm:RangeCheck", NS):
        item = items.get(check.get(f"{{{NS['def']}}}ItemOID"))
        comparator = check.get("Comparator")
        values = {v.text or "" for v in check.findall("odm:CheckValue", NS)}
        name = item.get("Name") if item is not None else None
        if name not in frame.columns or comparator not in ("EQ", "NE", "IN", "NOTIN"):
            problems.append(finding("DEFINE-DATA-WHERE", f"{clause.get('OID')}: the where clause must compare a "
                                    f"variable of {dataset} with EQ/NE/IN/NOTIN (got {comparator} on {name})",
                                    dataset=dataset, variable=name, severity=Severity.WARNING))
            return np.zeros(len(frame), dtype=bool), problems
        if name not in texts:
            texts[name] = _text(frame[name])
        hit = texts[name].isin(values).to_numpy()
        mask &= hit if comparator in ("EQ", "IN") else ~hit
    return mask, problems


def validate_define_data(define_xml: str | bytes, datasets: Mapping[str, tuple[pd.DataFrame, object]]) -> Report:
    """Findings where ``define_xml`` and ``datasets`` (name -> (frame, DatasetMetadata)) disagree."""
    root = parse_define(define_xml)
    mdv = root.find("odm:Study/odm:MetaDataVersion", NS)
    report = Report()
    if mdv is None:
        return Report([finding("DEFINE-DATA-DATASET", "define.xml must hold ODM/Study/MetaDataVersion (got none)")])
    items = {i.get("OID"): i for i in mdv.findall("odm:ItemDef", NS)}
    codelists = {c.get("OID"): {t.get("CodedValue") for t in [*c.findall("odm:CodeListItem", NS),
                                                               *c.findall("odm:EnumeratedItem", NS)]}
                 for c in mdv.findall("odm:CodeList", NS)}
    value_lists = {v.get("OID"): v for v in mdv.findall("def:ValueListDef", NS)}
    clauses = {w.get("OID"): w for w in mdv.findall("def:WhereClauseDef", NS)}
    groups = {g.get("Name"): g for g in mdv.findall("odm:ItemGroupDef", NS)}
    for name in groups.keys() - datasets.keys():
        report.add(finding("DEFINE-DATA-DATASET", f"{name} is in define.xml, so it must be among the datasets "
                           f"written (got no such dataset)", dataset=name))
    for name in datasets.keys() - groups.keys():
        report.add(finding("DEFINE-DATA-DATASET", f"{name} was written, so define.xml must define it (got no "
                           f"ItemGroupDef named {name})", dataset=name))
    for name in [n for n in groups if n in datasets]:
        frame, meta = datasets[name]
        refs = [(items.get(r.get("ItemOID")), r.get("Mandatory") == "Yes")
                for r in groups[name].findall("odm:ItemRef", NS)]
        defined = {item.get("Name"): (item, mandatory) for item, mandatory in refs if item is not None}
        written = {v.name: v for v in meta.variables}
        texts: dict[str, pd.Series] = {}
        masks: dict[str, np.ndarray] = {}
        for variable in defined.keys() - written.keys():
            report.add(finding("DEFINE-DATA-VARIABLE", f"{name}.{variable} is in define.xml, so it must be in the "
                               f"dataset written (got no such variable)", dataset=name, variable=variable))
        for variable in written.keys() - defined.keys():
            report.add(finding("DEFINE-DATA-VARIABLE", f"{name}.{variable} was written, so define.xml must list it "
                               f"in IG.{name} (got no ItemRef)", dataset=name, variable=variable))
        common_defined = [v for v in defined if v in written]
        common_written = [v for v in written if v in defined]
        if common_defined != common_written:
            report.add(finding("DEFINE-DATA-ORDER", f"{name}: variables must be in the written order "
                               f"{common_written} (got {common_defined})", dataset=name, severity=Severity.WARNING))
        for variable in common_written:
            item, mandatory = defined[variable]
            report.extend(_check_variable(frame, written[variable], item, mandatory, dataset=name,
                                          codelists=codelists))
            vl_ref = item.find("def:ValueListRef", NS)
            value_list = value_lists.get(vl_ref.get("ValueListOID")) if vl_ref is not None else None
            for ref in value_list.findall("odm:ItemRef", NS) if value_list is not None else ():
                where = ref.find("def:WhereClauseRef", NS)
                vitem = items.get(ref.get("ItemOID"))
                clause = clauses.get(where.get("WhereClauseOID")) if where is not None else None
                if vitem is None or clause is None:
                    continue  # a dangling OID: reported by validate_define_oids
                if clause.get("OID") not in masks:  # a clause shared by several value lists is evaluated once
                    masks[clause.get("OID")], problems = _where_mask(frame, clause, items, dataset=name, texts=texts)
                    report.extend(problems)
                mask = masks[clause.get("OID")]
                subset = frame[variable][mask]
                if ref.get("Mandatory") == "Yes":
                    report.extend(f for f in [_offenders(
                        "DEFINE-DATA-MANDATORY", f"must have a value in every record where {clause.get('OID')} "
                        f"(Mandatory=\"Yes\")", subset, _missing(subset), dataset=name, variable=variable)] if f)
                report.extend(_check_values(subset, vitem, dataset=name, variable=variable,
                                            numeric=written[variable].type == "Num", codelists=codelists))
    return report


def _check_variable(frame: pd.DataFrame, meta, item, mandatory: bool, *, dataset: str,
                    codelists: Mapping[str, set[str]]) -> list[Finding]:
    variable, column = meta.name, frame[meta.name]
    out: list[Finding | None] = []
    label = _label(item)
    if label != meta.label:
        out.append(finding("DEFINE-DATA-LABEL", f"{dataset}.{variable} description must be the written label "
                           f"{meta.label!r} (got {label!r})", dataset=dataset, variable=variable, value=label,
                           expected=meta.label))
    data_type = item.get("DataType")
    numeric_types = ("integer", "float")
    if (meta.type == "Num") != (data_type in numeric_types):
        out.append(finding("DEFINE-DATA-TYPE", f"{dataset}.{variable} DataType must fit the written type "
                           f"{meta.type} (got {data_type})", dataset=dataset, variable=variable, value=data_type,
                           expected="integer/float" if meta.type == "Num" else "text or an ISO 8601 type"))
    length = item.get("Length")
    if length is not None and int(length) != meta.length:
        out.append(finding("DEFINE-DATA-LENGTH", f"{dataset}.{variable} Length must be the written length "
                           f"{meta.length} (got {length})", dataset=dataset, variable=variable, value=length,
                           expected=str(meta.length)))
    if mandatory:
        out.append(_offenders("DEFINE-DATA-MANDATORY", "must have a value in every record (Mandatory=\"Yes\")",
                              column, _missing(column), dataset=dataset, variable=variable))
    out.extend(_check_values(column, item, dataset=dataset, variable=variable, numeric=meta.type == "Num",
                             codelists=codelists))
    return [f for f in out if f is not None]
