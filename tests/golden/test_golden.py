"""Golden test of the default study's SDTM and ADaM: ``cdisc-pipe adam`` on the shipped export must write, byte
for byte, the files kept in ``tests/golden/expected/`` (every file of ``sdtm/`` and ``adam/`` and
``reports/sdtm-reconciliation.csv``, in the same folder layout as the output), and no other such file.

The golden copies are written by the code, never by hand. After a deliberate change to the SDTM output,
regenerate them, then read the diff of ``tests/golden/expected/`` before committing it::

    CDISC_PIPE_UPDATE_GOLDEN=1 .venv/bin/pytest tests/golden/test_golden.py

On a mismatch the failure lists the first 20 differences by record: dataset, USUBJID and --SEQ (or the
dataset's keys), variable, the golden value and the new value; records that appeared or vanished; columns
that changed. See ``tests/golden/README.md``.
"""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from cdisc_pipe.cli import main
from cdisc_pipe.paths import default_study_dir
from cdisc_pipe.spec import load_spec
from cdisc_pipe.spec.adam_load import load_adam_spec
from cdisc_pipe.spec.sdtm_load import load_sdtm_spec

GOLDEN = Path(__file__).resolve().parent / "expected"
#: The outputs under golden control, as globs relative to the output folder.
COMPARED = ("sdtm/*.csv", "adam/*.csv", "reports/sdtm-reconciliation.csv")
UPDATE_VARIABLE = "CDISC_PIPE_UPDATE_GOLDEN"
MAX_DIFFERENCES = 20


def golden_files(root: Path) -> list[str]:
    """The compared files under ``root``, as sorted POSIX paths relative to it."""
    return sorted({p.relative_to(root).as_posix() for pattern in COMPARED for p in root.glob(pattern) if p.is_file()})


def write_golden(out: Path, golden: Path) -> None:
    """Replace the golden copies in ``golden`` by the compared files of the output folder ``out``."""
    if golden.exists():
        shutil.rmtree(golden)
    for relative in golden_files(out):
        target = golden / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(out / relative, target)


def record_keys(relative: str, columns: list[str]) -> list[str]:
    """Columns that name a record of ``relative`` in a diff: USUBJID and --SEQ where the dataset has them,
    else the dataset's keys from the spec (STUDYID left out: it is constant)."""
    name = Path(relative).stem.upper()
    if relative.startswith("reports/"):
        wanted = ["FORM"]
    elif name == "LINEAGE":
        wanted = ["DOMAIN", "USUBJID", "SEQ"]
    elif name.startswith("SUPP"):
        wanted = ["USUBJID", "IDVAR", "IDVARVAL", "QNAM"]
    elif relative.startswith("adam/"):
        wanted = [k for k in _adam_spec()[name].keys if k != "STUDYID"]
    elif {"USUBJID", f"{name}SEQ"} <= set(columns):
        wanted = ["USUBJID", f"{name}SEQ"]
    else:
        spec = _spec()
        wanted = [k for k in spec[name].keys if k != "STUDYID"] if name in spec else []
    return [k for k in wanted if k in columns]


_SPEC: dict = {}


def _spec() -> dict:
    if not _SPEC:
        _SPEC.update(load_sdtm_spec(load_spec(default_study_dir())))
    return _SPEC


_ADAM_SPEC: dict = {}


def _adam_spec() -> dict:
    if not _ADAM_SPEC:
        _ADAM_SPEC.update(load_adam_spec(load_spec(default_study_dir())))
    return _ADAM_SPEC


def keyed_diff(golden: bytes, new: bytes, *, relative: str) -> list[str]:
    """Every difference between two versions of a CSV output, one line each, record by record.

    Values are compared as the text in the file (``1`` and ``1.0`` differ). When the values are equal but the
    bytes are not (row order, quoting, line ends), the first differing line is shown instead.
    """
    old = pd.read_csv(io.BytesIO(golden), dtype=str, keep_default_na=False)
    now = pd.read_csv(io.BytesIO(new), dtype=str, keep_default_na=False)
    dataset = Path(relative).stem.upper()
    lines = []
    if list(old.columns) != list(now.columns):
        gone = [c for c in old.columns if c not in now.columns]
        added = [c for c in now.columns if c not in old.columns]
        lines.append(f"{dataset}: columns differ: vanished {gone}, new {added}"
                     + ("" if gone or added else f", order golden {list(old.columns)} -> new {list(now.columns)}"))
    keys = [k for k in record_keys(relative, list(old.columns)) if k in now.columns]
    old, now = _numbered(old, keys), _numbered(now, keys)
    keys = [*keys, "_N_"]
    merged = old.assign(_AT_=range(len(old))).merge(
        now.assign(_AT_NEW_=range(len(now))), on=keys, how="outer", suffixes=("\0golden", "\0new"), indicator=True)
    # golden records in file order, then the new ones in theirs
    merged = merged.sort_values(["_AT_", "_AT_NEW_"], na_position="last", kind="stable")
    shared = [c for c in old.columns if c in now.columns and c not in keys]
    for _, record in merged.iterrows():
        where = _where(dataset, keys, record)
        if record["_merge"] == "left_only":
            lines.append(f"{where}: record vanished")
        elif record["_merge"] == "right_only":
            lines.append(f"{where}: new record")
        else:
            lines.extend(f"{where} {c}: golden {record[c + chr(0) + 'golden']!r} -> new {record[c + chr(0) + 'new']!r}"
                         for c in shared if record[c + "\0golden"] != record[c + "\0new"])
    if not lines and golden != new:
        lines.append(_first_differing_line(dataset, golden, new))
    return lines


def _numbered(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Number records sharing a key (1, 2, ...); without keys every record is its own row number."""
    if not keys:
        return frame.assign(_N_=range(1, len(frame) + 1))
    return frame.assign(_N_=frame.groupby(keys, sort=False).cumcount() + 1)


def _where(dataset: str, keys: list[str], record: pd.Series) -> str:
    named = [f"{k}={record[k]}" for k in keys if k != "_N_"]
    if record["_N_"] != 1 or not named:
        named.append(f"#{record['_N_']}" if named else f"row {record['_N_']}")
    return f"{dataset} " + " ".join(named)


def _first_differing_line(dataset: str, golden: bytes, new: bytes) -> str:
    old_lines, new_lines = golden.split(b"\n"), new.split(b"\n")
    for number, (a, b) in enumerate(zip(old_lines, new_lines), start=1):
        if a != b:
            return f"{dataset} line {number} (same values, different bytes): golden {a!r} -> new {b!r}"
    return f"{dataset}: same values, {len(old_lines)} lines in golden, {len(new_lines)} new"


def describe(relative: str, lines: list[str]) -> str:
    shown = "\n  ".join(lines[:MAX_DIFFERENCES])
    more = f"\n  ... and {len(lines) - MAX_DIFFERENCES} more" if len(lines) > MAX_DIFFERENCES else ""
    return (f"{relative} must equal its golden copy (got {len(lines)} difference(s)):\n  {shown}{more}\n"
            f"If the change is intended, regenerate with {UPDATE_VARIABLE}=1 and review the diff of "
            "tests/golden/expected/.")


@pytest.fixture(scope="module")
def produced(tmp_path_factory) -> Path:
    """The output folder of ``cdisc-pipe adam`` on the shipped export (written to the golden copies first when
    CDISC_PIPE_UPDATE_GOLDEN=1)."""
    out = tmp_path_factory.mktemp("golden") / "out"
    assert main(["adam", "--out", str(out)]) == 0
    if os.environ.get(UPDATE_VARIABLE) == "1":
        write_golden(out, GOLDEN)
    return out


def test_the_stage_writes_exactly_the_golden_files(produced):
    expected, got = golden_files(GOLDEN), golden_files(produced)
    assert {"sdtm/dm.csv", "sdtm/lineage.csv", "adam/adsl.csv"} <= set(expected), f"no golden copies in {GOLDEN}"
    assert got == expected, (f"SDTM and ADaM files must be the golden set (new: {sorted(set(got) - set(expected))}, "
                             f"vanished: {sorted(set(expected) - set(got))})")


@pytest.mark.parametrize("relative", golden_files(GOLDEN))
def test_output_equals_its_golden_copy_byte_for_byte(produced, relative):
    path = produced / relative
    assert path.is_file(), f"{relative} must be written by the sdtm or adam stage (got no such file)"
    golden, new = (GOLDEN / relative).read_bytes(), path.read_bytes()
    if golden != new:
        pytest.fail(describe(relative, keyed_diff(golden, new, relative=relative)), pytrace=False)


# --- the diff itself, on literal files ---------------------------------------------------------------------

AE_GOLDEN = (b"STUDYID,DOMAIN,USUBJID,AESEQ,AETERM,AESTDY\n"
             b"S,AE,S-01,1,Rash,9\n"
             b"S,AE,S-01,2,Pyrexia,17\n"
             b"S,AE,S-02,1,Nausea,\n")


def test_keyed_diff_names_dataset_subject_seq_variable_and_both_values():
    new = (b"STUDYID,DOMAIN,USUBJID,AESEQ,AETERM,AESTDY\n"
           b"S,AE,S-01,1,Rash,10\n"
           b"S,AE,S-02,1,Vomiting,\n"
           b"S,AE,S-03,1,Cough,4\n")
    assert keyed_diff(AE_GOLDEN, new, relative="sdtm/ae.csv") == [
        "AE USUBJID=S-01 AESEQ=1 AESTDY: golden '9' -> new '10'",
        "AE USUBJID=S-01 AESEQ=2: record vanished",
        "AE USUBJID=S-02 AESEQ=1 AETERM: golden 'Nausea' -> new 'Vomiting'",
        "AE USUBJID=S-03 AESEQ=1: new record",
    ]


def test_keyed_diff_reports_columns_number_formats_and_byte_only_changes():
    renamed = AE_GOLDEN.replace(b"AESTDY", b"AEENDY")
    assert keyed_diff(AE_GOLDEN, renamed, relative="sdtm/ae.csv") == [
        "AE: columns differ: vanished ['AESTDY'], new ['AEENDY']"]
    assert keyed_diff(AE_GOLDEN, AE_GOLDEN.replace(b",9\n", b",9.0\n"), relative="sdtm/ae.csv") == [
        "AE USUBJID=S-01 AESEQ=1 AESTDY: golden '9' -> new '9.0'"]
    quoted = AE_GOLDEN.replace(b"Rash", b'"Rash"')
    assert keyed_diff(AE_GOLDEN, quoted, relative="sdtm/ae.csv") == [
        "AE line 2 (same values, different bytes): golden b'S,AE,S-01,1,Rash,9' -> new b'S,AE,S-01,1,\"Rash\",9'"]


def test_keyed_diff_keys_other_outputs_by_their_own_identifiers():
    golden = b"FORM,FILE,RAW_RECORDS,UNACCOUNTED\nDM,dm.csv,39,0\nAE,ae.csv,154,0\n"
    new = b"FORM,FILE,RAW_RECORDS,UNACCOUNTED\nDM,dm.csv,39,0\nAE,ae.csv,155,1\n"
    assert keyed_diff(golden, new, relative="reports/sdtm-reconciliation.csv") == [
        "SDTM-RECONCILIATION FORM=AE RAW_RECORDS: golden '154' -> new '155'",
        "SDTM-RECONCILIATION FORM=AE UNACCOUNTED: golden '0' -> new '1'",
    ]
    lineage = b"DOMAIN,USUBJID,SEQ,RAW_FORM,RAW_FILE,RAW_ROW\nSV,S-01,,VIS,vis.csv,1\nSV,S-01,,VIS,vis.csv,2\n"
    assert keyed_diff(lineage, lineage.replace(b"vis.csv,2", b"vis.csv,3"), relative="sdtm/lineage.csv") == [
        "LINEAGE DOMAIN=SV USUBJID=S-01 SEQ= #2 RAW_ROW: golden '2' -> new '3'"]
    assert record_keys("sdtm/sv.csv", ["STUDYID", "DOMAIN", "USUBJID", "VISITNUM", "VISIT"]) == ["USUBJID", "VISITNUM"]


def test_describe_shows_the_first_20_differences_and_how_many_more():
    message = describe("sdtm/lb.csv", [f"LB difference {i}" for i in range(1, 26)])
    assert message.splitlines()[0] == "sdtm/lb.csv must equal its golden copy (got 25 difference(s)):"
    assert "  LB difference 20" in message and "LB difference 21" not in message
    assert "  ... and 5 more" in message and "CDISC_PIPE_UPDATE_GOLDEN=1" in message


def test_write_golden_replaces_every_copy_and_drops_stale_ones(tmp_path):
    out, golden = tmp_path / "out", tmp_path / "golden"
    (out / "sdtm").mkdir(parents=True)
    (out / "reports").mkdir()
    (out / "sdtm" / "ae.csv").write_bytes(b"A\n1\n")
    (out / "reports" / "sdtm-reconciliation.csv").write_bytes(b"FORM\nAE\n")
    (out / "reports" / "sdtm-findings.json").write_bytes(b"{}")
    (golden / "sdtm").mkdir(parents=True)
    (golden / "sdtm" / "xx.csv").write_bytes(b"stale")
    write_golden(out, golden)
    assert golden_files(golden) == ["reports/sdtm-reconciliation.csv", "sdtm/ae.csv"]
    assert not (golden / "reports" / "sdtm-findings.json").exists()
    assert (golden / "sdtm" / "ae.csv").read_bytes() == b"A\n1\n"
