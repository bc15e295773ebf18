"""One SQLAlchemy metadata for every table of the product.

Every model (CRM, ledger, conversations, role-play, API keys, jobs, Slack state) derives from ``Base``,
so one metadata describes the whole database. Every table's schema is owned by the one Alembic history in
``copilot/migrations`` (``copilot.schema`` creates and upgrades databases): no store creates its own
tables. A new table needs a revision (``python -m copilot.schema revision "..."``); tests/test_schema.py
fails until it has one.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """The one declarative base (and so the one ``MetaData``) of the product."""

    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}
