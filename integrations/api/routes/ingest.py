"""Feeding the knowledge store and the CRM: document upload, server-side paths (admins), CRM import (admins),
and taking out again: erasure of an account, a contact or a source from every store (admins).

Uploaded documents are private to the uploader (and whoever sees their records) unless a manager or
admin marks them ``shared`` (then they join the case library everyone sees).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from pydantic import BaseModel, Field, model_validator

from copilot.core.errors import PermissionDenied
from integrations.api.deps import Caller, get_caller, run_service
from integrations.api.schemas import ERRORS, ImportIn, IngestPathsIn
from integrations.api.uploads import save_upload

router = APIRouter(prefix="/v1", tags=["ingest"], responses=ERRORS)

DOCS = (".md", ".txt", ".html", ".htm", ".pdf", ".docx")


@router.post("/ingest", summary="Upload a document into the knowledge store")
async def ingest_upload(request: Request, caller: Caller = Depends(get_caller),
                        file: UploadFile = File(description="a .md .txt .html .pdf or .docx file"),
                        type: str | None = Form(default=None, description="document type, e.g. playbook"),
                        shared: bool = Form(default=False, description="case library for everyone (managers, admins)"),
                        ) -> dict[str, Any]:
    cp = caller.cp
    path = await save_upload(file, cp.settings.resolved_home / "uploads" / "docs", allowed=DOCS)
    try:
        report = await run_service(request, cp.ingest_upload, caller.principal, path, doc_type=type, shared=shared)
    except PermissionDenied:
        path.unlink(missing_ok=True)  # refused (e.g. a rep publishing to the shared library): keep nothing
        raise
    return {"path": str(path), "shared": shared, **report.to_dict(), "files": report.files}


@router.post("/ingest/paths", summary="Index files or folders on the server (admins)")
async def ingest_paths(body: IngestPathsIn, request: Request, caller: Caller = Depends(get_caller)) -> dict[str, Any]:
    paths = [Path(x) for x in body.paths]
    report = await run_service(request, caller.cp.ingest, caller.principal, paths, metadata=body.metadata or None)
    return {**report.to_dict(), "files": report.files}


@router.post("/import", summary="Import a CRM export through a column mapping (admins)")
async def import_crm_route(body: ImportIn, request: Request, caller: Caller = Depends(get_caller)) -> dict[str, Any]:
    report = await run_service(request, caller.cp.import_crm, caller.principal, Path(body.path), body.mapping)
    return report.to_dict()


class ForgetIn(BaseModel):
    account: str | None = Field(default=None, description="account id or exact name")
    contact: str | None = Field(default=None, description="contact id, email or exact name")
    source: str | None = Field(default=None, description="an ingested file path or source id")

    @model_validator(mode="after")
    def _one(self) -> ForgetIn:
        if sum(x is not None for x in (self.account, self.contact, self.source)) != 1:
            raise ValueError("give exactly one of account, contact or source")
        return self


ERASE_TIMEOUT = 900.0  # rebuilding vector collections and vacuuming takes longer than an answer


@router.post("/forget", summary="Erase an account, a contact or a source from every store (admins)")
async def forget(body: ForgetIn, request: Request, caller: Caller = Depends(get_caller)) -> dict[str, Any]:
    """The receipt: counts per store, compaction, files still holding a name (none expected). It names
    no one: the subject is a hash of its id."""
    timeout = max(ERASE_TIMEOUT, request.app.state.config.service_timeout)
    receipt = await run_service(request, caller.cp.forget, caller.principal, account=body.account,
                                contact=body.contact, source=body.source, timeout=timeout)
    return receipt.model_dump(mode="json")
