"""What serving over HTTP needs beyond the operations: API keys (each acts as one CRM user), kept in the
CRM database so any worker can answer. Background jobs are in ``copilot.ops.jobs``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from copilot.core.domain import Principal
from copilot.ops.base import Operations

if TYPE_CHECKING:
    from copilot.keys import KeyInfo


class ServingOps(Operations):
    def configure_api(self, *, key_cache_seconds: float | None = None, job_workers: int | None = None) -> None:
        """The HTTP API's knobs (``COPILOT_API_*``, read at the edge): how long a verified key is remembered
        in this process, and how many threads of this process consume the job queue (0: none, run
        ``copilot worker``; taking effect when the consumer next starts)."""
        if key_cache_seconds is not None:
            self.services.keys.cache_seconds = key_cache_seconds
        if job_workers is not None:
            self.services.job_threads = job_workers

    # -- API keys (admins manage them; the local CLI acts as OPERATOR) ----------------------------------
    def keys_create(self, principal: Principal, user: str, *, name: str = "") -> tuple[KeyInfo, str]:
        """A new key acting as ``user`` (id, email or full name): its info and the plaintext key, shown once."""
        self.require_admin(principal, "create API keys")
        return self.services.keys.create(self.principal(user).user_id, name=name)

    def keys_list(self, principal: Principal, user: str | None = None) -> list[KeyInfo]:
        """Every key (or one user's), revoked ones included; never the secrets."""
        self.require_admin(principal, "list API keys")
        return self.services.keys.list(self.principal(user).user_id if user else None)

    def keys_revoke(self, principal: Principal, key_id: str) -> KeyInfo:
        """Revoke by key id (or the key itself): it stops working at once here, within the cache time elsewhere."""
        self.require_admin(principal, "revoke API keys")
        return self.services.keys.revoke(key_id)

    def keys_active(self, key_id: str, user_id: str) -> KeyInfo | None:
        """The active key ``key_id`` of ``user_id``, or None once it is revoked (a web session signed in with
        a key holds only its id, and ends when the key is revoked)."""
        return next((k for k in self.services.keys.list(user_id, include_revoked=False) if k.id == key_id), None)

    def keys_verify(self, key: str) -> KeyInfo | None:
        """The active key's info, or None for a malformed, unknown, wrong or revoked key."""
        return self.services.keys.verify(key)
