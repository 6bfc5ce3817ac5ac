"""Find and read the datasets of a folder to check: every ``*.xpt`` under it (an eCTD ``m5`` tree, a
``tabulations/sdtm`` folder, or any folder of transport files) and the ``define.xml`` beside them.

Each dataset is classed for rule scoping: standard (ADaM for names starting ``AD``, or when its define.xml
says so; SDTM otherwise), class (define.xml ``def:Class``, else :file:`domains.yaml`, else from its
variables) and the domain prefix that ``--`` stands for (the DOMAIN value, else the first two letters).
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Iterable, NamedTuple

import pandas as pd
import yaml

from cdisc_pipe.conformance.dates import text
from cdisc_pipe.conformance.define_read import DefineDataset, DefineInfo, read_define
from cdisc_pipe.conformance.model import Dataset, Study, variables_table
from cdisc_pipe.errors import InputError
from cdisc_pipe.export.metadata import DatasetMetadata
from cdisc_pipe.export.xpt import read_xpt

__all__ = ["LoadProblem", "read_folder", "make_dataset", "classify", "sdtm_classes"]

ADAM_CLASSES = ("SUBJECT LEVEL ANALYSIS DATASET", "BASIC DATA STRUCTURE", "OCCURRENCE DATA STRUCTURE",
                "ADAM OTHER")
#: Encodings tried in turn: ASCII-compatible UTF-8 first, then Windows-1252, which SAS files often are.
ENCODINGS = ("utf-8", "cp1252")


class LoadProblem(NamedTuple):
    """A file that could not be read as a dataset (reported as an issue, never raised)."""

    file: str
    message: str


@lru_cache(maxsize=1)
def sdtm_classes() -> dict[str, str]:
    """Domain → SDTM class, from :file:`domains.yaml`."""
    raw = yaml.safe_load(resources.files("cdisc_pipe.conformance").joinpath("domains.yaml").read_text("utf-8"))
    return {domain: cls for cls, domains in raw.items() for domain in domains}


def _normalise_class(value: str) -> str:
    value = " ".join(value.upper().replace("-", " ").split())
    return {"SPECIAL PURPOSE DOMAINS": "SPECIAL PURPOSE", "RELATIONSHIPS": "RELATIONSHIP",
            "SUBJECT LEVEL": "SUBJECT LEVEL ANALYSIS DATASET", "BDS": "BASIC DATA STRUCTURE",
            "OCCDS": "OCCURRENCE DATA STRUCTURE"}.get(value, value)


def classify(name: str, columns: Iterable[str], frame: pd.DataFrame | None = None,
             define_class: str = "") -> tuple[str, str, str]:
    """(standard, class, domain prefix) of dataset ``name`` with ``columns``."""
    name = name.upper()
    columns = list(columns)
    declared = _normalise_class(define_class) if define_class else ""
    if name.startswith("AD") or declared in ADAM_CLASSES:
        if declared in ADAM_CLASSES:
            cls = declared
        elif name == "ADSL":
            cls = "SUBJECT LEVEL ANALYSIS DATASET"
        elif "PARAMCD" in columns:
            cls = "BASIC DATA STRUCTURE"
        elif any(c.endswith(("TERM", "DECOD", "TRT")) for c in columns):
            cls = "OCCURRENCE DATA STRUCTURE"
        else:
            cls = "ADAM OTHER"
        return "ADaM", cls, name
    domain = name[:2]
    if frame is not None and "DOMAIN" in columns and len(frame):
        values = text(frame["DOMAIN"]).dropna()
        if len(values) and len(str(values.iloc[0])) == 2:
            domain = str(values.iloc[0])
    if name.startswith(("SUPP", "SQAP")) or name in ("RELREC", "RELSPEC", "RELSUB"):
        return "SDTM", "RELATIONSHIP", name
    table = sdtm_classes()
    cls = declared or table.get(name) or table.get(domain, "")
    if not cls:
        cls = ("FINDINGS" if f"{domain}TESTCD" in columns else "INTERVENTIONS" if f"{domain}TRT" in columns
               else "EVENTS" if f"{domain}TERM" in columns else "")
    return "SDTM", cls, domain


def make_dataset(name: str, frame: pd.DataFrame, variables: pd.DataFrame, *, label: str = "",
                 file: str | None = None, define: DefineDataset | None = None) -> Dataset:
    """A :class:`Dataset` classed for scoping; ``define`` adds class, keys and codelists."""
    frame = frame.reset_index(drop=True)
    standard, cls, domain = classify(name, frame.columns, frame, define.cls if define else "")
    return Dataset(name=name.upper(), frame=frame, variables=variables, label=label, standard=standard, cls=cls,
                   domain=domain, file=file, codelists=dict(define.codelists) if define else {},
                   keys=define.keys if define else ())


def _metadata_table(meta: DatasetMetadata) -> pd.DataFrame:
    return variables_table([
        {"name": v.name, "label": v.label, "type": v.type, "length": v.length, "order": i + 1, "format": v.format}
        for i, v in enumerate(meta.variables)
    ])


def _read(path: Path) -> tuple[pd.DataFrame, DatasetMetadata]:
    last: InputError | None = None
    for encoding in ENCODINGS:
        try:
            return read_xpt(path, dates="number", encoding=encoding)
        except InputError as err:
            last = err
    assert last is not None
    raise last


def read_folder(path: Path) -> tuple[Study, list[LoadProblem]]:
    """Every dataset under ``path`` (searched recursively), with the define.xml of its folder, or else the
    define.xml under ``path`` that describes most of the folder's datasets (the CDISC pilot keeps its
    define.xml files in a folder of their own)."""
    root = Path(path)
    if not root.is_dir():
        raise InputError(f"folder to check must be an existing directory (got '{root}')")
    study = Study(root=root)
    problems: list[LoadProblem] = []
    files = sorted((p for p in root.rglob("*") if p.suffix.lower() == ".xpt" and p.is_file()),
                   key=lambda p: (str(p.parent), p.name))
    defines = _defines(root, problems)
    chosen: dict[Path, DefineInfo | None] = {}
    for file in files:
        folder = file.parent
        if folder not in chosen:
            stems = {f.stem.upper() for f in files if f.parent == folder}
            chosen[folder] = _define_for(folder, stems, defines)
            if chosen[folder] is not None and chosen[folder].path not in study.defines:
                study.defines.append(chosen[folder].path)
        try:
            frame, meta = _read(file)
        except InputError as err:
            problems.append(LoadProblem(str(file.relative_to(root)), str(err)))
            continue
        info = chosen[folder]
        name = (meta.name or file.stem).upper()
        if name in study.datasets:
            problems.append(LoadProblem(str(file.relative_to(root)),
                                        f"dataset name must be unique in the folder checked (got '{name}' again)"))
            continue
        define = info.datasets.get(name) if info else None
        study.datasets[name] = make_dataset(name, frame, _metadata_table(meta), label=meta.label,
                                            file=str(file.relative_to(root)), define=define)
    return study, problems


def _defines(root: Path, problems: list[LoadProblem]) -> dict[Path, DefineInfo]:
    found = {}
    for candidate in sorted(root.rglob("define.xml")):
        try:
            found[candidate] = read_define(candidate)
        except InputError as err:
            problems.append(LoadProblem(str(candidate.relative_to(root)), str(err)))
    return found


def _define_for(folder: Path, stems: set[str], defines: dict[Path, DefineInfo]) -> DefineInfo | None:
    own = defines.get(folder / "define.xml")
    if own is not None:
        return own
    overlap = sorted(((len(stems & set(info.datasets)), str(path)) for path, info in defines.items()), reverse=True)
    if overlap and overlap[0][0] > 0:
        return defines[Path(overlap[0][1])]
    return None
