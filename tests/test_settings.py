import pytest

from copilot.core.errors import ConfigError
from copilot.core.settings import load_settings


def test_defaults_point_under_home(tmp_path):
    s = load_settings(home=tmp_path)
    assert s.crm_url == f"sqlite:///{tmp_path.resolve() / 'crm.db'}"
    assert s.llm == "none"


def test_env_prefix_is_read(monkeypatch, tmp_path):
    monkeypatch.setenv("COPILOT_HOME", str(tmp_path / "x"))
    monkeypatch.setenv("COPILOT_LLM", "openai:gpt-4o-mini")
    s = load_settings()
    assert s.resolved_home == (tmp_path / "x").resolve()
    assert s.llm == "openai:gpt-4o-mini"


@pytest.mark.parametrize(
    ("env", "value", "needle"),
    [
        ("COPILOT_LLM_TIMEOUT", "-3", "COPILOT_LLM_TIMEOUT"),
        ("COPILOT_DATABASE_URL", "crm.db", "SQLAlchemy URL"),
        ("COPILOT_SPEECH_THREADS", "lots", "COPILOT_SPEECH_THREADS"),
        ("COPILOT_LLM", " ", "COPILOT_LLM"),
    ],
)
def test_bad_settings_name_the_variable_and_fix(monkeypatch, env, value, needle):
    monkeypatch.setenv(env, value)
    with pytest.raises(ConfigError) as err:
        load_settings()
    assert needle in str(err.value)


def test_unknown_provider_lists_choices(tmp_path):
    from copilot.core.embeddings import build_embedder
    from copilot.core.llm import build_chat_model

    with pytest.raises(ConfigError, match="choose one of"):
        build_chat_model(load_settings(home=tmp_path, llm="anthropic:claude"))
    with pytest.raises(ConfigError, match="COPILOT_EMBEDDINGS"):
        build_embedder(load_settings(home=tmp_path, embeddings="word2vec"))


def test_a_copy_with_another_home_uses_that_home(tmp_path):
    """The eval's throwaway copies (evals.runner.home_copy) change only the home: the copy must not keep the first
    home's resolved path, or the safety suite's injected records land in the home under test."""
    from copilot.app import Copilot
    from evals.runner import home_copy

    s = load_settings(home=tmp_path / "one", llm="none", embeddings="hash")
    assert s.resolved_home == (tmp_path / "one").resolve()
    c = s.model_copy(update={"home": tmp_path / "two"})
    assert c.resolved_home == (tmp_path / "two").resolve() and str(tmp_path / "two") in c.crm_url
    cp = Copilot(s)
    try:
        with home_copy(cp)() as (clone, _):
            assert clone.settings.resolved_home != cp.settings.resolved_home
            assert clone.settings.crm_url != cp.settings.crm_url
    finally:
        cp.close()
