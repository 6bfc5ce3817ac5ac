"""``read_raw``: format dispatch, the same frames from CSV, SAS and ODM, and real outside ODM files."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest

from cdisc_pipe.errors import InputError
from cdisc_pipe.paths import default_raw_dir
from cdisc_pipe.raw.model import ROW
from cdisc_pipe.raw.odm import write_odm
from cdisc_pipe.raw.read import infer_format, read_raw, unclaimed_files
from cdisc_pipe.spec.model import Form, FormField
from readers_fixtures import (
    assert_same_frame,
    expected_frame,
    mini_study,
    sample_frames,
    text_frame,
    write_csv_export,
)

STUDY = mini_study()


def _write_xpt_export(frames: dict[str, pd.DataFrame], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for form in STUDY.forms:
        frame = frames[form.id]
        data = frame.astype(object).where(frame.notna(), "")
        pyreadstat.write_xport(data, folder / f"{Path(form.file).stem}.xpt", file_format_version=8)
    return folder


def test_all_three_formats_give_the_same_frames(tmp_path):
    # SAS drops trailing blanks, so the shared data has none.
    frames = {k: f.apply(lambda c: c.str.rstrip(" ")).astype(f.dtypes.to_dict()) for k, f in sample_frames().items()}
    exports = {
        "csv": read_raw(write_csv_export(frames, STUDY, tmp_path / "csv"), STUDY),
        "sas": read_raw(_write_xpt_export(frames, tmp_path / "sas"), STUDY),
    }
    write_odm(frames, STUDY, tmp_path / "export.xml")
    exports["odm"] = read_raw(tmp_path / "export.xml", STUDY)
    for fmt, export in exports.items():
        assert export.format == fmt
        for form in STUDY.forms:
            expected = expected_frame(frames[form.id], form)
            assert_same_frame(export.frame(form.id), expected, label=f"{fmt}:{form.id}")
            assert export.forms[form.id].extra_columns == exports["csv"].forms[form.id].extra_columns


def test_csv_read_then_written_as_odm_reads_back_identical(tmp_path):
    csv_export = read_raw(write_csv_export(sample_frames(), STUDY, tmp_path), STUDY)
    frames = {form_id: raw_form.frame for form_id, raw_form in csv_export.forms.items()}
    write_odm(frames, STUDY, tmp_path / "export.xml")  # ROW is dropped and numbered again
    odm_export = read_raw(tmp_path / "export.xml", STUDY)
    for form_id in frames:
        assert_same_frame(odm_export.frame(form_id), csv_export.frame(form_id), label=form_id)


def test_format_inference(tmp_path):
    assert infer_format(tmp_path, STUDY) == "csv"  # nothing there: every form is missing
    assert read_raw(tmp_path, STUDY).missing_forms == ("DM", "AE", "VS")
    (tmp_path / "dm.xpt").write_bytes(b"")
    assert infer_format(tmp_path, STUDY) == "sas"
    (tmp_path / "ae.csv").write_text("SUBJECT\n")
    with pytest.raises(InputError, match=r"must hold one export format \(got both CSV and SAS form files\)"):
        infer_format(tmp_path, STUDY)
    (tmp_path / "x.xml").write_text("<x/>")
    assert infer_format(tmp_path / "x.xml", STUDY) == "odm"


@pytest.mark.parametrize(
    ("target", "kwargs", "error", "message"),
    [
        ("missing", {}, InputError, "must be an existing folder or ODM .xml file (got nothing there)"),
        ("dm.csv", {}, InputError, "must be a folder of form files or an ODM .xml file (got a '.csv' file)"),
        (".", {"format": "odm"}, InputError, "must be an ODM .xml file for format 'odm' (got a folder)"),
        ("dm.csv", {"format": "csv"}, InputError, "must be a folder of form files for format 'csv' (got a '.csv' file)"),
        (".", {"format": "xlsx"}, ValueError, "`format` must be one of csv, sas, odm (got 'xlsx')"),
    ],
)
def test_unusable_paths_and_formats(tmp_path, target, kwargs, error, message):
    (tmp_path / "dm.csv").write_text("SUBJECT\n")
    with pytest.raises(error) as caught:
        read_raw(tmp_path / target, STUDY, **kwargs)
    assert str(caught.value).endswith(message)


def test_unclaimed_files_are_listed_not_read(tmp_path):
    write_csv_export(sample_frames(), STUDY, tmp_path)
    (tmp_path / "zz_extra.csv").write_text("garbage\x00")
    (tmp_path / "notes.txt").write_text("not a form file")
    assert unclaimed_files(tmp_path, STUDY) == ("zz_extra.csv",)
    assert set(read_raw(tmp_path, STUDY).forms) == {"DM", "AE", "VS"}
    assert unclaimed_files(tmp_path, STUDY, format="sas") == ()


def test_the_default_study_export_reads_and_survives_odm(study, study_dir, tmp_path):
    raw_dir = default_raw_dir(study_dir)
    if not any(raw_dir.glob("*.csv")):
        pytest.fail(f"the default study's raw export must be shipped in {raw_dir}")
    csv_export = read_raw(raw_dir, study)
    assert csv_export.format == "csv"
    frames = {form_id: raw_form.frame for form_id, raw_form in csv_export.forms.items()}
    write_odm(frames, study, tmp_path / "export.xml")
    odm_export = read_raw(tmp_path / "export.xml", study)
    assert odm_export.missing_forms == csv_export.missing_forms
    for form_id in frames:
        assert_same_frame(odm_export.frame(form_id), csv_export.frame(form_id), label=form_id)


# --- real ODM files from outside (../shared/reference/odm-examples) ---------------------------------------

def _field(name: str) -> FormField:
    return FormField(name=name, label=name, type="text")


def _odmlib_study():
    """Forms matching two ItemGroups of the odmlib snapshot (IG.DM, IG.VS; items IT.<name>)."""
    dm = Form(id="DM", name="DM", file="dm.csv", keys=("SUBJECT",),
              fields=tuple(map(_field, ["SUBJECT", "SITENUMBER", "FOLDER", "AGE", "SEX", "BRTHDAT"])))
    vs = Form(id="VS", name="VS", file="vs.csv", keys=("SUBJECT", "FOLDER"),
              fields=tuple(map(_field, ["SUBJECT", "FOLDER", "PT_WEIGHT", "NOT_THERE"])))
    return dataclasses.replace(STUDY, forms=(dm, vs))


@pytest.mark.reference
def test_odmlib_snapshot_is_read(reference_dir):
    export = read_raw(reference_dir / "odm-examples" / "odmlib_odm-data-snapshot.xml", _odmlib_study())
    assert export.missing_forms == ()
    dm = export.forms["DM"]
    assert dm.frame[["SUBJECT", "FOLDER", "AGE", "SEX", "BRTHDAT"]].iloc[0].tolist() == [
        "SS_0001", "SE.SCREENING", "56", "Male", "1966-02-10"]
    assert dm.frame["SITENUMBER"].isna().all()  # the snapshot has no SiteRef
    assert dm.extra_columns == ("AGEU", "DMDTC", "RACEOTH", "ETHNIC", "RACE")  # ItemRef order
    vs = export.forms["VS"]
    assert vs.n_records == 4 and vs.frame[ROW].tolist() == [1, 2, 3, 4]
    assert vs.missing_columns == ("NOT_THERE",)
    assert vs.frame["FOLDER"].tolist()[:2] == ["SE.SCREENING", "SE.VISIT 3"]


@pytest.mark.reference
@pytest.mark.parametrize("name", [
    "redcap_clinical-trial-1_project.xml",        # vendor namespace (redcap:) elements and attributes
    "redcap_repeating-instruments_project.xml",
    "cdisc_connectathon_example_3_odm130.xml",    # ISO-8859-1, a DOCTYPE inside a comment
    "cdisc_TAUG-Dyslipidemia_FH_CRF_1_3_2.xml",   # nested ItemGroupData (not ODM 1.3.2 valid)
])
def test_real_odm_files_are_not_refused(reference_dir, name):
    export = read_raw(reference_dir / "odm-examples" / name, _odmlib_study())
    assert export.format == "odm"
    assert export.missing_forms == ("DM", "VS")  # their item groups follow other OID conventions


def _synthetic_frames(study, n_subjects: int = 12) -> dict[str, pd.DataFrame]:
    """Every form of ``study`` filled with deterministic text, sorted by subject then visit like an EDC."""
    frames = {}
    for k, form in enumerate(study.forms):
        folders = list(form.visits) or [None]
        per = 1 if form.visits else 2
        rows = [(s, f, r) for s in range(n_subjects) for f in folders for r in range(1, per + 1)]
        columns: dict[str, list[str | None]] = {}
        for j, field in enumerate(form.fields):
            if field.name == study.raw.subject:
                columns[field.name] = [f"{s + 1:03d}" for s, _, _ in rows]
            elif field.name == study.raw.site:
                columns[field.name] = [f"{s % 2 + 1:02d}" for s, _, _ in rows]
            elif field.name == study.raw.folder:
                columns[field.name] = [f for _, f, _ in rows]
            elif field.name == study.raw.record:
                columns[field.name] = [str(r) for _, _, r in rows]
            else:
                columns[field.name] = [
                    None if (i + j + k) % 7 == 0 else f"{field.name} {i}" for i in range(len(rows))
                ]
        frames[form.id] = text_frame(columns)
    return frames


def test_every_form_of_the_default_study_survives_csv_and_odm(study, tmp_path, reference_dir):
    import xmlschema
    frames = _synthetic_frames(study)
    csv_export = read_raw(write_csv_export(frames, study, tmp_path / "csv"), study)
    write_odm(frames, study, tmp_path / "export.xml")
    schema = xmlschema.XMLSchema(str(reference_dir / "schemas" / "odm-1.3.2" / "ODM1-3-2.xsd"))
    assert [str(e) for e in schema.iter_errors(str(tmp_path / "export.xml"))] == []
    odm_export = read_raw(tmp_path / "export.xml", study)
    assert csv_export.missing_forms == odm_export.missing_forms == ()
    for form in study.forms:
        expected = expected_frame(frames[form.id], form)
        assert_same_frame(csv_export.frame(form.id), expected, label=f"csv:{form.id}")
        assert_same_frame(odm_export.frame(form.id), expected, label=f"odm:{form.id}")
    text = (tmp_path / "export.xml").read_text()
    assert text.count("<SubjectData ") == 12  # sorted frames: one SubjectData per subject
