"""The demo company stays out of the product.

No Python module, prompt or YAML outside ``demo/`` and ``tests/`` names the demo's company, its accounts,
people, competitors or products; the names are read from the demo package itself, so the list stays current.
The installed package holds no demo, and ``copilot init --demo`` from an installed copy says so in one line.
"""

from __future__ import annotations

import re
import sys
import tomllib
from fnmatch import fnmatch
from pathlib import Path

from typer.testing import CliRunner

from copilot.core.settings import REPO_ROOT

# Where product code, prompts and configuration live. Eval datasets (evals/datasets/) are data about the
# demo and may name it; eval modules may not.
SCANNED = {"copilot": ("*.py", "*.md", "*.yaml", "*.yml"), "tools": ("*.py", "*.md", "*.yaml", "*.yml"),
           "knowledge": ("*.py", "*.md", "*.yaml", "*.yml"), "integrations": ("*.py", "*.md", "*.yaml", "*.yml"),
           "prompts": ("*.py", "*.md", "*.yaml", "*.yml", "*.txt", "*.j2"), "evals": ("*.py",),
           "bench": ("*.py", "*.md", "*.yaml", "*.yml"), "scripts": ("*.py", "*.md", "*.yaml", "*.yml", "*.sh")}
SCANNED_TOP = {"evals": ("*.yaml", "*.yml")}  # evals/thresholds.yaml, but not evals/datasets/


def demo_names() -> set[str]:
    """The demo's company, domain, products, competitors, people and accounts, from the demo package."""
    from demo.catalog import COMPANY, COMPETITORS, DOMAIN, NAMED_ACCOUNTS, PEOPLE, PRODUCTS
    from demo.library import PERSONA_DIR, load_stories
    from tools.roleplay.personas import load_personas

    names = {COMPANY, DOMAIN, DOMAIN.split(".")[0], COMPANY.split()[0], *PRODUCTS, *COMPETITORS}
    names |= {p.name for p in PEOPLE}
    for acct in NAMED_ACCOUNTS:
        names |= {acct.name, acct.contact.name, acct.deal_name, acct.name.split()[0]}
    for story in load_stories():
        names |= {story.account, story.champion, story.account.split()[0]}
    for card in load_personas(PERSONA_DIR).values():
        names |= {card.name, card.company, card.company.split()[0]}
    return {n for n in names if len(n) >= 4}


def name_pattern(names: set[str]) -> re.Pattern[str]:
    """A name as its words in order with any punctuation between them ("Vantage IQ", "vantage_iq",
    "vantage-iq"), case-insensitively, never inside a longer word ("Alder" is not in "Alderman")."""
    forms = sorted((r"[\W_]*".join(map(re.escape, re.findall(r"[^\W_]+", n))) for n in names), key=len, reverse=True)
    return re.compile(r"(?<![^\W_])(?:" + "|".join(forms) + r")(?![^\W_])", re.I)


def scanned_files() -> list[Path]:
    files: set[Path] = set()
    for folder, globs in SCANNED.items():
        for glob in globs:
            files |= {p for p in (REPO_ROOT / folder).rglob(glob) if "__pycache__" not in p.parts}
    for folder, globs in SCANNED_TOP.items():
        for glob in globs:
            files |= set((REPO_ROOT / folder).glob(glob))
    return sorted(files)


def test_the_name_list_comes_from_the_demo_and_is_not_empty():
    names = demo_names()
    assert {"Skylark Data", "Kestrel Manufacturing", "Brightwell Health", "OpsHawk", "Vantage IQ",
            "ClearSignal", "Dana Whitfield", "Skylark Observe"} <= names
    assert len(names) > 40


def searchable(line: str) -> str:
    """Escapes such as ``\\b`` or ``\\n`` before a name ("\\bskylark\\b" in a regex) would hide it."""
    return re.sub(r"\\[A-Za-z]", " ", line)


def test_no_demo_name_outside_demo_and_tests():
    pattern = name_pattern(demo_names())
    found = []
    for path in scanned_files():
        for no, line in enumerate(path.read_text(encoding="utf-8", errors="ignore").splitlines(), 1):
            for m in pattern.finditer(searchable(line)):
                found.append(f"{path.relative_to(REPO_ROOT)}:{no}: {m.group(0)!r} in {line.strip()[:100]!r}")
    assert found == [], "the demo company's names belong in demo/ (or come from settings and data):\n" + "\n".join(found)


def test_the_guard_would_catch_a_demo_name():
    pattern = name_pattern(demo_names())
    for text in ("how do we compare to Vantage IQ?", r"\bopshawk\b", "sam.okafor@skylarkdata.com", "kestrel-pricing",
                 "The champion is Dana Whitfield [S3]."):
        assert pattern.search(searchable(text)), text
    for text in ("the Alderman account", "an opshawkish tool", "our company"):
        assert not pattern.search(text), text


def test_the_installed_package_holds_no_demo():
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    setuptools = project["tool"]["setuptools"]
    assert not any(fnmatch(name, pattern) for pattern in setuptools["packages"]["find"]["include"]
                   for name in ("demo", "demo.build", "demo.calls"))
    assert not any(p.endswith(".ogg") for globs in setuptools["package-data"].values() for p in globs)
    assert not (REPO_ROOT / "copilot" / "demo").exists()


def test_init_demo_from_an_installed_copy_says_so_in_one_line(tmp_path, monkeypatch):
    import copilot.core.settings as settings_module
    from integrations.cli.main import app

    monkeypatch.setitem(sys.modules, "demo.build", None)  # an installed copy: no demo package to import
    monkeypatch.setattr(settings_module, "REPO_ROOT", tmp_path)  # ... and no checkout beside it
    monkeypatch.setenv("COPILOT_HOME", str(tmp_path / "home"))
    result = CliRunner().invoke(app, ["init", "--demo"])
    assert result.exit_code == 1
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and "demo company is not part of an installed copy" in lines[0]
    assert "clone the repository" in lines[0]
    assert not (tmp_path / "home").exists()  # refused before anything was created

