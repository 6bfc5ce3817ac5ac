"""Scores computed from measured values: prothrombin time and INR, Child-Pugh, MELD. Pure numpy.

These are the simulator's own reading of the formulas, used to keep the simulated data consistent (PT and
INR follow PTA) and to guard the calibration. The analysis derives the scores from ADaM independently.
"""

from __future__ import annotations

import numpy as np

__all__ = ["BILIRUBIN_MG_DL", "CREATININE_MG_DL", "compute_child_pugh", "compute_inr", "compute_meld", "compute_pt"]

BILIRUBIN_MG_DL = 17.1      # umol/L per mg/dL
CREATININE_MG_DL = 88.4


def compute_pt(pta: np.ndarray, mnpt: float, quick: float) -> np.ndarray:
    """Prothrombin time (s) of prothrombin activity ``pta`` (%): PT = mnpt * (quick + (1 - quick) * 100 / PTA)."""
    return mnpt * (quick + (1.0 - quick) * 100.0 / np.asarray(pta, dtype=np.float64))


def compute_inr(pt: np.ndarray, mnpt: float, isi: float) -> np.ndarray:
    """INR = (PT / mean normal PT) ** ISI."""
    return (np.asarray(pt, dtype=np.float64) / mnpt) ** isi


def compute_child_pugh(alb: np.ndarray, tbil: np.ndarray, inr: np.ndarray, ascites: np.ndarray,
                       he: np.ndarray) -> np.ndarray:
    """Child-Pugh score 5-15 (NaN where an ingredient is missing).

    Albumin g/L > 35 / 28-35 / < 28; bilirubin umol/L < 34 / 34-50 / > 50; INR < 1.7 / 1.7-2.3 / > 2.3;
    ascites grade 0 / 1 / 2; hepatic encephalopathy grade 0 / 1-2 / 3-4: 1, 2, 3 points each.
    """
    alb, tbil, inr = (np.asarray(x, dtype=np.float64) for x in (alb, tbil, inr))
    asc, hep = np.asarray(ascites, dtype=np.float64), np.asarray(he, dtype=np.float64)
    points = (
        np.where(alb > 35, 1, np.where(alb >= 28, 2, 3))
        + np.where(tbil < 34, 1, np.where(tbil <= 50, 2, 3))
        + np.where(inr < 1.7, 1, np.where(inr <= 2.3, 2, 3))
        + np.where(asc <= 0, 1, np.where(asc <= 1, 2, 3))
        + np.where(hep <= 0, 1, np.where(hep <= 2, 2, 3))
    ).astype(np.float64)
    missing = np.isnan(alb) | np.isnan(tbil) | np.isnan(inr) | np.isnan(asc) | np.isnan(hep)
    return np.where(missing, np.nan, points)


def compute_meld(tbil_umol: np.ndarray, inr: np.ndarray, creat_umol: np.ndarray) -> np.ndarray:
    """MELD = 3.78 ln(bilirubin mg/dL) + 11.2 ln(INR) + 9.57 ln(creatinine mg/dL) + 6.43.

    Each ingredient below 1 is set to 1; creatinine is capped at 4 mg/dL.
    """
    bili = np.maximum(np.asarray(tbil_umol, dtype=np.float64) / BILIRUBIN_MG_DL, 1.0)
    creat = np.clip(np.asarray(creat_umol, dtype=np.float64) / CREATININE_MG_DL, 1.0, 4.0)
    ratio = np.maximum(np.asarray(inr, dtype=np.float64), 1.0)
    return 3.78 * np.log(bili) + 11.2 * np.log(ratio) + 9.57 * np.log(creat) + 6.43
