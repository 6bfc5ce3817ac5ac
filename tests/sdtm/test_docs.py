"""The SDTM docs cannot drift from the code.

* The algorithm catalogue of ``docs/sdtm/README.md`` lists exactly the algorithms registered in
  ``cdisc_pipe.sdtm.registry.ALGORITHMS``, each with exactly its required and optional arguments and its phase.
* Every domain of the shipped spec has a page ``docs/sdtm/<domain>.md`` that lists every variable of the
  domain (SUPP-- variables included) in the first cell of a table row, and a row in the README's domain table.

The checks are functions returning problems, so the tests below also prove they fail on a drifted text.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Mapping

import pytest

from cdisc_pipe.sdtm.algorithms import Algorithm
from cdisc_pipe.sdtm.registry import ALGORITHMS
from cdisc_pipe.spec.sdtm_load import load_sdtm_spec
from cdisc_pipe.spec.sdtm_model import Domain, SdtmVariable, Source

DOCS = Path(__file__).resolve().parents[2] / "docs" / "sdtm"
README = DOCS / "README.md"
CATALOGUE_HEADING = "## Algorithm catalogue"
DOMAINS_HEADING = "## Domains"


def _section(text: str, heading: str) -> str:
    """The text under ``heading`` up to the next level-2 heading ("" when the heading is absent)."""
    start = text.find(f"\n{heading}\n")
    if start < 0:
        return ""
    body = text[start + len(heading) + 2:]
    end = body.find("\n## ")
    return body if end < 0 else body[:end]


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _ticked(cell: str) -> frozenset[str]:
    return frozenset(re.findall(r"`([^`]+)`", cell))


def catalogue_problems(text: str, algorithms: Mapping[str, Algorithm]) -> list[str]:
    """Differences between the README's catalogue table and the registry (empty when they agree)."""
    section = _section(text, CATALOGUE_HEADING)
    if not section:
        return [f"the README must have a section '{CATALOGUE_HEADING}' (got none)"]
    rows: dict[str, tuple[frozenset[str], frozenset[str], str]] = {}
    problems = []
    for line in section.splitlines():
        if not line.startswith("| `"):
            continue
        cells = _cells(line)
        if len(cells) < 5:
            problems.append(f"catalogue row must have 5 cells (got {len(cells)}: {line!r})")
            continue
        [name] = _ticked(cells[0]) or {cells[0]}
        if name in rows:
            problems.append(f"catalogue must list '{name}' once (got it twice)")
        rows[name] = (_ticked(cells[1]), _ticked(cells[2]), cells[3])
    for name in sorted(set(algorithms) - set(rows)):
        problems.append(f"catalogue must list registered algorithm '{name}' (got no row)")
    for name in sorted(set(rows) - set(algorithms)):
        problems.append(f"catalogue must list registered algorithms only (got '{name}')")
    for name in sorted(set(rows) & set(algorithms)):
        required, optional, phase = rows[name]
        algorithm = algorithms[name]
        if required != algorithm.required:
            problems.append(f"'{name}' required args must be {sorted(algorithm.required)} (got {sorted(required)})")
        if optional != algorithm.optional:
            problems.append(f"'{name}' optional args must be {sorted(algorithm.optional)} (got {sorted(optional)})")
        if phase != str(algorithm.phase):
            problems.append(f"'{name}' phase must be {algorithm.phase} (got {phase!r})")
    return problems


def page_problems(text: str, domain: Domain) -> list[str]:
    """Variables of ``domain`` that no table row of its page lists in its first cell."""
    first_cells = "\n".join(_cells(line)[0] for line in text.splitlines()
                            if line.startswith("|") and line.count("|") > 2)
    return [
        f"docs/sdtm/{domain.name.lower()}.md must list variable {v.name} in a table (got no row)"
        for v in domain.variables
        if not re.search(rf"(?<![A-Z0-9_]){v.name}(?![A-Z0-9_])", first_cells)
    ]


def domain_table_problems(text: str, domains: Mapping[str, Domain]) -> list[str]:
    """Spec domains without a row in the README's domain table that links to their page."""
    section = _section(text, DOMAINS_HEADING)
    listed = {_cells(line)[0]: line for line in section.splitlines() if line.startswith("| ")}
    return [
        f"the README's domain table must list {name} with a link to {name.lower()}.md (got none)"
        for name in domains
        if name not in listed or f"({name.lower()}.md)" not in listed[name]
    ]


# --- the shipped docs ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sdtm_spec(study) -> dict[str, Domain]:
    return load_sdtm_spec(study)


def test_catalogue_lists_every_registered_algorithm_with_its_arguments():
    assert catalogue_problems(README.read_text(encoding="utf-8"), ALGORITHMS) == []


def test_every_domain_has_a_page_listing_every_variable(sdtm_spec):
    problems = []
    for name, domain in sdtm_spec.items():
        page = DOCS / f"{name.lower()}.md"
        if not page.is_file():
            problems.append(f"domain {name} must have a page {page.name} (got none)")
            continue
        problems += page_problems(page.read_text(encoding="utf-8"), domain)
    assert problems == []


def test_readme_domain_table_links_every_domain(sdtm_spec):
    assert domain_table_problems(README.read_text(encoding="utf-8"), sdtm_spec) == []


# --- the checks fail on drifted docs ---------------------------------------------------------------------

def test_catalogue_check_reports_a_wrong_missing_or_unknown_row():
    text = README.read_text(encoding="utf-8")
    hardcode = next(line for line in text.splitlines() if line.startswith("| `hardcode` |"))
    drifted = (text.replace(hardcode, hardcode.replace("`value`", "`values`"))
               .replace("| `seq` | `order` | — | 2 |", "| `seq` | `order` | `by` | 1 |"))
    drifted = "\n".join(line for line in drifted.splitlines() if not line.startswith("| `nrind` |"))
    drifted += "\n| `guess` | — | — | 1 | Not an algorithm. |\n"
    assert catalogue_problems(drifted, ALGORITHMS) == [
        "catalogue must list registered algorithm 'nrind' (got no row)",
        "catalogue must list registered algorithms only (got 'guess')",
        "'hardcode' required args must be ['value'] (got ['values'])",
        "'seq' optional args must be [] (got ['by'])",
        "'seq' phase must be 2 (got '1')",
    ]
    assert catalogue_problems("# no catalogue\n", ALGORITHMS) == [
        f"the README must have a section '{CATALOGUE_HEADING}' (got none)"]


def test_page_check_reports_a_variable_without_a_row():
    domain = Domain(
        name="XX", label="Test", domain_class="FINDINGS", structure="One record per test", keys=("USUBJID",),
        order=(), source=Source(kind="builder"),
        variables=tuple(SdtmVariable(name=n, label=n, type="Char", algorithm="builder")
                        for n in ("USUBJID", "XXORRES", "XXORRESU", "XXSUPPQ")),
    )
    page = ("# XX\n\nXXORRES is mentioned in prose only.\n\n| variable | from |\n|---|---|\n"
            "| USUBJID | DM |\n| XXORRESU | unit |\n| SUPPXX.XXSUPPQ | supp |\n")
    assert page_problems(page, domain) == ["docs/sdtm/xx.md must list variable XXORRES in a table (got no row)"]


def test_domain_table_check_reports_a_missing_domain(sdtm_spec):
    text = README.read_text(encoding="utf-8")
    drifted = "\n".join(line for line in text.splitlines() if not line.startswith("| TV |"))
    assert domain_table_problems(drifted, sdtm_spec) == [
        "the README's domain table must list TV with a link to tv.md (got none)"]
