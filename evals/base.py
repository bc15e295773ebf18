"""What every suite receives and returns: ``EvalEnv`` in, ``SuiteResult`` out.

A suite is a module in ``evals/suites`` with ``NAME``, ``DATASET`` (default file in evals/datasets, or None),
``FAST`` (runs in the CI gate) and ``run(env, rows) -> SuiteResult``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from copilot.core.errors import UserError

DATASETS = Path(__file__).parent / "datasets"


@dataclass
class SuiteResult:
    name: str
    metrics: dict[str, float | None] = field(default_factory=dict)
    cases: list[dict[str, Any]] = field(default_factory=list)
    status: str = "ok"  # ok | not available | error
    note: str = ""
    charts: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "note": self.note, "metrics": self.metrics,
                "cases": self.cases, "charts": self.charts}


@dataclass
class EvalEnv:
    """The Copilot under test plus helpers; ``judge`` is an LLM chat model or None (offline)."""

    cp: Any
    judge: Any = None
    progress: bool = False
    mutable_copy: Callable[[], Any] | None = None  # returns a context manager yielding a throwaway Copilot
    _ids: dict[str, list[str]] | None = None

    def principal(self, who: str | None):  # -> Principal
        return principal_of(self.cp, who)

    def resolve(self, ref: str) -> set[str]:
        """'pricing-and-discount-policy.md' -> {'library/...'}; 'deal:Acme - Enterprise Suite'
        -> {'crm:deal:<id>', ...}; the CRM ids are looked up by name at run time (they depend on the anchor)."""
        kind, sep, name = ref.partition(":")
        if not sep or kind not in {"account", "deal", "call", "contact"}:
            return {ref if ref.startswith("library/") else f"library/{ref}"}
        ids = self._name_index().get(f"{kind}:{name.strip().lower()}")
        if not ids:
            raise UserError(f"dataset refers to {ref!r}, which is not in this CRM",
                            hint="build the demo company ('copilot init --demo') or fix the dataset")
        return {f"crm:{kind}:{i}" for i in ids}

    def _name_index(self) -> dict[str, list[str]]:
        if self._ids is None:
            from knowledge.crm.models import Account, Call, Contact, Deal

            idx: dict[str, list[str]] = {}
            with self.cp.services.crm.session() as s:
                for kind, model, attr in (("account", Account, "name"), ("deal", Deal, "name"),
                                          ("call", Call, "title"), ("contact", Contact, "name")):
                    for row in s.scalars(select(model)):
                        idx.setdefault(f"{kind}:{str(getattr(row, attr)).lower()}", []).append(row.id)
            self._ids = idx
        return self._ids


def principal_of(cp: Any, who: str | None):  # -> Principal
    """Resolve a dataset's asker; 'admin' works even in a CRM built without the init-created admin user."""
    from copilot.core.domain import Principal, Role
    from copilot.core.errors import NotFound

    try:
        return cp.principal(who or "admin")
    except (NotFound, UserError):
        if who not in (None, "admin"):
            raise
        return Principal(user_id="admin", name="admin", role=Role.ADMIN)


def load_rows(path: Path) -> list[dict[str, Any]]:
    """A dataset file: JSONL (one case per line) or YAML (a list, or a mapping with 'cases')."""
    if not path.is_file():
        raise UserError(f"no dataset file at {path}", hint="pass an existing .yaml or .jsonl file to --dataset")
    text = path.read_text()
    try:
        if path.suffix == ".jsonl":
            return [json.loads(line) for line in text.splitlines() if line.strip()]
        data = yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise UserError(f"{path.name} is not valid {path.suffix.lstrip('.').upper()}: {exc}",
                        hint="see evals/README.md for the dataset schema") from None
    rows = data.get("cases") if isinstance(data, dict) else data
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise UserError(f"{path.name} holds no list of cases", hint="see evals/README.md for the dataset schema")
    return rows
