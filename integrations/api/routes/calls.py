"""Call uploads: audio (or a text transcript) in, transcript + summary + proposed follow-up actions out.

Small files are answered inline (200). Files past ``COPILOT_API_CALL_INLINE_MAX_BYTES`` or audio longer
than ``COPILOT_API_CALL_INLINE_MAX_SECONDS`` are answered 202 with a job id to poll at
``GET /v1/calls/jobs/{id}``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import JSONResponse

from copilot.app import Job
from integrations.api.deps import Caller, get_caller, run_service
from integrations.api.schemas import ERRORS, JobOut
from integrations.api.uploads import save_upload

router = APIRouter(prefix="/v1/calls", tags=["calls"], responses=ERRORS)

AUDIO = (".wav", ".flac", ".mp3", ".m4a", ".ogg", ".opus")
TRANSCRIPTS = (".txt", ".md", ".json")
POLL = "/v1/calls/jobs"


def job_out(job: Job, poll_prefix: str) -> dict[str, Any]:
    return {"job_id": job.id, "status": job.status, "poll": f"{poll_prefix}/{job.id}", "result": job.result,
            "error": job.error, "created_at": job.created_at.isoformat(timespec="seconds"),
            "finished_at": job.finished_at.isoformat(timespec="seconds") if job.finished_at else None}


@router.post("", summary="Upload a call; get transcript, summary and proposed actions (or a job id)",
             responses={202: {"model": JobOut, "description": "long file: poll the job"}})
async def upload_call(request: Request, caller: Caller = Depends(get_caller),
                      file: UploadFile = File(description="audio (wav flac mp3 m4a ogg opus) or transcript (txt md json)"),
                      deal_id: str | None = Form(default=None, description="store the call on this deal"),
                      title: str | None = Form(default=None),
                      followup: bool = Form(default=True, description="draft the follow-up and propose actions"),
                      ) -> Any:
    cp, config = caller.cp, request.app.state.config
    folder = cp.settings.resolved_home / "uploads" / "calls"
    path = await save_upload(file, folder, allowed=AUDIO + TRANSCRIPTS)
    size = path.stat().st_size
    seconds = await run_service(request, cp.audio_seconds, path)

    def process() -> dict[str, Any]:
        """Transcribe and summarize; with a deal, store the call and propose the follow-up as pending actions."""
        return cp.process_call(caller.principal, path, deal_id=deal_id or None, title=title, followup=followup).to_json()

    if size > config.call_inline_max_bytes or (seconds is not None and seconds > config.call_inline_max_seconds):
        args = {"path": str(path), "deal_id": deal_id or None, "title": title, "followup": followup}
        job = await run_service(request, cp.jobs_submit, caller.principal, "call", path.name, args)
        return JSONResponse(job_out(job, POLL), status_code=202, headers={"Location": f"{POLL}/{job.id}"})
    return await run_service(request, process)


@router.get("/jobs/{job_id}", summary="Poll a call job", response_model=JobOut)
async def job(job_id: str, request: Request, caller: Caller = Depends(get_caller)) -> dict[str, Any]:
    job = await run_service(request, caller.cp.jobs_get, caller.principal, job_id)
    return job_out(job, POLL)
