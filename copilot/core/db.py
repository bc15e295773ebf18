"""One SQLAlchemy metadata for every table of the product, and a table creator safe under races.

Every model (CRM, ledger, conversations, role-play, API keys, jobs, Slack state) derives from ``Base``,
so one metadata describes the whole database. The CRM tables are owned by Alembic migrations; the
others are created here until they have migrations of their own.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Engine
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """The one declarative base (and so the one ``MetaData``) of the product."""

    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


def create_tables(engine: Engine, *models: type[Base]) -> None:
    """Create the tables of ``models`` that do not exist yet. Tolerates another process creating the same
    tables at the same moment (two API workers starting on a new data directory): on "already exists"
    it looks again and skips what is there."""
    tables = [Base.metadata.tables[m.__tablename__] for m in models]
    for attempt in range(3):
        try:
            Base.metadata.create_all(engine, tables=tables)
            return
        except (OperationalError, ProgrammingError) as exc:
            if "already exists" not in str(exc) or attempt == 2:
                raise
