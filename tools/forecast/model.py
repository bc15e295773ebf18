"""Win-probability models: the stage-weighted baseline and a calibrated classifier chosen by validation.

Choice (see ``backtest``): regularized logistic regression and gradient boosting with isotonic
calibration are both trained; a time-based holdout inside the training window (the last quarter of
it) decides which one is used, and if neither beats the stage-weighted baseline on Brier score there,
the product uses the baseline and says so. With too little history (fewer than ``min_won`` won or
``min_lost`` lost deals closed before the as-of date) no classifier is trained at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from tools.forecast.data import OPEN_ORDER, Snapshot
from tools.forecast.features import FEATURES, FeatureBuilder, is_open_at, state_at, training_pairs
from tools.forecast.timing import CloseTiming, fit_timing, situation

N_STAGE = len(OPEN_ORDER)
KINDS = ("logistic", "gbm")
CHOICES = (*KINDS, "ensemble")
HOLDOUT_DAYS = 92  # the forward holdout that chooses the kind: one quarter before the cutoff
SPLITS = (0.55, 0.7, 0.85)  # quantiles of the training grid days where time holdouts start  # ensemble: the mean of the two probabilities


def stages_of(X: np.ndarray) -> list[str]:
    """Stage names back from the one-hot columns of a feature matrix."""
    if len(X) == 0:
        return []
    idx = np.argmax(X[:, :N_STAGE], axis=1)
    return [OPEN_ORDER[i] for i in idx]


class StageBaseline:
    """Historical win rate per stage (share of deals in that stage on a grid day that went on to win)."""

    def __init__(self, prior: float = 5.0) -> None:
        self.prior = prior
        self.rates: dict[str, float] = {}
        self.counts: dict[str, int] = {}
        self.overall = 0.5

    def fit(self, stages: list[str], y: np.ndarray) -> StageBaseline:
        y = np.asarray(y, dtype=float)
        self.overall = float(y.mean()) if len(y) else 0.5
        for s in OPEN_ORDER:
            mask = np.asarray([st == s for st in stages], dtype=bool)
            n = int(mask.sum())
            self.counts[s] = n
            self.rates[s] = float((y[mask].sum() + self.prior * self.overall) / (n + self.prior))
        return self

    def predict(self, stages: list[str]) -> np.ndarray:
        return np.asarray([self.rates.get(s, self.overall) for s in stages], dtype=float)


def make_estimator(kind: str, n_rows: int):  # type: ignore[no-untyped-def]
    if kind == "logistic":
        return make_pipeline(StandardScaler(), LogisticRegression(C=0.3, max_iter=500))
    if kind == "gbm":
        gbm = HistGradientBoostingClassifier(max_iter=100, learning_rate=0.08, max_leaf_nodes=15,
                                             min_samples_leaf=40, l2_regularization=1.0, random_state=0)
        return CalibratedClassifierCV(gbm, method="isotonic" if n_rows >= 2000 else "sigmoid", cv=3)
    raise ValueError(f"unknown model kind {kind!r}")


def brier(y: np.ndarray, p: np.ndarray) -> float:
    return float(np.mean((np.asarray(p, dtype=float) - np.asarray(y, dtype=float)) ** 2)) if len(y) else float("nan")


@dataclass
class TrainedModel:
    """What the forecast uses as of one date: a kind, the baseline, and maybe a fitted classifier."""

    kind: str  # baseline | logistic | gbm
    cutoff: int
    baseline: StageBaseline
    estimator: object | None = None
    reference: np.ndarray | None = None
    won: int = 0
    lost: int = 0
    rows: int = 0
    note: str = ""
    validation: dict[str, float] = field(default_factory=dict)
    timing: CloseTiming = field(default_factory=CloseTiming)

    def predict_in_period(self, X: np.ndarray, situations: list[tuple[str, str, str]], horizon_days: float,
                          win: np.ndarray | None = None) -> np.ndarray:
        """P(won within ``horizon_days``) = P(won) x S(horizon | situation) (timing.py)."""
        if len(X) == 0:
            return np.zeros(0)
        p = self.predict(X) if win is None else win
        return np.clip(p * self.timing.within(situations, horizon_days), 0.0, 0.995)

    def predict(self, X: np.ndarray) -> np.ndarray:
        if len(X) == 0:
            return np.zeros(0)
        if self.estimator is None:
            return self.baseline.predict(stages_of(X))
        with threadpool_limits(1):
            return np.clip(self.estimator.predict_proba(X)[:, 1], 0.005, 0.995)  # type: ignore[attr-defined]

    def contributions(self, X: np.ndarray) -> np.ndarray:
        """Per row and feature group, how much the value moves the log-odds versus a typical deal.

        Computed by substitution (set one feature group to its training median, re-score), so it works
        the same for any model. Columns: 'stage' then the non-stage FEATURES.
        """
        groups = [list(range(N_STAGE))] + [[i] for i in range(N_STAGE, len(FEATURES))]
        out = np.zeros((len(X), len(groups)))
        if len(X) == 0:
            return out
        p = self.predict(X)
        if self.estimator is None:
            out[:, 0] = _logit(p) - _logit(np.full(len(X), self.baseline.overall))
            return out
        ref = self.reference if self.reference is not None else np.median(X, axis=0)
        for j, cols in enumerate(groups):
            Xs = X.copy()
            Xs[:, cols] = ref[cols]
            out[:, j] = _logit(p) - _logit(self.predict(Xs))
        return out


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


class Ensemble:
    """The mean of the logistic and boosted probabilities: on the rolling backtests it was better
    calibrated than either alone (the two err in different places)."""

    def __init__(self, parts: list) -> None:  # type: ignore[type-arg]
        self.parts = parts

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return np.mean([p.predict_proba(X) for p in self.parts], axis=0)


def fit_kind(kind: str, X: np.ndarray, y: np.ndarray):  # type: ignore[no-untyped-def]
    """Fit single-threaded: OpenMP threads on a busy 2-core machine made boosting 20x slower."""
    if kind == "ensemble":
        return Ensemble([fit_kind(k, X, y) for k in KINDS])
    est = make_estimator(kind, len(y))
    with threadpool_limits(1):
        est.fit(X, y)
    return est


def train(snap: Snapshot, cutoff: int, *, fb: FeatureBuilder | None = None, min_won: int = 200,
          min_lost: int = 200, force: str | None = None, step: int = 30) -> TrainedModel:
    """Train on deals closed before ``cutoff`` (a date ordinal) and pick what to use.

    ``force`` ('baseline', 'logistic', 'gbm', 'ensemble') skips the choice; the backtest uses it to compare kinds.
    """
    fb = fb or FeatureBuilder(snap)
    pairs, y, _ = training_pairs(snap, cutoff, step=step)
    X = fb.matrix(pairs)
    stages = stages_of(X)
    closed = [d for d in snap.deals if d.closed_day is not None and d.closed_day < cutoff]
    won = sum(d.won for d in closed)
    lost = len(closed) - won
    base = StageBaseline().fit(stages, y)
    tm = TrainedModel("baseline", cutoff, base, won=won, lost=lost, rows=len(y))
    tm.timing = fit_timing(snap, cutoff)
    if force == "baseline":
        tm.note = "stage-weighted historical win rates"
        return tm
    if force is None and (won < min_won or lost < min_lost):
        tm.note = (f"too little history for a model ({won} won and {lost} lost deals closed before the as-of date; "
                   f"needs {min_won} and {min_lost}): using stage-weighted historical win rates")
        return tm
    if len(set(y.tolist())) < 2:
        tm.note = "all past deals have the same outcome: using stage-weighted historical win rates"
        return tm
    kind = force
    if kind is None:
        kind, tm.validation = _choose(snap, fb, cutoff, step)
        if kind == "baseline":
            v = tm.validation
            tm.note = (f"the model did not beat the stage-weighted baseline on its own validation (Brier "
                       f"{min(v.get(k, 9) for k in CHOICES):.4f} vs baseline {v.get('baseline', float('nan')):.4f}): "
                       "using stage-weighted historical win rates")
            return tm
    tm.kind, tm.estimator = kind, fit_kind(kind, X, y)
    tm.reference = np.median(X, axis=0)
    label = {"logistic": "regularized logistic regression", "gbm": "gradient boosting with calibration",
             "ensemble": "the mean of a regularized logistic regression and calibrated gradient boosting"}[kind]
    tm.note = f"{label} trained on {len(closed)} closed deals ({won} won, {lost} lost), {len(y)} deal-months"
    if tm.validation:
        tm.note += (f"; validation Brier {tm.validation[kind]:.4f} vs stage baseline "
                    f"{tm.validation['baseline']:.4f}")
    return tm


def _choose(snap: Snapshot, fb: FeatureBuilder, cutoff: int, step: int) -> tuple[str, dict[str, float]]:
    """Forward holdout on the forecast's own target. Every kind is fitted on what was known at t0, and
    scored on P(won within the next ``HOLDOUT_DAYS``) of the deals open at t0, t0 + 30 and t0 + 60 (each
    kind x the same slip model), t0 chosen so that every outcome is known by the cutoff. An earlier
    holdout scored P(won at all) on closed deals' monthly rows and kept choosing kinds that forecast the
    quarter worse.
    """
    t0 = cutoff - 1 - HOLDOUT_DAYS - 60
    pairs, y, _ = training_pairs(snap, t0 + 1, step=step)
    rows = [(d, t) for t in (t0, t0 + 30, t0 + 60) for d in snap.deals if is_open_at(d, t)]
    if len(y) < 200 or len(set(y.tolist())) < 2 or len(rows) < 50:
        return "baseline", {}
    y_te = np.asarray([int(d.won and d.closed_day is not None and d.closed_day <= t + HOLDOUT_DAYS) for d, t in rows])
    if len(set(y_te.tolist())) < 2:
        return "baseline", {}
    X, X_te = fb.matrix(pairs), fb.matrix(rows)
    keys = [situation(state_at(d, t, snap), t, d.created_day) for d, t in rows]
    within = fit_timing(snap, t0 + 1).within(keys, HOLDOUT_DAYS)
    preds = {"baseline": StageBaseline().fit(stages_of(X), y).predict(stages_of(X_te))}
    for kind in KINDS:
        est = fit_kind(kind, X, y)
        with threadpool_limits(1):
            preds[kind] = est.predict_proba(X_te)[:, 1]
    preds["ensemble"] = np.mean([preds[k] for k in KINDS], axis=0)
    scores = {k: brier(y_te, np.clip(p * within, 0.0, 0.995)) for k, p in preds.items()}
    best = min(CHOICES, key=lambda k: scores[k])
    return (best if scores[best] < scores["baseline"] - 1e-4 else "baseline"), scores
