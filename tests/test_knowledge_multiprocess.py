"""Several processes share one data directory: two API servers answer while a third process ingests.

Chroma's embedded client caches each collection's index per process. Before ``knowledge.vectors``
noticed other processes' writes, a process that had queried once went on using its stale copy:
filtered queries failed with ``Error finding id`` and unfiltered ones missed the new vectors, and a
write from such a process could break the index on disk for everyone.

The first test runs the real thing: ``copilot init``/``ingest``/``keys create``, two ``copilot serve``
processes on loopback ports over one COPILOT_HOME, questions on both while ``copilot ingest`` and an
upload to one server write again and again, and this test process as a third reader of the store.
The others pin the stale write and the fallback to keyword search when Chroma keeps failing.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from conftest import make_settings

from copilot.core.domain import Principal, Role
from copilot.core.visibility import Scope
from knowledge.vectors import VectorsUnavailable

COPILOT = Path(sys.executable).with_name("copilot")
ROUNDS = 3  # ingests while the servers answer
QUESTIONS = 25  # per server, during the ingests and again after them
DEADLINE = 55.0  # seconds for the whole test


def _page(i: int, extra: str = "") -> str:
    return (f"---\ntype: objection_guide\n---\n# Handling objection number {i}\n\n"
            f"When a buyer raises concern alpha{i} about pricing, respond with the value story for widget{i}.\n"
            f"Discounts above ten percent need approval. Mention the case study of customer gamma{i}.\n\n"
            f"## Follow-up\n\nSend the battle card for zeta{i} within two days.{extra}\n")


def _question(i: int) -> str:
    return f"How do I handle concern alpha{i} about pricing?"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COPILOT_")}
    env.update(COPILOT_HOME=str(home), COPILOT_EMBEDDINGS="hash", COPILOT_LLM="none", HF_HUB_OFFLINE="1",
               TRANSFORMERS_OFFLINE="1", ANONYMIZED_TELEMETRY="False", COPILOT_API_RATE_PER_SECOND="0")
    return env


def _cli(env: dict[str, str], cwd: Path, *args: str, timeout: float = 30) -> dict:
    done = subprocess.run([str(COPILOT), *args, "--json"], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)
    assert done.returncode == 0, f"copilot {' '.join(args)} failed:\n{done.stderr[-2000:]}"
    return json.loads(done.stdout)


def _wait_ready(base: str, proc: subprocess.Popen, until: float) -> None:
    while time.monotonic() < until:
        assert proc.poll() is None, f"server on {base} exited with {proc.returncode} (its log is in tmp_path)"
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"server on {base} did not start in time")


class Asker:
    """Asks library questions on one server and keeps every status (a failure is any non-200)."""

    def __init__(self, base: str, key: str) -> None:
        self.http = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=20)
        self.statuses: list[int] = []
        self.failures: list[str] = []

    def ask(self, i: int) -> str:
        try:
            r = self.http.post("/v1/ask", json={"question": _question(i)})
        except httpx.HTTPError as exc:
            self.statuses.append(0)
            self.failures.append(f"{_question(i)!r}: {exc!r}")
            return ""
        self.statuses.append(r.status_code)
        if r.status_code != 200:
            self.failures.append(f"{_question(i)!r}: {r.status_code} {r.text[:300]}")
            return ""
        return str(r.json()["text"])


def test_two_servers_answer_while_another_process_ingests(tmp_path: Path) -> None:
    until = time.monotonic() + DEADLINE
    home, lib = tmp_path / "home", tmp_path / "lib"
    lib.mkdir()
    for i in range(1, 7):
        (lib / f"topic{i}.md").write_text(_page(i))
    env = _env(home)
    _cli(env, tmp_path, "init", "--admin", "admin")
    assert _cli(env, tmp_path, "ingest", str(lib))["documents"]["added"] == 6
    key = _cli(env, tmp_path, "keys", "create", "--user", "admin")["key"]

    # This process reads the same store too, opened before the other processes write.
    from copilot.app import Copilot

    reader = Copilot(make_settings(home, embeddings="hash"))
    everyone = Scope(Principal(user_id="admin", name="admin", role=Role.ADMIN), all_records=True)
    assert reader.services.knowledge.search_dense("concern alpha1", everyone, k=1, types=["objection_guide"])

    servers: list[subprocess.Popen] = []
    try:
        bases = []
        for n in range(2):
            port = _free_port()
            log = (tmp_path / f"server{n}.log").open("w")
            servers.append(subprocess.Popen([str(COPILOT), "serve", "--port", str(port), "--log-level", "warning"],
                                            env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT))
            bases.append(f"http://127.0.0.1:{port}")
            # One at a time: two processes creating the API's tables at once race (api_jobs "already exists").
            _wait_ready(bases[-1], servers[-1], until)
        askers = [Asker(base, key) for base in bases]
        for a in askers:  # each server has answered (and cached its indexes) before anything changes
            assert "widget1" in a.ask(1)

        # A third process ingests new pages and changed ones, several times, while both servers answer.
        new: list[int] = []
        problems: list[BaseException] = []
        ingesting = threading.Event()
        ingesting.set()

        def ingest_rounds() -> None:
            try:
                for r in range(1, ROUNDS + 1):
                    batch = tmp_path / f"more{r}"
                    batch.mkdir()
                    for i in range(10 * r, 10 * r + 3):
                        (batch / f"topic{i}.md").write_text(_page(i))
                    (lib / f"topic{r}.md").write_text(_page(r, extra=f" Revision {r}."))
                    report = _cli(env, tmp_path, "ingest", str(batch), str(lib))["documents"]
                    assert (report["added"], report["updated"]) == (3, 1), report
                    new.extend(range(10 * r, 10 * r + 3))
                    # A server writes too (an upload to the shared library), after the CLI changed the store.
                    up = askers[0].http.post("/v1/ingest", data={"shared": "true"},
                                             files={"file": (f"topic{100 + r}.md", _page(100 + r))})
                    assert up.status_code == 200 and up.json()["added"] == 1, up.text[:300]
                    new.append(100 + r)
            except BaseException as exc:  # noqa: BLE001 - reported by the main thread
                problems.append(exc)
            finally:
                ingesting.clear()

        def keep_asking(a: Asker) -> None:
            asked = 0
            while (ingesting.is_set() or asked < QUESTIONS) and time.monotonic() < until:
                a.ask(1 + asked % 6)
                asked += 1
                time.sleep(0.05)

        threads = [threading.Thread(target=ingest_rounds)] + [threading.Thread(target=keep_asking, args=(a,))
                                                               for a in askers]
        for t in threads:
            t.start()
        for t in threads:
            t.join(max(until - time.monotonic(), 0.1))
        assert not any(t.is_alive() for t in threads), "ingest or questions did not finish in time"
        if problems:
            raise problems[0]
        assert len(new) == 4 * ROUNDS
        during = [(len(a.statuses), a.failures) for a in askers]
        for asked, failures in during:
            assert asked >= QUESTIONS and not failures, f"{len(failures)} of {asked} failed:\n" + "\n".join(failures[:5])

        # After: both servers answer about the new pages (and the old ones), all 200.
        for a in askers:
            a.statuses.clear()
            for q in range(QUESTIONS):
                i = new[q % len(new)] if q % 5 else 1 + q % 6
                text = a.ask(i)
                assert f"widget{i}" in text, f"{a.http.base_url} did not answer about page {i}: {text[:200]!r}"
            assert a.statuses == [200] * QUESTIONS, a.failures[:5]

        # The third reader's dense index follows too: filtered queries work and find the new pages.
        for i in new:
            hits = reader.services.knowledge.search_dense(f"concern alpha{i} widget{i}", everyone, k=3,
                                                 types=["objection_guide"])
            assert any(f"widget{i}" in h.text for h in hits), f"dense search missed page {i}"
    finally:
        for proc in servers:
            proc.kill()
        for proc in servers:
            proc.wait(10)
        reader.close()


_WRITER = """
import random, sys
from pathlib import Path
from knowledge.vectors import VectorIndex, open_chroma
k, n = int(sys.argv[2]), int(sys.argv[3])
r = random.Random(k)
VectorIndex(open_chroma(path=Path(sys.argv[1])), namespace="t").upsert(
    "library", [f"{k}-{i}" for i in range(n)], [[r.random() for _ in range(16)] for _ in range(n)],
    ["d"] * n, [{"t": "a"}] * n)
"""


def _write_elsewhere(folder: Path, k: int, n: int) -> None:
    subprocess.run([sys.executable, "-c", _WRITER, str(folder), str(k), str(n)], check=True, timeout=60,
                   env={**os.environ, "ANONYMIZED_TELEMETRY": "False"})


def test_a_write_after_another_process_wrote_leaves_the_index_whole(tmp_path: Path) -> None:
    """Without the check before writing, this process's write (from its stale copy, once the index is big
    enough to be saved) left the index on disk broken for everyone: filtered queries failed even in a
    fresh process."""
    import random

    from knowledge.vectors import VectorIndex, open_chroma

    folder, n = tmp_path / "chroma", 1200
    _write_elsewhere(folder, 1, n)
    here = VectorIndex(open_chroma(path=folder), namespace="t")
    r = random.Random(0)
    assert len(here.query("library", [r.random() for _ in range(16)], 5, where={"t": "a"})) == 5
    _write_elsewhere(folder, 2, n)
    here.upsert("library", [f"3-{i}" for i in range(n)], [[r.random() for _ in range(16)] for _ in range(n)],
                ["d"] * n, [{"t": "a"}] * n)
    assert here.count("library") == 3 * n
    assert len(here.query("library", [r.random() for _ in range(16)], 5, where={"t": "a"})) == 5
    check = ("import sys; from pathlib import Path; from knowledge.vectors import VectorIndex, open_chroma; "
             "v = VectorIndex(open_chroma(path=Path(sys.argv[1])), namespace='t'); "
             "print(v.count('library'), len(v.query('library', [0.5] * 16, 5, where={'t': 'a'})))")
    fresh = subprocess.run([sys.executable, "-c", check, str(folder)], capture_output=True, text=True, timeout=60,
                           env={**os.environ, "ANONYMIZED_TELEMETRY": "False"})
    assert fresh.returncode == 0, fresh.stderr[-1500:]
    assert fresh.stdout.split() == [str(3 * n), "5"]


def test_a_failing_vector_index_is_reopened_then_search_falls_back_to_keywords(copilot, tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "p.md").write_text(_page(1))
    store = copilot.services.knowledge
    store.ingest_paths([tmp_path / "docs"])
    admin = Scope(Principal(user_id="admin", name="admin", role=Role.ADMIN), all_records=True)

    class Broken:
        def query(self, **_: object) -> None:
            raise RuntimeError("Error executing plan: Internal error: Error finding id")

    real = store.vectors._collection
    failures = iter([True])  # the first query fails; the reopened client answers
    store.vectors._collection = lambda p, create: Broken() if next(failures, False) else real(p, create=create)
    assert store.search_dense("concern alpha1", admin, k=1)[0].metadata["title"] == "Handling objection number 1"
    assert store.vectors.reopened == 1 and store.keyword_only == 0

    store.vectors._collection = lambda p, create: Broken()  # fails again after reopening: keywords only
    hits = store.search("concern alpha1 pricing", admin, k=3)
    assert hits and "widget1" in hits[0].text
    assert store.keyword_only == 1 and store.vectors.reopened == 2
    with pytest.raises(VectorsUnavailable):
        store.search_dense("concern alpha1", admin, k=1)
