"""Raw CRF exports: readers per format and validation."""
