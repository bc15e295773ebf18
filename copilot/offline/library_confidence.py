"""How likely a library answer holds what was asked: features of the ranking and of the quotes, and a logistic model.

A hand-set score (the quoted section's lead over the best section elsewhere, the share of the question's words it
holds, and how many rankers put it first) ranked right answers above wrong ones at AUROC 0.76 on the handbook's
test half. What it could not see is the quote itself: whether the words the question asks about survived the cut
to the budget, whether the other quotes cover what the first one misses, whether the rival section sits on the
same page (a wrong section of the right page) or elsewhere. ``features`` reads those from the ranked sections
and the quoted text; ``probability`` maps them through a logistic model fitted by ``evals/library_confidence.py``
on the dev half of the handbook questions only (the test half stays unseen). The features are shapes of the
ranking, never words, so the model does not learn one library's subjects.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from copilot.offline.sections import Unit

WEIGHTS = Path(__file__).parent / "data" / "library_confidence.json"
FLOOR, CAP = 0.05, 0.97  # a quote is never certain to answer, nor certain not to
FULL_COVERAGE = 0.6  # a section holding this share of the question's (idf-weighted) words is a direct answer
WEAK_COVERAGE = 0.2  # below this the quoted section is only the closest thing the library has
CLEAR_MARGIN = 0.4  # the best section scores this share above the best elsewhere: clearly the one
MARGIN_WEIGHT = 0.7
# Per ranker that puts the quoted section first (keywords, the embedder, the retrieval's first passage), above or
# below two of three. On the 1,168 handbook questions answered from the library: right 96% of the time when all
# three agree, 91% for two, 80% for one, 74% for none; confidence AUROC, dev 0.754 -> 0.770, test 0.725 -> 0.747.
AGREEMENT = 0.1
# The score above ranks answers, but as a probability it was far too low: on the handbook's dev half, library answers
# scored 0.3-0.5 held their facts 82-92% of the time (mean confidence 0.53, 88% right; ECE 0.35). A logistic fit on
# the dev half's direct answers (Platt scaling) maps it to the chance of being right, ranking unchanged; with the
# route-tie change in the engine, the handbook test half's ECE went 0.365 -> 0.076 and AUROC 0.718 -> 0.751.
# Answers that only come closest (coverage below WEAK_COVERAGE) keep their low figure.
CALIBRATION = (-0.044, 5.145)
CALIBRATED_CAP = 0.97  # a quote is never certain to answer the question: the fit is scaled to stay below this


def rule(units: list[Unit]) -> float:
    """The chance the answer holds what was asked: from how far the quoted section stands above the best section
    elsewhere, how much of the question it speaks to, and how many rankers put it first, mapped through the
    calibration above. Kept as the fallback and as one of the model's features. A section that barely beats another place in the library is a coin flip however many
    question words it holds; one that shares a word or two is a guess however well it ranked. Fixed per-intent
    numbers made wrong library answers as confident as right ones. (On the handbook questions of batch 1 the
    margin alone ranks right above wrong answers at AUROC 0.75, coverage alone at 0.51.)"""
    best = units[0]
    rival = next((u.score for u in units[1:] if _key(u) != _key(best)), 0.0)
    margin = (best.score - rival) / best.score if best.score > 0 else 0.0
    share = min(1.0, best.coverage / FULL_COVERAGE)
    if best.coverage < WEAK_COVERAGE:  # only the closest thing the library has, however far ahead of the rest
        return round(0.15 + 0.5 * share, 3)
    sure = 0.3 + 0.5 * (MARGIN_WEIGHT * min(1.0, margin / CLEAR_MARGIN) + (1 - MARGIN_WEIGHT) * share)
    if best.votes is not None:  # rankers that agree on the section: right 96% of the time when all three do
        sure += AGREEMENT * (best.votes - 2)
    return round(CALIBRATED_CAP / (1 + math.exp(-(CALIBRATION[0] + CALIBRATION[1] * sure))), 3)


def _key(u: Unit) -> tuple[str, str]:
    return u.source, u.section


LINES, LINE_CHARS = 40, 15  # quoted lines compared with the question, and the shortest that counts


def line_match(question: str, quoted: list[tuple[Unit, str]], embedder: Any) -> float:
    """The embedder's best question-to-line similarity over the quoted text: a quote that answers has a line that
    says what was asked; a wrong section of the right topic often has none. 0 without an embedder."""
    lines = [ln.strip() for _, text in quoted for ln in text.splitlines() if len(ln.strip()) >= LINE_CHARS][:LINES]
    if embedder is None or not lines:
        return 0.0
    vecs = np.asarray(embedder.embed([question, *lines]), dtype=np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True) + 1e-9
    return float((vecs[1:] @ vecs[0]).max())


def features(question: str, units: list[Unit], quoted: list[tuple[Unit, str]], embedder: Any) -> dict[str, float]:
    """What the model reads: the quoted section's lead over the best section elsewhere, the share of the question
    it holds, the rankers that put it first, and how closely the quote's best line matches the question."""
    best = units[0]
    rival = next((u.score for u in units[1:] if _key(u) != _key(best)), 0.0)
    return {
        "margin": (best.score - rival) / best.score if best.score > 0 else 0.0,
        "coverage": best.coverage,
        "votes": float(best.votes if best.votes is not None else 1),
        "line": line_match(question, quoted, embedder),
    }


# Set by evals/library_confidence.py while it collects training data: called with each answer's features.
observer: Callable[[dict[str, float]], None] | None = None


def confidence(question: str, units: list[Unit], quoted: list[tuple[Unit, str]], embedder: Any = None,
               fixed: float | None = None) -> float:
    """The answer's confidence: the fitted model over ``features``, or without one the hand-set ``rule`` (``fixed``:
    the hand-set figure of a quote of the library's page about a competitor)."""
    if not units or not quoted:
        return 0.15
    hand = rule(units) if fixed is None else fixed
    if _model() is None and observer is None:
        return hand
    feats = features(question, units, quoted, embedder)
    if observer is not None:
        observer(feats)
    return probability(feats, hand)


@lru_cache(maxsize=1)
def _model() -> dict[str, Any] | None:
    if not WEIGHTS.exists():
        return None
    data: dict[str, Any] = json.loads(WEIGHTS.read_text(encoding="utf-8"))
    return data


def probability(feats: dict[str, float], fallback: float, model: dict[str, Any] | None = None) -> float:
    """The fitted chance the answer holds what was asked (``model``: the shipped one); ``fallback`` without one."""
    model = model or _model()
    if model is None:
        return fallback
    z = model["intercept"]
    for name, (mean, scale, weight) in model["features"].items():
        z += weight * (feats.get(name, mean) - mean) / scale
    p = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
    return round(min(CAP, max(FLOOR, p)), 3)
