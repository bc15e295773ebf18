"""The library confidence trainer: the weights it writes are the ones the product reads, with the right signs."""

from __future__ import annotations

import random

from copilot.offline import library_confidence as lc
from evals.library_confidence import UNANSWERABLE_WEIGHT, fit


def test_fit_writes_standardised_weights_the_product_reads_and_weighs_unanswerable_questions_less() -> None:
    rng = random.Random(7)
    feats, labels = [], []
    for _ in range(300):  # right answers quote a line that matches; wrong ones do not, whatever their margin
        right = rng.random() < 0.8
        feats.append({"line": rng.gauss(0.7 if right else 0.4, 0.1), "margin": rng.random(),
                      "coverage": rng.random(), "votes": float(rng.randint(0, 3))})
        labels.append(int(right))
    weights = [1.0] * 200 + [UNANSWERABLE_WEIGHT] * 100
    model = fit(feats, labels, weights)
    assert set(model["features"]) == {"line", "margin", "coverage", "votes"}
    assert model["trained_on"] == {"answers": 300, "passed": sum(labels), "unanswerable": 100,
                                   "unanswerable_weight": UNANSWERABLE_WEIGHT}
    mean, scale, weight = model["features"]["line"]
    assert 0.5 < mean < 0.7 and scale > 0.05 and weight > 1.0
    assert abs(model["features"]["margin"][2]) < weight / 3  # noise gets a small weight

    high = lc.probability({"line": 0.8, "margin": 0.5, "coverage": 0.5, "votes": 1.0}, 0.5, model)
    low = lc.probability({"line": 0.3, "margin": 0.5, "coverage": 0.5, "votes": 1.0}, 0.5, model)
    assert lc.FLOOR <= low < 0.5 < high <= lc.CAP
