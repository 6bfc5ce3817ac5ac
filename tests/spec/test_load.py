"""The spec loader: the default spec loads; each kind of mistake gets a precise message."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from cdisc_pipe.errors import SpecError
from cdisc_pipe.spec import load_spec


def test_default_spec_loads(study):
    assert study.studyid == "HUCMSC-DLC"
    assert [a.armcd for a in study.arms] == ["LOW", "MEDIUM", "HIGH"]
    assert [a.dose for a in study.arms] == [2.5e7, 5.0e7, 1.0e8]
    assert study.visit("D085").visitnum == 7
    assert study.form("AE").keys == ("SUBJECT", "RECORDPOSITION")
    assert study.form("DM").field("INITIALS").identifier is True
    assert study.codelist("SEX").decode_map() == {"1": "M", "2": "F"}
    assert len([c for c in study.criteria if c.category == "EXCLUSION"]) == 14


@pytest.fixture
def spec_copy(tmp_path: Path, study_dir: Path) -> Path:
    target = tmp_path / "spec"
    target.mkdir()
    for name in ("study.yaml", "forms.yaml", "codelists.yaml"):
        shutil.copy(study_dir / name, target / name)
    return target


def _edit(folder: Path, name: str, change) -> None:
    path = folder / name
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")


def _message(folder: Path) -> str:
    with pytest.raises(SpecError) as caught:
        load_spec(folder)
    return str(caught.value)


def test_mistyped_field_type_names_the_closest_match(spec_copy):
    _edit(spec_copy, "forms.yaml", lambda d: d["forms"][0]["fields"][4].update(type="flaot"))
    message = _message(spec_copy)
    assert "forms.yaml: forms[0].fields[4].type: must be one of" in message
    assert "(got 'flaot'); closest match: 'float'" in message


def test_unknown_key_names_the_closest_match(spec_copy):
    def change(d):
        field = d["forms"][1]["fields"][3]
        field["requried"] = field.pop("required")

    _edit(spec_copy, "forms.yaml", change)
    message = _message(spec_copy)
    assert "forms.yaml: forms[1].fields[3]: keys must be among" in message
    assert "got unknown 'requried'; closest match: 'required'" in message


def test_unknown_codelist_reference(spec_copy):
    _edit(spec_copy, "forms.yaml", lambda d: d["forms"][0]["fields"][5].update(codelist="SEXX"))
    message = _message(spec_copy)
    assert "forms.yaml: forms[0] (DM).fields[5] (SEX).codelist: 'SEXX' must name a codelist" in message
    assert "closest match: 'SEX'" in message


def test_unknown_visit_folder(spec_copy):
    _edit(spec_copy, "forms.yaml", lambda d: d["forms"][9]["visits"].append("D57"))
    message = _message(spec_copy)
    assert "forms.yaml: forms[9] (LBLIV).visits: 'D57' must name a visit folder" in message
    assert "closest match: 'D057'" in message


def test_key_that_is_not_a_field(spec_copy):
    _edit(spec_copy, "forms.yaml", lambda d: d["forms"][3]["keys"].__setitem__(1, "RECORDPOS"))
    message = _message(spec_copy)
    assert "forms[3] (IE).keys: 'RECORDPOS' must name a field of the form" in message
    assert "closest match: 'RECORDPOSITION'" in message


def test_missing_required_key(spec_copy):
    _edit(spec_copy, "study.yaml", lambda d: d["study"].pop("registry_id"))
    assert "study.yaml: study: key 'registry_id' must be present" in _message(spec_copy)


def test_anchor_to_unknown_field(spec_copy):
    _edit(spec_copy, "study.yaml", lambda d: d["anchors"]["consent"].update(field="ICDATE"))
    message = _message(spec_copy)
    assert "study.yaml: anchors.consent.field: 'ICDATE' must name a field of form IC" in message
    assert "closest match: 'ICDAT'" in message


def test_arm_codes_must_match_enrolment_codelist(spec_copy):
    _edit(spec_copy, "study.yaml", lambda d: d["arms"][2].update(code="4"))
    assert "arms[].code must equal the codes of codelist DOSEGRP" in _message(spec_copy)


def test_duplicate_form_id(spec_copy):
    _edit(spec_copy, "forms.yaml", lambda d: d["forms"][1].update(id="DM"))
    assert "forms.yaml: forms[1]: form id must be unique (got 'DM' twice)" in _message(spec_copy)


def test_every_problem_is_reported_at_once(spec_copy):
    def change(d):
        d["forms"][0]["fields"][4]["type"] = "flaot"
        d["forms"][2]["fields"][4]["type"] = "dat"

    _edit(spec_copy, "forms.yaml", change)
    message = _message(spec_copy)
    assert "(2 problem(s))" in message
    assert "(got 'dat'); closest match: 'date'" in message


def test_missing_file_and_bad_yaml(spec_copy):
    (spec_copy / "codelists.yaml").write_text("codelists: [unclosed\n", encoding="utf-8")
    assert "codelists.yaml: file must be valid YAML" in _message(spec_copy)
    (spec_copy / "codelists.yaml").unlink()
    assert "codelists.yaml: spec file must exist" in _message(spec_copy)


def test_not_a_folder(tmp_path):
    with pytest.raises(SpecError, match="spec folder must be an existing directory"):
        load_spec(tmp_path / "nowhere")


def test_yaml_exponent_without_dot_is_caught(spec_copy):
    path = spec_copy / "study.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("dose: 2.5e+7", "dose: 2.5e7"), encoding="utf-8")
    assert "study.yaml: arms[0].dose: must be of type number (got '2.5e7')" in _message(spec_copy)
