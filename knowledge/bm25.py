"""BM25 keyword search with SQLite FTS5, plus the chunk and source registry in the same file.

Tables:
- ``fts``: FTS5 over text, title and section (porter stemming); id, owner, team, type and account are
  UNINDEXED columns, so visibility is a plain SQL ``WHERE`` on the matched rows.
- ``chunks``: one row per chunk (id, source, partition, metadata JSON), to delete a source's chunks
  from every store and to return metadata on the BM25 path.
- ``sources``: one row per ingested source with its content hash (idempotent re-ingest).
- ``mentions``: which contacts a source is about (erasure of a person).

User queries never reach FTS syntax: ``fts_query`` keeps word tokens only, quotes each one and ORs
them, so quotes, colons, ``NOT``, ``NEAR`` or parentheses in a question cannot cause a syntax error.

Chinese: FTS5's unicode61 tokenizer sees a run of Han characters as one token. On write, each run is
split into jieba's words joined by a zero-width space (U+200B), which unicode61 treats as a separator;
on read the marks are removed, so stored and returned text is the original. Queries are segmented the
same way (``copilot.core.lang.words``), so "上个月的赢单率" matches a chunk about 赢单率.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from copilot.core.lang import ZH_STOP, spaced, words

_STOP = ("a an and are as at be but by can do does for from has have how i in is it its me my of on or our "
         "so that the their them there these this to was we what when where which who why will with you your "
         "about any all not no yes please tell give show")
STOPWORDS = frozenset(_STOP.split(" ")) | ZH_STOP
ZWSP = "\u200b"  # joins the jieba words of a Chinese run in the index; removed on every read


def indexed(text: str) -> str:
    return spaced(text, ZWSP)


def shown(text: str) -> str:
    return text.replace(ZWSP, "")

_SCHEMA = """
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(
    text, title, section, id UNINDEXED, owner UNINDEXED, team UNINDEXED, type UNINDEXED, account UNINDEXED,
    tokenize = 'porter unicode61');
CREATE TABLE IF NOT EXISTS chunks (
    id TEXT PRIMARY KEY, source TEXT NOT NULL, partition TEXT NOT NULL, meta TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS ix_chunks_source ON chunks(source);
CREATE TABLE IF NOT EXISTS sources (
    source TEXT PRIMARY KEY, content_hash TEXT NOT NULL, partition TEXT NOT NULL, owner TEXT, team TEXT,
    account TEXT, type TEXT, path TEXT, n_chunks INTEGER, updated_at TEXT, ingested_at TEXT);
CREATE INDEX IF NOT EXISTS ix_sources_account ON sources(account);
CREATE INDEX IF NOT EXISTS ix_sources_owner ON sources(owner);
CREATE TABLE IF NOT EXISTS partition_owners (
    owner TEXT NOT NULL, partition TEXT NOT NULL, PRIMARY KEY (owner, partition)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS mentions (source TEXT NOT NULL, contact_id TEXT NOT NULL, name TEXT);
CREATE INDEX IF NOT EXISTS ix_mentions_contact ON mentions(contact_id);
CREATE INDEX IF NOT EXISTS ix_mentions_source ON mentions(source);
"""


def fts_query(text: str) -> str:
    """A safe FTS5 expression: quoted word tokens ORed; stopwords dropped unless nothing else is left."""
    tokens = [t for t in re.findall(r"\w+", " ".join(words(text))) if len(t) > 1 or t.isdigit() or not t.isascii()]
    kept = [t for t in tokens if t not in STOPWORDS] or tokens
    seen: list[str] = []
    for t in kept:
        if t not in seen:
            seen.append(t)
    return " OR ".join(f'"{t}"' for t in seen[:32])


def phrase_query(text: str) -> str:
    tokens = re.findall(r"\w+", " ".join(words(text)))
    return f'"{" ".join(tokens)}"' if tokens else ""


class KeywordIndex:
    """FTS5 index and registry. One connection, serialized by a lock (SQLite allows one writer)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._conn = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
        self._lock = threading.RLock()
        with self._lock:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.executescript(_SCHEMA)
            self._conn.commit()

    # -- registry ---------------------------------------------------------------------------------------
    def source(self, source: str) -> dict[str, Any] | None:
        with self._lock:
            cur = self._conn.execute("SELECT * FROM sources WHERE source = ?", (source,))
            row = cur.fetchone()
            return dict(zip([c[0] for c in cur.description], row, strict=True)) if row else None

    def hashes(self, prefix: str) -> dict[str, str]:
        with self._lock:
            rows = self._conn.execute("SELECT source, content_hash FROM sources WHERE source LIKE ? ESCAPE '\\'",
                                      (prefix.replace("%", "\\%").replace("_", "\\_") + "%",)).fetchall()
        return dict(rows)

    def partitions(self, owners: Iterable[str] | None = None) -> list[str]:
        """Partitions in use; with ``owners``, only those holding chunks owned by one of them."""
        # ``partition_owners`` is a tiny table kept on write (never pruned: a stale row only costs one
        # extra empty query), so planning a search does not scan the registry.
        with self._lock:
            if owners is None:
                rows = self._conn.execute("SELECT DISTINCT partition FROM partition_owners").fetchall()
            else:
                owners = list(owners)
                if not owners:
                    return []
                marks = ",".join("?" * len(owners))
                rows = self._conn.execute(
                    f"SELECT DISTINCT partition FROM partition_owners WHERE owner IN ({marks})", owners).fetchall()
        return sorted(r[0] for r in rows)

    def sources_where(self, *, account: str | None = None, contact: str | None = None,
                      source: str | None = None) -> set[str]:
        with self._lock:
            out: set[str] = set()
            if account:
                out |= {r[0] for r in self._conn.execute("SELECT source FROM sources WHERE account = ?", (account,))}
            if contact:
                out |= {r[0] for r in self._conn.execute("SELECT source FROM mentions WHERE contact_id = ?",
                                                         (contact,))}
                names = {r[0] for r in self._conn.execute(
                    "SELECT DISTINCT name FROM mentions WHERE contact_id = ? AND name <> ''", (contact,))}
                for name in names:  # chunks that mention the person by name, wherever they are
                    q = phrase_query(name)
                    if q:
                        out |= {r[0] for r in self._conn.execute(
                            "SELECT c.source FROM fts f JOIN chunks c ON c.id = f.id WHERE fts MATCH ?", (q,))}
            if source:
                out |= {r[0] for r in self._conn.execute("SELECT source FROM sources WHERE source = ? OR path = ?",
                                                         (source, source))}
            return out

    def chunk_ids(self, source: str) -> tuple[str | None, list[str]]:
        with self._lock:
            rows = self._conn.execute("SELECT id, partition FROM chunks WHERE source = ?", (source,)).fetchall()
            reg = self._conn.execute("SELECT partition FROM sources WHERE source = ?", (source,)).fetchone()
        partition = reg[0] if reg else (rows[0][1] if rows else None)
        return partition, [r[0] for r in rows]

    def remove_source(self, source: str) -> int:
        with self._lock, self._conn:
            ids = [r[0] for r in self._conn.execute("SELECT id FROM chunks WHERE source = ?", (source,))]
            for i in range(0, len(ids), 500):
                part = ids[i:i + 500]
                marks = ",".join("?" * len(part))
                self._conn.execute(f"DELETE FROM fts WHERE id IN ({marks})", part)
            self._conn.execute("DELETE FROM chunks WHERE source = ?", (source,))
            self._conn.execute("DELETE FROM sources WHERE source = ?", (source,))
            self._conn.execute("DELETE FROM mentions WHERE source = ?", (source,))
        return len(ids)

    def write_sources(self, batch: Sequence[tuple[dict[str, Any], Sequence[tuple[str, str, dict[str, Any]]],
                                              Sequence[tuple[str, str]]]]) -> None:
        """Record sources and their chunks (id, text, metadata) and mentions, in one transaction."""
        with self._lock, self._conn:
            for row, chunks, mentions in batch:
                src = row["source"]
                self._conn.execute(
                    "INSERT OR REPLACE INTO sources VALUES (:source, :content_hash, :partition, :owner, :team, "
                    ":account, :type, :path, :n_chunks, :updated_at, datetime('now'))", row)
                self._conn.executemany("INSERT OR REPLACE INTO chunks VALUES (?, ?, ?, ?)",
                                       [(cid, src, row["partition"], json.dumps(meta)) for cid, _, meta in chunks])
                self._conn.executemany(
                    "INSERT INTO fts (text, title, section, id, owner, team, type, account) VALUES (?,?,?,?,?,?,?,?)",
                    [(indexed(text), indexed(meta.get("title", "")), indexed(meta.get("section", "")), cid, meta.get("owner", ""),
                      meta.get("team", ""), meta.get("type", ""), meta.get("account", ""))
                     for cid, text, meta in chunks])
                self._conn.execute("INSERT OR IGNORE INTO partition_owners VALUES (?, ?)",
                                   (row["owner"] or "", row["partition"]))
                self._conn.execute("DELETE FROM mentions WHERE source = ?", (src,))
                self._conn.executemany("INSERT INTO mentions VALUES (?, ?, ?)", [(src, c, n) for c, n in mentions])

    def documents(self) -> list[dict[str, Any]]:
        """Metadata of each ingested document that is not a CRM record (title, type, front matter, source),
        taken from its first chunk; for what the library says about itself, such as its battle cards."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT (SELECT c.meta FROM chunks c WHERE c.source = s.source LIMIT 1) FROM sources s "
                "WHERE s.source NOT LIKE 'crm:%' ORDER BY s.source").fetchall()
        return [json.loads(r[0]) for r in rows if r[0]]

    def contains_text(self, needle: str) -> bool:
        """Whether any indexed chunk text contains ``needle`` (plain substring; for tests and audits)."""
        with self._lock:
            row = self._conn.execute("SELECT 1 FROM fts WHERE instr(replace(text, ?, ''), ?) > 0 LIMIT 1",
                                     (ZWSP, needle)).fetchone()
        return row is not None

    def count(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT count(*) FROM chunks").fetchone()[0])

    # -- search -----------------------------------------------------------------------------------------
    def search(self, query: str, n: int, *, visibility: tuple[str, list[Any]] | None,
               types: list[str] | None = None, account: str | None = None) -> list[tuple[str, float, str, dict]]:
        """(id, BM25 score (higher is better), text, metadata), best first. ``visibility`` is an SQL
        condition over ``f.owner``/``f.team`` with its parameters, built from the Scope by the caller."""
        expr = fts_query(query)
        if not expr or n <= 0:
            return []
        # Rank inside FTS first, then join the metadata of the top ``n`` only.
        sql = ["SELECT f.id, f.score, f.text, c.meta FROM (SELECT f.id, -bm25(fts, 1.0, 0.6, 0.6) AS score, "
               "f.text FROM fts f WHERE fts MATCH ?"]
        params: list[Any] = [expr]
        if visibility is not None:
            sql.append(f"AND ({visibility[0]})")
            params += visibility[1]
        if types:
            sql.append(f"AND f.type IN ({','.join('?' * len(types))})")
            params += list(types)
        if account:
            sql.append("AND f.account = ?")
            params.append(account)
        sql.append("ORDER BY score DESC LIMIT ?) f JOIN chunks c ON c.id = f.id ORDER BY f.score DESC")
        params.append(n)
        with self._lock:
            rows = self._conn.execute(" ".join(sql), params).fetchall()
        return [(r[0], float(r[1]), shown(r[2]), json.loads(r[3])) for r in rows]

    def close(self) -> None:
        with self._lock:
            self._conn.close()
