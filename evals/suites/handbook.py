"""Handbook QA: library answers on a real handbook against the simplest baseline, in the same run.

The Sourcegraph handbook (101 markdown pages, in the shared data folder) is ingested into a throwaway
Copilot built with the settings under test (same embedder, its own data directory), and every question
is asked through the public facade, ``cp.ask``. The baseline is the single top BM25 passage (FTS5 over
the same store) returned whole as the answer. Both are scored the same way:

- fact recall: the share of a case's gold facts present in the text (case and whitespace insensitive);
- section hit: a citation names the gold page and, when it carries a heading path, the gold section.

Questions the router sends elsewhere (a CRM query, the forecast) score what that answer holds; the
``routed_*`` metrics show the library answers alone, on the questions that reached them.

Cases are split into dev and test by a hash of their id, so adding cases never moves old ones: tune on
dev, report test.

Every handbook question has its answer in the handbook, so the suite also asks a sample of the test half
(``UNANSWERABLE``) against another company's small library (the PostHog pages), where none of them has an
answer: ``unanswerable_*`` says how confident the answers were there and how many were flagged as unsure, and
``test_auroc_with_unanswerable`` ranks the handbook's right answers against all the wrong ones of both.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from pathlib import Path
from typing import Any

from evals.base import EvalEnv, SuiteResult, principal_of
from evals.crm_questions.calibration import auroc, ece
from evals.metrics import fact_present, mean

NAME = "handbook"
DATASET = "handbook.yaml"
FAST = False  # ingests a 101-page handbook; with minilm that takes a minute
HANDBOOK = Path("case_library") / "sourcegraph_handbook"
OTHER_LIBRARY = Path("case_library") / "posthog"
UNANSWERABLE = 4  # one test question in this many (by id hash) is also asked of the other library
LIBRARY_INTENTS = {"knowledge", "objection", "competitor"}


def _hash(case_id: str) -> int:
    return int(hashlib.sha1(case_id.encode()).hexdigest(), 16)


def split_of(case_id: str) -> str:
    return "test" if _hash(case_id) % 2 else "dev"


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def fact_recall(facts: list[str], text: str) -> tuple[float, list[str]]:
    missing = [f for f in facts if not fact_present(f, text)]
    return (1 - len(missing) / len(facts) if facts else 1.0), missing


def section_hit(citations: list[Any], page: str, section: str) -> bool:
    """A citation of the gold page whose title and heading path contain the gold section (if it has one)."""
    want = _norm(section)
    for c in citations:
        if not str(c.source_id).endswith(page):
            continue
        where = _norm(f"{c.title} {c.section or ''}")
        if not want or not c.section or want in where:
            return True
    return False


def _throwaway(cp: Any, home: Path) -> Any:
    """A Copilot with ``cp``'s settings but its own empty data directory (never the real CRM or Chroma)."""
    from copilot.app import Copilot
    from copilot.core.settings import load_settings

    fields = cp.settings.model_dump()
    fields.update(home=home, database_url=None, chroma_url=None)
    return Copilot(load_settings(**fields))


def run(env: EvalEnv, rows: list[dict]) -> SuiteResult:
    root = Path(env.cp.settings.shared_data) / HANDBOOK
    if not root.is_dir():
        return SuiteResult(NAME, status="not available",
                           note=f"no handbook at {root}: set COPILOT_SHARED_DATA to the shared data folder")
    with tempfile.TemporaryDirectory(prefix="copilot-handbook-") as tmp:
        cp = _throwaway(env.cp, Path(tmp) / "home")
        try:
            report = cp.services.knowledge.ingest_paths([root])
            principal = principal_of(cp, "admin")
            scope = cp.scope(principal)
            cases = [_case(cp, principal, scope, row) for row in rows]
        finally:
            cp.close()
    metrics: dict[str, float | None] = {"pages": float(report.seen), "chunks": float(report.chunks_written)}
    metrics.update(_calibration([c for c in cases if c["split"] == "test"]))
    other = Path(env.cp.settings.shared_data) / OTHER_LIBRARY
    if other.is_dir():
        sample = unanswerable_sample(rows)
        elsewhere = _elsewhere(env.cp, other, sample)
        cases += elsewhere
        metrics.update(_unanswerable(elsewhere, [c for c in cases if c["split"] == "test"]))
    for split in ("test", "dev"):
        part = [c for c in cases if c["split"] == split]
        answer, base = mean([c["score"] for c in part]), mean([c["baseline_score"] for c in part])
        metrics[f"{split}_fact_recall"] = answer
        metrics[f"{split}_baseline_fact_recall"] = base
        metrics[f"{split}_gain_points"] = 100 * (answer - base) if answer is not None and base is not None else None
        metrics[f"{split}_section_hit"] = mean([float(c["section_hit"]) for c in part])
        metrics[f"{split}_baseline_section_hit"] = mean([float(c["baseline_section_hit"]) for c in part])
        metrics[f"{split}_questions"] = float(len(part))
        metrics[f"{split}_auroc"] = auroc([c["confidence"] for c in part], [c["passed"] for c in part])
        # Routing apart from answering: how many questions reached a library answer, and how those did.
        routed = [c for c in part if c["intent"] in LIBRARY_INTENTS]
        metrics[f"{split}_routed_to_library"] = len(routed) / len(part) if part else None
        metrics[f"{split}_routed_fact_recall"] = mean([c["score"] for c in routed])
        metrics[f"{split}_routed_baseline_fact_recall"] = mean([c["baseline_score"] for c in routed])
    # Each batch's test half on its own: a later batch was written after the engine changed and is the fresh figure.
    for batch in sorted({c["batch"] for c in cases}):
        part = [c for c in cases if c["split"] == "test" and c["batch"] == batch]
        answer, base = mean([c["score"] for c in part]), mean([c["baseline_score"] for c in part])
        metrics[f"test_batch{batch}_fact_recall"] = answer
        metrics[f"test_batch{batch}_baseline_fact_recall"] = base
        metrics[f"test_batch{batch}_gain_points"] = 100 * (answer - base) if answer is not None and base is not None \
            else None
        metrics[f"test_batch{batch}_questions"] = float(len(part))
    return SuiteResult(NAME, metrics=metrics, cases=cases)


def unanswerable_sample(rows: list[dict]) -> list[dict]:
    """One test question in ``UNANSWERABLE``, by another part of the id's hash than the split's (its lowest bit)."""
    return [r for r in rows if split_of(r["id"]) == "test" and (_hash(r["id"]) >> 1) % UNANSWERABLE == 0]


def _calibration(test: list[dict[str, Any]]) -> dict[str, float | None]:
    conf, right = [c["confidence"] for c in test], [c["passed"] for c in test]
    return {"test_ece": ece(conf, right), "test_mean_confidence": mean(conf), "test_share_right": mean(right)}


def _elsewhere(base: Any, library: Path, rows: list[dict]) -> list[dict[str, Any]]:
    """The handbook questions ``rows`` asked of another company's library, where their answers are not."""
    with tempfile.TemporaryDirectory(prefix="copilot-unanswerable-") as tmp:
        cp = _throwaway(base, Path(tmp) / "home")
        try:
            cp.services.knowledge.ingest_paths([library])
            principal = principal_of(cp, "admin")
            scope = cp.scope(principal)
            return [{**_case(cp, principal, scope, row), "split": "unanswerable"} for row in rows]
        finally:
            cp.close()


def _unanswerable(elsewhere: list[dict[str, Any]], test: list[dict[str, Any]]) -> dict[str, float | None]:
    from copilot.trust import LOW_CONFIDENCE

    conf = [c["confidence"] for c in elsewhere]
    right = [c for c in test if c["passed"]]
    wrong = [c for c in test if not c["passed"]] + elsewhere
    return {"unanswerable_questions": float(len(elsewhere)), "unanswerable_mean_confidence": mean(conf),
            "unanswerable_flagged_unsure": mean([float(c < LOW_CONFIDENCE) for c in conf]),
            "unanswerable_facts_found": mean([float(c["passed"]) for c in elsewhere]),
            "test_auroc_with_unanswerable": auroc([c["confidence"] for c in right + wrong],
                                                  [True] * len(right) + [False] * len(wrong))}


def _case(cp: Any, principal: Any, scope: Any, row: dict) -> dict[str, Any]:
    facts = list(row.get("facts") or [])
    answer = cp.ask(principal, row["question"])
    score, missing = fact_recall(facts, answer.text)
    hits = cp.services.knowledge.search_bm25(row["question"], scope, k=1)
    baseline = hits[0].text if hits else ""
    base_score, base_missing = fact_recall(facts, baseline)
    return {
        "id": row["id"], "split": split_of(row["id"]), "batch": int(row.get("batch") or 1),
        "question": row["question"], "intent": answer.intent,
        "answer": answer.text, "citations": [c.location() for c in answer.citations],
        "facts_missing": missing, "score": score,
        "section_hit": section_hit(answer.citations, row["page"], row.get("section", "")),
        "baseline": baseline, "baseline_citation": hits[0].citation.location() if hits else None,
        "baseline_facts_missing": base_missing, "baseline_score": base_score,
        "baseline_section_hit": section_hit([h.citation for h in hits], row["page"], row.get("section", "")),
        "confidence": answer.confidence, "passed": score >= 0.5,
    }
