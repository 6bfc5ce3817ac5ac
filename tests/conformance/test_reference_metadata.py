"""Our own rule tables against the CDISC reference metadata in ../shared (skipped where it is absent).

The rules hold what they need (required variables per domain, classes, types, small codelists), written
from the implementation guides; these tests check that what we wrote agrees with the published metadata,
without the project ever reading that metadata at run time.
"""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pandas as pd
import pytest

from cdisc_pipe.conformance import load_rules
from cdisc_pipe.conformance.engine import expand
from cdisc_pipe.conformance.load import sdtm_classes

pytestmark = pytest.mark.reference

RULES = {rule.id: rule for rule in load_rules()}


@pytest.fixture(scope="module")
def sdtmig(reference_dir: Path) -> pd.DataFrame:
    path = reference_dir / "metadata" / "sdtmig-3.4" / "Variables.csv"
    if not path.is_file():
        pytest.skip(f"SDTMIG 3.4 metadata not present ({path})")
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def adamig(reference_dir: Path) -> pd.DataFrame:
    path = reference_dir / "metadata" / "adamig-1.3" / "Variables.csv"
    if not path.is_file():
        pytest.skip(f"ADaMIG 1.3 metadata not present ({path})")
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _class(name: str) -> str:
    return name.upper().replace("-", " ")


def _ours_required(dataset: str, cls: str) -> set[str]:
    check = RULES["SD-REQ-VARS"].check
    key = "SUPP--" if dataset == "SUPPQUAL" else dataset
    prefix = dataset[:2]
    return set(expand(check["by_class"].get(cls, []), prefix)) | set(expand(check["by_domain"].get(key, []), prefix))


def test_required_variables_match_sdtmig_core_req(sdtmig: pd.DataFrame) -> None:
    required = sdtmig[sdtmig["Core"] == "Req"].groupby("Dataset Name")["Variable Name"].apply(set)
    classes = sdtmig.groupby("Dataset Name")["Class"].first().map(_class)
    differences = {ds: (sorted(want - _ours_required(ds, classes[ds])), sorted(_ours_required(ds, classes[ds]) - want))
                   for ds, want in required.items() if _ours_required(ds, classes[ds]) != want}
    assert differences == {}


def test_expected_variables_are_expected_in_sdtmig(sdtmig: pd.DataFrame) -> None:
    core = {(r["Dataset Name"], r["Variable Name"]): r["Core"] for _, r in sdtmig.iterrows()}
    ours = RULES["SD-EXP-VARS"].check["by_domain"]
    wrong = [(ds, v, core.get((ds, v))) for ds, names in ours.items() for v in names if core.get((ds, v)) != "Exp"]
    assert wrong == []


def test_domain_classes_match_sdtmig(sdtmig: pd.DataFrame) -> None:
    published = sdtmig.groupby("Dataset Name")["Class"].first().map(_class)
    published = published[~published.index.str.startswith("SUPP")]
    ours = sdtm_classes()
    assert {d: ours.get(d) for d in published.index if ours.get(d) != published[d]} == {}
    assert sorted(set(ours) - set(published.index)) == []


def test_types_match_sdtmig(sdtmig: pd.DataFrame) -> None:
    types = RULES["SD-TYPES"].check["types"]
    wrong = []
    for _, row in sdtmig.iterrows():
        stem = "--" + row["Variable Name"][2:]
        want = types.get(row["Variable Name"]) or (types.get(stem) if row["Variable Name"][:2] == row["Dataset Name"][:2] else None)
        if want is not None and want != row["Type"]:
            wrong.append((row["Dataset Name"], row["Variable Name"], row["Type"], want))
    assert wrong == []


def test_adam_required_variables_are_req_in_adamig(adamig: pd.DataFrame) -> None:
    required = adamig[adamig["Core"] == "Req"].groupby("Data Structure Name")["Variable Name"].apply(set)
    check = RULES["AD-REQ-VARS"].check
    adsl = set(check["variables"]) | set(check["by_class"]["SUBJECT LEVEL ANALYSIS DATASET"])
    bds = set(check["variables"]) | set(check["by_class"]["BASIC DATA STRUCTURE"])
    assert {v.replace("TRT01P", "TRTxxP") for v in adsl} == required["Subject-Level Analysis Dataset"]
    assert bds == required["Basic Data Structure"]


def _codelist(reference_dir: Path, code: str) -> set[str]:
    path = reference_dir / "ct" / "sdtm" / "SDTM_Terminology_2025-03-28.txt.tar.xz"
    if not path.is_file():
        pytest.skip(f"SDTM CT not present ({path})")
    with tarfile.open(path) as archive:
        member = next(m for m in archive.getmembers() if m.name.endswith(".txt"))
        text = archive.extractfile(member).read().decode("utf-8")
    table = pd.read_csv(io.StringIO(text), sep="\t", dtype=str, keep_default_na=False)
    return set(table.loc[table["Codelist Code"] == code, "CDISC Submission Value"])


@pytest.mark.parametrize(("rule_id", "code"), [("SD-SEX-CT", "C66731"), ("SD-AGEU-CT", "C66781")])
def test_literal_codelists_match_sdtm_ct(reference_dir: Path, rule_id: str, code: str) -> None:
    assert set(RULES[rule_id].check["values"]) == _codelist(reference_dir, code)
