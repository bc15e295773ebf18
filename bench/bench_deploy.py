"""Load test: the team set-up (Postgres, 2 API workers, 1 queue worker) against one process on SQLite, in the
same run, under the same mixed load: concurrent askers over HTTP, signed Slack events (each delivered twice,
as Slack retries), and call uploads that become queue jobs.

Reports, per set-up: asks (requests/s, p50, p99, errors), Slack events (answered once each, duplicates,
lost) and calls (jobs done, failed, lost; upload-to-done p50 and p99). Errors and lost must be 0.

Both set-ups run real processes (`copilot serve`, `copilot worker`) on loopback; Postgres is a throwaway
server (tests/servers.py) and Slack a local fake Web API (tests/slack_fake.py).

Run: .venv/bin/python bench/bench_deploy.py [--seconds 30] [--askers 50] [--embeddings minilm]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import httpx  # noqa: E402
from crm_seed import seed_small_crm  # noqa: E402
from servers import create_database, free_port, postgres_server  # noqa: E402
from slack_fake import SECRET, FakeSlack, event_body, signed_headers  # noqa: E402

from copilot.app import Copilot  # noqa: E402
from copilot.core.domain import OPERATOR  # noqa: E402
from copilot.core.settings import load_settings  # noqa: E402
from knowledge.crm.models import User  # noqa: E402

SLACK_IDS = {"r-ann": "UANN", "r-bob": "UBOB", "r-cara": "UCARA", "m-east": "UMARIA"}
QUESTIONS = ["What is the next step on the Acme Robotics deal?", "How is my pipeline this quarter?",
             "Which deals close this month?", "What did Globex say about pricing?",
             "Who is the champion at Acme Robotics?", "How do we answer a security review?"]
TRANSCRIPT = ("Ann: Thanks for the time today, Dana.\nDana: We need the revised proposal by Friday.\n"
              "Ann: I will send it Thursday and book a pricing review with Raj next week.\n"
              "Dana: Another vendor quoted lower, so the discount matters.\n") * 20


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))] * 1000


@dataclass
class Tally:
    ask_lat: list[float] = field(default_factory=list)
    ask_errors: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    event_errors: list[str] = field(default_factory=list)
    jobs: dict[str, float] = field(default_factory=dict)  # job id -> submitted at
    job_done: dict[str, float] = field(default_factory=dict)
    job_failed: list[str] = field(default_factory=list)
    upload_errors: list[str] = field(default_factory=list)


@contextlib.contextmanager
def setup(kind: str, tmp: Path, fake: FakeSlack, embeddings: str, pg_admin: str | None) -> Iterator[tuple[str, dict[str, str], Copilot]]:
    home = tmp / kind
    env_settings = {"HOME": str(home), "EMBEDDINGS": embeddings, "SPEECH": "scripted", "LLM": "none",
                    "SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": fake.api_url,
                    "API_RATE_PER_SECOND": "0", "API_CALL_INLINE_MAX_BYTES": "0"}
    workers = 1
    if kind == "team":
        assert pg_admin is not None
        env_settings.update(DATABASE_URL=create_database(pg_admin, "bench"), API_JOB_WORKERS="0")
        workers = 2
    cp = Copilot(load_settings(**{k.lower(): v for k, v in env_settings.items() if not k.startswith(("API_", "SLACK_"))}))
    seed_small_crm(cp.services.crm)
    with cp.services.crm.session() as s:
        for uid, sid in SLACK_IDS.items():
            s.get(User, uid).slack_id = sid  # type: ignore[union-attr]
    cp.ingest(OPERATOR, [ROOT / "demo" / "library"])
    keys = {uid: cp.keys_create(OPERATOR, uid)[1] for uid in SLACK_IDS}
    env = {k: v for k, v in os.environ.items() if not k.startswith("COPILOT_")}
    env.update({f"COPILOT_{k}": v for k, v in env_settings.items()})
    port = free_port()
    logs = open(tmp / f"{kind}.log", "w")  # noqa: SIM115
    procs = [subprocess.Popen([sys.executable, "-m", "integrations.cli.main", "serve", "--port", str(port),
                               "--workers", str(workers), "--log-level", "warning"], cwd=ROOT, env=env,
                              stdout=logs, stderr=subprocess.STDOUT)]
    if kind == "team":
        procs.append(subprocess.Popen([sys.executable, "-m", "integrations.cli.main", "worker", "--threads", "1",
                                       "--log-level", "warning"], cwd=ROOT, env=env, stdout=logs, stderr=subprocess.STDOUT))
    base = f"http://127.0.0.1:{port}"
    try:
        pids: set[int] = set()
        deadline = time.monotonic() + 180
        while len(pids) < workers and time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                r = httpx.get(f"{base}/readyz", headers={"Connection": "close"}, timeout=30)
                if r.status_code == 200:
                    pids.add(r.json()["pid"])
            time.sleep(0.2)
        if len(pids) < workers:
            raise SystemExit(f"{kind}: the API did not come up; see {tmp / f'{kind}.log'}")
        yield base, keys, cp
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
        cp.close()


async def load(base: str, keys: dict[str, str], fake: FakeSlack, seconds: float, askers: int, slack_rate: float,
               call_every: float, tally: Tally) -> float:
    limits = httpx.Limits(max_connections=askers + 20, max_keepalive_connections=askers + 20)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as c:
        stop = time.monotonic() + seconds
        rng = random.Random(7)

        async def asker(i: int) -> None:
            uid = list(keys)[i % len(keys)]
            while time.monotonic() < stop:
                t = time.perf_counter()
                try:
                    r = await c.post("/v1/ask", json={"question": rng.choice(QUESTIONS)},
                                     headers={"Authorization": f"Bearer {keys[uid]}"})
                    if r.status_code != 200:
                        tally.ask_errors.append(f"{r.status_code} {r.text[:120]}")
                        continue
                except httpx.HTTPError as exc:
                    tally.ask_errors.append(repr(exc))
                    continue
                tally.ask_lat.append(time.perf_counter() - t)

        async def slack() -> None:
            n = 0
            while time.monotonic() < stop:
                n += 1
                ts = f"{int(time.time())}.{n:06d}"
                event = {"type": "app_mention", "user": "UANN", "channel": "C1", "ts": ts,
                         "text": f"<@UBOT> {rng.choice(QUESTIONS)}"}
                body = event_body(event, f"Ev{n:06d}")
                for retry in (None, "1"):  # Slack delivers again when the first ack seems late
                    extra = {"X-Slack-Retry-Num": retry, "X-Slack-Retry-Reason": "http_timeout"} if retry else {}
                    try:
                        r = await c.post("/slack/events", content=body, headers=signed_headers(body, **extra))
                        if r.status_code != 200:
                            tally.event_errors.append(f"{r.status_code} {r.text[:120]}")
                    except httpx.HTTPError as exc:
                        tally.event_errors.append(repr(exc))
                tally.events.append(ts)
                await asyncio.sleep(1 / slack_rate)

        async def uploads() -> None:
            while time.monotonic() < stop:
                try:
                    r = await c.post("/v1/calls", files={"file": ("call.txt", TRANSCRIPT.encode(), "text/plain")},
                                     data={"deal_id": "D-1", "title": f"bench call {len(tally.jobs)}"},
                                     headers={"Authorization": f"Bearer {keys['r-ann']}"})
                    if r.status_code != 202:
                        tally.upload_errors.append(f"{r.status_code} {r.text[:120]}")
                    else:
                        tally.jobs[r.json()["job_id"]] = time.monotonic()
                except httpx.HTTPError as exc:
                    tally.upload_errors.append(repr(exc))
                await asyncio.sleep(call_every)

        async def poll_jobs() -> None:
            for job_id in [j for j in tally.jobs if j not in tally.job_done and j not in tally.job_failed]:
                r = await c.get(f"/v1/calls/jobs/{job_id}", headers={"Authorization": f"Bearer {keys['r-ann']}"})
                status = r.json().get("status")
                if status == "done":
                    tally.job_done[job_id] = time.monotonic()
                elif status == "failed":
                    tally.job_failed.append(job_id)

        async def poller() -> None:  # during the load too, so upload-to-done is measured as it happens
            while time.monotonic() < stop:
                await poll_jobs()
                await asyncio.sleep(0.25)

        started = time.monotonic()
        await asyncio.gather(*(asker(i) for i in range(askers)), slack(), uploads(), poller())
        elapsed = time.monotonic() - started

        deadline = time.monotonic() + 180  # drain: every job finished, every event answered
        while time.monotonic() < deadline:
            await poll_jobs()
            answered = {p.get("thread_ts") for p in fake.of("chat.postMessage")}
            if len(tally.job_done) + len(tally.job_failed) == len(tally.jobs) and set(tally.events) <= answered:
                break
            await asyncio.sleep(0.25)
    return elapsed


def report(kind: str, tally: Tally, fake: FakeSlack, elapsed: float) -> None:
    posts = [p.get("thread_ts") for p in fake.of("chat.postMessage")]
    answered = set(posts) & set(tally.events)
    dupes = sum(1 for ts in tally.events if posts.count(ts) > 1)
    call_lat = [tally.job_done[j] - tally.jobs[j] for j in tally.job_done]
    lost_jobs = len(tally.jobs) - len(tally.job_done) - len(tally.job_failed)
    print(f"[{kind}]")
    print(f"  asks   {len(tally.ask_lat):5d} ok  {len(tally.ask_lat) / elapsed:6.1f} req/s  p50 {pct(tally.ask_lat, .5):7.0f} ms"
          f"  p99 {pct(tally.ask_lat, .99):7.0f} ms  errors {len(tally.ask_errors)}")
    print(f"  slack  {len(tally.events):5d} events (each sent twice)  answered once {len(answered) - dupes}"
          f"  duplicates {dupes}  lost {len(set(tally.events) - answered)}  errors {len(tally.event_errors)}")
    print(f"  calls  {len(tally.jobs):5d} jobs  done {len(tally.job_done)}  failed {len(tally.job_failed)}  lost {lost_jobs}"
          f"  upload-to-done p50 {pct(call_lat, .5):7.0f} ms  p99 {pct(call_lat, .99):7.0f} ms"
          f"  upload errors {len(tally.upload_errors)}")
    for sample in (tally.ask_errors[:3] + tally.event_errors[:3] + tally.upload_errors[:3]):
        print(f"    e.g. {sample}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--askers", type=int, default=50)
    ap.add_argument("--slack-rate", type=float, default=2.0, help="Slack events per second")
    ap.add_argument("--call-every", type=float, default=1.0, help="seconds between call uploads")
    ap.add_argument("--embeddings", default="minilm")
    args = ap.parse_args()
    print(f"load: {args.askers} askers, {args.slack_rate:g} Slack events/s (each twice), a call upload every "
          f"{args.call_every:g} s, for {args.seconds:g} s; embeddings {args.embeddings}; load average before "
          f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp, postgres_server() as pg:
        for kind in ("single", "team"):
            with FakeSlack() as fake, setup(kind, Path(tmp), fake, args.embeddings, pg) as (base, keys, _cp):
                tally = Tally()
                elapsed = asyncio.run(load(base, keys, fake, args.seconds, args.askers, args.slack_rate,
                                           args.call_every, tally))
                report("one process, SQLite" if kind == "single" else "2 API workers + 1 queue worker, Postgres",
                       tally, fake, elapsed)
    print(f"load average after {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
