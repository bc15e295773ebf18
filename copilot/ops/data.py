"""Data in and out: index documents, sync and import the CRM, erase a subject from every store."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from copilot.core.domain import Principal, Role
from copilot.core.errors import NotFound, PermissionDenied
from copilot.ops.base import Operations

if TYPE_CHECKING:
    from collections.abc import Callable

    from copilot.erasure import Receipt
    from knowledge.crm.import_report import ImportReport
    from knowledge.documents import IngestReport


class DataOps(Operations):
    def ingest(self, principal: Principal, paths: list[Path], *, doc_type: str | None = None,
               metadata: dict[str, Any] | None = None, progress: bool = False) -> IngestReport:
        """Index files or folders into the shared case library (admins: the paths are read on this machine)."""
        self.require_admin(principal, "index files on the server")
        missing = [str(p) for p in paths if not Path(p).expanduser().exists()]
        if missing:
            raise NotFound(f"no such file or folder: {', '.join(missing)}", hint="check the paths")
        meta = dict(metadata or {})
        if doc_type:
            meta.setdefault("type", doc_type)
        return self.services.knowledge.ingest_paths([Path(p).expanduser() for p in paths], metadata=meta or None,
                                                    progress=progress)

    def ingest_upload(self, principal: Principal, path: Path, *, doc_type: str | None = None,
                      shared: bool = False) -> IngestReport:
        """Index one uploaded document: private to the uploader, or (managers, admins) the shared library."""
        if shared and principal.role not in (Role.MANAGER, Role.ADMIN):
            raise PermissionDenied(f"{principal.label} may not publish to the shared library",
                                   hint="upload without shared=true (private to you), or ask a manager")
        meta: dict[str, Any] = {"source_kind": "upload", "uploaded_by": principal.user_id}
        if doc_type:
            meta["type"] = doc_type
        if not shared:
            meta.update(owner=principal.user_id, team=principal.team_id or "")
        return self.services.knowledge.ingest_paths([path], metadata=meta)

    def sync_crm(self, principal: Principal, *, progress: bool = False) -> IngestReport:
        """(Re)index the CRM's records as searchable text (idempotent: unchanged records are skipped)."""
        self.require_admin(principal, "re-index the CRM")
        return self.services.knowledge.sync_crm(self.services.crm, progress=progress)

    def import_crm(self, principal: Principal, path: Path, mapping: str | Path, *,
                   progress: Callable[[str, int, int], None] | None = None) -> ImportReport:
        """Import a CRM export (a file or folder of CSV/JSON) through a shipped or custom column mapping."""
        from knowledge.crm.importer import import_crm
        from knowledge.crm.mapping import load_mapping

        self.require_admin(principal, "import CRM data")
        edited = self.services.config_files.kinds.get(f"mapping-{mapping}")  # a shipped name sales ops edited
        if edited is not None:
            mapping = self.services.config_files.path(edited.name)
        return import_crm(self.services.crm, Path(path).expanduser(), load_mapping(mapping), progress=progress)

    def crm_mappings(self) -> list[dict[str, str]]:
        """The shipped CRM mappings, each with its description."""
        from knowledge.crm.mapping import load_mapping, shipped_mappings

        return [{"name": n, "description": load_mapping(n).description} for n in shipped_mappings()]

    def forget(self, principal: Principal, *, account: str | None = None, contact: str | None = None,
               source: str | None = None) -> Receipt:
        """Erase one account, contact or ingested source from every store; the receipt names no one."""
        from copilot.erasure import erase

        return erase(self.services, principal, account=account, contact=contact, source=source)
