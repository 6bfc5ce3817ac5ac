"""Checks shared by the findings-domain tests (LB, CP, VS, QS, RS): CDISC CT from the shared reference, and
the structural rules every SDTM findings domain must meet."""

from __future__ import annotations

import tarfile
from functools import lru_cache
from pathlib import Path

import pandas as pd

from cdisc_pipe.raw.model import ROW, RawExport

CT_FILE = Path("ct") / "sdtm" / "SDTM_Terminology_2025-03-28.txt.tar.xz"


@lru_cache(maxsize=1)
def _terminology(path: Path) -> pd.DataFrame:
    with tarfile.open(path) as archive:
        member = next(m for m in archive.getmembers() if m.name.endswith(".txt"))
        return pd.read_csv(archive.extractfile(member), sep="\t", dtype=str)


def ct_terms(reference_dir: Path, codelist: str) -> dict[str, str]:
    """Submission value -> NCI code of the terms of a CDISC codelist, by its short name (e.g. LBTESTCD)."""
    ct = _terminology(reference_dir / CT_FILE)
    code = ct.loc[ct["Codelist Code"].isna() & (ct["CDISC Submission Value"] == codelist), "Code"]
    assert len(code) == 1, f"codelist {codelist} must be in the CT file (got {len(code)} matches)"
    terms = ct[ct["Codelist Code"] == code.iloc[0]]
    return dict(zip(terms["CDISC Submission Value"], terms["Code"]))


def assert_findings_structure(dataset: pd.DataFrame, *, prefix: str, keys: list[str]) -> None:
    """Keys unique, --SEQ 1..n per subject in delivery order, no study day 0, DY null when DM has no RFSTDTC."""
    assert not dataset.duplicated(keys).any(), f"{prefix} keys {keys} must be unique"
    seq = dataset.groupby("USUBJID", sort=False)[f"{prefix}SEQ"].apply(list)
    assert all(values == list(range(1, len(values) + 1)) for values in seq), f"{prefix}SEQ must be 1..n per subject"
    assert not (dataset[f"{prefix}DY"] == 0).any(), f"{prefix}DY must never be 0"


def assert_lineage_points_at_raw(lineage: pd.DataFrame, export: RawExport, forms: list[str]) -> pd.DataFrame:
    """Every lineage row names an existing raw row of ``forms``, and every raw row of them has a lineage row.
    Returns the lineage joined to the raw records."""
    assert set(lineage["RAW_FORM"]) <= set(forms)
    joined = []
    for form in forms:
        raw = export.forms[form]
        rows = lineage[lineage["RAW_FORM"] == form]
        assert set(rows["RAW_FILE"]) <= {raw.file}
        assert set(rows["RAW_ROW"].astype(int)) == set(raw.frame[ROW].astype(int)), f"{form}: every raw row must land"
        joined.append(rows.merge(raw.frame, left_on="RAW_ROW", right_on=ROW, validate="many_to_one"))
    return pd.concat(joined, ignore_index=True)
