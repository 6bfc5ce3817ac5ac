"""Events algorithms on literal frames: study dictionary coding, codelist + sponsor map, melted coded
results, conditional constants."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

from cdisc_pipe.errors import SpecError
from cdisc_pipe.raw.model import ROW, RawExport, RawForm
from cdisc_pipe.sdtm.algorithms_events import (
    EVENTS_ALGORITHMS,
    compute_normalised_term,
    read_term_dictionary,
)
from cdisc_pipe.sdtm.build import apply_phase1, source_records
from cdisc_pipe.sdtm.context import MapContext
from cdisc_pipe.sdtm.registry import ALGORITHMS
from cdisc_pipe.spec.sdtm_model import Domain, SdtmVariable, Source

DICTIONARY = """\
name: Test dictionary
version: "0.1"
terms:
  - {decod: Fever, bodsys: General disorders, verbatims: [Fever, Pyrexia]}
  - {decod: Nausea, bodsys: Gastrointestinal disorders, verbatims: [Nausea]}
"""


def V(name, algorithm, type="Char", **args):
    return SdtmVariable(name=name, label=name, type=type, algorithm=algorithm, args=args)


def _export(study, form, file, data):
    frame = pd.DataFrame(data, dtype="string").assign(**{ROW: range(1, len(data["SUBJECT"]) + 1)})
    raw = RawForm(form=study.form(form), frame=frame, file=file)
    return RawExport(source=Path("."), format="csv", forms={form: raw})


def _run(study, domain, export):
    context = MapContext(study=study, domain=domain, export=export)
    return apply_phase1(source_records(domain, export, study), context), context.findings


@pytest.fixture()
def dictionary_study(study, tmp_path):
    (tmp_path / "dictionaries").mkdir()
    (tmp_path / "dictionaries" / "test-terms.yaml").write_text(DICTIONARY, encoding="utf-8")
    return dataclasses.replace(study, root=tmp_path)


def test_every_events_algorithm_is_registered_with_its_arguments():
    assert {a.name: (sorted(a.required), sorted(a.optional)) for a in EVENTS_ALGORITHMS} == {
        "dictionary": (["attribute", "dictionary", "term"], []),
        "assign_ct_map": (["field", "map"], ["codelist"]),
        "result_ct": ([], ["fields", "map"]),
        "hardcode_when": (["value", "when"], []),
    }
    assert all(ALGORITHMS[a.name] is a for a in EVENTS_ALGORITHMS)


def test_normalised_term_ignores_case_and_white_space():
    terms = pd.Series(["  Upper  respiratory\ttract infection ", "PYREXIA", None], dtype="string")
    assert compute_normalised_term(terms).tolist() == ["upper respiratory tract infection", "pyrexia", pd.NA]


def test_read_term_dictionary(tmp_path):
    path = tmp_path / "terms.yaml"
    path.write_text(DICTIONARY, encoding="utf-8")
    dictionary = read_term_dictionary(path)
    assert (dictionary.name, dictionary.version) == ("Test dictionary", "0.1")
    assert dictionary.attributes == ("decod", "bodsys")
    assert dictionary.attribute_map("decod") == {"fever": "Fever", "pyrexia": "Fever", "nausea": "Nausea"}
    with pytest.raises(SpecError, match=r"`attribute` must be one of \['decod', 'bodsys'\] \(got 'soc'\)"):
        dictionary.attribute_map("soc")


def test_read_term_dictionary_reports_every_problem(tmp_path):
    path = tmp_path / "terms.yaml"
    path.write_text(
        "name: Bad\nversion: ''\nterms:\n"
        "  - {decod: Fever, bodsys: General, verbatims: [Fever]}\n"
        "  - {decod: Pyrexia, bodsys: General, verbatims: [' fever ']}\n"
        "  - {decod: Nausea, verbatims: [Nausea]}\n",
        encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        read_term_dictionary(path)
    assert str(caught.value).splitlines()[1:] == [
        "  dictionaries/terms.yaml: key 'version' must be a non-empty string (got '')",
        "  dictionaries/terms.yaml: terms[2]: keys must be exactly ['bodsys', 'decod', 'verbatims'] "
        "(got ['decod', 'verbatims'])",
    ]
    path.write_text(
        "name: Bad\nversion: '1'\nterms:\n"
        "  - {decod: Fever, bodsys: General, verbatims: [Fever]}\n"
        "  - {decod: Pyrexia, bodsys: General, verbatims: [' fever ']}\n",
        encoding="utf-8")
    with pytest.raises(SpecError, match=r"terms\[1\]\.verbatims: ' fever ' must belong to one term only "
                                        r"\(got it in terms\[0\] too\)"):
        read_term_dictionary(path)


AE_CODING = Domain(
    name="AE", label="Adverse Events", domain_class="EVENTS", structure="...", keys=("USUBJID",), order=(),
    source=Source(kind="form", form="AE"), file="sdtm/ae.yaml",
    variables=(
        V("AETERM", "assign", field="AETERM"),
        V("AEDECOD", "dictionary", dictionary="test-terms", term="AETERM", attribute="decod"),
        V("AEBODSYS", "dictionary", dictionary="test-terms", term="AETERM", attribute="bodsys"),
    ),
)


def test_dictionary_codes_verbatims_and_reports_the_uncoded(dictionary_study):
    export = _export(dictionary_study, "AE", "ae.csv",
                     {"SUBJECT": ["01-001", "01-001", "01-002", "01-002"],
                      "AETERM": ["pyrexia ", "Nausea", "Headache", ""]})
    ae, findings = _run(dictionary_study, AE_CODING, export)
    assert ae[["AEDECOD", "AEBODSYS"]].values.tolist() == [
        ["Fever", "General disorders"], ["Nausea", "Gastrointestinal disorders"], [pd.NA, pd.NA], [pd.NA, pd.NA]]
    assert [(f.rule, f.variable, f.file, f.row, f.subject, f.value) for f in findings] == [
        ("SDTM-DICT-UNCODED", "AEDECOD", "ae.csv", 3, "01-002", "Headache"),
        ("SDTM-DICT-UNCODED", "AEBODSYS", "ae.csv", 3, "01-002", "Headache"),
    ]
    assert findings[0].message == ("`AE.AEDECOD` must be coded from dictionary 'test-terms' "
                                   "(got uncoded verbatim 'Headache' in AE.AETERM)")
    assert findings[0].expected == "a verbatim of dictionary Test dictionary 0.1"


def test_dictionary_term_must_be_derived_before(dictionary_study):
    domain = dataclasses.replace(AE_CODING, variables=AE_CODING.variables[1:])
    export = _export(dictionary_study, "AE", "ae.csv", {"SUBJECT": ["01-001"], "AETERM": ["Fever"]})
    with pytest.raises(SpecError, match=r"`AE.AEDECOD` must name a variable listed before it \(got 'AETERM'\)"):
        _run(dictionary_study, domain, export)


RELATED = {"ABSOLUTELY RELEVANT": "RELATED", "POSSIBLY RELEVANT": "RELATED",
           "POSSIBLY IRRELEVANT": "NOT RELATED", "ABSOLUTELY IRRELEVANT": "NOT RELATED"}

AE_MAPS = Domain(
    name="AE", label="Adverse Events", domain_class="EVENTS", structure="...", keys=("USUBJID",), order=(),
    source=Source(kind="form", form="AE"), file="sdtm/ae.yaml",
    variables=(
        V("AEREL", "assign_ct_map", field="AEREL", map=RELATED),
        V("AEENRTPT", "assign_ct_map", field="AEONGO", map={"Y": "ONGOING", "N": None}),
        V("AEENTPT", "hardcode_when", value="END OF STUDY", when="AEENRTPT"),
    ),
)


def test_assign_ct_map_and_hardcode_when(study):
    export = _export(study, "AE", "ae.csv", {"SUBJECT": ["01-001"] * 5, "AEREL": ["1", "2", "3", "4", "7"],
                                             "AEONGO": ["1", "0", "", "0", "1"]})
    ae, findings = _run(study, AE_MAPS, export)
    assert ae[["AEREL", "AEENRTPT", "AEENTPT"]].values.tolist() == [
        ["RELATED", "ONGOING", "END OF STUDY"],
        ["RELATED", pd.NA, pd.NA],
        ["NOT RELATED", pd.NA, pd.NA],
        ["NOT RELATED", pd.NA, pd.NA],
        [pd.NA, "ONGOING", "END OF STUDY"],
    ]
    [finding] = findings
    assert (finding.rule, finding.row, finding.variable, finding.value) == ("SDTM-CT-UNMAPPED", 5, "AEREL", "7")


def test_assign_ct_map_must_cover_the_codelist(study):
    partial = {k: v for k, v in RELATED.items() if k != "POSSIBLY IRRELEVANT"}
    domain = dataclasses.replace(AE_MAPS, variables=(V("AEREL", "assign_ct_map", field="AEREL", map=partial),))
    export = _export(study, "AE", "ae.csv", {"SUBJECT": ["01-001"], "AEREL": ["1"]})
    with pytest.raises(SpecError) as caught:
        _run(study, domain, export)
    assert str(caught.value) == ("sdtm/ae.yaml: `AE.AEREL` args.map must name every submission value of "
                                 "codelist(s) ['AEREL4'] (missing ['POSSIBLY IRRELEVANT'])")


CE = Domain(
    name="CE", label="Clinical Events", domain_class="EVENTS", structure="...", keys=("USUBJID",), order=(),
    file="sdtm/ce.yaml",
    source=Source(kind="melt", form="SYMP", tests=({"field": "ASCITES", "TERM": "Ascites"},
                                                   {"field": "JAUNDICE", "TERM": "Jaundice"})),
    variables=(
        V("CETERM", "test_attribute", key="TERM"),
        V("CEOCCUR", "result_ct", map={"Y": "Y", "N": "N", "ABSENT": "N", "MILD": "Y", "MODERATE TO SEVERE": "Y"}),
        V("CESEV", "result_ct", fields=["ASCITES"],
          map={"ABSENT": None, "MILD": "MILD", "MODERATE TO SEVERE": "MODERATE TO SEVERE"}),
        V("CEORRES", "result_ct"),
    ),
)


def test_result_ct_recodes_each_test_through_its_own_codelist(study):
    export = _export(study, "SYMP", "symptoms.csv",
                     {"SUBJECT": ["01-001", "01-002", "01-003"], "FOLDER": ["SCRN"] * 3,
                      "ASCITES": ["0", "2", "1"], "JAUNDICE": ["1", "0", "5"]})
    ce, findings = _run(study, CE, export)
    assert ce[["CETERM", "CEOCCUR", "CESEV", "CEORRES", ROW]].values.tolist() == [
        ["Ascites", "N", pd.NA, "ABSENT", 1],
        ["Jaundice", "Y", pd.NA, "Y", 1],
        ["Ascites", "Y", "MODERATE TO SEVERE", "MODERATE TO SEVERE", 2],
        ["Jaundice", "N", pd.NA, "N", 2],
        ["Ascites", "Y", "MILD", "MILD", 3],
        ["Jaundice", pd.NA, pd.NA, pd.NA, 3],
    ]
    assert [(f.rule, f.variable, f.row, f.value) for f in findings] == [
        ("SDTM-CT-UNMAPPED", "CEOCCUR", 3, "5"), ("SDTM-CT-UNMAPPED", "CEORRES", 3, "5")]
    assert findings[0].message == "`CE.CEOCCUR` must come from a code of codelist NY (got '5' in JAUNDICE)"


def test_result_ct_fields_must_be_tests_of_the_source(study):
    domain = dataclasses.replace(CE, variables=(V("CESEV", "result_ct", fields=["HEGRADE"]),))
    export = _export(study, "SYMP", "symptoms.csv", {"SUBJECT": ["01-001"], "FOLDER": ["SCRN"],
                                                     "ASCITES": ["0"], "JAUNDICE": ["0"]})
    with pytest.raises(SpecError, match=r"`CE.CESEV` args.fields must name fields of the source's tests "
                                        r"\['ASCITES', 'JAUNDICE'\] \(got \['HEGRADE'\]\)"):
        _run(study, domain, export)
