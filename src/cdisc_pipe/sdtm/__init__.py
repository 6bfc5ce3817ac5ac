"""SDTM domains and the derivations they share."""
