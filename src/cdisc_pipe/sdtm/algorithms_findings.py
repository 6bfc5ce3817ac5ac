"""Mapping algorithms specific to findings domains (see :mod:`cdisc_pipe.sdtm.registry`)."""

from __future__ import annotations

from cdisc_pipe.sdtm.algorithms import Algorithm

__all__ = ["FINDINGS_ALGORITHMS"]

FINDINGS_ALGORITHMS: tuple[Algorithm, ...] = ()
