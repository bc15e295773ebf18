"""The provider registry: every LLM, embeddings and speech provider is a registered ``Provider`` entry.

A ``"provider:model"`` setting is resolved here, in one place, against the registry; the registry is also
the list of choices settings validation shows (DESIGN.md section 3). There is no other list.

Plugins are modules with a ``register_providers(register)`` function. The built-ins are plugins like any
other (as simonw/llm's ``default_plugins``): ``BUILTIN_PLUGINS`` names them and they are loaded by name
on first use, then any module installed under the ``ENTRY_POINT_GROUP`` entry point. Loading by name keeps
this module below the plugins: they import it, it never imports them::

    def register_providers(register):
        register(Provider("llm", "acme", "Acme's hosted models", acme_chat_model,
                          example="acme:<model>", needs_model=True, package="acme-sdk", module="acme"))
"""

from __future__ import annotations

import importlib
import importlib.util
import threading
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any, Literal

from copilot.core.errors import ConfigError, ProviderError

if TYPE_CHECKING:  # type only: settings reads its choices from here
    from copilot.core.settings import Settings

Kind = Literal["llm", "embeddings", "speech"]
SETTING: dict[Kind, str] = {"llm": "COPILOT_LLM", "embeddings": "COPILOT_EMBEDDINGS", "speech": "COPILOT_SPEECH"}
BUILTIN_PLUGINS = ("copilot.core.llm", "copilot.core.embeddings", "copilot.core.speech")
ENTRY_POINT_GROUP = "sales_copilot.providers"


@dataclass(frozen=True)
class ProviderId:
    provider: str
    model: str

    def __str__(self) -> str:
        return f"{self.provider}:{self.model}" if self.model else self.provider


@dataclass(frozen=True)
class Provider:
    """One choice for a provider setting. ``factory(pid, settings, **options)`` builds it.

    ``example`` is how the choice is written in settings; ``needs_model`` says the part after the colon is
    required; ``package`` (pip name) and ``module`` (import name) are an optional dependency it needs.
    """

    kind: Kind
    id: str
    description: str
    factory: Callable[..., Any]
    example: str = ""
    needs_model: bool = False
    package: str | None = None
    module: str | None = None

    def choice(self) -> str:
        return f"'{self.example or self.id}' ({self.description})"


class Registry:
    def __init__(self) -> None:
        self._entries: dict[tuple[Kind, str], Provider] = {}

    def register(self, provider: Provider) -> None:
        key = (provider.kind, provider.id.lower())
        if key in self._entries:
            raise ConfigError(f"two plugins register the {provider.kind} provider {provider.id!r}",
                              hint="uninstall one of them")
        self._entries[key] = provider

    def choices(self, kind: Kind) -> list[Provider]:
        return [p for (k, _), p in self._entries.items() if k == kind]

    def describe(self, kind: Kind) -> str:
        return "choose one of " + ", ".join(p.choice() for p in self.choices(kind))

    def problem(self, kind: Kind, value: str) -> str | None:
        """Why ``value`` is not a valid choice for ``kind`` (the fix included), or None."""
        pid = parse_provider(value)
        if not pid.provider:
            return f"must not be empty; {self.describe(kind)}"
        entry = self._entries.get((kind, pid.provider))
        if entry is None:
            return f"unknown provider {pid.provider!r}; {self.describe(kind)}"
        if entry.needs_model and not pid.model:
            return f"{pid.provider!r} needs a model after the colon, e.g. {entry.example}"
        return None

    def resolve(self, kind: Kind, value: str) -> tuple[Provider, ProviderId]:
        why = self.problem(kind, value)
        if why:
            raise ConfigError(f"{SETTING[kind]}={value!r}: {why}")
        pid = parse_provider(value)
        return self._entries[(kind, pid.provider)], pid

    def build(self, kind: Kind, value: str, settings: Settings, **options: Any) -> Any:
        """The provider ``value`` names, built from ``settings``; raises one error naming the fix."""
        entry, pid = self.resolve(kind, value)
        if entry.module and importlib.util.find_spec(entry.module) is None:
            raise ProviderError(f"{SETTING[kind]}={value} needs the package '{entry.package or entry.module}'",
                                hint=f"pip install {entry.package or entry.module}")
        return entry.factory(pid, settings, **options)


def parse_provider(value: str) -> ProviderId:
    """Split ``provider:model``; the provider part is case-insensitive."""
    provider, _, model = value.strip().partition(":")
    return ProviderId(provider.strip().lower(), model.strip())


def load_plugins(registry: Registry, names: tuple[str, ...] = BUILTIN_PLUGINS) -> Registry:
    """Let each plugin module register its providers: the built-ins by name, then entry points."""
    for name in names:
        importlib.import_module(name).register_providers(registry.register)
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        ep.load().register_providers(registry.register)
    return registry


_REGISTRY: Registry | None = None
_LOCK = threading.Lock()


def registry() -> Registry:
    """The process's registry, with every plugin loaded on first use."""
    global _REGISTRY
    with _LOCK:
        if _REGISTRY is None:
            _REGISTRY = load_plugins(Registry())
        return _REGISTRY


def require(module: str, *, package: str, purpose: str) -> object:
    """Import an optional dependency or raise one error that names what to install."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ProviderError(f"{purpose} needs the package '{package}'", hint=f"pip install {package}") from exc
