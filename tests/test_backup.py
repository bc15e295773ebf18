"""``copilot backup`` / ``copilot restore``: a home restored into a fresh one (on SQLite, or on Postgres with a
Chroma server) answers the same question the same way, with every row, vector and file back."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import make_settings
from crm_seed import seed_small_crm
from test_knowledge_store import write_library
from typer.testing import CliRunner

from copilot import schema
from copilot.app import Copilot
from copilot.core.domain import OPERATOR
from integrations.cli.common import set_copilot
from integrations.cli.main import app

QUESTIONS = ["What is the status of Acme Robotics?", "How do we handle a discount request against OpsHawk?"]
FIXTURE = Path(__file__).parent / "fixtures" / "schema" / "home_0001.db"


def _cli(cp: Copilot, *args: str) -> tuple[int, str]:
    set_copilot(cp)
    try:
        result = CliRunner().invoke(app, list(args))
    finally:
        set_copilot(None)
    return result.exit_code, result.stdout + result.stderr


@pytest.fixture
def source(tmp_path: Path):
    cp = Copilot(make_settings(tmp_path / "source"))
    seed_small_crm(cp.services.crm)
    write_library(tmp_path / "lib")
    cp.ingest(OPERATOR, [tmp_path / "lib"])
    cp.sync_crm(OPERATOR)
    ann = cp.principal("r-ann")
    task = {"title": "Send the security pack", "due_on": "2026-12-01", "deal_id": "D-1"}
    action = cp.services.actions.propose("create_task", task, owner_id="r-ann", rationale="r", tool="followup")
    cp.actions_approve(ann, action.id, shown_hash=action.payload_hash)  # executes: a calendar/outbox file or a row
    _, key = cp.keys_create(OPERATOR, "r-ann", name="backup")
    cp.ask(ann, QUESTIONS[0], thread_id="t-1")
    cp.key = key  # type: ignore[attr-defined]
    yield cp
    cp.close()


def _answers(cp: Copilot) -> list[tuple[str, list[str]]]:
    ann = cp.principal("r-ann")
    out = []
    for q in QUESTIONS:
        a = cp.ask(ann, q)
        out.append((a.text, [c.source_id for c in a.citations]))
    return out


def _check_same(src: Copilot, dst: Copilot, summary: dict) -> None:
    assert _answers(dst) == _answers(src)
    assert dst.services.knowledge.count() == src.services.knowledge.count() > 0
    assert dst.actions_verify().ok and dst.actions_verify().events == src.actions_verify().events
    assert dst.keys_verify(src.key) is not None  # type: ignore[attr-defined]
    assert schema.drift(dst.services.crm.engine) == [] and dst.db_status(OPERATOR)["state"] == "current"
    assert summary["tables"]["deals"] == 4 and summary["tables"]["conversation_turns"] >= 2


def test_backup_and_restore_into_a_fresh_home(source: Copilot, tmp_path: Path) -> None:
    code, out = _cli(source, "backup", str(tmp_path / "snap"), "--json")
    assert code == 0, out
    made = json.loads(out)
    assert made["revision"] == schema.head() and sum(made["vectors"].values()) == source.services.knowledge.count()
    fresh = Copilot(make_settings(tmp_path / "restored"))
    try:
        code, out = _cli(fresh, "restore", str(tmp_path / "snap"), "--json")
        assert code == 0, out
        _check_same(source, fresh, json.loads(out))
        sent = sorted(p.relative_to(source.settings.resolved_home) for p in source.settings.outbox_dir.rglob("*"))
        assert sorted(p.relative_to(fresh.settings.resolved_home) for p in fresh.settings.outbox_dir.rglob("*")) == sent
        code, out = _cli(fresh, "restore", str(tmp_path / "snap"))  # not twice into the same home
        assert code == 1 and "empty" in out and "Traceback" not in out
    finally:
        fresh.close()


@pytest.mark.servers
def test_restore_onto_postgres_and_a_chroma_server(source: Copilot, tmp_path: Path, postgres_admin_url: str,
                                                   chroma_url: str) -> None:
    import chromadb
    from servers import create_database, drop_database

    code, out = _cli(source, "backup", str(tmp_path / "snap.tar.gz"))
    assert code == 0 and "Backed up" in out, out
    client = chromadb.HttpClient(host="127.0.0.1", port=int(chroma_url.rsplit(":", 1)[1]))
    for col in client.list_collections():
        client.delete_collection(col.name)
    url = create_database(postgres_admin_url, "restored")
    fresh = Copilot(make_settings(tmp_path / "restored", database_url=url, chroma_url=chroma_url))
    try:
        code, out = _cli(fresh, "restore", str(tmp_path / "snap.tar.gz"), "--json")
        assert code == 0, out
        _check_same(source, fresh, json.loads(out))
        turn = fresh.ask(fresh.principal("r-ann"), "Who is the champion there?", thread_id="t-1")
        assert "Dana Park" in turn.text  # the restored conversation goes on; new rows get new ids
    finally:
        fresh.close()
        drop_database(postgres_admin_url, "restored")


def test_an_old_home_backs_up_before_its_upgrade_and_restores_upgraded(tmp_path: Path) -> None:
    home = tmp_path / "old"
    home.mkdir()
    shutil.copyfile(FIXTURE, home / "crm.db")
    old = Copilot(make_settings(home))
    try:
        code, out = _cli(old, "backup", str(tmp_path / "snap"), "--json")
        assert code == 0, out
        assert json.loads(out)["revision"] == "0001_crm"
    finally:
        old.close()
    fresh = Copilot(make_settings(tmp_path / "new"))
    try:
        code, out = _cli(fresh, "restore", str(tmp_path / "snap"), "--json")
        assert code == 0, out
        assert json.loads(out)["upgraded_to"] == schema.head()
        assert len(fresh.actions_list(fresh.principal("r-ann"), ["proposed", "executed", "rejected"])) == 4
        assert fresh.actions_verify().ok
    finally:
        fresh.close()
