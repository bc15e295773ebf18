"""``build_demo``: generate the Skylark Data demo company into the CRM and index the case library.

Deterministic: one seeded ``random.Random`` and every date relative to the anchor ``today``, so the
same anchor gives byte-identical rows. Runs in one transaction with bulk inserts (about a second).
"""

from __future__ import annotations

import random
import shutil
import sys
from collections import Counter
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, insert, select

from copilot.core.errors import UserError
from demo.accounts import account_rows, people_rows, plan_accounts
from demo.activities import write_activities
from demo.catalog import COMPANY, PRODUCTS, SOURCE
from demo.deals import DealPlan
from demo.health import health_signals, write_signals
from demo.library import LIBRARY_DIR, PERSONA_DIR, library_docs, load_stories
from demo.pipeline import plan_deals
from demo.usage import customer_windows
from knowledge.crm.models import (
    Account,
    Activity,
    Contact,
    Deal,
    ImportRun,
    Product,
    ProductUsage,
    StageChange,
    Team,
    User,
)

if TYPE_CHECKING:
    from copilot.app import Copilot

SEED = 20_261_120
RUN_SOURCE = "demo:skylark"


def generate(today: date, seed: int = SEED) -> dict[str, Any]:
    """All demo rows, by table, for the anchor ``today`` (pure: no database). Another ``seed`` gives another
    company of the same shape (the forecast's held-out check runs on such companies)."""
    rng = random.Random(seed)
    stories = load_stories()
    accounts = plan_accounts(rng, today, stories)
    deals = plan_deals(rng, today, accounts, stories)
    teams, users = people_rows()
    activities = write_activities(rng, deals, today, {u["id"]: u["email"] for u in users})
    windows = customer_windows(deals, today)
    customers = {a for a, (_, end, _) in windows.items() if end >= today}
    last_touch: dict[str, datetime] = {}
    for a in activities:
        last_touch[a["deal_id"]] = max(last_touch.get(a["deal_id"], a["occurred_at"]), a["occurred_at"])
    signals = health_signals(deals, accounts, today, seed)
    return {
        "teams": teams, "users": users,
        "products": [{"id": pid, "name": name, "series": "Skylark", "list_price": price, "source": SOURCE}
                     for name, (pid, _, price) in PRODUCTS.items()],
        "accounts": account_rows(rng, accounts, today, customers),
        "contacts": [c for a in accounts for c in a.contacts],
        "deals": [_deal_row(d, last_touch.get(d.id)) for d in deals],
        "stage_changes": [h for d in deals for h in d.history],
        "activities": activities,
        "usage": signals.pop("monthly"),
        "signals": signals,  # weekly usage, tickets, touches: loaded through the signals import (generic mapping)
    }


def _deal_row(d: DealPlan, touched: datetime | None) -> dict[str, Any]:
    changed = datetime.combine(d.history[-1]["changed_on"], time(17, 0))
    return {
        "id": d.id, "name": d.name, "account_id": d.account.id, "owner_id": d.owner_id, "team_id": d.account.team_id,
        "product_id": PRODUCTS[d.product][0], "stage": d.stage, "amount": d.amount, "currency": "USD",
        "deal_type": d.deal_type, "created_on": d.created_on, "close_date": d.close_date, "closed_on": d.closed_on,
        "next_step": d.next_step, "next_step_date": d.next_step_date, "forecast_category": d.forecast_category,
        "competitor": d.competitor, "loss_reason": d.loss_reason,
        "updated_at": max(changed, touched) if touched else changed, "source": SOURCE,
    }


TABLES = [("teams", Team), ("users", User), ("products", Product), ("accounts", Account), ("contacts", Contact),
          ("deals", Deal), ("stage_changes", StageChange), ("activities", Activity), ("usage", ProductUsage)]


def _check_fresh(cp: Copilot, today: date | None) -> dict | None:
    """The stored summary if this demo is already built; refuse a CRM that holds other data."""
    with cp.services.crm.session() as s:
        foreign = s.scalar(select(func.count()).select_from(Deal).where(Deal.source != SOURCE)) or 0
        foreign += s.scalar(select(func.count()).select_from(Account).where(Account.source != SOURCE)) or 0
        run = s.scalars(select(ImportRun).where(ImportRun.source == RUN_SOURCE)).first()
        demo_deals = s.scalar(select(func.count()).select_from(Deal).where(Deal.source == SOURCE)) or 0
    if foreign:
        raise UserError(f"the CRM at {cp.settings.crm_url} already holds accounts or deals from another source",
                        hint="use a fresh COPILOT_HOME (or COPILOT_DATABASE_URL) for the demo company")
    if run is None:
        if demo_deals:
            raise UserError("the CRM holds a partial demo build", hint="use a fresh COPILOT_HOME")
        return None
    built = run.report.get("anchor")
    if today is not None and built != today.isoformat():
        raise UserError(f"the demo was already built with anchor {built}, not {today.isoformat()}",
                        hint="use a fresh COPILOT_HOME to build it for another date")
    return dict(run.report)


def build_demo(cp: Copilot, *, today: date | None = None, progress: bool = False) -> dict:
    """Build the demo company (idempotent: a second call on the same demo only re-indexes and returns the summary)."""
    say = (lambda msg: print(msg, file=sys.stderr)) if progress else (lambda msg: None)
    existing = _check_fresh(cp, today)
    if existing is None:
        today = today or date.today()
        say(f"generating Skylark Data demo company (anchor {today.isoformat()})")
        rows = generate(today)
        with cp.services.crm.session() as s:
            have = set(s.scalars(select(User.id)))
            rows["users"] = [u for u in rows["users"] if u["id"] not in have]
            for key, model in TABLES:
                if rows[key]:
                    s.execute(insert(model), rows[key])
            summary = _summary(today, rows)
            s.add(ImportRun(source=RUN_SOURCE, mapping="demo", started_at=datetime.now(), report=summary))
        summary["signals"] = write_signals(cp.services.crm, rows["signals"], cp.settings.resolved_home / "demo-signals")
        say(f"CRM: {summary['accounts']} accounts, {summary['deals']['total']} deals, "
            f"{sum(summary['activities'].values())} activities")
        from demo.calls import load_demo_calls

        say("transcribing and summarizing the demo calls")
        summary["calls"] = len(load_demo_calls(cp, today, progress=progress))
    else:
        summary = existing
        say(f"demo already built (anchor {summary['anchor']}); re-indexing")
    result = dict(summary, already_built=existing is not None, company=COMPANY,
                  personas=_install_personas(cp.settings))
    lib = cp.services.knowledge.ingest_paths([LIBRARY_DIR], progress=progress)
    crm = cp.services.knowledge.sync_crm(cp.services.crm, progress=progress)
    result["knowledge"] = {"library": _report(lib), "crm": _report(crm)}
    return result


def _install_personas(settings: Any) -> str:
    """Copy the demo's persona cards into the data home's persona folder, the default COPILOT_PERSONA_DIR,
    so role-play in this home finds them in later runs too. A folder the user chose is left alone."""
    target = settings.resolved_persona_dir
    if settings.persona_dir is None:
        target.mkdir(parents=True, exist_ok=True)
        for card in sorted(PERSONA_DIR.glob("*.md")):
            if not (target / card.name).exists() or (target / card.name).read_bytes() != card.read_bytes():
                shutil.copyfile(card, target / card.name)
    return str(target)


def demo_settings() -> dict[str, Any]:
    """Settings the demo company runs with (``load_settings(**demo_settings(), ...)``): its own name."""
    return {"company": COMPANY}


def _report(report: Any) -> Any:
    if hasattr(report, "model_dump"):
        return report.model_dump(mode="json")
    if hasattr(report, "__dict__"):
        return {k: v for k, v in vars(report).items() if isinstance(v, int | float | str | bool)}
    return str(report)


def _summary(today: date, rows: dict[str, Any]) -> dict:
    stages = Counter(d["stage"] for d in rows["deals"])
    won, lost = stages["closed_won"], stages["closed_lost"]
    return {
        "anchor": today.isoformat(), "teams": len(rows["teams"]),
        "users": len(rows["users"]), "accounts": len(rows["accounts"]), "contacts": len(rows["contacts"]),
        "deals": {"total": len(rows["deals"]), "open": len(rows["deals"]) - won - lost, "won": won, "lost": lost},
        "stage_changes": len(rows["stage_changes"]),
        "activities": dict(sorted(Counter(a["kind"] for a in rows["activities"]).items())),
        "usage_rows": len(rows["usage"]), "documents": len(library_docs()),
    }
