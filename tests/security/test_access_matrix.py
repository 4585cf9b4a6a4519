"""The access matrix (issue 7, point 1), generated from the URL map so no route is forgotten.

Every role (signed out, a member of team A, of team B, of team C, A's lead, A's expert by
experience (also a member of community of practice K), the coordinators of X and of Y, X's panel
member, K's facilitator, member and research partner, an admin, someone with no role) x every
rule and method x without and with htmx headers x the owner of the records in the URL (team A
and community K; team B in the same collaborative, and K; team C in another, and community L).
The answer each must get comes from tests/security/access_policy.TABLE. Every response must also
carry the security headers, and must not contain the marker of any record the person may not
see (404 pages included).

POSTs carry no form data (CSRF is off in the app fixture): an allowed one answers 422, 400 or a
redirect, and changes nothing the next request relies on; the ones that remove what their URL
points at get a spare record each (matrix_world.DESTRUCTIVE_POSTS).

Each item checks one group of blueprints and writes its figures into
test-artifacts/access-matrix.json (merged across items and xdist workers).
"""

from __future__ import annotations

import fcntl
import itertools
import json
import re
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
import sqlalchemy as sa
from flask import Flask

from improve.extensions import db
from improve.models import CommunityMember, CommunityRole, Membership
from tests.conftest import HTMX, PASSWORD
from tests.security import access_policy as policy
from tests.security.matrix_world import (
    COMMUNITIES,
    COMMUNITY_KINDS,
    DESTRUCTIVE_POSTS,
    NOT_FOR_PARTNERS,
    MatrixWorld,
    add_communities,
    build,
    kind_of,
    marker,
    owns_records,
    url_variants,
)

ARTIFACT = Path(__file__).resolve().parents[2] / "test-artifacts" / "access-matrix.json"
ROLES = policy.MATRIX_ROLES
SKIPPED_METHODS = {"HEAD", "OPTIONS"}

# Items, each a group of blueprints ("" is the app's own `static` route), sized so that
# pytest-xdist can spread them evenly.
GROUPS = {
    "cycles": ("cycles",),
    "measures": ("measures",),
    "drivers-comments": ("drivers", "comments"),
    "aims-teams-history": ("aims", "teams", "history"),
    "collaboratives-reports": ("collaboratives", "reports"),
    "panel-coordination-exports-ideas": ("panel", "coordination", "exports", "ideas"),
    "site": ("", "admin", "auth", "home", "help"),
    "api": ("api", "api_tokens"),
    "communities": ("communities",),
    "priorities": ("priorities",),
    "research-feedback": ("research", "community_feedback"),
}

# Pages that show a same-collaborative team's records to everyone in the collaborative by design:
# the change-idea library shares every team's ideas (and the drivers they sit under).
SHARED_ACROSS_TEAMS = {
    "ideas.library": ("idea", "ideanote", "primary", "secondary"),
    "ideas.copy": ("idea", "ideanote", "primary", "secondary"),
}
# Pages that name the communities of practice of a collaborative to its teams by design: a
# team's Study stage sends a question for research to one of them.
COMMUNITIES_NAMED_TO_TEAMS = {"research.from_cycle": ("community",)}


@dataclass
class Combination:
    role: str
    endpoint: str
    method: str
    variant: str
    owner: str | None
    htmx: bool
    url: str
    expected: str
    got: str = ""
    status: int = 0
    problems: tuple[str, ...] = ()
    seconds: float = 0.0

    @property
    def unexpected(self) -> bool:
        return self.got != self.expected or bool(self.problems)

    def describe(self) -> str:
        owner = f" owner {self.owner}" if self.owner else ""
        variant = f" [{self.variant}]" if self.variant else ""
        htmx = " htmx" if self.htmx else ""
        got = f"got {self.got} ({self.status}), expected {self.expected}"
        extra = f"; {'; '.join(self.problems)}" if self.problems else ""
        where = f"{self.method} {self.endpoint}{variant}{owner}{htmx} {self.url}"
        return f"{self.role}: {where}: {got}{extra}"


# Reading a response ------------------------------------------------------------------------------


def outcome_of(response: Any, htmx: bool) -> str:
    status = response.status_code
    if status >= 500:
        return policy.SERVER_ERROR
    location = urlsplit(response.headers.get("Location", "")).path
    if status in (302, 303) and location == "/sign-in":
        return policy.SIGN_IN
    if status == 401:
        # A partial htmx request is told where to go instead of getting the sign-in page swapped
        # into part of the page; a plain request never gets a bare 401.
        sent_to = urlsplit(response.headers.get("HX-Redirect", "")).path
        return policy.SIGN_IN if htmx and sent_to == "/sign-in" else "401"
    if status == 403:
        return policy.FORBIDDEN
    if status == 404:
        return policy.HIDDEN
    return policy.ALLOWED


SAFE_REFERRER_POLICIES = {
    "no-referrer",
    "same-origin",
    "strict-origin",
    "strict-origin-when-cross-origin",
}


def header_problems(response: Any, endpoint: str) -> list[str]:
    """The security headers every response needs (issue 7, point 3)."""
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    directives = {part.strip() for part in csp.split(";")}
    problems = [
        f"CSP lacks {wanted}"
        for wanted in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'")
        if wanted not in directives
    ]
    problems += [f"CSP allows {bad}" for bad in ("'unsafe-inline'", "'unsafe-eval'") if bad in csp]
    if headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if headers.get("Referrer-Policy") not in SAFE_REFERRER_POLICIES:
        problems.append(f"Referrer-Policy {headers.get('Referrer-Policy')!r}")
    return problems + cache_problems(response, endpoint)


def cache_problems(response: Any, endpoint: str) -> list[str]:
    """no-store, or for a download the browser revalidates, private, no-cache with an ETag."""
    wanted = policy.cache_control(endpoint, getattr(response, "status_code", 200))
    got = response.headers.get("Cache-Control")
    if wanted is None:
        return []
    if got != wanted:
        return [f"Cache-Control {got!r}, not {wanted!r}"]
    if wanted != "no-store" and not response.headers.get("ETag"):
        return [f"Cache-Control {got!r} without an ETag to revalidate"]
    return []


def leaks(mw: MatrixWorld, role: str, endpoint: str, body: str) -> list[str]:
    """Markers of records this person may not see that the body contains."""
    if role == policy.SIGNED_OUT:
        hidden = [s for c in ("X", "Y") for s in mw.collaborative_secrets(c)]
        hidden += [s for c in COMMUNITIES for s in mw.community_secrets(c)]
    else:
        hidden = []
        for collaborative in ("X", "Y"):
            if not policy.sees_collaborative(role, collaborative):
                hidden += mw.collaborative_secrets(collaborative)
        shared = SHARED_ACROSS_TEAMS.get(endpoint, ())
        for team, collaborative in policy.COLLABORATIVE_OF.items():
            if policy.sees_collaborative(role, collaborative) and not policy.sees_team(role, team):
                hidden += [s for s in mw.team_secrets(team) if kind_of(s) not in shared]
        hidden = [s for s in hidden if s not in parents_named(role)]
        hidden += community_leaks(mw, role, endpoint)
    return sorted({secret for secret in hidden if secret in body})


def parents_named(role: str) -> set[str]:
    """A community's pages say which collaborative it grew from, to everyone in it: the name
    (only) of that collaborative is no secret to them."""
    return {
        f"Collaborative {policy.PARENT_OF[community]}"
        for community in COMMUNITIES
        if policy.sees_community(role, community)
    }


def community_leaks(mw: MatrixWorld, role: str, endpoint: str) -> list[str]:
    """The markers of communities the person is not in (a team or collaborative role opens
    none), and the comments after meetings for a research partner."""
    hidden = []
    for community in COMMUNITIES:
        secrets = mw.community_secrets(community)
        if not policy.sees_community(role, community):
            named = COMMUNITIES_NAMED_TO_TEAMS.get(endpoint, ())
            parent = policy.PARENT_OF[community]
            if named and policy.sees_collaborative(role, parent):
                secrets = [s for s in secrets if kind_of(s) not in named]
            hidden += secrets
        elif policy.community_role(role, community) == CommunityRole.RESEARCH_PARTNER:
            hidden += [marker(kind, community) for kind in NOT_FOR_PARTNERS]
    return hidden


def text_body(response: Any) -> str:
    """The body as text, for the marker search; pictures have no text to search."""
    data = response.get_data()
    response.close()
    if response.mimetype.startswith("image/") and response.mimetype != "image/svg+xml":
        return ""
    return data.decode("utf-8", errors="replace")


# Running the matrix ------------------------------------------------------------------------------


class People:
    """One test client per role, signed in through the form as two browsers would be."""

    def __init__(self, app: Flask, world: Any) -> None:
        self.app, self.world = app, world
        self.clients = {role: self._client(role) for role in ROLES}

    def _client(self, role: str):
        client = self.app.test_client()
        if role != policy.SIGNED_OUT:
            user = getattr(self.world, role)
            response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
            assert response.status_code == 303, f"{role} could not sign in"
        return client

    def sign_in_again(self, role: str) -> None:
        """After signing out (which ends every session of that person)."""
        self.clients[role] = self._client(role)


def rules_of(app: Flask, blueprints: tuple[str, ...]) -> list[Any]:
    rules = [rule for rule in app.url_map.iter_rules() if _blueprint(rule.endpoint) in blueprints]
    return sorted(rules, key=lambda rule: (rule.rule, rule.endpoint))


def _blueprint(endpoint: str) -> str:
    return endpoint.rpartition(".")[0]


def run_matrix(app: Flask, mw: MatrixWorld, people: People, rules: list[Any]) -> list[Combination]:
    adapter = app.url_map.bind("improve.test")
    done: list[Combination] = []
    seen: set[tuple] = set()
    for rule, method, owner, variant, htmx, role in planned(mw, rules):
        url = adapter.build(rule.endpoint, variant.values, method=method)
        query = "?" + urlencode(variant.query) if variant.query else ""
        if (role, method, url + query, htmx) in seen:
            continue  # a collaborative's page is the same for owners A and B
        seen.add((role, method, url + query, htmx))
        spare = DESTRUCTIVE_POSTS.get(rule.endpoint)
        if method == "POST" and spare:
            made = mw.spare(spare, rule.endpoint, owner, variant.label)
            values = variant.values | {spare: made}
            url = adapter.build(rule.endpoint, values, method=method)
        combination = check(
            app, mw, people, rule.endpoint, method, variant.label, owner, htmx, role, url + query
        )
        done.append(combination)
    return done


def planned(mw: MatrixWorld, rules: list[Any]) -> Iterator[tuple]:
    """Every (rule, method, owner, URL variant, htmx, role) to send, GETs of a rule before its
    POSTs."""
    for rule in rules:
        owners = policy.OWNERS if owns_records(rule) else (None,)
        methods = sorted(rule.methods - SKIPPED_METHODS)
        community = _blueprint(rule.endpoint) in policy.COMMUNITY_BLUEPRINTS
        for method, owner in itertools.product(methods, owners):
            roles = [
                r
                for r in ROLES
                if not (owner and r in policy.NO_OWNER_ONLY)
                and not (owner and r in policy.COMMUNITY_ONLY and not community)
            ]
            for variant in url_variants(mw, rule, owner):
                for htmx, role in itertools.product((False, True), roles):
                    yield rule, method, owner, variant, htmx, role


def check(app, mw, people, endpoint, method, variant, owner, htmx, role, url) -> Combination:
    expected = policy.expected(role, endpoint, method, variant, owner)
    combination = Combination(role, endpoint, method, variant, owner, htmx, url, expected)
    client = people.clients[role]
    started = time.process_time()
    response = client.open(
        url, method=method, data={} if method != "GET" else None, headers=HTMX if htmx else {}
    )
    # no-store on every page and download, signed in or not (the answer to signing out too), but
    # private, no-cache on the downloads that carry an ETag; static files are the same for
    # everyone, so browsers may keep them.
    signed_in = role != policy.SIGNED_OUT
    combination.status = response.status_code
    combination.got = outcome_of(response, htmx)
    problems = header_problems(response, endpoint)
    problems += [f"shows {secret}" for secret in leaks(mw, role, endpoint, text_body(response))]
    combination.problems = tuple(problems)
    combination.seconds = time.process_time() - started
    if endpoint == "auth.sign_out" and signed_in:
        people.sign_in_again(role)
    return combination


# Reporting ---------------------------------------------------------------------------------------


def summarise(combinations: list[Combination], seconds: float) -> dict[str, Any]:
    denied = (policy.FORBIDDEN, policy.HIDDEN, policy.SIGN_IN)
    unexpected = [c for c in combinations if c.unexpected]
    counts = Counter(c.got for c in combinations)
    return {
        "combinations": len(combinations),
        "requests_per_second": round(len(combinations) / seconds, 1) if seconds else None,
        "seconds": round(seconds, 2),
        "endpoints": len({c.endpoint for c in combinations}),
        "allowed": counts[policy.ALLOWED],
        "denied": sum(counts[kind] for kind in denied),
        "by_outcome": dict(sorted(counts.items())),
        "unexpected_allows": sum(
            1 for c in combinations if c.got == policy.ALLOWED and c.expected != policy.ALLOWED
        ),
        "unexpected_denies": sum(
            1 for c in combinations if c.expected == policy.ALLOWED and c.got in denied
        ),
        "wrong_denial": sum(
            1
            for c in combinations
            if c.expected in denied and c.got in denied and c.got != c.expected
        ),
        "server_errors": counts[policy.SERVER_ERROR],
        "header_problems": sum(
            1
            for c in combinations
            if any(
                "CSP" in p or "Cache" in p or "Referrer" in p or "nosniff" in p for p in c.problems
            )
        ),
        "leaks": sum(1 for c in combinations if any(p.startswith("shows ") for p in c.problems)),
        "cpu_seconds_by_endpoint": dict(
            sorted(
                (
                    (e, round(sum(c.seconds for c in combinations if c.endpoint == e), 2))
                    for e in {c.endpoint for c in combinations}
                ),
                key=lambda item: -item[1],
            )
        ),
        "unexpected": [asdict(c) | {"summary": c.describe()} for c in unexpected[:200]],
    }


def record_summary(group: str, summary: dict[str, Any]) -> None:
    """Merge this item's figures into the shared artifact, under a lock (xdist workers)."""
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    with open(ARTIFACT.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            report = json.loads(ARTIFACT.read_text()) if ARTIFACT.exists() else {}
        except ValueError:
            report = {}
        groups = report.get("groups", {})
        groups[group] = summary
        totals = {
            key: sum(g[key] for g in groups.values())
            for key in (
                "combinations",
                "allowed",
                "denied",
                "unexpected_allows",
                "unexpected_denies",
                "wrong_denial",
                "server_errors",
                "header_problems",
                "leaks",
                "endpoints",
                "seconds",
                "cpu_seconds",
            )
        }
        ARTIFACT.write_text(json.dumps({"totals": totals, "groups": groups}, indent=1, default=str))


# The tests ---------------------------------------------------------------------------------------


def test_every_endpoint_is_in_one_group_and_the_policy_table(app):
    """A new route (or blueprint) fails here with its name until the table says who may use it."""
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    grouped = {bp for blueprints in GROUPS.values() for bp in blueprints}
    assert sorted(e for e in endpoints if _blueprint(e) not in grouped) == []
    assert sorted(endpoints - set(policy.TABLE)) == [], "endpoints missing from access_policy.TABLE"
    assert sorted(set(policy.TABLE) - endpoints) == [], "TABLE entries for endpoints that are gone"


def test_the_policy_model_matches_the_world_fixture(app, world):
    """access_policy.PEOPLE describes the conftest world (with matrix_world's communities); if
    the fixture changes, so must it."""
    add_communities(world)
    teams = {world.team_a.id: "A", world.team_b.id: "B", world.team_c.id: "C"}
    collaboratives = {world.x.id: "X", world.y.id: "Y"}
    users = {getattr(world, key).id: key for key in policy.PEOPLE if key != policy.SIGNED_OUT}
    found: dict[str, dict[str, dict]] = {
        key: {"team": {}, "collaborative": {}} for key in users.values()
    }
    for membership in db.session.scalars(sa.select(Membership)):
        roles = found[users[membership.user_id]]
        if membership.team_id:
            roles["team"][teams[membership.team_id]] = membership.role
        else:
            roles["collaborative"][collaboratives[membership.collaborative_id]] = membership.role
    communities = {world.k.id: "K", world.l.id: "L"}
    for member in db.session.scalars(sa.select(CommunityMember)):
        if member.user_id is not None and member.left_on is None:
            found[users[member.user_id]].setdefault("community", {})[
                communities[member.community_id]
            ] = member.role
    for key, roles in found.items():
        person = policy.PEOPLE[key]
        assert (roles["team"], roles["collaborative"], roles.get("community", {})) == (
            person.team_roles,
            person.collaborative_roles,
            person.community_roles,
        ), key
        assert getattr(world, key).is_admin == person.is_admin, key


def test_the_matrix_can_fail(app, world):
    """The checks catch what they are for: a wrong answer, a leaked marker, a missing header."""
    mw = build(world)
    people = People(app, world)
    # member_b asking for team A's aim must get 404; pretend the table said it was allowed.
    aim = mw.owners["A"].ids["aim_id"]
    wrong = check(app, mw, people, "aims.detail", "GET", "", "A", False, "member_b", f"/aims/{aim}")
    assert (wrong.got, wrong.unexpected) == (policy.HIDDEN, False)
    wrong.expected = policy.ALLOWED
    assert wrong.unexpected
    assert leaks(mw, "member_b", "aims.detail", "<p>zq-aim-a-7</p>") == ["zq-aim-a-7"]
    assert leaks(mw, "member_a", "aims.detail", "<p>zq-aim-a-7</p>") == []
    assert leaks(mw, "member_a", "ideas.library", "zq-idea-b-7 zq-cycle-b-7") == ["zq-cycle-b-7"]
    # A community's records for anyone outside it; comments after meetings for its research
    # partners; its collaborative's records (but its name) for people only in the community.
    both = "zq-minutes-k-7 zq-feedback-k-7 zq-cycle-a-7 Collaborative X zq-round-x-7"
    assert leaks(mw, "member_a", "communities.meeting", both) == [
        "zq-feedback-k-7",
        "zq-minutes-k-7",
    ]
    assert leaks(mw, "expert_a", "communities.meeting", both) == []
    assert leaks(mw, "partner_k", "communities.meeting", both) == [
        "zq-cycle-a-7",
        "zq-feedback-k-7",
        "zq-round-x-7",
    ]
    assert leaks(mw, "member_k", "communities.meeting", both) == ["zq-cycle-a-7", "zq-round-x-7"]
    assert leaks(mw, "member_a", "research.from_cycle", "zq-community-k-7 zq-community-l-7") == [
        "zq-community-l-7"
    ]

    class Bare:
        headers: dict[str, str] = {}

    assert len(header_problems(Bare(), "home.index")) == 6
    assert header_problems(Bare(), "static") != []

    class Download:
        status_code = 200
        headers = {
            "Content-Security-Policy": "object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",
            "Cache-Control": "private, no-cache",
        }

    assert header_problems(Download(), "exports.cycles") == [
        "Cache-Control 'private, no-cache' without an ETag to revalidate"
    ]
    assert header_problems(Download(), "aims.detail") == [
        "Cache-Control 'private, no-cache', not 'no-store'"
    ]
    Download.headers["ETag"] = '"abc"'
    assert header_problems(Download(), "exports.cycles") == []


MARKER = re.compile(r"zq-[a-z]+-[a-z]-7")


def test_the_pages_show_the_markers_the_leak_check_looks_for(app, world):
    """The leak check finds a leak only if pages show a record's marker to someone: each of a
    community's records, a research need's team, what a theme became and the rounds an aim came
    from are shown to the people who may see them, and not to the others."""
    mw = build(world)
    people = People(app, world)
    ids = mw.owners["A"].ids

    def shown(role: str, url: str) -> set[str]:
        response = people.clients[role].get(url)
        assert response.status_code == 200, (role, url)
        return set(MARKER.findall(response.get_data(as_text=True)))

    cop = f"/communities/{ids['community_id']}"
    cop_theme = f"/priority-themes/{ids['theme_id@community']}"
    x_theme = f"/priority-themes/{ids['theme_id@collaborative']}"
    seen_by_member = (
        shown("member_k", cop)
        | shown("member_k", f"{cop}/members")
        | shown("member_k", f"/community-meetings/{ids['meeting_id']}")
        | shown("member_k", f"{cop}/research-needs")
        | shown("member_k", f"{cop}/evaluation")
        | shown("member_k", cop_theme)
    )
    assert {marker(kind, "K") for kind in COMMUNITY_KINDS} <= seen_by_member
    assert "zq-feedback-k-7" not in shown("partner_k", f"{cop}/evaluation")
    assert "zq-cycle-a-7" in shown("expert_a", f"{cop}/research-needs")
    assert "zq-cycle-a-7" not in shown("partner_k", f"{cop}/research-needs")
    assert {"zq-aim-a-7", "zq-shared-x-7"} <= shown("admin", cop_theme)
    assert "zq-aim-a-7" not in shown("partner_k", cop_theme)
    assert {"zq-community-k-7", "zq-aim-a-7"} <= shown("expert_a", x_theme)
    assert not {"zq-community-k-7", "zq-aim-a-7"} & shown("member_b", x_theme)
    assert {"zq-theme-x-7", "zq-theme-k-7"} <= shown("expert_a", f"/aims/{ids['aim_id']}")
    assert "zq-theme-k-7" not in shown("member_a", f"/aims/{ids['aim_id']}")
    assert "zq-evidence-a-7" in shown("expert_a", f"/change-ideas/{ids['idea_id']}/evidence")


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_access_matrix(app, world, group):
    """Every combination of this group answers as the policy table says, with the security
    headers and without another team's data."""
    started, cpu = time.perf_counter(), time.process_time()
    mw = build(world)
    people = People(app, world)
    combinations = run_matrix(app, mw, people, rules_of(app, GROUPS[group]))
    summary = summarise(combinations, time.perf_counter() - started)
    summary["cpu_seconds"] = round(time.process_time() - cpu, 2)
    record_summary(group, summary)
    unexpected = [c.describe() for c in combinations if c.unexpected]
    assert combinations
    assert unexpected == [], f"{len(unexpected)} unexpected of {len(combinations)}:\n" + "\n".join(
        unexpected[:80]
    )
