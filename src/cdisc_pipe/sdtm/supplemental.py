"""SUPP-- datasets from the variables a domain spec marks ``supp: true``."""

from __future__ import annotations

import pandas as pd

from cdisc_pipe.spec.sdtm_model import Domain

__all__ = ["build_supp", "SUPP_COLUMNS"]

SUPP_COLUMNS = ["STUDYID", "RDOMAIN", "USUBJID", "IDVAR", "IDVARVAL", "QNAM", "QLABEL", "QVAL", "QORIG", "QEVAL"]


def build_supp(dataset: pd.DataFrame, domain: Domain) -> pd.DataFrame:
    """One SUPP record per parent record and supplemental variable with a value.

    QNAM is the variable's name, QLABEL its label, QORIG its origin; records attach to the parent by its
    --SEQ (IDVAR/IDVARVAL), or by USUBJID alone for one-record-per-subject domains such as DM (IDVAR null).
    Empty values make no record.
    """
    supp = domain.supp_variables
    if not supp:
        return pd.DataFrame(columns=SUPP_COLUMNS)
    seq = next((v.name for v in domain.main_variables if v.algorithm == "seq"), None)
    pieces = []
    for variable in supp:
        value = dataset[variable.name].astype("string")
        keep = value.notna() & (value.str.len() > 0)
        pieces.append(pd.DataFrame({
            "STUDYID": dataset["STUDYID"], "RDOMAIN": domain.name, "USUBJID": dataset["USUBJID"],
            "IDVAR": seq, "IDVARVAL": dataset[seq].astype("string") if seq else pd.NA,
            "QNAM": variable.name, "QLABEL": variable.label, "QVAL": value, "QORIG": variable.origin,
            "QEVAL": pd.NA,
        })[keep])
    out = pd.concat(pieces, ignore_index=True)
    order = {v.name: i for i, v in enumerate(supp)}
    out = out.assign(_Q_=out["QNAM"].map(order), _N_=pd.to_numeric(out["IDVARVAL"], errors="coerce"))
    out = out.sort_values(["USUBJID", "_N_", "_Q_"], kind="stable").drop(columns=["_Q_", "_N_"])
    return out.reset_index(drop=True).astype({"IDVAR": "string", "IDVARVAL": "string", "QEVAL": "string"})
