"""New SQLite homes in tests start from a copy of one database that the real migrations built once per test
process, instead of replaying every Alembic revision for each of the hundreds of homes the suite creates
(about 0.3-0.6 s each).

Only ``copilot.schema.upgrade`` to ``head`` of an empty SQLite file takes the copy; the file is the bytes the
same ``upgrade`` wrote into a fresh file through the product's own engine (WAL mode and all), so the home is
the one a real first start gives. Upgrades of existing databases, other targets, Postgres and every
subprocess (workers, ``copilot serve``, the CLI run as a command) run the migrations as before, and tests
marked ``real_migrations`` (tests/test_schema.py) run them in-process too.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from copilot import schema
from knowledge.crm.store import CrmStore

enabled = True  # switched off per test by the ``real_migrations`` marker (conftest.py)


def _sqlite_file(engine: Engine) -> Path | None:
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    return Path(database) if database and database != ":memory:" else None


def install(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    real: Callable[..., tuple[str | None, str | None]] = schema.upgrade
    built: list[Path] = []

    def template() -> Path:
        if not built:
            store = CrmStore(f"sqlite:///{folder / 'crm.db'}")
            real(store.engine)
            store.dispose()  # the last connection closing checkpoints the WAL into the file
            built.append(folder / "crm.db")
        return built[0]

    def upgrade(engine: Engine, target: str = "head") -> tuple[str | None, str | None]:
        path = _sqlite_file(engine)
        if not enabled or target != "head" or path is None:
            return real(engine, target)
        source = template()
        with schema._lock(engine):
            if schema.status(engine).state == "empty":
                engine.dispose()  # the empty file's pooled connections go before it is replaced
                for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
                    leftover.unlink(missing_ok=True)
                shutil.copyfile(source, path)
                return None, schema.current(engine)
        return real(engine, target)  # another process migrated it meanwhile, or it holds tables: the real way

    monkeypatch.setattr(schema, "upgrade", upgrade)
