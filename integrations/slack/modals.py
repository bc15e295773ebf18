"""The Edit modal of an approval card: one input per editable payload field, and back again.

Ids (deal, call, account) are not editable; lists are comma-separated; ``update_deal`` shows each of
its ``fields``. The view's ``private_metadata`` carries the action id, the hash of the payload shown
and where the card is, so the submission can update it.
"""

from __future__ import annotations

import json
from typing import Any

from copilot.app import Action

EDIT_CALLBACK = "copilot_edit"
LONG = {"body", "summary", "description", "notes", "next_step"}
FIXED = {"deal_id", "call_id", "account_id"}
DEAL_FIELDS = ("stage", "amount", "close_date", "next_step", "next_step_date", "forecast_category")
LIST_FIELDS = {"to", "cc", "attendees"}


def _input(block_id: str, label: str, value: Any, *, multiline: bool = False, optional: bool = True) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": "v", "multiline": multiline}
    text = ", ".join(value) if isinstance(value, list) else ("" if value is None else str(value))
    if text:
        element["initial_value"] = text[:3000]
    return {"type": "input", "block_id": block_id, "optional": optional, "element": element,
            "label": {"type": "plain_text", "text": label[:150]}}


def edit_modal(action: Action, *, channel: str | None, message_ts: str | None) -> dict[str, Any]:
    p = action.payload
    blocks: list[dict[str, Any]] = []
    if action.kind == "update_deal":
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": f"Deal `{p.get('deal_id')}`"}})
        fields = p.get("fields") or {}
        for name in DEAL_FIELDS:
            blocks.append(_input(f"fields.{name}", name.replace("_", " "), fields.get(name), multiline=name in LONG))
    else:
        for name, value in p.items():
            if name in FIXED:
                continue
            blocks.append(_input(name, name.replace("_", " "), value, multiline=name in LONG,
                                 optional=name in ("cc", "notes", "description")))
    meta = {"action_id": action.id, "hash": action.payload_hash, "channel": channel, "ts": message_ts}
    return {"type": "modal", "callback_id": EDIT_CALLBACK, "private_metadata": json.dumps(meta),
            "title": {"type": "plain_text", "text": "Edit proposal"},
            "submit": {"type": "plain_text", "text": "Approve edited"},
            "close": {"type": "plain_text", "text": "Cancel"}, "blocks": blocks}


def _value(raw: str | None, name: str) -> Any:
    text = (raw or "").strip()
    if name in LIST_FIELDS:
        return [x.strip() for x in text.replace(";", ",").split(",") if x.strip()]
    if not text:
        return None
    if name == "duration_minutes":
        return int(text) if text.isdigit() else text
    if name == "amount":
        try:
            return float(text.replace(",", "").replace("$", ""))
        except ValueError:
            return text
    return text


def parse_edit(action: Action, values: dict[str, Any]) -> dict[str, Any]:
    """The payload the person submitted (unvalidated; the ledger validates it)."""
    def raw(block_id: str) -> str | None:
        return ((values.get(block_id) or {}).get("v") or {}).get("value")

    p = action.payload
    if action.kind == "update_deal":
        fields = {}
        for name in DEAL_FIELDS:
            value = _value(raw(f"fields.{name}"), name)
            if value is not None:
                fields[name] = value
        return {"deal_id": p.get("deal_id"), "fields": fields}
    out: dict[str, Any] = {}
    for name, old in p.items():
        if name in FIXED:
            out[name] = old
            continue
        value = _value(raw(name), name)
        if value is not None and value != []:
            out[name] = value
        elif name in LIST_FIELDS:
            out[name] = []
    return out
