"""Gold answers for CRM questions, computed in pandas straight from the database.

This package implements docs/crm-query.md a second time and shares no code with the engine
(``tools/crm_query``): it imports nothing from copilot/, tools/ or knowledge/.

    crm = load_crm("sqlite:///.copilot-demo/crm.db")
    gold = gold_answer(crm, composition, asker_of(crm, "<user id>"), today)
"""

from evals.crm_gold.data import CrmData, derive, load_crm
from evals.crm_gold.dates import resolve, window_bounds
from evals.crm_gold.filters import NotApplicable, effective_status
from evals.crm_gold.query import gold_answer, metric_value
from evals.crm_gold.scope import MIN_GROUP, Asker, asker_of, pseudonym, visible, visible_ids

__all__ = ["MIN_GROUP", "Asker", "CrmData", "NotApplicable", "asker_of", "derive", "effective_status",
           "gold_answer", "load_crm", "metric_value", "pseudonym", "resolve", "visible", "visible_ids",
           "window_bounds"]
