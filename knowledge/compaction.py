"""Getting deleted text off the disk: what ``KnowledgeStore.compact`` runs after an erasure.

A delete in SQLite leaves the row's bytes in free pages and WAL frames, an FTS5 delete leaves the
tokens (with positions, so the text can be rebuilt) in the index segments until they merge, and a
Chroma delete only marks the HNSW vector deleted. Hence: FTS5 ``optimize``, ``wal_checkpoint(TRUNCATE)``
and ``VACUUM`` for the SQLite files, and a rebuild for each Chroma collection that lost items. An HNSW index file is written with its whole
allocated capacity, unused slots and all, from memory that was never cleared: those bytes are zeroed.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import struct
from contextlib import closing, suppress
from pathlib import Path
from typing import Any

REBUILD_SUFFIX = "-rebuild"
PAGE = 1000
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_HNSW_KEYS = ("space", "ef_construction", "ef_search", "max_neighbors")


def vacuum_sqlite(path: Path, *, fts: str | None = None) -> str:
    """Merge an FTS5 table's segments (if it exists), then checkpoint the WAL and rewrite the file."""
    if not path.exists():
        return "absent"
    with closing(sqlite3.connect(str(path), timeout=30, isolation_level=None)) as con:
        if fts and con.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (fts,)).fetchone():
            con.execute(f"INSERT INTO {fts}({fts}) VALUES('optimize')")
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.execute("VACUUM")
        busy = con.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
    return "vacuumed" if not busy else "vacuumed; the WAL is still held by a reader and truncates when it finishes"


def rebuild_collection(client: Any, name: str) -> int:
    """Copy a collection's remaining items into a fresh one and rename it over the old (1 if rebuilt).

    The copy is filled before the old collection is dropped, so an interrupted rebuild loses nothing:
    a leftover copy is discarded while the old collection exists, and renamed into place if it does not."""
    tmp_name = name + REBUILD_SUFFIX
    try:
        old = client.get_collection(name, embedding_function=None)
    except Exception:  # noqa: BLE001 - NotFoundError differs between client kinds
        with suppress(Exception):
            client.get_collection(tmp_name, embedding_function=None).modify(name=name)
            return 1
        return 0
    with suppress(Exception):
        client.delete_collection(tmp_name)
    hnsw = {k: v for k, v in ((old.configuration or {}).get("hnsw") or {}).items() if k in _HNSW_KEYS and v is not None}
    tmp = client.create_collection(tmp_name, embedding_function=None, metadata=old.metadata or None,
                                   configuration={"hnsw": hnsw} if hnsw else None)
    for offset in range(0, old.count(), PAGE):
        got = old.get(limit=PAGE, offset=offset, include=["embeddings", "documents", "metadatas"])
        if got["ids"]:
            tmp.add(ids=got["ids"], embeddings=got["embeddings"], documents=got["documents"],
                    metadatas=got["metadatas"])
    client.delete_collection(name)
    tmp.modify(name=name)
    return 1


def drop_orphan_segments(folder: Path) -> int:
    """Remove Chroma segment folders (named by segment id) that no segment row points to any more:
    ``delete_collection`` leaves them behind, vectors and all."""
    db = folder / "chroma.sqlite3"
    if not db.exists():
        return 0
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)) as con:
        live = {r[0] for r in con.execute("SELECT id FROM segments")}
    removed = 0
    for sub in folder.iterdir():
        if sub.is_dir() and _UUID.fullmatch(sub.name) and sub.name not in live:
            shutil.rmtree(sub)
            removed += 1
    return removed


_HNSW_HEADER = struct.Struct("<iQQQQ")  # format version, level-0 offset, capacity, elements, bytes per element


def scrub_hnsw_capacity(folder: Path) -> int:
    """Zero what each HNSW index's ``data_level0.bin`` holds beyond its elements (files changed).

    hnswlib allocates level 0 for the index's whole capacity without clearing it, and an empty index is
    saved with all of it: process memory, which can hold text an erasure just removed (a byte scan after
    ``copilot forget`` found an erased account's name there). The elements themselves are cleared by
    hnswlib before use; only the tail past them is rewritten, and only for the header layout known here."""
    changed = 0
    for header in sorted(folder.glob("*/header.bin")):
        data = header.with_name("data_level0.bin")
        raw = header.read_bytes()
        if not data.exists() or len(raw) < _HNSW_HEADER.size:
            continue
        version, _, _, elements, per_element = _HNSW_HEADER.unpack_from(raw)
        used, size = elements * per_element, data.stat().st_size
        if version != 1 or per_element <= 0 or size <= used:
            continue
        with data.open("r+b") as f:
            f.seek(used)
            tail = f.read()
            if any(tail):
                f.seek(used)
                f.write(bytes(len(tail)))
                changed += 1
    return changed
