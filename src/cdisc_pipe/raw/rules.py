"""The raw-validation rules: stable ids, severities, and what each one enforces.

Every :class:`~cdisc_pipe.errors.Finding` of the ``raw`` stage carries one of these ids. ``docs/errors.md``
documents each id with an example message; a test keeps that page and this table in step.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdisc_pipe.errors import Severity

__all__ = ["Rule", "RULES", "rule"]


@dataclass(frozen=True)
class Rule:
    """A validation rule: ``id`` as shown in reports, its ``severity`` and a one-line ``title``."""

    id: str
    severity: Severity
    title: str
    scope: str  # "file", "column", "value", "record" or "cross-form"


_E, _W = Severity.ERROR, Severity.WARNING

#: Every raw rule, in the order the reports list them.
RULES: dict[str, Rule] = {
    r.id: r
    for r in (
        Rule("RAW-FORM-MISSING", _E, "A form declared in the spec has no file in the export", "file"),
        Rule("RAW-FILE-UNCLAIMED", _W, "A file in the export folder that no form of the spec reads", "file"),
        Rule("RAW-COL-MISSING", _E, "A field declared in the spec has no column in the form's file", "column"),
        Rule("RAW-COL-EXTRA", _W, "The form's file has a column the spec does not declare", "column"),
        Rule("RAW-REQUIRED", _E, "A required field is empty", "value"),
        Rule("RAW-TYPE-INTEGER", _E, "An integer field holds something other than a whole number", "value"),
        Rule("RAW-TYPE-FLOAT", _E, "A numeric field holds something other than a number", "value"),
        Rule("RAW-RANGE", _E, "A number lies outside the field's min/max", "value"),
        Rule("RAW-CODELIST", _E, "A coded field holds a code not in its codelist", "value"),
        Rule("RAW-DATE-INVALID", _E, "A date is not in the EDC layout or not a real calendar date", "value"),
        Rule(
            "RAW-DATE-PARTIAL-NOT-ALLOWED", _E, "A partial date where the field requires a complete one", "value"
        ),
        Rule("RAW-TIME-INVALID", _E, "A time is not HH:MM between 00:00 and 23:59", "value"),
        Rule("RAW-LENGTH", _E, "A text value is longer than the field's max_length", "value"),
        Rule("RAW-VISIT-UNKNOWN", _E, "A record's folder is not one the form is scheduled at", "value"),
        Rule("RAW-KEY-DUPLICATE", _E, "Two records of a form share the form's key", "record"),
        Rule(
            "RAW-RECORDS-EXCEEDED", _E, "A subject has more records than the form's max_records_per_subject",
            "record",
        ),
        Rule("RAW-FIELD-NOT-SCHEDULED", _W, "A value in a field at a folder where it is not collected", "value"),
        Rule("RAW-DATE-AFTER-CUTOFF", _W, "A date certainly later than the study's data cut-off", "value"),
        Rule("RAW-SUBJECT-NOT-SCREENED", _E, "A record's subject is not in the screening form", "cross-form"),
        Rule("RAW-CONSENT-MISSING", _E, "A screened subject has no informed-consent record", "cross-form"),
        Rule("RAW-BEFORE-CONSENT", _E, "A record is dated certainly before the subject's consent", "cross-form"),
        Rule(
            "RAW-NOT-ENROLLED", _E, "A record of an enrolled-only form for a subject who was not enrolled",
            "cross-form",
        ),
        Rule("RAW-SITE-INCONSISTENT", _E, "A record's site differs from the subject's site on the screening form",
             "cross-form"),
    )
}


def rule(rule_id: str) -> Rule:
    """The rule with this id; ``KeyError`` names the known ids when there is none."""
    try:
        return RULES[rule_id]
    except KeyError as err:
        raise KeyError(f"rule id must be one of {sorted(RULES)} (got '{rule_id}')") from err
