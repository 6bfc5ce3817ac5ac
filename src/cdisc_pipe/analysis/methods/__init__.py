"""Statistical methods for the analyses: pure, vectorised functions checked against independent code.

* :mod:`~cdisc_pipe.analysis.methods.survival` - Kaplan-Meier, median, numbers at risk, log-rank, the
  paper's crude survival rate, and :func:`~cdisc_pipe.analysis.methods.survival.from_adtte`
  (CNSR = 0 is an event);
* :mod:`~cdisc_pipe.analysis.methods.categorical` - counts and percentages by group, chi-square, Fisher's
  exact (any r x c, by enumeration), the "Fisher when an expected count is below 5" rule, and the
  repeated-measures ANOVA that reproduces the paper's Table 1 AE tests;
* :mod:`~cdisc_pipe.analysis.methods.continuous` - descriptive statistics, signed-rank, rank-sum,
  Kruskal-Wallis, one-way ANOVA, Shapiro-Wilk;
* :mod:`~cdisc_pipe.analysis.methods.shift` - baseline-to-visit shift tables of a present/absent finding;
* :mod:`~cdisc_pipe.analysis.methods.inputs` - shared input assertions and :class:`AnalysisError`.

Import from the modules; this package re-exports nothing. Conventions (R / SAS defaults, ties, continuity
correction, CI types) are in ``docs/analysis-methods.md``.
"""
