"""The case library on disk: markdown files with YAML front matter.

The front matter of win and loss stories is the single source of truth for the deals they describe:
the demo generator reads it and creates exactly that account, contact and closed deal, so the story and
the CRM always agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from copilot.core.errors import UserError

LIBRARY_DIR = Path(__file__).parent / "library"
PERSONA_DIR = LIBRARY_DIR / "personas"  # role-play persona cards (the product reads COPILOT_PERSONA_DIR)
DOC_TYPES = {"win_story", "loss_story", "objection_guide", "battle_card", "product_one_pager", "pricing_policy",
             "playbook", "persona_card", "faq"}


def read_front_matter(path: Path) -> tuple[dict[str, Any], str]:
    """Split a markdown file into (front matter dict, body)."""
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        return {}, text
    head, sep, body = text[4:].partition("\n---\n")
    if not sep:
        raise UserError(f"{path.name}: front matter is not closed", hint="end it with a line '---'")
    meta = yaml.safe_load(head) or {}
    if not isinstance(meta, dict):
        raise UserError(f"{path.name}: front matter must be a YAML mapping")
    return meta, body


@dataclass(frozen=True)
class Story:
    """A win or loss story and the closed deal it describes."""

    path: str
    title: str
    outcome: str  # won | lost
    account: str
    sector: str
    product: str
    competitor: str | None
    amount: float
    closed_days_ago: int
    cycle_days: int
    term_years: int
    owner_id: str
    champion: str
    champion_title: str
    loss_reason: str | None


def library_docs(library_dir: Path = LIBRARY_DIR) -> list[Path]:
    return sorted(library_dir.rglob("*.md"))


def load_stories(library_dir: Path = LIBRARY_DIR) -> list[Story]:
    stories = []
    for path in sorted(library_dir.glob("*.md")):
        meta, _ = read_front_matter(path)
        if meta.get("type") not in ("win_story", "loss_story"):
            continue
        stories.append(Story(
            path=path.name, title=str(meta["title"]),
            outcome="won" if meta["type"] == "win_story" else "lost",
            account=str(meta["account"]), sector=str(meta["sector"]), product=str(meta["product"]),
            competitor=meta.get("competitor") or None, amount=float(meta["amount"]),
            closed_days_ago=int(meta["closed_days_ago"]), cycle_days=int(meta.get("cycle_days", 90)),
            term_years=int(meta.get("term_years", 1)),
            owner_id=str(meta["owner"]), champion=str(meta["champion"]),
            champion_title=str(meta["champion_title"]), loss_reason=meta.get("loss_reason"),
        ))
    return stories
