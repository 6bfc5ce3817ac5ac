"""Analyses from ADaM: the paper's tables and figures as results data first, rendered second.

``cdisc_pipe.analysis.methods`` holds the statistical methods (pure, vectorised functions on arrays and
small frames, each checked against an independent implementation in ``tests/analysis``); the analysis stage,
the results data (ARD) and the HTML report are built on top of them. Conventions and options of every method
are written down in ``docs/analysis-methods.md``.
"""
