"""Exactly one answer per Slack delivery: Slack retries events (``X-Slack-Retry-Num``) when it did not
see a 200 in 3 s, and payloads can be replayed. ``claim(key)`` inserts the key under a primary key, so
of any number of concurrent or repeated deliveries exactly one gets ``True`` (the database decides,
which also holds across several API workers)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from integrations.slack.tables import SeenRow, ensure_tables


class Dedupe:
    def __init__(self, engine: Engine, *, keep: timedelta = timedelta(days=3)) -> None:
        self.engine = engine
        self.keep = keep
        ensure_tables(engine)

    def claim(self, key: str) -> bool:
        """True for the first delivery of ``key``, False for every later one."""
        try:
            with Session(self.engine) as s, s.begin():
                s.add(SeenRow(key=key[:200], created_at=datetime.now()))
        except IntegrityError:
            return False
        return True

    def prune(self) -> int:
        with Session(self.engine) as s, s.begin():
            res: Any = s.execute(delete(SeenRow).where(SeenRow.created_at < datetime.now() - self.keep))
            return int(res.rowcount or 0)


def delivery_key(body: dict[str, Any]) -> str | None:
    """The replay key of a Slack payload, or None when it needs none (e.g. url_verification)."""
    kind = body.get("type")
    if kind == "event_callback" and body.get("event_id"):
        return f"event:{body['event_id']}"
    if kind == "block_actions":
        acts = body.get("actions") or [{}]
        user = (body.get("user") or {}).get("id", "")
        return f"action:{user}:{acts[0].get('action_id', '')}:{acts[0].get('action_ts', '')}"
    if kind == "view_submission":
        view = body.get("view") or {}
        return f"view:{view.get('id', '')}:{view.get('hash', '')}"
    if body.get("command") and body.get("trigger_id"):
        return f"command:{body['trigger_id']}"
    return None
