"""SE (Subject Elements) derived from DM reference dates and the elements' start rules in the spec."""

from __future__ import annotations

import pandas as pd

from cdisc_pipe.sdtm.derivations import assert_columns, compute_iso_date
from cdisc_pipe.spec import Study

__all__ = ["build_se"]


def build_se(dm: pd.DataFrame, study: Study, visits: pd.DataFrame | None = None) -> pd.DataFrame:
    """One record per subject and element the subject entered.

    An element starts ``start_days`` after the DM date named by its ``start_from`` (e.g. FU = RFXSTDTC + 15)
    and ends where the subject's next element starts; the last one ends at RFPENDTC. An element is entered
    only when its start date exists and is on or before RFPENDTC, so a screen failure has SCRN alone.
    An element with ``start_after_visit`` starts no earlier than the day after the subject's actual visit in
    that folder; ``visits`` gives those dates (USUBJID, VISITNUM, SVSTDTC: SV as built so far).
    Subjects follow their arm's elements (ARMCD); a subject without an arm follows the first arm's elements
    up to the first that needs a date they lack. TAETORD is the element's position in the subject's arm
    (null without an arm). Dates are calendar dates (ISO 8601 ``YYYY-MM-DD``).
    """
    needed = sorted({e.start_from for e in study.elements if e.start_from} | {"USUBJID", "ARMCD", "RFPENDTC"})
    assert_columns(dm, needed, name="dm")
    arms = {a.armcd: a.elements for a in study.arms}
    default = study.arms[0].elements if study.arms else ()
    end_of_participation = compute_iso_date(dm["RFPENDTC"])
    pieces = []
    for element in study.elements:
        if element.start_from is None:
            continue
        start = compute_iso_date(dm[element.start_from]) + pd.to_timedelta(element.start_days, unit="D")
        if element.start_after_visit is not None and visits is not None:
            start = _not_before_visit(start, dm, visits, study.visit(element.start_after_visit).visitnum)
        positions = {armcd: _position(elements, element.etcd) for armcd, elements in arms.items()}
        taetord = dm["ARMCD"].map(positions).astype("float64")
        order = taetord.fillna(_position(default, element.etcd))
        entered = start.notna() & end_of_participation.notna() & (start <= end_of_participation) & order.notna()
        pieces.append(pd.DataFrame({
            "USUBJID": dm["USUBJID"], "ETCD": element.etcd, "ELEMENT": element.element, "EPOCH": element.epoch,
            "TAETORD": taetord.astype("Int64"), "_ORDER_": order, "_START_": start, "_END_PART_": end_of_participation,
        })[entered])
    se = pd.concat(pieces, ignore_index=True).sort_values(["USUBJID", "_ORDER_"], kind="stable")
    next_start = se.groupby("USUBJID", sort=False)["_START_"].shift(-1)
    end = next_start.fillna(se["_END_PART_"])
    se = se.assign(
        STUDYID=study.studyid, DOMAIN="SE",
        SESTDTC=se["_START_"].dt.strftime("%Y-%m-%d").astype("string"),
        SEENDTC=end.dt.strftime("%Y-%m-%d").astype("string"),
    )
    se = se.assign(SESEQ=se.groupby("USUBJID", sort=False).cumcount().add(1).astype("int64"))
    columns = ["STUDYID", "DOMAIN", "USUBJID", "SESEQ", "ETCD", "ELEMENT", "TAETORD", "EPOCH", "SESTDTC", "SEENDTC"]
    return se.loc[:, columns].reset_index(drop=True)


def _not_before_visit(start: pd.Series, dm: pd.DataFrame, visits: pd.DataFrame, visitnum: float) -> pd.Series:
    """``start``, moved to the day after the subject's visit ``visitnum`` where that visit is later."""
    done = visits.loc[visits["VISITNUM"] == visitnum, ["USUBJID", "SVSTDTC"]]
    day_after = compute_iso_date(done["SVSTDTC"]) + pd.to_timedelta(1, unit="D")
    latest = pd.Series(day_after.to_numpy(), index=done["USUBJID"].to_numpy()).groupby(level=0).max()
    after = dm["USUBJID"].map(latest).astype("datetime64[s]")
    return start.where(after.isna() | (start >= after), after)


def _position(elements: tuple[str, ...], etcd: str) -> float:
    return float(elements.index(etcd) + 1) if etcd in elements else float("nan")
