"""Sales ops' configuration files, edited without code: validated before they are installed, kept with a history.

Each kind of file (health weights, journey interventions, the call-summary template, the role-play rubric,
CRM import mappings) names its shipped default, where its override lives in the data home, and the
validator the product itself runs when it loads the file. ``save`` validates the text first, in a scratch
file named like the real one; a file that does not validate is refused with one line naming the key or the
line, and the file in force is never touched. Every accepted version is kept as
``$COPILOT_HOME/config_history/<kind>/<n>.yaml`` with ``<n>.json`` (who, when, note), so a change can be read
as a diff and any earlier version restored (restoring saves it again, as a new version).
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from copilot.core.domain import Principal
from copilot.core.errors import ConfigError, NotFound, UserError
from copilot.core.settings import REPO_ROOT

MAX_BYTES = 200_000


def _health(path: Path) -> str:
    from tools.health.rules import check_rules

    return check_rules(path)


def _risk(path: Path) -> str:
    from tools.forecast.risk import load_risk_rules

    r = load_risk_rules(path)
    return (f"stalled after {r.stall_days} days without activity; oversized above {r.oversize:g}x the rep's median "
            f"deal; fading watched in {', '.join(r.late_stages) or 'no stage'}")


def _summary(path: Path) -> str:
    from tools.calls.summarize import load_template

    tpl = load_template(path)
    bad = [i for i, s in enumerate(tpl["sections"]) if not isinstance(s, dict) or not s.get("id")]
    if bad:  # the summarizer reads each section's id (and title)
        raise ConfigError(f"{path.name} is invalid at 'sections.{bad[0]}': every section needs an 'id'",
                          hint="see prompts/call_summary.yaml")
    return f"{len(tpl['sections'])} sections: {', '.join(str(s['id']) for s in tpl['sections'])}"


def _rubric(path: Path) -> str:
    from tools.roleplay.scoring import load_rubric

    rubric = load_rubric(path)
    return (f"{len(rubric.checks)} checks in {len(rubric.groups)} groups "
            f"({', '.join(f'{g} {w:g}' for g, w in rubric.groups.items())}); pass mark {rubric.pass_mark:g}")


def _mapping(path: Path) -> str:
    from knowledge.crm.mapping import load_mapping

    m = load_mapping(path)
    return f"mapping {m.name!r} for {m.source}: {len(m.files)} tables ({', '.join(m.files)})"


@dataclass(frozen=True)
class Kind:
    """One kind of configuration file: ``home_path`` is relative to the data home, ``validate`` the
    product's own loader (raises a one-line ``UserError``; returns what the file holds, in words)."""

    name: str
    title: str
    shipped: Path
    home_path: str
    validate: Callable[[Path], str]
    effect: str


def _kinds() -> dict[str, Kind]:
    from knowledge.crm.mapping import SHIPPED as MAPPINGS
    from tools.forecast.risk import SHIPPED_RULES
    from tools.health.rules import SHIPPED as HEALTH

    kinds = [
        Kind("health", "Health and renewal-risk rules", HEALTH / "health.yaml", "health/health.yaml", _health,
             "health scores, bands and the daily scan read it on their next request"),
        Kind("journey", "Journey-stage interventions", HEALTH / "journey.yaml", "health/journey.yaml", _health,
             "the daily scan proposes these interventions from its next run"),
        Kind("risk", "Deal-risk rules (forecast)", SHIPPED_RULES, "config/risk_rules.yaml", _risk,
             "deals at risk and the interventions they suggest use it on their next request"),
        Kind("summary", "Call-summary template", REPO_ROOT / "prompts" / "call_summary.yaml",
             "config/call_summary.yaml", _summary, "the next call summarized uses it"),
        Kind("summary_zh", "Call-summary template for calls in Chinese", REPO_ROOT / "prompts" / "call_summary_zh.yaml",
             "config/call_summary_zh.yaml", _summary, "the next call in Chinese summarized uses it"),
        Kind("rubric", "Role-play rubric", REPO_ROOT / "prompts" / "roleplay_rubric.yaml",
             "config/roleplay_rubric.yaml", _rubric, "role-play sessions scored from now on use it"),
    ]
    for p in sorted(MAPPINGS.glob("*.yaml")):
        kinds.append(Kind(f"mapping-{p.stem}", f"CRM import mapping: {p.stem}", p, f"config/mappings/{p.stem}.yaml",
                          _mapping, f"'copilot import --mapping {p.stem}' uses it from the next import"))
    return {k.name: k for k in kinds}


@dataclass(frozen=True)
class Version:
    kind: str
    number: int  # 0 is the shipped default
    at: datetime | None
    by: str
    by_name: str
    note: str
    sha: str


class ConfigFiles:
    """The configuration files of one data home, their validation, history and restore."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.kinds = _kinds()
        self._lock = threading.Lock()

    def kind(self, name: str) -> Kind:
        kind = self.kinds.get(name)
        if kind is None:
            raise NotFound(f"no configuration named {name!r}", hint="one of: " + ", ".join(self.kinds))
        return kind

    def path(self, name: str) -> Path:
        """The file in force: the data home's override when there is one, else the shipped default."""
        kind = self.kind(name)
        override = self.home / kind.home_path
        return override if override.is_file() else kind.shipped

    def text(self, name: str) -> str:
        return self.path(name).read_text(encoding="utf-8")

    def is_custom(self, name: str) -> bool:
        return self.path(name) != self.kind(name).shipped

    def check(self, name: str, text: str) -> str:
        """Validate ``text`` as this kind of file with the product's own loader; returns what it holds."""
        kind = self.kind(name)
        if len(text.encode("utf-8")) > MAX_BYTES:
            raise UserError(f"{kind.shipped.name} is larger than {MAX_BYTES // 1000} kB", hint="shorten the file")
        if not text.strip():
            raise UserError(f"{kind.shipped.name} is empty", hint="paste the whole file, starting from the shipped one")
        with tempfile.TemporaryDirectory(prefix="copilot-config-") as tmp:
            scratch = Path(tmp) / kind.shipped.name  # named like the real file: some loaders go by the name
            scratch.write_text(text, encoding="utf-8")
            try:
                return kind.validate(scratch)
            except UserError as exc:  # the scratch path means nothing to the editor: name the file instead
                message = str(exc.message).replace(str(scratch), kind.shipped.name)
                raise type(exc)(message.splitlines()[0], hint=exc.hint) from None

    # -- history ----------------------------------------------------------------------------------------
    def _dir(self, name: str) -> Path:
        return self.home / "config_history" / name

    def history(self, name: str) -> list[Version]:
        """Every saved version, newest first, then the shipped default (version 0)."""
        kind = self.kind(name)
        out = []
        folder = self._dir(name)
        for meta in folder.glob("*.json") if folder.is_dir() else []:
            if not meta.stem.isdigit():
                continue
            data = json.loads(meta.read_text(encoding="utf-8"))
            out.append(Version(name, int(meta.stem), datetime.fromisoformat(data["at"]), data["by"],
                               data.get("by_name", data["by"]), data.get("note", ""), data.get("sha", "")))
        out.sort(key=lambda v: -v.number)
        shipped = kind.shipped.read_bytes()
        out.append(Version(name, 0, None, "", "", "shipped default", hashlib.sha256(shipped).hexdigest()[:12]))
        return out

    def version_text(self, name: str, number: int) -> str:
        kind = self.kind(name)
        if number == 0:
            return kind.shipped.read_text(encoding="utf-8")
        path = self._dir(name) / f"{number:04d}.yaml"
        if not path.is_file():
            raise NotFound(f"{name} has no version {number}", hint=f"see 'copilot config history {name}'")
        return path.read_text(encoding="utf-8")

    def diff(self, name: str, number: int) -> str:
        """What version ``number`` changed against the version before it (the shipped default for the first)."""
        older = [v.number for v in self.history(name) if v.number < number]
        before = self.version_text(name, older[0] if older else 0)
        after = self.version_text(name, number)
        return "".join(difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                            fromfile=f"{name} v{older[0] if older else 0}",
                                            tofile=f"{name} v{number}"))

    def save(self, name: str, text: str, by: Principal, note: str = "") -> Version:
        """Validate, then install atomically and keep the version. A refused text changes nothing."""
        kind = self.kind(name)
        self.check(name, text)
        text = text if text.endswith("\n") else text + "\n"
        with self._lock:
            folder = self._dir(name)
            folder.mkdir(parents=True, exist_ok=True)
            numbers = [int(p.stem) for p in folder.glob("*.yaml") if p.stem.isdigit()]
            number = max(numbers, default=0) + 1
            while True:  # O_EXCL: two workers saving at once get two numbers, never one file
                try:
                    fd = os.open(folder / f"{number:04d}.yaml", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
                    break
                except FileExistsError:
                    number += 1
            sha = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            target = self.home / kind.home_path
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".config-", suffix=".yaml")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, target)  # atomic: readers see the old file or the new one, never half of it
            at = datetime.now().replace(microsecond=0)
            meta = {"at": at.isoformat(), "by": by.user_id, "by_name": by.name, "note": note[:300], "sha": sha}
            (folder / f"{number:04d}.json").write_text(json.dumps(meta), encoding="utf-8")
        return Version(name, number, at, by.user_id, by.name, note[:300], sha)

    def restore(self, name: str, number: int, by: Principal) -> Version:
        """Install an earlier version again (validated again: the product's rules may have moved on)."""
        return self.save(name, self.version_text(name, number), by, note=f"restored version {number}")
