"""Hybrid retrieval under a Scope: the read side of ``KnowledgeStore``.

Dense (Chroma) and BM25 (FTS5) candidates, fused with RRF (k=60), optionally reranked by a local
cross-encoder. Visibility comes only from the ``Scope`` (never from the query or the text): it picks the
collections (``_plan``) and the SQL ``WHERE`` (``_sql_visibility``), and every hit is re-checked with
``scope.allows_metadata`` before it is returned, on every path. When Chroma fails, a search ranks by
BM25 alone rather than failing the question.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property
from typing import Any

from copilot.core.domain import Citation
from copilot.core.embeddings import Embedder
from copilot.core.visibility import Scope
from knowledge.bm25 import KeywordIndex
from knowledge.documents import Hit
from knowledge.fusion import CrossEncoderReranker, rrf, snippet
from knowledge.vectors import LIBRARY, VectorIndex, VectorsUnavailable

log = logging.getLogger(__name__)

OVERFETCH = 8

Candidate = tuple[str, float, str, dict[str, Any]]


class Retrieval:
    """Search methods of ``KnowledgeStore``, over the indexes it builds."""

    embedder: Embedder
    vectors: VectorIndex
    keywords: KeywordIndex
    reranker: CrossEncoderReranker | None

    def search(self, query: str, scope: Scope, *, k: int = 8, types: list[str] | None = None,
               account_id: str | None = None) -> list[Hit]:
        """Hybrid retrieval: dense + BM25 fused by RRF, then the optional reranker. Scope-filtered."""
        pool = max(k * 3, 24)
        sparse_job = self._pool.submit(self._sparse, query, scope, pool, types, account_id)
        dense = self._dense_or_none(query, scope, pool, types, account_id)
        sparse = sparse_job.result()
        fused = rrf([[c[0] for c in dense], [c[0] for c in sparse]])
        by_id = {c[0]: c for c in sparse} | {c[0]: c for c in dense}
        ranked = [(by_id[i][0], score, by_id[i][2], by_id[i][3]) for i, score in fused.items()]
        if self.reranker is not None and ranked:
            head = ranked[:max(k * 2, 16)]
            scores = self.reranker.scores(query, [c[2] for c in head])
            ranked = [(c[0], s, c[2], c[3]) for s, c in sorted(zip(scores, head, strict=True), key=lambda x: -x[0])]
        return self._hits(ranked, query, scope, k)

    def search_dense(self, query: str, scope: Scope, *, k: int = 8, types: list[str] | None = None,
                     account_id: str | None = None) -> list[Hit]:
        return self._hits(self._dense(query, scope, k, types, account_id), query, scope, k)

    def search_bm25(self, query: str, scope: Scope, *, k: int = 8, types: list[str] | None = None,
                    account_id: str | None = None) -> list[Hit]:
        return self._hits(self._sparse(query, scope, k, types, account_id), query, scope, k)

    @cached_property
    def _pool(self) -> ThreadPoolExecutor:
        return ThreadPoolExecutor(max_workers=4, thread_name_prefix="knowledge")

    def _plan(self, scope: Scope) -> list[tuple[str, list[str] | None]]:
        """Collections to query and, for each, the owners to keep (None: the whole collection)."""
        if scope.aggregates_only:
            return [(LIBRARY, None)]
        if scope.all_records:
            return [(p, None) for p in sorted(set(self.keywords.partitions()) | {LIBRARY})]
        owners = sorted(scope.owner_ids)
        plan: list[tuple[str, list[str] | None]] = [(LIBRARY, None)]
        if scope.owner_records_only:  # the team's shared (unowned) chunks, and the owners' own, nothing else
            shared = [f"team:{t}" for t in sorted(scope.team_ids)]
            plan += [(p, ["", *owners]) for p in shared]
            return plan + [(p, owners) for p in self.keywords.partitions(owners) if p not in shared and p != LIBRARY]
        whole = {f"team:{t}" for t in scope.team_ids}
        plan += [(p, None) for p in sorted(whole)]
        plan += [(p, owners) for p in self.keywords.partitions(owners) if p not in whole and p != LIBRARY]
        return plan

    def _dense(self, query: str, scope: Scope, n: int, types: list[str] | None,
               account_id: str | None) -> list[Candidate]:
        if not query.strip():
            return []
        vector = self.embedder.embed([query])[0]
        user_where = _where(types, account_id)
        plan = self._plan(scope)

        def one(item: tuple[str, list[str] | None]) -> list[Candidate]:
            partition, owners = item
            if owners is None:
                return self.vectors.query(partition, vector, n, user_where)
            # Over-fetch unfiltered and keep the principal's own; fall back to a where-filtered query.
            wide = self.vectors.query(partition, vector, n * OVERFETCH, user_where)
            mine = [c for c in wide if scope.allows_metadata(c[3])]
            if len(mine) < n and len(wide) >= n * OVERFETCH:
                owner_where = {"owner": {"$in": owners}}
                mine = self.vectors.query(partition, vector, n,
                                          {"$and": [owner_where, user_where]} if user_where else owner_where)
            return mine

        # Collections are independent HNSW indexes: query them concurrently (Chroma releases the GIL).
        parts = list(self._pool.map(one, plan)) if len(plan) > 1 else [one(item) for item in plan]
        found = [c for part in parts for c in part]
        found = [c for c in found if scope.allows_metadata(c[3])]
        return sorted(found, key=lambda c: -c[1])[:n]

    keyword_only = 0  # searches answered by BM25 alone because the vector index failed

    def _dense_or_none(self, query: str, scope: Scope, n: int, types: list[str] | None,
                       account_id: str | None) -> list[Candidate]:
        """Dense candidates, or none when Chroma still fails after ``VectorIndex`` reopened it: the search
        then ranks by BM25 alone (a warning in the log) rather than failing the question."""
        try:
            return self._dense(query, scope, n, types, account_id)
        except VectorsUnavailable as exc:
            self.keyword_only += 1
            log.warning("dense search unavailable, ranking by keywords only: %s", exc)
            return []

    def _sparse(self, query: str, scope: Scope, n: int, types: list[str] | None,
                account_id: str | None) -> list[Candidate]:
        found = self.keywords.search(query, n, visibility=_sql_visibility(scope), types=types, account=account_id)
        return [c for c in found if scope.allows_metadata(c[3])]

    def _hits(self, ranked: list[Candidate], query: str, scope: Scope, k: int) -> list[Hit]:
        hits = []
        for cid, score, text, meta in ranked:
            if not scope.allows_metadata(meta):  # the last word, whatever produced the candidate
                continue
            hits.append(Hit(id=cid, text=text, score=round(float(score), 6), metadata=meta,
                            citation=citation_for(meta, snippet(text, query))))
            if len(hits) >= k:
                break
        return hits

    def _close_pool(self) -> None:
        if "_pool" in self.__dict__:
            self._pool.shutdown(wait=True)


def _where(types: list[str] | None, account_id: str | None) -> dict[str, Any] | None:
    conds: list[dict[str, Any]] = []
    if types:
        conds.append({"type": {"$in": list(types)}})
    if account_id:
        conds.append({"account": account_id})
    if not conds:
        return None
    return conds[0] if len(conds) == 1 else {"$and": conds}


def _sql_visibility(scope: Scope) -> tuple[str, list[Any]] | None:
    """The Scope as SQL over the FTS table's UNINDEXED owner/team columns (mirrors Scope.allows)."""
    shared = "(f.owner = '' AND f.team = '')"
    if scope.aggregates_only:
        return shared, []
    if scope.all_records:
        return None
    parts, params = [shared], []
    if scope.owner_ids:
        parts.append(f"f.owner IN ({','.join('?' * len(scope.owner_ids))})")
        params += sorted(scope.owner_ids)
    if scope.team_ids:
        team = f"f.team IN ({','.join('?' * len(scope.team_ids))})"
        parts.append(f"({team} AND f.owner = '')" if scope.owner_records_only else team)
        params += sorted(scope.team_ids)
    return " OR ".join(parts), params


def citation_for(meta: dict[str, Any], snip: str) -> Citation:
    source = str(meta.get("source", ""))
    title = str(meta.get("title", "") or source)
    if source.startswith("crm:"):
        return Citation(source_id=source, title=title, snippet=snip, kind="crm",
                        record=str(meta.get("record") or source.removeprefix("crm:")),
                        field=str(meta.get("field") or "") or None)
    return Citation(source_id=source, title=title, snippet=snip, kind="document",
                    section=str(meta.get("section") or "") or None)
