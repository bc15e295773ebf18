"""The composition root: ``Services`` builds stores, providers and tools from settings.

Only the facade (``copilot.app.Copilot``) holds one; adapters never see it. Tests and evals may reach in
through ``Copilot.services``. Nothing below reads settings or builds its own dependencies. Services are
built lazily so a command pays only for what it uses (``copilot users`` never loads an embedding model).
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from copilot.core.domain import Principal
from copilot.core.embeddings import Embedder, build_embedder
from copilot.core.settings import Settings
from copilot.core.visibility import Scope
from knowledge.crm.people import resolve_principal, scope_of
from knowledge.crm.store import CrmStore

if TYPE_CHECKING:
    from copilot.actions.ledger import ActionLedger
    from copilot.ask import AskService
    from copilot.chat_state import ChatState
    from copilot.config_files import ConfigFiles
    from copilot.core.chat import ChatModel
    from copilot.keys import ApiKeyStore
    from copilot.queue import JobQueue
    from knowledge.store import KnowledgeStore
    from tools.calls.service import CallService
    from tools.context import ToolContext, ToolDeps
    from tools.forecast.service import Forecaster
    from tools.health.service import HealthService
    from tools.needs import NeedsService
    from tools.roleplay.session import RoleplayService


class Services:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        settings.resolved_home.mkdir(parents=True, exist_ok=True)

    @cached_property
    def crm(self) -> CrmStore:
        from copilot.schema import ensure

        store = CrmStore(self.settings.crm_url)
        ensure(store.engine)  # a new database gets every table; one behind is refused with the command to run
        return store

    @cached_property
    def embedder(self) -> Embedder:
        return build_embedder(self.settings)

    @cached_property
    def actions(self) -> ActionLedger:  # imported lazily
        from copilot.actions.ledger import ActionLedger

        home = self.settings.resolved_home
        return ActionLedger(self.crm, outbox_dir=self.settings.outbox_dir, calendar_dir=home / "calendar",
                            smtp_url=self.settings.smtp_url)

    @cached_property
    def knowledge(self) -> KnowledgeStore:  # imported lazily: Chroma is heavy
        from knowledge.fusion import build_reranker
        from knowledge.store import KnowledgeStore

        st = self.settings
        store = KnowledgeStore.open(chroma_dir=st.chroma_dir, chroma_url=st.chroma_url,
                                    fts_path=st.resolved_home / "knowledge.db", embedder=self.embedder,
                                    reranker=build_reranker(st.reranker, threads=st.torch_threads))
        store.max_file_bytes = int(st.ingest_max_mb * 2**20)
        return store

    @cached_property
    def chat_model(self) -> ChatModel | None:  # None: the offline engine answers
        from copilot.core.llm import build_chat_model

        return build_chat_model(self.settings)

    @cached_property
    def calls(self) -> CallService:  # imported lazily: Whisper loads on first use
        from copilot.core.speech import build_transcriber
        from knowledge.competitors import known_competitors
        from tools.calls.service import CallService
        from tools.calls.summarize import Summarizer, load_template

        def competitors() -> list[str]:  # this company's: its CRM deals, then its library's battle cards
            indexed = "knowledge" in self.__dict__ or (self.settings.resolved_home / "knowledge.db").exists()
            docs = self.knowledge.keywords.documents() if indexed else []
            return known_competitors(self.crm, docs, company=self.settings.company)

        def summarizer() -> Summarizer:
            made = Summarizer(embedder=self.embedder, chat_model=self.chat_model,
                              template=load_template(self.config_files.path("summary")),
                              competitors=competitors())
            if "zh" in made.templates and self.config_files.is_custom("summary_zh"):  # sales ops' Chinese edit
                made.templates["zh"] = load_template(self.config_files.path("summary_zh"))
            return made

        def transcriber():  # type: ignore[no-untyped-def]
            t = build_transcriber(self.settings)
            if hasattr(t, "hotwords"):  # the model is shared per process: this company's words, every time
                t.hotwords = ", ".join(self._vocabulary(competitors()))
            return t

        return CallService(self.crm, transcriber, summarizer,
                           knowledge=lambda: self.knowledge, ledger=lambda: self.actions)

    @cached_property
    def roleplay(self) -> RoleplayService:
        from copilot.core.domain import Role
        from copilot.core.settings import REPO_ROOT
        from tools.roleplay.session import RoleplayService

        library_only = Scope(Principal(user_id="roleplay-library", name="library", role=Role.REP))

        def search(query: str) -> list[str]:  # case-library passages only (unowned documents)
            if not self.settings.chroma_dir.exists():
                return []
            return [h.text for h in self.knowledge.search(query, library_only, k=5)]

        return RoleplayService(crm=self.crm, embedder=self.embedder, home=self.settings.resolved_home,
                               library_dir=self.settings.resolved_persona_dir, company=self.settings.company,
                               rubric_path=self.config_files.path("rubric"),  # sales ops' edit, if any
                               chat_model=self.chat_model, buyer_prompt=REPO_ROOT / "prompts" / "roleplay_buyer.md",
                               searcher=search)

    @cached_property
    def forecaster(self) -> Forecaster:  # imported lazily: scikit-learn
        from tools.forecast.risk import load_risk_rules
        from tools.forecast.service import Forecaster

        forecaster = Forecaster(self.crm, today=self.settings.today)
        forecaster.risk_rules = lambda: load_risk_rules(self.config_files.path("risk"))  # sales ops' edit, if any
        return forecaster

    @cached_property
    def config_files(self) -> ConfigFiles:  # sales ops' edits of the shipped YAML files, with their history
        from copilot.config_files import ConfigFiles

        return ConfigFiles(self.settings.resolved_home)

    @cached_property
    def health(self) -> HealthService:  # customer health: rules from the data home, proposals to the ledger
        from tools.health.service import HealthService

        return HealthService(self.crm, rules_home=self.settings.resolved_home / "health",
                             clock=self.settings.current_date, ledger=lambda: self.actions)

    @cached_property
    def needs(self) -> NeedsService:  # the customer-needs heat map and pre-sales tags
        from copilot.core.settings import REPO_ROOT
        from tools.needs import NeedsService

        return NeedsService(self.crm, REPO_ROOT / "prompts" / "needs_themes.yaml", clock=self.settings.current_date)

    @cached_property
    def tool_deps(self) -> ToolDeps:
        """What every tool run shares: the stores, the ledger, and this object as the capability services."""
        from tools.context import ToolDeps

        return ToolDeps(crm=self.crm, knowledge=self.knowledge, ledger=self.actions, capabilities=self,
                        clock=self.settings.current_date)

    def tool_context(self, principal: Principal) -> ToolContext:
        """Everything a tool run needs, for this principal."""
        return self.tool_deps.context(principal)

    @cached_property
    def asker(self) -> AskService:
        from copilot.ask import AskService
        from copilot.conversations import ConversationStore
        from copilot.offline.engine import OfflineEngine
        from tools.registry import all_tools

        st = self.settings
        return AskService(tool_deps=self.tool_deps, conversations=ConversationStore(self.crm),
                          offline=OfflineEngine(self.embedder, cache_dir=st.resolved_home / "cache"), tools=all_tools(), chat_model=self.chat_model,
                          company=st.company, language=st.language, max_steps=st.agent_max_steps, time_limit=st.agent_time_limit,
                          stale_hours=st.freshness_hours, link_allowlist=st.link_allowlist,
                          redact_pii=st.llm_redact_pii)

    @cached_property
    def keys(self) -> ApiKeyStore:  # the HTTP API's keys, beside the CRM
        from copilot.keys import ApiKeyStore

        return ApiKeyStore(self.crm.engine)

    job_threads: int = 1  # queue consumer threads this process runs when it submits a job (0: none)

    @cached_property
    def jobs(self) -> JobQueue:  # the broker: COPILOT_QUEUE_URL, else the Postgres database, else a SQLite file
        from datetime import timedelta

        from copilot.jobs import JobStore
        from copilot.queue import JobQueue, broker_url, build_huey

        st = self.settings
        broker = build_huey(broker_url(st.queue_url, st.crm_url, st.resolved_home))
        return JobQueue(broker, JobStore(self.crm.engine), kinds={},
                        attempts=st.job_attempts, stale_after=timedelta(seconds=st.job_stale_seconds))

    @cached_property
    def chat(self) -> ChatState:  # Slack's replay guard, answers, votes, threads
        from copilot.chat_state import ChatState

        return ChatState(self.crm.engine)

    @staticmethod
    def _vocabulary(competitors: list[str] | None) -> list[str]:
        """Words speech recognition should be biased toward: the competitors' brand names, which Whisper
        otherwise hears as ordinary words. Kept short on purpose: with Whisper tiny a long hotword list
        (products, company) made it skip and misplace whole segments of a channel."""
        return list(dict.fromkeys(competitors or []))[:6]

    def principal(self, who: str) -> Principal:
        return resolve_principal(self.crm, who)

    def scope(self, principal: Principal) -> Scope:
        return scope_of(self.crm, principal)

    def close(self) -> None:
        """Release what was opened (only services that were actually built)."""
        if "jobs" in self.__dict__:
            self.jobs.stop()
        if "knowledge" in self.__dict__:
            self.knowledge.close()
        if "crm" in self.__dict__:
            self.crm.dispose()
