"""The study spec: model and loader."""

from cdisc_pipe.spec.load import load_spec
from cdisc_pipe.spec.model import (
    Arm,
    Codelist,
    Criterion,
    Element,
    Epoch,
    Form,
    FormField,
    RawConventions,
    Study,
    Term,
    TrialSummaryParameter,
    Visit,
)

__all__ = [
    "load_spec",
    "Arm",
    "Codelist",
    "Criterion",
    "Element",
    "Epoch",
    "Form",
    "FormField",
    "RawConventions",
    "Study",
    "Term",
    "TrialSummaryParameter",
    "Visit",
]
