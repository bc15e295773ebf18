"""Dense vectors in Chroma, one collection per visibility partition.

Why partitions: a Chroma ``where`` filter costs about 50-75 ms at 100k items on this machine while an
unfiltered HNSW query costs about 2-3 ms. So chunks are split by who may see them:

- ``library``: shared documents (no owner, no team), visible to everyone;
- ``team:<id>``: CRM-derived (or owned) chunks of one team.

A manager queries the library plus their team's collection unfiltered; an admin queries every
collection; an exec (aggregates only) the library alone; a rep queries the library plus the
collection holding their chunks, over-fetching unfiltered and keeping their own (falling back to a
``where`` filter over that one small collection when too few survive). The store re-checks every
hit against the scope in code regardless.

Embeddings are always passed in (``embedding_function=None``): Chroma's default embedder would
download a model. Collections use cosine space and a high HNSW ``ef_search`` set at creation.
Collection names include a namespace derived from the embedder, so switching embedding models never
mixes vector spaces.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from copilot.core.errors import ProviderError

LIBRARY = "library"
EF_SEARCH = 400


def partition_for(owner: str, team: str) -> str:
    if not owner and not team:
        return LIBRARY
    return f"team:{team or '_none'}"


def open_chroma(*, path: Path | None = None, url: str | None = None) -> Any:
    """A Chroma client: HTTP when a server URL is given, else on disk under ``path``. Telemetry off."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if url:
        from urllib.parse import urlparse

        parsed = urlparse(url if "://" in url else f"http://{url}")
        try:
            return chromadb.HttpClient(host=parsed.hostname or "localhost", port=parsed.port or 8000,
                                       ssl=parsed.scheme == "https", settings=chroma_settings)
        except Exception as exc:  # noqa: BLE001
            raise ProviderError(f"cannot reach the Chroma server at {url}: {exc}",
                                hint="start it (chroma run) or unset COPILOT_CHROMA_URL") from None
    if path is None:
        raise ProviderError("no Chroma location given", hint="set COPILOT_HOME or COPILOT_CHROMA_URL")
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


class VectorIndex:
    def __init__(self, client: Any, *, namespace: str, ef_search: int = EF_SEARCH) -> None:
        self.client = client
        self.namespace = namespace
        self.ef_search = ef_search
        self._collections: dict[str, Any] = {}

    def collection_name(self, partition: str) -> str:
        if partition == LIBRARY:
            return f"kb-{self.namespace}-library"
        return f"kb-{self.namespace}-t{hashlib.sha1(partition.encode()).hexdigest()[:16]}"

    def _collection(self, partition: str, *, create: bool) -> Any | None:
        name = self.collection_name(partition)
        col = self._collections.get(name)
        if col is not None:
            return col
        if create:
            col = self.client.get_or_create_collection(
                name, embedding_function=None, metadata={"partition": partition},
                configuration={"hnsw": {"space": "cosine", "ef_search": self.ef_search}})
        else:
            try:
                col = self.client.get_collection(name, embedding_function=None)
            except Exception:  # noqa: BLE001 - NotFoundError differs between client kinds
                return None
        self._collections[name] = col
        return col

    def upsert(self, partition: str, ids: list[str], embeddings: list[list[float]], documents: list[str],
               metadatas: list[dict[str, Any]]) -> None:
        if not ids:
            return
        col = self._collection(partition, create=True)
        assert col is not None  # create=True always returns a collection
        step = 2000
        for i in range(0, len(ids), step):
            col.upsert(ids=ids[i:i + step], embeddings=embeddings[i:i + step], documents=documents[i:i + step],
                       metadatas=metadatas[i:i + step])

    def delete(self, partition: str, ids: list[str]) -> None:
        col = self._collection(partition, create=False)
        if col is None or not ids:
            return
        for i in range(0, len(ids), 2000):
            col.delete(ids=ids[i:i + 2000])

    def count(self, partition: str) -> int:
        col = self._collection(partition, create=False)
        return int(col.count()) if col is not None else 0

    def query(self, partition: str, embedding: list[float], n: int,
              where: dict[str, Any] | None = None) -> list[tuple[str, float, str, dict[str, Any]]]:
        """(id, cosine similarity, text, metadata), best first."""
        col = self._collection(partition, create=False)
        if col is None or n <= 0:
            return []
        res = col.query(query_embeddings=[embedding], n_results=n, where=where,
                        include=["documents", "metadatas", "distances"])
        ids = res["ids"][0]
        docs = (res.get("documents") or [[]])[0] or [""] * len(ids)
        metas = (res.get("metadatas") or [[]])[0] or [{}] * len(ids)
        dists = (res.get("distances") or [[]])[0] or [1.0] * len(ids)
        return [(i, 1.0 - float(d), t or "", dict(m or {})) for i, d, t, m in zip(ids, dists, docs, metas, strict=False)]
