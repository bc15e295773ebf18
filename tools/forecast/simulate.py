"""Monte Carlo over deal outcomes: each open deal wins with its probability, independently."""

from __future__ import annotations

import numpy as np


def simulate_totals(p: np.ndarray, amounts: np.ndarray, *, base: float = 0.0, n_sims: int = 10000,
                    seed: int = 0, chunk: int = 2000) -> np.ndarray:
    """Totals of ``n_sims`` simulated quarters (closed so far + amounts of the deals that win)."""
    p = np.asarray(p, dtype=float)
    amounts = np.asarray(amounts, dtype=float)
    rng = np.random.default_rng(seed)
    out = np.full(n_sims, float(base))
    if len(p) == 0:
        return out
    for lo in range(0, n_sims, chunk):
        hi = min(lo + chunk, n_sims)
        wins = rng.random((hi - lo, len(p))) < p
        out[lo:hi] += wins @ amounts
    return out


def percentiles(totals: np.ndarray) -> tuple[float, float, float]:
    p10, p50, p90 = np.percentile(totals, [10, 50, 90])
    return float(p10), float(p50), float(p90)
