"""What routes share: the Copilot, the calling principal (API key -> user), and running service calls
in a worker thread with an explicit timeout (so a slow model becomes a 504, never a hung request)."""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import anyio
from fastapi import Request

from copilot.app import Copilot
from copilot.core.domain import Principal
from copilot.core.errors import NotFound
from integrations.api.errors import ApiError

T = TypeVar("T")

_UNAUTH = {"WWW-Authenticate": "Bearer"}


@dataclass
class Caller:
    """The principal behind the request's API key (operations derive the scope from it themselves)."""

    principal: Principal
    key_id: str
    cp: Copilot = field(repr=False)


def get_cp(request: Request) -> Copilot:
    return request.app.state.copilot


def _key_from(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip() or None
    return request.headers.get("x-api-key") or None


async def get_caller(request: Request) -> Caller:
    """FastAPI dependency: 401 without a valid active key, 429 past the key's rate limit."""
    key = _key_from(request)
    if not key:
        raise ApiError(401, "unauthorized", "no API key: send 'Authorization: Bearer <key>' "
                       "(create one with 'copilot keys create --user USER')", headers=_UNAUTH)
    app = request.app
    cp = get_cp(request)
    info = await anyio.to_thread.run_sync(cp.keys_verify, key)
    if info is None:
        raise ApiError(401, "unauthorized", "the API key is unknown, malformed or revoked; "
                       "create a new one with 'copilot keys create --user USER'", headers=_UNAUTH)
    ok, wait = app.state.limiter.take(info.id)
    if not ok:
        retry = max(1, math.ceil(wait))
        raise ApiError(429, "rate_limited", f"too many requests for this API key; retry in {retry} s "
                       "(limits: COPILOT_API_RATE_PER_SECOND, COPILOT_API_RATE_BURST)",
                       headers={"Retry-After": str(retry)})
    try:
        principal = await anyio.to_thread.run_sync(_principal_cached, app.state, info.user_id)
    except NotFound:
        raise ApiError(401, "unauthorized", f"the API key's user {info.user_id!r} no longer exists; "
                       "revoke the key and create one for a current user") from None
    state = request.scope.setdefault("state", {})
    state["user_id"], state["key_id"] = principal.user_id, info.id
    return Caller(principal=principal, key_id=info.id, cp=cp)


def _principal_cached(state: Any, user_id: str) -> Principal:
    cache: dict[str, tuple[Principal, float]] = state.principals
    now = time.monotonic()
    hit = cache.get(user_id)
    if hit is not None and hit[1] > now:
        return hit[0]
    principal = state.copilot.principal(user_id)
    cache[user_id] = (principal, now + state.config.auth_cache_seconds)
    return principal


async def run_service(request: Request, fn: Callable[..., T], *args: Any, timeout: float | None = None,
                      **kwargs: Any) -> T:
    """Run a blocking service call in a thread; past the timeout answer 504 (the thread is abandoned)."""
    limit = timeout if timeout is not None else request.app.state.config.service_timeout
    try:
        with anyio.fail_after(limit):
            return await anyio.to_thread.run_sync(functools.partial(fn, *args, **kwargs), abandon_on_cancel=True)
    except TimeoutError:
        raise ApiError(504, "timeout", f"the copilot took longer than {limit:g} s to answer; try a narrower "
                       "request, or raise COPILOT_API_SERVICE_TIMEOUT (model calls: COPILOT_LLM_TIMEOUT)") from None

