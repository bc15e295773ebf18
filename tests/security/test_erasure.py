"""Red team: after ``copilot forget --account X`` nothing under the data directory names X or its people.

The finding: conversation turns, action payloads (a pending proposal too), the sent .eml and the .ics, the
uploaded call transcript and audio, and the name as bytes in SQLite free pages, WAL frames and Chroma all
survived an erasure. Here the demo company gets every one of those traces of one account, the CLI erases
it, and a byte scan of every file under the data directory (contents and names) must find none of the
account name, its contacts' names and emails, or a phrase planted in a document about it.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from api_world import auth, build, client
from conftest import make_settings
from crm_seed import seed_small_crm
from sqlalchemy import func, select
from typer.testing import CliRunner

from copilot.actions.models import ActionEvent, ActionRow
from copilot.app import Copilot
from copilot.jobs import JobRow
from demo.build import build_demo
from integrations.cli.common import set_copilot
from integrations.cli.main import app
from knowledge.crm.models import Account, Call, Contact, Deal
from knowledge.crm.people import ensure_admin
from knowledge.mentions import Mentions

TODAY = date(2026, 11, 20)
ACCOUNT = "Brightwell Health"
PHRASE = "periwinkle quartz otter 7741"
runner = CliRunner()


def scan(home: Path, needles: list[str]) -> dict[str, dict[str, int]]:
    """{file: {needle: count}} over every file under ``home``: bytes, case-insensitive, and file names."""
    found: dict[str, dict[str, int]] = {}
    for path in sorted(p for p in home.rglob("*") if p.is_file()):
        data = path.read_bytes().lower()
        name = path.name.lower()
        hits = {n: data.count(n.lower().encode()) + (n.lower().replace(" ", "_") in name) for n in needles}
        hits = {n: c for n, c in hits.items() if c}
        if hits:
            found[str(path.relative_to(home))] = hits
    return found


def _cli(*args: str) -> tuple[int, str]:
    r = runner.invoke(app, list(args))
    return r.exit_code, r.stdout


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):
    """The demo company with traces of Brightwell Health everywhere, then erased through the CLI."""
    home = tmp_path_factory.mktemp("erasure") / "home"
    cp = Copilot(make_settings(home, today=TODAY))
    build_demo(cp, today=TODAY)
    ensure_admin(cp.services.crm, "Ada Admin")
    set_copilot(cp)
    with cp.services.crm.session() as s:
        acc = s.scalars(select(Account).where(Account.name == ACCOUNT)).one()
        contacts = [(c.id, c.name, c.email) for c in s.scalars(select(Contact).where(Contact.account_id == acc.id))]
        deal_id = s.scalars(select(Deal.id).where(Deal.account_id == acc.id)).first()
        other = s.scalars(select(Account).where(Account.owner_id == acc.owner_id, Account.id != acc.id)
                          .order_by(Account.name)).first()
        w = {"cp": cp, "home": home, "aid": acc.id, "owner": acc.owner_id, "contacts": contacts, "deal": deal_id,
             "other": (other.id, other.name), "accounts_before": s.scalar(select(func.count()).select_from(Account))}
    rep = cp.principal(w["owner"])
    champion, second = contacts[0], contacts[1]

    # conversation turns: a thread that names the account and its champion
    for q in (f"What's going on with {ACCOUNT}?", "Who is their champion?", f"Who is {champion[1]}?"):
        code, _ = _cli("ask", q, "--as", w["owner"], "--thread", "t-erasure", "--json")
        assert code == 0
    # actions: an email sent (.eml in the outbox), a meeting booked (.ics), one approved but not run yet,
    # one pending, and another account's pending task whose notes name the champion
    ledger = cp.services.actions
    sent = ledger.propose("send_email", {"to": [champion[2]], "subject": f"{ACCOUNT}: next steps",
                                         "body": f"Hi {champion[1]},\n\nthanks for the call.\n"},
                          owner_id=w["owner"], rationale=f"recap for {ACCOUNT}", tool="test", account_id=acc.id)
    assert ledger.approve(sent.id, rep, shown_hash=sent.payload_hash).state.value == "executed"
    meet = ledger.propose("schedule_meeting", {"title": f"{ACCOUNT} security review", "start": "2026-11-25T15:00:00",
                                               "duration_minutes": 30, "attendees": [champion[2]]},
                          owner_id=w["owner"], rationale="r", tool="test", account_id=acc.id)
    assert ledger.approve(meet.id, rep, shown_hash=meet.payload_hash).state.value == "executed"
    waiting = ledger.propose("send_email", {"to": [second[2]], "subject": "Pilot", "body": f"Hi {second[1]}"},
                             owner_id=w["owner"], rationale="r", tool="test", account_id=acc.id)
    ledger.approve(waiting.id, rep, shown_hash=waiting.payload_hash, execute=False)
    pending = ledger.propose("send_email", {"to": [second[2]], "subject": "Pilot plan",
                                            "body": f"Hi {second[1]}, here is the pilot plan."},
                             owner_id=w["owner"], rationale="r", tool="test", account_id=acc.id)
    elsewhere = ledger.propose("create_task", {"title": "Ask for an intro", "due_on": "2026-12-01",
                                               "account_id": other.id, "notes": f"{champion[1]} knows their CIO"},
                               owner_id=w["owner"], rationale="r", tool="test")
    w["actions"] = {"sent": sent.id, "meet": meet.id, "waiting": waiting.id, "pending": pending.id,
                    "elsewhere": elsewhere.id}
    # an uploaded call: transcript and audio under uploads/, the call stored on the deal
    calls = home / "uploads" / "calls"
    calls.mkdir(parents=True)
    transcript = calls / "0a1b2c3d4e5f-checkin.txt"
    transcript.write_text(f"Sam: Hi {champion[1]}, thanks for joining.\n{champion[1]}: Security review is next.\n")
    audio = calls / "9f8e7d6c5b4a-checkin.wav"
    audio.write_bytes(b"RIFF\x00\x00\x00\x00WAVEfmt not really audio")
    cid, _, _ = cp.services.calls.summarize_call(transcript, deal_id=deal_id, title=f"{ACCOUNT} check-in",
                                        call_date=date(2026, 11, 18))
    with cp.services.crm.session() as s:
        s.get(Call, cid).audio_path = str(audio)
    # a document about the account with a phrase found nowhere else, uploaded and indexed
    docs = home / "uploads" / "docs"
    docs.mkdir(parents=True)
    doc = docs / "1234abcd5678-notes.md"
    doc.write_text(f"---\ntitle: Account notes\n---\n# Notes\n{ACCOUNT} asked about the {PHRASE} during the pilot.\n")
    cp.services.knowledge.ingest_paths([doc], metadata={"account": acc.id, "owner": w["owner"], "team": rep.team_id or ""})
    # other modules' copies: an API job's result and a role-play transcript
    with cp.services.crm.session() as s:
        s.add(JobRow(id="job-erasure", kind="call", user_id=w["owner"], status="done", source=transcript.name,
                     result={"transcript": transcript.read_text()}, created_at=datetime(2026, 11, 20, 9)))
    (home / "roleplay").mkdir()
    (home / "roleplay" / "rp-1.txt").write_text(f"Buyer ({champion[1]}): we need SSO first.\n")

    w["needles"] = [ACCOUNT, PHRASE, *(c[1] for c in contacts), *(c[2] for c in contacts)]
    w["before"] = scan(home, w["needles"])
    code, out = _cli("forget", "--account", ACCOUNT, "--as", "admin", "--json")
    assert code == 0, out
    w["receipt_text"], w["receipt"] = out, json.loads(out)
    yield w
    set_copilot(None)
    cp.close()


def test_the_scan_saw_the_traces_before(world) -> None:
    before = world["before"]
    assert sum(sum(h.values()) for h in before.values()) > 100
    for where in ("crm.db", "knowledge.db", "chroma/chroma.sqlite3", "uploads/docs/1234abcd5678-notes.md",
                  "uploads/calls/0a1b2c3d4e5f-checkin.txt", "roleplay/rp-1.txt"):
        assert any(f == where or f.startswith(where) for f in before), where
    assert any(f.startswith("outbox/") for f in before) and any(f.startswith("calendar/") for f in before)


def test_no_file_under_the_data_directory_names_them(world) -> None:
    left = scan(world["home"], [*world["needles"], world["aid"]])
    assert left == {}
    assert not (world["home"] / "uploads" / "calls" / "9f8e7d6c5b4a-checkin.wav").exists()


def test_the_audit_chain_still_verifies(world) -> None:
    code, out = _cli("actions", "verify", "--json")
    assert code == 0, out
    assert json.loads(out)["ok"] is True
    cp, ids = world["cp"], world["actions"]
    with cp.services.crm.session() as s:
        rows = {k: s.get(ActionRow, v) for k, v in ids.items()}
        notes = list(s.scalars(select(ActionEvent.note).where(ActionEvent.action_id == ids["sent"])))
    assert rows["pending"].state == "rejected" and rows["pending"].reason == "erased: account removed by request"
    assert rows["elsewhere"].state == "rejected"
    assert rows["waiting"].state == "failed"  # approved, never run: withdrawn, not sent
    assert rows["sent"].payload["to"] == ["[erased]"] and rows["sent"].account_id is None
    assert rows["elsewhere"].payload["notes"] == "[erased] knows their CIO"
    assert rows["elsewhere"].payload["account_id"] == world["other"][0]
    assert notes[-1] == "redacted: account erased by request"


def test_no_vector_index_file_keeps_uncleared_memory_past_its_items(world) -> None:
    # The byte scan above failed about one run in four: an empty Chroma index is saved with its whole capacity
    # (100 slots), memory hnswlib never cleared, and that memory sometimes held the erased account's name.
    # Whatever it held, after an erasure every index file is zero past its items.
    import struct

    files = sorted((world["home"] / "chroma").glob("*/data_level0.bin"))
    assert files
    for data in files:
        version, _, _, elements, per_element = struct.unpack_from("<iQQQQ", data.with_name("header.bin").read_bytes())
        assert version == 1
        assert not any(data.read_bytes()[elements * per_element:]), data


def test_the_receipt_has_counts_and_names_no_one(world) -> None:
    r, text = world["receipt"], world["receipt_text"]
    assert r["kind"] == "account" and r["subject"].startswith("account:")
    assert r["crm"]["accounts"] == 1 and r["crm"]["contacts"] == len(world["contacts"])
    assert r["conversations"]["turns"] >= 6
    assert r["actions"] == {"rejected": 2, "withdrawn": 1, "redacted": 5}
    assert r["files"]["outbox"] == 1 and r["files"]["calendar"] == 1 and r["files"]["uploads"] == 3
    assert r["files"]["roleplay"] == 1 and r["tables"]["api_jobs"] == 1
    assert r["knowledge"]["chunks"] > 0 and r["chunks"] == r["knowledge"]["chunks"]
    assert set(r["compaction"]) == {"crm", "chroma", "knowledge.db"}
    assert r["residual"] == {}
    lowered = text.lower()
    for needle in [*world["needles"], world["aid"], *(c[0] for c in world["contacts"]), "brightwell"]:
        assert needle.lower() not in lowered, needle


def test_other_accounts_are_intact(world) -> None:
    cp = world["cp"]
    other_id, other_name = world["other"]
    with cp.services.crm.session() as s:
        assert s.scalar(select(func.count()).select_from(Account)) == world["accounts_before"] - 1
        assert s.get(Account, other_id) is not None
    code, out = _cli("ask", f"What's going on with {other_name}?", "--as", world["owner"], "--json")
    assert code == 0, out
    answer = json.loads(out)
    assert other_name in answer["text"] and answer["citations"]
    hits = cp.services.knowledge.search(other_name, cp.scope(cp.principal("admin")), k=5)
    assert any(other_name in h.text for h in hits)


def test_only_an_admin_may_erase(world) -> None:
    code, _ = _cli("forget", "--account", world["other"][1], "--as", world["owner"])
    assert code == 1


def test_the_api_route_returns_the_receipt_to_admins_only(copilot) -> None:
    api, keys = build(copilot)
    with client(api) as c:
        denied = c.post("/v1/forget", headers=auth(keys["r-ann"]), json={"account": "Acme Robotics"})
        assert denied.status_code == 403
        r = c.post("/v1/forget", headers=auth(keys["admin"]), json={"account": "Acme Robotics"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["crm"]["accounts"] == 1 and body["residual"] == {}
    assert "Acme" not in r.text and "Dana Park" not in r.text and "A-1" not in r.text


def test_erasing_a_person_keeps_their_account(copilot) -> None:
    """A contact's erasure: the person goes from every store, the account and its other people stay."""
    seed_small_crm(copilot.services.crm)
    copilot.services.knowledge.sync_crm(copilot.services.crm)
    set_copilot(copilot)
    try:
        assert _cli("ask", "Who is the champion at Acme?", "--as", "r-ann", "--thread", "t-1", "--json")[0] == 0
        pending = copilot.services.actions.propose("send_email", {"to": ["dana@acmerobotics.com"], "subject": "SOC 2",
                                                         "body": "Hi Dana Park, attached."},
                                          owner_id="r-ann", rationale="r", tool="test", account_id="A-1")
        code, out = _cli("forget", "--contact", "Dana Park", "--as", "admin", "--json")
        assert code == 0, out
        receipt = json.loads(out)
        assert receipt["kind"] == "contact" and receipt["crm"]["contacts"] == 1
        assert receipt["actions"]["rejected"] == 1 and receipt["residual"] == {}
        assert "dana" not in out.lower() and "C-1" not in out
        assert scan(copilot.settings.resolved_home, ["Dana Park", "dana@acmerobotics.com"]) == {}
        assert copilot.services.actions.get(pending.id, copilot.principal("admin")).state.value == "rejected"
        assert _cli("actions", "verify")[0] == 0
        code, out = _cli("ask", "What's going on with Acme Robotics?", "--as", "r-ann", "--json")
        assert code == 0 and "Acme Robotics" in json.loads(out)["text"]
        with copilot.services.crm.session() as s:
            assert s.get(Account, "A-1") is not None and s.get(Contact, "C-2") is not None
    finally:
        set_copilot(None)


def test_mentions_match_names_as_words_in_any_spelling() -> None:
    m = Mentions(["Alder Financial", "José Núñez", "pat@alder.example"], ids=["D-1"])
    assert m.found("call with alder_financial today") and m.found("ALDER-FINANCIAL")
    assert not m.found("Alder Financials") and not m.found("Alderman Financial")
    assert m.found(json.dumps({"who": "José Núñez"})) and m.found({"who": "José Núñez"})
    assert m.found("deal D-1.") and not m.found("deal D-10")
    assert m.scrub({"to": ["pat@alder.example"], "n": 3}) == {"to": ["[erased]"], "n": 3}
    assert not m.personal().found("deal D-1")
