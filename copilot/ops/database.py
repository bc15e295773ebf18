"""The database's schema, for operators: where it stands and the upgrade to the newest revision.

These work on a database that the other operations refuse (one whose schema is behind), so they open
their own engine instead of the services' checked one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine

from copilot import schema
from copilot.core.domain import Principal
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
