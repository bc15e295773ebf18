"""Library answers' confidence: the hand-set rule, the shipped model, its trainer (the weights it writes are the
ones the product reads, with the right signs), and the handbook suite's unanswerable questions."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from copilot.offline import library_confidence as lc
from evals.base import DATASETS, load_rows
from evals.library_confidence import UNANSWERABLE_WEIGHT, fit
from evals.suites import handbook


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


def test_hand_set_confidence_reads_as_the_chance_of_being_right_and_agreeing_rankers_raise_it() -> None:
    # Library confidence was a ranking score: right answers averaged 0.53 and half were flagged as low-confidence.
    # The hand-set rule (the fallback, and the model's starting point) is calibrated by Platt scaling on the
    # handbook's dev half, and rises with each ranker (keywords, embedder, retrieval) that puts the section first.
    from copilot.offline.library_confidence import CALIBRATED_CAP, rule
    from copilot.trust import LOW_CONFIDENCE

    rival = _unit(2.9, 0.5, None, "B")
    by_votes = [rule([_unit(3.0, 0.7, v), rival]) for v in (0, 1, 2, 3)]
    assert by_votes == sorted(by_votes) and len(set(by_votes)) == 4
    assert rule([_unit(3.0, 0.7, None), _unit(2.0, 0.5, None, "B")]) >= 0.85
    assert all(c < CALIBRATED_CAP for c in by_votes)
    weak = rule([_unit(3.0, 0.1, 3), _unit(1.0, 0.1, None, "B")])
    assert weak < LOW_CONFIDENCE  # only the closest thing the library has: still read as unsure


def _unit(score: float, coverage: float, votes: int | None, section: str = "A", body: str = "b"):
    from copilot.offline.sections import Unit

    return Unit(title="T", path=[section], body=body, passage=0, rank=0, source="s", score=score,
                coverage=coverage, votes=votes)


class _Words:
    """An embedder whose vectors are word counts over a tiny vocabulary: similar lines share words."""

    VOCAB = ("quote", "valid", "days", "discount", "approval", "lunch", "menu")

    def embed(self, texts: list[str]) -> list[list[float]]:
        return [[float(t.lower().count(w)) + 1e-3 for w in self.VOCAB] for t in texts]


def test_fitted_confidence_rises_with_lead_coverage_agreement_and_a_quoted_line_that_answers() -> None:
    # The shipped model (evals/library_confidence.py, fitted on the handbook's dev half) reads four shapes of the
    # answer; each, alone, moves the confidence the way it should, and it stays a probability.
    model = lc._model()
    assert model is not None and set(model["features"]) == {"margin", "coverage", "votes", "line"}
    q = "how long is a quote valid?"
    answers = "Quotes are valid for 30 days from the date sent."
    off = "The team lunch menu changes weekly."

    def conf(score: float = 2.2, coverage: float = 0.4, votes: int = 1, text: str = answers) -> float:
        units = [_unit(score, coverage, votes, body=text), _unit(2.0, 0.4, None, "B")]
        return lc.confidence(q, units, [(units[0], text)], _Words())

    base = conf()
    assert lc.FLOOR < base < lc.CAP
    assert conf(score=3.0) > base  # a clear lead over the best section elsewhere
    assert conf(coverage=0.8) > base
    assert conf(votes=3) > base
    assert conf(text=off) < base  # no quoted line says what was asked
    assert lc.FLOOR <= conf(score=2.01, coverage=0.05, votes=0, text=off) < 0.3
    assert lc.confidence(q, [], [], _Words()) == 0.15  # nothing quoted


def test_handbook_questions_asked_of_another_library_are_measured_as_unanswerable(copilot, shared_data: Path) -> None:
    if not (shared_data / handbook.OTHER_LIBRARY).is_dir():
        pytest.skip("the PostHog pages are not in the shared data folder")
    rows = handbook.unanswerable_sample(load_rows(DATASETS / "handbook.yaml"))
    assert 100 < len(rows) < 250 and {handbook.split_of(r["id"]) for r in rows} == {"test"}
    asked = handbook._elsewhere(copilot, shared_data / handbook.OTHER_LIBRARY, rows[:3])
    assert [c["split"] for c in asked] == ["unanswerable"] * 3
    assert all(not c["passed"] and c["citations"] for c in asked)  # Sourcegraph's facts are not in PostHog's pages
    right = {"split": "test", "passed": True, "confidence": 0.9}
    m = handbook._unanswerable(asked, [right])
    assert m["unanswerable_questions"] == 3 and m["unanswerable_facts_found"] == 0
    assert m["unanswerable_mean_confidence"] == pytest.approx(sum(c["confidence"] for c in asked) / 3)
    assert m["test_auroc_with_unanswerable"] == pytest.approx(
        sum(1.0 if c["confidence"] < 0.9 else 0.5 if c["confidence"] == 0.9 else 0.0 for c in asked) / 3)
