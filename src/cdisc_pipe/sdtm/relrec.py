"""RELREC (Related Records): record-to-record relationships found in the finished domains.

Two rules, both driven by the data (CDISC values), never by subject numbers:

* **serious AE -> disposition**: a serious adverse event (AESER = "Y") and the subject's disposition events
  that are not a completion or a death (DSCAT = "DISPOSITION EVENT", DSDECOD not COMPLETED / DEATH /
  SCREEN FAILURE) dated while the event lasted (AESTDTC <= DSSTDTC <= AEENDTC, or on/after AESTDTC when
  the event has no end): the subject left the study because of, or while suffering, the SAE.
* **fatal AE -> death details**: an adverse event with outcome FATAL (AEOUT = "FATAL") and the subject's DD
  records.

Each relationship is one RELID (unique within the subject: ``AEDS1``, ``AEDD1``, ...) over the AE record and
its related records, each identified by its --SEQ (IDVAR/IDVARVAL); RELTYPE is null, as SDTMIG 3.4 requires
for record-to-record relationships. Dates are compared as calendar dates; a partial date relates nothing
(no date is guessed). Every step is a join or a vectorised comparison over whole domains.
"""

from __future__ import annotations

import pandas as pd

from cdisc_pipe.sdtm.derivations import assert_columns, compute_iso_date
from cdisc_pipe.spec import Study

__all__ = ["build_relrec", "relate_sae_disposition", "relate_fatal_ae_death", "RELREC_COLUMNS"]

RELREC_COLUMNS = ["STUDYID", "RDOMAIN", "USUBJID", "IDVAR", "IDVARVAL", "RELTYPE", "RELID"]

#: Disposition events that are not a discontinuation linked to an AE: completion, death (related through DD),
#: screen failure (before any AE can be collected).
NOT_DISCONTINUATION = ("COMPLETED", "DEATH", "SCREEN FAILURE")

PAIR_COLUMNS = ["USUBJID", "AESEQ", "RDOMAIN", "SEQ"]


def relate_sae_disposition(ae: pd.DataFrame, ds: pd.DataFrame) -> pd.DataFrame:
    """Pairs (USUBJID, AESEQ, RDOMAIN "DS", SEQ = DSSEQ): each serious AE with the subject's disposition
    events other than completion, death or screen failure dated within the AE's start and end."""
    assert_columns(ae, ["USUBJID", "AESEQ", "AESER", "AESTDTC", "AEENDTC"], name="ae")
    assert_columns(ds, ["USUBJID", "DSSEQ", "DSCAT", "DSDECOD", "DSSTDTC"], name="ds")
    serious = ae.loc[ae["AESER"].astype("string").eq("Y").fillna(False), ["USUBJID", "AESEQ", "AESTDTC", "AEENDTC"]]
    events = ds.loc[
        ds["DSCAT"].astype("string").eq("DISPOSITION EVENT").fillna(False)
        & ~ds["DSDECOD"].astype("string").isin(NOT_DISCONTINUATION).fillna(False),
        ["USUBJID", "DSSEQ", "DSSTDTC"],
    ]
    pairs = serious.merge(events, on="USUBJID", how="inner")
    start, end = compute_iso_date(pairs["AESTDTC"]), compute_iso_date(pairs["AEENDTC"])
    date = compute_iso_date(pairs["DSSTDTC"])
    ongoing = pairs["AEENDTC"].isna()
    within = start.notna() & date.notna() & (date >= start) & (ongoing | (end.notna() & (date <= end)))
    pairs = pairs.loc[within.fillna(False)]
    return pd.DataFrame({"USUBJID": pairs["USUBJID"], "AESEQ": pairs["AESEQ"], "RDOMAIN": "DS",
                         "SEQ": pairs["DSSEQ"]}, columns=PAIR_COLUMNS)


def relate_fatal_ae_death(ae: pd.DataFrame, dd: pd.DataFrame) -> pd.DataFrame:
    """Pairs (USUBJID, AESEQ, RDOMAIN "DD", SEQ = DDSEQ): each AE with outcome FATAL with every DD record
    of the subject."""
    assert_columns(ae, ["USUBJID", "AESEQ", "AEOUT"], name="ae")
    assert_columns(dd, ["USUBJID", "DDSEQ"], name="dd")
    fatal = ae.loc[ae["AEOUT"].astype("string").eq("FATAL").fillna(False), ["USUBJID", "AESEQ"]]
    pairs = fatal.merge(dd.loc[:, ["USUBJID", "DDSEQ"]], on="USUBJID", how="inner")
    return pd.DataFrame({"USUBJID": pairs["USUBJID"], "AESEQ": pairs["AESEQ"], "RDOMAIN": "DD",
                         "SEQ": pairs["DDSEQ"]}, columns=PAIR_COLUMNS)


def build_relrec(domains: dict[str, pd.DataFrame], study: Study) -> pd.DataFrame:
    """RELREC from the finished domains (with --SEQ): one record per related record, grouped by RELID.

    A rule whose domains are absent (no AE, DS or DD dataset) relates nothing. ``domains`` is not modified.
    """
    ae = domains.get("AE")
    groups = []
    if ae is not None and "DS" in domains:
        groups.append(("AEDS", relate_sae_disposition(ae, domains["DS"])))
    if ae is not None and "DD" in domains:
        groups.append(("AEDD", relate_fatal_ae_death(ae, domains["DD"])))
    pieces = [pairs.assign(_RULE_=prefix, _ORDER_=i) for i, (prefix, pairs) in enumerate(groups) if len(pairs)]
    if not pieces:
        return pd.DataFrame({c: pd.Series(dtype="string") for c in RELREC_COLUMNS})
    pairs = pd.concat(pieces, ignore_index=True)
    pairs = pairs.assign(AESEQ=pairs["AESEQ"].astype("int64"), SEQ=pairs["SEQ"].astype("int64"))
    # one relationship per rule and AE record; numbered within the rule and subject in AESEQ order
    keys = pairs.loc[:, ["USUBJID", "_ORDER_", "_RULE_", "AESEQ"]].drop_duplicates()
    keys = keys.sort_values(["USUBJID", "_ORDER_", "AESEQ"], kind="stable")
    number = keys.groupby(["USUBJID", "_RULE_"], sort=False).cumcount() + 1
    keys = keys.assign(_N_=number, RELID=keys["_RULE_"] + number.astype("string"))
    pairs = pairs.merge(keys, on=["USUBJID", "_ORDER_", "_RULE_", "AESEQ"], how="left", validate="many_to_one")
    group = ["USUBJID", "RELID", "_ORDER_", "_N_"]
    related = pairs.loc[:, [*group, "RDOMAIN", "SEQ"]]
    anchors = pairs.loc[:, [*group, "AESEQ"]].drop_duplicates().rename(columns={"AESEQ": "SEQ"})
    records = pd.concat([anchors.assign(RDOMAIN="AE", _SIDE_=0), related.assign(_SIDE_=1)], ignore_index=True)
    records = records.sort_values(["USUBJID", "_ORDER_", "_N_", "_SIDE_", "RDOMAIN", "SEQ"], kind="stable")
    out = pd.DataFrame({
        "STUDYID": study.studyid,
        "RDOMAIN": records["RDOMAIN"],
        "USUBJID": records["USUBJID"],
        "IDVAR": records["RDOMAIN"] + "SEQ",
        "IDVARVAL": records["SEQ"].astype("int64").astype("string"),
        "RELTYPE": pd.Series(pd.NA, index=records.index, dtype="string"),
        "RELID": records["RELID"],
    })
    return out.astype("string").reset_index(drop=True)
