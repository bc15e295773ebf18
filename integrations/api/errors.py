"""Every error leaves the API as ``{"error": {"code": ..., "message": ...}}`` with a stable code.

CopilotErrors map by who is at fault: PermissionDenied 403, NotFound 404, other UserErrors 400,
ModelError 502, ProviderError 503. Validation problems are 422 ``invalid_request``; anything
unexpected is 500 ``internal`` with the request id (the traceback goes to the log, never the client).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from copilot.core.errors import (
    CopilotError,
    InvalidRequest,
    ModelError,
    NotFound,
    PermissionDenied,
    ProviderError,
    UserError,
)

log = logging.getLogger("copilot.api")

_STATUS: list[tuple[type[CopilotError], int]] = [
    (PermissionDenied, 403), (NotFound, 404), (InvalidRequest, 422), (UserError, 400), (ModelError, 502), (ProviderError, 503),
]

_HTTP_CODES = {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
               413: "too_large", 415: "unsupported_media_type", 429: "rate_limited"}


class ApiError(Exception):
    """An HTTP-level refusal (bad key, rate limit, timeout, not available) with a stable code."""

    def __init__(self, status: int, code: str, message: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


def status_of(exc: CopilotError) -> int:
    for cls, status in _STATUS:
        if isinstance(exc, cls):
            return status
    return 400


def error_body(code: str, message: str, request_id: str | None = None, **extra: Any) -> dict[str, Any]:
    err: dict[str, Any] = {"code": code, "message": message}
    if request_id:
        err["request_id"] = request_id
    err.update(extra)
    return {"error": err}


def _rid(request: Request) -> str | None:
    return request.scope.get("state", {}).get("request_id")


def error_response(status: int, code: str, message: str, request: Request | None = None,
                   headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    rid = _rid(request) if request is not None else None
    return JSONResponse(error_body(code, message, rid, **extra), status_code=status, headers=headers)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        loc = ".".join(str(x) for x in err.get("loc", ()) if x not in ("body",)) or "body"
        parts.append(f"{loc}: {err.get('msg', 'invalid')}")
    return "; ".join(parts) + " (see /docs for the request schema)"


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(CopilotError)
    async def _copilot_error(request: Request, exc: CopilotError) -> JSONResponse:
        status = status_of(exc)
        return error_response(status, exc.code, str(exc), request)

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, request, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(422, "invalid_request", _validation_message(exc), request)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        message = str(exc.detail) if exc.detail else code
        if exc.status_code == 404 and message == "Not Found":
            message = f"no route {request.method} {request.url.path}; see /docs for the routes"
        if exc.status_code == 400 and "parsing the body" in message:
            return error_response(400, "malformed_body", "the request body could not be parsed; send valid JSON "
                                  "or multipart form data", request)
        return error_response(exc.status_code, code, message, request, headers=getattr(exc, "headers", None))
