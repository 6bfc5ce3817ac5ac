"""Trial design domains: TA, TE, TV, TI from the study spec alone, and TS from the spec plus DM.

Every value comes from ``study.yaml`` or the data, except TI.TIVERS, which is "1": the spec records a single
protocol version of the criteria.
"""

from __future__ import annotations

import pandas as pd

from cdisc_pipe.spec import Study
from cdisc_pipe.spec.model import TrialSummaryParameter

__all__ = ["build_ta", "build_te", "build_tv", "build_ti", "build_ts"]


def build_ta(study: Study) -> pd.DataFrame:
    """TA (Trial Arms): one record per planned arm and element, in element order (TAETORD)."""
    epochs = {e.etcd: e.epoch for e in study.elements}
    names = {e.etcd: e.element for e in study.elements}
    rows = [
        {
            "STUDYID": study.studyid,
            "DOMAIN": "TA",
            "ARMCD": arm.armcd,
            "ARM": arm.arm,
            "TAETORD": order,
            "ETCD": etcd,
            "ELEMENT": names[etcd],
            "TABRANCH": None,
            "TATRANS": None,
            "EPOCH": epochs[etcd],
        }
        for arm in sorted(study.arms, key=lambda a: a.order)
        for order, etcd in enumerate(arm.elements, start=1)
    ]
    return pd.DataFrame(rows).astype({"TAETORD": "int64"})


def build_te(study: Study) -> pd.DataFrame:
    """TE (Trial Elements): one record per element with its start and end rules and planned duration."""
    return pd.DataFrame(
        [
            {
                "STUDYID": study.studyid,
                "DOMAIN": "TE",
                "ETCD": e.etcd,
                "ELEMENT": e.element,
                "TESTRL": e.start_rule,
                "TEENRL": e.end_rule,
                "TEDUR": e.duration,
            }
            for e in study.elements
        ]
    )


def build_tv(study: Study) -> pd.DataFrame:
    """TV (Trial Visits): one record per planned visit; VISITDY is the planned study day.

    The visit window is stated in the start and end rules (TVSTRL/TVENRL) as planned day minus/plus the
    window from the spec. Unplanned-day visits (e.g. end of study) have no VISITDY.
    """
    rows = []
    for v in sorted(study.visits, key=lambda v: v.visitnum):
        before, after = v.window
        if v.day is None:
            start, end = f"{v.visit.title()} contact", None
        else:
            start = f"Study day {v.day - before}" if before else f"Study day {v.day}"
            end = f"Study day {v.day + after}" if after else None
        rows.append(
            {
                "STUDYID": study.studyid,
                "DOMAIN": "TV",
                "VISITNUM": float(v.visitnum),
                "VISIT": v.visit,
                "VISITDY": v.day,
                "ARMCD": None,  # the same visit schedule for every arm (SDTMIG 3.4 TV: ARMCD null)
                "TVSTRL": start,
                "TVENRL": end,
            }
        )
    return pd.DataFrame(rows).astype({"VISITDY": "Int64"})


def build_ti(study: Study) -> pd.DataFrame:
    """TI (Trial Inclusion/Exclusion Criteria): one record per criterion (IETESTCD, IETEST, IECAT); TIVERS "1"
    (the spec holds one protocol version of the criteria)."""
    return pd.DataFrame(
        [
            {
                "STUDYID": study.studyid,
                "DOMAIN": "TI",
                "IETESTCD": c.id,
                "IETEST": c.text,
                "IECAT": c.category,
                "TIVERS": "1",
            }
            for c in study.criteria
        ]
    )


def build_ts(study: Study, dm: pd.DataFrame) -> pd.DataFrame:
    """TS (Trial Summary): the spec's parameters plus those derived from the data.

    Derived: SSTDTC, the study start date, as the FDA Study Data Technical Conformance Guide and the CT
    definition (C69208) give it — the earliest informed-consent date (DM.RFICDTC) of a subject who enrolled
    (screen failures do not count); ACTSUB, the number of subjects assigned
    to an arm (DM.ARMCD not null); DCUTDTC from the spec's data cut-off. One record per value (TSSEQ counts
    the values of a parameter). TSVALCD/TSVCDREF/TSVCDVER come with coded values; CDISC CT values carry
    the CT release of ``codelists.yaml``.
    """
    consent = dm.loc[dm["ARMCD"].notna(), "RFICDTC"].astype("string")
    complete = consent[consent.str.len() >= 10].str.slice(0, 10)
    derived = []
    if len(complete):
        derived.append(TrialSummaryParameter("SSTDTC", "Study Start Date", (str(complete.min()),), ref="ISO 8601"))
    derived.append(TrialSummaryParameter("ACTSUB", "Actual Number of Subjects", (str(int(dm["ARMCD"].notna().sum())),)))
    if study.data_cutoff:
        derived.append(TrialSummaryParameter("DCUTDTC", "Data Cutoff Date", (study.data_cutoff,), ref="ISO 8601"))
    rows = []
    for parameter in (*study.trial_summary, *derived):
        for seq, value in enumerate(parameter.values, start=1):
            rows.append({
                "STUDYID": study.studyid, "DOMAIN": "TS", "TSSEQ": seq, "TSGRPID": None,
                "TSPARMCD": parameter.code, "TSPARM": parameter.name, "TSVAL": value, "TSVALNF": None,
                "TSVALCD": parameter.value_code,
                "TSVCDREF": parameter.ref,
                "TSVCDVER": study.ct_version if parameter.ref == "CDISC CT" else None,
            })
    return pd.DataFrame(rows).astype({"TSSEQ": "int64"})
