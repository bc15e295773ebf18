"""Who is who over HTTP (admins only): list, add, change and deactivate people. ``/v1/users/me`` is in ask.py."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from copilot.app import UserChange
from integrations.api.deps import Caller, get_caller, run_service

router = APIRouter(prefix="/v1/users", tags=["users"])


class UserIn(UserChange):
    name: str = Field(min_length=1, max_length=200)  # type: ignore[assignment]
    role: str = "rep"  # type: ignore[assignment]


class UserOut(BaseModel):
    id: str
    name: str
    email: str | None = None
    role: str
    team_id: str | None = None
    team: str | None = None
    manager_id: str | None = None
    manager: str | None = None
    slack_id: str | None = None
    title: str | None = None
    active: bool = True


@router.get("", summary="Everyone, with role, team, manager and status (admins)", response_model=list[UserOut])
async def list_users(request: Request, caller: Caller = Depends(get_caller)) -> list[dict[str, Any]]:
    return await run_service(request, caller.cp.users, caller.principal)


@router.post("", summary="Add a person (admins)", response_model=UserOut, status_code=201)
async def add_user(body: UserIn, request: Request, caller: Caller = Depends(get_caller)) -> dict[str, Any]:
    change = UserChange(**body.model_dump(exclude={"name"}))
    return await run_service(request, caller.cp.add_user, caller.principal, body.name, change)


@router.patch("/{user}", summary="Change a person's role, team, manager, email, title or Slack id (admins)",
              response_model=UserOut)
async def set_user(user: str, body: UserChange, request: Request, caller: Caller = Depends(get_caller)) -> dict[str, Any]:
    return await run_service(request, caller.cp.set_user, caller.principal, user, body)


@router.post("/{user}/deactivate", summary="Deactivate a person (admins); their records stay", response_model=UserOut)
async def deactivate(user: str, request: Request, caller: Caller = Depends(get_caller)) -> dict[str, Any]:
    return await run_service(request, caller.cp.deactivate_user, caller.principal, user)
