"""Customer health, scoped to the asker: scores with reasons, the daily scan, the renewal-risk backtest, value
reports, rule checks and the signals import."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from copilot.core.domain import Principal, Role
from copilot.core.errors import PermissionDenied
from copilot.ops.base import Operations

if TYPE_CHECKING:
    from knowledge.crm.import_report import ImportReport
    from tools.health.schemas import Finding, HealthView, RiskBacktest, ScanReport, ValueReport


class HealthOps(Operations):
    def health(self, principal: Principal, *, account: str | None = None, as_of: date | None = None,
               customers_only: bool = False) -> HealthView:
        """Health scores with their reasons for the accounts the asker may see, worst first (one account
        with ``account``); execs get health by segment, aggregates only."""
        return self.services.health.view(self.scope(principal), account=account, as_of=as_of,
                                         customers_only=customers_only)

    def health_scan(self, principal: Principal, *, as_of: date | None = None, propose: bool = True) -> ScanReport:
        """Run the daily scan now over the accounts the asker may see (admins and the scheduler: every
        account): findings with causes and data, interventions proposed to the owners (never run), a report
        per owner and a digest per manager. Execs may not run it (it lists accounts)."""
        scope = self.scope(principal)
        if scope.aggregates_only:
            raise PermissionDenied(f"{principal.label} sees aggregates only; the scan lists accounts",
                                   hint="ask 'customer health by segment' instead")
        return self.services.health.scan(None if principal.role is Role.ADMIN else scope, as_of=as_of,
                                         propose=propose)

    def health_last_scan(self, principal: Principal) -> tuple[date, list[Finding]] | None:
        """The newest daily scan's findings on the accounts the asker may see (App Home shows them)."""
        scope = self.scope(principal)
        if scope.aggregates_only:
            return None
        return self.services.health.last_scan(scope)

    def health_backtest(self, principal: Principal, *, horizon_days: int = 90,
                        as_of: date | None = None) -> RiskBacktest:
        """The renewal-risk model against the usage-trend baseline on past renewals (company-wide figures)."""
        return self.services.health.backtest(horizon=horizon_days, as_of=as_of)

    def health_value_report(self, principal: Principal, account: str, *, propose: bool = True) -> ValueReport:
        """A draft value (ROI) summary for one account from its usage and a matching case-library story,
        proposed to the asker as an email draft (sent only after approval)."""
        from tools.health.value import value_report

        scope = self.scope(principal)
        svc = self.services
        indexed = (self.settings.resolved_home / "knowledge.db").exists()
        return value_report(svc.health, scope, account, knowledge=svc.knowledge if indexed else None,
                            ledger=svc.actions if propose else None, company=self.settings.company)

    def health_rules_check(self, principal: Principal, path: Path) -> str:
        """Validate a health.yaml or journey.yaml before installing it (one line naming the key if bad)."""
        from tools.health.rules import check_rules

        return check_rules(path)

    def health_rules_notes(self) -> list[str]:
        return self.services.health.rules.notes()

    def import_signals(self, principal: Principal, path: Path, mapping: str | Path = "generic") -> ImportReport:
        """Import usage, support-ticket and marketing-touch files through a signals mapping (admins)."""
        from knowledge.crm.signals_import import import_signals

        self.require_admin(principal, "import customer-health signals")
        return import_signals(self.services.crm, path, mapping)
