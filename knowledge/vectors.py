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

Several processes, one store
----------------------------
Chroma's embedded client (``PersistentClient``, 1.5.9) keeps each collection's HNSW index in memory per
process and does not look at the disk again. After another process writes (``copilot ingest``, an
upload to another API worker), a ``where``-filtered query here fails with ``Error finding id`` (SQLite
names vectors the cached index lacks) until the process restarts, and unfiltered queries silently miss
the new vectors. Worse, a write from such a stale process, once the index is big enough to be saved
(about 1,000 items), leaves the index on disk inconsistent for every process, fresh ones included.

Chosen: notice other processes' writes and reopen (not "run a Chroma server"), because the embedded
store is the default, and ``copilot serve --workers N`` and ``copilot ingest`` while serving must be
right with nothing more to run:

- ``StoreWatch`` asks ``PRAGMA data_version`` of its own connection to ``chroma.sqlite3`` before every
  operation (it changes whenever another connection committed; about 6 us, 15 us with the lock below,
  against 1-2 ms for the query itself). Only then does it read a
  fingerprint (collection ids and names, each segment's last sequence number), since merely opening a
  client writes there too. When the fingerprint moved, the client is rebuilt outside Chroma's per-path
  cache of systems (``PersistentClient`` would hand back the stale one) and collection handles are
  dropped. The old client is left to queries in flight, never closed.
- Writes hold an exclusive ``flock`` on ``copilot.lock`` in the Chroma folder and check first, so two
  ingests never interleave and nobody writes from a stale index; reads hold it shared, so no index is
  loaded while another process is saving it.
- A query that fails anyway reopens and retries once, then raises ``VectorsUnavailable``, and
  ``KnowledgeStore.search`` ranks by BM25 alone instead of failing the question.

A Chroma server (``COPILOT_CHROMA_URL``, ``chroma run``) owns its indexes and needs none of this: it is
the better fit for several hosts or heavy concurrent writing, at the cost of one more service. Over
HTTP a failed query only drops the collection handles (a compaction elsewhere replaces collections)
and retries.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from copilot.core.errors import ProviderError

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; one process per store there
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

LIBRARY = "library"
EF_SEARCH = 400
LOCK_FILE = "copilot.lock"
LOCK_WAIT = 30.0  # seconds a query or a write waits for another process's write to finish

T = TypeVar("T")


class VectorsUnavailable(ProviderError):
    """Chroma failed even after the client was reopened; searches fall back to BM25."""


def partition_for(owner: str, team: str) -> str:
    if not owner and not team:
        return LIBRARY
    return f"team:{team or '_none'}"


def open_chroma(*, path: Path | None = None, url: str | None = None, fresh: bool = False) -> Any:
    """A Chroma client: HTTP when a server URL is given, else on disk under ``path``. Telemetry off.
    ``fresh``: a new embedded system even if this process already has one for ``path``."""
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
    if fresh:
        _forget_system(str(path))
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def _forget_system(identifier: str) -> None:
    """Drop this process's cached Chroma system for one folder (clients already holding it keep it)."""
    from chromadb.api.shared_system_client import SharedSystemClient as shared

    systems = getattr(shared, "_identifier_to_system", None)
    counts = getattr(shared, "_identifier_to_refcount", None)
    if not isinstance(systems, dict) or not isinstance(counts, dict):
        shared.clear_system_cache()  # the public, coarser way (every folder)
        return
    with shared._refcount_lock:
        systems.pop(identifier, None)
        counts.pop(identifier, None)


class StoreWatch:
    """Notices data written to an embedded Chroma folder by any other connection (another process)."""

    def __init__(self, folder: Path) -> None:
        self._con = sqlite3.connect(str(folder / "chroma.sqlite3"), timeout=30, check_same_thread=False,
                                    isolation_level=None)
        self._lock = threading.Lock()
        self._version, self._print = -1, ""
        self.mark()

    def _fingerprint(self) -> str:
        rows = self._con.execute(
            "SELECT 'c', id, name FROM collections UNION ALL SELECT 's', segment_id, seq_id FROM max_seq_id "
            "ORDER BY 1, 2").fetchall()
        return hashlib.sha1(repr(rows).encode()).hexdigest()

    def changed(self) -> bool:
        """Whether the data changed since ``mark`` (a commit that changed none of it is forgotten)."""
        with self._lock:
            version = self._con.execute("PRAGMA data_version").fetchone()[0]
            if version == self._version:
                return False
            if self._fingerprint() == self._print:
                self._version = version
                return False
            return True

    def mark(self) -> None:
        """Take the data as it is now as what this process's client holds."""
        with self._lock:
            self._version = self._con.execute("PRAGMA data_version").fetchone()[0]
            self._print = self._fingerprint()

    def close(self) -> None:
        with self._lock:
            self._con.close()


@contextmanager
def _flock(path: Path | None, *, exclusive: bool, wait: float = LOCK_WAIT) -> Iterator[None]:
    """An advisory lock across processes (a descriptor per use, so threads of one process exclude each
    other too). Waits up to ``wait`` seconds, then raises ``TimeoutError``."""
    if path is None or fcntl is None:
        yield
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        mode = (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, mode)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{path} stayed locked for {wait:g} s") from None
                time.sleep(0.005)
        yield
    finally:
        os.close(fd)  # closing releases the lock


class VectorIndex:
    """Collections of one embedder namespace. Over an embedded client it follows other processes' writes
    (see the module docstring); ``client`` is replaced when it reopens, so read it at each use."""

    def __init__(self, client: Any, *, namespace: str, ef_search: int = EF_SEARCH) -> None:
        self.client = client
        self.namespace = namespace
        self.ef_search = ef_search
        self._collections: dict[str, Any] = {}
        self._reopening = threading.Lock()
        self._folder: str | None = None
        self.watch: StoreWatch | None = None
        settings = client.get_settings()
        if getattr(settings, "is_persistent", False) and settings.persist_directory:
            self._folder = str(settings.persist_directory)
            try:
                self.watch = StoreWatch(Path(self._folder))
            except sqlite3.Error as exc:  # a Chroma whose tables differ: reopen on errors only
                log.warning("cannot watch %s for other processes' writes: %s", self._folder, exc)
        self.reopened = 0  # times the client was rebuilt (another process wrote, or Chroma failed)

    @property
    def _lock_path(self) -> Path | None:
        return Path(self._folder) / LOCK_FILE if self._folder else None

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

    # -- following other processes ----------------------------------------------------------------------
    def _fresh(self) -> None:
        """Reopen if another process changed the store since this client last saw it."""
        if self.watch is None or not self.watch.changed():
            return
        with self._reopening:
            if self.watch.changed():
                self._reopen("another process wrote to the store")

    def _reopen(self, why: str) -> None:
        """A new client (embedded) or new collection handles (HTTP). Caller holds ``_reopening``."""
        if self.watch is not None and self._folder is not None:
            self.watch.mark()  # before reopening: a write in between only causes one more reopen
            self.client = open_chroma(path=Path(self._folder), fresh=True)
        self._collections = {}
        self.reopened += 1
        log.info("reopened the vector store: %s", why)

    def _retrying(self, what: str, attempt: Callable[[], T]) -> T:
        """``attempt`` once more on a fresh client if Chroma fails (stale segments, replaced collections)."""
        try:
            return attempt()
        except Exception as exc:  # noqa: BLE001 - Chroma's errors have no common base worth naming
            log.warning("Chroma failed during %s (%s: %s); reopening and retrying once", what,
                        type(exc).__name__, exc)
            with self._reopening:
                self._reopen(f"{what} failed")
        return attempt()

    # -- operations -------------------------------------------------------------------------------------
    def upsert(self, partition: str, ids: list[str], embeddings: list[list[float]], documents: list[str],
               metadatas: list[dict[str, Any]]) -> None:
        if not ids:
            return

        def attempt() -> None:
            self._fresh()
            col = self._collection(partition, create=True)
            assert col is not None  # create=True always returns a collection
            step = 2000
            for i in range(0, len(ids), step):
                col.upsert(ids=ids[i:i + step], embeddings=embeddings[i:i + step], documents=documents[i:i + step],
                           metadatas=metadatas[i:i + step])

        self._write("writing", attempt)

    def delete(self, partition: str, ids: list[str]) -> None:
        if not ids:
            return

        def attempt() -> None:
            self._fresh()
            col = self._collection(partition, create=False)
            if col is None:
                return
            for i in range(0, len(ids), 2000):
                col.delete(ids=ids[i:i + 2000])

        self._write("deleting", attempt)

    def _write(self, what: str, attempt: Callable[[], None]) -> None:
        """Under the exclusive lock: nobody else writes, so afterwards this client holds the whole store."""
        try:
            with _flock(self._lock_path, exclusive=True):
                self._retrying(what, attempt)
                if self.watch is not None:
                    self.watch.mark()
        except TimeoutError:
            raise ProviderError("the knowledge store stayed busy: another process is writing to it",
                                hint="try again when the other ingest has finished") from None

    def count(self, partition: str) -> int:
        def attempt() -> int:
            self._fresh()
            col = self._collection(partition, create=False)
            return int(col.count()) if col is not None else 0

        with _flock(self._lock_path, exclusive=False):
            return self._retrying("counting", attempt)

    def query(self, partition: str, embedding: list[float], n: int,
              where: dict[str, Any] | None = None) -> list[tuple[str, float, str, dict[str, Any]]]:
        """(id, cosine similarity, text, metadata), best first. Raises ``VectorsUnavailable`` when Chroma
        fails twice (the second time on a reopened client) or another process writes for too long."""
        if n <= 0:
            return []

        def attempt() -> Any:
            self._fresh()
            col = self._collection(partition, create=False)
            if col is None:
                return None
            return col.query(query_embeddings=[embedding], n_results=n, where=where,
                             include=["documents", "metadatas", "distances"])

        try:
            with _flock(self._lock_path, exclusive=False):
                res = self._retrying("a query", attempt)
        except Exception as exc:  # noqa: BLE001 - whatever Chroma raised the second time
            raise VectorsUnavailable(f"the vector index could not be queried ({type(exc).__name__}: {exc})",
                                     hint="answers use keyword search meanwhile; if it persists, restart and "
                                          "run 'copilot ingest' again") from exc
        if res is None:
            return []
        ids = res["ids"][0]
        docs = (res.get("documents") or [[]])[0] or [""] * len(ids)
        metas = (res.get("metadatas") or [[]])[0] or [{}] * len(ids)
        dists = (res.get("distances") or [[]])[0] or [1.0] * len(ids)
        return [(i, 1.0 - float(d), t or "", dict(m or {})) for i, d, t, m in zip(ids, dists, docs, metas, strict=False)]

    # -- backup and restore ----------------------------------------------------------------------------
    @contextmanager
    def frozen(self) -> Iterator[None]:
        """No other process writes meanwhile (embedded: the shared lock writers wait for)."""
        with _flock(self._lock_path, exclusive=False, wait=LOCK_WAIT * 4):
            self._fresh()
            yield

    def export(self, batch: int = 2000) -> Iterator[tuple[str, dict[str, Any], list[dict[str, Any]]]]:
        """Every collection of this namespace: (name, its metadata, rows of id, embedding, document,
        metadata). Call inside ``frozen`` for a consistent copy."""
        prefix = f"kb-{self.namespace}-"
        for col in sorted(self.client.list_collections(), key=lambda c: c.name):
            if not col.name.startswith(prefix):
                continue
            rows: list[dict[str, Any]] = []
            for offset in range(0, col.count(), batch):
                got = col.get(include=["embeddings", "documents", "metadatas"], limit=batch, offset=offset)
                for i, ident in enumerate(got["ids"]):
                    rows.append({"id": ident, "embedding": [float(x) for x in got["embeddings"][i]],
                                 "document": got["documents"][i], "metadata": got["metadatas"][i]})
            yield col.name, dict(col.metadata or {}), rows

    def restore(self, name: str, metadata: dict[str, Any], rows: list[dict[str, Any]], batch: int = 2000) -> int:
        """Recreate one exported collection (under its own name: the namespace must match)."""
        partition = str(metadata.get("partition") or LIBRARY)
        if self.collection_name(partition) != name:
            raise ProviderError(f"collection {name} was made with another embedding model",
                                hint="restore with the COPILOT_EMBEDDINGS the backup was made with")

        def attempt() -> None:
            col = self._collection(partition, create=True)
            assert col is not None
            for i in range(0, len(rows), batch):
                part = rows[i:i + batch]
                col.upsert(ids=[r["id"] for r in part], embeddings=[r["embedding"] for r in part],
                           documents=[r["document"] for r in part], metadatas=[r["metadata"] for r in part])

        self._write("restoring", attempt)
        return len(rows)

    def close(self) -> None:
        if self.watch is not None:
            self.watch.close()
