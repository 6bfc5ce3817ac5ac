"""ODM 1.3.2: write -> schema-valid, deterministic bytes; read -> the same frames; hostile files refused."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cdisc_pipe.errors import InputError
from cdisc_pipe.raw.model import ROW
from cdisc_pipe.raw.odm import ODM_NS, read_odm, write_odm
from cdisc_pipe.raw.read import read_raw
from readers_fixtures import assert_same_frame, expected_frame, mini_study, sample_frames, text_frame

STUDY = mini_study()
DM = STUDY.form("DM")
HEAD = f'<?xml version="1.0" encoding="UTF-8"?>\n<ODM xmlns="{ODM_NS}" FileType="Snapshot" FileOID="F" CreationDateTime="2020-01-01T00:00:00">'


def _odm(tmp_path: Path, body: str, *, name: str = "export.xml", head: str = HEAD) -> Path:
    path = tmp_path / name
    path.write_text(f"{head}{body}</ODM>\n", encoding="utf-8")
    return path


def _clinical(records: str, subject: str = "001") -> str:
    return (f'<ClinicalData StudyOID="MINI" MetaDataVersionOID="MDV.RAW"><SubjectData SubjectKey="{subject}">'
            f'<SiteRef LocationOID="01"/><StudyEventData StudyEventOID="SCRN"><FormData FormOID="F.DM">'
            f"{records}</FormData></StudyEventData></SubjectData></ClinicalData>")


def test_round_trip_gives_the_same_frames(tmp_path):
    frames = sample_frames()
    write_odm(frames, STUDY, tmp_path / "export.xml")
    export = read_raw(tmp_path / "export.xml", STUDY)
    assert export.format == "odm" and export.missing_forms == ()
    for form in STUDY.forms:
        assert_same_frame(export.frame(form.id), expected_frame(frames[form.id], form), label=form.id)
        assert export.forms[form.id].file == "export.xml"
    assert export.forms["AE"].extra_columns == ("AECOMM",)


def test_written_file_is_valid_odm_1_3_2(tmp_path, reference_dir):
    import xmlschema
    schema = xmlschema.XMLSchema(str(reference_dir / "schemas" / "odm-1.3.2" / "ODM1-3-2.xsd"))
    write_odm(sample_frames(), STUDY, tmp_path / "export.xml")
    errors = [str(error) for error in schema.iter_errors(str(tmp_path / "export.xml"))]
    assert errors == []


def test_bytes_are_deterministic_and_dated_from_source_date_epoch(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    frames = sample_frames()
    write_odm(frames, STUDY, tmp_path / "a.xml")
    write_odm(dict(reversed(list(frames.items()))), STUDY, tmp_path / "b.xml")
    assert (tmp_path / "a.xml").read_bytes() == (tmp_path / "b.xml").read_bytes()
    assert 'CreationDateTime="1970-01-01T00:00:00+00:00"' in (tmp_path / "a.xml").read_text()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    write_odm(frames, STUDY, tmp_path / "c.xml")
    assert 'CreationDateTime="2023-11-14T22:13:20+00:00"' in (tmp_path / "c.xml").read_text()
    write_odm(frames, STUDY, tmp_path / "d.xml", created=datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc))
    assert 'CreationDateTime="2024-05-01T12:00:00+00:00"' in (tmp_path / "d.xml").read_text()
    assert not list(tmp_path.glob("*.partial"))


def test_unsorted_frames_keep_their_row_order(tmp_path):
    frames = {"VS": text_frame({
        "SUBJECT": ["002", "001", "002", "001"], "SITENUMBER": ["01", "01", "01", "02"],
        "FOLDER": ["D001", "SCRN", "SCRN", "D001"], "VSDAT": ["a", "b", "c", "d"],
    })}
    write_odm(frames, STUDY, tmp_path / "export.xml")
    export = read_odm(tmp_path / "export.xml", STUDY)
    assert_same_frame(export.frame("VS"), expected_frame(frames["VS"], STUDY.form("VS")))
    assert export.missing_forms == ("DM", "AE")


def test_a_defined_form_without_records_is_present_with_its_columns(tmp_path):
    frames = {"DM": text_frame({name: [] for name in DM.field_names})}
    write_odm(frames, STUDY, tmp_path / "export.xml")
    raw_form = read_odm(tmp_path / "export.xml", STUDY).forms["DM"]
    assert list(raw_form.frame.columns) == [*DM.field_names, ROW] and raw_form.n_records == 0


def test_other_edc_conventions_are_read(tmp_path):
    body = _clinical(
        '<ItemGroupData ItemGroupOID="IG.DM" xmlns:v="urn:vendor" v:status="locked">'
        '<ItemData ItemOID="IT.DM.SEX" Value="1"/><ItemData ItemOID="IT.BRTHDAT" Value=""/>'
        '<ItemData ItemOID="INITIALS" IsNull="Yes"/><v:Audit who="x"><ItemData ItemOID="IT.DM.ZZ" Value="v"/></v:Audit>'
        '<ItemDataString ItemOID="IT.DM.NOTE">  typed &amp; kept  </ItemDataString>'
        '</ItemGroupData><ItemGroupData ItemGroupOID="IG.UNCLAIMED"><ItemData ItemOID="IT.X" Value="1"/></ItemGroupData>'
    )
    frame = read_odm(_odm(tmp_path, body), STUDY).frame("DM")
    assert frame.to_dict("list") == {
        "SUBJECT": ["001"], "SITENUMBER": ["01"], "FOLDER": ["SCRN"], "BRTHDAT": [np.nan], "SEX": ["1"],
        "INITIALS": [np.nan], "ZZ": ["v"], "NOTE": ["  typed & kept  "], ROW: [1],
    }


def test_an_item_twice_in_one_record_is_an_input_error(tmp_path):
    body = _clinical('<ItemGroupData ItemGroupOID="IG.DM"><ItemData ItemOID="IT.DM.SEX" Value="1"/>'
                     '<ItemData ItemOID="IT.DM.SEX" Value="2"/></ItemGroupData>')
    with pytest.raises(InputError) as caught:
        read_odm(_odm(tmp_path, body), STUDY)
    assert str(caught.value) == (
        "`export.xml` ItemGroupData IG.DM must hold item 'SEX' at most once per record "
        "(got it more than once in record 1)"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (f'<ODM xmlns="{ODM_NS}">\n<unclosed></ODM>',
         "`bad.xml` must be well-formed XML (got 'mismatched tag' at line 2, column 12)"),
        ("<ODM/>", f"`bad.xml` root element must be ODM in namespace {ODM_NS} (got ODM)"),
        ('<odm xmlns="urn:other"/>', f"`bad.xml` root element must be ODM in namespace {ODM_NS} (got urn:other}} odm)"),
        ("", "`bad.xml` must be well-formed XML (got 'no element found' at line 1, column 0)"),
    ],
)
def test_malformed_files_are_input_errors(tmp_path, text, message):
    (tmp_path / "bad.xml").write_text(text)
    with pytest.raises(InputError) as caught:
        read_odm(tmp_path / "bad.xml", STUDY)
    assert str(caught.value) == message


def _hostile(tmp_path: Path) -> dict[str, tuple[str, str]]:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    laughs = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    item = '<ItemGroupData ItemGroupOID="IG.DM"><ItemData ItemOID="IT.DM.SEX" Value="{}"/></ItemGroupData>'
    return {
        "xxe": (f'<!DOCTYPE ODM [<!ENTITY xxe SYSTEM "file://{secret}">]>',
                f"an external entity 'xxe' pointing at 'file://{secret}' (XXE) at line 2"),
        "billion-laughs": (f'<!DOCTYPE ODM [<!ENTITY lol0 "lol">{laughs}]>',
                           "an entity declaration 'lol0' (entity expansion, as in a 'billion laughs' bomb) at line 2"),
        "parameter-entity": ('<!DOCTYPE ODM [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote;]>',
                             "an external entity 'remote' pointing at 'http://127.0.0.1:9/evil.dtd' (XXE) at line 2"),
        "external-dtd": ('<!DOCTYPE ODM SYSTEM "http://127.0.0.1:9/odm.dtd">',
                         "a DTD (<!DOCTYPE ODM SYSTEM 'http://127.0.0.1:9/odm.dtd'>) at line 2"),
        "plain-dtd": ("<!DOCTYPE ODM [<!ELEMENT ODM ANY>]>", "a DTD (<!DOCTYPE ODM>) at line 2"),
    } | {"_item": (item, "")}


@pytest.mark.parametrize("kind", ["xxe", "billion-laughs", "parameter-entity", "external-dtd", "plain-dtd"])
def test_hostile_files_are_refused(tmp_path, kind):
    payloads = _hostile(tmp_path)
    doctype, reason = payloads[kind]
    value = {"xxe": "&xxe;", "billion-laughs": "&lol9;"}.get(kind, "1")
    head = HEAD.replace("\n<ODM", f"\n{doctype}\n<ODM")
    path = _odm(tmp_path, _clinical(payloads["_item"][0].format(value)), name=f"{kind}.xml", head=head)
    with pytest.raises(InputError) as caught:
        read_raw(path, STUDY)
    assert str(caught.value) == (
        f"`{kind}.xml` must be plain XML without DTD, entity declarations or external references "
        f"(got {reason}); the file is refused"
    )


@pytest.mark.parametrize(
    ("column", "value", "error", "message"),
    [
        ("SEX", 1, TypeError, "`frames['DM']['SEX']` must hold strings (got dtype object)"),
        ("SEX", "a\x01b", ValueError, "`frames['DM']['SEX']` must hold only characters XML 1.0 allows (got 'a\\x01b' in row 1)"),
        ("SUBJECT", None, ValueError, "`frames['DM']['SUBJECT']` must have a value in every row (got none in row 1)"),
    ],
)
def test_write_odm_refuses_what_odm_cannot_hold(tmp_path, column, value, error, message):
    frame = text_frame({"SUBJECT": ["001"], "FOLDER": ["SCRN"], "SEX": ["1"]})
    frame[column] = frame[column].astype(object)
    frame.loc[0, column] = value
    with pytest.raises(error) as caught:
        write_odm({"DM": frame}, STUDY, tmp_path / "x.xml")
    assert str(caught.value) == message
    assert not (tmp_path / "x.xml").exists()


def test_write_odm_refuses_unknown_forms(tmp_path):
    with pytest.raises(ValueError, match=r"`frames` keys must be form ids of study 'MINI' \(got \['XX'\]\)"):
        write_odm({"XX": text_frame({"SUBJECT": ["1"]})}, STUDY, tmp_path / "x.xml")


# Anything XML 1.0 can carry in an attribute: no control characters other than tab, CR, LF.
XML_TEXT = st.text(
    st.characters(exclude_categories=("Cs",), exclude_characters="".join(
        chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF]
    )),
    min_size=1,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(subjects=st.lists(XML_TEXT, min_size=0, max_size=6), data=st.data())
def test_property_any_text_round_trips_through_odm(tmp_path, subjects, data):
    n = len(subjects)
    column = st.lists(st.none() | XML_TEXT, min_size=n, max_size=n)
    frame = text_frame({
        "SUBJECT": subjects, "SITENUMBER": data.draw(column), "RECORDPOSITION": data.draw(column),
        "AETERM": data.draw(column), "AE <&\">": data.draw(column),
    })
    write_odm({"AE": frame}, STUDY, tmp_path / "ae.xml")
    assert_same_frame(read_odm(tmp_path / "ae.xml", STUDY).frame("AE"), expected_frame(frame, STUDY.form("AE")))
