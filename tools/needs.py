"""Customer needs: a heat map of accounts (execs: segments) by technical need theme, and pre-sales tags.

Each cell counts the records in a window that speak to a theme: pains, objections and risks in call
summaries, support-ticket subjects, meeting notes, notes and inbound emails (matched on the theme's cue
words, or the summary's objection category), plus the tags pre-sales engineers put on the account. Themes
and their cues live in ``prompts/needs_themes.yaml``.

Scope: a row is an account the asker may see, built only from records the asker may see; tags follow the
account. Execs get segments (sector) with counts only, groups smaller than the minimum merged, no tags'
notes and no evidence. Tagging needs the account in one's record scope (reps their own book, managers
their team's, admins all); removing a tag is for whoever added it, or a manager or admin who sees it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field
from sqlalchemy import select

from copilot.core.domain import Citation, Role
from copilot.core.errors import InvalidRequest, NotFound, PermissionDenied, UserError
from copilot.core.visibility import Scope
from knowledge.crm.health_models import SupportTicket
from knowledge.crm.models import Account, Activity, Call, User
from knowledge.crm.scoping import apply_scope, require_records
from knowledge.crm.store import CrmStore
from knowledge.crm.tags import Tag, TagStore

NOTE_MAX = 500
SUMMARY_SECTIONS = ("pains", "objections", "risks")


@dataclass(frozen=True)
class Theme:
    id: str
    labels: dict[str, str]
    cues: re.Pattern[str] | None
    objections: frozenset[str]

    def label(self, lang: str = "en") -> str:
        return self.labels.get(lang) or self.labels.get("en") or self.id

    def matches(self, text: str, category: str | None = None) -> bool:
        if category and category in self.objections:
            return True
        return bool(self.cues and self.cues.search(text))


def _pattern(cues: list[str]) -> re.Pattern[str] | None:
    parts = []
    for cue in (str(c).strip().lower() for c in cues if str(c).strip()):
        word = re.escape(cue)
        parts.append(rf"\b{word}(?:s|es|ed|d|ing)?\b" if cue.isascii() else word)
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def load_themes(path: Path) -> list[Theme]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise UserError(f"cannot read the need themes {path}: {exc}", hint="fix the YAML") from None
    themes = data.get("themes") if isinstance(data, dict) else None
    if not isinstance(themes, dict) or not themes:
        raise UserError(f"{path} has no 'themes' mapping", hint="see prompts/needs_themes.yaml")
    return [Theme(id=str(k), labels={lang: str(v.get(lang) or k) for lang in ("en", "zh")},
                  cues=_pattern(list(v.get("cues") or [])), objections=frozenset(v.get("objections") or []))
            for k, v in themes.items() if isinstance(v, dict)]


class Evidence(BaseModel):
    theme: str
    kind: str = Field(description="call | ticket | meeting | note | email | tag")
    at: datetime
    text: str
    citation: Citation


class TagView(BaseModel):
    id: str
    theme: str
    note: str
    by: str
    by_title: str | None = None
    at: datetime
    removable: bool = False


class NeedsRow(BaseModel):
    key: str = Field(description="account id, or the segment's name for execs")
    label: str
    account_id: str | None = None
    counts: dict[str, int] = Field(default_factory=dict)
    tags: dict[str, int] = Field(default_factory=dict)
    total: int = 0


class NeedsMap(BaseModel):
    as_of: date
    since: date
    themes: list[dict[str, str]] = Field(description="id and label per language, in column order")
    rows: list[NeedsRow] = Field(default_factory=list)
    segments: bool = Field(default=False, description="rows are segments (aggregates only)")
    accounts: int = 0
    notes: list[str] = Field(default_factory=list)


class AccountNeeds(BaseModel):
    account_id: str
    account: str
    since: date
    counts: dict[str, int] = Field(default_factory=dict)
    tags: list[TagView] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)


def _brief(text: str, n: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rsplit(" ", 1)[0] + "..."


class NeedsService:
    def __init__(self, crm: CrmStore, themes_path: Path, *, clock: Any = date.today) -> None:
        self.crm, self.themes_path, self.clock = crm, themes_path, clock
        self.tags = TagStore(crm)
        self._themes: list[Theme] | None = None

    def themes(self) -> list[Theme]:
        if self._themes is None:
            self._themes = load_themes(self.themes_path)
        return self._themes

    # -- signals ------------------------------------------------------------------------------------
    def _signals(self, scope: Scope | None, account_ids: list[str], since: datetime) -> list[tuple[str, Evidence]]:
        """(account id, evidence) for every record since ``since`` that speaks to a theme; ``scope`` None:
        every record (aggregates for execs, never shown one by one)."""
        themes = self.themes()
        out: list[tuple[str, Evidence]] = []

        seen: set[tuple[str, str, str]] = set()

        def hit(acc: str, kind: str, at: datetime, text: str, cite: Citation, category: str | None = None) -> None:
            where = f"{cite.record}@{cite.timestamp}" if cite.timestamp is not None else f"{cite.record}:{text}"
            for t in themes:  # one moment of a call is one signal, whichever summary sections quote it
                if (where, t.id, kind) not in seen and t.matches(text, category):
                    seen.add((where, t.id, kind))
                    out.append((acc, Evidence(theme=t.id, kind=kind, at=at, text=_brief(text), citation=cite)))

        def scoped(q: Any, model: Any) -> Any:
            return apply_scope(q, scope, model) if scope is not None else q

        ids = sorted(account_ids)
        with self.crm.session() as s:
            calls = s.execute(scoped(select(Call.id, Call.account_id, Call.title, Call.occurred_at, Call.summary)
                                     .where(Call.account_id.in_(ids), Call.occurred_at >= since), Call))
            for cid, acc, title, at, summary in calls:
                sections = (summary or {}).get("sections") or {}
                for sec in SUMMARY_SECTIONS:
                    for item in sections.get(sec) or []:
                        text = str(item.get("text") or "")
                        ts = next((c.get("timestamp") for c in item.get("citations") or [] if c.get("timestamp")
                                   is not None), None)
                        hit(acc, "call", at, text, Citation(source_id=f"call:{cid}", title=title, kind="call",
                                                            record=f"call:{cid}", timestamp=ts, snippet=_brief(text, 160)),
                            item.get("category"))
            tickets = s.execute(select(SupportTicket.id, SupportTicket.account_id, SupportTicket.opened_at,
                                       SupportTicket.subject)
                                .where(SupportTicket.account_id.in_(ids), SupportTicket.opened_at >= since))
            for tid, acc, at, subject in tickets:
                if subject:
                    hit(acc, "ticket", at, subject, Citation(source_id=f"crm:ticket:{tid}", title=subject, kind="crm",
                                                             record=f"ticket:{tid}", snippet=subject))
            acts = s.execute(scoped(select(Activity.id, Activity.account_id, Activity.kind, Activity.occurred_at,
                                           Activity.subject, Activity.body, Activity.direction)
                                    .where(Activity.account_id.in_(ids), Activity.occurred_at >= since,
                                           Activity.kind.in_(("meeting", "note", "email"))), Activity))
            for aid, acc, kind, at, subject, body, direction in acts:
                if kind == "email" and direction != "inbound":
                    continue  # what we wrote is not what the customer needs
                text = " ".join(x for x in (subject, body) if x)
                if text:
                    hit(acc, kind, at, text, Citation(source_id=f"crm:activity:{aid}", title=subject or kind,
                                                      kind="crm", record=f"activity:{aid}", snippet=_brief(text, 160)))
        return out

    def _window(self, days: int) -> tuple[date, date]:
        if not 1 <= days <= 3650:
            raise InvalidRequest(f"days must be between 1 and 3650 (got {days})")
        today = self.clock()
        return today, today - timedelta(days=days)

    # -- the heat map ---------------------------------------------------------------------------------
    def heat_map(self, scope: Scope, *, days: int = 180, limit: int = 20) -> NeedsMap:
        today, since = self._window(days)
        themes = self.themes()
        cols = [{"id": t.id, "en": t.label("en"), "zh": t.label("zh")} for t in themes]
        start = datetime.combine(since, datetime.min.time())
        with self.crm.session() as s:
            if scope.aggregates_only:
                accounts = {a: sector or "unknown" for a, sector in s.execute(select(Account.id, Account.sector))}
            else:
                accounts = {a: n for a, n in s.execute(apply_scope(select(Account.id, Account.name), scope, Account))}
        tags = self.tags.for_accounts(list(accounts))
        counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        tagged: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for acc, ev in self._signals(None if scope.aggregates_only else scope, list(accounts), start):
            counts[acc][ev.theme] += 1
        for tag in tags:
            counts[tag.account_id][tag.theme] += 1
            tagged[tag.account_id][tag.theme] += 1
        if scope.aggregates_only:
            return NeedsMap(as_of=today, since=since, themes=cols, segments=True, accounts=len(accounts),
                            rows=self._segments(scope, accounts, counts),
                            notes=["aggregates only: segments by sector, groups smaller than "
                                   f"{scope.min_group_size} accounts merged"])
        rows = [NeedsRow(key=a, label=accounts[a], account_id=a, counts=dict(counts[a]), tags=dict(tagged[a]),
                         total=sum(counts[a].values())) for a in accounts if counts.get(a)]
        rows.sort(key=lambda r: (-r.total, r.label))
        notes = [f"{len(rows) - limit} more accounts with signals not shown (the {limit} with the most)"] \
            if len(rows) > limit else []
        return NeedsMap(as_of=today, since=since, themes=cols, rows=rows[:limit], accounts=len(accounts), notes=notes)

    @staticmethod
    def _segments(scope: Scope, accounts: dict[str, str], counts: dict[str, dict[str, int]]) -> list[NeedsRow]:
        members: dict[str, list[str]] = defaultdict(list)
        for acc, sector in accounts.items():
            members[sector].append(acc)
        rows: list[NeedsRow] = []
        other: dict[str, int] = defaultdict(int)
        other_n = 0
        for sector, accs in sorted(members.items()):
            total: dict[str, int] = defaultdict(int)
            for a in accs:
                for k, v in counts.get(a, {}).items():
                    total[k] += v
            if len(accs) < scope.min_group_size:
                other_n += len(accs)
                for k, v in total.items():
                    other[k] += v
                continue
            rows.append(NeedsRow(key=sector, label=f"{sector} ({len(accs)})", counts=dict(total),
                                 total=sum(total.values())))
        if other_n >= scope.min_group_size:
            rows.append(NeedsRow(key="other", label=f"other segments ({other_n})", counts=dict(other),
                                 total=sum(other.values())))
        return sorted(rows, key=lambda r: (-r.total, r.label))

    # -- one account and its tags -----------------------------------------------------------------------
    def account(self, scope: Scope, ref: str) -> tuple[str, str]:
        """(id, name) of an account the asker may see, by id or exact name (any other: NotFound)."""
        require_records(scope, "account records")
        ref = (ref or "").strip()
        with self.crm.session() as s:
            q = apply_scope(select(Account.id, Account.name), scope, Account)
            row = s.execute(q.where(Account.id == ref)).first() or next(
                (r for r in s.execute(q) if r[1].lower() == ref.lower()), None)
        if row is None:
            raise NotFound(f"no account {ref!r} among the accounts you can see", hint="use the account's id or exact name")
        return str(row[0]), str(row[1])

    def account_needs(self, scope: Scope, ref: str, *, days: int = 365) -> AccountNeeds:
        today, since = self._window(days)
        acc_id, name = self.account(scope, ref)
        evidence = [ev for _, ev in self._signals(scope, [acc_id], datetime.combine(since, datetime.min.time()))]
        evidence.sort(key=lambda e: e.at, reverse=True)
        tags = [self._view(scope, t) for t in self.tags.for_accounts([acc_id])]
        counts: dict[str, int] = defaultdict(int)
        for ev in evidence:
            counts[ev.theme] += 1
        for tv in tags:
            counts[tv.theme] += 1
        return AccountNeeds(account_id=acc_id, account=name, since=since, counts=dict(counts), tags=tags,
                            evidence=evidence[:60])

    def _view(self, scope: Scope, tag: Tag) -> TagView:
        with self.crm.session() as s:
            user = s.get(User, tag.by_user)
            who, title = (user.name, user.title) if user is not None else (tag.by_user, None)
        return TagView(id=tag.id, theme=tag.theme, note=tag.note, by=who, by_title=title, at=tag.created_at,
                       removable=self._may_remove(scope, tag))

    @staticmethod
    def _may_remove(scope: Scope, tag: Tag) -> bool:
        role = scope.principal.role
        return tag.by_user == scope.principal.user_id or role in (Role.MANAGER, Role.ADMIN)

    def tag(self, scope: Scope, ref: str, theme: str, note: str, *, now: datetime) -> TagView:
        if scope.aggregates_only:
            raise PermissionDenied(f"{scope.principal.label} sees aggregates only and may not tag accounts")
        ids = [t.id for t in self.themes()]
        if theme not in ids:
            raise InvalidRequest(f"unknown theme {theme!r}", hint=f"use one of: {', '.join(ids)}")
        note = " ".join((note or "").split())
        if len(note) > NOTE_MAX:
            raise InvalidRequest(f"the note is {len(note)} characters; keep it under {NOTE_MAX}")
        acc_id, _ = self.account(scope, ref)
        return self._view(scope, self.tags.add(acc_id, theme, note, by_user=scope.principal.user_id, now=now))

    def untag(self, scope: Scope, tag_id: str, *, now: datetime) -> None:
        tag = self.tags.get(tag_id)
        try:
            if tag is None:
                raise NotFound("absent")
            self.account(scope, tag.account_id)
        except (NotFound, PermissionDenied):
            raise NotFound(f"no tag {tag_id!r} on an account you can see", hint="list an account's tags first") from None
        if not self._may_remove(scope, tag):
            raise PermissionDenied("only whoever added a tag, or a manager or admin, may remove it")
        self.tags.remove(tag_id, by_user=scope.principal.user_id, now=now)
