"""Monte Carlo over a period's outcomes, with the spread learned from how past periods really went.

Simulating deals as independent Bernoulli draws gave P10-P90 ranges of about +-2% at 50k deals: deals in
one quarter do not win independently (a slow quarter slips many at once) and, in some books, less
independently than coins in the other direction (a team that lands one big deal stops chasing another).
So the spread comes from the product's own residuals on earlier periods (rolling.py): for each earlier
backtested period that had closed by the as-of date, r = log(actual remaining revenue / predicted
remaining revenue), together with v, the relative variance independent outcomes alone would give it.
With s2 the variance of the r and v the mean of the v:

- over-dispersion (s2 > v): a period-level effect ``m = exp(mu + tau * z)`` shared by every deal in a
  simulated period, tau^2 = s2 - v (the part of the spread independent outcomes do not explain): each
  deal wins with probability min(1, m x p), and the created-and-won term is scaled by m;
- under-dispersion (s2 < v): the simulated totals' spread around their mean is scaled by sqrt(kappa),
  kappa = s2 / v (which keeps every total between the least and the most possible);
- mu, the mean residual, centres the range where past periods landed (the point forecast is not moved).

Each estimate is shrunk toward the prior (mu 0, tau ``PRIOR_SD``, kappa 1) with weight n0 / (n0 + n), n the
number of distinct closed periods behind the residuals (three month ends of one quarter are one period):
wide before any period has closed, learned after a few.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

PRIOR_SD = 0.25  # log-scale period effect before any period has closed (about +-30% at P10-P90)
PRIOR_WEIGHT = 2.0


@dataclass
class Spread:
    mu: float = 0.0
    tau: float = PRIOR_SD
    kappa: float = 1.0
    periods: int = 0

    def describe(self) -> str:
        if not self.periods:
            return f"no past period closed yet: a prior period effect of +-{self.tau:.0%}"
        return (f"spread learned from {self.periods} closed period(s): a shared period effect of +-{self.tau:.0%} and "
                f"{math.sqrt(self.kappa):.0%} of the independent-outcome spread, centred {self.mu:+.0%} where past "
                "forecasts landed")


def spread_from(log_ratios: list[float], rel_vars: list[float], periods: int | None = None) -> Spread:
    """``periods``: how many distinct periods the residuals come from (month ends inside one quarter share its
    outcome, so they are not independent evidence); it sets the weight of the prior. Default: one per residual."""
    n = len(log_ratios) if periods is None else periods
    if len(log_ratios) < 2 or n < 2:
        return Spread(periods=n)
    r = np.asarray(log_ratios, dtype=float)
    mu, s2 = float(r.mean()), float(r.var(ddof=1))
    v = float(np.mean(rel_vars)) if rel_vars else 0.0
    tau2 = max(0.0, s2 - v)
    kappa = min(1.0, s2 / v) if v > 0 else 1.0
    w = PRIOR_WEIGHT / (PRIOR_WEIGHT + n)
    return Spread(mu=(1 - w) * mu, tau=math.sqrt((1 - w) * tau2 + w * PRIOR_SD ** 2), kappa=(1 - w) * kappa + w,
                  periods=n)


def simulate_totals(p: np.ndarray, amounts: np.ndarray, *, base: float = 0.0, n_sims: int = 10000,
                    seed: int = 0, chunk: int = 2000, spread: Spread | None = None,
                    created: list[float] | None = None) -> np.ndarray:
    """Totals of ``n_sims`` simulated periods: closed so far + deals that win + created-and-won.

    ``spread`` None means independent outcomes and no period effect (only to show the contrast).
    """
    p = np.asarray(p, dtype=float)
    amounts = np.asarray(amounts, dtype=float)
    rng = np.random.default_rng(seed)
    m = np.ones(n_sims) if spread is None else np.exp(spread.mu + spread.tau * rng.standard_normal(n_sims))
    rest = np.zeros(n_sims)
    if created:
        rest += np.asarray(created, dtype=float)[rng.integers(0, len(created), size=n_sims)] * m
    for lo in range(0, n_sims, chunk):
        hi = min(lo + chunk, n_sims)
        if len(p):
            rest[lo:hi] += (rng.random((hi - lo, len(p))) < np.minimum(1.0, p[None, :] * m[lo:hi, None])) @ amounts
    if spread is not None and spread.kappa < 1.0:
        mean = float(rest.mean())
        rest = mean + math.sqrt(spread.kappa) * (rest - mean)
    return base + rest


def percentiles(totals: np.ndarray) -> tuple[float, float, float]:
    p10, p50, p90 = np.percentile(totals, [10, 50, 90])
    return float(p10), float(p50), float(p90)
