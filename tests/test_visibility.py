"""The one visibility rule, for each role, as filters on CRM queries and on knowledge-store metadata."""

from __future__ import annotations

import pytest
from crm_seed import seed_small_crm
from sqlalchemy import select
from tests_support import make_settings_for

from copilot.app import Copilot
from copilot.core.domain import Principal, Role
from copilot.core.errors import NotFound, UserError
from copilot.core.visibility import scope_for
from knowledge.crm.models import Deal
from knowledge.crm.scoping import apply_scope


@pytest.fixture
def cp(tmp_path):
    cp = Copilot(make_settings_for(tmp_path))
    seed_small_crm(cp.services.crm)
    yield cp
    cp.close()


def visible_deals(cp, who):
    scope = cp.scope(cp.principal(who))
    with cp.services.crm.session() as s:
        return sorted(s.scalars(apply_scope(select(Deal.id), scope, Deal)))


@pytest.mark.parametrize(("who", "expected"), [
    ("r-ann", ["D-1", "D-2"]),            # rep: own deals
    ("r-cara", ["D-3"]),
    ("m-east", ["D-1", "D-2", "D-4"]),    # manager: the team's deals
    ("m-west", ["D-3"]),
    ("x-eve", []),                        # exec: aggregates only, no rows
    ("admin", ["D-1", "D-2", "D-3", "D-4"]),
])
def test_crm_rows_per_role(cp, who, expected):
    assert visible_deals(cp, who) == expected


def test_scope_filters_knowledge_metadata_the_same_way():
    rep = Principal(user_id="r-ann", name="Ann", role=Role.REP, team_id="east")
    mgr = Principal(user_id="m-east", name="Maria", role=Role.MANAGER, team_id="east")
    exe = Principal(user_id="x", name="Eve", role=Role.EXEC)
    shared = {"owner": "", "team": ""}
    own = {"owner": "r-ann", "team": "east"}
    teammate = {"owner": "r-bob", "team": "east"}
    other = {"owner": "r-cara", "team": "west"}
    r, m, e = scope_for(rep), scope_for(mgr, frozenset({"r-ann", "r-bob"})), scope_for(exe)
    assert [r.allows_metadata(x) for x in (shared, own, teammate, other)] == [True, True, False, False]
    assert [m.allows_metadata(x) for x in (shared, own, teammate, other)] == [True, True, True, False]
    assert [e.allows_metadata(x) for x in (shared, own, teammate, other)] == [True, False, False, False]
    assert e.pseudonym("Ann Lee").startswith("Person-") and r.pseudonym("Ann Lee") == "Ann Lee"


def test_principal_resolves_from_id_email_or_name(cp):
    assert cp.principal("r-ann").user_id == "r-ann"
    assert cp.principal("ANN@skylarkdata.com").user_id == "r-ann"
    assert cp.principal("ann lee").user_id == "r-ann"
    with pytest.raises(NotFound, match="did you mean Ann Lee"):
        cp.principal("Ann Le")
    with pytest.raises(UserError, match="--as USER"):
        cp.principal("  ")
