"""Engine and sessions for the CRM database: SQLite file by default, Postgres by URL, same code.

Every table of the product (CRM, ledger, conversations, API keys, jobs, Slack state, role-play) lives in
this one database, in one metadata, with one Alembic history; ``copilot.schema`` creates and upgrades it
(this layer cannot see the modules above it that own some of the tables).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, func, select
from sqlalchemy.orm import Session, sessionmaker

from copilot.core.errors import ConfigError, ProviderError


def make_engine(url: str) -> Engine:
    """Create an engine; for SQLite turn on WAL, foreign keys and a busy timeout for concurrent writers."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    try:
        return create_engine(url, pool_pre_ping=True)
    except ModuleNotFoundError as exc:
        raise ProviderError(
            f"the database driver for {url.split('://')[0]} is not installed",
            hint="pip install 'sales-copilot[postgres]' for Postgres",
        ) from exc
    except Exception as exc:  # noqa: BLE001 - SQLAlchemy raises several types for bad URLs
        raise ConfigError(f"COPILOT_DATABASE_URL is not a usable database URL: {exc}") from None


class CrmStore:
    """Owns the engine and hands out sessions. One per process; pass it down, don't reach for it."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits on success, rolls back on error."""
        s = self._sessions()
        try:
            yield s
            s.commit()
        except BaseException:
            s.rollback()
            raise
        finally:
            s.close()

    def count(self, model: type) -> int:
        with self.session() as s:
            return int(s.scalar(select(func.count()).select_from(model)) or 0)

    def dispose(self) -> None:
        self.engine.dispose()
