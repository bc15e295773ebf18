"""Configuration for sales ops, without code: health rules, journey interventions, the call-summary template,
the role-play rubric and CRM import mappings, each shown, validated with the product's own loader,
previewed, saved with a history and restorable. Admins only (the product has no separate sales-ops role:
whoever tunes rules is an admin)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from copilot.core.domain import Principal
from copilot.ops.base import Operations

if TYPE_CHECKING:
    from copilot.config_files import ConfigFiles, Kind, Version
    from copilot.config_preview import Preview


class ConfigOps(Operations):
    def _config(self, principal: Principal, what: str) -> ConfigFiles:
        self.require_admin(principal, what)
        return self.services.config_files

    def config_kinds(self, principal: Principal) -> list[tuple[Kind, bool]]:
        """Every kind of configuration file, and whether the data home overrides the shipped default."""
        files = self._config(principal, "read the configuration")
        return [(k, files.is_custom(k.name)) for k in files.kinds.values()]

    def config_show(self, principal: Principal, kind: str) -> str:
        """The file in force, as YAML text."""
        return self._config(principal, "read the configuration").text(kind)

    def config_validate(self, principal: Principal, kind: str, text: str) -> str:
        """Check ``text`` with the loader the product uses; returns what it holds, or raises one line that
        names the key (or the YAML line) to fix."""
        return self._config(principal, "validate configuration").check(kind, text)

    def config_preview(self, principal: Principal, kind: str, text: str) -> Preview:
        """What the edit would change (health: scores before and after; summary: a sample call summarized)."""
        from copilot.config_preview import preview

        files = self._config(principal, "preview configuration")
        forecaster = self.services.forecaster if kind == "risk" else None  # built only when needed (scikit-learn)
        return preview(files, kind, text, health=self.services.health, forecaster=forecaster,
                       scope=self.scope(principal))

    def config_save(self, principal: Principal, kind: str, text: str, note: str = "") -> Version:
        """Validate and install; the product uses it from its next read. A refused edit changes nothing."""
        version = self._config(principal, "change the configuration").save(kind, text, principal, note)
        self._reload(kind)
        return version

    def config_history(self, principal: Principal, kind: str) -> list[Version]:
        """Saved versions, newest first, then the shipped default (version 0)."""
        return self._config(principal, "read the configuration history").history(kind)

    def config_version(self, principal: Principal, kind: str, number: int) -> tuple[str, str]:
        """One version's text and its diff against the version before it."""
        files = self._config(principal, "read the configuration history")
        return files.version_text(kind, number), files.diff(kind, number) if number else ""

    def config_restore(self, principal: Principal, kind: str, number: int) -> Version:
        """Install an earlier version again, as a new version (validated again)."""
        version = self._config(principal, "change the configuration").restore(kind, number, principal)
        self._reload(kind)
        return version

    def _reload(self, kind: str) -> None:
        """Services that read a file once when built are rebuilt on next use (health rereads by itself)."""
        if kind == "rubric":
            self.services.__dict__.pop("roleplay", None)
