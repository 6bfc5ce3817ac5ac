"""Build every SDTM domain of a study from its raw export, in dependency order.

1. Phase 1 of every ``form``/``melt``/``stack`` domain (raw values through the spec's algorithms), DM included.
2. SE from DM's reference dates; trial design domains from the spec (``builder`` domains).
3. Phase 2 of every domain (--DY against DM, EPOCH against SE, --LOBXFL, then --SEQ).
4. SUPP-- from the variables marked ``supp``; the lineage table from the provenance columns.

Data problems met on the way (a code outside its codelist, an undetermined age) are findings in the
result's report; they never raise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pandas as pd

from cdisc_pipe.errors import Report
from cdisc_pipe.raw.model import RawExport
from cdisc_pipe.sdtm.build import LINEAGE_COLUMNS, apply_phase2, apply_sources, split_lineage
from cdisc_pipe.sdtm.relrec import build_relrec
from cdisc_pipe.sdtm.subject_elements import build_se
from cdisc_pipe.sdtm.supplemental import build_supp
from cdisc_pipe.sdtm.trial_design import build_ta, build_te, build_ti, build_ts, build_tv
from cdisc_pipe.spec import Study
from cdisc_pipe.spec.sdtm_load import load_sdtm_spec
from cdisc_pipe.spec.sdtm_model import Domain

__all__ = ["SdtmResult", "build_sdtm", "BUILDERS", "FINAL_BUILDERS"]


@dataclass(frozen=True)
class SdtmResult:
    """Every SDTM dataset by name (SUPP-- included), the lineage table, and the findings."""

    domains: dict[str, pd.DataFrame]
    lineage: pd.DataFrame
    report: Report
    spec: dict[str, Domain]


Builder = Callable[[Study, dict[str, pd.DataFrame]], pd.DataFrame]

#: Domains assembled by dedicated code rather than record by record (``source: {kind: builder}``).
BUILDERS: dict[str, Builder] = {
    "SE": lambda study, built: build_se(built["DM"], study, built.get("SV")),
    "TA": lambda study, built: build_ta(study),
    "TE": lambda study, built: build_te(study),
    "TV": lambda study, built: build_tv(study),
    "TI": lambda study, built: build_ti(study),
    "TS": lambda study, built: build_ts(study, built["DM"]),
}

#: ``builder`` domains built last, from the finished domains (--SEQ assigned): relationships.
FINAL_BUILDERS: dict[str, Callable[[dict[str, pd.DataFrame], Study], pd.DataFrame]] = {
    "RELREC": build_relrec,
}


def build_sdtm(export: RawExport, study: Study, spec: dict[str, Domain] | None = None) -> SdtmResult:
    """All domains of ``spec`` (default: the study's ``sdtm/`` folder) from ``export``."""
    spec = spec if spec is not None else load_sdtm_spec(study)
    report = Report()
    working: dict[str, pd.DataFrame] = {}
    for name, domain in spec.items():
        if domain.source.kind == "builder":
            continue
        working[name], findings = apply_sources(domain, export, study)
        report.extend(findings)

    dm = working.get("DM")
    # builders see the phase-1 frames of DM and SV (SE needs the reference dates and the actual visit dates)
    built: dict[str, pd.DataFrame] = {name: working[name] for name in ("DM", "SV") if name in working}
    for name, domain in spec.items():
        if domain.source.kind == "builder" and name not in FINAL_BUILDERS:
            if name not in BUILDERS:
                known = sorted([*BUILDERS, *FINAL_BUILDERS])
                raise ValueError(f"domain {name}: a 'builder' source must have a builder (known: {known})")
            built[name] = BUILDERS[name](study, built)
    se = built.get("SE")

    domains: dict[str, pd.DataFrame] = {}
    lineages = []
    for name, domain in spec.items():
        if domain.source.kind == "builder":
            if name not in FINAL_BUILDERS:
                domains[name] = built[name].loc[:, [v.name for v in domain.main_variables]]
            continue
        finished = apply_phase2(working[name], domain, dm=dm, se=se)
        main, lineage = split_lineage(finished, domain)
        domains[name] = main
        lineages.append(lineage)
        supp = build_supp(finished, domain)
        if len(supp):
            domains[f"SUPP{name}"] = supp
    for name, final in FINAL_BUILDERS.items():
        if name in spec:
            domains[name] = final(domains, study).loc[:, [v.name for v in spec[name].main_variables]]
    lineage = pd.concat(lineages, ignore_index=True) if lineages else pd.DataFrame(columns=LINEAGE_COLUMNS)
    return SdtmResult(domains=domains, lineage=lineage, report=report, spec=spec)
