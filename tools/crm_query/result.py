"""What a ``CrmQuery`` returns: a figure, grouped rows or records, with the two plain-word notes."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from copilot.core.domain import Citation
from tools.context import ToolResult
from tools.crm_query.schema import CrmQuery


class GroupRow(BaseModel):
    group: str
    value: float | None
    n: int
    previous: float | None = None  # the same figure over ``versus_window``, when the query compares two periods


class RecordRow(BaseModel):
    id: str
    name: str
    kind: str = "deal"
    account: str | None = None
    owner: str | None = None
    stage: str | None = None
    amount: float | None = None
    close_date: date | None = None
    next_step: str | None = None
    last_activity: date | None = None
    pushes: int = 0
    detail: dict[str, Any] = Field(default_factory=dict)

    def citation(self) -> Citation:
        d = self.detail
        bits = (self.account, self.owner and f"owner {self.owner}", self.stage and self.stage.replace("_", " "),
                fmt_money(self.amount) if self.amount is not None else None,
                f"{'closed' if (self.stage or '').startswith('closed') else 'closes'} {self.close_date}" if self.close_date else None,
                f"last activity {self.last_activity}" if self.last_activity else None,
                f"next step: {self.next_step}" if self.next_step else None, d.get("title"),
                (d.get("role") or "").replace("_", " ") or None, d.get("email"), d.get("kind"),
                d.get("competitor") and f"competitor {d['competitor']}")
        snippet = ", ".join(str(x) for x in bits if x)
        return Citation(source_id=f"crm:{self.kind}:{self.id}", title=self.name, kind="crm",
                        record=f"{self.kind}:{self.id}", snippet=snippet)


def fmt_money(x: float) -> str:
    return f"${x:,.0f}"


class CrmResult(ToolResult):
    query: CrmQuery
    value: float | None = None
    rows: list[GroupRow] = Field(default_factory=list)
    records: list[RecordRow] = Field(default_factory=list)
    total: int = 0
    read_as: str = ""
    computed_as: str = ""
    notes: list[str] = Field(default_factory=list)
    unit: str = "count"
    labels: dict[str, str] = Field(default_factory=dict)  # the names the query resolved to, for renderers
    part: float | None = None  # a share (``share_of``): the part's figure, the whole's, and the whole's records
    whole: float | None = None
    whole_total: int = 0
    zh: bool = False  # figures worded for a Chinese answer

    def fmt(self, value: float | None, unit: str | None = None) -> str:
        if value is None:
            return "n/a (nothing to compute it from)" if not self.zh else "无（没有可计算的数据）"
        unit = unit or self.unit
        if unit == "money":
            return fmt_money(value)
        if unit == "percent":
            return f"{value:.1%}"
        if unit == "days":
            return f"{value:.1f} days"
        if unit == "date":
            return date.fromordinal(int(value)).isoformat()
        return f"{value:,.0f}"

    def share_terms(self) -> tuple[str, str]:
        """A share's part and whole as shown ('$120,000', '$480,000'), in the figure's own unit."""
        unit = "money" if self.query.metric in ("sum", "pipeline") else "count"
        return self.fmt(self.part, unit), self.fmt(self.whole, unit)

    def summary_citation(self) -> Citation:
        one = self.query.object.rstrip("s")
        figure = (f"{self.total} {self.query.object} match ({self.total} {one} matches)" if self.query.metric == "list"
                  else f"{self.read_as}: {self.fmt(self.value)}")
        return Citation(source_id=f"crm:query:{self.query.object}", title=f"CRM {self.query.object} query",
                        kind="crm", record=self.query.object,
                        snippet=f"{figure}; {self.computed_as}"[:400])

    def data(self) -> dict[str, Any]:
        """The structured payload UIs and evaluations read (docs/crm-query.md)."""
        def out(v: float | None) -> float | str | None:  # dates travel as YYYY-MM-DD
            return date.fromordinal(int(v)).isoformat() if v is not None and self.unit == "date" else v

        return {"query": self.query.model_dump(mode="json"), "value": out(self.value),
                "rows": [{"group": g.group, "value": out(g.value), "n": g.n,
                          **({"previous": out(g.previous)} if self.query.versus_window else {})} for g in self.rows],
                "records": [r.model_dump(mode="json")
                            for r in self.records],
                "total": self.total, "read_as": self.read_as, "computed_as": self.computed_as, "unit": self.unit,
                **({"part": self.part, "whole": self.whole, "whole_total": self.whole_total} if self.query.share_of else {})}

    def render(self, first: int = 1) -> str:
        lines = [f"How the question was read: {self.read_as}", f"How it is computed: {self.computed_as}"]
        if self.value is not None and not self.records:
            what = "Result" if not self.query.versus_all else "The bar each group is measured against"
            lines.append(f"{what}: {self.fmt(self.value)} over {self.total} record(s) {self.ref(0, first)}")
        if self.query.share_of:
            part, whole = self.share_terms()
            lines.append(f"The part: {part} over {self.total} record(s); the whole: {whole} over {self.whole_total} "
                         f"record(s) {self.ref(0, first)}")
        for g in self.rows:
            was = f", {self.query.versus_window.label or 'the other period'}: {self.fmt(g.previous)}" \
                if self.query.versus_window else ""
            lines.append(f"- {g.group}: {self.fmt(g.value)} ({g.n} records{was}) {self.ref(0, first)}")
        if self.query.metric == "list":
            lines.append(f"{self.total} matching record(s); showing {len(self.records)}:")
            for i, r in enumerate(self.records):
                d = r.detail
                bits = [b for b in (r.account, d.get("title"), (d.get("role") or "").replace("_", " ") or None,
                                    d.get("email"), r.owner, r.stage, fmt_money(r.amount) if r.amount is not None else None,
                                    f"close {r.close_date}" if r.close_date else None,
                                    f"next step: {r.next_step}" if r.next_step else None,
                                    f"last activity {r.last_activity}" if r.last_activity else None) if b]
                lines.append(f"- {r.name} ({r.id}): {', '.join(bits)} {self.ref(i + 1, first)}")
        return "\n".join(lines + [f"Note: {n}" for n in self.notes])
