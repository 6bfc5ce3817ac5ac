"""Whatever a site enters, validation runs to the end, and every finding quotes the cell it is about."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cdisc_pipe.raw.model import ROW, RawExport, RawForm
from cdisc_pipe.raw.validate import validate_raw

FORMS = ("DM", "IC", "ENR", "EX", "AE")
cells = st.one_of(
    st.none(),
    st.sampled_from(["01-001", "01-002", "01", "SCRN", "D001", "1", "2", "IV", "05 MAR 2019", "UN MAR 2019",
                     "30 FEB 2019", "09:30", "25:61", "2.5E7", "-1", "", " "]),
    st.text(max_size=12),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_validation_never_raises_and_quotes_the_cell(study, data):
    small = dataclasses.replace(study, forms=tuple(f for f in study.forms if f.id in FORMS))
    forms = {}
    for form in small.forms:
        n = data.draw(st.integers(0, 4), label=f"{form.id} rows")
        columns = {name: data.draw(st.lists(cells, min_size=n, max_size=n), label=f"{form.id}.{name}")
                   for name in form.field_names}
        frame = pd.DataFrame({k: pd.Series(v, dtype="str") for k, v in columns.items()})
        frame[ROW] = range(1, n + 1)
        forms[form.id] = RawForm(form, frame, form.file)
    report = validate_raw(RawExport(source=Path("random"), format="csv", forms=forms), small)

    for finding in report.findings:
        assert finding.stage == "raw" and finding.message.startswith("`")
        if finding.row is None:
            continue
        frame = forms[finding.dataset].frame
        assert 1 <= finding.row <= len(frame)
        if finding.variable in frame.columns:
            entered = frame[finding.variable].iloc[finding.row - 1]
            assert finding.value == (None if pd.isna(entered) else entered)
