"""The job queue (huey) with real worker processes: a worker killed with SIGKILL in the middle of a Whisper
transcription leaves a job that the next worker retries (or fails, when no attempt is left), never one
lost or stuck; a job runs once however often its message arrives; housekeeping is the queue's periodic task.

Brokers: the default SQLite file, the Postgres database (the product on Postgres), and Redis.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import wave
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from conftest import SHARED_DATA, make_settings
from crm_seed import seed_small_crm

from copilot.actions.schemas import State
from copilot.app import Copilot
from copilot.chat_state import SeenRow
from copilot.core.domain import OPERATOR
from copilot.core.settings import REPO_ROOT
from copilot.jobs import JobRow

pytestmark = pytest.mark.servers

AUDIO = SHARED_DATA / "audio" / "pyannote_ami_excerpt" / "mixture.wav"  # one minute of a meeting, 16 kHz mono


def _long_call(path: Path, minutes: int = 2) -> Path:
    """A few minutes of real speech (the AMI excerpt, repeated): about 7 s of Whisper work on one thread."""
    if not AUDIO.exists():
        pytest.skip(f"shared audio not found at {AUDIO}")
    with wave.open(str(AUDIO)) as src:
        params, frames = src.getparams(), src.readframes(src.getnframes())
    with wave.open(str(path), "wb") as out:
        out.setparams(params)
        for _ in range(minutes):
            out.writeframes(frames)
    return path


class World:
    def __init__(self, tmp_path: Path, **settings: str) -> None:
        self.home = tmp_path / "home"
        self.settings = {"home": str(self.home), "embeddings": "hash", "speech": "whisper:tiny.en",
                         "speech_threads": "1", "job_stale_seconds": "5", **settings}
        self.cp = Copilot(make_settings(**{"home": self.home, **{k: v for k, v in self.settings.items() if k != "home"}}))
        self.cp.configure_api(job_workers=0)  # this process only submits; the worker processes consume
        seed_small_crm(self.cp.services.crm)
        self.ann = self.cp.principal("r-ann")
        self.workers: list[subprocess.Popen] = []

    def worker(self) -> tuple[subprocess.Popen, list[str]]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("COPILOT_")}
        env.update({f"COPILOT_{k.upper()}": v for k, v in self.settings.items()})
        proc = subprocess.Popen([sys.executable, "-m", "integrations.cli.main", "worker", "--threads", "1"],
                                cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        lines: list[str] = []
        threading.Thread(target=lambda: lines.extend(iter(proc.stderr.readline, "")), daemon=True).start()  # type: ignore[union-attr]
        self.workers.append(proc)
        return proc, lines

    def job(self, job_id: str) -> JobRow:
        with self.cp.services.crm.session() as s:
            row = s.get(JobRow, job_id)
            assert row is not None
            s.expunge(row)
            return row

    def wait(self, job_id: str, ok: callable, timeout: float, what: str, lines: list[str]) -> JobRow:  # type: ignore[valid-type]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            row = self.job(job_id)
            if ok(row):  # type: ignore[operator]
                return row
            time.sleep(0.1)
        raise AssertionError(f"job {job_id} never {what}: {self.job(job_id).status}; worker said: {''.join(lines)[-3000:]}")

    def kill_mid_transcription(self, job_id: str) -> None:
        """Start a worker, wait until Whisper is decoding this job's audio, then SIGKILL the process."""
        proc, lines = self.worker()
        self.wait(job_id, lambda r: r.status == "running", 90, "started", lines)
        deadline = time.monotonic() + 60
        while not any("Processing audio" in line for line in lines) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert any("Processing audio" in line for line in lines), "".join(lines)[-2000:]
        time.sleep(1.0)  # well inside the ~7 s of decoding
        assert self.job(job_id).status == "running"
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(10) == -signal.SIGKILL

    def close(self) -> None:
        for proc in self.workers:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(20)
                except subprocess.TimeoutExpired:
                    proc.kill()
        self.cp.close()


@pytest.fixture(params=["sqlite", "postgres"])
def world(request: pytest.FixtureRequest, tmp_path: Path):
    """SQLite database with the queue in a SQLite file (the default), or the product on a real Postgres server
    with the queue in the same database."""
    from servers import create_database, drop_database

    admin = request.getfixturevalue("postgres_admin_url") if request.param == "postgres" else None
    name = f"q_{os.getpid()}_{abs(hash(request.node.nodeid)) % 10**8}"
    extra = {"database_url": create_database(admin, name)} if admin else {}
    w = World(tmp_path, **extra)
    yield w
    w.close()
    if admin:
        drop_database(admin, name)


def test_a_worker_killed_mid_transcription_is_retried_by_the_next(world: World, tmp_path: Path) -> None:
    audio = _long_call(tmp_path / "long-call.wav")
    job = world.cp.jobs_submit(world.ann, "call", audio.name, {"path": str(audio), "deal_id": "D-1"})
    assert job.max_attempts == 2
    world.kill_mid_transcription(job.id)
    dead = world.job(job.id)
    assert (dead.status, dead.attempts) == ("running", 1)  # nothing else would ever finish it
    _, lines = world.worker()  # the next worker finds the dead one's job at start and runs it again
    row = world.wait(job.id, lambda r: r.status in ("done", "failed"), 180, "finished", lines)
    assert (row.status, row.attempts) == ("done", 2), row.error
    assert row.result is not None and row.result["transcript"]["segments"][-1]["end"] > 90  # the whole call
    assert any("retrying (attempt 2 of 2)" in line for line in lines)
    made = [a for a in world.cp.actions_list(world.ann, list(State)) if a.call_id == row.result["call_id"]]
    assert sorted(a.id for a in made) == sorted(a["id"] for a in row.result["actions"])  # proposed once


def test_a_job_with_no_attempt_left_is_marked_failed(tmp_path: Path, redis_url: str) -> None:
    w = World(tmp_path, queue_url=redis_url, job_attempts="1")
    try:
        audio = _long_call(tmp_path / "long-call.wav")
        job = w.cp.jobs_submit(w.ann, "call", audio.name, {"path": str(audio), "deal_id": "D-1"})
        w.kill_mid_transcription(job.id)
        _, lines = w.worker()
        row = w.wait(job.id, lambda r: r.status == "failed", 60, "failed", lines)
        assert row.attempts == 1 and row.error is not None and row.error["code"] == "worker_lost"
        assert "worker running it stopped" in row.error["message"] and "submit it again" in row.error["message"]
        assert w.cp.jobs_get(w.ann, job.id).status == "failed"
    finally:
        w.close()


def test_a_message_delivered_twice_runs_once(copilot: Copilot) -> None:
    seed_small_crm(copilot.services.crm)
    ann = copilot.principal("r-ann")
    copilot.configure_api(job_workers=0)
    transcript = copilot.settings.resolved_home / "call.txt"
    transcript.write_text("Ann: Thanks for the time, Dana.\nDana: Send the revised proposal by Friday.\n")
    job = copilot.jobs_submit(ann, "call", "call.txt", {"path": str(transcript), "deal_id": "D-1"})
    queue = copilot.services.jobs
    queue._enqueue(job.id)  # the broker hands the same job out again
    assert len(queue.huey.pending()) == 2
    runs = []
    threads = [threading.Thread(target=lambda: runs.append(queue.execute(job.id))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    row = copilot.jobs_get(ann, job.id)
    assert (row.status, row.attempts) == ("done", 1)
    made = [a for a in copilot.actions_list(ann, list(State)) if a.call_id == row.result["call_id"]]
    assert len(made) == len(row.result["actions"]) >= 2


def test_housekeeping_is_scheduled_by_the_queue_and_prunes(copilot: Copilot) -> None:
    seed_small_crm(copilot.services.crm)
    ann = copilot.principal("r-ann")
    copilot.configure_api(job_workers=0)
    queue = copilot.services.jobs
    copilot.housekeeping()
    due = [t.name for t in queue.huey.read_periodic(datetime(2026, 11, 30, 14, 7))]  # what huey's scheduler enqueues
    assert due == ["copilot.housekeeping"]
    assert sorted(t.name for t in queue.huey.read_periodic(datetime(2026, 11, 30, 6, 0))) == [
        "copilot.health_scan", "copilot.housekeeping"]  # the daily customer-health scan, 06:00 UTC
    ran = copilot._daily_health_scan()  # what that task runs: the scan over every account, as the operator
    assert set(ran) == {"scanned", "proposed"} and ran["scanned"] == copilot.health_scan(OPERATOR).scanned
    old = datetime.now() - timedelta(days=30)
    with copilot.services.crm.session() as s:
        s.add(JobRow(id="job-old", kind="call", user_id="r-ann", status="done", source="x", created_at=old,
                     finished_at=old))
        s.add(JobRow(id="job-dead", kind="call", user_id="r-ann", status="running", source="x", created_at=old,
                     attempts=1, max_attempts=2, worker="elsewhere:1:t", heartbeat_at=old, args={"path": "/nope"}))
        s.add(SeenRow(key="evt-old", created_at=old))
        s.add(SeenRow(key="evt-new", created_at=datetime.now()))
    done = copilot.housekeeping()
    assert done["jobs_pruned"] == 1 and done["slack_seen_pruned"] == 1 and done["retried"] == 1
    assert copilot.jobs_get(ann, "job-dead").status == "queued"  # back on the queue for its second attempt
    assert copilot.chat_claim("evt-old") and not copilot.chat_claim("evt-new")


def test_the_operator_can_queue_work(copilot: Copilot) -> None:
    """A job submitted by the CLI or the scheduler (the operator, not a CRM user) runs as the operator."""
    seed_small_crm(copilot.services.crm)
    job = copilot.jobs_submit(OPERATOR, "sync_crm", "cli", {})
    deadline = time.monotonic() + 30
    while (job := copilot.jobs_get(OPERATOR, job.id)).status not in ("done", "failed") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert job.status == "done" and job.result is not None and job.result["added"] == 9, job.error


def test_an_api_worker_starting_runs_jobs_queued_before_it(copilot: Copilot) -> None:
    from fastapi.testclient import TestClient

    from integrations.api import ApiConfig, create_app

    seed_small_crm(copilot.services.crm)
    copilot.configure_api(job_workers=0)
    job = copilot.jobs_submit(OPERATOR, "sync_crm", "before", {})  # nobody consumes yet
    time.sleep(0.5)
    assert copilot.jobs_get(OPERATOR, job.id).status == "queued"
    with TestClient(create_app(copilot, config=ApiConfig(job_workers=1))):  # the server starts its consumer
        deadline = time.monotonic() + 30
        while copilot.jobs_get(OPERATOR, job.id).status != "done" and time.monotonic() < deadline:
            time.sleep(0.05)
    assert copilot.jobs_get(OPERATOR, job.id).status == "done"


def test_a_call_shared_in_slack_is_a_queue_job_safe_to_run_again(copilot: Copilot) -> None:
    """The Slack listener only queues the recording; the job transcribes, proposes once and replies; run again
    (as after a worker died mid-way) it proposes nothing new."""
    from slack_fake import FakeSlack
    from slack_world import make_world
    from test_slack_calls import SCRIPT, wav_bytes

    from copilot.core.speech import ScriptedTranscriber

    copilot.services.calls._transcriber = lambda: ScriptedTranscriber(SCRIPT)
    with FakeSlack() as fake:
        world = make_world(copilot, fake)
        fake.blobs["F9/acme.wav"] = wav_bytes(6)
        fake.files["F9"] = {"id": "F9", "name": "acme.wav", "title": "Acme Robotics call", "mimetype": "audio/wav",
                            "url_private": fake.url + "/files/F9/acme.wav"}
        world.event({"type": "message", "subtype": "file_share", "user": "UANN", "channel": "DANN",
                     "channel_type": "im", "ts": "800.1", "text": "Acme Robotics call",
                     "files": [{"id": "F9", "name": "acme.wav", "mimetype": "audio/wav"}]}, "EvQ1")
        posted = fake.wait_for("chat.postMessage", timeout=60)[0]
        assert "Acme Robotics call" in json.dumps(posted["blocks"]), posted
        ann = copilot.principal("r-ann")
        with copilot.services.crm.session() as s:
            row = s.query(JobRow).filter(JobRow.kind == "slack_call").one()
            job_id = row.id
        job = copilot.jobs_get(ann, job_id)
        deadline = time.monotonic() + 30
        while job.status != "done" and time.monotonic() < deadline:
            time.sleep(0.05)
            job = copilot.jobs_get(ann, job_id)
        assert job.status == "done" and job.result is not None and job.result["deal_id"] == "D-1"
        first = sorted(job.result["actions"])
        again = copilot.services.jobs.kinds["slack_call"].run(job)  # the retry's run
        assert sorted(again["actions"]) == first and len(first) >= 2
        made = [a.id for a in copilot.actions_list(ann, list(State)) if a.call_id == job.result["call_id"]]
        assert sorted(made) == first
