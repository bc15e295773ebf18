"""Background jobs for slow work (long call audio): a row per job in the CRM database, run on a small
thread pool. Any API worker can answer a poll because the state lives in the table, not in memory.

A real deployment with several machines would put this work on an existing job queue (DESIGN.md
section 8); the row format here is what such a queue's results would be written into. The facade
exposes it as ``jobs_submit`` / ``jobs_get`` (``copilot.ops.serving``).
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Engine, String, Text, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from copilot.core.db import Base
from copilot.core.domain import Principal, Role
from copilot.core.errors import CopilotError, NotFound


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


def _job(row: JobRow) -> Job:
    return Job(row.id, row.kind, row.user_id, row.status, row.source, row.result, row.error, row.created_at,
               row.finished_at)


class JobRunner:
    """``workers`` threads, started on the first submit (and again after ``shutdown``)."""

    def __init__(self, engine: Engine, *, workers: int = 1) -> None:
        self.engine = engine
        self.workers = workers
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def _executor(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="api-job")
            return self._pool

    def submit(self, kind: str, user_id: str, source: str, work: Callable[[], dict[str, Any]]) -> Job:
        row = JobRow(id="job-" + uuid.uuid4().hex[:16], kind=kind, user_id=user_id, status="queued", source=source,
                     created_at=datetime.now().replace(microsecond=0))
        with Session(self.engine, expire_on_commit=False) as s, s.begin():
            s.add(row)
        job = _job(row)
        self._executor().submit(self._run, job.id, work)
        return job

    def _set(self, job_id: str, **values: Any) -> None:
        with Session(self.engine) as s, s.begin():
            s.execute(update(JobRow).where(JobRow.id == job_id).values(**values))

    def _run(self, job_id: str, work: Callable[[], dict[str, Any]]) -> None:
        self._set(job_id, status="running")
        try:
            result = work()
        except CopilotError as exc:
            self._set(job_id, status="failed", error={"code": exc.code, "message": str(exc)},
                      finished_at=datetime.now().replace(microsecond=0))
        except Exception as exc:  # noqa: BLE001 - a job failure is recorded, never raised into the pool
            logging.getLogger("copilot.api").exception("job failed", extra={"fields": {"job_id": job_id}})
            self._set(job_id, status="failed", error={"code": "internal", "message":
                      f"the job failed unexpectedly ({type(exc).__name__}); report job id {job_id}"},
                      finished_at=datetime.now().replace(microsecond=0))
        else:
            self._set(job_id, status="done", result=result, finished_at=datetime.now().replace(microsecond=0))

    def get(self, job_id: str, principal: Principal) -> Job:
        """The job, for its submitter or an admin; anyone else gets NotFound (not a hint that it exists)."""
        with Session(self.engine) as s:
            row = s.get(JobRow, job_id)
            job = _job(row) if row is not None else None
        if job is None or (job.user_id != principal.user_id and principal.role is not Role.ADMIN):
            raise NotFound(f"no job {job_id!r} of yours", hint="use the job id the upload returned")
        return job

    def shutdown(self) -> None:
        """Stop taking work; queued jobs are cancelled (their rows stay queued), running ones finish."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
