"""One resolver for ``"provider:model"`` strings (DESIGN.md section 3)."""

from __future__ import annotations

from dataclasses import dataclass

from copilot.core.errors import ConfigError, ProviderError


@dataclass(frozen=True)
class ProviderId:
    provider: str
    model: str

    def __str__(self) -> str:
        return f"{self.provider}:{self.model}" if self.model else self.provider


def parse_provider(value: str, *, setting: str, known: dict[str, str]) -> ProviderId:
    """Split ``provider:model``; ``known`` maps each accepted provider to a one-line description."""
    provider, _, model = value.partition(":")
    provider = provider.strip().lower()
    if provider not in known:
        choices = ", ".join(f"'{k}' ({v})" for k, v in known.items())
        raise ConfigError(f"{setting}={value!r}: unknown provider {provider!r}; choose one of {choices}")
    return ProviderId(provider, model.strip())


def require(module: str, *, package: str, purpose: str) -> object:
    """Import an optional dependency or raise one error that names what to install."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ProviderError(f"{purpose} needs the package '{package}'", hint=f"pip install {package}") from exc
