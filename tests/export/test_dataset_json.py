"""Dataset-JSON 1.1: hand-written expected bytes, round trips (literal and Hypothesis), the official schemas,
the CDISC examples rebuilt from the SAS-made MSG XPTs, errors, and the round trip through our XPT files."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import jsonschema
import numpy as np
import pandas as pd
import pyreadstat
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cdisc_pipe.errors import ExportError, InputError
from cdisc_pipe.export.dataset_json import read_dataset_json, write_dataset_json
from cdisc_pipe.export.metadata import DatasetMetadata, VariableMetadata

WHEN = datetime(2024, 5, 1, 12, 30, 0)
FILE = dict(study_oid="STDY.S1", metadata_version_oid="MDV.S1.ADAM", created=WHEN, originator="Sponsor",
            source_system=("cdisc_pipe", "0.1.0"))


def char(name: str, length: int, **kw) -> VariableMetadata:
    return VariableMetadata(name, f"{name} label", "Char", length, data_type=kw.pop("data_type", "string"), **kw)


def num(name: str, data_type: str, fmt: str | None = None, **kw) -> VariableMetadata:
    target = "integer" if data_type in ("date", "datetime", "time") else "decimal" if data_type == "decimal" else None
    kw.setdefault("target_data_type", target)
    return VariableMetadata(name, f"{name} label", "Num", 8, format=fmt, data_type=data_type, **kw)


def dataset(*variables: VariableMetadata, name: str = "ADX", label: str = "Test") -> DatasetMetadata:
    return DatasetMetadata(name=name, label=label, variables=variables, created=WHEN, modified=WHEN)


def text(*values: str) -> pd.Series:
    return pd.Series(values, dtype=object)


def days(*values: str | None) -> pd.Series:
    return pd.Series(pd.to_datetime(list(values), format="ISO8601")).astype("datetime64[s]")


SMALL = pd.DataFrame({
    "USUBJID": text("S1-001", "S1-002"),
    "AGE": [63.0, np.nan],
    "BMI": [25.1, 0.1 + 0.2],
    "TRTSDT": days("2014-01-02", None),
    "COMMENT": text('a<b & "c" é', ""),
})
SMALL_META = dataset(char("USUBJID", 6, key_sequence=1), num("AGE", "integer"), num("BMI", "double", "8.1"),
                     num("TRTSDT", "date", "DATE9."), char("COMMENT", 11), label='Test "<&>"')

EXPECTED_JSON = """\
{"datasetJSONCreationDateTime":"2024-05-01T12:30:00",
"datasetJSONVersion":"1.1.0",
"fileOID":"MDV.S1.ADAM.ADX",
"dbLastModifiedDateTime":"2024-05-01T12:30:00",
"originator":"Sponsor",
"sourceSystem":{"name":"cdisc_pipe","version":"0.1.0"},
"studyOID":"STDY.S1",
"metaDataVersionOID":"MDV.S1.ADAM",
"metaDataRef":"../define.xml",
"itemGroupOID":"IG.ADX",
"records":2,
"name":"ADX",
"label":"Test \\"<&>\\"",
"columns":[
{"itemOID":"IT.ADX.USUBJID","name":"USUBJID","label":"USUBJID label","dataType":"string","length":6,"keySequence":1},
{"itemOID":"IT.ADX.AGE","name":"AGE","label":"AGE label","dataType":"integer"},
{"itemOID":"IT.ADX.BMI","name":"BMI","label":"BMI label","dataType":"double","displayFormat":"8.1"},
{"itemOID":"IT.ADX.TRTSDT","name":"TRTSDT","label":"TRTSDT label","dataType":"date","targetDataType":"integer","displayFormat":"DATE9."},
{"itemOID":"IT.ADX.COMMENT","name":"COMMENT","label":"COMMENT label","dataType":"string","length":11}
],
"rows":[
["S1-001",63,25.1,"2014-01-02","a<b & \\"c\\" é"],
["S1-002",null,0.30000000000000004,null,""]
]}
"""

EXPECTED_NDJSON_ROWS = """\
["S1-001",63,25.1,"2014-01-02","a<b & \\"c\\" é"]
["S1-002",null,0.30000000000000004,null,""]
"""


def write(tmp_path: Path, frame: pd.DataFrame, meta: DatasetMetadata, *, ndjson: bool = False, **kw) -> Path:
    path = tmp_path / f"{meta.name.lower()}.{'ndjson' if ndjson else 'json'}"
    write_dataset_json(frame, path, meta, **{**FILE, **kw}, ndjson=ndjson)
    return path


def subfolder(tmp_path: Path, name: str) -> Path:
    (tmp_path / name).mkdir()
    return tmp_path / name


def assert_same_frames(left: pd.DataFrame, right: pd.DataFrame) -> None:
    """Equal values and dtypes; floats bit for bit (so -0.0 and 0.1+0.2 are checked exactly)."""
    pd.testing.assert_frame_equal(left, right, check_exact=True)
    for name in left.columns:
        if left[name].dtype == np.float64:
            a, b = left[name].to_numpy(), right[name].to_numpy()
            assert np.array_equal(np.isnan(a), np.isnan(b)), name
            assert np.array_equal(a[~np.isnan(a)].view(np.int64), b[~np.isnan(b)].view(np.int64)), name


# ----------------------------------------------------------------------------------------- bytes


def test_json_bytes_are_the_hand_written_ones(tmp_path):
    path = write(tmp_path, SMALL, SMALL_META, define_href="../define.xml")
    assert path.read_bytes() == EXPECTED_JSON.encode("utf-8")


def test_ndjson_is_one_metadata_line_then_one_array_per_row(tmp_path):
    path = write(tmp_path, SMALL, SMALL_META, ndjson=True, define_href="../define.xml")
    first, rest = path.read_text(encoding="utf-8").split("\n", 1)
    whole = json.loads(EXPECTED_JSON)
    del whole["rows"]
    assert json.loads(first) == whole and list(json.loads(first)) == list(whole)  # same keys, same order
    assert rest == EXPECTED_NDJSON_ROWS


@pytest.mark.parametrize("ndjson", [False, True])
def test_same_bytes_when_written_twice(tmp_path, ndjson):
    first = write(subfolder(tmp_path, "a"), EVERY_TYPE, EVERY_META, ndjson=ndjson)
    second = write(subfolder(tmp_path, "b"), EVERY_TYPE, EVERY_META, ndjson=ndjson)
    assert first.read_bytes() == second.read_bytes()


@pytest.mark.parametrize("ndjson", [False, True])
def test_chunks_do_not_change_the_bytes(tmp_path, monkeypatch, ndjson):
    whole = write(subfolder(tmp_path, "whole"), EVERY_TYPE, EVERY_META, ndjson=ndjson).read_bytes()
    monkeypatch.setattr("cdisc_pipe.export.dataset_json.CHUNK_ROWS", 2)
    assert write(subfolder(tmp_path, "chunked"), EVERY_TYPE, EVERY_META, ndjson=ndjson).read_bytes() == whole


def test_ndjson_with_crlf_line_ends_reads_the_same(tmp_path):
    path = write(tmp_path, EVERY_TYPE, EVERY_META, ndjson=True)
    crlf = tmp_path / "crlf.ndjson"
    crlf.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert_same_frames(read_dataset_json(crlf)[0], read_dataset_json(path)[0])


def test_metadataref_is_left_out_without_define_and_file_oid_can_be_given(tmp_path):
    doc = json.loads(write(tmp_path, SMALL, SMALL_META, file_oid="F.1").read_text(encoding="utf-8"))
    assert "metaDataRef" not in doc and doc["fileOID"] == "F.1"


def test_an_empty_dataset_keeps_its_columns(tmp_path):
    meta = dataset(char("USUBJID", 1), num("AVAL", "double"), num("ADT", "date", "DATE9."))
    empty = pd.DataFrame({"USUBJID": text(), "AVAL": np.array([], dtype=float), "ADT": days()})
    for ndjson in (False, True):
        path = write(tmp_path, empty, meta, ndjson=ndjson)
        frame, back = read_dataset_json(path)
        assert_same_frames(frame, empty)
        assert back.variables == meta.variables
    assert path.with_suffix(".json").read_text(encoding="utf-8").endswith('\n"rows":[]}\n')


# ------------------------------------------------------------------------------------ round trips

EVERY_TYPE = pd.DataFrame({
    "STUDYID": text("S1", "S1", "S1"),
    "TERM": text('<&> "q" \\ é ü 日本', "", "tab\tnew\nline\x01\u2028\x85"),
    "DTC": text("2014-01-02T10:20", "", "2014"),
    "AGE": [63.0, np.nan, -0.0],
    "AVAL": [0.1 + 0.2, 5e-324, -1.7976931348623157e308],
    "WHOLE": [39.0, 1e16, -0.0],
    "DEC": [8.549999999999999, 1e-7, np.nan],
    "ADT": days("2014-01-02", None, "1959-12-31"),
    "ADTM": days("2014-01-02T10:20:30", None, "1960-01-01T00:00:00"),
    "ATM": pd.Series(pd.to_timedelta([37230, None, 0], unit="s")).astype("timedelta64[s]"),
})
EVERY_META = dataset(
    char("STUDYID", 2, key_sequence=1), char("TERM", 30), char("DTC", 16, data_type="datetime"),
    num("AGE", "integer"), num("AVAL", "double", "8.3"), num("WHOLE", "float"), num("DEC", "decimal"),
    num("ADT", "date", "DATE9.", key_sequence=2), num("ADTM", "datetime", "DATETIME20."), num("ATM", "time", "TIME8."))


@pytest.mark.parametrize("ndjson", [False, True])
def test_round_trip_gives_the_same_frame_and_metadata(tmp_path, ndjson):
    frame, meta = read_dataset_json(write(tmp_path, EVERY_TYPE, EVERY_META, ndjson=ndjson))
    expected = EVERY_TYPE.assign(AGE=[63.0, np.nan, 0.0])  # an integer has no negative zero
    assert_same_frames(frame, expected)
    # DTC (a Char date) has no length in the file, as in CDISC's examples: the reader takes the longest value
    assert meta == EVERY_META
    assert meta.extra["dataset_json"]["studyOID"] == "STDY.S1"


def test_values_are_written_exactly_and_escaped(tmp_path):
    rows = json.loads(write(tmp_path, EVERY_TYPE, EVERY_META).read_text(encoding="utf-8"))["rows"]
    assert rows[0][1] == '<&> "q" \\ é ü 日本' and rows[2][1] == "tab\tnew\nline\x01\u2028\x85"
    assert [r[3] for r in rows] == [63, None, 0]
    assert [r[5] for r in rows] == [39, 10000000000000000, -0.0]
    assert [r[6] for r in rows] == ["8.549999999999999", "0.0000001", None]
    assert [r[7:] for r in rows] == [["2014-01-02", "2014-01-02T10:20:30", "10:20:30"], [None, None, None],
                                     ["1959-12-31", "1960-01-01T00:00:00", "00:00:00"]]
    raw = write(tmp_path, EVERY_TYPE, EVERY_META).read_bytes()
    assert "日本".encode("utf-8") in raw and b'\\"q\\" \\\\ ' in raw and b"\\u0001" in raw and b"\\n" in raw
    assert b"\\u2028\\u0085" in raw  # line separators escaped: NDJSON readers split lines on them


def test_sas_numbers_become_iso_dates(tmp_path):
    meta = dataset(num("ADT", "date", "DATE9."), num("ADTM", "datetime", "E8601DT19."), num("ATM", "time", "TIME8."))
    sas = pd.DataFrame({"ADT": [0.0, 19725.0, np.nan], "ADTM": [0.0, 1704277230.0, np.nan],
                        "ATM": [0.0, 37230.0, np.nan]})
    rows = json.loads(write(tmp_path, sas, meta).read_text(encoding="utf-8"))["rows"]
    assert rows == [["1960-01-01", "1960-01-01T00:00:00", "00:00:00"],
                    ["2014-01-02", "2014-01-02T10:20:30", "10:20:30"], [None, None, None]]


def test_null_in_a_char_column_reads_as_empty(tmp_path):
    doc = json.loads(write(tmp_path, SMALL, SMALL_META).read_text(encoding="utf-8"))
    doc["rows"][1][4] = None
    (tmp_path / "null.json").write_text(json.dumps(doc), encoding="utf-8")
    frame, _ = read_dataset_json(tmp_path / "null.json")
    assert frame["COMMENT"].tolist() == ['a<b & "c" é', ""]


finite = st.floats(allow_infinity=False, allow_nan=True)
whole = st.one_of(st.integers(-(2**53), 2**53).map(float), st.just(float("nan")))
day = st.one_of(st.none(), st.dates(date(1000, 1, 1), date(9999, 12, 31)))
moment = st.one_of(st.none(), st.datetimes(datetime(1000, 1, 1), datetime(9999, 12, 31)).map(
    lambda d: d.replace(microsecond=0)))
clock = st.one_of(st.none(), st.times().map(lambda t: t.replace(microsecond=0)))
words = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)


@st.composite
def frames(draw):
    n = draw(st.integers(0, 8))
    col = lambda s: draw(st.lists(s, min_size=n, max_size=n))  # noqa: E731
    terms, doubles, ints, decimals = col(words), col(finite), col(whole), col(finite)
    frame = pd.DataFrame({
        "TERM": pd.Series(terms, dtype=object), "AVAL": np.array(doubles, dtype=float),
        "AVALN": np.array(ints, dtype=float), "ADEC": np.array(decimals, dtype=float),
        "ADT": pd.Series(np.array([np.datetime64(d, "D") if d else np.datetime64("NaT") for d in col(day)],
                                  dtype="M8[s]")),
        "ADTM": pd.Series(np.array([np.datetime64(d, "s") if d else np.datetime64("NaT") for d in col(moment)],
                                   dtype="M8[s]")),
        "ATM": pd.Series(np.array([np.timedelta64(t.hour * 3600 + t.minute * 60 + t.second, "s") if t else
                                   np.timedelta64("NaT") for t in col(clock)], dtype="m8[s]")),
    })
    meta = dataset(char("TERM", max([len(t) for t in terms] + [1])), num("AVAL", "double"), num("AVALN", "integer"),
                   num("ADEC", "decimal"), num("ADT", "date", "E8601DA."), num("ADTM", "datetime", "E8601DT."),
                   num("ATM", "time", "E8601TM."))
    return frame, meta


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=frames(), ndjson=st.booleans())
def test_property_write_then_read_is_identity(tmp_path, case, ndjson):
    frame, meta = case
    back, back_meta = read_dataset_json(write(tmp_path, frame, meta, ndjson=ndjson))
    assert_same_frames(back, frame.assign(AVALN=frame["AVALN"] + 0.0))  # integers: -0.0 reads back as 0.0
    assert back_meta == meta


# --------------------------------------------------------------------------------- official schema


def schemas(reference_dir: Path) -> tuple[dict, dict]:
    """dataset.schema.json, and the NDJSON metadata-line schema with the $defs it refers to but lacks (the
    published file is UTF-16 and has dangling $refs: see ../shared/reference/README.md) taken from the first."""
    folder = reference_dir / "schemas" / "dataset-json-1.1" / "schema"
    if not (folder / "dataset.schema.json").is_file():
        pytest.skip(f"Dataset-JSON 1.1 schema not found in {folder}")
    full = json.loads((folder / "dataset.schema.json").read_text(encoding="utf-8"))
    ndjson = json.loads((folder / "dataset-ndjson-schema.json").read_bytes().decode("utf-16"))
    for name in ("Column", "SourceSystem", "DataTypesEnum", "TargetDataTypesEnum"):
        ndjson["$defs"].setdefault(name, full["$defs"][name])
    return full, ndjson


def assert_valid(schema: dict, document: dict) -> None:
    validator = jsonschema.validators.validator_for(schema)
    validator.check_schema(schema)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator(schema).iter_errors(document)]
    assert errors == []


@pytest.mark.parametrize("frame, meta", [(EVERY_TYPE, EVERY_META), (SMALL, SMALL_META)])
def test_json_is_valid_against_the_official_schema(tmp_path, reference_dir, frame, meta):
    full, _ = schemas(reference_dir)
    assert_valid(full, json.loads(write(tmp_path, frame, meta, define_href="define.xml").read_text(encoding="utf-8")))


def test_ndjson_is_valid_against_the_official_schemas(tmp_path, reference_dir):
    full, ndjson = schemas(reference_dir)
    first, *rows = write(tmp_path, EVERY_TYPE, EVERY_META, ndjson=True).read_text(encoding="utf-8").splitlines()
    header = json.loads(first)
    assert_valid(ndjson, header)
    assert_valid({**ndjson["$defs"]["DatasetMetadata"], "$defs": ndjson["$defs"]}, header)  # no extra keys
    assert_valid(full, {**header, "rows": [json.loads(row) for row in rows]})


def test_the_schema_check_catches_a_broken_file(reference_dir):
    full, _ = schemas(reference_dir)
    with pytest.raises(AssertionError):
        assert_valid(full, {**json.loads(EXPECTED_JSON), "datasetJSONVersion": "1.0.0"})


# ------------------------------------------------------------------ CDISC examples and MSG XPTs

EXAMPLES = [("adam/adsl", "adam-msg-v1.0/adsl"), ("adam/adae", "adam-msg-v1.0/adae"),
            ("adam/adtte", "adam-msg-v1.0/adtte"), ("sdtm/dm", "sdtm-msg-v2.0/dm"), ("sdtm/ae", "sdtm-msg-v2.0/ae"),
            ("sdtm/lb", "sdtm-msg-v2.0/lb"), ("sdtm/ts", "sdtm-msg-v2.0/ts")]


def example(reference_dir: Path, name: str) -> Path:
    path = reference_dir / "schemas" / "dataset-json-1.1" / "examples" / name
    if not path.is_file():
        pytest.skip(f"CDISC Dataset-JSON example not found: {path}")
    return path


@pytest.mark.parametrize("name", ["adam/adsl", "sdtm/dm", "sdtm/ae"])
def test_cdisc_json_and_ndjson_examples_read_the_same(reference_dir, name):
    frame, meta = read_dataset_json(example(reference_dir, f"{name}.json"))
    twin, twin_meta = read_dataset_json(example(reference_dir, f"{name}.ndjson"))
    assert_same_frames(frame, twin)
    assert meta == twin_meta and len(frame) == meta.extra["dataset_json"]["records"]


@pytest.mark.parametrize("name, xpt", EXAMPLES)
def test_cdisc_examples_are_rebuilt_from_the_sas_xpt(tmp_path, reference_dir, name, xpt):
    """The CDISC examples were made from the MSG XPTs: our writer, given the XPT values (read by pyreadstat)
    and the example's metadata, writes the same document - except where CDISC's lb.json rounded a double to
    15 significant digits (8.549999999999999 in the XPT is 8.55 there); we keep the XPT's double."""
    source = example(reference_dir, f"{name}.json")
    theirs = json.loads(source.read_text(encoding="utf-8"))
    _, meta = read_dataset_json(source)
    raw, _ = pyreadstat.read_xport(str(reference_dir / "msg-samples" / f"{xpt}.xpt"), disable_datetime_conversion=True)
    frame = pd.DataFrame({v.name: raw[v.name].fillna("").astype(object) if v.type == "Char" else
                          raw[v.name].astype(float) for v in meta.variables})
    attrs = meta.extra["dataset_json"]
    path = tmp_path / source.name
    write_dataset_json(frame, path, meta, study_oid=attrs["studyOID"], metadata_version_oid=attrs["metaDataVersionOID"],
                       created=meta.created, originator=attrs["originator"], define_href=attrs["metaDataRef"],
                       source_system=(attrs["sourceSystem"]["name"], attrs["sourceSystem"]["version"]),
                       file_oid=attrs["fileOID"])
    ours = json.loads(path.read_text(encoding="utf-8"))
    for mine, cdisc in zip(ours["columns"], theirs["columns"]):  # lb.json's LBDTC "string" has no length;
        if "length" not in cdisc:                                 # we always write one for strings
            mine.pop("length", None)
    assert {k: v for k, v in ours.items() if k != "rows"} == {k: v for k, v in theirs.items() if k != "rows"}
    rounded = [(i, j) for i, (a, b) in enumerate(zip(ours["rows"], theirs["rows"]))
               for j, (x, y) in enumerate(zip(a, b)) if x != y or type(x) is not type(y)]
    assert all(float(f"{ours['rows'][i][j]:.15g}") == theirs["rows"][i][j] for i, j in rounded)
    assert len(ours["rows"]) == len(theirs["rows"]) and (name == "sdtm/lb") == bool(rounded)


# --------------------------------------------------------------------------------------- errors


@pytest.mark.parametrize("column, values, meta, message", [
    ("N", [1.5, 2.0], num("N", "integer"), "`ADX.N` must be whole numbers within ±2**53 for dataType 'integer' "
                                           "(got row 1: 1.5)"),
    ("N", [1.0, np.inf], num("N", "double"), "`ADX.N` must be finite or missing (NaN) (got row 2: inf)"),
    ("C", text("ok", None), char("C", 2), '`ADX.C` must be text (missing Char is "") (got row 2: None)'),
    ("C", text("abc", "x"), char("C", 2), "`ADX.C` must be at most 2 characters long (its length) (got row 1: 'abc')"),
    ("C", text("a\udc80"), char("C", 2), "`ADX.C` must be text UTF-8 can encode (got row 1: 'a\\udc80')"),
    ("D", days("2014-01-02T10:00:00"), num("D", "date", "DATE9."),
     "`ADX.D` must be whole days for dataType 'date' (got row 1: '2014-01-02T10:00:00')"),
    ("D", [19725.5], num("D", "date", "DATE9."), "`ADX.D` must be whole days for dataType 'date' (got row 1: 19725.5)"),
    ("T", [90000.0], num("T", "time", "TIME8."),
     "`ADX.T` must be whole seconds from 00:00:00 to 23:59:59 for dataType 'time' (got row 1: 90000.0)"),
    ("D", text("2014-01-02"), num("D", "date"), "`ADX.D` must be a naive datetime64 or numeric (SAS) column"),
    ("D", days("2014-01-02").dt.tz_localize("UTC"), num("D", "date"), "`ADX.D` must be a naive datetime64"),
    ("N", [1.0], num("N", "string"), "`ADX.N` data_type must be one of"),
    ("N", [1.0], num("N", "double", target_data_type="integer"), "`ADX.N` target_data_type must be None"),
])
def test_what_the_format_cannot_hold_is_refused(tmp_path, column, values, meta, message):
    with pytest.raises(ExportError) as caught:
        write(tmp_path, pd.DataFrame({column: values}), dataset(meta))
    assert str(caught.value).startswith(message)
    assert not (tmp_path / "adx.json").exists()


def test_a_refusal_names_dataset_variable_row_and_value_and_lists_ten(tmp_path):
    with pytest.raises(ExportError) as caught:
        write(tmp_path, pd.DataFrame({"N": np.arange(12) + 0.5}), dataset(num("N", "integer")))
    err = caught.value
    assert (err.dataset, err.variable, err.row, err.value) == ("ADX", "N", 1, "0.5")
    assert str(err).endswith("row 10: 9.5 … and 2 more)")


def test_columns_and_timestamps_must_agree_with_the_metadata(tmp_path):
    with pytest.raises(ExportError, match="columns must be the metadata's variables in order"):
        write(tmp_path, SMALL[["AGE", "USUBJID", "BMI", "TRTSDT", "COMMENT"]], SMALL_META)
    with pytest.raises(ExportError, match="must be on or before created"):
        write(tmp_path, SMALL, SMALL_META, created=datetime(2024, 1, 1))


@pytest.mark.parametrize("change, message", [
    (lambda d: d.update(records=3), "records must equal the number of rows"),
    (lambda d: d["rows"][0].pop(), "rows must each have 5 values"),
    (lambda d: d["rows"][0].__setitem__(1, "63"), "column AGE must hold numbers"),
    (lambda d: d.pop("label"), "must have the Dataset-JSON attributes ['label']"),
    (lambda d: d["rows"].__setitem__(0, 1), "rows must each be an array"),
    (lambda d: d["columns"][1].update(dataType="boolean"), "column AGE has dataType 'boolean'"),
])
def test_the_reader_refuses_inconsistent_files(tmp_path, change, message):
    doc = json.loads(write(tmp_path, SMALL, SMALL_META).read_text(encoding="utf-8"))
    change(doc)
    (tmp_path / "bad.json").write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(InputError, match=message.replace("[", r"\[").replace("]", r"\]")):
        read_dataset_json(tmp_path / "bad.json")


# ------------------------------------------------------------------------------ lossless vs XPT


def test_lossless_against_our_xpt(tmp_path):
    """The same frame through XPT and through Dataset-JSON reads back to the same values; and the XPT read
    back (metadata without data types) writes to Dataset-JSON that reads back to it."""
    from cdisc_pipe.export import xpt
    ascii_frame = EVERY_TYPE.assign(TERM=text('<&> "q" \\', "", "x"), AGE=[63.0, np.nan, 0.0],
                                    AVAL=[0.1 + 0.2, 1e-70, -1.5e75],  # XPT: ASCII, the IBM double range
                                    WHOLE=[39.0, 1e16, 0.0])  # XPT writes -0.0 as 0 (docs/xpt.md)
    xpt.write_xpt(ascii_frame, tmp_path / "adx.xpt", EVERY_META)
    from_xpt, xpt_meta = xpt.read_xpt(tmp_path / "adx.xpt", dates="datetime")
    from_json, _ = read_dataset_json(write(tmp_path, ascii_frame, EVERY_META))
    assert_same_frames(from_json, from_xpt.astype({v.name: object for v in EVERY_META.variables if v.type == "Char"}))
    again, _ = read_dataset_json(write(subfolder(tmp_path, "again"), from_xpt, xpt_meta, created=xpt_meta.created))
    assert_same_frames(again, from_json)
