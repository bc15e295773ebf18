"""Who is who: principals, users (admins only), and the state of this data home."""

from __future__ import annotations

import time
from datetime import datetime
from typing import TYPE_CHECKING, Any

from copilot.core.domain import Principal
from copilot.ops.base import Operations

if TYPE_CHECKING:
    from knowledge.crm.users import UserChange


class PeopleOps(Operations):
    def ensure_admin(self, name: str) -> str:
        """Create (or find) the admin user of a new data home; returns its id."""
        from knowledge.crm.people import ensure_admin

        return ensure_admin(self.services.crm, name)

    def users(self, principal: Principal | None = None) -> list[dict[str, Any]]:
        """Everyone, with role, team and manager (admins only when a principal is given)."""
        from knowledge.crm.users import list_users

        if principal is not None:
            self.require_admin(principal, "list users")
        return list_users(self.services.crm)

    def add_user(self, principal: Principal, name: str, change: UserChange) -> dict[str, Any]:
        """Add a person (role, team, manager, Slack id)."""
        from knowledge.crm.users import add_user

        self.require_admin(principal, "add users")
        return add_user(self.services.crm, name, change)

    def set_user(self, principal: Principal, ref: str, change: UserChange) -> dict[str, Any]:
        from knowledge.crm.users import set_user

        self.require_admin(principal, "change users")
        return set_user(self.services.crm, ref, change)

    def deactivate_user(self, principal: Principal, ref: str) -> dict[str, Any]:
        from knowledge.crm.users import deactivate_user

        self.require_admin(principal, "deactivate users")
        return deactivate_user(self.services.crm, ref)

    def status(self) -> dict[str, Any]:
        """What is configured, how much data there is, and how fresh the CRM is (its last import or sync)."""
        from copilot.ask import last_sync
        from knowledge.crm.stats import table_counts

        st = self.settings
        counts = table_counts(self.services.crm)
        synced = last_sync(self.services.crm)
        age_h = (datetime.now() - synced).total_seconds() / 3600 if synced else None
        return {
            "home": str(st.resolved_home),
            "company": st.company,
            "llm": st.llm if st.llm != "none" else "none (offline engine)",
            "llm_base_url": st.llm_base_url,
            "embeddings": st.embeddings,
            "speech": st.speech,
            "database": st.crm_url.split("@")[-1],
            "chroma": st.chroma_url or str(st.chroma_dir),
            "shared_data": str(st.shared_data),
            "counts": counts,
            "last_crm_sync": synced.isoformat() if synced else None,
            "freshness_hours": round(age_h, 1) if age_h is not None else None,
            "stale": bool(age_h is not None and age_h > st.freshness_hours),
        }

    def readiness(self) -> dict[str, dict[str, Any]]:
        """Each dependency: ok, a short detail (or the failure), and how long the check took."""
        from knowledge.crm.stats import ping

        checks: dict[str, dict[str, Any]] = {}

        def run(name: str, fn: Any) -> None:
            started = time.perf_counter()
            try:
                checks[name] = {"ok": True, "detail": fn()}
            except Exception as exc:  # noqa: BLE001 - a failed check is reported, not raised
                checks[name] = {"ok": False, "detail": f"{type(exc).__name__}: {exc}"}
            checks[name]["ms"] = round((time.perf_counter() - started) * 1000, 2)

        def schema() -> str:
            from copilot import schema as db_schema

            st = db_schema.status(self.services.crm.engine)
            if st.state != "current":
                raise RuntimeError(f"schema {st.state} (at {st.current}, needs {st.head}): run 'copilot db upgrade'")
            return f"at {st.current}"

        def queue() -> str:
            queue = self.services.jobs
            jobs = queue.store.counts()
            return (f"{queue.huey.pending_count()} messages waiting, {jobs.get('running', 0)} jobs running, "
                    f"{jobs.get('failed', 0)} failed")

        where = self.settings.chroma_url or "embedded"
        run("database", lambda: ping(self.services.crm))
        run("schema", schema)
        run("knowledge", lambda: f"{self.services.knowledge.count()} chunks ({where})")
        run("embedder", lambda: f"{len(self.services.embedder.embed(['ready'])[0])}-d vectors")
        run("queue", queue)
        return checks
