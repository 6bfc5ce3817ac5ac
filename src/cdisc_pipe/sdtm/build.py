"""Build an SDTM domain from its spec: source records, phase-1 algorithms, then phase-2 derivations.

Working frames carry provenance columns (:data:`FILE`, :data:`FORM`, :data:`~cdisc_pipe.raw.model.ROW`) from
raw record to SDTM record; :func:`split_lineage` takes them off into the lineage table once --SEQ exists.
"""

from __future__ import annotations

from typing import Iterable

import pandas as pd

from cdisc_pipe.errors import Finding
from cdisc_pipe.raw.model import ROW, RawExport
from cdisc_pipe.sdtm.algorithms import FILE, FORM, raw_name
from cdisc_pipe.sdtm.algorithms_findings import melt_forms
from cdisc_pipe.sdtm.registry import ALGORITHMS
from cdisc_pipe.sdtm.context import MapContext
from cdisc_pipe.sdtm.derivations import derive_var_epoch, derive_var_lobxfl, derive_var_seq, derive_vars_dy
from cdisc_pipe.spec import Study
from cdisc_pipe.spec.sdtm_model import Domain

__all__ = ["source_records", "apply_phase1", "apply_sources", "apply_phase2", "split_lineage", "LINEAGE_COLUMNS"]

LINEAGE_COLUMNS = ["DOMAIN", "USUBJID", "SEQ", "RAW_FORM", "RAW_FILE", "RAW_ROW"]


def source_records(domain: Domain, export: RawExport, study: Study) -> pd.DataFrame:
    """One working record per future SDTM record, with provenance; ``form`` and ``melt`` sources only."""
    source = domain.source
    if source.kind not in ("form", "melt"):
        raise ValueError(f"domain {domain.name}: source kind must be 'form' or 'melt' here (got {source.kind!r})")
    if source.kind == "melt":
        # one melt mechanism: a single-form melt is a multi-form melt whose tests all name the domain's form
        tests = [{"form": source.form, **test} for test in source.tests]
        return melt_forms(export, study, tests, where=source.where, drop_missing=source.drop_missing)
    raw = export.forms.get(source.form)
    if raw is None:
        return pd.DataFrame(columns=[FILE, FORM, ROW])
    frame = raw.frame.assign(**{FILE: raw.file, FORM: source.form})
    for column, wanted in source.where.items():
        frame = frame[frame[column].isin(wanted if isinstance(wanted, list) else [wanted])]
    return frame.reset_index(drop=True)


def apply_phase1(dataset: pd.DataFrame, context: MapContext) -> pd.DataFrame:
    """Add every phase-1 variable of the domain, in spec order.

    A raw field whose name an SDTM variable takes (the CRF's AEREL and SDTM AEREL) stays readable by the
    raw-field algorithms under :func:`~cdisc_pipe.sdtm.algorithms.raw_name`, whatever the spec order.
    """
    raw_fields = set(dataset.columns)
    working = dataset
    for variable in context.domain.variables:
        algorithm = ALGORITHMS[variable.algorithm]
        if algorithm.phase == 1:
            column = algorithm.func(working, variable=variable, context=context)
            if variable.name in raw_fields and raw_name(variable.name) not in working.columns:
                working = working.assign(**{raw_name(variable.name): working[variable.name]})
            working = working.assign(**{variable.name: column})
    return working


def apply_sources(domain: Domain, export: RawExport, study: Study) -> tuple[pd.DataFrame, list[Finding]]:
    """Phase 1 of a ``form``/``melt`` domain; for a ``stack`` domain, phase 1 of each part (its form, its
    variable overrides) with the parts' records one after the other. Returns the records and the findings."""
    frames, findings = [], []
    for part in domain.part_domains():
        context = MapContext(study=study, domain=part, export=export)
        frames.append(apply_phase1(source_records(part, export, study), context))
        findings.extend(context.findings)
    filled = [f for f in frames if len(f)]
    return (pd.concat(filled, ignore_index=True) if filled else frames[0]), findings


def apply_phase2(dataset: pd.DataFrame, domain: Domain, *, dm: pd.DataFrame | None,
                 se: pd.DataFrame | None) -> pd.DataFrame:
    """Add --SEQ, --DY, EPOCH and --LOBXFL as the spec asks; sorts records by the --SEQ order (a domain
    without --SEQ, such as SV, by its ``order``)."""
    out = dataset
    for variable in domain.variables:
        name = variable.algorithm
        if name == "study_day":
            dtc = variable.arg("dtc")
            days = derive_vars_dy(out.loc[:, ["USUBJID", dtc]], dm, dtc_vars=[dtc])[dtc[:-3] + "DY"]
            out = out.assign(**{variable.name: days})
        elif name == "epoch":
            out = derive_var_epoch(out, se, dtc_var=variable.arg("dtc"), new_var=variable.name)
        elif name == "lobxfl":
            out = derive_var_lobxfl(out, dm, by_vars=["USUBJID", *variable.arg("by")], dtc_var=variable.arg("dtc"),
                                    result_var=variable.arg("result"), new_var=variable.name)
    seq = [v for v in domain.variables if v.algorithm == "seq"]
    if seq:
        out = derive_var_seq(out, order=list(seq[0].arg("order")), new_var=seq[0].name)
    elif domain.order:
        out = out.sort_values(list(domain.order), kind="stable", na_position="last").reset_index(drop=True)
    return out


def split_lineage(dataset: pd.DataFrame, domain: Domain) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The domain's variables in spec order, and its lineage rows (raw form, file, row -> USUBJID, --SEQ)."""
    seq_name = next((v.name for v in domain.main_variables if v.algorithm == "seq"), None)
    lineage = pd.DataFrame({
        "DOMAIN": domain.name,
        "USUBJID": dataset["USUBJID"] if "USUBJID" in dataset else pd.NA,
        "SEQ": dataset[seq_name] if seq_name else pd.NA,
        "RAW_FORM": dataset[FORM] if FORM in dataset else pd.NA,
        "RAW_FILE": dataset[FILE] if FILE in dataset else pd.NA,
        "RAW_ROW": dataset[ROW] if ROW in dataset else pd.NA,
    })
    names = [v.name for v in domain.main_variables]
    return dataset.loc[:, names].reset_index(drop=True), lineage.reset_index(drop=True)


def assert_variables(domain: Domain, names: Iterable[str]) -> None:
    missing = [v.name for v in domain.main_variables if v.name not in set(names)]
    if missing:
        raise ValueError(f"domain {domain.name} must produce every spec variable (missing {missing})")

