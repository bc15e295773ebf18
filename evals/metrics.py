"""Metric functions shared by the suites: ranking, text overlap, classification, calibration, significance.

Pure functions over plain lists so each one is unit-testable and a suite stays a thin loop.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Sequence

STOP = frozenset(["a", "an", "the", "and", "or", "of", "to", "in", "on", "for", "with", "at", "by", "from", "is", "are", "was", "were", "be", "been", "it", "its", "this", "that", "these", "those", "as", "our", "we", "you", "your", "they", "their", "i", "he", "she", "his", "her", "them", "what", "which", "who", "how", "when", "do", "does", "did", "has", "have", "had", "not", "no", "can", "will", "would", "should", "could", "about", "into", "than", "then", "there", "so", "if", "but", "all", "any", "each", "per", "up", "out", "over"])


def tokens(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+(?:[.,][0-9]+)*", text.lower())


def content_tokens(text: str) -> set[str]:
    return {t for t in tokens(text) if t not in STOP and len(t) > 1}


# -- ranking ----------------------------------------------------------------------------------------
def recall_at_k(ranked: Sequence[str], relevant: Sequence[set[str]], k: int) -> float:
    """Share of relevant items found in the top k; each relevant item is a set of equivalent ids."""
    if not relevant:
        return float("nan")
    top = set(ranked[:k])
    return sum(1 for alts in relevant if alts & top) / len(relevant)


def reciprocal_rank(ranked: Sequence[str], relevant: Sequence[set[str]]) -> float:
    wanted = set().union(*relevant) if relevant else set()
    for i, item in enumerate(ranked, 1):
        if item in wanted:
            return 1.0 / i
    return 0.0


def ndcg_at_k(ranked: Sequence[str], relevant: Sequence[set[str]], k: int = 10) -> float:
    """Binary-relevance nDCG; an item counts once even if several of its equivalent ids appear."""
    if not relevant:
        return float("nan")
    seen: set[int] = set()
    dcg = 0.0
    for i, item in enumerate(ranked[:k], 1):
        for j, alts in enumerate(relevant):
            if j not in seen and item in alts:
                seen.add(j)
                dcg += 1.0 / math.log2(i + 1)
                break
    ideal = sum(1.0 / math.log2(i + 1) for i in range(1, min(k, len(relevant)) + 1))
    return dcg / ideal


def dedupe(items: Sequence[str]) -> list[str]:
    out: list[str] = []
    for x in items:
        if x not in out:
            out.append(x)
    return out


# -- text -------------------------------------------------------------------------------------------
def norm_text(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[*_`|>]", " ", text.lower().replace("$", ""))).strip()


def fact_present(fact: str, text: str) -> bool:
    """Case-insensitive; '$45,000' matches '45,000' and '45000'; a fact 'a|b' passes if either is present."""
    hay = norm_text(text)
    hay_flat = hay.replace(",", "")
    for alt in fact.split("|"):
        needle = norm_text(alt)
        if needle and (needle in hay or needle.replace(",", "") in hay_flat):
            return True
    return False


def overlap(sentence: str, passage: str) -> float:
    """Share of the sentence's content words that occur in the passage (0..1)."""
    s = content_tokens(sentence)
    if not s:
        return 1.0
    return len(s & content_tokens(passage)) / len(s)


def wer(reference: str, hypothesis: str) -> float:
    r, h = tokens(reference), tokens(hypothesis)
    if not r:
        return 0.0 if not h else 1.0
    prev = list(range(len(h) + 1))
    for i, x in enumerate(r, 1):
        cur = [i] + [0] * len(h)
        for j, y in enumerate(h, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x != y))
        prev = cur
    return prev[-1] / len(r)


# -- classification and calibration ----------------------------------------------------------------
def cohen_kappa(a: Sequence[bool], b: Sequence[bool]) -> float:
    n = len(a)
    if not n:
        return float("nan")
    po = sum(x == y for x, y in zip(a, b, strict=True)) / n
    pa, pb = sum(a) / n, sum(b) / n
    pe = pa * pb + (1 - pa) * (1 - pb)
    return 1.0 if pe == 1 else (po - pe) / (1 - pe)


def expected_calibration_error(bins: Sequence[tuple[int, float, float]]) -> float:
    """bins: (n, mean predicted, observed rate)."""
    total = sum(n for n, _, _ in bins)
    if not total:
        return float("nan")
    return sum(n * abs(p - o) for n, p, o in bins) / total


def pass_hat_k(runs: Sequence[Sequence[bool]]) -> float:
    """pass^k: share of cases that passed in every one of the k runs (runs[i][case])."""
    if not runs or not runs[0]:
        return float("nan")
    return sum(all(r[c] for r in runs) for c in range(len(runs[0]))) / len(runs[0])


# -- significance ------------------------------------------------------------------------------------
def mcnemar_p(old: Sequence[bool], new: Sequence[bool]) -> float:
    """Exact two-sided McNemar test on paired pass/fail (binomial on the discordant pairs)."""
    b = sum(1 for o, n in zip(old, new, strict=True) if o and not n)
    c = sum(1 for o, n in zip(old, new, strict=True) if n and not o)
    m = b + c
    if m == 0:
        return 1.0
    tail = sum(math.comb(m, i) for i in range(0, min(b, c) + 1)) / 2 ** m
    return min(1.0, 2 * tail)


def paired_bootstrap_p(old: Sequence[float], new: Sequence[float], *, samples: int = 2000, seed: int = 0) -> float:
    """Two-sided p-value that the mean paired difference is zero (bootstrap of the differences)."""
    diffs = [n - o for o, n in zip(old, new, strict=True)]
    if not diffs or all(d == 0 for d in diffs):
        return 1.0
    rng = random.Random(seed)
    mean = sum(diffs) / len(diffs)
    centered = [d - mean for d in diffs]
    hits = 0
    for _ in range(samples):
        s = sum(rng.choice(centered) for _ in diffs) / len(diffs)
        hits += abs(s) >= abs(mean)
    return (hits + 1) / (samples + 1)


def mean(values: Sequence[float | None]) -> float | None:
    vals = [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    return sum(vals) / len(vals) if vals else None
