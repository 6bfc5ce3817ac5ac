"""From CDISC submission values to the codes the EDC stores, through the study's own codelists.

The simulator thinks in submission values (``"M"``, ``"COMPLETED"``, ``"POSSIBLY RELEVANT"``) and writes
whatever code the study's codelist gives them (``"1"``), so the calibration stays readable and the export
follows the spec even when a codelist is recoded.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cdisc_pipe.errors import SpecError
from cdisc_pipe.spec.model import Study

__all__ = ["CODED_FIELDS", "SAE_CRITERIA", "CodeBook"]

#: Short name -> (form id, field) of the coded fields the simulator fills. ``NY`` is any No/Yes field.
CODED_FIELDS: dict[str, tuple[str, str]] = {
    "SEX": ("DM", "SEX"),
    "ETHNIC": ("DM", "ETHNIC"),
    "RACE": ("DM", "RACE"),
    "NY": ("AE", "AESER"),
    "DOSEGRP": ("ENR", "DOSEGRP"),
    "EXROUTE": ("EX", "EXROUTE"),
    "AEREL": ("AE", "AEREL"),
    "AEACN": ("AE", "AEACN"),
    "AEOUT": ("AE", "AEOUT"),
    "DSDECOD": ("DS", "DSDECOD"),
    "CONTMODE": ("SURV", "CONTMODE"),
    "SURVSTAT": ("SURV", "SURVSTAT"),
    "CMCAT": ("CM", "CMCAT"),
    "CMDOSU": ("CM", "CMDOSU"),
    "CMDOSFRQ": ("CM", "CMDOSFRQ"),
    "CMROUTE": ("CM", "CMROUTE"),
    "IECRIT": ("IE", "IECRIT"),
    "AE_CRITERIA": ("AE", "AESDTH"),
}

#: The seriousness criteria of the AE form, in form order.
SAE_CRITERIA = ("AESDTH", "AESLIFE", "AESHOSP", "AESDISAB", "AESCONG", "AESMIE")


class CodeBook:
    """Look up EDC codes of the study's coded fields by submission value."""

    def __init__(self, study: Study) -> None:
        self._maps: dict[str, dict[str, str]] = {}
        self._ids: dict[str, str] = {}
        for short, (form_id, field_name) in CODED_FIELDS.items():
            codelist_id = study.form(form_id).field(field_name).codelist
            if codelist_id is None:
                raise SpecError(f"forms.yaml: {form_id}.{field_name}: field must be coded (got no codelist)")
            self._ids[short] = codelist_id
            self._maps[short] = {t.submission: t.code for t in study.codelist(codelist_id).terms}

    def codelist_id(self, field: str) -> str:
        return self._ids[field]

    def submissions(self, field: str) -> list[str]:
        return list(self._maps[field])

    def has(self, field: str, submission: str) -> bool:
        return submission in self._maps[field]

    def code(self, field: str, submission: str) -> str:
        """The EDC code of ``submission`` in the codelist of ``field``."""
        try:
            return self._maps[field][submission]
        except KeyError as err:
            raise SpecError(
                f"codelists.yaml: `{submission}` must be a submission value of codelist {self._ids[field]} "
                f"{self.submissions(field)} (got '{submission}')"
            ) from err

    def codes(self, field: str, submissions: np.ndarray) -> pa.Array:
        """Vectorised :meth:`code`: an array of submission values -> Arrow text of EDC codes."""
        index, values = pd.factorize(np.asarray(submissions, dtype=object))
        mapped = pa.array([self.code(field, str(v)) for v in values], type=pa.large_string())
        return pc.take(mapped, pa.array(index, type=pa.int64()))
