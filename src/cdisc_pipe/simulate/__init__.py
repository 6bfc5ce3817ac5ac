"""Synthetic raw CRF exports, written the way an EDC writes them.

Public functions:

* :func:`simulate` - study -> {form id: frame of strings}, pure and deterministic for given arguments;
* :func:`write_export` - frames -> one CSV per form (or one ODM 1.3.2 file);
* :func:`run_simulation` - spec folder -> files on disk (what ``cdisc-pipe simulate`` runs);
* :func:`build_schedule` - the visit schedule handed to the measurement simulator;
* :func:`load_calibration` - the study's ``simulation.yaml`` as a :class:`Calibration`.

How the default study is calibrated to the published results, and how a run scales to other sizes, is
documented in ``docs/simulator.md``.
"""

from cdisc_pipe.simulate.calibration import Calibration
from cdisc_pipe.simulate.calibration_load import load_calibration
from cdisc_pipe.simulate.engine import build_schedule, simulate
from cdisc_pipe.simulate.export import run_simulation, write_export

__all__ = ["simulate", "write_export", "run_simulation", "build_schedule", "load_calibration", "Calibration"]
