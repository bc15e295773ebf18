"""The database, for operators: where its schema stands, the upgrade to the newest revision, and backup and
restore of the whole data home (``copilot.backup``).

These work on a database that the other operations refuse (one whose schema is behind), so they open
their own engine instead of the services' checked one."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from copilot import schema
from copilot.core.domain import Principal
from copilot.core.errors import ConfigError, UserError
from copilot.ops.base import Operations
from knowledge.crm.store import make_engine


class DatabaseOps(Operations):
    @contextmanager
    def _engine(self) -> Iterator[Engine]:
        engine = make_engine(self.settings.crm_url)
        try:
            yield engine
        finally:
            engine.dispose()

    def db_status(self, principal: Principal) -> dict[str, Any]:
        """The revision the database is at, the newest this version knows, and whether it is behind."""
        self.require_admin(principal, "inspect the database schema")
        with self._engine() as engine:
            return {"database": self.settings.crm_url.split("@")[-1], **schema.status(engine).to_dict()}

    def db_upgrade(self, principal: Principal) -> dict[str, Any]:
        """Bring the database to the newest revision (idempotent; rows are kept). Back up first."""
        self.require_admin(principal, "upgrade the database schema")
        with self._engine() as engine:
            before, after = schema.upgrade(engine)
        return {"database": self.settings.crm_url.split("@")[-1], "from": before, "to": after,
                "changed": before != after}

    def db_check(self) -> None:
        """Raise the one-line ``SchemaBehind`` error (with the command to run) unless the schema is usable;
        an empty database gets its tables. Servers call this before they take requests."""
        _ = self.services.crm

    # -- backup and restore (copilot.backup) --------------------------------------------------------------
    def backup(self, principal: Principal, dest: Path) -> dict[str, Any]:
        """A snapshot of this home (every table, the vector and keyword indexes, the files) into ``dest``: a new
        folder, or a .tar.gz. Works on a database whose schema is behind too (back up before upgrading)."""
        from copilot import backup as bk

        self.require_admin(principal, "back up the data home")
        home = self.settings.resolved_home
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "backup"
            with self._engine() as engine:
                revision, tables = bk.dump_database(engine, folder / "database")
            vectors: dict[str, int] = {}
            (folder / "vectors").mkdir()
            knowledge = self.services.knowledge
            with knowledge.vectors.frozen():
                for name, meta, rows in knowledge.vectors.export():
                    with open(folder / "vectors" / f"{name}.jsonl", "w", encoding="utf-8") as fh:
                        fh.write(json.dumps({"collection": name, "metadata": meta}) + "\n")
                        fh.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
                    vectors[name] = len(rows)
                bk.copy_sqlite(knowledge.keywords.path, folder / "keywords.db")
            files = bk.copy_files(home, folder / "files")
            manifest = {"format": bk.FORMAT, "created_at": datetime.now().isoformat(timespec="seconds"),
                        "revision": revision, "embeddings": self.settings.embeddings, "tables": tables,
                        "vectors": vectors, "files": files}
            (folder / "manifest.json").write_text(json.dumps(manifest, indent=2))
            bk.pack(folder, dest)
        return {"path": str(dest), **manifest}

    def restore(self, principal: Principal, src: Path) -> dict[str, Any]:
        """A backup into this home, which must be new: an empty database and no indexes yet."""
        from copilot import backup as bk

        self.require_admin(principal, "restore a data home")
        home = self.settings.resolved_home
        with bk.unpacked(src) as folder:
            manifest = bk.manifest(folder)
            if manifest["embeddings"] != self.settings.embeddings:
                raise ConfigError(f"the backup's vectors were made with embeddings {manifest['embeddings']!r}, "
                                  f"this home uses {self.settings.embeddings!r}",
                                  hint=f"set COPILOT_EMBEDDINGS={manifest['embeddings']} to restore")
            if (home / "knowledge.db").exists() or "knowledge" in self.services.__dict__:
                raise UserError(f"{home} already has a knowledge index", hint="restore into a new, empty COPILOT_HOME")
            with self._engine() as engine:
                tables = bk.load_database(engine, folder / "database", manifest["revision"])
            if (folder / "files").exists():
                shutil.copytree(folder / "files", home, dirs_exist_ok=True)
            if (folder / "keywords.db").exists():
                home.mkdir(parents=True, exist_ok=True)
                bk.copy_sqlite(folder / "keywords.db", home / "knowledge.db")
            vectors: dict[str, int] = {}
            for path in sorted((folder / "vectors").glob("*.jsonl")):
                lines = path.read_text(encoding="utf-8").splitlines()
                head = json.loads(lines[0])
                rows = [json.loads(line) for line in lines[1:] if line]
                vectors[head["collection"]] = self.services.knowledge.vectors.restore(head["collection"],
                                                                                      head["metadata"], rows)
        return {"from": str(src), "revision": manifest["revision"], "upgraded_to": schema.head(), "tables": tables,
                "vectors": vectors, "files": manifest["files"]}
