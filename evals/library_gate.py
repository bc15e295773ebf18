"""Train the library gate (``copilot.offline.gate``): is a question about how things are done, or about records?

The model reads a question's form, not its topic: every word outside a closed vocabulary (English function
words, the CRM reader's words, a few modal and rule words) becomes X, numbers become N, and a logistic
regression over 1-3-grams of that shape learns which forms ask for a rule or a procedure ("do i get full
quota credit on X X X", "is there an X X field i should fill in") and which ask for records ("how many deals
did X close last quarter"). Because the topic words are masked, it does not learn the handbook's subjects.

Training data, dev splits only (the test splits stay unseen):
- library: the handbook questions of the dev split, the demo library questions of evals/datasets/qa.yaml,
  the routing set's library cases and the router's library exemplars;
- records: the hand-written and generated CRM questions of the dev split, the demo CRM questions of qa.yaml,
  the dev half of evals/datasets/record_questions.yaml (calls, health, forecast, risk, accounts, requests),
  the routing set's other cases and the router's other exemplars.

Run ``python -m evals.library_gate`` to rewrite copilot/offline/data/library_gate.json (deterministic).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

from copilot.offline import gate
from copilot.offline.parse.normalize import VOCAB, normalize
from copilot.offline.router import EXEMPLARS
from evals.suites.handbook import split_of

DATA = Path(__file__).parent / "datasets"
LIBRARY = {"objection", "competitor", "knowledge"}
# Words that carry the form of a rule question; kept beside the function words and the CRM reader's words.
RULE_WORDS = {"should", "need", "needs", "must", "supposed", "meant", "allowed", "can", "could", "would", "ok",
              "okay", "rule", "rules", "policy", "process", "per", "typically", "usually", "expected", "required",
              "require", "requires", "field", "fill", "checklist", "template", "approval", "approve", "who",
              "where", "why", "how", "what", "which", "when", "i", "we", "you", "my", "our", "their", "a", "an",
              "the", "do", "does", "is", "are"}
C = 1.0  # inverse regularisation strength
MIN_DF = 2  # an n-gram seen in fewer training questions is dropped


def _yaml_cases(name: str) -> list[dict[str, Any]]:
    return list(yaml.safe_load((DATA / name).read_text(encoding="utf-8"))["cases"])


def _jsonl(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def _library_source(case: dict[str, Any]) -> bool:
    sources = case.get("expected_sources") or []
    return bool(sources) and all(str(s).endswith(".md") for s in sources)


def training_set() -> tuple[list[str], list[str]]:
    """(library questions, record questions), dev splits only."""
    library = [c["question"] for c in _yaml_cases("handbook.yaml") if split_of(c["id"]) == "dev"]
    qa = _yaml_cases("qa.yaml")
    library += [c["question"] for c in qa if _library_source(c)]
    records = [c["question"] for c in qa if not _library_source(c)]
    for c in _yaml_cases("routing.yaml"):
        (library if c["intent"] in LIBRARY else records).append(c["question"])
    for intent, examples in EXEMPLARS.items():
        if intent != "help":
            (library if intent in LIBRARY else records).extend(examples)
    records += [c["question"] for c in _yaml_cases("crm_handwritten.yaml") if c.get("split") == "dev"]
    records += [q for q in record_questions() if split_of(q) == "dev"]
    for name in ("crm_generated_demo.jsonl", "crm_generated_maven.jsonl"):
        records += [r["question"] for r in _jsonl(name) if r.get("split", "dev") == "dev"]
    return library, records


def record_questions() -> list[str]:
    """Questions for the call, health, forecast, risk, account, follow-up and role-play handlers."""
    return [c["question"] for c in _yaml_cases("record_questions.yaml")]


def keep_words() -> list[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return sorted(set(ENGLISH_STOP_WORDS) | {w.lower() for w in VOCAB} | RULE_WORDS)


def train() -> dict[str, Any]:
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression

    keep = set(keep_words())
    library, records = training_set()
    texts = [gate.shape(normalize(q, set())[0] or q, keep) for q in library + records]
    labels = [1] * len(library) + [0] * len(records)
    vec = CountVectorizer(ngram_range=(1, gate.MAX_N), token_pattern=r"\S+", min_df=MIN_DF, binary=True,
                          lowercase=False)
    x = vec.fit_transform(texts)
    weight = [len(records) / len(library) if y else 1.0 for y in labels]  # both sides count the same
    model = LogisticRegression(C=C, max_iter=5000).fit(x, labels, sample_weight=weight)
    coef = model.coef_[0]
    grams = {g: round(float(coef[i]), 5) for g, i in sorted(vec.vocabulary_.items())}
    return {"about": "copilot.offline.gate weights; written by `python -m evals.library_gate`, do not edit",
            "trained_on": {"library": len(library), "records": len(records)},
            "intercept": round(float(model.intercept_[0]), 5), "keep": sorted(keep), "grams": grams}


def main(argv: list[str] | None = None) -> int:
    out = gate.WEIGHTS
    model = train()
    out.write_text(json.dumps(model, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {out}: {len(model['grams'])} n-grams from {model['trained_on']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
