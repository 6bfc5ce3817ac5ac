"""Helpers for the simulator tests: read the raw frames back the way an analyst would.

Everything here works from the frames of strings the simulator returns (the raw export), never from the
simulator's internals, so the calibration tests check what a later stage will actually see.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: EDC codes of the default study's codelists used below (codelists.yaml).
ARM_OF_CODE = {"1": "LOW", "2": "MEDIUM", "3": "HIGH"}
DSDECOD = {
    "COMPLETED": "1",
    "ADVERSE EVENT": "2",
    "LOST TO FOLLOW-UP": "3",
    "WITHDRAWAL BY SUBJECT": "4",
    "DEATH": "5",
    "CUTOFF": "7",
    "OTHER": "8",
}
AEREL = {"ABSOLUTELY RELEVANT": "1", "POSSIBLY RELEVANT": "2", "POSSIBLY IRRELEVANT": "3", "ABSOLUTELY IRRELEVANT": "4"}
YES, NO = "1", "0"
SIX_MONTHS, TWO_YEARS = 365.25 / 2, 730.5


def edc_date(values: pd.Series) -> pd.Series:
    """Complete EDC dates ("05 MAR 2019") -> Timestamps; anything else (partial, empty) -> NaT."""
    return pd.to_datetime(values.where(~values.str.startswith("UN") & (values != "")), format="%d %b %Y")


def arms(frames: dict[str, pd.DataFrame]) -> pd.Series:
    """SUBJECT -> LOW/MEDIUM/HIGH for the enrolled subjects."""
    enr = frames["ENR"]
    return enr.set_index("SUBJECT")["DOSEGRP"].map(ARM_OF_CODE).rename("ARM")


def first_infusion(frames: dict[str, pd.DataFrame]) -> pd.Series:
    ex = frames["EX"]
    return edc_date(ex["EXSTDAT"]).groupby(ex["SUBJECT"]).min().rename("FIRST")


def last_known_alive(frames: dict[str, pd.DataFrame], *, with_ae: bool = False) -> pd.Series:
    """Latest date a subject is known alive: visits, alive contacts, non-death DS records (and AE dates)."""
    vis, surv, ds, ae = frames["VIS"], frames["SURV"], frames["DS"], frames["AE"]
    alive = surv[surv["SURVSTAT"] == "1"]
    living = ds[ds["DSDECOD"] != DSDECOD["DEATH"]]
    parts = [
        edc_date(vis["VISDAT"]).groupby(vis["SUBJECT"]).max(),
        edc_date(alive["CONTDAT"]).groupby(alive["SUBJECT"]).max(),
        edc_date(living["DSDAT"]).groupby(living["SUBJECT"]).max(),
    ]
    if with_ae:
        nonfatal = ae[ae["AEOUT"] != "5"]
        parts += [
            edc_date(nonfatal["AEENDAT"]).groupby(nonfatal["SUBJECT"]).max(),
            edc_date(nonfatal["AESTDAT"]).groupby(nonfatal["SUBJECT"]).max(),
        ]
    return pd.concat(parts, axis=1).max(axis=1).rename("ALIVE")


def overall_survival(frames: dict[str, pd.DataFrame], *, with_ae: bool = False) -> pd.DataFrame:
    """One row per enrolled subject: ARM, TIME (days from first infusion), EVENT (death)."""
    dth = frames["DTH"]
    death = edc_date(dth["DTHDAT"]).groupby(dth["SUBJECT"]).min().rename("DEATH")
    table = pd.concat(
        [arms(frames), first_infusion(frames), death, last_known_alive(frames, with_ae=with_ae)], axis=1
    ).loc[arms(frames).index]
    table["EVENT"] = table["DEATH"].notna()
    end = table["DEATH"].where(table["EVENT"], table["ALIVE"])
    table["TIME"] = (end - table["FIRST"]).dt.days
    return table


def followed_at(survival: pd.DataFrame, days: float) -> pd.Series:
    """Per arm: subjects alive and still followed ``days`` after the first infusion."""
    ok = (survival["EVENT"] & (survival["TIME"] > days)) | (~survival["EVENT"] & (survival["TIME"] >= days))
    return ok.groupby(survival["ARM"]).sum()


def logrank(time, event, group) -> float:
    """The k-sample log-rank chi-square (as R's survdiff): sum over event times of O - E, with the
    hypergeometric variance; ties handled the standard way."""
    time, event, group = np.asarray(time, float), np.asarray(event, bool), np.asarray(group)
    labels = np.unique(group)
    observed, expected = np.zeros(len(labels)), np.zeros(len(labels))
    variance = np.zeros((len(labels), len(labels)))
    for t in np.unique(time[event]):
        at_risk = np.array([np.sum((time >= t) & (group == g)) for g in labels], dtype=float)
        deaths = np.array([np.sum((time == t) & event & (group == g)) for g in labels], dtype=float)
        n, d = at_risk.sum(), deaths.sum()
        observed += deaths
        expected += d * at_risk / n
        if n > 1:
            share = at_risk / n
            variance += d * (n - d) / (n - 1) * (np.diag(share) - np.outer(share, share))
    u = (observed - expected)[:-1]
    return float(u @ np.linalg.solve(variance[:-1, :-1], u))


def logrank_from_risk_sets(risk_sets, deaths) -> float:
    """The same statistic from the numbers at risk and the deaths at each event time."""
    observed, expected, variance = np.zeros(3), np.zeros(3), np.zeros((3, 3))
    for at_risk, died in zip(risk_sets, deaths):
        at_risk, died = np.asarray(at_risk, float), np.asarray(died, float)
        n, d = at_risk.sum(), died.sum()
        observed += died
        expected += d * at_risk / n
        share = at_risk / n
        variance += d * (n - d) / (n - 1) * (np.diag(share) - np.outer(share, share))
    u = (observed - expected)[:2]
    try:
        return float(u @ np.linalg.solve(variance[:2, :2], u))
    except np.linalg.LinAlgError:
        return float("nan")
