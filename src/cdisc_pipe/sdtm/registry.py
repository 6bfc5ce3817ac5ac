"""The algorithm registry: every name a spec's ``algorithm`` key may use, each with its arguments.

Record-level algorithms come from :mod:`cdisc_pipe.sdtm.algorithms`, subject-level ones from
:mod:`cdisc_pipe.sdtm.algorithms_subject`, and the domain-family ones from ``algorithms_events``,
``algorithms_findings`` and ``algorithms_status``; the catalogue is in ``docs/sdtm/README.md``. The spec loader calls :func:`assert_algorithm_args` on every
variable, so a misspelt algorithm or a missing argument is a spec error before any data is read.
"""

from __future__ import annotations

import difflib
from typing import Mapping

from cdisc_pipe.sdtm.algorithms import RECORD_ALGORITHMS, Algorithm
from cdisc_pipe.sdtm.algorithms_events import EVENTS_ALGORITHMS
from cdisc_pipe.sdtm.algorithms_findings import FINDINGS_ALGORITHMS
from cdisc_pipe.sdtm.algorithms_status import STATUS_ALGORITHMS
from cdisc_pipe.sdtm.algorithms_subject import SUBJECT_ALGORITHMS
from cdisc_pipe.spec.sdtm_model import SdtmVariable

__all__ = ["ALGORITHMS", "assert_algorithm_args"]

_ALL = (*RECORD_ALGORITHMS, *SUBJECT_ALGORITHMS, *EVENTS_ALGORITHMS, *FINDINGS_ALGORITHMS, *STATUS_ALGORITHMS)
ALGORITHMS: Mapping[str, Algorithm] = {a.name: a for a in _ALL}
if len(ALGORITHMS) != len(_ALL):
    raise ImportError("two mapping algorithms are registered under the same name")


def assert_algorithm_args(variable: SdtmVariable, *, where: str) -> list[str]:
    """Problems with a variable's algorithm name or arguments (empty when all is well)."""
    algorithm = ALGORITHMS.get(variable.algorithm)
    if algorithm is None:
        close = difflib.get_close_matches(variable.algorithm, ALGORITHMS, n=1)
        hint = f"; closest match: '{close[0]}'" if close else ""
        return [f"{where}.algorithm: must be one of the registered algorithms (got '{variable.algorithm}'){hint}"]
    given = set(variable.args)
    problems = [
        f"{where}: algorithm '{variable.algorithm}' must have argument '{name}' (got none)"
        for name in sorted(algorithm.required - given)
    ]
    problems += [
        f"{where}: algorithm '{variable.algorithm}' takes arguments {sorted(algorithm.required | algorithm.optional)} "
        f"(got unknown '{name}')"
        for name in sorted(given - algorithm.required - algorithm.optional)
    ]
    return problems
