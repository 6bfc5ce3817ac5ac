"""cdisc_pipe: raw EDC exports to SDTM, ADaM and submission files."""

__version__ = "0.1.0"
