"""Two processes creating the same tables at once: the loser looks again instead of crashing at start."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, inspect
from sqlalchemy.exc import OperationalError

from copilot.conversations import TurnRow
from copilot.core import db
from copilot.core.db import Base, create_tables


def test_every_table_shares_one_metadata():
    import copilot.actions.models  # noqa: F401 - register their tables
    import knowledge.crm.models  # noqa: F401
    import tools.roleplay.store  # noqa: F401

    names = set(Base.metadata.tables)
    assert {"deals", "actions", "action_events", "conversation_turns", "roleplay_sessions"} <= names


def test_already_exists_is_not_fatal(tmp_path, monkeypatch):
    real = Base.metadata.create_all
    calls: list[int] = []

    def racing(bind, tables=None, checkfirst=True):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 1:
            real(bind, tables=tables)  # the other process wins the race...
            raise OperationalError("CREATE TABLE conversation_turns", {},
                                   Exception("table conversation_turns already exists"))
        return real(bind, tables=tables, checkfirst=checkfirst)

    monkeypatch.setattr(db.Base.metadata, "create_all", racing)
    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    create_tables(engine, TurnRow)
    assert len(calls) == 2 and inspect(engine).has_table("conversation_turns")
    assert not inspect(engine).has_table("deals")  # only the tables asked for


def test_other_errors_still_raise(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}")
    with pytest.raises(OperationalError):
        create_tables(engine, TurnRow)
