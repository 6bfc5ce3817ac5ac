"""Read a raw CRF export in any supported format: the one entry point the pipeline uses.

=========  ===================================================================  =============================
format     ``path``                                                             reader
=========  ===================================================================  =============================
``csv``    a folder with one CSV file per form (the form's ``file``)            :mod:`cdisc_pipe.raw.csv`
``sas``    a folder with one ``.sas7bdat`` or ``.xpt`` file per form            :mod:`cdisc_pipe.raw.sas`
``odm``    one CDISC ODM 1.3.2 ``.xml`` file with ClinicalData                   :mod:`cdisc_pipe.raw.odm`
=========  ===================================================================  =============================

All three give the same frames for the same data (``docs/readers.md``). A form without a file (or
without records and definition in the ODM file) is listed in :attr:`RawExport.missing_forms`; raw
validation reports it, reading never fails for it. Files in the folder that no form claims are not
read; :func:`unclaimed_files` lists them so a caller can report them.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from cdisc_pipe.errors import InputError
from cdisc_pipe.raw.csv import read_csv_export
from cdisc_pipe.raw.model import RawExport
from cdisc_pipe.raw.odm import read_odm
from cdisc_pipe.raw.sas import SAS_EXTENSIONS, read_sas_export, sas_candidates
from cdisc_pipe.spec.model import Study

__all__ = ["FORMATS", "infer_format", "read_raw", "unclaimed_files"]

#: The raw export formats :func:`read_raw` understands.
FORMATS = ("csv", "sas", "odm")


def read_raw(path: Path, study: Study, *, format: str | None = None) -> RawExport:
    """Read the raw export at ``path`` (a folder of form files, or an ODM ``.xml`` file) for ``study``.

    ``format`` is one of :data:`FORMATS`; when ``None`` it is inferred by :func:`infer_format`.
    Raises :class:`InputError` when ``path`` does not exist, does not fit the format, or a file cannot
    be read at all (bad encoding, malformed CSV, hostile XML...). Data problems inside readable files are
    left to raw validation.
    """
    path = Path(path)
    fmt = infer_format(path, study) if format is None else _checked(format)
    if fmt == "odm":
        if not path.is_file():
            raise InputError(f"`{path}` must be an ODM .xml file for format 'odm' (got {_kind(path)})")
        return read_odm(path, study)
    if not path.is_dir():
        raise InputError(f"`{path}` must be a folder of form files for format '{fmt}' (got {_kind(path)})")
    export = read_sas_export(path, study) if fmt == "sas" else read_csv_export(path, study)
    return dataclasses.replace(export, unclaimed_files=unclaimed_files(path, study, format=fmt))


def infer_format(path: Path, study: Study) -> str:
    """The format of the export at ``path``.

    A file ending in ``.xml`` is ``odm``. A folder is ``sas`` when it holds SAS files for some forms and
    CSV files for none, else ``csv`` (also when it holds no form file at all: every form is then
    missing). A folder with both is ambiguous and an :class:`InputError`: pass ``format``.
    """
    path = Path(path)
    if path.is_file():
        if path.suffix.lower() == ".xml":
            return "odm"
        raise InputError(
            f"`{path}` must be a folder of form files or an ODM .xml file (got a '{path.suffix}' file)"
        )
    if not path.is_dir():
        raise InputError(f"`{path}` must be an existing folder or ODM .xml file (got nothing there)")
    has_csv = any((path / form.file).is_file() for form in study.forms)
    has_sas = any(sas_candidates(path, form) for form in study.forms)
    if has_csv and has_sas:
        raise InputError(
            f"`{path}` must hold one export format (got both CSV and SAS form files); pass format="
        )
    return "sas" if has_sas else "csv"


def unclaimed_files(path: Path, study: Study, *, format: str | None = None) -> tuple[str, ...]:
    """Names of the files in the export folder that look like form files but no form claims, sorted.

    For ``csv`` these are ``*.csv`` files, for ``sas`` ``*.sas7bdat``/``*.xpt`` files. An ODM export is one
    file, so there is nothing to list (item groups no form claims are skipped while reading).
    """
    path = Path(path)
    fmt = infer_format(path, study) if format is None else _checked(format)
    if fmt == "odm" or not path.is_dir():
        return ()
    if fmt == "csv":
        claimed = {form.file for form in study.forms}
        suffixes: tuple[str, ...] = (".csv",)
    else:
        claimed = {f"{Path(form.file).stem}{ext}" for form in study.forms for ext in SAS_EXTENSIONS}
        suffixes = SAS_EXTENSIONS
    return tuple(sorted(
        entry.name for entry in path.iterdir()
        if entry.is_file() and entry.suffix.lower() in suffixes and entry.name not in claimed
    ))


def _checked(format: str) -> str:
    if format not in FORMATS:
        raise ValueError(f"`format` must be one of {', '.join(FORMATS)} (got {format!r})")
    return format


def _kind(path: Path) -> str:
    if path.is_dir():
        return "a folder"
    if path.is_file():
        return f"a '{path.suffix}' file"
    return "nothing there"
