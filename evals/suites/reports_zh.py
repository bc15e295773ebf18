"""Real Chinese text: the two industry reports of the shared data folder, asked in Chinese, against the
simplest baseline in the same run.

The reports are ingested into a throwaway Copilot with the settings under test (its own data directory),
and every question goes through the public facade (``cp.ask``). The baseline is the top BM25 passage
returned whole. Both are scored on fact recall (the share of a case's facts present in the text); the
copilot's answers must also be in Chinese. The reports have no headings, so a passage is long and holds
many facts: ``brief_*`` scores only the first ``BRIEF`` characters of what is quoted (the copilot's answer
body, the baseline passage), which is what a reader sees first. Cases split into dev and test by a hash of
their id.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from copilot.core.domain import OPERATOR
from evals.base import EvalEnv, SuiteResult
from evals.metrics import mean
from evals.suites.handbook import _throwaway, fact_recall, split_of

NAME = "reports_zh"
DATASET = "reports_zh.yaml"
FAST = True  # two reports, about 17 KB of text
REPORTS = Path("reports_zh")
BRIEF = 300


def body(text: str) -> str:
    """The quoted text of an answer: no lead line, no source heading lines, no offline notice."""
    lines = [ln for ln in text.splitlines()[1:] if ln.strip() and not ln.startswith(("**", "_", "另见", "Also"))]
    return "\n".join(lines)


def run(env: EvalEnv, rows: list[dict]) -> SuiteResult:
    root = Path(env.cp.settings.shared_data) / REPORTS
    pages = sorted(p for p in root.glob("*.md") if p.name != "README.md") if root.is_dir() else []
    if not pages:
        return SuiteResult(NAME, status="not available",
                           note=f"no reports at {root}: set COPILOT_SHARED_DATA to the shared data folder")
    with tempfile.TemporaryDirectory(prefix="copilot-reports-zh-") as tmp:
        cp = _throwaway(env.cp, Path(tmp) / "home")
        try:
            cp.services.knowledge.ingest_paths(pages)
            scope = cp.scope(OPERATOR)
            cases = []
            for row in rows:
                answer = cp.ask(OPERATOR, row["question"])
                top = cp.services.knowledge.search_bm25(row["question"], scope, k=1)
                got, missing = fact_recall(row["facts"], answer.text)
                base, _ = fact_recall(row["facts"], top[0].text if top else "")
                brief, _ = fact_recall(row["facts"], body(answer.text)[:BRIEF])
                brief_base, _ = fact_recall(row["facts"], (top[0].text if top else "")[:BRIEF])
                cases.append({"id": row["id"], "question": row["question"], "split": split_of(row["id"]),
                              "fact_recall": got, "baseline": base, "missing": missing,
                              "brief": brief, "brief_baseline": brief_base,
                              "chinese": answer.language == "zh", "cited": bool(answer.citations),
                              "answer": answer.text[:400], "passed": got == 1.0, "score": got})
        finally:
            cp.close()
    metrics: dict[str, float | None] = {}
    for split in ("test", "dev"):
        mine = [c for c in cases if c["split"] == split]
        metrics[f"{split}_fact_recall"] = mean([c["fact_recall"] for c in mine])
        metrics[f"{split}_baseline_fact_recall"] = mean([c["baseline"] for c in mine])
        metrics[f"{split}_brief_fact_recall"] = mean([c["brief"] for c in mine])
        metrics[f"{split}_brief_baseline_fact_recall"] = mean([c["brief_baseline"] for c in mine])
        metrics[f"{split}_questions"] = float(len(mine))
    metrics["answered_in_chinese"] = mean([1.0 if c["chinese"] else 0.0 for c in cases])
    metrics["cited"] = mean([1.0 if c["cited"] else 0.0 for c in cases])
    return SuiteResult(NAME, metrics=metrics, cases=cases, note=f"{len(pages)} Chinese reports, {len(cases)} questions")
