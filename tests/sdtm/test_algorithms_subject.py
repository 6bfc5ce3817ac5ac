"""Subject-level algorithms on a literal multi-form export (the DM building blocks)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from cdisc_pipe.raw.model import ROW, RawExport, RawForm
from cdisc_pipe.sdtm.algorithms_subject import compute_age
from cdisc_pipe.sdtm.build import apply_phase1, source_records
from cdisc_pipe.sdtm.registry import ALGORITHMS, assert_algorithm_args
from cdisc_pipe.spec.sdtm_model import Domain, SdtmVariable, Source


def V(name, algorithm, type="Char", **args):
    return SdtmVariable(name=name, label=name, type=type, algorithm=algorithm, args=args)


def _export(study, **frames):
    files = {"DM": "dm.csv", "IC": "ic.csv", "EX": "ex.csv", "ENR": "enr.csv", "DTH": "death.csv"}
    forms = {
        form: RawForm(form=study.form(form), file=files[form],
                      frame=pd.DataFrame(data, dtype="string").assign(**{ROW: range(1, len(data["SUBJECT"]) + 1)}))
        for form, data in frames.items()
    }
    return RawExport(source=Path("."), format="csv", forms=forms)


DM = Domain(
    name="DM", label="Demographics", domain_class="SPECIAL PURPOSE", structure="One record per subject",
    keys=("USUBJID",), order=(), source=Source(kind="form", form="DM"),
    variables=(
        V("USUBJID", "usubjid"),
        V("RFICDTC", "first_date", sources=[{"form": "IC", "date": "ICDAT"}]),
        V("RFXSTDTC", "first_date", sources=[{"form": "EX", "date": "EXSTDAT", "time": "EXSTTIM"}]),
        V("RFXENDTC", "last_date", sources=[{"form": "EX", "date": "EXSTDAT"}]),
        V("ARMCD", "arm", attribute="armcd"),
        V("ARM", "arm", attribute="arm"),
        V("DTHDTC", "lookup", form="DTH", field="DTHDAT", **{"as": "date"}),
        V("DTHFL", "flag_exists", form="DTH"),
        V("AGE", "age", "Num", field="BRTHDAT", reference="RFICDTC"),
    ),
)


def test_dm_building_blocks(study):
    export = _export(
        study,
        DM={"SUBJECT": ["01-001", "01-002", "01-003"], "BRTHDAT": ["15 JUN 1970", "UN MAR 1980", "UN JAN 1960"]},
        IC={"SUBJECT": ["01-001", "01-002", "01-003"], "ICDAT": ["01 MAR 2020", "20 MAR 2020", "02 FEB 2020"]},
        EX={"SUBJECT": ["01-001", "01-001", "01-001"], "EXSTDAT": ["22 MAR 2020", "08 MAR 2020", "15 MAR 2020"],
            "EXSTTIM": ["09:00", "09:30", ""]},
        ENR={"SUBJECT": ["01-001"], "DOSEGRP": ["3"]},
        DTH={"SUBJECT": ["01-001"], "DTHDAT": ["UN JUL 2021"]},
    )
    from cdisc_pipe.sdtm.context import MapContext

    context = MapContext(study=study, domain=DM, export=export)
    dm = apply_phase1(source_records(DM, export, study), context)
    got = dm[["USUBJID", "RFICDTC", "RFXSTDTC", "RFXENDTC", "ARMCD", "DTHDTC", "DTHFL", "AGE"]]
    assert got.astype(object).where(got.notna(), None).values.tolist() == [
        ["HUCMSC-DLC-01-001", "2020-03-01", "2020-03-08T09:30", "2020-03-22", "HIGH", "2021-07", "Y", 49.0],
        # born in March 1980, consented 20 March 2020: 39 or 40 depending on the unknown day -> no age
        ["HUCMSC-DLC-01-002", "2020-03-20", None, None, None, None, None, None],
        # born in January 1960, consented 2 February 2020: 60 whatever the day
        ["HUCMSC-DLC-01-003", "2020-02-02", None, None, None, None, None, 60.0],
    ]
    assert dm["ARM"].iloc[0] == "hUC-MSC 1.0x10^8 cells"
    [warning] = context.findings
    assert (warning.rule, warning.subject, warning.value) == ("SDTM-AGE-UNDETERMINED", "01-002", "UN MAR 1980")


def test_compute_age_on_birthday():
    ts = lambda *v: pd.Series(pd.to_datetime(list(v)))  # noqa: E731
    assert compute_age(ts("2000-02-29"), ts("2000-02-29"), ts("2021-02-28")).tolist() == [20]
    assert compute_age(ts("2000-02-29"), ts("2000-02-29"), ts("2021-03-01")).tolist() == [21]


def test_registry_checks_arguments():
    assert "first_date" in ALGORITHMS and "assign_ct" in ALGORITHMS
    problems = assert_algorithm_args(V("X", "assign_tc", field="A"), where="ae.yaml: variables[0] (X)")
    assert problems == ["ae.yaml: variables[0] (X).algorithm: must be one of the registered algorithms "
                        "(got 'assign_tc'); closest match: 'assign_ct'"]
    problems = assert_algorithm_args(V("X", "lookup", form="DTH", fld="DTHDAT"), where="dm.yaml: variables[3] (X)")
    assert problems == [
        "dm.yaml: variables[3] (X): algorithm 'lookup' must have argument 'field' (got none)",
        "dm.yaml: variables[3] (X): algorithm 'lookup' takes arguments ['as', 'field', 'form'] (got unknown 'fld')",
    ]


def test_spec_that_maps_a_direct_identifier_is_refused(study, tmp_path):
    import shutil

    import pytest

    from cdisc_pipe.errors import SpecError
    from cdisc_pipe.spec import load_spec
    from cdisc_pipe.spec.sdtm_load import load_sdtm_spec

    spec = tmp_path / "spec"
    shutil.copytree(study.root, spec, ignore=shutil.ignore_patterns("raw"))
    dm = spec / "sdtm" / "dm.yaml"
    dm.write_text(dm.read_text(encoding="utf-8").replace("args: {field: SUBJECT}", "args: {field: INITIALS}"),
                  encoding="utf-8")
    with pytest.raises(SpecError, match=r"'DM.INITIALS' is a direct identifier and must never reach SDTM "
                                        r"\(got it as the source of SUBJID\)"):
        load_sdtm_spec(load_spec(spec))


def test_melt_that_reads_a_direct_identifier_is_refused(study):
    from cdisc_pipe.spec.sdtm_load import _identifier_problems  # the check the loader runs per domain
    from cdisc_pipe.spec.sdtm_model import Domain, SdtmVariable, Source

    domain = Domain(
        name="SS", label="Subject Status", domain_class="FINDINGS", structure="...", keys=("USUBJID",), order=(),
        source=Source(kind="melt", form="SURV", tests=({"field": "PHONE", "TESTCD": "PHONE"},)),
        variables=(SdtmVariable(name="SSORRES", label="x", type="Char", algorithm="assign", args={"field": "PHONE"}),),
    )
    problems = list(_identifier_problems(domain, study, where="ss.yaml", source_where="ss.yaml: source"))
    assert problems == [
        "ss.yaml: source.tests[0].field: 'SURV.PHONE' is a direct identifier and must never reach SDTM "
        "(got it as a melted test)",
        "ss.yaml: variables[0] (SSORRES).args.field: 'SURV.PHONE' is a direct identifier and must never reach SDTM "
        "(got it as the source of SSORRES)",
    ]
