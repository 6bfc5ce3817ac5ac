"""The simulator's calibration (``specs/<study>/simulation.yaml``) as frozen dataclasses.

Everything the simulator places on purpose lives here as data: the design, the dose cohorts and their
day-1 dates, the disposition course of every enrolled subject, the serious and non-serious adverse events,
the screen failures with the criteria they failed, and the rates used for demographics, medical history
and concomitant medication. :func:`~cdisc_pipe.simulate.calibration_load.load_calibration` reads and
checks the file; the format is documented in ``docs/simulator.md``.

Days are study days (day 1 = first infusion, no day 0). Coded values are CDISC submission values of the
study's codelists; the simulator writes the EDC code that stands for them.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ArmPlan",
    "DispositionRecord",
    "Death",
    "Course",
    "SeriousEvent",
    "AeTerm",
    "AeEvent",
    "AdverseEventPlan",
    "CalendarConstraint",
    "Demographics",
    "ScreenFailure",
    "HistoryItem",
    "MedicationOption",
    "Medication",
    "DerivedStatuses",
    "Calibration",
    "DS_DATE_RULES",
]

#: What the date of a DS record is: the day-169 visit, the last clinic visit, or the telephone contact.
DS_DATE_RULES = ("d169_visit", "last_clinic", "alive_contact")


@dataclass(frozen=True)
class ArmPlan:
    """One dose cohort: its day-1 dates in enrolment order and the course of each of those subjects."""

    armcd: str
    first_infusions: tuple[str, ...]
    courses: tuple[str, ...]


@dataclass(frozen=True)
class DispositionRecord:
    """A DS record placed by a course: status (NCOMPLT submission value), date rule, free-text reason."""

    status: str
    on: str
    term: str = ""


@dataclass(frozen=True)
class Death:
    day: int
    cause: str
    related: bool


@dataclass(frozen=True)
class Course:
    """How one enrolled subject's participation goes after the infusions.

    ``last_clinic`` is the last clinic folder attended (every earlier one is attended too);
    ``visit_days`` overrides drawn study days of some folders; ``long_term`` says whether survival
    contacts follow day 169; ``d169`` is the DS record at folder D169 and ``eos`` the one at EOS when it is
    not derived (completion, death and data cut-off are derived); ``alive_contact_day`` is the study day
    of a telephone contact that found the subject alive after the last visit.
    """

    name: str
    last_clinic: str
    long_term: bool
    d169: DispositionRecord
    eos: DispositionRecord | None = None
    death: Death | None = None
    sae: str | None = None
    visit_days: tuple[tuple[str, int], ...] = ()
    alive_contact_day: int | None = None


@dataclass(frozen=True)
class SeriousEvent:
    """A serious adverse event placed by a course. ``end_day`` ``None`` means it ends with the death."""

    key: str
    term: str
    start_day: int
    end_day: int | None
    grade: int
    criteria: tuple[str, ...]
    relationship: str
    outcome: str


@dataclass(frozen=True)
class AeTerm:
    """An adverse-event concept: its category, whether a laboratory visit finds it, its verbatims."""

    concept: str
    category: str
    lab: bool
    verbatims: tuple[str, ...]


@dataclass(frozen=True)
class AeEvent:
    """``count`` non-serious events of ``concept`` at ``grade`` in dose group ``arm``."""

    arm: str
    concept: str
    grade: int
    count: int
    relationship: str


@dataclass(frozen=True)
class AdverseEventPlan:
    variant_rate: float
    partial_start_dates: int
    partial_end_dates: int
    lab_duration: tuple[int, int]
    other_duration: tuple[int, int]
    related_onset_days: tuple[int, int]
    lab_folders: tuple[str, ...]
    terms: dict[str, AeTerm]
    events: tuple[AeEvent, ...]

    def events_of(self, arm: str) -> tuple[AeEvent, ...]:
        return tuple(e for e in self.events if e.arm == arm)


@dataclass(frozen=True)
class CalendarConstraint:
    """Keep the dates of ``folder`` in ``arm`` within [on_or_after, on_or_before] (ISO dates or None)."""

    arm: str
    folder: str
    on_or_after: str | None
    on_or_before: str | None


@dataclass(frozen=True)
class Demographics:
    male: float
    age_mean: float
    age_sd: float
    age_min: int
    age_max: int
    ethnic: str
    race: str
    birth_unknown_day: float
    birth_unknown_month: float
    initials_prefix: str


@dataclass(frozen=True)
class ScreenFailure:
    cohort: str
    criteria: tuple[str, ...]
    age: int | None = None


@dataclass(frozen=True)
class HistoryItem:
    term: str
    rate: float
    years_before: tuple[float, float]
    ongoing: float
    unknown_day: float
    unknown_month: float


@dataclass(frozen=True)
class MedicationOption:
    weight: float
    treatment: str
    category: str
    dose: float
    unit: str
    frequency: str
    route: str
    indication: str


@dataclass(frozen=True)
class Medication:
    name: str
    rate: float
    requires: str | None
    years_before: tuple[float, float]
    ongoing: float
    unknown_day: float
    unknown_month: float
    options: tuple[MedicationOption, ...]


@dataclass(frozen=True)
class DerivedStatuses:
    """The DS statuses the simulator derives rather than reads from a course, with their reasons."""

    completed: str
    death: str
    cutoff: str
    completed_term: str
    cutoff_term: str


@dataclass(frozen=True)
class Calibration:
    """The whole of ``simulation.yaml``."""

    seed: int
    site: str
    enrolled: int
    screen_failure_count: int
    infusion_volume: float
    infusion_folders: tuple[str, ...]
    infusion_start: tuple[int, int]  # minutes after midnight
    infusion_minutes: tuple[int, int]
    consent_versions: tuple[tuple[str, str], ...]  # (from ISO date, version), ascending
    arms: tuple[ArmPlan, ...]
    visit_offsets: dict[str, tuple[int, int]]
    calendar_constraints: tuple[CalendarConstraint, ...]
    eligibility_after_screening: tuple[int, int]
    enrolment_after_eligibility: tuple[int, int]
    failure_window: tuple[int, int]
    contact_folders: tuple[str, ...]
    contact_modes: tuple[tuple[str, float], ...]
    phone_prefix: str
    scale_jitter: tuple[float, float]
    statuses: DerivedStatuses
    courses: dict[str, Course]
    serious_events: dict[str, SeriousEvent]
    adverse_events: AdverseEventPlan
    demographics: Demographics
    screen_failures: tuple[ScreenFailure, ...]
    medical_history: tuple[HistoryItem, ...]
    medications: tuple[Medication, ...]

    def arm(self, armcd: str) -> ArmPlan:
        for plan in self.arms:
            if plan.armcd == armcd:
                return plan
        raise KeyError(f"calibration has no arm '{armcd}'")
