"""Trial design domains built from the study spec alone: TA, TE, TV, TI.

TS needs dates from the data (SSTDTC) and is built with the other domains. Every value here comes from
``study.yaml``; nothing is typed into code.
"""

from __future__ import annotations

import pandas as pd

from cdisc_pipe.spec import Study

__all__ = ["build_ta", "build_te", "build_tv", "build_ti"]


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
                "TVSTRL": start,
                "TVENRL": end,
            }
        )
    return pd.DataFrame(rows).astype({"VISITDY": "Int64"})


def build_ti(study: Study) -> pd.DataFrame:
    """TI (Trial Inclusion/Exclusion Criteria): one record per criterion (IETESTCD, IETEST, IECAT)."""
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
