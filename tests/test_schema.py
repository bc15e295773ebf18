"""One metadata, one Alembic history for every table: a new database gets them all, an old data home
upgrades with every row kept, a database behind is refused in one line, and no model escapes the
migrations (the guard the next table will meet)."""

from __future__ import annotations

import importlib
import multiprocessing
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import make_settings
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, text
from typer.testing import CliRunner

from copilot import schema
from copilot.app import Copilot
from copilot.core.db import Base
from copilot.core.domain import OPERATOR
from copilot.core.settings import REPO_ROOT
from integrations.cli.common import set_copilot
from integrations.cli.main import app

FIXTURE = Path(__file__).parent / "fixtures" / "schema" / "home_0001.db"  # made by make_0001.py, see there
PACKAGES = ("copilot", "knowledge", "tools", "integrations", "evals", "demo")
pytestmark = pytest.mark.real_migrations  # new homes here run every revision, not the suite's migrated copy


def _import_every_module() -> None:
    for pkg in PACKAGES:
        for path in sorted((REPO_ROOT / pkg).rglob("*.py")):
            rel = path.relative_to(REPO_ROOT).with_suffix("")
            if "migrations" in rel.parts or rel.name == "__main__":
                continue
            importlib.import_module(".".join(rel.parts).removesuffix(".__init__"))


def _counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as c:
        names = [r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {n: c.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names if n != "alembic_version"}


def test_every_model_is_covered_by_the_migrations(tmp_path: Path) -> None:
    """Every table, column and index of every model in the product exists in a database upgraded to head.
    A failure here lists what is missing: write a revision (python -m copilot.schema revision "...")."""
    _import_every_module()
    undeclared = sorted({m.class_.__module__ for m in Base.registry.mappers} - set(schema.MODEL_MODULES))
    assert undeclared == [], (f"modules defining tables are missing from copilot.schema.MODEL_MODULES: {undeclared}; add them "
                              "there, then write a revision: python -m copilot.schema revision \"what changed\"")
    engine = create_engine(f"sqlite:///{tmp_path / 'head.db'}")
    schema.upgrade(engine)
    missing = schema.drift(engine, Base.metadata)
    assert missing == [], ("models and migrations differ; run python -m copilot.schema revision \"what changed\" "
                           f"and commit the revision: {missing}")


def test_the_guard_sees_a_table_without_a_revision(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'head.db'}")
    schema.upgrade(engine)
    extra = MetaData()
    for table in schema.metadata().tables.values():
        table.to_metadata(extra)
    Table("health_scores", extra, Column("id", Integer, primary_key=True), Column("score", String(10)))
    extra.tables["deals"].append_column(Column("health", String(10)))
    assert sorted(schema.drift(engine, extra)) == ["add_column health on deals", "add_table health_scores"]


def test_a_new_home_gets_every_table_at_the_newest_revision(copilot: Copilot) -> None:
    assert copilot.db_status(OPERATOR)["state"] == "empty"
    assert copilot.users(OPERATOR) == []  # first use creates the tables
    assert copilot.db_status(OPERATOR)["state"] == "current"
    assert schema.drift(copilot.services.crm.engine) == []


def test_an_old_home_is_refused_then_upgraded_with_every_row_kept(tmp_path: Path) -> None:
    db = tmp_path / "crm.db"
    shutil.copyfile(FIXTURE, db)
    before = _counts(db)
    assert before["actions"] == 4 and before["action_events"] == 11 and before["api_keys"] == 1
    cp = Copilot(make_settings(tmp_path / "home", database_url=f"sqlite:///{db}"))
    try:
        with pytest.raises(schema.SchemaBehind, match="copilot db upgrade"):
            cp.users(OPERATOR)
        assert cp.db_status(OPERATOR)["state"] == "behind"
        set_copilot(cp)
        result = CliRunner().invoke(app, ["db", "upgrade", "--json"])
        assert result.exit_code == 0, result.output
        assert '"from": "0001_crm"' in result.stdout and f'"to": "{schema.head()}"' in result.stdout
        cp.close()
        cp = Copilot(make_settings(tmp_path / "home", database_url=f"sqlite:///{db}"))
        after = _counts(db)  # no row lost, none added (tables of later revisions arrive empty)
        assert {k: after[k] for k in before} == before and not any(after[k] for k in set(after) - set(before))
        assert schema.drift(cp.services.crm.engine) == []  # the old create_all tables match the migrations
        ann = cp.principal("r-ann")
        states = sorted(a.state.value for a in cp.actions_list(ann, ["proposed", "executed", "rejected"]))
        assert states == ["executed", "executed", "proposed", "rejected"]
        assert cp.actions_verify().ok  # the hash chain made by the old version still verifies
        assert [k.name for k in cp.keys_list(OPERATOR, "r-ann")] == ["chat UI"]
        assert cp.roleplay_report(ann)["sessions"] >= 1
        assert "Acme Robotics" in cp.ask(ann, "What is the status of Acme Robotics?").text
    finally:
        set_copilot(None)
        cp.close()


def test_the_command_line_refuses_an_old_home_in_one_line(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    shutil.copyfile(FIXTURE, home / "crm.db")
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("COPILOT_")}, "COPILOT_HOME": str(home),
           "COPILOT_EMBEDDINGS": "hash"}
    run = subprocess.run([sys.executable, "-m", "integrations.cli.main", "users"], env=env, cwd=REPO_ROOT,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 1
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr
    assert "schema is behind" in run.stderr and "copilot db upgrade" in run.stderr


def test_a_database_from_a_newer_copilot_is_refused(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'crm.db'}")
    schema.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0999_from_the_future'"))
    assert schema.status(engine).state == "ahead"
    with pytest.raises(Exception, match="newer copilot"):
        schema.ensure(engine)


def _upgrade(url: str) -> str | None:
    return schema.upgrade(create_engine(url))[1]


def test_two_processes_creating_one_new_database_at_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'crm.db'}"
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        assert pool.map(_upgrade, [url, url]) == [schema.head(), schema.head()]
    assert schema.drift(create_engine(url)) == []


def test_revision_ids_fit_the_version_table() -> None:
    """alembic_version.version_num is VARCHAR(32): a longer id works on SQLite and fails on Postgres."""
    assert all(len(r) <= 32 for r in schema.known_revisions()), sorted(schema.known_revisions())
