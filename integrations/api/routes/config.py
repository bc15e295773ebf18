"""Sales ops' configuration over HTTP (admins): the files, their validation by the product's own loaders, a
preview, installing with a history, diffs and restore. A file that does not validate is a 400 ``bad_config``
naming the key, and the file in force is untouched."""

from __future__ import annotations

import dataclasses
from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from integrations.api.deps import Caller, get_caller, run_service
from integrations.api.schemas import ERRORS

router = APIRouter(prefix="/v1/config", tags=["config"], responses=ERRORS)


class ConfigText(BaseModel):
    text: str = Field(description="the whole YAML file")
    note: str = Field(default="", max_length=300, description="why (kept in the history)")


class RestoreRequest(BaseModel):
    version: int = Field(ge=0, description="the version to install again (0: the shipped default)")


def _version(v: Any) -> dict[str, Any]:
    return {**dataclasses.asdict(v), "at": v.at.isoformat() if v.at else None}


@router.get("", summary="Configuration files sales ops may edit, and whether each is edited")
async def kinds(request: Request, caller: Caller = Depends(get_caller)) -> list[dict[str, Any]]:
    found = await run_service(request, caller.cp.config_kinds, caller.principal)
    return [{"name": k.name, "title": k.title, "custom": custom, "effect": k.effect} for k, custom in found]


@router.get("/{kind}", summary="The file in force (YAML text)")
async def show(kind: str, request: Request, caller: Caller = Depends(get_caller)) -> dict[str, Any]:
    return {"kind": kind, "text": await run_service(request, caller.cp.config_show, caller.principal, kind)}


@router.post("/{kind}/validate", summary="Check a file with the product's own loader; nothing is installed")
async def validate(kind: str, body: ConfigText, request: Request, caller: Caller = Depends(get_caller)) -> dict[str, Any]:
    holds = await run_service(request, caller.cp.config_validate, caller.principal, kind, body.text)
    return {"kind": kind, "valid": True, "holds": holds}


@router.post("/{kind}/preview", summary="What a file would change (health: scores before/after; summary: a sample)")
async def preview(kind: str, body: ConfigText, request: Request, caller: Caller = Depends(get_caller)) -> dict[str, Any]:
    found = await run_service(request, caller.cp.config_preview, caller.principal, kind, body.text)
    return dataclasses.asdict(found)


@router.put("/{kind}", summary="Validate and install a file, kept in the history")
async def save(kind: str, body: ConfigText, request: Request, caller: Caller = Depends(get_caller)) -> dict[str, Any]:
    return _version(await run_service(request, caller.cp.config_save, caller.principal, kind, body.text, body.note))


@router.get("/{kind}/history", summary="Saved versions, newest first, then the shipped default (0)")
async def history(kind: str, request: Request, caller: Caller = Depends(get_caller)) -> list[dict[str, Any]]:
    return [_version(v) for v in await run_service(request, caller.cp.config_history, caller.principal, kind)]


@router.get("/{kind}/versions/{number}", summary="One version's text and what it changed")
async def version(kind: str, number: int, request: Request, caller: Caller = Depends(get_caller)) -> dict[str, Any]:
    text, diff = await run_service(request, caller.cp.config_version, caller.principal, kind, number)
    return {"kind": kind, "version": number, "text": text, "diff": diff}


@router.post("/{kind}/restore", summary="Install an earlier version again, as a new version")
async def restore(kind: str, body: RestoreRequest, request: Request, caller: Caller = Depends(get_caller)) -> dict[str, Any]:
    return _version(await run_service(request, caller.cp.config_restore, caller.principal, kind, body.version))
