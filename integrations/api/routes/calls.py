"""Call uploads: audio (or a text transcript) in, transcript + summary + proposed follow-up actions out.

Small files are answered inline (200). Files past ``COPILOT_API_CALL_INLINE_MAX_BYTES`` or audio longer
than ``COPILOT_API_CALL_INLINE_MAX_SECONDS`` are answered 202 with a job id to poll at
``GET /v1/calls/jobs/{id}``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import JSONResponse

from copilot.core.domain import Principal
from copilot.core.visibility import Scope
from integrations.api.deps import Caller, get_caller, run_service, service
from integrations.api.jobs import job_out
from integrations.api.schemas import ERRORS, JobOut
from integrations.api.uploads import save_upload

router = APIRouter(prefix="/v1/calls", tags=["calls"], responses=ERRORS)

AUDIO = (".wav", ".flac", ".mp3", ".m4a", ".ogg", ".opus")
TRANSCRIPTS = (".txt", ".md", ".json")
POLL = "/v1/calls/jobs"


def process_call(calls: Any, path: Path, principal: Principal, scope: Scope, *, deal_id: str | None,
                 title: str | None, followup: bool) -> dict[str, Any]:
    """Transcribe and summarize; with a deal, store the call and propose the follow-up as pending actions."""
    call_id, summary, transcript = calls.summarize_call(path, deal_id=deal_id, scope=scope, title=title)
    out: dict[str, Any] = {"call_id": call_id, "deal_id": deal_id, "transcript": transcript.to_json(),
                           "summary": summary.model_dump(mode="json"), "followup": None, "actions": []}
    if deal_id and followup:
        fu = calls.draft_followup(call_id, scope=scope)
        out["followup"], out["actions"] = fu.get("email"), fu.get("actions", [])
    return out


def _audio_seconds(path: Path) -> float | None:
    if path.suffix.lower() not in AUDIO:
        return None
    from tools.calls.audio import probe

    return probe(path).duration


@router.post("", summary="Upload a call; get transcript, summary and proposed actions (or a job id)",
             responses={202: {"model": JobOut, "description": "long file: poll the job"}})
async def upload_call(request: Request, caller: Caller = Depends(get_caller),
                      file: UploadFile = File(description="audio (wav flac mp3 m4a ogg opus) or transcript (txt md json)"),
                      deal_id: str | None = Form(default=None, description="store the call on this deal"),
                      title: str | None = Form(default=None),
                      followup: bool = Form(default=True, description="draft the follow-up and propose actions"),
                      ) -> Any:
    cp, config = request.app.state.copilot, request.app.state.config
    calls = service(cp, "calls", "call processing")
    folder = cp.settings.resolved_home / "uploads" / "calls"
    path = await save_upload(file, folder, allowed=AUDIO + TRANSCRIPTS)
    scope = await run_service(request, lambda: caller.scope)
    size = path.stat().st_size
    seconds = await run_service(request, _audio_seconds, path)
    args = dict(deal_id=deal_id or None, title=title, followup=followup)
    if size > config.call_inline_max_bytes or (seconds is not None and seconds > config.call_inline_max_seconds):
        runner = request.app.state.jobs
        job = await run_service(request, runner.submit, "call", caller.principal.user_id, path.name,
                                lambda: process_call(calls, path, caller.principal, scope, **args))
        return JSONResponse(job_out(job, POLL), status_code=202, headers={"Location": f"{POLL}/{job.id}"})
    return await run_service(request, process_call, calls, path, caller.principal, scope, **args)


@router.get("/jobs/{job_id}", summary="Poll a call job", response_model=JobOut)
async def job(job_id: str, request: Request, caller: Caller = Depends(get_caller)) -> dict[str, Any]:
    row = await run_service(request, request.app.state.jobs.get, job_id, caller.principal)
    return job_out(row, POLL)
