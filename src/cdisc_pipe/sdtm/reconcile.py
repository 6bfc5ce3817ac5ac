"""Reconciliation: every raw record lands in SDTM or is declared not mapped, with the reason.

The lineage table says which raw records (form, row) became which SDTM records. A raw record missing from
it is *not mapped*; that is fine only when ``specs/<study>/not-mapped.yaml`` gives its form a reason
(e.g. "the eligibility outcome is carried by DS and IE"). Anything else is *unaccounted* and an error
(SDTM-RECON-UNACCOUNTED), one finding per form naming the first rows.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from cdisc_pipe.errors import Finding, Severity
from cdisc_pipe.raw.model import ROW, RawExport
from cdisc_pipe.spec import Study
from cdisc_pipe.spec.problems import must_name, raise_if, read_yaml

__all__ = ["load_not_mapped", "reconcile", "RECONCILIATION_COLUMNS"]

RECONCILIATION_COLUMNS = ["FORM", "FILE", "RAW_RECORDS", "MAPPED", "NOT_MAPPED", "UNACCOUNTED", "DOMAINS", "REASON"]
MAX_ROWS_LISTED = 10


def load_not_mapped(study: Study) -> dict[str, str]:
    """``not-mapped.yaml`` of the study: form id -> why its unmapped records are not carried into SDTM."""
    path = Path(study.root) / "not-mapped.yaml"
    if not path.is_file():
        return {}
    document = read_yaml(path) or {}
    reasons = document.get("forms", {}) if isinstance(document, dict) else {}
    problems = [p for form in reasons for p in must_name("not-mapped.yaml: forms", "a form", form,
                                                           [f.id for f in study.forms])]
    problems += [f"not-mapped.yaml: forms.{form}: reason must be a non-empty text (got {reason!r})"
                 for form, reason in reasons.items() if not isinstance(reason, str) or not reason.strip()]
    raise_if(problems, Path(study.root))
    return {form: " ".join(reason.split()) for form, reason in reasons.items()}


def reconcile(export: RawExport, lineage: pd.DataFrame, study: Study,
              not_mapped: dict[str, str]) -> tuple[pd.DataFrame, list[Finding]]:
    """Counts per form (raw records, mapped, not mapped, unaccounted) and a finding per form with
    unaccounted records."""
    mapped = lineage.dropna(subset=["RAW_FORM", "RAW_ROW"]).astype({"RAW_ROW": "int64"})
    domains = mapped.groupby("RAW_FORM")["DOMAIN"].agg(lambda d: ", ".join(sorted(set(d))))
    rows, findings = [], []
    for form in study.forms:
        raw = export.forms.get(form.id)
        if raw is None:
            continue
        source_rows = raw.frame[ROW].astype("int64")
        landed = source_rows.isin(mapped.loc[mapped["RAW_FORM"] == form.id, "RAW_ROW"])
        missing = source_rows[~landed]
        reason = not_mapped.get(form.id)
        unaccounted = missing if reason is None else missing.iloc[0:0]
        rows.append({
            "FORM": form.id, "FILE": raw.file, "RAW_RECORDS": len(source_rows), "MAPPED": int(landed.sum()),
            "NOT_MAPPED": 0 if reason is None else len(missing), "UNACCOUNTED": len(unaccounted),
            "DOMAINS": domains.get(form.id, ""), "REASON": reason or "",
        })
        if len(unaccounted):
            shown = ", ".join(str(r) for r in unaccounted.head(MAX_ROWS_LISTED))
            more = f" ... and {len(unaccounted) - MAX_ROWS_LISTED} more" if len(unaccounted) > MAX_ROWS_LISTED else ""
            findings.append(Finding(
                stage="sdtm", rule="SDTM-RECON-UNACCOUNTED", severity=Severity.ERROR, dataset=form.id,
                file=raw.file, row=int(unaccounted.iloc[0]), value=str(len(unaccounted)),
                expected="every record mapped to SDTM or its form listed in not-mapped.yaml",
                message=(f"`{form.id}` records must land in SDTM or be declared not mapped "
                         f"(got {len(unaccounted)} unaccounted: rows {shown}{more})"),
            ))
    return pd.DataFrame(rows, columns=RECONCILIATION_COLUMNS), findings
