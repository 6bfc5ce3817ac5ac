"""define.xml from small literal specs and frames: what lands where, escaping, determinism.

The builders here (``literal_study``, ``literal_datasets``) are shared with test_define_checks.py.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pandas as pd
import pytest
from defusedxml import ElementTree
from hypothesis import HealthCheck, given, settings, strategies as st

from cdisc_pipe.errors import ExportError
from cdisc_pipe.export.define import render_define, validate_define
from cdisc_pipe.export.define_checks import define_schema_path
from cdisc_pipe.export.define_context import Document, build_define_context
from cdisc_pipe.export.prepare import ExportDataset, prepare_frame
from cdisc_pipe.spec.adam_model import AdamDataset, AdamSource, AdamStep, AdamVariable
from cdisc_pipe.spec.model import Codelist, Form, FormField, Term
from cdisc_pipe.spec.sdtm_model import Domain, SdtmVariable, Source

STAMP = datetime(2024, 1, 31, 12, 0, 0)
NS = {"odm": "http://www.cdisc.org/ns/odm/v1.3", "def": "http://www.cdisc.org/ns/def/v2.1"}
#: A label that needs every XML escape, and a non-ASCII letter.
TRICKY = "Age <years> & \"done\" 'at' consent — âge"

needs_schema = pytest.mark.skipif(define_schema_path() is None,
                                  reason="no Define-XML 2.1 schema: install odmlib or put ../shared beside it")


def literal_study(study):
    """The default study's identity with a literal set of codelists."""
    codelists = {
        "SEX": Codelist("SEX", "Sex", (Term("1", "M", "Male", "C20197"), Term("2", "F", "Female & other", "C16576")),
                        nci="C66731"),
        "NY": Codelist("NY", "No Yes Response", (Term("Y", "Y", None, "C49488"), Term("N", "N", None, "C49487")),
                       nci="C66742"),
        "VSTESTCD": Codelist("VSTESTCD", "Vital Signs Test Code",
                             (Term("SYSBP", "SYSBP", None, "C25298"), Term("TEMP", "TEMP", None, "C25206"),
                              Term("PAIN", "PAIN")), nci="C66741", extensible=True),
        "DOSEGRP": Codelist("DOSEGRP", "Dose group", (Term("1", "LOW"), Term("2", "HIGH"))),
        "PAINSC": Codelist("PAINSC", "Pain scale", (Term("0", "0", "None"), Term("1", "1", "Mild")),
                           data_type="integer"),
    }
    # the VS form's PAIN field holds numeric codes: its codelist would describe VSSTRESN of PAIN records
    vs_form = Form(id="VS", name="Vital signs", file="vs.csv", keys=("SUBJECT",),
                   fields=(FormField("PAIN", "Pain", "coded", codelist="PAINSC"),))
    return replace(study, codelists=codelists, ct_version="2025-03-28", trial_summary=(), forms=(vs_form,))


def _var(name, label, type_, **kw):
    return SdtmVariable(name=name, label=label, type=type_, algorithm="assign", **kw)


DM = Domain(
    name="DM", label="Demographics", domain_class="SPECIAL PURPOSE", structure="One record per subject",
    keys=("STUDYID", "USUBJID"), order=("USUBJID",), source=Source(kind="form", form="DM"),
    variables=(
        _var("STUDYID", "Study Identifier", "Char", role="Identifier", core="Req", origin="Protocol"),
        _var("USUBJID", "Unique Subject Identifier", "Char", role="Identifier", core="Req", origin="Derived",
             method="STUDYID-SUBJID"),
        _var("BRTHDTC", "Date/Time of Birth", "Char", role="Record Qualifier", origin="Collected"),
        _var("AGE", TRICKY, "Num", role="Record Qualifier", origin="Derived",
             method="Years from BRTHDTC; < 18 excluded"),
        _var("SEX", "Sex", "Char", role="Record Qualifier", core="Req", origin="Collected", codelist="SEX"),
        _var("RACEOTH", "Race, Other", "Char", origin="Collected", supp=True),
    ),
)
VS = Domain(
    name="VS", label="Vital Signs", domain_class="FINDINGS", structure="One record per test per visit per subject",
    keys=("STUDYID", "USUBJID", "VSTESTCD", "VISITNUM"), order=("USUBJID",),
    source=Source(kind="melt", form="VS", tests=(
        {"field": "SYSBP", "TESTCD": "SYSBP", "TEST": "Systolic Blood Pressure", "ORRESU": "mmHg", "STRESU": "mmHg"},
        {"field": "TEMP", "TESTCD": "TEMP", "TEST": "Temperature", "ORRESU": "C", "STRESU": "C"},
        {"field": "PAIN", "TESTCD": "PAIN", "TEST": "Pain score"},
    )),
    variables=(
        _var("STUDYID", "Study Identifier", "Char", role="Identifier", core="Req", origin="Protocol"),
        _var("USUBJID", "Unique Subject Identifier", "Char", role="Identifier", core="Req", origin="Derived",
             method="STUDYID-SUBJID"),
        _var("VSTESTCD", "Vital Signs Test Short Name", "Char", role="Topic", core="Req", origin="Assigned",
             codelist="VSTESTCD"),
        _var("VSORRES", "Result or Finding in Original Units", "Char", role="Result Qualifier", origin="Collected"),
        _var("VSSTRESN", "Numeric Result/Finding in Standard Units", "Num", role="Result Qualifier",
             origin="Derived", method="VSORRES as a number"),
        _var("VISITNUM", "Visit Number", "Num", role="Timing", origin="Derived", method="From the visit schedule"),
        _var("VSDTC", "Date/Time of Measurements", "Char", role="Timing", origin="Collected"),
    ),
)
ADSL = AdamDataset(
    name="ADSL", label="Subject-Level Analysis Dataset", adam_class="SUBJECT LEVEL ANALYSIS DATASET",
    structure="One record per subject", keys=("STUDYID", "USUBJID"), order=("USUBJID",),
    source=AdamSource("DM"), final_steps=(),
    steps=(AdamStep("derive_vars_dt", {"new_vars_prefix": "TRTS", "dtc": "EXSTDTC", "highest_imputation": "M"}),),
    variables=(
        AdamVariable("STUDYID", "Study Identifier", "Char", "Predecessor", source="DM.STUDYID"),
        AdamVariable("USUBJID", "Unique Subject Identifier", "Char", "Predecessor", source="DM.USUBJID"),
        AdamVariable("AGE", "Age", "Num", "Predecessor", source="DM.AGE"),
        AdamVariable("TRTSDT", "Date of First Exposure to Treatment", "Num", "Derived", method="First EX date",
                     format="DATE9."),
        AdamVariable("SAFFL", "Safety Population Flag", "Char", "Derived", method="Y if dosed", codelist="NY"),
    ),
)
ADVS = AdamDataset(
    name="ADVS", label="Vital Signs Analysis Dataset", adam_class="BASIC DATA STRUCTURE",
    structure="One record per subject per parameter per analysis date", keys=("STUDYID", "USUBJID", "PARAMCD", "ADT"),
    order=("USUBJID", "PARAMCD", "ADT"), source=AdamSource("VS", filter="VSSTRESN.notna()"),
    steps=(AdamStep("derive_vars_dt", {"new_vars_prefix": "A", "dtc": "VSDTC"}),), final_steps=(),
    variables=(
        AdamVariable("STUDYID", "Study Identifier", "Char", "Predecessor", source="VS.STUDYID"),
        AdamVariable("USUBJID", "Unique Subject Identifier", "Char", "Predecessor", source="VS.USUBJID"),
        AdamVariable("PARAMCD", "Parameter Code", "Char", "Predecessor", source="VS.VSTESTCD"),
        AdamVariable("PARAM", "Parameter", "Char", "Derived", method="VSTEST (VSSTRESU)"),
        AdamVariable("AVAL", "Analysis Value", "Num", "Predecessor", source="VS.VSSTRESN"),
        AdamVariable("ADT", "Analysis Date", "Num", "Derived", method="VSDTC as a date", format="DATE9."),
    ),
)


def _export(name, model, frame, spec, variables, keys, label):
    prepared, meta = prepare_frame(frame, variables, name=name, label=label, keys=keys, timestamp=STAMP)
    return ExportDataset(name, model, prepared, meta, spec)


def literal_datasets() -> dict[str, ExportDataset]:
    """Three SDTM datasets (DM, SUPPDM, VS) and two ADaM datasets (ADSL, ADVS), as prepare_datasets gives them."""
    dm = pd.DataFrame({"STUDYID": ["S1", "S1"], "USUBJID": ["S1-001", "S1-002"], "BRTHDTC": ["1970-01-02", "1981-05"],
                       "AGE": [50.0, 41.0], "SEX": ["M", "F"]})
    supp = pd.DataFrame({"STUDYID": ["S1"], "RDOMAIN": ["DM"], "USUBJID": ["S1-002"], "IDVAR": [""],
                         "IDVARVAL": [""], "QNAM": ["RACEOTH"], "QLABEL": ["Race, Other"], "QVAL": ["Maori"],
                         "QORIG": ["Collected"], "QEVAL": [""]})
    vs = pd.DataFrame({"STUDYID": ["S1"] * 5, "USUBJID": ["S1-001"] * 3 + ["S1-002"] * 2,
                       "VSTESTCD": ["SYSBP", "TEMP", "PAIN", "SYSBP", "TEMP"],
                       "VSORRES": ["120", "36.6", "mild", "95", "37"],
                       "VSSTRESN": [120.0, 36.6, None, 95.0, 37.0], "VISITNUM": [1.0, 1.0, 1.0, 1.0, 1.5],
                       "VSDTC": ["2024-01-02", "2024-01-02", "2024-01-02", "2024-01-03", "2024-01-03"]})
    adsl = pd.DataFrame({"STUDYID": ["S1", "S1"], "USUBJID": ["S1-001", "S1-002"], "AGE": [50.0, 41.0],
                         "TRTSDT": pd.to_datetime(["2024-01-02", None]), "SAFFL": ["Y", "N"]})
    advs = pd.DataFrame({"STUDYID": ["S1"] * 4, "USUBJID": ["S1-001", "S1-001", "S1-002", "S1-002"],
                         "PARAMCD": ["SYSBP", "TEMP", "SYSBP", "TEMP"],
                         "PARAM": ["Systolic Blood Pressure (mmHg)", "Temperature (C)"] * 2,
                         "AVAL": [120.0, 36.6, 95.0, 37.0],
                         "ADT": pd.to_datetime(["2024-01-02"] * 2 + ["2024-01-03"] * 2)})
    from cdisc_pipe.export.prepare import SUPP_KEYS, SUPP_VARIABLES

    def main(domain):
        return [(v.name, v.label, v.type, None) for v in domain.main_variables]

    def adam(dataset):
        return [(v.name, v.label, v.type, v.format) for v in dataset.variables]

    return {
        "DM": _export("DM", "SDTM", dm, DM, main(DM), DM.keys, DM.label),
        "SUPPDM": _export("SUPPDM", "SDTM", supp, None, [(v, lbl, "Char", None) for v, lbl in SUPP_VARIABLES],
                          SUPP_KEYS, "Supplemental Qualifiers for DM"),
        "VS": _export("VS", "SDTM", vs, VS, main(VS), VS.keys, VS.label),
        "ADSL": _export("ADSL", "ADAM", adsl, ADSL, adam(ADSL), ADSL.keys, ADSL.label),
        "ADVS": _export("ADVS", "ADAM", advs, ADVS, adam(ADVS), ADVS.keys, ADVS.label),
    }


def literal_define(study, model: str, **kw) -> str:
    context = build_define_context(literal_datasets(), model=model, study=literal_study(study), timestamp=STAMP,
                                   source_system=("cdisc_pipe", "test"), **kw)
    return render_define(context)


def frames(model: str) -> dict:
    return {n: (d.frame, d.metadata) for n, d in literal_datasets().items() if d.model == model}


def _lines(xml: str) -> list[str]:
    return [line.strip() for line in xml.splitlines()]


def test_sdtm_define_places_each_piece(study):
    lines = _lines(literal_define(study, "SDTM"))
    expected = [
        '<?xml-stylesheet type="text/xsl" href="define2-1.xsl"?>',
        'FileOID="DEFINE.HUCMSC-DLC.SDTM.20240131T120000"',
        'CreationDateTime="2024-01-31T12:00:00"',
        'def:Context="Submission">',
        '<def:Standard OID="STD.SDTMIG.3.4" Name="SDTMIG" Type="IG" Version="3.4" Status="Final"/>',
        '<def:Standard OID="STD.CT.SDTM.2025-03-28" Name="CDISC/NCI" Type="CT" PublishingSet="SDTM" '
        'Version="2025-03-28" Status="Final"/>',
        '<ItemGroupDef OID="IG.DM" Domain="DM" Name="DM" SASDatasetName="DM" Repeating="No" IsReferenceData="No" '
        'Purpose="Tabulation" def:Structure="One record per subject" def:StandardOID="STD.SDTMIG.3.4" '
        'def:CommentOID="COM.DM" def:ArchiveLocationID="LF.DM">',
        '<ItemRef ItemOID="IT.DM.USUBJID" OrderNumber="2" Mandatory="Yes" KeySequence="2" Role="Identifier" '
        'MethodOID="MT.DM.USUBJID"/>',
        '<def:leaf ID="LF.DM" xlink:href="dm.xpt">',
        '<ItemDef OID="IT.DM.BRTHDTC" Name="BRTHDTC" DataType="partialDate" SASFieldName="BRTHDTC">',
        '<def:Origin Type="Collected" Source="Investigator"/>',
        '<ItemDef OID="IT.DM.SEX" Name="SEX" DataType="text" Length="1" SASFieldName="SEX">',
        '<CodeListRef CodeListOID="CL.SEX"/>',
        '<ItemDef OID="IT.DM.AGE" Name="AGE" DataType="integer" Length="8" SASFieldName="AGE">',
        '<ItemDef OID="IT.VS.VSSTRESN" Name="VSSTRESN" DataType="float" Length="8" SignificantDigits="1" '
        'SASFieldName="VSSTRESN">',
        '<def:ValueListRef ValueListOID="VL.VS.VSORRES"/>',
        '<ItemDef OID="IT.VS.VSDTC" Name="VSDTC" DataType="date" SASFieldName="VSDTC">',
        # value level: one entry per test with data, typed from its own records
        '<ItemRef ItemOID="IT.VS.VSORRES.SYSBP" OrderNumber="1" Mandatory="No">',
        '<def:WhereClauseRef WhereClauseOID="WC.VS.VSTESTCD.SYSBP"/>',
        '<RangeCheck Comparator="EQ" SoftHard="Soft" def:ItemOID="IT.VS.VSTESTCD">',
        '<CheckValue>TEMP</CheckValue>',
        '<ItemDef OID="IT.VS.VSORRES.SYSBP" Name="VSORRES" DataType="integer" Length="3" SASFieldName="VSORRES">',
        '<ItemDef OID="IT.VS.VSORRES.TEMP" Name="VSORRES" DataType="float" Length="4" SignificantDigits="1" '
        'SASFieldName="VSORRES">',
        '<ItemDef OID="IT.VS.VSORRES.PAIN" Name="VSORRES" DataType="text" Length="4" SASFieldName="VSORRES">',
        '<TranslatedText xml:lang="en">Systolic Blood Pressure (mmHg)</TranslatedText>',
        '<ItemRef ItemOID="IT.VS.VSSTRESN.SYSBP" OrderNumber="1" Mandatory="No" MethodOID="MT.VS.VSSTRESN">',
        # SUPP--: QVAL per QNAM, origin of the parent's supplemental variable
        '<ItemGroupDef OID="IG.SUPPDM" Domain="DM" Name="SUPPDM" SASDatasetName="SUPPDM" Repeating="Yes" '
        'IsReferenceData="No" Purpose="Tabulation" def:Structure="One record per IDVAR, IDVARVAL, and QNAM value per '
        'subject" def:StandardOID="STD.SDTMIG.3.4" def:CommentOID="COM.SUPPDM" def:ArchiveLocationID="LF.SUPPDM">',
        '<def:Class Name="RELATIONSHIP"/>',
        '<ItemDef OID="IT.SUPPDM.QVAL.RACEOTH" Name="QVAL" DataType="text" Length="5" SASFieldName="QVAL">',
        # codelists: NCI codes, decodes, the sponsor term of an extensible list marked extended
        '<CodeList OID="CL.SEX" Name="Sex" DataType="text" def:StandardOID="STD.CT.SDTM.2025-03-28">',
        '<CodeListItem CodedValue="M" OrderNumber="1">',
        '<Alias Name="C20197" Context="nci:ExtCodeID"/>',
        '<TranslatedText xml:lang="en">Female &amp; other</TranslatedText>',
        '<Alias Name="C66731" Context="nci:ExtCodeID"/>',
        '<EnumeratedItem CodedValue="PAIN" OrderNumber="3" def:ExtendedValue="Yes"/>',
        '<MethodDef OID="MT.VS.VSSTRESN" Name="Algorithm for VS.VSSTRESN" Type="Computation">',
        '<TranslatedText xml:lang="en">Source: CRF form VS</TranslatedText>',
    ]
    missing = [line for line in expected if line not in lines]
    assert missing == []


def test_adam_define_places_each_piece(study):
    lines = _lines(literal_define(study, "ADAM"))
    expected = [
        '<def:Standard OID="STD.ADaMIG.1.3" Name="ADaMIG" Type="IG" Version="1.3" Status="Final"/>',
        '<ItemGroupDef OID="IG.ADSL" Name="ADSL" SASDatasetName="ADSL" Repeating="No" IsReferenceData="No" '
        'Purpose="Analysis" def:Structure="One record per subject" def:StandardOID="STD.ADaMIG.1.3" '
        'def:CommentOID="COM.ADSL" def:ArchiveLocationID="LF.ADSL">',
        '<def:Class Name="SUBJECT LEVEL ANALYSIS DATASET"/>',
        '<ItemDef OID="IT.ADSL.TRTSDT" Name="TRTSDT" DataType="integer" Length="8" SASFieldName="TRTSDT" '
        'def:DisplayFormat="DATE9.">',
        '<def:Origin Type="Predecessor">',
        '<TranslatedText xml:lang="en">DM.AGE</TranslatedText>',
        '<def:Origin Type="Derived" Source="Sponsor"/>',
        '<ItemRef ItemOID="IT.ADVS.ADT" OrderNumber="6" Mandatory="Yes" KeySequence="4" MethodOID="MT.ADVS.ADT"/>',
        '<ItemRef ItemOID="IT.ADVS.AVAL.TEMP" OrderNumber="2" Mandatory="No">',
        '<ItemDef OID="IT.ADVS.AVAL.TEMP" Name="AVAL" DataType="float" Length="8" SignificantDigits="1" '
        'SASFieldName="AVAL">',
        '<TranslatedText xml:lang="en">Temperature (C)</TranslatedText>',
        '<TranslatedText xml:lang="en">Source: VS records where VSSTRESN.notna()</TranslatedText>',
        # a date whose step may impute missing parts is an imputation; one that may not, a computation
        '<MethodDef OID="MT.ADSL.TRTSDT" Name="Algorithm for ADSL.TRTSDT" Type="Imputation">',
        '<MethodDef OID="MT.ADVS.ADT" Name="Algorithm for ADVS.ADT" Type="Computation">',
    ]
    missing = [line for line in expected if line not in lines]
    assert missing == []
    assert "Role=" not in "\n".join(lines)  # roles are SDTM only


@needs_schema
@pytest.mark.parametrize("model", ["SDTM", "ADAM"])
def test_literal_defines_pass_every_check(study, model):
    report = validate_define(literal_define(study, model), datasets=frames(model))
    assert [(f.rule, f.message) for f in report.findings] == []


@needs_schema
def test_texts_needing_escapes_render_and_read_back(study):
    xml = literal_define(study, "SDTM")
    assert "Age &lt;years&gt; &amp; &#34;done&#34; &#39;at&#39; consent — âge" in xml
    root = ElementTree.fromstring(xml.encode("utf-8"))
    age = root.find(".//odm:ItemDef[@OID='IT.DM.AGE']/odm:Description/odm:TranslatedText", NS)
    method = root.find(".//odm:MethodDef[@OID='MT.DM.AGE']/odm:Description/odm:TranslatedText", NS)
    assert (age.text, method.text) == (TRICKY, "Years from BRTHDTC; < 18 excluded")
    assert validate_define(xml, datasets=frames("SDTM")).findings == []


def test_a_character_xml_cannot_hold_is_an_error(study):
    datasets = literal_datasets()
    meta = datasets["DM"].metadata
    bad = replace(meta, variables=tuple(replace(v, label="Sex\x07") if v.name == "SEX" else v for v in meta.variables))
    datasets["DM"] = replace(datasets["DM"], metadata=bad)
    context = build_define_context(datasets, model="SDTM", study=literal_study(study), timestamp=STAMP)
    with pytest.raises(ExportError, match=r"only characters XML 1.0 allows \(got '\\x07' on line \d+"):
        render_define(context)


def test_rendering_is_deterministic(study):
    assert literal_define(study, "SDTM") == literal_define(study, "SDTM")


def test_documents_become_annotated_crf_supplemental_doc_and_origin_links(study):
    docs = [Document("crf", "acrf.pdf", "Annotated CRF"), Document("supplemental", "csdrg.pdf", "Reviewer's Guide")]
    lines = _lines(literal_define(study, "SDTM", documents=docs))
    for expected in ['<def:AnnotatedCRF>', '<def:DocumentRef leafID="LF.ACRF"/>', '<def:SupplementalDoc>',
                     '<def:DocumentRef leafID="LF.CSDRG"/>', '<def:leaf ID="LF.ACRF" xlink:href="acrf.pdf">',
                     '<def:title>Reviewer&#39;s Guide</def:title>',
                     '<def:Origin Type="Collected" Source="Investigator">']:
        assert expected in lines


def test_sponsor_term_in_a_non_extensible_cdisc_codelist_is_reported(study):
    spec = literal_study(study)
    sex = replace(spec.codelists["SEX"], terms=spec.codelists["SEX"].terms + (Term("9", "U", "Unknown"),))
    spec = replace(spec, codelists={**spec.codelists, "SEX": sex})
    context = build_define_context(literal_datasets(), model="SDTM", study=spec, timestamp=STAMP)
    assert [(f.rule, f.value, f.message) for f in context.findings] == [
        ("DEFINE-CT-NONEXTENSIBLE", "U", "codelist 'SEX' (C66731) is not extensible, so term 'U' must carry an NCI "
                                         "code (got none)")]


def test_model_must_be_sdtm_or_adam(study):
    with pytest.raises(ValueError, match=r"model must be one of \['ADAM', 'SDTM'\] \(got 'SEND'\)"):
        build_define_context({}, model="SEND", study=study, timestamp=STAMP)


_XML_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"),
                    min_size=1, max_size=40)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(label=_XML_TEXT, decode=_XML_TEXT)
def test_any_text_reads_back_exactly(study, label, decode):
    """A label and a codelist decode of any printable text come back from define.xml unchanged."""
    datasets = literal_datasets()
    meta = datasets["DM"].metadata
    meta = replace(meta, variables=tuple(replace(v, label=label) if v.name == "SEX" else v for v in meta.variables))
    datasets["DM"] = replace(datasets["DM"], metadata=meta)
    spec = literal_study(study)
    sex = spec.codelists["SEX"]
    sex = replace(sex, terms=(replace(sex.terms[0], decode=decode), sex.terms[1]))
    spec = replace(spec, codelists={**spec.codelists, "SEX": sex})
    xml = render_define(build_define_context(datasets, model="SDTM", study=spec, timestamp=STAMP))
    root = ElementTree.fromstring(xml.encode("utf-8"))
    got_label = root.find(".//odm:ItemDef[@OID='IT.DM.SEX']/odm:Description/odm:TranslatedText", NS).text
    got_decode = root.find(".//odm:CodeList[@OID='CL.SEX']/odm:CodeListItem/odm:Decode/odm:TranslatedText", NS).text
    assert (got_label, got_decode) == (label, decode)


def test_value_without_data_leaves_no_definition_behind(study):
    """A test in the spec with no records gets no value-level entry, and its codelist or method no definition."""
    datasets = literal_datasets()
    vs = datasets["VS"]
    datasets["VS"] = replace(vs, frame=vs.frame[vs.frame["VSTESTCD"] != "PAIN"].reset_index(drop=True))
    spec = literal_study(study)
    context = build_define_context(datasets, model="SDTM", study=spec, timestamp=STAMP)
    assert "IT.VS.VSORRES.PAIN" not in {i.oid for i in context.items}
    assert "CL.PAINSC" not in {c.oid for c in context.codelists}
    assert [f.rule for f in validate_define(render_define(context)).findings] == []


def test_numeric_result_of_a_coded_crf_field_carries_its_codelist(study):
    datasets = literal_datasets()
    vs = datasets["VS"]
    frame = vs.frame.copy()
    frame.loc[frame["VSTESTCD"] == "PAIN", "VSSTRESN"] = 1.0
    datasets["VS"] = replace(vs, frame=frame)
    context = build_define_context(datasets, model="SDTM", study=literal_study(study), timestamp=STAMP)
    pain = next(i for i in context.items if i.oid == "IT.VS.VSSTRESN.PAIN")
    assert (pain.data_type, pain.codelist_oid) == ("integer", "CL.PAINSC")
    assert [c.oid for c in context.codelists] == ["CL.PAINSC", "CL.SEX", "CL.VSTESTCD"]
