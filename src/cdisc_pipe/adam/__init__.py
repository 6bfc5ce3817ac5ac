"""ADaM: derivation verbs (admiral's grammar), the engine that runs a dataset's spec, and the ``adam`` stage."""
