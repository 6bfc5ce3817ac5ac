"""The subject-status algorithms (criterion, verbatim_or_ct) on literal frames, and their registration."""

from __future__ import annotations

import pandas as pd
import pytest

import cdisc_pipe.sdtm.registry as registry
from cdisc_pipe.raw.model import ROW
from cdisc_pipe.sdtm.algorithms import FILE
from cdisc_pipe.sdtm.algorithms_status import STATUS_ALGORITHMS, map_criterion, map_verbatim_or_ct
from cdisc_pipe.sdtm.context import MapContext
from cdisc_pipe.spec.sdtm_model import Domain, SdtmVariable, Source


def V(name, algorithm, **args):
    return SdtmVariable(name=name, label=name, type="Char", algorithm=algorithm, args=args)


def _context(study, domain: str, form: str) -> MapContext:
    spec = Domain(name=domain, label=domain, domain_class="EVENTS", structure="...", keys=("USUBJID",),
                  order=(), source=Source(kind="form", form=form), variables=())
    return MapContext(study=study, domain=spec)


IE_RAW = pd.DataFrame({"SUBJECT": ["01-001", "01-007", "01-011", "01-099"], "IECRIT": ["IN05", "IN01", "EX04", "XX9"],
                       FILE: "ie.csv", ROW: [1, 2, 3, 4]}).astype({"SUBJECT": "string", "IECRIT": "string"})


@pytest.mark.parametrize("attribute, expected", [
    ("text", ["Child-Pugh score >= 7", "Aged 18 to 65 years inclusive, either sex", "Portal vein thrombosis", pd.NA]),
    ("category", ["INCLUSION", "INCLUSION", "EXCLUSION", pd.NA]),
    # SDTMIG 3.4 IE: an inclusion criterion not met is "N", an exclusion criterion met is "Y"
    ("result", ["N", "N", "Y", pd.NA]),
])
def test_criterion_attributes_come_from_the_study_criteria(study, attribute, expected):
    context = _context(study, "IE", "IE")
    values = map_criterion(IE_RAW, variable=V("X", "criterion", field="IECRIT", attribute=attribute), context=context)
    assert values.tolist() == expected
    [finding] = context.findings
    assert (finding.rule, finding.file, finding.row, finding.subject, finding.value) == (
        "SDTM-CRITERION-UNKNOWN", "ie.csv", 4, "01-099", "XX9")
    assert finding.message == "`IE.X` must come from a criterion of study.yaml `criteria` (got 'XX9' in IECRIT)"


def test_criterion_refuses_an_unknown_attribute(study):
    with pytest.raises(ValueError, match=r"`IE.IETEST` args.attribute must be one of \['text', 'category', "
                                         r"'result'\] \(got 'label'\)"):
        map_criterion(IE_RAW, variable=V("IETEST", "criterion", field="IECRIT", attribute="label"),
                      context=_context(study, "IE", "IE"))


def test_verbatim_or_ct_keeps_the_verbatim_and_falls_back_to_the_decode(study):
    raw = pd.DataFrame({"SUBJECT": ["01-002", "01-003", "01-005", "01-009", "01-010"],
                        "DSDECOD": ["1", "4", "1", "42", "42"],
                        "DSTERM": ["", "Withdrew after HCC", "Completed the 2-year survival follow-up", "Moved away", ""],
                        FILE: "ds.csv", ROW: [1, 2, 3, 4, 5]}).astype({"SUBJECT": "string", "DSDECOD": "string",
                                                                        "DSTERM": "string"})
    context = _context(study, "DS", "DS")
    values = map_verbatim_or_ct(raw, variable=V("DSTERM", "verbatim_or_ct", field="DSTERM", code_field="DSDECOD"),
                                context=context)
    assert values.tolist() == ["COMPLETED", "Withdrew after HCC", "Completed the 2-year survival follow-up",
                               "Moved away", pd.NA]
    # an unknown code matters only where there is no verbatim to carry the record
    [finding] = context.findings
    assert (finding.rule, finding.row, finding.variable, finding.value) == ("SDTM-CT-UNMAPPED", 5, "DSTERM", "42")
    assert finding.message == "`DS.DSTERM` must come from a code of codelist NCOMPLT (got '42' in DSDECOD)"


def test_verbatim_or_ct_takes_a_named_codelist(study):
    raw = pd.DataFrame({"STATUS": ["2", "1"], "NOTE": [pd.NA, pd.NA]}, dtype="string")
    values = map_verbatim_or_ct(raw, variable=V("X", "verbatim_or_ct", field="NOTE", code_field="STATUS",
                                                codelist="SURVSTAT"), context=_context(study, "SS", "SURV"))
    assert values.tolist() == ["DEAD", "ALIVE"]


def test_status_algorithms_have_unique_names_that_the_registry_does_not_hold_otherwise():
    names = [a.name for a in STATUS_ALGORITHMS]
    assert names == ["criterion", "verbatim_or_ct"]
    for algorithm in STATUS_ALGORITHMS:
        assert registry.ALGORITHMS.get(algorithm.name) in (None, algorithm)
        assert algorithm.phase == 1 and algorithm.func.__doc__


def test_spec_arguments_are_checked_once_registered(monkeypatch):
    for algorithm in STATUS_ALGORITHMS:
        monkeypatch.setitem(registry.ALGORITHMS, algorithm.name, algorithm)
    assert registry.assert_algorithm_args(V("IETEST", "criterion", field="IECRIT", attribute="text"), where="w") == []
    assert registry.assert_algorithm_args(V("DSTERM", "verbatim_or_ct", field="DSTERM"), where="ds.yaml") == [
        "ds.yaml: algorithm 'verbatim_or_ct' must have argument 'code_field' (got none)"]
