"""The front door: ``Copilot`` is the one object adapters (CLI, API, Slack, the tour) hold.

Every operation takes a ``Principal`` and works out the scope itself; adapters import only this module
and ``copilot.core`` types, and hold no SQL. The operations live in ``copilot.ops`` (one module per
capability); the stores and services behind them are built lazily by ``copilot.services.Services``.
Types an adapter passes in are re-exported here, so adapters never import ``tools`` or ``knowledge``.
"""

from __future__ import annotations

from copilot.actions.schemas import Action, State, payload_hash
from copilot.chat_state import ThreadBinding
from copilot.core.settings import Settings
from copilot.jobs import Job
from copilot.keys import KeyInfo
from copilot.ops.actions import ActionOps
from copilot.ops.asking import AskOps
from copilot.ops.calls import CallOps, CallResult
from copilot.ops.chat import ChatOps
from copilot.ops.coaching import CoachingOps
from copilot.ops.config import ConfigOps
from copilot.ops.data import DataOps
from copilot.ops.database import DatabaseOps
from copilot.ops.deals import DealOps
from copilot.ops.forecast import ForecastOps
from copilot.ops.health import HealthOps
from copilot.ops.jobs import JobOps
from copilot.ops.needs import NeedsOps
from copilot.ops.people import PeopleOps
from copilot.ops.roleplay import RoleplayOps
from copilot.ops.serving import ServingOps
from copilot.ops.trust import TrustOps
from copilot.services import Services
from knowledge.crm.import_report import ImportReport
from knowledge.crm.mapping import shipped_mappings
from knowledge.crm.users import UserChange
from tools.forecast.pipeline import PipelineQuery

__all__ = ["Action", "CallResult", "Copilot", "ImportReport", "Job", "KeyInfo", "PipelineQuery", "State", "ThreadBinding",
           "UserChange", "payload_hash", "shipped_mappings"]


class Copilot(JobOps, AskOps, CallOps, RoleplayOps, ForecastOps, HealthOps, ActionOps, DataOps, PeopleOps, ServingOps,
              ChatOps, DatabaseOps, ConfigOps, TrustOps, NeedsOps, DealOps, CoachingOps):
    """The operations, by capability (each in ``copilot/ops``):

    - ask;
    - calls: transcribe, summarize_call, draft_followup, process_call, match_deal, audio_seconds;
    - role-play: roleplay_scenarios, roleplay_start, roleplay_session, roleplay_turn, roleplay_finish,
      roleplay_score, roleplay_report; assigned scenarios: roleplay_assign, roleplay_assignments, roleplay_unassign;
    - forecast: forecast, at_risk, win_probability, backtest, pipeline, forecast_history; deal_timeline;
    - health: health, health_scan, health_backtest, health_value_report, health_rules_check, import_signals;
    - customer needs: needs_themes, needs_map, account_needs, tag_account, untag_account;
    - the confirmation loop: actions_list, actions_show, actions_history, actions_approve, actions_edit,
      actions_reject, actions_retry, actions_run, actions_stats, actions_verify, actions_validate, actions_counts;
    - data: ingest, ingest_upload, sync_crm, import_crm, crm_mappings, forget;
    - people: principal, scope, users, add_user, set_user, deactivate_user, ensure_admin, status, readiness;
    - serving: keys_*, configure_api; chat (Slack): slack_principal, link_slack, chat_*;
    - jobs on the queue: jobs_submit (call, ingest, sync_crm), jobs_get, jobs_shutdown, worker_run, housekeeping;
    - database (operators): db_status, db_upgrade, db_check;
    - configuration (admins): config_kinds, config_show, config_validate, config_preview, config_save,
      config_history, config_version, config_restore;
    - AI trust: trust_answers, trust_suggestions (bias hints), answer_vote.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.services = Services(settings)  # internals: for tests and evals, never for adapters

    def close(self) -> None:
        """Release what was opened (only services that were actually built)."""
        self.services.close()
