"""Our rules against CDISC CORE's own test cases: for every rule of ours with a CORE twin, each CORE case
with expected results is run through our rule and must flag the same records (or datasets, for CORE's
Dataset-sensitivity rules). Differences we keep on purpose are listed with the reason and expected to
differ (strict xfail), so a change in either direction is noticed. docs/conformance.md reports the rate.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from cdisc_pipe.conformance import load_rules

from conformance_core import OPEN_RULES, CoreCase, agree, cases

pytestmark = pytest.mark.reference

RULES = load_rules()
TWINS: dict[str, list] = defaultdict(list)
for _rule in RULES:
    for _core in _rule.core:
        TWINS[_core].append(_rule)

#: Cases where our rule deliberately reports something else than CORE, and why.
KNOWN_DIFFERENCES = {
    "CORE-000170/negative/01": "LBLOBXFL is two blanks in record 6: SAS has no empty string, so a value of only "
                               "blanks is missing in a transport file; CORE, reading CSV, sees a value",
    "CORE-000172/negative/01": "record 2 has no STUDYID: we leave a missing value to SD-REQ-NULL instead of "
                               "reporting it twice; CORE also reports it as 'not DM.STUDYID'",
    "CORE-000457/positive/01": "the case's ec.csv has a blank first line, so CORE sees no EC dataset; we read "
                               "the rows under it and find EC present",
    "CORE-000711/negative/01": "RFSTDTC 2018-11-06T12:00 vs RFENDTC 2018-11-06: the end may be later that day; "
                               "we report only orders that are certain at the precision both dates have",
    "CORE-000714/negative/01": "RFXSTDTC 2018-04-17 vs RFXENDTC 2018-04: equal at month precision, so not "
                               "certainly after; CORE compares as if the missing day were the 1st",
    "CORE-000718/negative/01": "SMSTDTC 2018-07-18T11:15 vs SMENDTC 2018-07-18 and ...T09:25 vs ...T09: "
                               "uncertain at the common precision (see CORE-000711)",
    "CORE-000732/negative/01": "EGSTRESC '+8' is a number to us (a signed decimal); CORE's pattern has no '+'",
    "CORE-000866/negative/01": "LBDTC 2018-11 vs LBENDTC 2018: equal at year precision (see CORE-000711)",
}

CASES: list[tuple[str, CoreCase]] = []
if OPEN_RULES.is_dir():
    CASES = [(core_id, case) for core_id in sorted(TWINS) for case in cases(core_id)]


def _params():
    for core_id, case in CASES:
        name = f"{case.core_id}/{case.folder.parent.name}/{case.folder.name}"
        marks = [pytest.mark.xfail(reason=KNOWN_DIFFERENCES[name], strict=True)] if name in KNOWN_DIFFERENCES else []
        yield pytest.param(core_id, case, id=name, marks=marks)


@pytest.mark.skipif(not OPEN_RULES.is_dir(), reason=f"CDISC open rules not present ({OPEN_RULES})")
@pytest.mark.parametrize(("core_id", "case"), list(_params()))
def test_our_twin_flags_what_core_flags(core_id: str, case: CoreCase) -> None:
    same, theirs, ours = agree(case, TWINS[core_id])
    assert same, f"CORE only: {sorted(theirs - ours, key=str)}; ours only: {sorted(ours - theirs, key=str)}"


@pytest.mark.skipif(not OPEN_RULES.is_dir(), reason=f"CDISC open rules not present ({OPEN_RULES})")
def test_agreement_rate_is_what_the_docs_say() -> None:
    agreeing = sum(agree(case, TWINS[core_id])[0] for core_id, case in CASES)
    assert (agreeing, len(CASES)) == (147, 155)
    assert len(KNOWN_DIFFERENCES) == len(CASES) - agreeing
