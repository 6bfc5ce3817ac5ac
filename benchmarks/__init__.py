"""Scale benchmarks for cdisc_pipe (issue 8): ``python -m benchmarks``.

Five cases, one module each, all on data made by the project's simulator:

====  =========================  ===================================================================
case  module                     what is measured
====  =========================  ===================================================================
1     :mod:`.xpt_write`          XPT v5 write of an LB-like frame: ``write_xpt`` vs pyreadstat
2     :mod:`.xpt_read`           XPT v5 read of the same files: ``read_xpt`` vs pyreadstat vs pandas
3     :mod:`.raw_validation`     ``validate_raw`` rows/s on a 10,000-subject export
4     :mod:`.end_to_end`         ``cdisc_pipe.run`` at 1,000 / 10,000 (/ 100,000) subjects, per stage
5     :mod:`.default_study`      the default study end to end, wall time
====  =========================  ===================================================================

Every measurement is repeated (median, min, max); every comparison is a ratio of timings taken in the same
process run, interleaved, so a busy machine slows both sides alike. The results are a printed table and a
JSON file (``benchmarks/results/<date>.json`` unless ``--out``); ``docs/performance.md`` explains them.

Shared pieces: :mod:`.measure` (timing, machine, load), :mod:`.lb_frame` (the LB-like frame),
:mod:`.child` (what runs in the subprocess of cases 4 and 5), :mod:`.profiles` (cProfile summaries),
:mod:`.table` (the printed table), :mod:`.targets` (issue 8's targets, met or missed).
"""

#: Version of the JSON layout written by ``python -m benchmarks``.
RESULTS_FORMAT = 1
