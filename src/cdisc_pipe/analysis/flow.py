"""Study flow [paper Figure 1] from ADSL: screened, enrolled per group, treated, completed the 24-week
follow-up, discontinued with reasons, deaths.

Everything comes from ADSL, one record per subject. **Screened and screen failures** can only be counted
when ADSL keeps the screen failures (records with ENRLFL = "N", or ITTFL = "N" without a treatment arm, as
many sponsors do); an ADSL of enrolled subjects only gives those two counts as NaN with a NOTE saying why. The
analysis never reads SDTM.

ARD layout (``GROUP`` = ADSL.TRT01A in TRT01AN order, plus "ALL" for the total; ``STATISTIC`` "N_SUBJ"):

``FLOW-SCREEN``   PARAMCD SCREENED, SCRNFAIL, ENROLLED (GROUP "ALL"); and screen-failure reasons (DCSREAS of
                  the non-enrolled) as PARAMCD "SFREAS:<reason>"
``FLOW-DISP``     per group and ALL: PARAMCD ENROLLED (ITTFL), TREATED (SAFFL), FAS (FASFL), COMPL24W (COMPLFL =
                  "Y"), NCOMPL24W, EOS_COMPLETED / EOS_DISCONTINUED / EOS_ONGOING (EOSSTT), DEATH (DTHFL = "Y")
``FLOW-NCOMPL``   subjects who did not complete the 24-week follow-up, by DCSREAS (PARAMCD = the reason)
``FLOW-DCSREAS``  subjects who discontinued the study (EOSSTT = "DISCONTINUED"), by DCSREAS

The helpers :func:`assert_adam` and :func:`treatment_groups` are shared by the safety analyses (survival,
adverse events).
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from cdisc_pipe.analysis.ard import ard_rows, concat_ard
from cdisc_pipe.analysis.methods.inputs import AnalysisError

__all__ = ["analyse_flow", "assert_adam", "treatment_groups", "DISPOSITION_ROWS"]

ALL = "ALL"
NOT_RECORDED = "NOT RECORDED"
# PARAMCD -> (PARAM, ADSL condition as (variable, value)); evaluated on the enrolled subjects.
DISPOSITION_ROWS: dict[str, tuple[str, str, str]] = {
    "ENROLLED": ("Enrolled (ITTFL = Y)", "ITTFL", "Y"),
    "TREATED": ("Received study treatment (SAFFL = Y)", "SAFFL", "Y"),
    "FAS": ("Full analysis set (FASFL = Y)", "FASFL", "Y"),
    "COMPL24W": ("Completed the 24-week follow-up (COMPLFL = Y)", "COMPLFL", "Y"),
    "NCOMPL24W": ("Did not complete the 24-week follow-up (COMPLFL ne Y)", "COMPLFL", "!Y"),
    "EOS_COMPLETED": ("End of study: completed (EOSSTT)", "EOSSTT", "COMPLETED"),
    "EOS_DISCONTINUED": ("End of study: discontinued (EOSSTT)", "EOSSTT", "DISCONTINUED"),
    "EOS_ONGOING": ("End of study: ongoing (EOSSTT)", "EOSSTT", "ONGOING"),
    "DEATH": ("Died (DTHFL = Y)", "DTHFL", "Y"),
}
_NOT_DERIVABLE = ("not derivable from ADaM: ADSL holds enrolled subjects only (no ENRLFL, and no record with "
                  "ITTFL ne 'Y'); the screened subjects are in SDTM DM/DS, which the analysis does not read. "
                  "Keep screen failures in ADSL with ENRLFL = 'N' to count them here")


def assert_adam(adam: Mapping[str, pd.DataFrame], name: str, variables: Sequence[str]) -> pd.DataFrame:
    """``adam[name]`` after checking it is there with ``variables``; raises :class:`AnalysisError` otherwise."""
    if name not in adam:
        raise AnalysisError(f"ADaM must include dataset {name} (got {sorted(adam)})")
    dataset = adam[name]
    missing = [v for v in variables if v not in dataset.columns]
    if missing:
        raise AnalysisError(f"{name} must have variables {list(variables)} (got none named {missing})")
    return dataset


def treatment_groups(adsl: pd.DataFrame, *, flag: str | None = None) -> pd.DataFrame:
    """One row per subject of the population ``flag`` = "Y" (all subjects with a treatment when None):
    ``USUBJID``, ``GROUP`` (TRT01A, an ordered Categorical in TRT01AN order) and ``GROUPN`` (TRT01AN)."""
    needed = ["USUBJID", "TRT01A", "TRT01AN"] + ([flag] if flag else [])
    missing = [v for v in needed if v not in adsl.columns]
    if missing:
        raise AnalysisError(f"ADSL must have variables {needed} (got none named {missing})")
    keep = adsl["TRT01A"].fillna("").astype(str).str.strip().ne("")
    if flag:
        keep &= adsl[flag].eq("Y")
    subjects = adsl.loc[keep, ["USUBJID", "TRT01A", "TRT01AN"]]
    if subjects["USUBJID"].duplicated().any():
        raise AnalysisError("ADSL must have one record per USUBJID (got duplicates "
                            f"{subjects.loc[subjects['USUBJID'].duplicated(), 'USUBJID'].tolist()[:10]})")
    order = subjects.drop_duplicates("TRT01A").sort_values(["TRT01AN", "TRT01A"])
    if order["TRT01AN"].isna().any() or order["TRT01AN"].duplicated().any():
        raise AnalysisError(f"ADSL.TRT01AN must give each TRT01A one order number (got "
                            f"{order[['TRT01A', 'TRT01AN']].to_records(index=False).tolist()})")
    labels = order["TRT01A"].tolist()
    return pd.DataFrame({"USUBJID": subjects["USUBJID"].to_numpy(),
                         "GROUP": pd.Categorical(subjects["TRT01A"], categories=labels, ordered=True),
                         "GROUPN": subjects["TRT01AN"].astype(float).to_numpy()})


def _group_index(groups: pd.DataFrame) -> pd.DataFrame:
    """Groups in order with their GROUPN, and ALL (GROUPN NaN) last."""
    order = groups.drop_duplicates("GROUP").sort_values("GROUPN")[["GROUP", "GROUPN"]]
    order["GROUP"] = order["GROUP"].astype(str)
    return pd.concat([order, pd.DataFrame({"GROUP": [ALL], "GROUPN": [np.nan]})], ignore_index=True)


def _count(subjects: pd.DataFrame, mask: pd.Series, index: pd.DataFrame) -> pd.DataFrame:
    """Subjects with ``mask`` per group and in ALL, zero-filled over ``index``."""
    per_group = subjects.loc[mask.to_numpy()].groupby("GROUP", observed=False).size()
    per_group.index = per_group.index.astype(str)
    counts = per_group.reindex(index["GROUP"]).fillna(0).to_numpy(dtype=float, copy=True)
    counts[index["GROUP"].eq(ALL).to_numpy()] = float(mask.sum())
    return index.assign(VALUE=counts)


def _by_reason(subjects: pd.DataFrame, mask: pd.Series, index: pd.DataFrame, prefix: str = "") -> pd.DataFrame:
    """Subjects with ``mask`` by DCSREAS (blank: NOT RECORDED), per group and ALL, zero-filled."""
    chosen = subjects.loc[mask.to_numpy()]
    reasons = sorted(chosen["DCSREAS"].unique().tolist())
    parts = [_count(subjects, mask & subjects["DCSREAS"].eq(r), index).assign(PARAMCD=prefix + r, PARAM=r)
             for r in reasons]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["PARAMCD", "VALUE"])


def _enrolled_mask(adsl: pd.DataFrame) -> tuple[pd.Series, bool, str]:
    """Which ADSL records are enrolled subjects, whether ADSL also holds screen failures, and how decided."""
    arm = adsl["TRT01A"].fillna("").astype(str).str.strip().ne("")
    if "ENRLFL" in adsl.columns:
        return adsl["ENRLFL"].eq("Y"), True, "ENRLFL = 'Y'"
    if "ITTFL" in adsl.columns:
        enrolled = adsl["ITTFL"].eq("Y") & arm
        return enrolled, bool((~enrolled).any()), "ITTFL = 'Y' and TRT01A present"
    return arm, bool((~arm).any()), "TRT01A present"


def analyse_flow(adam: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """The study flow as ARD rows (see the module docstring for the layout)."""
    adsl = assert_adam(adam, "ADSL", ["USUBJID", "TRT01A", "TRT01AN", "ITTFL", "SAFFL", "COMPLFL", "EOSSTT",
                                      "DCSREAS", "DTHFL"])
    adsl = adsl.assign(DCSREAS=adsl["DCSREAS"].fillna("").astype(str).str.strip().replace("", NOT_RECORDED))
    enrolled, has_screen_failures, rule = _enrolled_mask(adsl)
    constants = {"DATASET": "ADSL", "STATISTIC": "N_SUBJ"}

    screen = [{"PARAMCD": "ENROLLED", "PARAM": "Enrolled", "VALUE": float(enrolled.sum()),
               "METHOD": f"ADSL subjects with {rule}"}]
    if has_screen_failures:
        screen += [{"PARAMCD": "SCREENED", "PARAM": "Screened", "VALUE": float(len(adsl)),
                    "METHOD": "ADSL records (ADSL keeps screen failures)"},
                   {"PARAMCD": "SCRNFAIL", "PARAM": "Screen failures", "VALUE": float((~enrolled).sum()),
                    "METHOD": f"ADSL records without {rule}"}]
        failures = adsl.loc[~enrolled.to_numpy(), "DCSREAS"].value_counts().sort_index()
        screen += [{"PARAMCD": "SFREAS:" + reason, "PARAM": f"Screen failure: {reason}", "VALUE": float(n),
                    "METHOD": f"ADSL records without {rule}, by DCSREAS"} for reason, n in failures.items()]
    else:
        screen += [{"PARAMCD": code, "PARAM": label, "VALUE": np.nan, "NOTE": _NOT_DERIVABLE,
                    "METHOD": "ADSL records"} for code, label in (("SCREENED", "Screened"),
                                                                   ("SCRNFAIL", "Screen failures"))]
    parts = [ard_rows(screen, ANALYSIS="FLOW-SCREEN", GROUP=ALL, **constants)]

    groups = treatment_groups(adsl.loc[enrolled.to_numpy()])
    subjects = groups.merge(adsl.drop(columns=["TRT01A", "TRT01AN"]), on="USUBJID", how="left", validate="1:1")
    index = _group_index(groups)
    rows = []
    for code, (label, variable, value) in DISPOSITION_ROWS.items():
        if variable not in subjects.columns:
            rows.append(index.assign(PARAMCD=code, PARAM=label, VALUE=np.nan,
                                     NOTE=f"ADSL has no {variable}"))
            continue
        mask = subjects[variable].ne(value[1:]) if value.startswith("!") else subjects[variable].eq(value)
        rows.append(_count(subjects, mask, index).assign(PARAMCD=code, PARAM=label))
    parts.append(ard_rows(pd.concat(rows, ignore_index=True), ANALYSIS="FLOW-DISP",
                          METHOD="enrolled subjects by ADSL.TRT01A; " + rule, **constants))

    not_completed = subjects["COMPLFL"].ne("Y")
    parts.append(ard_rows(_by_reason(subjects, not_completed, index), ANALYSIS="FLOW-NCOMPL",
                          METHOD="enrolled subjects with COMPLFL ne 'Y', by ADSL.DCSREAS",
                          NOTE="ADSL has no reason for leaving the 24-week follow-up itself; DCSREAS is the reason "
                               "for leaving the study (the same event for subjects who left during follow-up)",
                          **constants))
    discontinued = subjects["EOSSTT"].eq("DISCONTINUED")
    parts.append(ard_rows(_by_reason(subjects, discontinued, index), ANALYSIS="FLOW-DCSREAS",
                          METHOD="enrolled subjects with EOSSTT = 'DISCONTINUED', by ADSL.DCSREAS", **constants))
    return concat_ard(parts)
