"""What an import did: counts per entity, dirty-data fixes by kind with examples, row errors with file:line.

Stored as JSON in ``ImportRun.report`` and printed by ``copilot import crm``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

EXAMPLES_PER_KIND = 5
MAX_ERRORS = 1000

# One line per fix kind, so a reader of the report knows what was done.
FIX_HELP = {
    "product_alias": "product name written differently from the product list; mapped to the listed name",
    "sector_alias": "sector misspelled; mapped to the known sector",
    "sector_typo": "sector close to a known one; corrected",
    "unknown_sector": "sector not in the mapping's known list; kept as given",
    "region_alias": "region or country misspelled; corrected",
    "deal_without_account": "deal names no account; kept with account NULL",
    "account_created_from_deal": "deal names an account missing from the accounts file; account created",
    "user_created_from_deal": "deal owner missing from the people file; created as a rep",
    "product_unknown": "deal names a product missing from the product list; product left empty",
    "amount_from_list_price": "deal has no amount; the product's list price was used",
    "amount_missing": "deal has no amount; kept NULL",
    "close_date_missing": "open deal has no close date; kept NULL",
    "closed_without_close_date": "closed deal has no close date; closed_on left NULL",
    "created_on_missing": "deal has no created/engage date; kept NULL",
    "unknown_value": "value not in the mapping's table; default used",
    "duplicate_id": "the same id appears twice; the later row wins",
}


@dataclass
class Fix:
    count: int = 0
    examples: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    mapping: str
    source: str
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    fixes: dict[str, Fix] = field(default_factory=dict)
    errors: list[dict[str, str]] = field(default_factory=list)
    error_count: int = 0
    notes: list[str] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    run_id: int | None = None

    def fix(self, kind: str, where: str, detail: str) -> None:
        f = self.fixes.setdefault(kind, Fix())
        f.count += 1
        if len(f.examples) < EXAMPLES_PER_KIND:
            f.examples.append(f"{where}: {detail}")

    def error(self, where: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"where": where, "message": message})

    def count(self, entity: str, outcome: str, n: int = 1) -> None:
        c = self.counts.setdefault(entity, {"created": 0, "updated": 0, "unchanged": 0})
        c[outcome] = c.get(outcome, 0) + n

    @property
    def fix_count(self) -> int:
        return sum(f.count for f in self.fixes.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "mapping": self.mapping,
            "source": self.source,
            "run_id": self.run_id,
            "seconds": round(self.seconds, 3),
            "files": self.files,
            "counts": self.counts,
            "totals": self.totals,
            "fixes": {k: {"count": f.count, "what": FIX_HELP.get(k, k), "examples": f.examples}
                      for k, f in sorted(self.fixes.items())},
            "fix_count": self.fix_count,
            "errors": self.errors,
            "error_count": self.error_count,
            "notes": self.notes,
        }
