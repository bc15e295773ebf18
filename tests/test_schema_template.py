"""The suite's shortcut for new SQLite homes (tests/schema_template.py) gives the database a real first start
gives: the same tables, indexes and columns, at the same revision."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import schema_template

from copilot import schema
from knowledge.crm.store import CrmStore


def _shape(db: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(db) as c:
        return sorted(c.execute("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL"))


def _new_home(db: Path) -> str | None:
    store = CrmStore(f"sqlite:///{db}")
    schema.ensure(store.engine)
    rev = schema.current(store.engine)
    store.dispose()
    return rev


def test_a_copied_home_is_the_migrated_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copied = _new_home(tmp_path / "copied.db")
    monkeypatch.setattr(schema_template, "enabled", False)
    migrated = _new_home(tmp_path / "migrated.db")
    assert copied == migrated == schema.head()
    assert _shape(tmp_path / "copied.db") == _shape(tmp_path / "migrated.db")
    assert len(_shape(tmp_path / "copied.db")) > 20
