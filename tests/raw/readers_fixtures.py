"""Helpers for the reader tests: a tiny study, literal frames, an EDC-like CSV writer and a keyed frame diff."""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd

from cdisc_pipe.raw.assemble import STRING_DTYPE
from cdisc_pipe.raw.model import ROW
from cdisc_pipe.spec.model import Anchors, Form, FormField, RawConventions, Study

_TEXT = "text"


def _field(name: str, type: str = _TEXT, **kwargs) -> FormField:
    return FormField(name=name, label=f"{name} label", type=type, **kwargs)


def mini_study(**raw: str) -> Study:
    """Three forms covering the structures that matter: a visit form, a log form, a repeated visit form.

    ``raw`` overrides :class:`RawConventions` (encoding, delimiter, date_format...).
    """
    system = [_field("SUBJECT", required=True), _field("SITENUMBER")]
    dm = Form(
        id="DM", name="Demographics", file="dm.csv", keys=("SUBJECT",), visits=("SCRN",),
        fields=(*system, _field("FOLDER"), _field("BRTHDAT", "date"), _field("SEX", "coded"),
                _field("INITIALS")),
    )
    ae = Form(
        id="AE", name="Adverse events", file="ae.csv", keys=("SUBJECT", "RECORDPOSITION"),
        fields=(*system, _field("RECORDPOSITION", "integer"), _field("AETERM"), _field("AESTDAT", "date")),
    )
    vs = Form(
        id="VS", name="Vital signs", file="vs.csv", keys=("SUBJECT", "FOLDER"), visits=("SCRN", "D001"),
        fields=(*system, _field("FOLDER"), _field("VSDAT", "date"), _field("VSTIM", "time"),
                _field("WEIGHT", "float", unit="kg")),
    )
    return Study(
        studyid="MINI", title="A tiny study for reader tests", sponsor="Nobody", protocol="MINI-1",
        registry_id="NCT00000000", root=Path("."), raw=dataclasses.replace(RawConventions(), **raw),
        anchors=Anchors(screening_form="DM", consent=("DM", "BRTHDAT"), enrolment=("DM", "SEX")),
        arms=(), elements=(), epochs=(), visits=(), criteria=(), trial_summary=(), forms=(dm, ae, vs),
    )


def text_frame(columns: dict[str, list[str | None]]) -> pd.DataFrame:
    """A frame of strings as the simulator hands them over (``None`` is an empty field)."""
    return pd.DataFrame({name: pd.Series(values, dtype=STRING_DTYPE) for name, values in columns.items()})


def sample_frames() -> dict[str, pd.DataFrame]:
    """Small frames for the three forms of :func:`mini_study`, with the awkward values readers must keep."""
    return {
        "DM": text_frame({
            "SUBJECT": ["001", "002", "003"],
            "SITENUMBER": ["01", "01", "02"],
            "FOLDER": ["SCRN", "SCRN", "SCRN"],
            "BRTHDAT": ["05 MAR 1961", "UN UNK 1970", None],
            "SEX": ["1", "2", "NA"],
            "INITIALS": [" A-B ", 'Q"Z', "Łó, 中"],
        }),
        "AE": text_frame({
            "SUBJECT": ["002", "001", "001"],
            "SITENUMBER": ["01", "01", "01"],
            "RECORDPOSITION": ["1", "1", "2"],
            "AETERM": ["Nausea, mild", "Fever\nnight sweats", "N/A"],
            "AESTDAT": ["UN JAN 2021", None, "12 FEB 2021"],
            "AECOMM": ["<b>&amp;</b>", None, "NULL"],
        }),
        "VS": text_frame({
            "SUBJECT": ["001", "001", "002", "002"],
            "SITENUMBER": ["01", "01", "01", "01"],
            "FOLDER": ["SCRN", "D001", "SCRN", "D001"],
            "VSDAT": ["01 JAN 2021", "08 JAN 2021", "02 JAN 2021", None],
            "VSTIM": ["08:30", "09:05", None, "23:59"],
            "WEIGHT": ["70.5", "71", "0.1", "1e-05"],
        }),
    }


def write_csv(frame: pd.DataFrame, path: Path, *, encoding: str = "utf-8", delimiter: str = ",") -> Path:
    """Write ``frame`` as an EDC does: header, minimal quoting, ``\\r\\n``, missing as the empty field."""
    rows = frame.astype(object).where(frame.notna(), "").to_numpy().tolist()
    with path.open("w", encoding=encoding, newline="") as stream:
        writer = csv.writer(stream, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL)
        writer.writerow(list(frame.columns))
        writer.writerows(rows)
    return path


def write_csv_export(frames: dict[str, pd.DataFrame], study: Study, folder: Path) -> Path:
    """Every frame written to its form's file in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for form in study.forms:
        if form.id in frames:
            write_csv(frames[form.id], folder / form.file, encoding=study.raw.encoding,
                      delimiter=study.raw.delimiter)
    return folder


def expected_frame(frame: pd.DataFrame, form: Form) -> pd.DataFrame:
    """What a reader must return for ``frame``: spec columns first, extras after, ``""`` missing, ROW last."""
    names = [n for n in form.field_names if n in frame.columns]
    names += [n for n in frame.columns if n not in form.field_names]
    out = pd.DataFrame({
        name: frame[name].astype(object).where(frame[name].notna() & (frame[name] != ""), None)
        for name in names
    }).astype(STRING_DTYPE)
    out[ROW] = np.arange(1, len(frame) + 1, dtype=np.int64)
    return out


def assert_same_frame(actual: pd.DataFrame, expected: pd.DataFrame, *, label: str = "") -> None:
    """Equal columns, dtypes and values; on a difference, say where (row, column) and show both sides."""
    assert list(actual.columns) == list(expected.columns), f"{label} columns differ"
    assert len(actual) == len(expected), f"{label} row counts differ: {len(actual)} != {len(expected)}"
    for name in expected.columns:
        assert actual[name].dtype == expected[name].dtype, (
            f"{label} column {name}: dtype {actual[name].dtype} != {expected[name].dtype}"
        )
        left = actual[name].astype(object).where(actual[name].notna(), None).tolist()
        right = expected[name].astype(object).where(expected[name].notna(), None).tolist()
        diffs = [(i, a, b) for i, (a, b) in enumerate(zip(left, right)) if a != b]
        assert not diffs, f"{label} column {name}: {len(diffs)} differences, first (index, got, expected) {diffs[:3]}"
    pd.testing.assert_index_equal(actual.index, pd.RangeIndex(len(actual)))
