"""The job queue: huey carries job ids from whoever submits to the workers, and runs the periodic work.

Why huey: one small, maintained library with the three brokers this product needs and nothing else to run.
The single-machine default keeps the queue in a SQLite file under the data directory (no server); a team on
Postgres gets it in that same database (huey's Postgres storage, LISTEN/NOTIFY, no extra server); Redis works
too (``COPILOT_QUEUE_URL=redis://...``). Its consumer runs worker threads and a scheduler for periodic tasks,
so housekeeping is scheduled by the queue, not by a loop of ours. Huey does not acknowledge messages, so a
worker killed mid-job would lose it: the job table (``copilot.jobs``) is the truth, and the housekeeping task
(also run when a consumer starts) retries or fails the jobs of dead workers.

``copilot worker`` runs a consumer in its own process; ``copilot serve`` runs one in-process (threads) unless
``COPILOT_API_JOB_WORKERS=0``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from copilot.core.errors import ConfigError, CopilotError
from copilot.jobs import Job, JobStore, worker_id

log = logging.getLogger("copilot.queue")

RUN_JOB = "copilot.run_job"
HOUSEKEEPING = "copilot.housekeeping"


def broker_url(queue_url: str | None, database_url: str, home: Path) -> str:
    """The broker: ``queue_url`` if set; else the Postgres database when the product runs on Postgres; else a
    SQLite file under the data directory."""
    if queue_url:
        return queue_url
    return database_url if database_url.startswith("postgresql") else f"sqlite:///{home / 'queue.db'}"


def build_huey(url: str) -> Any:
    import huey

    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        return huey.SqliteHuey(name="copilot", filename=str(path), results=False, utc=True)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return huey.RedisHuey(name="copilot", url=url, results=False, utc=True)
    if url.startswith(("postgresql://", "postgresql+psycopg://", "postgres://")):
        dsn = "postgresql://" + url.split("://", 1)[1]
        return huey.PostgresHuey(name="copilot", dsn=dsn, results=False, utc=True)
    raise ConfigError(f"COPILOT_QUEUE_URL {url.split('@')[-1]!r} is not a queue broker this copilot knows",
                      hint="use redis://host:port/0, postgresql://..., sqlite:///path, or leave it unset")


@dataclass
class Kind:
    """One kind of job: how to run it (for the principal who submitted it, with its arguments) and whether a
    second run after a worker died mid-way is safe (its effects are idempotent)."""

    run: Callable[[Job], dict[str, Any]]
    retry_safe: bool


@dataclass
class JobQueue:
    huey: Any
    store: JobStore
    kinds: dict[str, Kind]
    attempts: int = 2
    stale_after: timedelta = timedelta(seconds=60)
    keep_finished: timedelta = timedelta(days=14)
    chores: list[Callable[[], dict[str, int]]] = field(default_factory=list)  # more periodic housekeeping
    _running: dict[str, str] = field(default_factory=dict)
    _consumer: Any = None
    _beat: threading.Event | None = None

    def __post_init__(self) -> None:
        from huey import crontab

        self._run_job = self.huey.task(name=RUN_JOB)(self.execute)
        self.huey.periodic_task(crontab(minute="*"), name=HOUSEKEEPING)(self.housekeeping)

    def periodic(self, name: str, when: dict[str, str], work: Callable[[], Any]) -> None:
        """Another task the queue's scheduler runs (``when``: huey crontab fields, in UTC), e.g. a daily scan."""
        from huey import crontab

        self.huey.periodic_task(crontab(**when), name=name)(work)

    # -- submitting --------------------------------------------------------------------------------------
    def submit(self, kind: str, user_id: str, source: str, args: dict[str, Any]) -> Job:
        spec = self.kinds.get(kind)
        if spec is None:
            raise ConfigError(f"no job kind {kind!r}", hint=f"one of {', '.join(sorted(self.kinds))}")
        job = self.store.create(kind, user_id, source, args, max_attempts=self.attempts if spec.retry_safe else 1)
        self._enqueue(job.id)
        return job

    def _enqueue(self, job_id: str) -> None:
        self._run_job(job_id)

    # -- running (in a consumer's worker thread) -----------------------------------------------------------
    def execute(self, job_id: str) -> None:
        """Run one job if it is still queued; a duplicate message, or a finished job, is skipped."""
        me = worker_id(threading.current_thread().name)
        job = self.store.claim(job_id, me)
        if job is None:
            return
        self._running[job_id] = me
        try:
            spec = self.kinds.get(job.kind)
            if spec is None:
                raise ConfigError(f"this worker does not know job kind {job.kind!r}", hint="upgrade the worker")
            result = spec.run(job)
        except CopilotError as exc:
            self.store.finish(job_id, me, error={"code": exc.code, "message": str(exc)})
        except Exception as exc:  # noqa: BLE001 - a job failure is recorded, never raised into the consumer
            log.exception("job failed", extra={"fields": {"job_id": job_id}})
            self.store.finish(job_id, me, error={"code": "internal", "message":
                              f"the job failed unexpectedly ({type(exc).__name__}); report job id {job_id}"})
        else:
            self.store.finish(job_id, me, result=result)
        finally:
            self._running.pop(job_id, None)

    # -- finding what dead workers left --------------------------------------------------------------------
    def reap(self) -> dict[str, int]:
        """Retry (when safe and attempts remain) or fail every job whose worker is gone; enqueue again the
        queued jobs whose message was lost (taken by a worker that died before claiming them)."""
        retried = failed = requeued = 0
        for job in self.store.abandoned(self.stale_after):
            spec = self.kinds.get(job.kind)
            if spec is not None and spec.retry_safe and job.attempts < job.max_attempts:
                if self.store.requeue(job.id, job.worker):
                    self._enqueue(job.id)
                    retried += 1
                    log.warning("job %s: its worker %s stopped; retrying (attempt %d of %d)", job.id, job.worker,
                                job.attempts + 1, job.max_attempts)
            elif self.store.give_up(job.id, job.worker, f"the worker running it stopped ({job.attempts} of "
                                    f"{job.max_attempts} attempts used); submit it again"):
                failed += 1
                log.warning("job %s: its worker %s stopped; marked failed", job.id, job.worker)
        pending = {str(t.args[0]) for t in self.huey.pending() if t.name == RUN_JOB and t.args}
        for job in self.store.queued_before(datetime.now() - self.stale_after):
            if job.id not in pending:
                self._enqueue(job.id)
                requeued += 1
        return {"retried": retried, "failed": failed, "requeued": requeued}

    def housekeeping(self) -> dict[str, int]:
        """The periodic task (every minute, by the queue's scheduler): reap, prune finished jobs, chores."""
        done = self.reap()
        done["jobs_pruned"] = self.store.prune(self.keep_finished)
        for chore in self.chores:
            done.update(chore())
        return done

    def _heartbeats(self, stop: threading.Event) -> None:
        period = max(self.stale_after.total_seconds() / 4, 0.5)
        while not stop.wait(period):
            try:
                self.store.heartbeat(list(self._running))
            except Exception:  # noqa: BLE001 - a missed beat is retried next period
                log.exception("heartbeat failed")

    # -- consumers -----------------------------------------------------------------------------------------
    def consumer(self, threads: int, *, in_process: bool) -> Any:
        from huey.consumer import Consumer

        class InProcess(Consumer):  # type: ignore[misc]
            def _set_signal_handlers(self) -> None:  # the host process (the API server) owns the signals
                pass

        cls = InProcess if in_process else Consumer
        return cls(self.huey, workers=threads, worker_type="thread", periodic=True, check_worker_health=True,
                   max_delay=1.0)

    def _start_beats(self) -> None:
        if self._beat is None:
            self._beat = threading.Event()
            threading.Thread(target=self._heartbeats, args=(self._beat,), name="job-heartbeat", daemon=True).start()

    def start(self, threads: int) -> None:
        """Run a consumer in this process's threads (the API server's default), once."""
        if self._consumer is not None:
            return
        self._start_beats()
        self.reap()
        self._consumer = self.consumer(threads, in_process=True)
        self._consumer.start()

    def run_forever(self, threads: int) -> None:
        """``copilot worker``: a consumer in the foreground until SIGINT/SIGTERM (finishes running jobs)."""
        self._start_beats()
        self.reap()
        self.consumer(threads, in_process=False).run()

    def stop(self) -> None:
        consumer, self._consumer = self._consumer, None
        if consumer is not None:
            consumer.stop(graceful=False)
        if self._beat is not None:
            self._beat.set()
            self._beat = None
