"""Background jobs for slow uploads (long call audio): a row per job in the CRM database, run on a small
thread pool. Any API worker can answer a poll because the state lives in the table, not in memory.

A real deployment with several machines would put this work on an existing job queue (DESIGN.md
section 8); the row format here is what such a queue's results would be written into.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Engine, String, Text, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from copilot.core.db import Base, create_tables
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


def job_out(row: JobRow, poll_prefix: str) -> dict[str, Any]:
    return {"job_id": row.id, "status": row.status, "poll": f"{poll_prefix}/{row.id}", "result": row.result,
            "error": row.error, "created_at": row.created_at.isoformat(timespec="seconds"),
            "finished_at": row.finished_at.isoformat(timespec="seconds") if row.finished_at else None}


class JobRunner:
    def __init__(self, engine: Engine, *, workers: int = 1) -> None:
        self.engine = engine
        create_tables(engine, JobRow)
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="api-job")

    def submit(self, kind: str, user_id: str, source: str, work: Callable[[], dict[str, Any]]) -> JobRow:
        job = JobRow(id="job-" + uuid.uuid4().hex[:16], kind=kind, user_id=user_id, status="queued", source=source,
                     created_at=datetime.now().replace(microsecond=0))
        with Session(self.engine, expire_on_commit=False) as s, s.begin():
            s.add(job)
        self.pool.submit(self._run, job.id, work)
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
            import logging

            logging.getLogger("copilot.api").exception("job failed", extra={"fields": {"job_id": job_id}})
            self._set(job_id, status="failed", error={"code": "internal", "message":
                      f"the job failed unexpectedly ({type(exc).__name__}); report job id {job_id}"},
                      finished_at=datetime.now().replace(microsecond=0))
        else:
            self._set(job_id, status="done", result=result, finished_at=datetime.now().replace(microsecond=0))

    def get(self, job_id: str, principal: Principal) -> JobRow:
        with Session(self.engine, expire_on_commit=False) as s:
            row = s.get(JobRow, job_id)
            if row is not None:
                s.expunge(row)
        if row is None or (row.user_id != principal.user_id and principal.role is not Role.ADMIN):
            raise NotFound(f"no job {job_id!r} of yours", hint="use the job id the upload returned")
        return row

    def shutdown(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
