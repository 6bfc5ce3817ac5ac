"""Checks every built ADaM dataset must pass (findings, not exceptions; rule ids in docs/errors.md).

* ``ADAM-KEY-DUP`` — the spec's keys identify one record;
* ``ADAM-ABLFL-DUP`` — at most one ABLFL = "Y" per USUBJID and PARAMCD (BDS);
* ``ADAM-CHG`` — CHG is exactly AVAL − BASE wherever any of the three is present;
* ``ADAM-SRC-UNRESOLVED`` — SRCDOM/SRCSEQ point at an existing SDTM record of the same subject.

``row`` in a finding is the 1-based record number in the written dataset.
"""

from __future__ import annotations

from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from cdisc_pipe.errors import Finding, Report, Severity
from cdisc_pipe.spec.adam_model import AdamDataset

__all__ = ["validate_adam", "unresolved_pointers"]

MAX_PER_RULE = 50


def _findings(frame: pd.DataFrame, mask: pd.Series, *, name: str, rule: str, variable: str,
              message: str, expected: str, value_of) -> Iterable[Finding]:
    rows = np.flatnonzero(mask.to_numpy(bool))
    for row in rows[:MAX_PER_RULE]:
        record = frame.iloc[row]
        subject = record.get("USUBJID")
        yield Finding(stage="adam", rule=rule, severity=Severity.ERROR, dataset=name,
                      file=f"adam/{name.lower()}.csv", row=int(row) + 1, variable=variable,
                      subject=None if pd.isna(subject) else str(subject),
                      value=value_of(record), expected=expected,
                      message=message + (f" (and {len(rows) - MAX_PER_RULE} more records)" if
                                         len(rows) > MAX_PER_RULE and row == rows[MAX_PER_RULE - 1] else ""))


def unresolved_pointers(frame: pd.DataFrame, sdtm: Mapping[str, pd.DataFrame]) -> pd.Series:
    """True for each record whose SRCDOM/SRCSEQ is given but names no record of that SDTM domain for the
    same USUBJID (records without a pointer are not judged here)."""
    given = frame["SRCDOM"].notna() & frame["SRCSEQ"].notna()
    found = pd.Series(False, index=frame.index)
    for domain in frame.loc[given, "SRCDOM"].unique():
        target = sdtm.get(str(domain))
        seq = f"{domain}SEQ"
        rows = given & frame["SRCDOM"].eq(domain).fillna(False)
        if target is None or seq not in target.columns:
            continue
        keys = pd.MultiIndex.from_arrays([target["USUBJID"].astype("string"), target[seq].astype("float64")])
        probe = pd.MultiIndex.from_arrays([frame.loc[rows, "USUBJID"].astype("string"),
                                           frame.loc[rows, "SRCSEQ"].astype("float64")])
        found.loc[rows] = probe.isin(keys)
    return given & ~found


def validate_adam(datasets: Mapping[str, pd.DataFrame], spec: Mapping[str, AdamDataset],
                  sdtm: Mapping[str, pd.DataFrame]) -> Report:
    report = Report()
    for name, frame in datasets.items():
        keys = list(spec[name].keys)
        duplicated = frame.duplicated(keys, keep="first")
        report.extend(_findings(frame, duplicated, name=name, rule="ADAM-KEY-DUP", variable=",".join(keys),
                                message=f"`{name}` keys {keys} must identify one record (got a duplicate)",
                                expected="unique keys", value_of=lambda r: "|".join(str(r[k]) for k in keys)))
        if {"ABLFL", "USUBJID", "PARAMCD"} <= set(frame.columns):
            flagged = frame["ABLFL"].eq("Y").fillna(False)
            twice = flagged & frame.duplicated(["USUBJID", "PARAMCD", "ABLFL"], keep="first")
            report.extend(_findings(frame, twice, name=name, rule="ADAM-ABLFL-DUP", variable="ABLFL",
                                    message=f"`{name}.ABLFL` must be 'Y' on at most one record per USUBJID and "
                                            f"PARAMCD (got a second one)",
                                    expected="one baseline record", value_of=lambda r: str(r["PARAMCD"])))
        if {"CHG", "AVAL", "BASE"} <= set(frame.columns):
            expected = frame["AVAL"] - frame["BASE"]
            wrong = ~((frame["CHG"] == expected) | (frame["CHG"].isna() & expected.isna())).fillna(False)
            report.extend(_findings(frame, wrong, name=name, rule="ADAM-CHG", variable="CHG",
                                    message=f"`{name}.CHG` must be exactly AVAL - BASE (got another value)",
                                    expected="AVAL - BASE",
                                    value_of=lambda r: f"CHG={r['CHG']} AVAL={r['AVAL']} BASE={r['BASE']}"))
        if {"SRCDOM", "SRCSEQ", "USUBJID"} <= set(frame.columns):
            bad = unresolved_pointers(frame, sdtm)
            report.extend(_findings(frame, bad, name=name, rule="ADAM-SRC-UNRESOLVED", variable="SRCSEQ",
                                    message=f"`{name}.SRCSEQ` must point at an existing record of SRCDOM for the "
                                            f"subject (got none)",
                                    expected="a record of SRCDOM with --SEQ = SRCSEQ for the subject",
                                    value_of=lambda r: f"{r['SRCDOM']} {r['SRCSEQ']}"))
    return report
