"""Mapping algorithms specific to events domains (see :mod:`cdisc_pipe.sdtm.registry`)."""

from __future__ import annotations

from cdisc_pipe.sdtm.algorithms import Algorithm

__all__ = ["EVENTS_ALGORITHMS"]

EVENTS_ALGORITHMS: tuple[Algorithm, ...] = ()
