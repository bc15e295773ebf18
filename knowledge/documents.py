"""Value types of the knowledge store: a source document to index, a search hit, an ingest report."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from copilot.core.domain import Citation
from knowledge.loaders import Section

# Metadata every chunk carries (Chroma accepts only str/int/float/bool, so absent values are "").
BASE_KEYS = ("source", "title", "section", "type", "account", "owner", "team", "updated_at", "content_hash")


@dataclass
class SourceDoc:
    """One thing to index: a file or a rendered CRM record. ``source`` is its stable id."""

    source: str
    title: str
    sections: list[Section]
    type: str = "document"
    account: str = ""
    owner: str = ""
    team: str = ""
    updated_at: str = ""
    extra: dict[str, Any] = field(default_factory=dict)  # front matter, record/field for CRM, path
    contacts: list[str] = field(default_factory=list)  # contact ids the text is about (for erasure)
    contact_names: list[str] = field(default_factory=list)

    def content_hash(self, salt: str = "") -> str:
        payload = json.dumps(
            [salt, self.title, self.type, self.account, self.owner, self.team, sorted(self.extra.items()),
             [(s.path, s.text) for s in self.sections]], default=str, sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:32]

    def base_metadata(self, content_hash: str) -> dict[str, Any]:
        meta: dict[str, Any] = {}
        for key, value in self.extra.items():
            if value is not None and isinstance(value, (str, int, float, bool)) and key not in BASE_KEYS:
                meta[key] = value
        meta.update(source=self.source, title=self.title, type=self.type or "document", account=self.account or "",
                    owner=self.owner or "", team=self.team or "", updated_at=self.updated_at or "",
                    content_hash=content_hash)
        return meta


@dataclass
class Hit:
    """One retrieved chunk with where it came from. ``score`` depends on the mode (cosine, BM25, RRF)."""

    id: str
    text: str
    score: float
    metadata: dict[str, Any]
    citation: Citation


@dataclass
class IngestReport:
    seen: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    chunks_written: int = 0
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def files(self) -> int:
        return self.seen

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
