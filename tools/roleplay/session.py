"""Role-play sessions and the service that starts, continues, scores and reports them.

``RoleplaySession.reply(text) -> BuyerTurn`` and ``finish() -> Score`` are the whole conversation API; the
CLI loop, the agent tool and Slack DMs all use it. Each reply is persisted, so any process can continue a
session by id (``RoleplayService.resume``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from copilot.core.chat import ChatModel
from copilot.core.domain import Principal
from copilot.core.embeddings import Embedder
from copilot.core.errors import NotFound, UserError
from copilot.core.visibility import Scope
from knowledge.crm.store import CrmStore
from tools.roleplay.classify import TurnClassifier
from tools.roleplay.llm_buyer import LlmBuyerVoice
from tools.roleplay.personas import Persona, load_personas
from tools.roleplay.report import build_report
from tools.roleplay.scenarios import scenario_from_call, scenario_from_deal
from tools.roleplay.scoring import Score, Scorer, load_rubric
from tools.roleplay.simulator import BuyerSimulator, BuyerState, BuyerTurn, is_seller_line
from tools.roleplay.store import RoleplayStore
from tools.roleplay.transcript import Turn, format_transcript, parse_transcript, turns_from_segments

Searcher = Callable[[str], list[str]]  # query -> passages of text (e.g. knowledge search hits)


class RoleplaySession:
    def __init__(self, service: RoleplayService, *, session_id: str, persona: Persona, trainee: Principal | None,
                 trainee_id: str, team_id: str | None, state: BuyerState, turns: list[Turn],
                 status: str = "active", started_at: datetime | None = None) -> None:
        self.service = service
        self.id = session_id
        self.persona = persona
        self.trainee_id = trainee_id
        self.team_id = team_id
        self.state = state
        self.turns = turns
        self.status = status
        self.started_at = started_at or datetime.now()
        self.sim = BuyerSimulator(persona, seed=session_id)
        self.score_result: Score | None = None

    @property
    def opening(self) -> str:
        return self.turns[0].text if self.turns and self.turns[0].speaker == "customer" else self.persona.opening

    @property
    def ended(self) -> bool:
        return self.state.ended or self.status == "finished"

    @property
    def transcript_path(self) -> Path:
        return self.service.home / "roleplay" / f"{self.id}.txt"

    def reply(self, trainee_text: str) -> BuyerTurn:
        """The buyer's answer to one trainee turn; the session is saved after every turn."""
        text = (trainee_text or "").strip()
        if not text:
            raise UserError("say something to the buyer", hint="type a line, or /end to finish")
        if self.ended:
            raise UserError(f"session {self.id} has ended", hint="score it with finish(), or start a new one")
        act = self.service.classifier.classify(text, competitors=[self.persona.competitor])
        turn = self.sim.step(self.state, act, text)
        self.turns.append(Turn(speaker="rep", text=text))
        voice = self.service.voice
        if voice is not None:
            turn = turn.model_copy(update={"text": voice.speak(self.persona, self.state, turn, self.turns)})
        if is_seller_line(turn.text, self.service.company):  # belt and braces: the bank is checked by tests too
            turn = turn.model_copy(update={"text": "Go on."})
        self.turns.append(Turn(speaker="customer", text=turn.text))
        self.save()
        return turn

    def finish(self) -> Score:
        """End the call (if the buyer has not), score it, store the score and the transcript."""
        if self.score_result is not None:
            return self.score_result
        if not self.state.ended:
            self.state.ended, self.state.outcome = True, "trainee_ended"
        already = self.status == "finished"  # finished in an earlier process: re-score, store once
        self.status = "finished"
        score = self.service.scorer.score(self.turns, persona=self.persona)
        self.score_result = score
        if already:
            return score
        self.save()
        self.service.store.add_score(trainee_id=self.trainee_id, team_id=self.team_id, scenario_id=self.persona.id,
                                     score=score.score, passed=score.passed,
                                     checks={c.id: c.passed for c in score.checks}, source="roleplay",
                                     session_id=self.id)
        self.score_result = score
        return score

    def save(self) -> None:
        path = self.transcript_path
        path.parent.mkdir(parents=True, exist_ok=True)
        header = f"# Role-play {self.id}: {self.persona.title} ({self.persona.name}, {self.persona.role})\n"
        path.write_text(header + format_transcript(self.turns), encoding="utf-8")
        self.service.store.save_session({
            "id": self.id, "trainee_id": self.trainee_id, "team_id": self.team_id, "scenario_id": self.persona.id,
            "persona": self.persona.model_dump(mode="json"), "state": self.state.model_dump(mode="json"),
            "turns": [t.model_dump(mode="json") for t in self.turns], "status": self.status,
            "mode": "llm" if self.service.voice else "offline", "started_at": self.started_at,
            "updated_at": datetime.now(), "transcript_path": str(path)})


class RoleplayService:
    """Built once by the facade with its dependencies; no settings are read here."""

    def __init__(self, *, crm: CrmStore, embedder: Embedder, library_dir: Path, rubric_path: Path, home: Path,
                 chat_model: ChatModel | None = None, buyer_prompt: Path | None = None,
                 searcher: Searcher | None = None, company: str = "") -> None:
        self.crm = crm
        self.home = home
        self.library_dir = library_dir  # persona cards (COPILOT_PERSONA_DIR); a missing folder means none yet
        self.company = company  # the seller's name (COPILOT_COMPANY): the buyer never speaks for it
        self.classifier = TurnClassifier(embedder, company=company)
        self.rubric = load_rubric(rubric_path)
        self.searcher = searcher
        self.scorer = Scorer(self.rubric, self.classifier, examples=self._example)
        self.store = RoleplayStore(crm.engine)
        self.voice = LlmBuyerVoice(chat_model, buyer_prompt) if chat_model is not None and buyer_prompt else None
        self._library: dict[str, Persona] | None = None

    @property
    def library(self) -> dict[str, Persona]:
        if self._library is None:
            self._library = load_personas(self.library_dir) if self.library_dir.is_dir() else {}
        return self._library

    def scenarios(self) -> list[Persona]:
        return list(self.library.values())

    def scenario(self, scenario_id: str, scope: Scope | None = None) -> Persona:
        """A library card by id, or ``deal:<id>`` / ``call:<id>`` built from the CRM (needs a scope)."""
        kind, _, ref = scenario_id.partition(":")
        if kind in ("deal", "call") and ref:
            if scope is None:
                raise UserError("a CRM-based scenario needs to know who is practising", hint="pass --as USER")
            build = scenario_from_deal if kind == "deal" else scenario_from_call
            return build(self.crm, scope, ref, self.library)
        if scenario_id not in self.library:
            raise NotFound(f"no scenario {scenario_id!r}",
                           hint="'copilot roleplay list' shows them; or use deal:<id> / call:<id>" if self.library
                           else f"no persona cards in {self.library_dir}: add some there (or set "
                                "COPILOT_PERSONA_DIR), or use deal:<id> / call:<id>")
        return self.library[scenario_id]

    def start(self, scenario_id: str, principal: Principal, scope: Scope | None = None) -> RoleplaySession:
        persona = self.scenario(scenario_id, scope)
        sid = "rp-" + uuid.uuid4().hex[:10]
        sim = BuyerSimulator(persona, seed=sid)
        session = RoleplaySession(self, session_id=sid, persona=persona, trainee=principal,
                                  trainee_id=principal.user_id, team_id=principal.team_id, state=sim.new_state(),
                                  turns=[Turn(speaker="customer", text=sim.opening())])
        session.save()
        return session

    def resume(self, session_id: str, scope: Scope) -> RoleplaySession:
        row = self.store.get_session(session_id, scope)
        return RoleplaySession(self, session_id=row.id, persona=Persona(**row.persona), trainee=None,
                               trainee_id=row.trainee_id, team_id=row.team_id, state=BuyerState(**row.state),
                               turns=[Turn(**t) for t in row.turns], status=row.status, started_at=row.started_at)

    def score_text(self, text: str, *, principal: Principal | None = None, scenario_id: str | None = None,
                   rep_names: set[str] | None = None) -> Score:
        """Score a finished transcript (role-play or real call); stored for the principal when given."""
        turns = parse_transcript(text, rep_names=rep_names)
        if not any(t.speaker == "rep" for t in turns) or not any(t.speaker == "customer" for t in turns):
            raise UserError("the transcript needs both a rep and a customer speaking",
                            hint="label turns 'Rep:' and 'Customer:'")
        persona = self.library.get(scenario_id) if scenario_id else None
        score = self.scorer.score(turns, persona=persona)
        if principal is not None:
            self.store.add_score(trainee_id=principal.user_id, team_id=principal.team_id, scenario_id=scenario_id,
                                 score=score.score, passed=score.passed,
                                 checks={c.id: c.passed for c in score.checks}, source="transcript")
        return score

    def score_call(self, call_id: str, principal: Principal, scope: Scope) -> Score:
        """Score a real call from the CRM (read through ``scope``) with the same rubric; stored for its owner."""
        from knowledge.crm.models import Call, User

        with self.crm.session() as s:
            call = s.get(Call, call_id)
            if call is None or not scope.records_allowed or not scope.allows(call.owner_id, call.team_id):
                raise NotFound(f"no call {call_id!r} visible to you", hint="'copilot call list' shows your calls")
            owner = s.get(User, call.owner_id) if call.owner_id else None
            segments, owner_id, team_id = list(call.transcript or []), call.owner_id, call.team_id
        turns = turns_from_segments(segments, rep_names={owner.name} if owner else None)
        persona = next((p for p in self.scenarios() if p.id == f"call:{call_id}"), None)
        score = self.scorer.score(turns, persona=persona)
        self.store.add_score(trainee_id=owner_id or principal.user_id, team_id=team_id, scenario_id=f"call:{call_id}",
                             score=score.score, passed=score.passed, checks={c.id: c.passed for c in score.checks},
                             source="call")
        return score

    def report(self, principal: Principal, scope: Scope, *, trainee_id: str | None = None) -> dict[str, Any]:
        rows = self.store.scores(scope, trainee_id=trainee_id)
        return build_report(principal, rows, self.rubric, self.scenarios())

    def _example(self, check_id: str, persona: Persona | None) -> tuple[str, str] | None:
        """An example rep line for a check: case-library search first, then the persona cards."""
        tag = f"[{check_id}]"
        if self.searcher is not None:
            check = self.rubric.check(check_id)
            try:
                passages = self.searcher(f"example rep line {check.label}")
            except Exception:  # noqa: BLE001 - search is optional; fall back to the cards
                passages = []
            for passage in passages:
                for line in passage.splitlines():
                    if tag in line:
                        return line.split(tag, 1)[1].strip().strip('"'), "case library search"
        cards = ([persona] if persona else []) + [p for p in self.scenarios() if persona is None or p.id != persona.id]
        for card in cards:
            if card.example_lines.get(check_id):
                return card.example_lines[check_id][0], card.source
        return None
