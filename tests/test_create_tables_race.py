"""Two processes creating the same tables at once: the loser looks again instead of crashing at start."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, inspect
from sqlalchemy.exc import OperationalError

from knowledge.crm.store import create_tables


class Racing(MetaData):
    """Raises what SQLite raises when another process created the table between check and create."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def create_all(self, bind, tables=None, checkfirst=True):  # type: ignore[no-untyped-def, override]
        self.calls += 1
        if self.calls == 1:
            MetaData.create_all(self, bind)  # the other process wins the race...
            raise OperationalError("CREATE TABLE api_jobs", {}, Exception("table api_jobs already exists"))
        return MetaData.create_all(self, bind, tables, checkfirst)


def test_already_exists_is_not_fatal(tmp_path):
    md = Racing()
    Table("api_jobs", md, Column("id", Integer, primary_key=True))
    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    create_tables(md, engine)
    assert md.calls == 2 and inspect(engine).has_table("api_jobs")


def test_other_errors_still_raise(tmp_path):
    md = MetaData()
    Table("t", md, Column("id", Integer, primary_key=True))
    engine = create_engine(f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}")
    with pytest.raises(OperationalError):
        create_tables(md, engine)
