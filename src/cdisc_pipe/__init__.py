"""cdisc_pipe: raw EDC exports to validated SDTM, ADaM and submission files.

The public surface is :data:`__all__`; ``tests/test_public_api.py`` locks it.
"""

from cdisc_pipe.errors import (
    AdamError,
    CdiscPipeError,
    ExportError,
    Finding,
    InputError,
    Report,
    Severity,
    SpecError,
    StageFailed,
)
from cdisc_pipe.export.metadata import DatasetMetadata, VariableMetadata
from cdisc_pipe.export.xpt import XptFile, read_xpt, write_xpt
from cdisc_pipe.pipeline import RunResult, run
from cdisc_pipe.spec import Study, load_spec

__version__ = "0.1.0"

__all__ = [
    "run",
    "RunResult",
    "load_spec",
    "Study",
    "Finding",
    "Report",
    "Severity",
    "CdiscPipeError",
    "SpecError",
    "InputError",
    "StageFailed",
    "AdamError",
    "ExportError",
    "read_xpt",
    "write_xpt",
    "XptFile",
    "DatasetMetadata",
    "VariableMetadata",
    "__version__",
]
