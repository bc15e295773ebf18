"""The job table: what was asked, by whom, and how it went. The queue (``copilot.queue``) carries job ids to
workers; this table is the truth about each job, so any API worker can answer a poll and a job whose worker
died is found and retried or failed, never lost.

A worker claims a job with a conditional update (queued -> running, one attempt more), so a message
delivered twice runs once; it writes the outcome only while it still holds the job, so a worker that was
presumed dead and comes back cannot overwrite the retry's result. While it runs, its heartbeat is refreshed;
``abandoned`` finds running jobs whose worker is gone (its process is not alive on this host, or its
heartbeat is older than the stale limit on any host).
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, DateTime, Engine, Integer, String, Text, delete, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from copilot.core.db import Base
from copilot.core.domain import Principal, Role
from copilot.core.errors import NotFound

FINISHED = ("done", "failed")


class JobRow(Base):
    __tablename__ = "api_jobs"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    error: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    args: Mapped[dict | None] = mapped_column(JSON, nullable=True)  # what the worker needs to run it
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    max_attempts: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    worker: Mapped[str | None] = mapped_column(String(200), nullable=True)  # "<host>:<pid>:<thread>"
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


@dataclass(frozen=True)
class Job:
    """A job as its submitter sees it: ``status`` is queued, running, done or failed."""

    id: str
    kind: str
    user_id: str
    status: str
    source: str
    result: dict | None
    error: dict | None
    created_at: datetime
    finished_at: datetime | None
    args: dict | None = None
    attempts: int = 0
    max_attempts: int = 1
    worker: str | None = None


def _job(row: JobRow) -> Job:
    return Job(row.id, row.kind, row.user_id, row.status, row.source, row.result, row.error, row.created_at,
               row.finished_at, row.args, row.attempts or 0, row.max_attempts or 1, row.worker)


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


def worker_id(thread: str = "") -> str:
    return f"{socket.gethostname()}:{os.getpid()}" + (f":{thread}" if thread else "")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def worker_gone(worker: str | None, heartbeat_at: datetime | None, now: datetime, stale_after: timedelta) -> bool:
    """A worker on this host whose process has exited, or any worker silent for longer than ``stale_after``."""
    if heartbeat_at is None or now - heartbeat_at > stale_after:
        return True
    host, _, rest = (worker or "").partition(":")
    pid = rest.split(":", 1)[0]
    return host == socket.gethostname() and pid.isdigit() and int(pid) != os.getpid() and not _pid_alive(int(pid))


class JobStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create(self, kind: str, user_id: str, source: str, args: dict[str, Any], *, max_attempts: int) -> Job:
        row = JobRow(id="job-" + uuid.uuid4().hex[:16], kind=kind, user_id=user_id, status="queued", source=source,
                     created_at=_now(), args=args, attempts=0, max_attempts=max_attempts)
        with Session(self.engine, expire_on_commit=False) as s, s.begin():
            s.add(row)
        return _job(row)

    def claim(self, job_id: str, worker: str) -> Job | None:
        """Take a queued job (None if it is not queued: already running, finished, or unknown)."""
        now = _now()
        with Session(self.engine) as s, s.begin():
            res: Any = s.execute(update(JobRow).where(JobRow.id == job_id, JobRow.status == "queued").values(
                status="running", worker=worker, heartbeat_at=now, attempts=JobRow.attempts + 1))
            if res.rowcount != 1:
                return None
            row = s.get(JobRow, job_id)
            return _job(row) if row is not None else None

    def heartbeat(self, job_ids: Iterable[str]) -> None:
        ids = list(job_ids)
        if ids:
            with Session(self.engine) as s, s.begin():
                s.execute(update(JobRow).where(JobRow.id.in_(ids), JobRow.status == "running")
                          .values(heartbeat_at=_now()))

    def finish(self, job_id: str, worker: str, *, result: dict | None = None, error: dict | None = None) -> bool:
        """Record the outcome, only if this worker still holds the job."""
        values: dict[str, Any] = {"status": "failed" if error else "done", "finished_at": _now(), "error": error}
        if error is None:
            values["result"] = result
        with Session(self.engine) as s, s.begin():
            res: Any = s.execute(update(JobRow).where(JobRow.id == job_id, JobRow.worker == worker,
                                                      JobRow.status == "running").values(**values))
            return bool(res.rowcount)

    def abandoned(self, stale_after: timedelta) -> list[Job]:
        """Running jobs whose worker is gone."""
        now = _now()
        with Session(self.engine) as s:
            rows = s.scalars(select(JobRow).where(JobRow.status == "running")).all()
            return [_job(r) for r in rows if worker_gone(r.worker, r.heartbeat_at, now, stale_after)]

    def requeue(self, job_id: str, expected_worker: str | None) -> bool:
        with Session(self.engine) as s, s.begin():
            res: Any = s.execute(update(JobRow).where(JobRow.id == job_id, JobRow.status == "running",
                                                      JobRow.worker == expected_worker)
                                 .values(status="queued", worker=None, heartbeat_at=None))
            return bool(res.rowcount)

    def give_up(self, job_id: str, expected_worker: str | None, message: str) -> bool:
        with Session(self.engine) as s, s.begin():
            res: Any = s.execute(update(JobRow).where(JobRow.id == job_id, JobRow.status == "running",
                                                      JobRow.worker == expected_worker)
                                 .values(status="failed", finished_at=_now(),
                                         error={"code": "worker_lost", "message": message}))
            return bool(res.rowcount)

    def queued_before(self, when: datetime) -> list[Job]:
        with Session(self.engine) as s:
            return [_job(r) for r in s.scalars(select(JobRow).where(JobRow.status == "queued",
                                                                    JobRow.created_at < when))]

    def prune(self, older_than: timedelta) -> int:
        """Forget finished jobs older than ``older_than``."""
        with Session(self.engine) as s, s.begin():
            res: Any = s.execute(delete(JobRow).where(JobRow.status.in_(FINISHED),
                                                      JobRow.finished_at < _now() - older_than))
            return int(res.rowcount or 0)

    def counts(self) -> dict[str, int]:
        """Jobs by status."""
        with Session(self.engine) as s:
            return {str(k): int(v) for k, v in s.execute(select(JobRow.status, func.count()).group_by(JobRow.status))}

    def peek(self, job_id: str) -> Job | None:
        with Session(self.engine) as s:
            row = s.get(JobRow, job_id)
            return _job(row) if row is not None else None

    def get(self, job_id: str, principal: Principal) -> Job:
        """The job, for its submitter or an admin; anyone else gets NotFound (not a hint that it exists)."""
        job = self.peek(job_id)
        if job is None or (job.user_id != principal.user_id and principal.role is not Role.ADMIN):
            raise NotFound(f"no job {job_id!r} of yours", hint="use the job id the upload returned")
        return job
