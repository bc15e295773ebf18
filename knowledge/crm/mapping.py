"""Declarative column mappings for CRM exports (YAML), validated with pydantic.

A mapping names the files of an export (``people``, ``products``, ``accounts``, ``deals``; any may be
absent), which column feeds which model field, how source values translate (stages, deal types,
forecast categories), which dirty values are aliases of clean ones, and a few import rules. The
shipped mappings live in ``knowledge/crm/mappings/*.yaml``; ``maven.yaml`` documents every key.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from copilot.core.domain import Stage
from copilot.core.errors import ConfigError, NotFound
from knowledge.crm.normalize import key

SHIPPED = Path(__file__).parent / "mappings"

Kind = Literal["people", "products", "accounts", "deals"]

# Model fields a mapping may fill, per file kind, with the parser the importer applies.
FIELDS: dict[str, dict[str, str]] = {
    "people": {"name": "str", "email": "str", "manager": "str", "manager_email": "str", "team": "str",
               "title": "str", "role": "str"},
    "products": {"name": "str", "series": "str", "list_price": "money"},
    "accounts": {"name": "str", "domain": "str", "sector": "str", "employees": "int", "revenue": "float",
                 "region": "str", "year_established": "int", "parent": "str", "tier": "str",
                 "description": "str", "owner": "str", "owner_email": "str", "created_at": "datetime",
                 "updated_at": "datetime"},
    "deals": {"name": "str", "account": "str", "owner": "str", "owner_email": "str", "owner_team": "str",
              "product": "str", "stage": "str", "amount": "money", "currency": "str", "deal_type": "str",
              "created_on": "date", "close_date": "date", "next_step": "str", "next_step_date": "date",
              "forecast_category": "str", "competitor": "str", "loss_reason": "str", "updated_at": "datetime"},
}
REQUIRED = {"people": ["name"], "products": ["name"], "accounts": ["name"], "deals": ["stage", "name"]}
_TEMPLATE_VAR = re.compile(r"{([^{}]+)}")


class FieldSpec(BaseModel):
    """Where a field's value comes from: one column, or the first template whose columns are all filled."""

    model_config = ConfigDict(extra="forbid")
    column: str | None = None
    template: list[str] = Field(default_factory=list)
    default: Any = None

    @field_validator("template", mode="before")
    @classmethod
    def _one_or_many(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v

    @model_validator(mode="after")
    def _has_source(self) -> FieldSpec:
        if not self.column and not self.template and self.default is None:
            raise ValueError("give a column, a template or a default")
        return self

    def columns(self) -> set[str]:
        cols = {self.column} if self.column else set()
        for t in self.template:
            cols.update(_TEMPLATE_VAR.findall(t))
        return cols


class FileSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    path: list[str] = Field(description="file names or globs inside the export folder; the first match wins")
    required: bool = True
    key: str | None = Field(default=None, description="column holding the record's id in the source system")
    records_key: str | None = Field(default=None, description="JSON only: the key holding the list of records")
    fields: dict[str, FieldSpec]

    @field_validator("path", mode="before")
    @classmethod
    def _one_or_many(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v

    @field_validator("fields", mode="before")
    @classmethod
    def _short_form(cls, v: Any) -> Any:
        if isinstance(v, dict):
            return {k: {"column": s} if isinstance(s, str) else s for k, s in v.items()}
        return v


class Rules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amount_fallback: Literal["list_price", "none"] = Field(
        default="none", description="amount of a deal that has none: the product's list price, or NULL")
    zero_amount_is_missing: bool = Field(default=False, description="a 0 amount on a deal not won means 'no value'")
    account_owner: Literal["most_deals", "column"] = "most_deals"
    customer_if_won: bool = True


class Mapping(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    description: str = ""
    source: str = Field(pattern=r"^[a-z][a-z0-9_]{0,19}$", description="id prefix and `source` column value")
    date_formats: list[str] = Field(default_factory=lambda: ["%Y-%m-%d"])
    datetime_formats: list[str] = Field(default_factory=lambda: ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"])
    files: dict[Kind, FileSpec]
    stages: dict[str, Stage] = Field(default_factory=dict)
    deal_types: dict[str, Literal["new", "expansion", "renewal"]] = Field(default_factory=dict)
    forecast_categories: dict[str, str] = Field(default_factory=dict)
    roles: dict[str, Literal["rep", "manager", "exec", "admin"]] = Field(default_factory=dict)
    aliases: dict[str, dict[str, str]] = Field(default_factory=dict)
    sectors: list[str] = Field(default_factory=list)
    rules: Rules = Field(default_factory=Rules)
    _tables: dict[str, dict[str, str]] = PrivateAttr(default_factory=dict)

    @field_validator("stages", "deal_types", "forecast_categories", "roles", mode="before")
    @classmethod
    def _no_nulls(cls, v: Any) -> Any:
        return {str(k): val for k, val in v.items()} if isinstance(v, dict) else v

    @model_validator(mode="after")
    def _consistent(self) -> Mapping:
        if not self.files:
            raise ValueError("files: name at least one of people, products, accounts, deals")
        for kind, spec in self.files.items():
            allowed = FIELDS[kind]
            for fname in spec.fields:
                if fname not in allowed:
                    raise ValueError(f"files.{kind}.fields.{fname}: unknown field; expected one of {', '.join(allowed)}")
            for fname in REQUIRED[kind]:
                if fname not in spec.fields:
                    raise ValueError(f"files.{kind}.fields.{fname}: required")
        if "deals" in self.files:
            if not self.files["deals"].key:
                raise ValueError("files.deals.key: required (the column with the deal's id)")
            if not self.stages:
                raise ValueError("stages: required when the mapping has deals")
        return self

    # Loose-key lookup tables, built once.
    def table(self, name: str) -> dict[str, str]:
        cache = self._tables
        found = cache.get(name)
        if found is None:
            src: dict[str, Any] = self.aliases.get(name[6:], {}) if name.startswith("alias:") else getattr(self, name)
            found = cache[name] = {key(k): str(v.value if isinstance(v, Stage) else v) for k, v in src.items()}
        return found


def shipped_mappings() -> list[str]:
    return sorted(p.stem for p in SHIPPED.glob("*.yaml"))


def load_mapping(name_or_path: str | Path) -> Mapping:
    """A shipped mapping by name (``maven``, ``salesforce``, ``hubspot``) or a YAML file by path."""
    text_name = str(name_or_path)
    path = Path(text_name).expanduser()
    if not path.is_file():
        if text_name in shipped_mappings():
            path = SHIPPED / f"{text_name}.yaml"
        elif text_name.endswith((".yaml", ".yml")) or "/" in text_name:
            raise NotFound(f"mapping file {text_name} does not exist", hint="give a path to a YAML mapping")
        else:
            raise NotFound(f"no mapping named {text_name!r}",
                           hint=f"shipped mappings: {', '.join(shipped_mappings())}; or give a YAML file path")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"mapping {path} is not valid YAML: {exc}".replace("\n", " ")) from None
    if not isinstance(data, dict):
        raise ConfigError(f"mapping {path} must be a YAML mapping of keys (name, source, files, ...)")
    data.setdefault("name", path.stem)
    try:
        return Mapping.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "(top level)"
        msg = err["msg"].removeprefix("Value error, ")
        if msg.startswith("files.") or msg.startswith("stages:"):
            where, _, msg = msg.partition(": ")
        raise ConfigError(f"mapping {path} is invalid at '{where}': {msg}",
                          hint="see knowledge/crm/mappings/maven.yaml for every key") from None
