"""Slow work on the job queue (``copilot.queue``): call transcription, document ingestion, CRM re-indexing;
and what the queue's scheduler runs: housekeeping every minute, the customer-health scan every day.

Each kind runs an operation for the principal who submitted it, from arguments stored with the job, in
whichever process consumes the queue (``copilot worker``, or the API server's own threads). Every kind here
is safe to run again after a worker died mid-way: transcripts and summaries are keyed by their content,
ingestion by content hashes, and a call's follow-up is proposed once per call (a retry finds the proposals
the first run made and returns them)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from copilot.core.domain import OPERATOR, Principal
from copilot.ops.calls import CallOps, CallResult
from copilot.ops.data import DataOps
from copilot.ops.health import HealthOps

if TYPE_CHECKING:
    from copilot.jobs import Job
    from copilot.queue import JobQueue, Kind

FOLLOWUP_TOOL = "calls.followup"
HEALTH_SCAN, HEALTH_SCAN_AT = "copilot.health_scan", {"hour": "6", "minute": "0"}  # daily, 06:00 UTC


class JobOps(CallOps, HealthOps, DataOps):
    def _queue(self) -> JobQueue:
        queue = self.services.jobs
        if "call" not in queue.kinds:  # once per process (adapters may have registered theirs already)
            queue.kinds.update(self._job_kinds())
            queue.chores.append(self._chores)
            queue.periodic(HEALTH_SCAN, HEALTH_SCAN_AT, self._daily_health_scan)
        return queue

    def _job_kinds(self) -> dict[str, Kind]:
        from copilot.queue import Kind

        return {"call": Kind(self._call_job, retry_safe=True), "ingest": Kind(self._ingest_job, retry_safe=True),
                "sync_crm": Kind(self._sync_job, retry_safe=True)}

    def jobs_submit(self, principal: Principal, kind: str, source: str, args: dict[str, Any]) -> Job:
        """Queue ``kind`` (call, ingest, sync_crm) with ``args`` for this principal; poll it with ``jobs_get``.
        Unless this process runs no job threads (``COPILOT_API_JOB_WORKERS=0``), its own consumer starts."""
        job = self._queue().submit(kind, principal.user_id, source, args)
        self.jobs_start()
        return job

    def jobs_register(self, kind: str, run: Callable[[Job], dict[str, Any]], *, retry_safe: bool) -> None:
        """Add a kind of job from an adapter (Slack's shared call recordings): ``run`` gets the job (its
        submitter and arguments). Every process that consumes the queue must register the same kinds."""
        from copilot.queue import Kind

        self.services.jobs.kinds[kind] = Kind(run, retry_safe=retry_safe)

    def process_call_once(self, principal: Principal, path: Path, *, deal_id: str | None = None,
                          match_text: str = "", title: str | None = None, followup: bool = True) -> CallResult:
        """``process_call`` that is safe to run again (a retried job): the transcript and summary are keyed by
        their content, and the follow-up is proposed once per call (a second run returns the first run's
        proposals)."""
        from copilot.actions.schemas import State

        result = self.process_call(principal, path, deal_id=deal_id, match_text=match_text, title=title,
                                   followup=False)
        if result.deal_id and followup:
            earlier = [a for a in self.services.actions.list(principal, list(State), limit=10_000)
                       if a.call_id == result.call_id and a.tool == FOLLOWUP_TOOL]
            if earlier:
                fu = self.services.calls.draft_followup(result.call_id, scope=self.scope(principal),
                                                        owner_id=principal.user_id, propose=False)
                result.followup, result.actions = fu.get("email"), [a.to_ref().model_dump(mode="json") for a in earlier]
            else:
                fu = self.draft_followup(principal, result.call_id)
                result.followup, result.actions = fu.get("email"), list(fu.get("actions", []))
        return result

    def jobs_start(self) -> None:
        """Start this process's queue consumer now (the API server does at start, so jobs queued while no
        process consumed them run without waiting for a new submission); no-op with 0 job threads."""
        if self.services.job_threads > 0:
            self._queue().start(self.services.job_threads)

    def jobs_get(self, principal: Principal, job_id: str) -> Job:
        """A job of this principal's (admins: anyone's); others get NotFound."""
        return self._queue().store.get(job_id, principal)

    def jobs_shutdown(self) -> None:
        """Stop this process's consumer (the API does on shutdown); queued jobs wait for the next one."""
        if "jobs" in self.services.__dict__:
            self.services.jobs.stop()

    def jobs_broker(self) -> str:
        """Where the queue lives (credentials left out), for operators."""
        from copilot.queue import broker_url

        st = self.settings
        return broker_url(st.queue_url, st.crm_url, st.resolved_home).split("@")[-1]

    def worker_run(self, threads: int = 1) -> None:
        """``copilot worker``: consume the queue in the foreground until SIGINT/SIGTERM."""
        self._queue().run_forever(threads)

    def housekeeping(self) -> dict[str, int]:
        """What the queue runs every minute: retry or fail the jobs of dead workers, prune finished jobs and
        Slack's replay guard, expire stale proposals."""
        return self._queue().housekeeping()

    def _daily_health_scan(self) -> dict[str, int]:
        """The daily customer-health scan over every account (interventions are proposed, never run)."""
        report = self.health_scan(OPERATOR)
        return {"scanned": report.scanned, "proposed": report.proposed}

    def _chores(self) -> dict[str, int]:
        return {"slack_seen_pruned": self.services.chat.prune(), "actions_expired": self.services.actions.expire_due()}

    # -- the kinds ---------------------------------------------------------------------------------------
    def _submitter(self, job: Job) -> Principal:
        """Who the job runs for: the CRM user who submitted it, or the operator (the CLI, the scheduler)."""
        return OPERATOR if job.user_id == OPERATOR.user_id else self.principal(job.user_id)

    def _call_job(self, job: Job) -> dict[str, Any]:
        args = job.args or {}
        return self.process_call_once(self._submitter(job), Path(args["path"]), deal_id=args.get("deal_id"),
                                      title=args.get("title"), followup=args.get("followup", True)).to_json()

    def _ingest_job(self, job: Job) -> dict[str, Any]:
        args = job.args or {}
        report = self.ingest(self._submitter(job), [Path(p) for p in args["paths"]],
                             doc_type=args.get("doc_type"))
        return asdict(report)

    def _sync_job(self, job: Job) -> dict[str, Any]:
        return asdict(self.sync_crm(self._submitter(job)))
