"""Items: a composition, its chat-style question, its gold answer, its category and its split.

    items = generate(crm, "demo", today=crm.anchor, seed=7, counts={"rep": 180, "manager": 150, "exec": 120})

Deterministic for a seed and a CRM. The split is a hash of the composition id (asker + composition), so two
phrasings of one composition always land in the same split and the engine's authors can read dev only.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from evals.crm_gold import CrmData, asker_of, gold_answer
from evals.crm_questions.families import FAMILIES, WEIGHTS
from evals.crm_questions.frames import render
from evals.crm_questions.noise import add_noise
from evals.crm_questions.vocab import Person, Vocab, build_vocab

DEV_SHARE = 60  # percent
PARAPHRASE_SHARE = 0.15
NEEDS = {"accounts": "activities", "contacts_or_activities": "activities"}
INTERESTING = ["inactive_days", "min_pushes", "has_next_step", "windows", "forecast_categories", "competitor",
               "amount", "deal_type", "product", "stages", "account"]


@dataclass
class Item:
    id: str
    comp_id: str
    dataset: str
    role: str
    asker: str
    question: str
    composition: dict[str, Any]
    gold: dict[str, Any]
    category: str
    tags: list[str]
    split: str
    today: str
    noise: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str)


def comp_id(dataset: str, asker: str, comp: dict[str, Any]) -> str:
    return hashlib.sha1(canonical([dataset, asker, comp]).encode()).hexdigest()[:12]


def split_of(cid: str) -> str:
    """dev (60%) or test (40%), from the composition id alone."""
    return "dev" if int(hashlib.sha256(cid.encode()).hexdigest(), 16) % 100 < DEV_SHARE else "test"


def filter_tags(f: dict[str, Any]) -> list[str]:
    tags = []
    for k, val in f.items():
        if val in (None, [], ""):
            continue
        if k == "windows":
            tags += [f"window:{w['field']}" for w in val] + [f"date:{w['expr']['kind']}" for w in val if "expr" in w]
        elif k in ("amount_min", "amount_max"):
            tags.append("filter:amount")
        elif k in ("owner", "team", "manager"):
            tags.append(f"who:{k}" + (":me" if val in ("me", "mine") else ""))
        else:
            tags.append(f"filter:{k}")
    return sorted(set(tags))


def categorize(family: str, comp: dict[str, Any], gold: dict[str, Any]) -> tuple[str, list[str]]:
    f = comp.get("filters") or {}
    obj = comp.get("object", "deals")
    tags = [f"metric:{comp['metric']}", f"object:{obj}", *filter_tags(f)]
    tags += [f"group:{comp['group_by']}"] if comp.get("group_by") else []
    tags += ["topn"] if comp.get("limit") and comp.get("group_by") else []
    tags += ["compare"] if comp.get("compare") else []
    if gold["kind"] == "refused":
        cat = f"refusal:{gold['reason']}"
    elif comp.get("tag"):
        cat = comp["tag"]
    elif comp.get("compare"):
        cat = "compare:me_vs_rest" if comp["compare"] == ["me_vs_rest"] else "compare"
    elif comp.get("group_by"):
        cat = "topn" if comp.get("limit") else "group"
    elif family == "top_deals":
        cat = "list:top"
    elif family in ("won_revenue", "win_rate", "lost_deals", "cycle_or_avg"):
        cat = {"won_revenue": "metric:won_revenue", "win_rate": "metric:win_rate", "lost_deals": "metric:lost",
               "cycle_or_avg": f"metric:{comp['metric']}"}[family]
    elif obj != "deals":
        cat = f"{obj}:{comp['metric']}" if not f.get("inactive_days") else f"{obj}:inactive"
    elif comp["metric"] == "activity_count":
        cat = "metric:activity_count"
    else:
        key = next((k for k in INTERESTING if f.get(k) not in (None, [], "") or (k == "amount" and (
            f.get("amount_min") is not None or f.get("amount_max") is not None))), None)
        if key == "windows":
            cat = f"filter:window:{f['windows'][0]['field']}"
        else:
            cat = f"filter:{key.removesuffix('_days').removeprefix('min_').removesuffix('_categories')}" if key else (
                f"metric:{comp['metric']}")
    tags.append(cat)
    return cat, sorted(set(tags))


def acceptable(rng: random.Random, comp: dict[str, Any], gold: dict[str, Any], role: str, family: str) -> bool:
    """Keep questions whose answer says something: few empty results, lists a person would read, and
    not too many exec questions that are refused only because random filters left under 3 deals."""
    kind = gold["kind"]
    probe = comp.get("tag") == "scope:probe"
    if kind == "refused":
        return role == "exec" and (gold["reason"] == "list" or family == "narrow" or rng.random() < (
            0.5 if gold["reason"] == "person" else 0.3))
    if kind == "value":
        if gold["n"] == 0:
            return probe or rng.random() < 0.08
        return gold["value"] is not None or rng.random() < 0.1
    if kind == "rows":
        if comp.get("compare"):
            return all(r["n"] > 0 for r in gold["rows"]) or rng.random() < 0.1
        return len(gold["rows"]) >= 2
    total = gold["total"]
    if total == 0:
        return probe or rng.random() < 0.05
    return total <= 40 or bool(comp.get("limit"))


def _askers(v: Vocab, role: str, crm: CrmData) -> list[Person]:
    if role == "admin":
        return [Person("admin", "admin", "admin", None, None)]
    people = v.role(role)
    if role == "manager":  # a manager with no team sees nothing; ask as the team's manager of record
        team_managers = set(crm.teams["manager_id"].dropna())
        people = [p for p in people if p.id in team_managers] or people
    return people


def generate(crm: CrmData, dataset: str, *, today: date, seed: int, counts: dict[str, int]) -> list[Item]:
    v = build_vocab(crm, dataset, today)
    items: list[Item] = []
    seen: set[str] = set()
    for role, want in counts.items():
        rng = random.Random(f"{seed}:{dataset}:{role}")
        askers = _askers(v, role, crm)
        weights = {k: w for k, w in WEIGHTS[role].items() if NEEDS.get(k, "") in v.features | {""}}
        made, tries = 0, 0
        while made < want and tries < want * 60:
            tries += 1
            person = askers[tries % len(askers)]
            family = rng.choices(list(weights), list(weights.values()))[0]
            comp = FAMILIES[family](rng, v, person)
            if comp is None:
                continue
            clean = {key: val for key, val in comp.items() if key != "tag"}
            cid = comp_id(dataset, person.id, clean)
            if cid in seen:
                continue
            asker = asker_of(crm, person.id)
            gold = gold_answer(crm, clean, asker, today)
            if not acceptable(rng, comp, gold, role, family):
                continue
            seen.add(cid)
            cat, tags = categorize(family, comp, gold)
            names = [p.name for p in v.people] + list(v.teams.values()) + v.products + v.competitors + v.accounts
            phrasings = 2 if rng.random() < PARAPHRASE_SHARE and made + 1 < want else 1
            for k in range(phrasings):
                text, noise = add_noise(rng, render(comp, v, person, rng), names)
                extra = (["typo"] if noise.typos else []) + (["name_typo"] if noise.name_typo else []) + (
                    ["paraphrase"] if k else [])
                items.append(Item(id=f"{dataset}-{cid}-{k}", comp_id=cid, dataset=dataset, role=role, asker=person.id,
                                  question=text, composition=clean, gold=gold, category=cat,
                                  tags=sorted(set(tags + extra + [f"role:{role}"])), split=split_of(cid),
                                  today=today.isoformat(), noise={"typos": noise.typos, "name_typo": noise.name_typo,
                                                                  "lowercased": noise.lowercased}))
                made += 1
    return items
