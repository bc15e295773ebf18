"""Declarative mappings for customer-health signal exports (YAML): product usage, support tickets and
marketing or web touches, one file kind each.

The same shape as CRM mappings (``knowledge.crm.mapping``: files, globs, ``field: column`` or the long
form with a template or default, aliases) with three kinds of their own. The shipped mappings live in
``knowledge/crm/signal_mappings/*.yaml``; ``generic.yaml`` documents every key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from copilot.core.errors import ConfigError, NotFound
from knowledge.crm.mapping import FileSpec

SHIPPED = Path(__file__).parent / "signal_mappings"

SignalKind = Literal["usage", "tickets", "touches"]

# Fields a signals mapping may fill, per kind, with the parser the importer applies.
SIGNAL_FIELDS: dict[str, dict[str, str]] = {
    "usage": {"account": "str", "week": "date", "seats": "int", "active_users": "int", "logins": "int",
              "features_used": "int", "features": "list"},
    "tickets": {"account": "str", "opened_at": "datetime", "severity": "str", "subject": "str",
                "first_response_at": "datetime", "resolved_at": "datetime"},
    "touches": {"account": "str", "contact_email": "str", "occurred_at": "datetime", "kind": "str",
                "detail": "str"},
}
SIGNAL_REQUIRED = {"usage": ["account", "week", "active_users"], "tickets": ["account", "opened_at"],
                   "touches": ["account", "occurred_at", "kind"]}
SEVERITIES = ("low", "normal", "high", "urgent")
TOUCH_KINDS = ("pricing_page", "content_download", "trial_signup", "webinar", "event", "email_click")


class SignalMapping(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    description: str = ""
    source: str = Field(pattern=r"^[a-z][a-z0-9_]{0,19}$", description="id prefix and `source` column value")
    date_formats: list[str] = Field(default_factory=lambda: ["%Y-%m-%d"])
    datetime_formats: list[str] = Field(default_factory=lambda: ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"])
    files: dict[SignalKind, FileSpec]
    severities: dict[str, Literal["low", "normal", "high", "urgent"]] = Field(default_factory=dict)
    touch_kinds: dict[str, Literal["pricing_page", "content_download", "trial_signup", "webinar", "event",
                                   "email_click"]] = Field(default_factory=dict)
    list_separator: str = Field(default=";", min_length=1, description="separator of a list cell (features)")

    @model_validator(mode="after")
    def _consistent(self) -> SignalMapping:
        if not self.files:
            raise ValueError("files: name at least one of usage, tickets, touches")
        for kind, spec in self.files.items():
            allowed = SIGNAL_FIELDS[kind]
            for fname in spec.fields:
                if fname not in allowed:
                    raise ValueError(f"files.{kind}.fields.{fname}: unknown field; expected one of {', '.join(allowed)}")
            for fname in SIGNAL_REQUIRED[kind]:
                if fname not in spec.fields:
                    raise ValueError(f"files.{kind}.fields.{fname}: required")
        return self


def shipped_signal_mappings() -> list[str]:
    return sorted(p.stem for p in SHIPPED.glob("*.yaml"))


def load_signal_mapping(name_or_path: str | Path) -> SignalMapping:
    """A shipped signals mapping by name (``generic``) or a YAML file by path; a bad file is one ConfigError
    naming the key."""
    text = str(name_or_path)
    path = Path(text).expanduser()
    if not path.is_file():
        if text in shipped_signal_mappings():
            path = SHIPPED / f"{text}.yaml"
        else:
            raise NotFound(f"no signals mapping {text!r}",
                           hint=f"shipped: {', '.join(shipped_signal_mappings())}; or give a YAML file path")
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"signals mapping {path} is not valid YAML: {exc}".replace("\n", " ")) from None
    if not isinstance(data, dict):
        raise ConfigError(f"signals mapping {path} must be a YAML mapping of keys (name, source, files, ...)")
    data.setdefault("name", path.stem)
    try:
        return SignalMapping.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "(top level)"
        msg = err["msg"].removeprefix("Value error, ")
        if msg.startswith("files."):
            where, _, msg = msg.partition(": ")
        raise ConfigError(f"signals mapping {path} is invalid at '{where}': {msg}",
                          hint="see knowledge/crm/signal_mappings/generic.yaml for every key") from None
