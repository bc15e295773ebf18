"""Exactly one answer per Slack delivery: Slack retries events (``X-Slack-Retry-Num``) when it did not
see a 200 in 3 s, and payloads can be replayed. ``delivery_key`` names a delivery; the facade's
``chat_claim(key)`` lets exactly one of any number of concurrent or repeated deliveries through (the
database decides, which also holds across several API workers)."""

from __future__ import annotations

from typing import Any


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
