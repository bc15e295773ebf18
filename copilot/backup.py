"""Backup and restore of a data home: every table's rows, the vector index, the keyword index and the files.

A backup is a folder (or a ``.tar.gz`` of one) that does not depend on the engines it came from: rows are
JSON lines per table, vectors JSON lines per collection. So a home on SQLite and embedded Chroma restores
onto Postgres and a Chroma server, and the other way round.

Consistency: the database is read as one snapshot (SQLite's online backup, or one REPEATABLE READ
transaction on Postgres); the vector and keyword indexes are copied together while the knowledge store's
writers wait. CRM text the knowledge store derived from rows written between the two is re-derived by the
next ``sync_crm`` (idempotent). Left out: the job queue's messages (queued jobs are re-enqueued from the job
table by the first worker), caches, and lock files.

Restore goes into an empty database and a home without indexes: the schema is created at the backup's
revision, the rows inserted, and then upgraded to this version's newest revision.
"""

from __future__ import annotations

import base64
import json
import shutil
import sqlite3
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Date, DateTime, Engine, Integer, Table, create_engine, func, insert, select, text

from copilot import schema
from copilot.core.errors import ConfigError, UserError

FORMAT = 1
SKIP = {"crm.db", "crm.db-wal", "crm.db-shm", "knowledge.db", "knowledge.db-wal", "knowledge.db-shm", "chroma",
        "queue.db", "queue.db-wal", "queue.db-shm", "cache"}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes):
        return {"$b64": base64.b64encode(value).decode()}
    return value


def _typed(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in row.items():
        col = table.columns.get(key)
        if col is None:
            continue
        if isinstance(value, str) and isinstance(col.type, DateTime):
            value = datetime.fromisoformat(value)
        elif isinstance(value, str) and isinstance(col.type, Date):
            value = date.fromisoformat(value)
        elif isinstance(value, dict) and set(value) == {"$b64"}:
            value = base64.b64decode(value["$b64"])
        out[key] = value
    return out


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Engine]:
    """An engine on a consistent, read-only view of the database."""
    if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / "snapshot.db"
            src, dst = sqlite3.connect(str(engine.url.database)), sqlite3.connect(str(copy))
            try:
                src.backup(dst)
            finally:
                src.close()
                dst.close()
            snap = create_engine(f"sqlite:///{copy}")
            try:
                yield snap
            finally:
                snap.dispose()
        return
    yield engine


def dump_database(engine: Engine, out: Path) -> tuple[str | None, dict[str, int]]:
    """Every table's rows as JSON lines under ``out``; returns the schema revision and row counts."""
    out.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    with _snapshot(engine) as snap:
        revision = schema.current(snap)
        tables = _reflected(snap)  # the tables as they are at this revision (a backup before an upgrade)
        conn = snap.connect()
        if snap.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn, conn.begin():
            for real in tables:
                n = 0
                with open(out / f"{real.name}.jsonl", "w", encoding="utf-8") as fh:
                    for row in conn.execute(select(real)).mappings():
                        fh.write(json.dumps({k: _plain(v) for k, v in row.items()}, ensure_ascii=False) + "\n")
                        n += 1
                counts[real.name] = n
    return revision, counts


def _reflected(engine: Engine) -> list[Table]:
    """The product's tables present in the database, as reflected there, parents before children."""
    from sqlalchemy import MetaData, inspect

    with engine.connect() as conn:
        present = set(inspect(conn).get_table_names())
    md = MetaData()
    return [Table(t.name, md, autoload_with=engine) for t in schema.metadata().sorted_tables if t.name in present]


def load_database(engine: Engine, folder: Path, revision: str) -> dict[str, int]:
    """Rows back into an empty database at ``revision``, then the schema up to the newest revision."""
    st = schema.status(engine)
    if st.state != "empty":
        raise UserError("restore needs an empty database; this one already holds tables",
                        hint="point COPILOT_HOME (or COPILOT_DATABASE_URL) at a new, empty one")
    if revision not in schema.known_revisions():
        raise ConfigError(f"the backup is at schema revision {revision}, which this copilot does not know",
                          hint="restore with the version of the copilot that made it (or a newer one)")
    schema.upgrade(engine, revision)
    counts = _insert(engine, folder, skip=set())  # the tables this revision has
    schema.upgrade(engine)
    counts.update(_insert(engine, folder, skip=set(counts)))  # an old home's tables made outside the migrations
    return counts


def _insert(engine: Engine, folder: Path, skip: set[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    tables = [t for t in _reflected(engine) if t.name not in skip and (folder / f"{t.name}.jsonl").exists()]
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")  # rows of one table may refer to each other
            conn.commit()
        with conn.begin():
            for table in tables:
                lines = (folder / f"{table.name}.jsonl").read_text(encoding="utf-8").splitlines()
                rows = [_typed(table, json.loads(line)) for line in lines if line]
                for i in range(0, len(rows), 1000):
                    conn.execute(insert(table), rows[i:i + 1000])
                counts[table.name] = len(rows)
                _reset_sequence(conn, table)
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")
            conn.commit()
    return counts


def _reset_sequence(conn: Any, table: Table) -> None:
    """Postgres: the serial id's sequence continues after the restored ids (rows were inserted with theirs)."""
    if conn.dialect.name != "postgresql":
        return
    pk = list(table.primary_key.columns)
    if len(pk) != 1 or not isinstance(pk[0].type, Integer) or pk[0].autoincrement is False:
        return
    col = pk[0]
    seq = conn.execute(text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": col.name}).scalar()
    if seq:
        top = conn.execute(select(func.max(col))).scalar()
        conn.execute(text("SELECT setval(:s, :v, :called)"), {"s": seq, "v": top or 1, "called": top is not None})


def copy_sqlite(src: Path, dst: Path) -> None:
    """An online, consistent copy of a SQLite file (the keyword index)."""
    a, b = sqlite3.connect(str(src)), sqlite3.connect(str(dst))
    try:
        a.backup(b)
    finally:
        a.close()
        b.close()


def copy_files(home: Path, dest: Path) -> int:
    """Every file under the data directory that is not a store copied another way (outbox, calendar,
    uploads, role-play transcripts, persona cards, rules)."""
    n = 0
    for path in sorted(home.rglob("*")):
        rel = path.relative_to(home)
        if rel.parts[0] in SKIP or path.name.endswith(".lock") or not path.is_file():
            continue
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
        n += 1
    return n


def pack(folder: Path, dest: Path) -> Path:
    """``dest`` as a folder, or as a gzipped tar when it ends with .tar.gz."""
    if dest.exists():
        raise UserError(f"{dest} already exists", hint="choose a new path for the backup")
    if dest.name.endswith(".tar.gz"):
        with tarfile.open(dest, "w:gz") as tar:
            tar.add(folder, arcname="backup")
    else:
        shutil.copytree(folder, dest)
    return dest


@contextmanager
def unpacked(src: Path) -> Iterator[Path]:
    if not src.exists():
        raise UserError(f"no backup at {src}", hint="pass the folder or .tar.gz that 'copilot backup' wrote")
    if src.is_dir():
        yield src
        return
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(src, "r:gz") as tar:
            tar.extractall(tmp, filter="data")
        yield Path(tmp) / "backup"


def manifest(folder: Path) -> dict[str, Any]:
    path = folder / "manifest.json"
    if not path.exists():
        raise UserError(f"{folder} is not a copilot backup (no manifest.json)",
                        hint="pass the folder or .tar.gz that 'copilot backup' wrote")
    data: dict[str, Any] = json.loads(path.read_text())
    if data.get("format") != FORMAT:
        raise ConfigError(f"backup format {data.get('format')} is not one this copilot reads (it reads {FORMAT})")
    return data
