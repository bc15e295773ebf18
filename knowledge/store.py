"""The knowledge store: what is stored and how it gets in and out. Ingest files and CRM records,
forget or erase them, compact the disk afterwards. Searching lives in ``knowledge.retrieval``
(``KnowledgeStore`` inherits it from ``Retrieval``).

Design (see ``knowledge.vectors`` for the partitioning that keeps filtered queries fast):

- Ingest: a file or CRM record becomes a ``SourceDoc``; its content hash (salted with the embedder's
  name) is compared with the registry, so unchanged sources are skipped, changed ones have their old
  chunks removed from Chroma and FTS before the new ones are written, and a failure to parse leaves
  what is stored untouched. Embeddings are computed in batches and written per partition in batches.
- Erasure: a source, an account, a contact or every text mentioning a subject is removed from Chroma
  (this namespace's collections and those an earlier embedder left), the FTS index and the registry;
  ``compact`` then gets the deleted text off the disk.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Callable, Iterable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from copilot.core.embeddings import Embedder
from copilot.core.errors import UserError
from knowledge.bm25 import KeywordIndex, phrase_query, shown
from knowledge.chunking import chunk_sections
from knowledge.compaction import (
    REBUILD_SUFFIX,
    drop_orphan_segments,
    rebuild_collection,
    scrub_hnsw_capacity,
    vacuum_sqlite,
)
from knowledge.documents import IngestReport, SourceDoc
from knowledge.fusion import CrossEncoderReranker
from knowledge.loaders import DEFAULT_MAX_BYTES, iter_files, load_file
from knowledge.mentions import Mentions
from knowledge.retrieval import Retrieval
from knowledge.vectors import VectorIndex, open_chroma, partition_for

EMBED_CALL = 512
FLUSH_CHUNKS = 512
VISIBILITY_KEYS = ("owner", "team", "account")


class KnowledgeStore(Retrieval):
    def __init__(self, client: Any, fts_path: Path, embedder: Embedder, *,
                 reranker: CrossEncoderReranker | None = None, ef_search: int = 400) -> None:
        self.embedder = embedder
        self.namespace = hashlib.sha1(embedder.name.encode()).hexdigest()[:8]
        self.vectors = VectorIndex(client, namespace=self.namespace, ef_search=ef_search)
        self.keywords = KeywordIndex(fts_path)
        self.reranker = reranker
        self._dirty: set[str] = set()  # collections that lost chunks since the last compact()

    @classmethod
    def open(cls, *, chroma_dir: Path, fts_path: Path, embedder: Embedder, chroma_url: str | None = None,
             reranker: CrossEncoderReranker | None = None) -> KnowledgeStore:
        return cls(open_chroma(path=chroma_dir, url=chroma_url), fts_path, embedder, reranker=reranker)

    max_file_bytes: int = DEFAULT_MAX_BYTES  # set from COPILOT_INGEST_MAX_MB by the composition root

    # -- ingestion --------------------------------------------------------------------------------------
    def ingest_paths(self, paths: list[Path], *, metadata: dict | None = None, progress: bool = False) -> IngestReport:
        """Index files or folders (.md .txt .html .pdf .docx). ``metadata`` is added to every chunk
        (e.g. ``{"type": "playbook"}``); front matter in a file wins over it."""
        report = IngestReport()
        started = time.perf_counter()
        docs: list[SourceDoc] = []
        for root in paths:
            root = Path(root).expanduser()
            if not root.exists():
                report.errors.append(f"{root}: no such file or folder")
                continue
            base = root.parent if root.is_dir() else None
            for file in iter_files(root):
                try:
                    loaded = load_file(file, max_bytes=self.max_file_bytes)
                except UserError as exc:
                    report.seen += 1
                    report.errors.append(str(exc))
                    continue
                docs.append(self._file_doc(file, base, loaded, metadata or {}))
        self._ingest(docs, report, progress=progress, label="ingesting files")
        report.seconds = round(time.perf_counter() - started, 3)
        return report

    def _file_doc(self, file: Path, base: Path | None, loaded: Any, extra_meta: dict) -> SourceDoc:
        resolved = file.resolve()
        if base is not None:
            source = resolved.relative_to(base.resolve()).as_posix()
        else:
            try:
                source = resolved.relative_to(Path.cwd()).as_posix()
            except ValueError:
                source = resolved.as_posix()
        given = {k: v for k, v in extra_meta.items() if isinstance(v, (str, int, float, bool))}
        meta = {**given, **loaded.metadata}
        # Who may see a document is the caller's decision, never the file's: front matter cannot widen it.
        meta.update({k: given[k] for k in VISIBILITY_KEYS if k in given})
        updated = str(meta.pop("updated_at", "") or meta.pop("date", "") or "")
        if not updated:
            from datetime import UTC, datetime

            updated = datetime.fromtimestamp(file.stat().st_mtime, UTC).isoformat(timespec="seconds")
        return SourceDoc(
            source=source, title=loaded.title, sections=loaded.sections, type=str(meta.pop("type", "document")),
            account=str(meta.pop("account", "") or ""), owner=str(meta.pop("owner", "") or ""),
            team=str(meta.pop("team", "") or ""), updated_at=updated, extra={**meta, "path": resolved.as_posix()})

    def sync_crm(self, crm: Any, *, progress: bool = False) -> IngestReport:
        """Index every CRM record as text; unchanged records are skipped, deleted ones removed."""
        from knowledge.crm_text import render_crm

        report = IngestReport()
        started = time.perf_counter()
        docs = list(render_crm(crm))
        self._ingest(docs, report, progress=progress, label="indexing CRM")
        live = {d.source for d in docs}
        for source in set(self.keywords.hashes("crm:")) - live:
            self._remove(source)
            report.removed += 1
        report.seconds = round(time.perf_counter() - started, 3)
        return report

    def ingest_documents(self, docs: Iterable[SourceDoc], *, progress: bool = False) -> IngestReport:
        """Index already-built documents (used by importers and benchmarks)."""
        report = IngestReport()
        started = time.perf_counter()
        self._ingest(docs, report, progress=progress, label="indexing")
        report.seconds = round(time.perf_counter() - started, 3)
        return report

    def _ingest(self, docs: Iterable[SourceDoc], report: IngestReport, *, progress: bool, label: str) -> None:
        pending: list[tuple[SourceDoc, str, bool, list[tuple[str, str, str, dict[str, Any]]]]] = []
        n_pending = 0
        docs = list(docs)
        bar = _progress(len(docs), label) if progress else None
        for doc in docs:
            report.seen += 1
            digest = doc.content_hash(self.embedder.name)
            previous = self.keywords.source(doc.source)
            if previous and previous["content_hash"] == digest:
                report.unchanged += 1
            else:
                items = self._chunk(doc, digest)
                pending.append((doc, digest, previous is not None, items))
                n_pending += len(items)
                if n_pending >= FLUSH_CHUNKS:
                    self._flush(pending, report)
                    pending, n_pending = [], 0
            if bar:
                bar(1)
        self._flush(pending, report)
        if bar:
            bar(0, done=True)

    def _chunk(self, doc: SourceDoc, digest: str) -> list[tuple[str, str, str, dict[str, Any]]]:
        """(id, stored text, text to embed, metadata) per chunk."""
        base = doc.base_metadata(digest)
        prefix = hashlib.sha1(doc.source.encode()).hexdigest()[:16]
        out = []
        for chunk in chunk_sections(doc.sections):
            meta = {**base, "section": chunk.section, "chunk": chunk.index}
            head = f"{doc.title} > {chunk.section}" if chunk.section else doc.title
            out.append((f"{prefix}-{chunk.index}", chunk.text, f"{head}\n{chunk.text}", meta))
        return out

    def _flush(self, pending: list, report: IngestReport) -> None:
        if not pending:
            return
        texts = [embed_text for _, _, _, items in pending for _, _, embed_text, _ in items]
        # One call per flush: the embedder batches internally (64 per forward pass) and sentence-transformers
        # sorts a call's texts by length, so bigger calls waste less padding than many 64-text calls.
        vectors: list[list[float]] = []
        for i in range(0, len(texts), EMBED_CALL):
            vectors.extend(self.embedder.embed(texts[i:i + EMBED_CALL]))
        by_partition: dict[str, tuple[list, list, list, list]] = {}
        pos = 0
        for doc, _, replacing, items in pending:
            if replacing:
                self._remove(doc.source)
            part = partition_for(doc.owner, doc.team)
            ids, embs, documents, metas = by_partition.setdefault(part, ([], [], [], []))
            for cid, text, _, meta in items:
                ids.append(cid)
                embs.append(vectors[pos])
                documents.append(text)
                metas.append(meta)
                pos += 1
        for part, (ids, embs, documents, metas) in by_partition.items():
            self.vectors.upsert(part, ids, embs, documents, metas)
        batch = []
        for doc, digest, replacing, items in pending:
            row = {"source": doc.source, "content_hash": digest, "partition": partition_for(doc.owner, doc.team),
                   "owner": doc.owner, "team": doc.team, "account": doc.account, "type": doc.type,
                   "path": str(doc.extra.get("path", "")), "n_chunks": len(items), "updated_at": doc.updated_at}
            mentions = list(zip(doc.contacts, doc.contact_names + [""] * len(doc.contacts), strict=False))
            batch.append((row, [(cid, text, meta) for cid, text, _, meta in items], mentions))
            report.chunks_written += len(items)
            if replacing:
                report.updated += 1
            else:
                report.added += 1
        self.keywords.write_sources(batch)

    # -- deletion ---------------------------------------------------------------------------------------
    def _remove(self, source: str) -> int:
        partition, ids = self.keywords.chunk_ids(source)
        if partition is not None:
            self.vectors.delete(partition, ids)
            self._dirty.add(self.vectors.collection_name(partition))
        self.keywords.remove_source(source)
        return len(ids)

    def forget(self, *, account_id: str | None = None, contact_id: str | None = None,
               source: str | None = None) -> int:
        """Delete everything about an account, a contact (the texts about or mentioning them) or one
        source, from Chroma, the FTS index and the registry. Returns the number of chunks removed."""
        if not (account_id or contact_id or source):
            raise UserError("forget needs an account id, a contact id or a source", hint="pass one of them")
        return self.erase(accounts=[account_id] if account_id else [], contacts=[contact_id] if contact_id else [],
                          sources=[source] if source else []).chunks

    def erase(self, *, accounts: Iterable[str] = (), contacts: Iterable[str] = (), sources: Iterable[str] = (),
              mentions: Mentions | None = None) -> Erased:
        """Remove every source tagged with one of ``accounts``, about one of ``contacts``, named in
        ``sources``, or whose text, title or metadata mentions the subject. Deleting from Chroma only marks
        the vectors deleted; call ``compact`` afterwards to get them (and the SQLite pages) off the disk."""
        found: set[str] = set()
        for account in accounts:
            found |= self.keywords.sources_where(account=account)
        for contact in contacts:
            found |= self.keywords.sources_where(contact=contact)
        for source in sources:
            hits = self.keywords.sources_where(source=source)
            resolved = Path(source).expanduser()
            if not hits and resolved.exists():
                hits = self.keywords.sources_where(source=resolved.resolve().as_posix())
            found |= hits
        if mentions:
            found |= self._mentioning(mentions)
        out = Erased()
        foreign = self._foreign_collections() if found else []
        for source in sorted(found):
            row = self.keywords.source(source) or {}
            if row.get("path"):
                out.paths.append(str(row["path"]))
            _, ids = self.keywords.chunk_ids(source)
            self._forget_elsewhere(foreign, ids)
            out.chunks += self._remove(source)
            out.sources += 1
        return out

    def _mentioning(self, mentions: Mentions) -> set[str]:
        """Sources whose chunk text, title, section or metadata names the subject: FTS phrase queries find
        candidates, the regex confirms them (the stemmer would also match near-misses)."""
        out: set[str] = set()
        with closing(sqlite3.connect(str(self.keywords.path), timeout=30)) as con:
            for term in [*mentions.terms, *mentions.ids]:
                q = phrase_query(term)
                if not q:
                    continue
                rows = con.execute("SELECT c.source, f.text, f.title, f.section FROM fts f JOIN chunks c ON c.id = f.id "
                                   "WHERE fts MATCH ?", (q,))
                out |= {r[0] for r in rows if r[0] not in out and mentions.found(shown(" ".join(r[1:])))}
            for source, meta in con.execute("SELECT source, meta FROM chunks"):
                if source not in out and mentions.found(meta):
                    out.add(source)
        return out

    def _forget_elsewhere(self, collections: list[str], ids: list[str]) -> None:
        """Collections left by an earlier embedder (another namespace) hold the same chunk ids: delete
        there too, or an erasure would leave the text in a collection nobody searches any more."""
        if not ids:
            return
        for name in collections:
            col = self.vectors.client.get_collection(name, embedding_function=None)
            for i in range(0, len(ids), 2000):
                col.delete(ids=ids[i:i + 2000])
            self._dirty.add(name)

    def _foreign_collections(self) -> list[str]:
        mine = f"kb-{self.namespace}-"
        names = [c if isinstance(c, str) else c.name for c in self.vectors.client.list_collections()]
        return sorted(n for n in names if n.startswith("kb-") and not n.startswith(mine) and not n.endswith(REBUILD_SUFFIX))

    # -- compaction -------------------------------------------------------------------------------------
    def compact(self) -> dict[str, str]:
        """Get deleted text off the disk after an erasure.

        - Chroma: every collection that lost chunks is rebuilt from its remaining items (into a temporary
          collection renamed over the old one), because HNSW deletion only marks a vector deleted and
          keeps it in ``data_level0.bin``; then segment folders no collection uses are removed (Chroma
          leaves them behind on ``delete_collection``), each index file's unused capacity is zeroed (hnswlib
          saves it uncleared, process memory and all), its FTS5 index is merged and ``chroma.sqlite3``
          vacuumed. Rebuilding costs one read and one write of those collections; it runs only here.
        - ``knowledge.db``: FTS5 ``optimize`` (deleted rows stay in the index segments until a merge),
          then ``wal_checkpoint(TRUNCATE)`` + ``VACUUM``.

        Run it in the process that serves searches (the API route does): another process holding this
        Chroma directory keeps handles on the rebuilt collections' old ids until it restarts."""
        out: dict[str, str] = {}
        rebuilt = 0
        for name in sorted(self._dirty):
            rebuilt += rebuild_collection(self.vectors.client, name)
        self._dirty.clear()
        self.vectors = VectorIndex(self.vectors.client, namespace=self.namespace, ef_search=self.vectors.ef_search)
        chroma = f"rebuilt {rebuilt} collection(s)"
        settings = self.vectors.client.get_settings()
        if getattr(settings, "is_persistent", False) and settings.persist_directory:
            folder = Path(settings.persist_directory)
            orphans = drop_orphan_segments(folder)
            scrubbed = scrub_hnsw_capacity(folder)
            status = vacuum_sqlite(folder / "chroma.sqlite3", fts="embedding_fulltext_search")
            chroma += (f", {orphans} unused segment folder(s) removed, {scrubbed} index file(s) cleared past their "
                       f"items, chroma.sqlite3 {status}")
        else:
            chroma += " on the Chroma server (its storage is compacted by the server)"
        out["chroma"] = chroma
        out["knowledge.db"] = vacuum_sqlite(self.keywords.path, fts="fts")
        return out

    def count(self) -> int:
        return self.keywords.count()

    def close(self) -> None:
        self._close_pool()
        self.keywords.close()
        self.vectors.close()  # the change watcher's SQLite connection


def _progress(total: int, label: str) -> Callable[..., None]:
    """A minimal stderr progress bar (rich), so the store needs no UI layer."""
    from rich.console import Console
    from rich.progress import Progress

    prog = Progress(console=Console(stderr=True), transient=True)
    task = prog.add_task(label, total=total)
    prog.start()

    def advance(step: int, *, done: bool = False) -> None:
        prog.advance(task, step)
        if done:
            prog.stop()

    return advance



@dataclass
class Erased:
    """What ``KnowledgeStore.erase`` removed; ``paths`` are the files those sources were read from."""

    sources: int = 0
    chunks: int = 0
    paths: list[str] = field(default_factory=list)

