"""Every store on every database engine: the same operations on a SQLite file and on a real Postgres server
(tests/servers.py starts it; CI installs it), through the front door.

The subset touches each store once: CRM import and typed queries, the action ledger (approve, edit, reject,
exactly-once execution, the hash chain), conversations, API keys, jobs, Slack state, role-play, erasure
and the migrations themselves.
"""

from __future__ import annotations

import csv
import threading
import time
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from conftest import make_settings
from crm_seed import seed_small_crm
from sqlalchemy import create_engine, func, select, text

from copilot import schema
from copilot.app import Copilot
from copilot.core.domain import OPERATOR
from copilot.core.errors import UserError
from knowledge.crm.models import Deal

pytestmark = pytest.mark.engines

TASK = {"title": "Send the security pack", "due_on": "2026-12-01", "deal_id": "D-1"}


@pytest.fixture
def cp(database_url: str, tmp_path: Path):
    copilot = Copilot(make_settings(tmp_path / "home", database_url=database_url))
    seed_small_crm(copilot.services.crm)
    yield copilot
    copilot.close()


def test_the_schema_is_the_models_on_this_engine(cp: Copilot) -> None:
    assert cp.db_status(OPERATOR)["state"] == "current"
    assert schema.drift(cp.services.crm.engine) == []


def test_ledger_decisions_and_exactly_once_execution(cp: Copilot) -> None:
    ann = cp.principal("r-ann")
    ledger = cp.services.actions
    a = ledger.propose("create_task", TASK, owner_id="r-ann", rationale="from the call", tool="followup")
    b = ledger.propose("create_task", {**TASK, "title": "Book the review"}, owner_id="r-ann", rationale="r",
                       tool="followup")
    c = ledger.propose("create_task", {**TASK, "title": "Chase legal"}, owner_id="r-ann", rationale="r",
                       tool="followup")
    cp.actions_approve(ann, a.id, shown_hash=a.payload_hash, execute=False)
    edited = cp.actions_edit(ann, b.id, payload={**TASK, "title": "Book the review with Raj"},
                             shown_hash=b.payload_hash)
    assert edited.payload["title"] == "Book the review with Raj"
    assert cp.actions_reject(ann, c.id, reason="not now").state.value == "rejected"
    ran: list[int] = []
    barrier = threading.Barrier(4)

    def worker() -> None:  # four workers race to execute the one approved action
        barrier.wait()
        try:
            ran.append(len(cp.actions_run(a.id, worker=threading.current_thread().name)))
        except UserError as exc:  # the losers are told it is already executing or done
            assert "already" in str(exc)
            ran.append(0)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(ran) == 1
    assert cp.actions_show(ann, a.id).state.value == "executed"
    report = cp.actions_verify()
    assert report.ok and report.events >= 8


def test_conversations_keys_jobs_and_slack_state(cp: Copilot) -> None:
    ann = cp.principal("r-ann")
    thread = cp.new_thread()
    first = cp.ask(ann, "What is the status of Acme Robotics?", thread_id=thread)
    follow = cp.ask(ann, "Who is the champion there?", thread_id=thread)
    assert "Acme Robotics" in first.text and "Dana Park" in follow.text
    info, key = cp.keys_create(OPERATOR, "r-ann", name="ci")
    assert cp.keys_verify(key) is not None
    cp.keys_revoke(OPERATOR, info.id)
    assert cp.keys_verify(key) is None
    transcript = cp.settings.resolved_home / "call.txt"
    transcript.write_text("Ann: Thanks for the time, Dana.\nDana: Send the revised proposal by Friday.\n")
    job = cp.jobs_submit(ann, "call", "call.txt", {"path": str(transcript), "deal_id": "D-1"})
    deadline = time.monotonic() + 30
    while cp.jobs_get(ann, job.id).status not in ("done", "failed") and time.monotonic() < deadline:
        time.sleep(0.05)
    done = cp.jobs_get(ann, job.id)
    assert done.status == "done" and done.result is not None and done.result["deal_id"] == "D-1"
    assert schema.drift(cp.services.crm.engine) == []  # the queue's own tables (huey_*, on Postgres) are not ours
    assert cp.chat_claim("evt-1") and not cp.chat_claim("evt-1")  # a replayed Slack event is dropped
    answer_id = cp.chat_record_answer(ann, "q", first, slack_user="U1", channel="C1", thread_ts=None,
                                     visibility="thread")
    cp.chat_vote(ann, answer_id, slack_user="U1", helpful=True)
    cp.chat_vote(ann, answer_id, slack_user="U1", helpful=False)  # a changed vote replaces the first
    assert cp.chat_votes(answer_id) == {"helpful": 0, "not_helpful": 1}


def test_roleplay_and_erasure(cp: Copilot) -> None:
    ann = cp.principal("r-ann")
    session = cp.roleplay_start(ann, cp.roleplay_scenarios()[0].id)
    cp.roleplay_turn(ann, session.id, "Thanks for the time today. What made you look at this now?")
    score = cp.roleplay_finish(ann, session.id)
    assert 0 <= score.score <= 100
    assert cp.roleplay_report(ann)["sessions"] == 1
    cp.ask(ann, "What is the status of Acme Robotics?")
    receipt = cp.forget(OPERATOR, account="Acme Robotics")
    with cp.services.crm.session() as s:
        assert s.scalar(select(func.count()).select_from(Deal).where(Deal.account_id == "A-1")) == 0
    assert receipt is not None


def test_an_old_database_upgrades_on_this_engine(database_url: str, tmp_path: Path) -> None:
    """A database at the CRM-only revision whose other tables were made by create_all (as older versions
    did) is refused, then upgraded with its rows kept."""
    engine = create_engine(database_url)
    schema.upgrade(engine, "0001_crm")
    old = [t for name, t in schema.metadata().tables.items() if name in ("actions", "api_keys", "slack_seen")]
    schema.metadata().create_all(engine, tables=old)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO slack_seen (key, created_at) VALUES ('evt-old', '2026-11-01 10:00:00')"))
    engine.dispose()
    cp = Copilot(make_settings(tmp_path / "home", database_url=database_url))
    try:
        with pytest.raises(schema.SchemaBehind, match="copilot db upgrade"):
            cp.users(OPERATOR)
        assert cp.db_upgrade(OPERATOR)["to"] == schema.head()
        assert not cp.chat_claim("evt-old")  # the old row is still there
        assert schema.drift(cp.services.crm.engine) == []
    finally:
        cp.close()


def test_maven_import_and_typed_queries_agree_across_engines(shared_data: Path, postgres_admin_url: str,
                                                             tmp_path: Path) -> None:
    """The same export imported into SQLite and into Postgres gives the same counts and the same answers."""
    from servers import create_database, drop_database

    pg_url = create_database(postgres_admin_url, "maven_agree")
    answers: dict[str, list[str]] = {}
    counts: dict[str, Counter[str]] = {}
    questions = ["What was our won revenue by quarter?", "Which rep has the highest win rate?",
                 "How many open deals do we have by stage?", "Which accounts have the most open opportunities?"]
    try:
        for engine, url in (("sqlite", f"sqlite:///{tmp_path / 'maven.db'}"), ("postgres", pg_url)):
            cp = Copilot(make_settings(tmp_path / engine, database_url=url, today=date(2017, 12, 31)))
            try:
                report = cp.import_crm(OPERATOR, shared_data / "crm_maven", "maven")
                assert report.error_count == 0
                with cp.services.crm.session() as s:
                    counts[engine] = Counter(dict(s.execute(select(Deal.stage, func.count()).group_by(Deal.stage)).all()))
                manager = cp.principal(_a_manager(shared_data))
                answers[engine] = [cp.ask(manager, q).text for q in questions]
            finally:
                cp.close()
    finally:
        drop_database(postgres_admin_url, "maven_agree")
    assert counts["sqlite"] == counts["postgres"] == Counter(
        {"closed_won": 4238, "closed_lost": 2473, "qualification": 1589, "prospecting": 500})
    for q, lite, pg in zip(questions, answers["sqlite"], answers["postgres"], strict=True):
        assert lite == pg, f"{q!r} answered differently on Postgres"
        assert any(ch.isdigit() for ch in lite), f"{q!r} got no figures: {lite[:200]}"


def _a_manager(shared_data: Path) -> str:
    with open(shared_data / "crm_maven" / "sales_teams.csv", newline="") as f:
        return next(csv.DictReader(f))["manager"]
