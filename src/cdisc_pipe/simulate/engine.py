"""The simulator's entry points: the schedule, and the whole raw export as frames of strings.

Order of work (each part with its own random stream, see :mod:`~cdisc_pipe.simulate.streams`):
population -> time line -> subject forms (DM, IC, ELIG, IE, ENR) -> visits and infusions (VIS, EX) ->
disposition, contacts, death (DS, SURV, DTH) -> medical history and medication (MH, CM) -> adverse events
(AE) -> measurements (LBLIV, LBCOAG, LBCHEM, LBHEM, LBIMM, LBCYT, VS, SYMP, SF36, by
:func:`cdisc_pipe.simulate.measurements.simulate_measurements`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from cdisc_pipe.errors import SpecError
from cdisc_pipe.simulate.adverse_events import build_ae
from cdisc_pipe.simulate.calibration import Calibration
from cdisc_pipe.simulate.calibration_load import load_calibration
from cdisc_pipe.simulate.codes import CodeBook
from cdisc_pipe.simulate.edc import finish_frame
from cdisc_pipe.simulate.forms_subject import build_dm, build_elig, build_enr, build_ic, build_ie
from cdisc_pipe.simulate.forms_visits import (
    build_ds,
    build_dth,
    build_ex,
    build_schedule_frame,
    build_surv,
    build_vis,
)
from cdisc_pipe.simulate.history import build_cm, build_mh
from cdisc_pipe.simulate.measurements import simulate_measurements
from cdisc_pipe.simulate.population import Population, build_population
from cdisc_pipe.simulate.streams import stream
from cdisc_pipe.simulate.timeline import Timeline, build_timeline
from cdisc_pipe.spec.model import Study

__all__ = ["MEASUREMENTS_FILE", "Core", "simulate_core", "build_schedule", "simulate", "load_measurement_config"]

MEASUREMENTS_FILE = "simulation-measurements.yaml"


@dataclass(frozen=True, eq=False)
class Core:
    """The drawn population and time line of one run, with the calibration and seed that made them."""

    study: Study
    calibration: Calibration
    seed: int
    population: Population
    timeline: Timeline
    codes: CodeBook
    schedule: pd.DataFrame


def _assert_arguments(subjects: Any, seed: Any) -> None:
    if subjects is not None and (
        isinstance(subjects, bool) or not isinstance(subjects, (int, np.integer)) or subjects < 1
    ):
        raise ValueError(f"`subjects` must be a positive whole number or None (got {subjects!r})")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
        raise ValueError(f"`seed` must be a non-negative whole number or None (got {seed!r})")


def simulate_core(
    study: Study, *, subjects: int | None = None, seed: int | None = None, calibration: Calibration | None = None
) -> Core:
    """Draw the population and time line (no forms yet). ``calibration`` defaults to the study's own."""
    _assert_arguments(subjects, seed)
    calibration = calibration if calibration is not None else load_calibration(study)
    seed = calibration.seed if seed is None else int(seed)
    subjects = None if subjects is None else int(subjects)
    population = build_population(study, calibration, subjects, stream(seed, "population"))
    timeline = build_timeline(study, calibration, population, stream(seed, "visits"), stream(seed, "disposition"))
    codes = CodeBook(study)
    schedule = build_schedule_frame(study, population, timeline, codes)
    return Core(study, calibration, seed, population, timeline, codes, schedule)


def build_schedule(study: Study, *, subjects: int | None = None, seed: int | None = None) -> pd.DataFrame:
    """The visit schedule handed to the measurement simulator (columns: ``docs/simulator.md``).

    One row per subject and clinic folder attended, sorted by subject then folder: ``SUBJECT``,
    ``SITENUMBER``, ``ARMCD``, ``ARMSEQ``, ``COURSE``, ``ENROLLED``, ``SEX``, ``AGE``, ``FOLDER``,
    ``VISITDY`` (planned day), ``VISDAT`` (datetime64), ``VISDY`` (actual study day, Int64, <NA> for
    screen failures), ``RFSTDAT`` (first infusion, datetime64, NaT for screen failures).
    """
    return simulate_core(study, subjects=subjects, seed=seed).schedule


def load_measurement_config(study: Study) -> dict:
    """``simulation-measurements.yaml`` of the study, parsed (its format belongs to the measurements)."""
    path = Path(study.root) / MEASUREMENTS_FILE
    if not path.is_file():
        raise SpecError(
            f"{MEASUREMENTS_FILE}: measurement calibration must exist beside the spec (got nothing at '{path}')"
        )
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise SpecError(f"{MEASUREMENTS_FILE}: file must be valid YAML ({err})") from err
    if not isinstance(config, dict):
        raise SpecError(f"{MEASUREMENTS_FILE}: document must be a mapping (got {type(config).__name__})")
    return config


def _core_frames(core: Core) -> dict[str, pd.DataFrame]:
    study, cal, pop, tl, codes, seed = (
        core.study,
        core.calibration,
        core.population,
        core.timeline,
        core.codes,
        core.seed,
    )
    frames = {
        "DM": build_dm(study, cal, pop, codes),
        "IC": build_ic(study, cal, pop, codes),
        "ELIG": build_elig(study, cal, pop, codes),
        "IE": build_ie(study, cal, pop, codes),
        "ENR": build_enr(study, cal, pop, codes),
        "VIS": build_vis(study, pop, tl),
        "EX": build_ex(study, cal, pop, tl, codes, stream(seed, "exposure")),
        "DS": build_ds(study, pop, tl, codes),
        "SURV": build_surv(study, cal, pop, tl, codes),
        "DTH": build_dth(study, pop, tl, codes),
    }
    history = stream(seed, "history")
    frames["MH"], has = build_mh(study, cal, pop, codes, history)
    frames["CM"] = build_cm(study, cal, pop, codes, has, history)
    frames["AE"] = build_ae(study, cal, pop, tl, codes, stream(seed, "adverse_events"))
    return frames


def simulate(study: Study, *, subjects: int | None = None, seed: int | None = None) -> dict[str, pd.DataFrame]:
    """The raw export of ``study``: form id -> frame of strings exactly as they will be written.

    ``subjects`` is the number of enrolled subjects (default: the calibrated design, 24 for the default
    study, with every event placed by hand); ``seed`` the random seed (default: ``simulation.yaml``
    ``seed``). Same arguments, same frames. Pure: reads the spec folder's calibration, writes nothing.
    """
    core = simulate_core(study, subjects=subjects, seed=seed)
    frames = _core_frames(core)
    measured = simulate_measurements(
        study, core.schedule, load_measurement_config(study), stream(core.seed, "measurements")
    )
    overlap = sorted(set(frames) & set(measured))
    if overlap:
        raise ValueError(f"`simulate_measurements` must return only measurement forms (got core forms {overlap})")
    frames.update(measured)
    missing = [form.id for form in study.forms if form.id not in frames]
    if missing:
        raise ValueError(f"the simulator must produce a frame for every form of the study (got none for {missing})")
    return {form.id: finish_frame(frames[form.id], form, study) for form in study.forms}
