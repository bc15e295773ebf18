"""Fit the library answers' confidence model (``copilot.offline.library_confidence``) on the handbook's dev half.

Each dev question of evals/datasets/handbook.yaml is asked through the public facade over the Sourcegraph handbook
(ingested into a throwaway home with the settings in force, so with the embedder users get); every library answer's
features are recorded, with whether the answer held at least half of the question's gold facts (the handbook
suite's "passed"). A logistic regression over the standardised features is written to
copilot/offline/data/library_confidence.json. The test half is never asked, so ``copilot eval handbook`` reports
the model on questions it has not seen.

Run ``python -m evals.library_confidence`` (about five minutes: the ingest, then some 600 questions). It refuses
the hashing embedder of the tests: the model reads the real embedder's similarities.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

from copilot.offline import library_confidence
from evals.suites.handbook import HANDBOOK, OTHER_LIBRARY, fact_recall, split_of

DATA = Path(__file__).parent / "datasets" / "handbook.yaml"
C = 1.0  # inverse regularisation strength (5-fold cross-validation on the dev half: 0.1 and 1 within 0.003)
PASSED = 0.5  # the handbook suite's bar: at least half of the gold facts in the answer
UNANSWERABLE_WEIGHT = 0.1


def collect(library: Path) -> tuple[list[dict[str, float]], list[int]]:
    """(features, passed) for every dev question that got a library answer from ``library``."""
    from copilot.app import Copilot
    from copilot.core.settings import load_settings
    from evals.base import principal_of

    rows = [r for r in yaml.safe_load(DATA.read_text(encoding="utf-8"))["cases"] if split_of(r["id"]) == "dev"]
    feats: list[dict[str, float]] = []
    seen: list[dict[str, float]] = []
    labels: list[int] = []
    with tempfile.TemporaryDirectory(prefix="copilot-libconf-") as tmp:
        cp = Copilot(load_settings(home=Path(tmp) / "home", database_url=None, chroma_url=None))
        if cp.settings.embeddings == "hash":
            raise SystemExit("the hashing embedder is for tests: fit with the embedder users get")
        library_confidence.observer = seen.append
        try:
            cp.services.knowledge.ingest_paths([Path(cp.settings.shared_data) / library])
            who = principal_of(cp, "admin")
            for row in rows:
                seen.clear()
                answer = cp.ask(who, row["question"])
                if seen:
                    score, _ = fact_recall(list(row.get("facts") or []), answer.text)
                    feats.append(seen[-1])
                    labels.append(int(score >= PASSED))
        finally:
            library_confidence.observer = None
            cp.close()
    return feats, labels


def fit(feats: list[dict[str, float]], labels: list[int], weights: list[float]) -> dict[str, Any]:
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    names = sorted(feats[0])
    x = np.array([[f[n] for n in names] for f in feats], dtype=float)
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    model = LogisticRegression(C=C, max_iter=5000).fit((x - mean) / scale, labels, sample_weight=weights)
    return {"about": "copilot.offline.library_confidence weights; written by `python -m evals.library_confidence`, "
                     "do not edit",
            "trained_on": {"answers": len(labels), "passed": int(sum(labels)),
                           "unanswerable": int(sum(1 for w in weights if w != 1.0)),
                           "unanswerable_weight": UNANSWERABLE_WEIGHT},
            "intercept": round(float(model.intercept_[0]), 5),
            "features": {n: [round(float(m), 5), round(float(s), 5), round(float(w), 5)]
                         for n, m, s, w in zip(names, mean, scale, model.coef_[0], strict=True)}}


def main(argv: list[str] | None = None) -> int:
    feats, labels = collect(HANDBOOK)
    other, other_labels = collect(OTHER_LIBRARY)
    weights = [1.0] * len(feats) + [UNANSWERABLE_WEIGHT] * len(other)
    model = fit(feats + other, labels + other_labels, weights)
    library_confidence.WEIGHTS.write_text(json.dumps(model, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {library_confidence.WEIGHTS}: {model['trained_on']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
