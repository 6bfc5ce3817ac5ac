"""What the conformance engine works on and with: datasets as checked, rules as loaded, severities.

* :class:`Dataset` — one dataset of the folder being checked: its values (``frame``, 1 row per record, a
  RangeIndex so ``index + 1`` is the record number a data manager sees), its variable metadata as a small
  table (``variables``: name, label, type, length, order, format), and what the engine needs to scope rules
  (standard, class, domain prefix) and to check values (codelists and keys from define.xml).
* :class:`Study` — every dataset found, by name, plus the define.xml files read; rules that look across
  datasets (USUBJID in DM, EPOCH in TA, SUPP-- parents) find them here.
* :class:`Rule` — one rule of ``conformance/rules/*.yaml`` after schema validation.

Severities follow Pinnacle 21 / FDA practice: Reject (the FDA gateway refuses the submission), Error,
Warning, Notice.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

__all__ = ["CheckSeverity", "Scope", "Rule", "Dataset", "Study", "VARIABLE_COLUMNS", "variables_table",
           "for_dataset"]


class CheckSeverity(str, enum.Enum):
    """How much a conformance issue matters, most severe first."""

    REJECT = "Reject"
    ERROR = "Error"
    WARNING = "Warning"
    NOTICE = "Notice"

    @property
    def rank(self) -> int:
        return list(CheckSeverity).index(self)


@dataclass(frozen=True)
class Scope:
    """Which datasets a rule runs on. Empty tuples mean "no restriction".

    ``domains`` entries are dataset names (``AE``), ``SUPP--`` (every SUPPxx) or ``AD--`` style prefixes
    ending in ``--``. ``level`` is ``dataset`` (the rule runs once per dataset in scope) or ``study``
    (once per study, for rules about which datasets exist).
    """

    standards: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()
    exclude_classes: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    exclude_domains: tuple[str, ...] = ()
    level: str = "dataset"


@dataclass(frozen=True)
class Rule:
    """One conformance rule as data. ``check``/``where``/``for_each`` stay plain mappings: the ops read
    their own arguments (validated when the rules are loaded)."""

    id: str
    title: str
    standard: str
    section: str
    severity: CheckSeverity
    message: str
    scope: Scope
    check: Mapping[str, Any]
    core: tuple[str, ...] = ()
    authorities: tuple[str, ...] = ()
    where: Mapping[str, Any] | None = None
    for_each: Mapping[str, Any] | None = None
    report: tuple[str, ...] | None = None
    source: str = ""


VARIABLE_COLUMNS = ["name", "label", "type", "length", "order", "format"]


def variables_table(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The variable metadata of one dataset as a table, in dataset order (``order`` is 1-based)."""
    table = pd.DataFrame(rows, columns=VARIABLE_COLUMNS)
    if "order" in table and table["order"].isna().all():
        table["order"] = range(1, len(table) + 1)
    return table.astype({"length": "Int64", "order": "Int64"}).reset_index(drop=True)


@dataclass(frozen=True)
class Dataset:
    """One dataset as checked.

    ``standard`` is ``SDTM`` or ``ADaM``; ``cls`` the SDTM class (``EVENTS``...) or ADaM class
    (``BASIC DATA STRUCTURE``...), upper case; ``domain`` the two-letter prefix that ``--`` stands for
    (``AE`` in AE, ``QS`` in a split QSPH, ``LB`` in SUPPLB's parent); ``codelists`` maps a variable to the
    values its define.xml codelist allows; ``keys`` are define.xml's key variables in KeySequence order.
    """

    name: str
    frame: pd.DataFrame
    variables: pd.DataFrame
    label: str = ""
    standard: str = "SDTM"
    cls: str = ""
    domain: str = ""
    file: str | None = None
    codelists: Mapping[str, frozenset[str]] = field(default_factory=dict)
    keys: tuple[str, ...] = ()

    @property
    def columns(self) -> list[str]:
        return list(self.frame.columns)

    @property
    def records(self) -> int:
        return len(self.frame)


@dataclass
class Study:
    """Every dataset of the folder checked, by upper-case name, and where it came from."""

    datasets: dict[str, Dataset] = field(default_factory=dict)
    root: Path | None = None
    defines: list[Path] = field(default_factory=list)

    def get(self, name: str) -> Dataset | None:
        return self.datasets.get(name.upper())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.upper() in self.datasets


def for_dataset(mapping: Mapping[str, Any], dataset: Dataset, default: Any = ()) -> Any:
    """The entry of ``mapping`` for ``dataset``: by its name, else its domain, else a ``XX--`` prefix
    entry (``SUPP--`` for SUPPAE), else ``default``."""
    for key in (dataset.name, dataset.domain):
        if key in mapping:
            return mapping[key]
    for key, value in mapping.items():
        if key.endswith("--") and dataset.name.startswith(key[:-2]) and len(dataset.name) > len(key) - 2:
            return value
    return default
