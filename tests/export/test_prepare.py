"""Frames made ready for the writers: types, missing values, lengths from the data, data types, keys."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd

from cdisc_pipe.export.prepare import prepare_frame

WHEN = datetime(2023, 11, 15, 9, 0, 0)


def test_char_num_and_date_columns():
    frame = pd.DataFrame({
        "USUBJID": pd.array(["S-1", "S-22", None], dtype="string"),
        "AESEQ": pd.array([1, 2, None], dtype="Int64"),
        "AVAL": [1.5, np.nan, 3.0],
        "ADT": pd.to_datetime(["2019-03-05", None, "2019-03-07"]),
        "EXTRA": [1, 2, 3],
    })
    variables = [("USUBJID", "Unique Subject Identifier", "Char", None), ("AESEQ", "Sequence Number", "Num", None),
                 ("AVAL", "Analysis Value", "Num", None), ("ADT", "Analysis Date", "Num", "DATE9.")]
    out, meta = prepare_frame(frame, variables, name="ADX", label="Test", keys=("USUBJID", "AESEQ"), timestamp=WHEN)
    assert list(out.columns) == ["USUBJID", "AESEQ", "AVAL", "ADT"]
    assert out["USUBJID"].tolist() == ["S-1", "S-22", ""]
    assert out["AESEQ"].dtype == np.float64 and np.isnan(out["AESEQ"][2])
    assert out["ADT"].dtype == "datetime64[s]"
    by_name = {v.name: v for v in meta.variables}
    assert by_name["USUBJID"].length == 4 and by_name["USUBJID"].data_type == "string"
    assert by_name["USUBJID"].key_sequence == 1 and by_name["AESEQ"].key_sequence == 2
    assert by_name["AESEQ"].data_type == "integer" and by_name["AESEQ"].length == 8
    assert by_name["AVAL"].data_type == "double" and by_name["AVAL"].key_sequence is None
    assert by_name["ADT"].data_type == "date" and by_name["ADT"].target_data_type == "integer"
    assert by_name["ADT"].format == "DATE9."
    assert meta.created == meta.modified == WHEN and meta.name == "ADX" and meta.label == "Test"


def test_length_is_the_longest_value_in_bytes_and_at_least_one():
    frame = pd.DataFrame({"A": ["", ""], "B": ["é", "ab"]})
    _, meta = prepare_frame(frame, [("A", "a", "Char", None), ("B", "b", "Char", None)], name="X", label="x",
                            keys=(), timestamp=WHEN)
    assert [v.length for v in meta.variables] == [1, 2]
    frame = pd.DataFrame({"B": ["éé"]})
    _, meta = prepare_frame(frame, [("B", "b", "Char", None)], name="X", label="x", keys=(), timestamp=WHEN)
    assert meta.variables[0].length == 4  # UTF-8 bytes, so the XPT writer can refuse what is not ASCII
