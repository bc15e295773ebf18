"""The health rules as validated YAML: component weights and parameters (``health.yaml``) and journey-stage
interventions (``journey.yaml``).

Shipped defaults live beside this module (``defaults/``); a data home may override either file
(``$COPILOT_HOME/health/<file>``). ``RuleBook`` rereads a file when its content changes. A file that does not
validate is refused with one line naming the key; the rules in force before it stay in force, and the
refusal is reported with every answer until the file is fixed.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from copilot.core.errors import ConfigError
from copilot.core.yaml_files import load_validated

SHIPPED = Path(__file__).parent / "defaults"
Component = Literal["usage", "features", "support", "engagement"]
COMPONENTS: tuple[Component, ...] = ("usage", "features", "support", "engagement")
Stage = Literal["evaluation", "trial", "onboarding", "adoption", "renewal"]
STAGES: tuple[Stage, ...] = ("evaluation", "trial", "onboarding", "adoption", "renewal")
Signal = Literal["usage_drop", "low_utilization", "feature_stagnation", "support_spike", "silence",
                 "silence_after_event", "no_recent_checkin", "renewal_due", "renewal_risk", "expansion_ready",
                 "trial_inactive", "pricing_interest", "health_drop"]
ActionKind = Literal["email", "task", "meeting", "check_in"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UsageRules(_Strict):
    good_utilization: float = Field(default=0.7, gt=0, le=1)
    trend_weeks: int = Field(default=8, ge=1, le=52)
    drop_penalty: float = Field(default=150, ge=0)


class FeatureRules(_Strict):
    good_breadth: int = Field(default=6, ge=1)
    stagnation_weeks: int = Field(default=8, ge=1)


class SupportRules(_Strict):
    window_days: int = Field(default=90, ge=7)
    slow_response_hours: float = Field(default=24, gt=0)
    per_ticket_per_100_seats: float = Field(default=6, ge=0)
    per_severe_ticket: float = Field(default=10, ge=0)
    per_slow_response: float = Field(default=4, ge=0)


class EngagementRules(_Strict):
    silence_days: int = Field(default=45, ge=1)
    window_days: int = Field(default=90, ge=7)


class Bands(_Strict):
    healthy: float = Field(default=70, ge=0, le=100)
    watch: float = Field(default=50, ge=0, le=100)

    @model_validator(mode="after")
    def _ordered(self) -> Bands:
        if self.watch > self.healthy:
            raise ValueError("watch must not be above healthy")
        return self


class ScanRules(_Strict):
    compare_days: int = Field(default=30, ge=1)
    drop_points: float = Field(default=10, gt=0)
    silence_after_event_days: int = Field(default=14, ge=1)
    checkin_before_renewal_days: int = Field(default=90, ge=1)
    checkin_recent_days: int = Field(default=30, ge=1)


class StageRules(_Strict):
    onboarding_days: int = Field(default=120, ge=1, description="a customer is onboarding this long after the first win")
    trial_days: int = Field(default=45, ge=1, description="a trial sign-up counts this long")


class HealthRules(_Strict):
    weights: dict[Component, float]
    usage: UsageRules = Field(default_factory=UsageRules)
    features: FeatureRules = Field(default_factory=FeatureRules)
    support: SupportRules = Field(default_factory=SupportRules)
    engagement: EngagementRules = Field(default_factory=EngagementRules)
    bands: Bands = Field(default_factory=Bands)
    scan: ScanRules = Field(default_factory=ScanRules)
    stages: StageRules = Field(default_factory=StageRules)

    @model_validator(mode="after")
    def _weights(self) -> HealthRules:
        for name, w in self.weights.items():
            if w < 0:
                raise ValueError(f"weights.{name}: must not be negative, got {w}")
        if sum(self.weights.values()) <= 0:
            raise ValueError("weights: at least one weight must be above 0")
        return self

    def weight(self, component: str) -> float:
        total = sum(self.weights.values())
        return self.weights.get(component, 0.0) / total  # type: ignore[call-overload]

    def band(self, score: float) -> str:
        return "healthy" if score >= self.bands.healthy else "watch" if score >= self.bands.watch else "at risk"


class Intervention(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,79}$")
    when: list[Signal] = Field(min_length=1)
    action: ActionKind
    within_days: int = Field(ge=0, le=90)
    title: str = Field(min_length=3, max_length=200)


class JourneyRules(_Strict):
    stages: dict[Stage, list[Intervention]]

    @model_validator(mode="after")
    def _unique(self) -> JourneyRules:
        seen: set[str] = set()
        for stage, rules in self.stages.items():
            for r in rules:
                if r.id in seen:
                    raise ValueError(f"stages.{stage}: rule id {r.id!r} is used twice")
                seen.add(r.id)
        return self


FILES: dict[str, type[BaseModel]] = {"health.yaml": HealthRules, "journey.yaml": JourneyRules}


def parse_rules(path: Path, model: type[BaseModel]) -> Any:
    """Validate one rules file; a problem is one ConfigError naming the file and the key."""
    return load_validated(path, model, see=SHIPPED / path.name)


class RuleBook:
    """The rules in force: the override in ``home`` when present and valid, else the shipped defaults."""

    def __init__(self, home: Path | None) -> None:
        self.home = home
        self._lock = threading.Lock()
        self._loaded: dict[str, tuple[tuple[str, str | None], Any]] = {}
        self.errors: dict[str, str] = {}

    def path(self, name: str) -> Path:
        override = self.home / name if self.home else None
        return override if override is not None and override.exists() else SHIPPED / name

    def _get(self, name: str) -> Any:
        path = self.path(name)
        try:
            stamp: str | None = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            stamp = None
        with self._lock:
            held = self._loaded.get(name)
            key = (str(path), stamp)
            if held is not None and held[0] == key:
                return held[1]
            try:
                value = parse_rules(path, FILES[name])
            except ConfigError as exc:
                self.errors[name] = str(exc)
                if held is None:  # nothing in force yet: the shipped defaults are
                    value = parse_rules(SHIPPED / name, FILES[name])
                    self._loaded[name] = (key, value)
                    return value
                self._loaded[name] = (key, held[1])  # keep what was in force; report until fixed
                return held[1]
            self.errors.pop(name, None)
            self._loaded[name] = (key, value)
            return value

    @property
    def health(self) -> HealthRules:
        rules: HealthRules = self._get("health.yaml")
        return rules

    @property
    def journey(self) -> JourneyRules:
        rules: JourneyRules = self._get("journey.yaml")
        return rules

    def notes(self) -> list[str]:
        """One line per refused file, to show with answers until it is fixed (both files are looked at first)."""
        for name in FILES:
            self._get(name)
        return [f"rules file refused, previous rules still in force: {e}" for e in self.errors.values()]


def check_rules(path: Path) -> str:
    """Validate a rules file by its name (health.yaml or journey.yaml); returns what it holds in words."""
    model = FILES.get(path.name)
    if model is None:
        raise ConfigError(f"{path.name} is not a health rules file", hint="name it health.yaml or journey.yaml")
    parsed = parse_rules(path, model)
    if isinstance(parsed, HealthRules):
        return "weights " + ", ".join(f"{c} {parsed.weight(c):.0%}" for c in COMPONENTS)
    return f"{sum(len(r) for r in parsed.stages.values())} rules over {len(parsed.stages)} stages"
