"""The forecast review in Slack: ``/copilot forecast call|scoreboard|health|interventions ...``.

``call 1200000`` records your number for this quarter; ``call <deal> commit`` a deal's category;
``scoreboard [quarter]`` shows AI vs human; ``health [YYYY-MM]`` the model-health report; ``interventions``
proposes next actions with dates to your actions inbox. Anything else is a forecast question for ask."""

from __future__ import annotations

from copilot.app import Copilot
from copilot.core.domain import Principal
from copilot.core.errors import UserError

SUBS = ("call", "scoreboard", "health", "interventions")
LIMIT = 3500


def is_review(rest: str) -> bool:
    return rest.split(" ", 1)[0].lower() in SUBS


def _amount(text: str) -> float | None:
    t = text.strip().lower().replace(",", "").replace("$", "")
    scale = {"k": 1e3, "m": 1e6}.get(t[-1:], 1.0) if t else 1.0
    try:
        return float(t[:-1] if scale != 1.0 else t) * scale
    except ValueError:
        return None


def forecast_text(cp: Copilot, principal: Principal, rest: str) -> str:
    sub, _, arg = rest.strip().partition(" ")
    sub, arg = sub.lower(), arg.strip()
    if sub == "call":
        amount = _amount(arg)
        if amount is not None:
            rec = cp.forecast_call(principal, amount=amount, source="slack")
            return f"Recorded your call for {rec.period}: {rec.amount:,.0f} ({rec.subject})."
        deal, _, category = arg.rpartition(" ")
        if not deal:
            raise UserError("say a number or a deal and its category",
                            hint="`/copilot forecast call 1.2m` or `/copilot forecast call D-12 commit`")
        rec = cp.forecast_call(principal, deal=deal, category=category.lower(), source="slack")
        return f"Recorded your call for {rec.period}: deal {rec.deal_id} as {rec.category}."
    if sub == "scoreboard":
        return "```" + cp.forecast_scoreboard(principal, quarter=arg or None).table()[:LIMIT - 6] + "```"
    if sub == "health":
        return cp.forecast_health(principal, month=arg or None).text()[:LIMIT]
    report = cp.forecast_interventions(principal)
    return report.text()[:LIMIT] + "\nEach is waiting in your actions: `/copilot actions`."
