"""Direct identifiers a CRF holds never reach SDTM.

The spec marks DM.INITIALS and SURV.PHONE as identifiers. Here values that cannot occur by chance are planted
in every record of those fields, in a copy of the shipped export; ``cdisc-pipe sdtm`` runs on the copy and on
the untouched export, and no file under ``sdtm/`` (domains, SUPP--, RELREC, lineage) may hold any of them, in
any letter case or with the phone number's separators removed. The planted run must also write exactly the
same bytes as the untouched one: an identifier influences nothing in SDTM.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from cdisc_pipe.cli import main
from cdisc_pipe.raw.read import read_raw

INITIALS = "QZXW"  # DM.INITIALS holds at most 4 characters
PHONE = "+86-139-7531-8642"
#: Every text whose presence in an output would betray a planted value.
PLANTED = (INITIALS, PHONE, "13975318642", "7531-8642", "75318642")


def _plant(path: Path, field: str, value: str) -> int:
    """Set ``field`` to ``value`` on every record of the CSV file; returns the number of records changed."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
        fields = list(rows[0])
    for row in rows:
        row[field] = value
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


def _sdtm(raw: Path, out: Path) -> Path:
    assert main(["sdtm", "--raw", str(raw), "--out", str(out)]) == 0
    return out / "sdtm"


def _hits(folder: Path) -> list[str]:
    """``file:line: value`` for every planted value found in a file of ``folder``."""
    found = []
    for path in sorted(folder.iterdir()):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            found += [f"{path.name}:{number}: {v}" for v in PLANTED if v.casefold() in line.casefold()]
    return found


@pytest.fixture(scope="module")
def planted_raw(tmp_path_factory, study) -> Path:
    raw = tmp_path_factory.mktemp("planted") / "raw"
    shutil.copytree(study.root / "raw", raw)
    assert _plant(raw / "dm.csv", "INITIALS", INITIALS) == 39
    assert _plant(raw / "surv.csv", "PHONE", PHONE) == 50
    return raw


@pytest.fixture(scope="module")
def clean_sdtm(tmp_path_factory, study) -> Path:
    return _sdtm(study.root / "raw", tmp_path_factory.mktemp("clean") / "out")


@pytest.fixture(scope="module")
def planted_sdtm(tmp_path_factory, planted_raw) -> Path:
    return _sdtm(planted_raw, tmp_path_factory.mktemp("planted-out") / "out")


def test_the_planted_values_are_in_the_export_that_is_read(planted_raw, study):
    export = read_raw(planted_raw, study)
    assert set(export.frame("DM")["INITIALS"]) == {INITIALS}
    assert set(export.frame("SURV")["PHONE"]) == {PHONE}
    assert study.form("DM").field("INITIALS").identifier and study.form("SURV").field("PHONE").identifier


def test_the_planted_values_are_absent_without_planting(clean_sdtm, study):
    assert _hits(clean_sdtm) == []
    assert _hits(study.root / "raw") == []


def test_no_sdtm_file_holds_a_planted_identifier(planted_sdtm):
    written = sorted(p.name for p in planted_sdtm.iterdir())
    assert {"dm.csv", "sv.csv", "ss.csv", "lineage.csv"} <= set(written) and all(n.endswith(".csv") for n in written)
    assert _hits(planted_sdtm) == []


def test_identifiers_change_no_byte_of_sdtm(clean_sdtm, planted_sdtm):
    names = sorted(p.name for p in clean_sdtm.iterdir())
    assert sorted(p.name for p in planted_sdtm.iterdir()) == names
    differ = [n for n in names if (clean_sdtm / n).read_bytes() != (planted_sdtm / n).read_bytes()]
    assert differ == []


def test_the_search_finds_a_planted_value_wherever_it_is(tmp_path):
    (tmp_path / "dm.csv").write_text("USUBJID,X\nS-01,qzxw\n", encoding="utf-8")
    (tmp_path / "ss.csv").write_text("USUBJID,X\nS-01,tel 86139 7531-8642\n", encoding="utf-8")
    assert _hits(tmp_path) == ["dm.csv:2: QZXW", "ss.csv:2: 7531-8642"]
