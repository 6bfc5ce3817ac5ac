"""OIDs shared by define.xml and Dataset-JSON, so each file points at the other's definitions.

The scheme (Define-XML 2.1 leaves OIDs to the sponsor; this is the common convention of the CDISC
examples): ``IG.<DATASET>``, ``IT.<DATASET>.<VARIABLE>``, value level ``IT.<DATASET>.<VARIABLE>.<VALUE>``,
``VL.<DATASET>.<VARIABLE>``, ``WC.<DATASET>.<VARIABLE>.<VALUE>``, ``CL.<CODELIST>``, ``MT.<DATASET>.<VARIABLE>``,
``COM.<...>``, ``LF.<DATASET>``, ``MDV.<STUDYID>.<MODEL>`` (MODEL = SDTM or ADAM), ``STD.<...>``.
"""

from __future__ import annotations

__all__ = ["study_oid", "mdv_oid", "ig_oid", "it_oid", "vl_oid", "wc_oid", "cl_oid", "mt_oid", "leaf_oid"]


def study_oid(studyid: str) -> str:
    return f"STDY.{studyid}"


def mdv_oid(studyid: str, model: str) -> str:
    return f"MDV.{studyid}.{model.upper()}"


def ig_oid(dataset: str) -> str:
    return f"IG.{dataset}"


def it_oid(dataset: str, variable: str, value: str | None = None) -> str:
    return f"IT.{dataset}.{variable}" + (f".{value}" if value is not None else "")


def vl_oid(dataset: str, variable: str) -> str:
    return f"VL.{dataset}.{variable}"


def wc_oid(dataset: str, variable: str, value: str) -> str:
    return f"WC.{dataset}.{variable}.{value}"


def cl_oid(codelist: str) -> str:
    return f"CL.{codelist}"


def mt_oid(dataset: str, variable: str) -> str:
    return f"MT.{dataset}.{variable}"


def leaf_oid(dataset: str) -> str:
    return f"LF.{dataset}"
