"""Sales ops' configuration in Slack (admins): ``/copilot config`` lists the files, ``config show KIND`` prints
the one in force, ``config validate KIND <yaml>`` checks pasted YAML with the product's own loader (nothing is
installed from Slack: edits go through the web page, the CLI or the API, which keep the history), and
``config history KIND`` lists the versions."""

from __future__ import annotations

from copilot.app import Copilot
from copilot.core.domain import Principal

USAGE = "Try `/copilot config`, `config show health`, `config validate health <yaml>` or `config history health`."


def config_text(cp: Copilot, principal: Principal, rest: str) -> str:
    verb, _, tail = rest.strip().partition(" ")
    kind, _, text = tail.strip().partition("\n") if "\n" in tail.strip() else tail.strip().partition(" ")
    verb, kind, text = verb.lower(), kind.strip(), text.strip().strip("`").removeprefix("yaml\n")
    if verb in ("", "list"):
        return "*Configuration files* (edit them on the web page or with `copilot config set`)\n" + "\n".join(
            f"• `{k.name}`: {k.title}, {'edited' if custom else 'shipped default'}"
            for k, custom in cp.config_kinds(principal))
    if verb == "show" and kind:
        return f"*{kind}* (in force)\n```{cp.config_show(principal, kind)[:3300]}```"
    if verb == "validate" and kind:
        if not text:
            return "Paste the YAML after the name: `/copilot config validate health <yaml>`."
        return f":white_check_mark: valid: {cp.config_validate(principal, kind, text)} (nothing was installed)"
    if verb == "history" and kind:
        return f"*{kind}*: versions, newest first\n" + "\n".join(
            f"• {v.number}: {v.at or 'shipped'} {v.by_name} {v.note}".rstrip()
            for v in cp.config_history(principal, kind)[:20])
    return USAGE
