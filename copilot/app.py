"""The composition root and service facade: ``Copilot`` builds stores, providers and tools from settings.

Interfaces (CLI, API, Slack, the demo tour) hold one ``Copilot`` and call its services; nothing below
reads settings or builds its own dependencies. Services are built lazily so a command pays only for
what it uses (``copilot users`` never loads an embedding model).
"""

from __future__ import annotations

from functools import cached_property

from copilot.core.domain import Principal
from copilot.core.embeddings import Embedder, build_embedder
from copilot.core.settings import Settings
from copilot.core.visibility import Scope
from knowledge.crm.people import resolve_principal, scope_of
from knowledge.crm.store import CrmStore


class Copilot:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        settings.resolved_home.mkdir(parents=True, exist_ok=True)

    @cached_property
    def crm(self) -> CrmStore:
        store = CrmStore(self.settings.crm_url)
        store.migrate()
        return store

    @cached_property
    def embedder(self) -> Embedder:
        return build_embedder(self.settings)

    @cached_property
    def actions(self):  # -> copilot.actions.ledger.ActionLedger (imported lazily)
        from copilot.actions.ledger import ActionLedger

        home = self.settings.resolved_home
        return ActionLedger(self.crm, outbox_dir=self.settings.outbox_dir, calendar_dir=home / "calendar",
                            smtp_url=self.settings.smtp_url)

    @cached_property
    def knowledge(self):  # -> knowledge.store.KnowledgeStore (imported lazily: Chroma is heavy)
        from knowledge.fusion import build_reranker
        from knowledge.store import KnowledgeStore

        st = self.settings
        return KnowledgeStore.open(chroma_dir=st.chroma_dir, chroma_url=st.chroma_url,
                                   fts_path=st.resolved_home / "knowledge.db", embedder=self.embedder,
                                   reranker=build_reranker(st.reranker, threads=st.torch_threads))

    def principal(self, who: str) -> Principal:
        return resolve_principal(self.crm, who)

    def scope(self, principal: Principal) -> Scope:
        return scope_of(self.crm, principal)

    def close(self) -> None:
        if "crm" in self.__dict__:
            self.crm.dispose()
