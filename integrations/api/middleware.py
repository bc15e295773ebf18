"""One pure-ASGI middleware for what every request shares, plus the per-key token bucket.

- request id: taken from ``X-Request-ID`` (if sane) or made up, echoed on the response, in every log line
- size limit: bodies past the limit get 413 JSON (``Content-Length`` checked up front, streamed bodies counted)
- metrics and one structured JSON log line per request
- the last line of defence: an unexpected exception becomes 500 ``internal`` with the request id

Pure ASGI (not ``BaseHTTPMiddleware``) so streamed responses pass through untouched.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from integrations.api.errors import error_body
from integrations.api.metrics import Metrics

log = logging.getLogger("copilot.api")
_RID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


class JsonFormatter(logging.Formatter):
    """One JSON object per line; extra fields passed with ``extra={"fields": {...}}``."""

    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, Any] = {"ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + "Z",
                               "level": record.levelname.lower(), "logger": record.name, "msg": record.getMessage()}
        doc.update(getattr(record, "fields", {}) or {})
        if record.exc_info:
            doc["exc"] = self.formatException(record.exc_info)
        return json.dumps(doc, default=str)


class TokenBucket:
    """Per-key token buckets: ``rate`` tokens a second up to ``burst``. ``take`` -> (ok, retry after s)."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate, self.burst, self.clock = rate, burst, clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str, cost: float = 1.0) -> tuple[bool, float]:
        if self.rate <= 0:
            return True, 0.0
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            if tokens >= cost:
                self._buckets[key] = (tokens - cost, now)
                return True, 0.0
            self._buckets[key] = (tokens, now)
            return False, (cost - tokens) / self.rate


class ApiMiddleware:
    def __init__(self, app: Any, *, metrics: Metrics, max_body: int, max_upload: int,
                 upload_prefixes: tuple[str, ...] = ("/v1/calls", "/v1/ingest")) -> None:
        self.app, self.metrics = app, metrics
        self.max_body, self.max_upload, self.upload_prefixes = max_body, max_upload, upload_prefixes

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        given = headers.get("x-request-id", "")
        rid = given if _RID.match(given) else uuid.uuid4().hex
        state = scope.setdefault("state", {})
        state["request_id"] = rid
        path = scope.get("path", "")
        limit = self.max_upload if path.startswith(self.upload_prefixes) else self.max_body
        started = time.perf_counter()
        sent = {"started": False, "status": 500, "done": False}
        rid_header = (b"x-request-id", rid.encode())

        async def send_wrapper(message: dict) -> None:
            if sent["done"]:
                return  # we already answered (413); the app's late response is dropped
            if message["type"] == "http.response.start":
                sent["started"], sent["status"] = True, message["status"]
                message = {**message, "headers": [*message.get("headers", []), rid_header]}
            await send(message)

        async def reply(status: int, code: str, text: str, extra_headers: list | None = None) -> None:
            body = json.dumps(error_body(code, text, rid)).encode()
            await send_wrapper({"type": "http.response.start", "status": status,
                                "headers": [(b"content-type", b"application/json"),
                                            (b"content-length", str(len(body)).encode()), *(extra_headers or [])]})
            await send({"type": "http.response.body", "body": body})
            sent["done"] = True

        too_big = f"the request body is larger than {limit:,} bytes; send less (or raise COPILOT_API_MAX_" + (
            "UPLOAD_BYTES)" if limit == self.max_upload else "BODY_BYTES)")
        length = headers.get("content-length", "")
        self.metrics.in_flight += 1
        try:
            if length.isdigit() and int(length) > limit:
                await reply(413, "too_large", too_big)
                return
            seen = 0

            async def receive_wrapper() -> dict:
                nonlocal seen
                if sent["done"]:
                    return {"type": "http.disconnect"}
                message = await receive()
                if message["type"] == "http.request":
                    seen += len(message.get("body", b""))
                    if seen > limit:
                        if not sent["started"]:
                            await reply(413, "too_large", too_big)
                        sent["done"] = True
                        return {"type": "http.disconnect"}
                return message

            await self.app(scope, receive_wrapper, send_wrapper)
        except Exception:
            if sent["done"]:
                return  # the body was cut off by the size limit and the 413 has gone out
            log.exception("unexpected error", extra={"fields": {"request_id": rid, "path": path}})
            if not sent["started"]:
                await reply(500, "internal", f"unexpected server error; report request id {rid}")
        finally:
            self.metrics.in_flight -= 1
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            self.metrics.observe(template, scope.get("method", ""), sent["status"], elapsed)
            log.info("request", extra={"fields": {
                "request_id": rid, "method": scope.get("method"), "path": path, "route": template,
                "status": sent["status"], "ms": round(elapsed * 1000, 2), "user": state.get("user_id"),
                "key": state.get("key_id")}})
