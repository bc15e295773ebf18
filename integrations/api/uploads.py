"""Saving uploaded files under ``<home>/uploads`` with safe names, streaming (bounded memory)."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from fastapi import UploadFile

from copilot.core.errors import UserError

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(name: str | None, default: str = "upload") -> str:
    base = Path(name or default).name
    base = _SAFE.sub("_", base).strip("._") or default
    return base[-120:]


async def save_upload(upload: UploadFile, folder: Path, *, allowed: tuple[str, ...]) -> Path:
    name = safe_name(upload.filename)
    suffix = Path(name).suffix.lower()
    if suffix not in allowed:
        raise UserError(f"{name}: unsupported file type {suffix or '(none)'}", hint=f"upload one of {', '.join(allowed)}")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex[:12]}-{name}"
    size = 0
    with path.open("wb") as out:
        while chunk := await upload.read(1 << 20):
            size += len(chunk)
            out.write(chunk)
    if size == 0:
        path.unlink(missing_ok=True)
        raise UserError(f"{name} is empty", hint="upload a file with content")
    return path
