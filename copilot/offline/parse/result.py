"""What the parser makes of a question: the typed query, what it used and could not, and how sure it is."""

from __future__ import annotations

from dataclasses import dataclass, field

from copilot.offline.parse.link import Link
from tools.crm_query.schema import CrmQuery


@dataclass
class Parse:
    query: CrmQuery | None
    crm_evidence: float
    library_evidence: float
    unapplied: list[str] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    problem: str | None = None  # a query that could not be built, in words
    coverage: float = 1.0
    text: str = ""  # the question as parsed (after normalization)
    also: list[CrmQuery] = field(default_factory=list)  # further figures asked for ("... and how much are they worth")
    explicit: set[str] = field(default_factory=set)  # slots the words set (not defaults)
    unsupported: list[str] = field(default_factory=list)  # CRM phrases the query cannot express yet
    doubts: int = 0  # readings the words leave open (which statuses 'deals added this year' means)

    @property
    def confidence(self) -> float:
        if self.query is None:
            return 0.2
        # Fitted on the dev split of the CRM question eval: a fully understood question is right ~97% of the
        # time; each word the parser could not apply costs about 15 points, a fuzzy name match a few.
        unsupported = sum(1 for w in self.unapplied if w in self.unsupported)
        conf = 0.96 * (0.85 ** (len(self.unapplied) - unsupported + self.doubts)) * (0.5 ** unsupported) \
            * (0.98 ** len(self.assumptions))
        if any(not link.exact for link in self.links):
            conf *= 0.96
        return round(max(0.05, min(0.97, conf)), 3)
