"""Does the copilot's confidence tell right answers from wrong ones? AUROC and ECE over (confidence, right)."""

from __future__ import annotations

from collections.abc import Sequence

from evals.metrics import expected_calibration_error


def auroc(confidence: Sequence[float], right: Sequence[bool]) -> float | None:
    """Probability that a right answer has higher confidence than a wrong one (ties count half)."""
    pos = [c for c, r in zip(confidence, right, strict=True) if r]
    neg = [c for c, r in zip(confidence, right, strict=True) if not r]
    if not pos or not neg:
        return None
    wins = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def ece(confidence: Sequence[float], right: Sequence[bool], bins: int = 10) -> float | None:
    """Expected calibration error over equal-width confidence bins."""
    if not confidence:
        return None
    groups: list[list[tuple[float, bool]]] = [[] for _ in range(bins)]
    for c, r in zip(confidence, right, strict=True):
        groups[min(int(c * bins), bins - 1)].append((c, r))
    table = [(len(g), sum(c for c, _ in g) / len(g), sum(r for _, r in g) / len(g)) for g in groups if g]
    return expected_calibration_error(table)
