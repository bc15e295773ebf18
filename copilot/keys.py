"""API keys: created for a CRM user, shown once, stored only as a salted HMAC-SHA256 digest.

A key reads ``sk-cop_<key id>_<secret>``. The id finds the row; the secret is checked with
``hmac.compare_digest`` against ``HMAC(salt, secret)``. Revoked keys stop working at once in this
process (and within ``cache_seconds`` in other processes). The table lives beside the CRM (its
migrations are in ``copilot/migrations``), so it follows the CRM to Postgres. Product state, not adapter
logic: the facade exposes it as ``keys_*`` operations (``copilot.ops.serving``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import DateTime, Engine, String, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from copilot.core.db import Base
from copilot.core.errors import NotFound, UserError

PREFIX = "sk-cop"
_TOUCH_EVERY = 60.0  # seconds between last_used_at writes per key


class ApiKeyRow(Base):
    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    salt: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


@dataclass(frozen=True)
class KeyInfo:
    id: str
    user_id: str
    name: str
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def to_dict(self) -> dict[str, object]:
        return {"id": self.id, "user_id": self.user_id, "name": self.name, "active": self.active,
                "created_at": self.created_at.isoformat(timespec="seconds"),
                "revoked_at": self.revoked_at.isoformat(timespec="seconds") if self.revoked_at else None,
                "last_used_at": self.last_used_at.isoformat(timespec="seconds") if self.last_used_at else None}


def _info(row: ApiKeyRow) -> KeyInfo:
    return KeyInfo(row.id, row.user_id, row.name, row.created_at, row.revoked_at, row.last_used_at)


def _digest(salt: str, secret: str) -> str:
    return hmac.new(bytes.fromhex(salt), secret.encode(), hashlib.sha256).hexdigest()


def split_key(key: str) -> tuple[str, str] | None:
    parts = key.strip().split("_")
    if len(parts) != 3 or parts[0] != PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


class ApiKeyStore:
    def __init__(self, engine: Engine, *, cache_seconds: float = 0.5) -> None:
        self.engine = engine
        self.cache_seconds = cache_seconds
        self._cache: dict[str, tuple[KeyInfo, float]] = {}
        self._touched: dict[str, float] = {}
        self._lock = threading.Lock()

    def create(self, user_id: str, *, name: str = "") -> tuple[KeyInfo, str]:
        """Store a new key for ``user_id``; returns its info and the plaintext key (shown once)."""
        key_id, secret, salt = secrets.token_hex(6), secrets.token_hex(24), secrets.token_hex(16)
        row = ApiKeyRow(id=key_id, user_id=user_id, name=name, salt=salt, digest=_digest(salt, secret),
                        created_at=datetime.now().replace(microsecond=0))
        with Session(self.engine) as s, s.begin():
            s.add(row)
            s.flush()
            info = _info(row)
        return info, f"{PREFIX}_{key_id}_{secret}"

    def list(self, user_id: str | None = None, *, include_revoked: bool = True) -> list[KeyInfo]:
        q = select(ApiKeyRow).order_by(ApiKeyRow.created_at, ApiKeyRow.id)
        if user_id:
            q = q.where(ApiKeyRow.user_id == user_id)
        if not include_revoked:
            q = q.where(ApiKeyRow.revoked_at.is_(None))
        with Session(self.engine) as s:
            return [_info(r) for r in s.scalars(q)]

    def revoke(self, key_id: str) -> KeyInfo:
        key_id = key_id.strip()
        if key_id.startswith(PREFIX + "_"):
            parts = split_key(key_id)
            key_id = parts[0] if parts else key_id
        with Session(self.engine) as s, s.begin():
            row = s.get(ApiKeyRow, key_id)
            if row is None:
                raise NotFound(f"no API key {key_id!r}", hint="'copilot keys list' shows key ids")
            if row.revoked_at is not None:
                raise UserError(f"API key {key_id} was already revoked at {row.revoked_at:%Y-%m-%d %H:%M}")
            row.revoked_at = datetime.now().replace(microsecond=0)
            s.flush()
            info = _info(row)
        with self._lock:
            self._cache = {k: v for k, v in self._cache.items() if v[0].id != key_id}
        return info

    def verify(self, key: str) -> KeyInfo | None:
        """The active key's info, or None for a malformed, unknown, wrong or revoked key."""
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(key)
        if hit is not None and hit[1] > now:
            self._touch(hit[0].id, now)
            return hit[0]
        parts = split_key(key)
        if parts is None:
            return None
        key_id, secret = parts
        with Session(self.engine) as s:
            row = s.get(ApiKeyRow, key_id)
            if row is None or row.revoked_at is not None:
                return None
            if not hmac.compare_digest(row.digest, _digest(row.salt, secret)):
                return None
            info = _info(row)
        if self.cache_seconds > 0:
            with self._lock:
                if len(self._cache) > 10_000:
                    self._cache.clear()
                self._cache[key] = (info, now + self.cache_seconds)
        self._touch(key_id, now)
        return info

    def _touch(self, key_id: str, now: float) -> None:
        with self._lock:
            if now - self._touched.get(key_id, -1e9) < _TOUCH_EVERY:
                return
            self._touched[key_id] = now
        with Session(self.engine) as s, s.begin():
            s.execute(update(ApiKeyRow).where(ApiKeyRow.id == key_id)
                      .values(last_used_at=datetime.now().replace(microsecond=0)))
