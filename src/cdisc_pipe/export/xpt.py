"""SAS XPORT v5 (the FDA's transport format): a writer and a reader of our own.

``read_xpt(path)`` returns an :class:`XptFile` ``(frame, metadata)``; ``write_xpt(frame, path, metadata)``
accepts exactly that, and rewriting a SAS-made file with the metadata read from it reproduces it byte for
byte. docs/xpt.md describes the format as implemented and what is refused.

- :mod:`.xpt_layout` header records, NAMESTR, format text, timestamps
- :mod:`.ibm` IBM hex floating point and SAS missing values (vectorised)
- :mod:`.xpt_values` column conversion and the problem list an export stops on
- :mod:`.xpt_write` / :mod:`.xpt_read` the two directions
"""

from cdisc_pipe.export.ibm import SPECIAL_TAGS, missing_tags, sas_missing
from cdisc_pipe.export.xpt_read import XptFile, read_xpt
from cdisc_pipe.export.xpt_write import MAX_CHAR_LENGTH, WRITER_OS, write_xpt

__all__ = ["read_xpt", "write_xpt", "XptFile", "sas_missing", "missing_tags", "SPECIAL_TAGS", "WRITER_OS",
           "MAX_CHAR_LENGTH"]
