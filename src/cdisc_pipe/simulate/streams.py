"""Independent random streams, one per part of the simulation.

Each part draws from its own ``numpy.random.Generator(PCG64)`` seeded by ``SeedSequence(seed,
spawn_key=(stream id,))``. A stream depends only on the seed and its fixed id, so changing how many numbers
one part draws never shifts what another part draws (in particular the measurement simulator's stream is
untouched by changes to the core, and the other way round).
"""

from __future__ import annotations

import numpy as np

__all__ = ["STREAMS", "stream"]

#: Fixed stream ids. Never renumber one: that would change every export made with it.
STREAMS: dict[str, int] = {
    "population": 1,
    "visits": 2,
    "disposition": 3,
    "adverse_events": 4,
    "history": 5,
    "measurements": 6,
    "exposure": 7,
}


def stream(seed: int, name: str) -> np.random.Generator:
    """The generator of part ``name`` for ``seed``."""
    if name not in STREAMS:
        raise KeyError(f"`name` must be one of {sorted(STREAMS)} (got '{name}')")
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(STREAMS[name],))))
