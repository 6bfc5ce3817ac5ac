"""The public surface is __all__; changing it is a decision, so this test has to be edited with it."""

import cdisc_pipe


def test_public_names_are_locked():
    assert sorted(cdisc_pipe.__all__) == sorted([
        "run", "RunResult", "load_spec", "Study", "Finding", "Report", "Severity",
        "CdiscPipeError", "SpecError", "InputError", "StageFailed", "AdamError", "ExportError",
        "read_xpt", "write_xpt", "XptFile", "DatasetMetadata", "VariableMetadata", "__version__",
    ])
    for name in cdisc_pipe.__all__:
        assert hasattr(cdisc_pipe, name), name


def test_exception_tree():
    for cls in (cdisc_pipe.SpecError, cdisc_pipe.InputError, cdisc_pipe.StageFailed, cdisc_pipe.AdamError,
                cdisc_pipe.ExportError):
        assert issubclass(cls, cdisc_pipe.CdiscPipeError)
