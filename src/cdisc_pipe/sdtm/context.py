"""What mapping algorithms see besides the working frame: the study, the domain, and a findings sink."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from cdisc_pipe.errors import Finding, Severity
from cdisc_pipe.raw.model import ROW, RawExport
from cdisc_pipe.sdtm.algorithms import FILE, FORM
from cdisc_pipe.spec import Study
from cdisc_pipe.spec.sdtm_model import Domain, SdtmVariable

__all__ = ["MapContext"]

MAX_PER_RULE = 10_000


@dataclass
class MapContext:
    """Shared by the algorithms of one domain. ``findings`` collects data problems met while mapping."""

    study: Study
    domain: Domain
    export: RawExport | None = None
    findings: list[Finding] = field(default_factory=list)

    def field_codelist(self, name: str) -> str:
        """The codelist of raw field ``name`` in the domain's source form."""
        form_id = self.domain.source.form
        if form_id is None:
            raise ValueError(f"domain {self.domain.name}: `codelist` must be given for field '{name}' "
                             "when the source is not a single form")
        codelist = self.study.form(form_id).field(name).codelist
        if codelist is None:
            raise ValueError(f"field {form_id}.{name} must have a codelist to use assign_ct (got none)")
        return codelist

    def problem_unmapped(self, dataset: pd.DataFrame, variable: SdtmVariable, name: str, codelist: str,
                         mask: pd.Series) -> None:
        allowed = ", ".join(self.study.codelist(codelist).codes)
        rows = dataset.loc[mask]
        subjects = rows[self.study.raw.subject] if self.study.raw.subject in rows else pd.Series(None, index=rows.index)
        for file, row, subject, value in zip(rows.get(FILE, pd.Series(None, index=rows.index)),
                                             rows.get(ROW, pd.Series(None, index=rows.index)),
                                             subjects, rows[name]):
            self.findings.append(Finding(
                stage="sdtm", rule="SDTM-CT-UNMAPPED", severity=Severity.ERROR, dataset=self.domain.name,
                file=file, row=None if pd.isna(row) else int(row), variable=variable.name, subject=subject,
                value=value, expected=f"a code of codelist {codelist}: {allowed}",
                message=(f"`{self.domain.name}.{variable.name}` must come from a code of codelist {codelist} "
                         f"(got '{value}' in {name})"),
            ))

    def problem_column_missing(self, dataset: pd.DataFrame, variable: SdtmVariable, name: str) -> None:
        form = dataset[FORM].iloc[0] if FORM in dataset.columns and len(dataset) else self.domain.source.form
        self.findings.append(Finding(
            stage="sdtm", rule="SDTM-SOURCE-MISSING", severity=Severity.ERROR, dataset=self.domain.name,
            variable=variable.name, value=name, expected=f"column {name} in form {form}",
            message=f"`{self.domain.name}.{variable.name}` must have its source column {form}.{name} (got none)",
        ))
