"""A fake Slack Web API for tests (http.server in a thread) and helpers to send signed requests.

It answers the methods the app uses, serves file downloads under /files/, records every call (method,
params, auth header) in ``calls``, and lets tests wait for calls made after the HTTP ack.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from slack_sdk.signature import SignatureVerifier

BOT_USER = "UBOT"
SECRET = "test-signing-secret"


class FakeSlack:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.users: dict[str, dict[str, Any]] = {}  # slack id -> users.info "user"
        self.members: dict[str, list[str]] = {}  # channel -> member ids
        self.files: dict[str, dict[str, Any]] = {}  # file id -> files.info "file"
        self.blobs: dict[str, bytes] = {}  # path under /files/ -> bytes
        self._ts = 1000
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return

            def do_GET(self) -> None:  # noqa: N802
                fake._record("GET " + self.path, {}, self.headers.get("Authorization"))
                data = fake.blobs.get(self.path.split("?")[0].removeprefix("/files/"))
                if data is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:  # noqa: N802
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)) or 0).decode()
                ctype = self.headers.get("Content-Type", "")
                if "json" in ctype:
                    params = json.loads(raw or "{}")
                else:
                    params = {k: v[0] for k, v in parse_qs(raw).items()}
                    for key in ("blocks", "view"):
                        if isinstance(params.get(key), str):
                            params[key] = json.loads(params[key])
                method = self.path.strip("/").split("/")[-1]
                fake._record(method, params, self.headers.get("Authorization"))
                out = json.dumps(fake.answer(method, params)).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    # -- server ------------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def api_url(self) -> str:
        return self.url + "/api/"

    def __enter__(self) -> FakeSlack:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def _record(self, method: str, params: dict[str, Any], auth: str | None) -> None:
        with self._lock:
            self.calls.append({"method": method, "params": params, "auth": auth, "at": time.monotonic()})

    def _next_ts(self) -> str:
        with self._lock:
            self._ts += 1
            return f"{self._ts}.000100"

    def answer(self, method: str, p: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {"ok": True, "user_id": BOT_USER, "bot_id": "BBOT", "team_id": "T1", "user": "copilot"}
        if method in ("chat.postMessage", "chat.update"):
            return {"ok": True, "channel": p.get("channel"), "ts": p.get("ts") or self._next_ts()}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self._next_ts()}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + str(p.get("users", "")).lstrip("U")}}
        if method == "conversations.members":
            return {"ok": True, "members": self.members.get(p.get("channel", ""), []),
                    "response_metadata": {"next_cursor": ""}}
        if method == "users.info":
            user = self.users.get(p.get("user", ""))
            return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}
        if method == "users.lookupByEmail":
            for uid, u in self.users.items():
                if (u.get("profile") or {}).get("email") == p.get("email"):
                    return {"ok": True, "user": {"id": uid}}
            return {"ok": False, "error": "users_not_found"}
        if method == "files.info":
            f = self.files.get(p.get("file", ""))
            return {"ok": True, "file": f} if f else {"ok": False, "error": "file_not_found"}
        if method in ("views.open", "views.publish"):
            return {"ok": True, "view": {"id": "V" + self._next_ts().replace(".", "")}}
        return {"ok": True}  # response_url posts and anything else

    # -- assertions --------------------------------------------------------------------------------
    def of(self, method: str) -> list[dict[str, Any]]:
        return [c["params"] for c in list(self.calls) if c["method"] == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 15.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.of(method)
            if len(found) >= count:
                return found
            time.sleep(0.02)
        raise AssertionError(f"expected {count} {method} call(s) within {timeout}s; got {self.methods()}")

    def methods(self) -> list[str]:
        return [c["method"] for c in list(self.calls)]


def signed_headers(body: str, *, secret: str = SECRET, timestamp: int | None = None,
                   content_type: str = "application/json", **extra: str) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    sig = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig, "Content-Type": content_type, **extra}


def event_body(event: dict[str, Any], event_id: str) -> str:
    return json.dumps({"token": "x", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
                       "event_id": event_id, "event_time": int(time.time()), "event": event,
                       "authorizations": [{"team_id": "T1", "user_id": BOT_USER, "is_bot": True}]})
