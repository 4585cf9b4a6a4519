"""The access matrix's one policy table: for every endpoint (and method, and URL variant) what a
person needs, and from that the answer each role must get for an object of each owner.

The rule is improve.permissions' docstring: something a person may not see answers 404 (no 403,
so ids leak nothing); something they may see but not change answers 403; signed-out people are
sent to sign in. Whether a role holds a permission comes from improve.permissions.POLICY, applied
here to a model of the `world` fixture's memberships (not through the app's own `can`), so a
mistake in the app's role lookup shows as a difference.

Every endpoint of the URL map must have an entry in TABLE: a new route without one fails the
matrix test with its name.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from improve.models import COLLABORATIVE_ROLES, CommunityRole, Role
from improve.permissions import COMMUNITY_POLICY, POLICY, CommunityPermission, Permission

P = Permission  # the table reads better short
CP = CommunityPermission

# Outcome classes a response falls into.
ALLOWED = "allowed"  # anything but 401/403/404, a sign-in redirect or a 5xx
FORBIDDEN = "403"
HIDDEN = "404"
SIGN_IN = "sign in"  # a redirect to the sign-in page (401 with HX-Redirect for a partial request)
SERVER_ERROR = "5xx"
UNAUTHORISED = "401"  # the JSON API's answer to no session and no token: never a redirect

# The world: collaborative X with teams A and B, collaborative Y with team C; community of
# practice K grew from X, L from Y. A URL for owner A or B points at K's records, for C at L's.
COLLABORATIVE_OF = {"A": "X", "B": "X", "C": "Y"}
COMMUNITY_OF = {"A": "K", "B": "K", "C": "L"}
PARENT_OF = {"K": "X", "L": "Y"}  # the collaborative each community grew from
OWNERS = tuple(COLLABORATIVE_OF)
SIGNED_OUT = "signed_out"


@dataclass(frozen=True)
class Person:
    """One role of the matrix: a team role per team, a collaborative role per collaborative, a
    role per community of practice (which opens nothing of a team or collaborative, and the
    other roles open nothing of a community)."""

    key: str
    team_roles: dict[str, Role] = field(default_factory=dict)
    collaborative_roles: dict[str, Role] = field(default_factory=dict)
    community_roles: dict[str, CommunityRole] = field(default_factory=dict)
    is_admin: bool = False
    signed_in: bool = True

    def roles_in_team(self, team: str) -> frozenset[Role]:
        """Their role in the team and their collaborative role over it."""
        roles = {self.team_roles.get(team), self.collaborative_roles.get(COLLABORATIVE_OF[team])}
        return frozenset(roles - {None})

    def roles_in_collaborative(self, collaborative: str, permission: P) -> frozenset[Role]:
        """Their collaborative role; a team role in one of its teams counts only for seeing it."""
        roles = {self.collaborative_roles.get(collaborative)}
        if permission == P.VIEW_COLLABORATIVE:
            roles |= {r for t, r in self.team_roles.items() if COLLABORATIVE_OF[t] == collaborative}
        return frozenset(roles - {None})

    def holds_on_team(self, permission: P, team: str) -> bool:
        if not self.signed_in:
            return False
        return self.is_admin or bool(self.roles_in_team(team) & POLICY[permission])

    def holds_on_collaborative(self, permission: P, collaborative: str) -> bool:
        if not self.signed_in:
            return False
        roles = self.roles_in_collaborative(collaborative, permission)
        return self.is_admin or bool(roles & POLICY[permission])

    def may_create_collaborative(self) -> bool:
        return self.is_admin or Role.COORDINATOR in self.collaborative_roles.values()

    def holds_in_community(self, permission: CommunityPermission, community: str) -> bool:
        if not self.signed_in:
            return False
        role = self.community_roles.get(community)
        return self.is_admin or (role is not None and role in COMMUNITY_POLICY[permission])


# The conftest `world` fixture's people (the matrix test checks the database agrees).
PEOPLE: dict[str, Person] = {
    person.key: person
    for person in (
        Person(SIGNED_OUT, signed_in=False),
        Person("admin", is_admin=True),
        Person("coordinator_x", collaborative_roles={"X": Role.COORDINATOR}),
        Person("coordinator_y", collaborative_roles={"Y": Role.COORDINATOR}),
        Person("panel_x", collaborative_roles={"X": Role.PANEL_MEMBER}),
        Person("lead_a", team_roles={"A": Role.TEAM_LEAD}),
        Person("member_a", team_roles={"A": Role.TEAM_MEMBER}),
        # Both in team A and in community K: neither role may open the other's records.
        Person(
            "expert_a",
            team_roles={"A": Role.EXPERT_BY_EXPERIENCE},
            community_roles={"K": CommunityRole.MEMBER},
        ),
        Person("member_b", team_roles={"B": Role.TEAM_MEMBER}),
        Person("member_c", team_roles={"C": Role.TEAM_MEMBER}),
        Person("nobody"),
        # Community K's people, with no team or collaborative role (matrix_world makes them).
        Person("facilitator_k", community_roles={"K": CommunityRole.FACILITATOR}),
        Person("member_k", community_roles={"K": CommunityRole.MEMBER}),
        Person("partner_k", community_roles={"K": CommunityRole.RESEARCH_PARTNER}),
    )
}
assert all(
    r in COLLABORATIVE_ROLES for p in PEOPLE.values() for r in p.collaborative_roles.values()
)

# The roles the matrix sends requests as. member_c only writes team C's comments: towards owners A
# and B it stands where member_b stands towards owner C. "nobody" (signed in, no role anywhere)
# asks only for the pages that belong to no team or collaborative: towards any owner it stands
# where member_b stands towards owner C. Sending those requests too would only spend CI time.
MATRIX_ROLES = tuple(key for key in PEOPLE if key != "member_c")
NO_OWNER_ONLY = frozenset({"nobody"})
# The people who hold only a community role stand where "nobody" stands towards every team's and
# collaborative's records: they ask for those only in the blueprints that read a community's
# records (expert_a, in team A and community K, asks everywhere).
COMMUNITY_ONLY = frozenset({"facilitator_k", "member_k", "partner_k"})
COMMUNITY_BLUEPRINTS = frozenset({"communities", "priorities", "research", "community_feedback"})

# Who wrote each team's comments (only they, and admins, may change or delete them).
COMMENT_AUTHOR = {"A": "member_a", "B": "member_b", "C": "member_c"}
# Who added each team's evidence (an expert by experience changes only their own).
EVIDENCE_AUTHOR = {"A": "expert_a", "B": "member_b", "C": "member_c"}
# Who shared each community's resource (they, and its facilitators, change it).
RESOURCE_AUTHOR = {"K": "member_k"}  # L's was shared by someone outside the matrix
# Who logged each community's research need (they may correct it while it is open, as its
# facilitators may). L's was logged by someone outside the matrix.
NEED_AUTHOR = {"K": "member_k"}
# Who sent in each round's idea, by round owner (only they may change or withdraw it: anyone
# else, admins and facilitators included, gets 404, so an anonymous idea's author is never
# confirmed). L's was sent in by someone outside the matrix.
IDEA_AUTHOR = {"X": "expert_a", "Y": "member_c", "K": "member_k"}


# Requirements ------------------------------------------------------------------------------------


class Requirement:
    """What a person needs; `outcome` is the answer they must get for an object of `owner`."""

    def outcome(self, person: Person, owner: str | None) -> str:
        if not person.signed_in:
            return SIGN_IN
        return self.signed_in_outcome(person, owner)

    def signed_in_outcome(self, person: Person, owner: str | None) -> str:
        raise NotImplementedError


@dataclass(frozen=True)
class Public(Requirement):
    """Anyone, signed in or not (sign-in page, help, health, static files, invitation links)."""

    def outcome(self, person: Person, owner: str | None) -> str:
        return ALLOWED


@dataclass(frozen=True)
class SecretLink(Requirement):
    """A private link whose address is its secret (a calendar feed): no sign-in, and an address
    that is not (or no longer) a link answers 404 to everyone, signed in or not. The matrix only
    has wrong secrets; tests/reports/test_calendar_feed.py follows a real one."""

    def outcome(self, person: Person, owner: str | None) -> str:
        return HIDDEN


@dataclass(frozen=True)
class SignedIn(Requirement):
    """Anyone signed in; the page itself shows only what they may see."""

    def signed_in_outcome(self, person: Person, owner: str | None) -> str:
        return ALLOWED


@dataclass(frozen=True)
class SignOut(Requirement):
    """Signing out answers everyone with the sign-in page."""

    def signed_in_outcome(self, person: Person, owner: str | None) -> str:
        return SIGN_IN


@dataclass(frozen=True)
class Admin(Requirement):
    """Admin screens: as if they did not exist for anyone else (404)."""

    def signed_in_outcome(self, person: Person, owner: str | None) -> str:
        return ALLOWED if person.is_admin else HIDDEN


@dataclass(frozen=True)
class CreateCollaborative(Requirement):
    """Admins and people who coordinate a collaborative already; others 403 (nothing hidden)."""

    def signed_in_outcome(self, person: Person, owner: str | None) -> str:
        return ALLOWED if person.may_create_collaborative() else FORBIDDEN


@dataclass(frozen=True)
class OnTeam(Requirement):
    """A record of the owner's team: 404 unless they may see the team, 403 unless permitted."""

    permission: P

    def signed_in_outcome(self, person: Person, owner: str | None) -> str:
        assert owner is not None
        if not person.holds_on_team(P.VIEW_TEAM, owner):
            return HIDDEN
        return ALLOWED if person.holds_on_team(self.permission, owner) else FORBIDDEN


@dataclass(frozen=True)
class OnCollaborative(Requirement):
    """Something of the owner's collaborative: 404 unless they belong to it, 403 unless
    permitted."""

    permission: P

    def signed_in_outcome(self, person: Person, owner: str | None) -> str:
        assert owner is not None
        collaborative = COLLABORATIVE_OF[owner]
        if not person.holds_on_collaborative(P.VIEW_COLLABORATIVE, collaborative):
            return HIDDEN
        allowed = person.holds_on_collaborative(self.permission, collaborative)
        return ALLOWED if allowed else FORBIDDEN


@dataclass(frozen=True)
class OwnComment(Requirement):
    """A comment: as OnTeam(COMMENT), then 403 unless they wrote it (admins may change any)."""

    def signed_in_outcome(self, person: Person, owner: str | None) -> str:
        assert owner is not None
        outcome = OnTeam(P.COMMENT).signed_in_outcome(person, owner)
        if outcome != ALLOWED or person.is_admin or COMMENT_AUTHOR[owner] == person.key:
            return outcome
        return FORBIDDEN


@dataclass(frozen=True)
class CopyIdea(Requirement):
    """Copying a collaborative's change idea: 404 unless they belong to the collaborative, 403
    unless they may change the records of one of its teams (the copy goes into their own)."""

    def signed_in_outcome(self, person: Person, owner: str | None) -> str:
        assert owner is not None
        collaborative = COLLABORATIVE_OF[owner]
        if not person.holds_on_collaborative(P.VIEW_COLLABORATIVE, collaborative):
            return HIDDEN
        teams = [t for t, c in COLLABORATIVE_OF.items() if c == collaborative]
        may_edit = any(person.holds_on_team(P.EDIT_TEAM_RECORDS, t) for t in teams)
        return ALLOWED if may_edit else FORBIDDEN


@dataclass(frozen=True)
class OnTeamAny(Requirement):
    """As OnTeam, allowed with any one of the permissions (evidence: the team's record keepers,
    and its experts by experience)."""

    permissions: tuple[P, ...]

    def signed_in_outcome(self, person: Person, owner: str | None) -> str:
        assert owner is not None
        if not person.holds_on_team(P.VIEW_TEAM, owner):
            return HIDDEN
        allowed = any(person.holds_on_team(p, owner) for p in self.permissions)
        return ALLOWED if allowed else FORBIDDEN


@dataclass(frozen=True)
class OwnEvidence(Requirement):
    """A piece of a team's evidence: as OnTeam(VIEW_TEAM); then the team's record keepers, or
    the expert by experience who added it; others 403."""

    def signed_in_outcome(self, person: Person, owner: str | None) -> str:
        assert owner is not None
        if not person.holds_on_team(P.VIEW_TEAM, owner):
            return HIDDEN
        if person.holds_on_team(P.EDIT_TEAM_RECORDS, owner):
            return ALLOWED
        own = EVIDENCE_AUTHOR[owner] == person.key
        return ALLOWED if own and person.holds_on_team(P.ADD_EXPERT_VIEW, owner) else FORBIDDEN


@dataclass(frozen=True)
class InCommunity(Requirement):
    """A record of the owner's community of practice: 404 unless they may see the community,
    403 unless they hold the permission there. Only a community role counts (and admins)."""

    permission: CP

    def signed_in_outcome(self, person: Person, owner: str | None) -> str:
        assert owner is not None
        community = COMMUNITY_OF[owner]
        if not person.holds_in_community(CP.VIEW, community):
            return HIDDEN
        return ALLOWED if person.holds_in_community(self.permission, community) else FORBIDDEN


@dataclass(frozen=True)
class OwnResource(Requirement):
    """A shared resource: as InCommunity(VIEW); then its facilitators, or whoever shared it
    while they take part; others 403."""

    def signed_in_outcome(self, person: Person, owner: str | None) -> str:
        outcome = InCommunity(CP.FACILITATE).signed_in_outcome(person, owner)
        if outcome != FORBIDDEN:
            return outcome
        assert owner is not None
        community = COMMUNITY_OF[owner]
        shared_it = RESOURCE_AUTHOR.get(community) == person.key
        return (
            ALLOWED if shared_it and person.holds_in_community(CP.TAKE_PART, community) else outcome
        )


@dataclass(frozen=True)
class OwnNeed(Requirement):
    """A research need's edit: as InCommunity(FACILITATE); then whoever logged it while they
    take part (the matrix's need stays open); others 403."""

    def signed_in_outcome(self, person: Person, owner: str | None) -> str:
        outcome = InCommunity(CP.FACILITATE).signed_in_outcome(person, owner)
        if outcome != FORBIDDEN:
            return outcome
        assert owner is not None
        community = COMMUNITY_OF[owner]
        logged_it = NEED_AUTHOR.get(community) == person.key
        return (
            ALLOWED if logged_it and person.holds_in_community(CP.TAKE_PART, community) else outcome
        )


@dataclass(frozen=True)
class OwnIdea(Requirement):
    """A priority idea sent in online: 404 unless they wrote it (and may still take part in its
    round, as `taking_part` says); admins too."""

    taking_part: Requirement
    round_owner: dict[str, str]  # owner of the URL -> the round's collaborative or community

    def signed_in_outcome(self, person: Person, owner: str | None) -> str:
        outcome = self.taking_part.signed_in_outcome(person, owner)
        assert owner is not None
        wrote_it = IDEA_AUTHOR.get(self.round_owner[owner]) == person.key
        return outcome if outcome != ALLOWED or wrote_it else HIDDEN


@dataclass(frozen=True)
class Api(Requirement):
    """The JSON API (issue 19, point 5): as `inner` for someone signed in (the matrix reads it
    with their session; tokens act as their owner, tests/api); signed out, a 401 as JSON, never
    the sign-in page, which a spreadsheet cannot use."""

    inner: Requirement

    def outcome(self, person: Person, owner: str | None) -> str:
        if not person.signed_in:
            return UNAUTHORISED
        return self.inner.signed_in_outcome(person, owner)


@dataclass(frozen=True)
class SharedOnly(Requirement):
    """A page about a shared measure given a team's own measure: those who may not open the
    collaborative's page get its answer (404 or 403); those who may, 404: there is no such
    shared measure."""

    permission: P

    def signed_in_outcome(self, person: Person, owner: str | None) -> str:
        outcome = OnCollaborative(self.permission).signed_in_outcome(person, owner)
        return HIDDEN if outcome == ALLOWED else outcome


@dataclass(frozen=True)
class ByVariant(Requirement):
    """A requirement per URL variant (see matrix_world.variants), e.g. per history record type."""

    variants: dict[str, Requirement]

    def for_variant(self, label: str) -> Requirement:
        return self.variants[label]


@dataclass(frozen=True)
class ByMethod(Requirement):
    """A requirement per HTTP method: reading a page and saving it may need different roles."""

    methods: dict[str, Requirement]


# The table ---------------------------------------------------------------------------------------

VIEW_TEAM = OnTeam(P.VIEW_TEAM)
EDIT_RECORDS = OnTeam(P.EDIT_TEAM_RECORDS)
VIEW_COLLABORATIVE = OnCollaborative(P.VIEW_COLLABORATIVE)
EDIT_COLLABORATIVE = OnCollaborative(P.EDIT_COLLABORATIVE)
IN_COMMUNITY = InCommunity(CP.VIEW)
TAKE_PART = InCommunity(CP.TAKE_PART)
FACILITATE = InCommunity(CP.FACILITATE)

# A priority round, theme or idea: the matrix asks for one of the collaborative's rounds (variant
# "collaborative") and one of the community's (variant "community"). Everyone the collaborative
# or community shows takes part; its coordinators, or the community's facilitators, run it.
ROUND_TAKE_PART = ByVariant({"collaborative": VIEW_COLLABORATIVE, "community": IN_COMMUNITY})
ROUND_FACILITATE = ByVariant({"collaborative": EDIT_COLLABORATIVE, "community": FACILITATE})
# The collaborative's round is voting: its results are its coordinators' until voting closes;
# the community's round has closed, so its results are everyone's who takes part.
ROUND_RESULTS = ByVariant({"collaborative": EDIT_COLLABORATIVE, "community": IN_COMMUNITY})
OWN_IDEA = ByVariant(
    {
        "collaborative": OwnIdea(VIEW_COLLABORATIVE, COLLABORATIVE_OF),
        "community": OwnIdea(IN_COMMUNITY, COMMUNITY_OF),
    }
)

TABLE: dict[str, Requirement] = {
    # Open to everyone: signing in, invitation links, help, health, static files.
    "auth.sign_in": Public(),
    "auth.accept_invitation": Public(),
    "auth.forgotten_password": Public(),
    "auth.password_link_sent": Public(),
    "static": Public(),
    "home.health": Public(),
    "help.index": Public(),
    "help.topic": Public(),
    "help.glossary_page": Public(),
    "help.accessibility": Public(),
    # Anyone signed in; the pages list only what the person may see.
    "home.index": SignedIn(),
    "auth.change_password": SignedIn(),
    "auth.account": SignedIn(),
    # Personal access tokens (the person's own) and the guide to the API.
    "api_tokens.index": SignedIn(),
    "api_tokens.revoke": SignedIn(),
    "api_tokens.guide": SignedIn(),
    # The read-only JSON API: what the person may see, as on the pages.
    # The API's description holds no data: tools read it before they sign in.
    "api.openapi_document": Public(),
    "api.collaboratives": Api(SignedIn()),
    **{
        f"api.{name}": Api(OnCollaborative(P.VIEW_COLLABORATIVE))
        for name in ("teams", "measures", "data_points", "series", "cycles", "scores")
    },
    "auth.sign_out": SignOut(),
    "collaboratives.index": SignedIn(),
    "collaboratives.new": CreateCollaborative(),
    # Site administration.
    "admin.users": Admin(),
    "admin.new_user": Admin(),
    "admin.edit_user": Admin(),
    "admin.reset_password": Admin(),
    "admin.outbox": Admin(),
    "admin.send_again": Admin(),
    # A collaborative.
    "collaboratives.detail": VIEW_COLLABORATIVE,
    "collaboratives.edit": EDIT_COLLABORATIVE,
    "collaboratives.score_labels": EDIT_COLLABORATIVE,
    "collaboratives.add_team": OnCollaborative(P.ADD_TEAM),
    "collaboratives.add_member": OnCollaborative(P.MANAGE_COLLABORATIVE_MEMBERS),
    "collaboratives.remove_member": OnCollaborative(P.MANAGE_COLLABORATIVE_MEMBERS),
    "reports.calendar": VIEW_COLLABORATIVE,
    "reports.new_phase": EDIT_COLLABORATIVE,
    "reports.edit_phase": EDIT_COLLABORATIVE,
    "reports.remove_phase": EDIT_COLLABORATIVE,
    "reports.new_calendar_link": EDIT_COLLABORATIVE,
    "reports.calendar_feed": SecretLink(),
    "coordination.dashboard": OnCollaborative(P.COORDINATE),
    "coordination.team": OnCollaborative(P.COORDINATE),
    "coordination.send_reminder": OnCollaborative(P.COORDINATE),
    "exports.measures": VIEW_COLLABORATIVE,
    "exports.cycles": VIEW_COLLABORATIVE,
    "ideas.library": VIEW_COLLABORATIVE,
    "ideas.copy": CopyIdea(),
    "measures.shared": VIEW_COLLABORATIVE,
    "measures.new_shared": EDIT_COLLABORATIVE,
    "panel.dashboard": OnCollaborative(P.VIEW_PANEL),
    "panel.print_view": OnCollaborative(P.VIEW_PANEL),
    "panel.summary_export": OnCollaborative(P.VIEW_PANEL),
    # A shared measure across the teams; the matrix also asks for a team's own measure there.
    "panel.across_teams": ByVariant(
        {"shared": OnCollaborative(P.VIEW_PANEL), "team": SharedOnly(P.VIEW_PANEL)}
    ),
    "panel.reviews": ByMethod(
        {"GET": OnCollaborative(P.VIEW_PANEL), "POST": OnCollaborative(P.RECORD_PANEL_REVIEW)}
    ),
    # One review, and the actions agreed at it: the panel and the coordinator read and record them.
    "panel.review": OnCollaborative(P.VIEW_PANEL),
    "panel.review_history": OnCollaborative(P.VIEW_PANEL),
    "panel.edit_review": OnCollaborative(P.RECORD_PANEL_REVIEW),
    "panel.mark_held": OnCollaborative(P.RECORD_PANEL_REVIEW),
    "panel.delete_review": OnCollaborative(P.RECORD_PANEL_REVIEW),
    "panel.add_action": OnCollaborative(P.RECORD_PANEL_REVIEW),
    "panel.edit_action": OnCollaborative(P.RECORD_PANEL_REVIEW),
    "panel.delete_action": OnCollaborative(P.RECORD_PANEL_REVIEW),
    # The whole collaborative's evaluation, or (?team=) one team's answers.
    "panel.evaluation": ByMethod(
        {
            "GET": ByVariant({"whole": VIEW_COLLABORATIVE, "team": VIEW_TEAM}),
            "POST": ByVariant(
                {"whole": OnCollaborative(P.RECORD_EVALUATION), "team": OnTeam(P.EDIT_TEAM)}
            ),
        }
    ),
    # A team and its people.
    "teams.detail": VIEW_TEAM,
    "teams.edit": OnTeam(P.EDIT_TEAM),
    "teams.add_member": OnTeam(P.MANAGE_TEAM_MEMBERS),
    "teams.remove_member": OnTeam(P.MANAGE_TEAM_MEMBERS),
    # Aims and their driver diagrams.
    "aims.new": EDIT_RECORDS,
    "aims.detail": VIEW_TEAM,
    "aims.edit": EDIT_RECORDS,
    "aims.change_status": EDIT_RECORDS,
    "aims.add_assessment": EDIT_RECORDS,
    "drivers.create": EDIT_RECORDS,
    "drivers.edit": EDIT_RECORDS,
    "drivers.move": EDIT_RECORDS,
    "drivers.remove": EDIT_RECORDS,
    "drivers.create_idea": EDIT_RECORDS,
    "drivers.edit_idea": EDIT_RECORDS,
    "drivers.move_idea": EDIT_RECORDS,
    "drivers.remove_idea": EDIT_RECORDS,
    # Comments: anyone who may comment adds; only the author (or an admin) changes one.
    "comments.add_to_aim": OnTeam(P.COMMENT),
    "comments.add_to_cycle": OnTeam(P.COMMENT),
    "comments.edit": OwnComment(),
    "comments.delete": OwnComment(),
    # PDSA cycles.
    "cycles.new": EDIT_RECORDS,
    "cycles.detail": VIEW_TEAM,
    "cycles.plain": VIEW_TEAM,  # the cycle in plain words, for experts by experience
    "cycles.ramp": VIEW_TEAM,
    "cycles.edit": EDIT_RECORDS,
    "cycles.save_plan": EDIT_RECORDS,
    "cycles.save_do": EDIT_RECORDS,
    "cycles.save_study": EDIT_RECORDS,
    "cycles.save_act": EDIT_RECORDS,
    "cycles.save_expert_plan": OnTeam(P.ADD_EXPERT_VIEW),
    "cycles.save_expert_study": OnTeam(P.ADD_EXPERT_VIEW),
    "cycles.add_task": EDIT_RECORDS,
    "cycles.tick_task": EDIT_RECORDS,
    "cycles.remove_task": EDIT_RECORDS,
    "cycles.remove_question": EDIT_RECORDS,
    # Measures: a team's own, or (variant "shared", ?team=) a shared one's data for one team.
    "measures.new": EDIT_RECORDS,
    "measures.link": EDIT_RECORDS,
    "measures.detail": VIEW_TEAM,
    "measures.chart_svg": VIEW_TEAM,
    "measures.chart_png": VIEW_TEAM,
    "measures.edit": ByVariant({"team": EDIT_RECORDS, "shared": EDIT_COLLABORATIVE}),
    "measures.save_point": EDIT_RECORDS,
    "measures.save_events": EDIT_RECORDS,  # the dates of events (issue 17, point 4)
    "measures.team_entry": EDIT_RECORDS,  # a team's "enter this period's data" page
    "measures.delete_point": EDIT_RECORDS,
    "measures.import_data": EDIT_RECORDS,
    "measures.confirm_import": EDIT_RECORDS,
    # A measure's history: a shared one's is its collaborative's (each team's rows only to those
    # who see that team); one period's data point history is the team's.
    "history.measure": ByVariant({"team": VIEW_TEAM, "shared": VIEW_COLLABORATIVE}),
    "history.data_point": VIEW_TEAM,
    # Reports: the team writes them, the coordinator scores them.
    "reports.index": VIEW_TEAM,
    "reports.detail": ByMethod({"GET": VIEW_TEAM, "POST": EDIT_RECORDS}),
    "reports.score": OnTeam(P.SCORE_REPORTS),
    # The evidence behind a team's change idea (issue 20, point 3).
    "ideas.evidence": VIEW_TEAM,
    "ideas.add_evidence": OnTeamAny((P.EDIT_TEAM_RECORDS, P.ADD_EXPERT_VIEW)),
    "ideas.edit_evidence": OwnEvidence(),
    "ideas.remove_evidence": OwnEvidence(),
    # Communities of practice (issue 20): a community role only; anyone who may start a
    # collaborative may start one.
    "communities.index": SignedIn(),
    "communities.new": CreateCollaborative(),
    "communities.detail": IN_COMMUNITY,
    "communities.edit": FACILITATE,
    "communities.members": IN_COMMUNITY,
    "communities.add_member": FACILITATE,
    "communities.edit_member": FACILITATE,
    "communities.remove_member": FACILITATE,
    "communities.meetings": IN_COMMUNITY,
    "communities.new_meeting": FACILITATE,
    "communities.meeting": IN_COMMUNITY,
    "communities.edit_meeting": FACILITATE,
    "communities.attendance": FACILITATE,
    "communities.add_action": FACILITATE,
    "communities.edit_action": FACILITATE,
    "communities.delete_action": FACILITATE,
    "communities.resources": IN_COMMUNITY,
    "communities.add_resource": TAKE_PART,
    "communities.edit_resource": OwnResource(),
    "communities.remove_resource": OwnResource(),
    "communities.participation": IN_COMMUNITY,
    "communities.participation_csv": IN_COMMUNITY,
    # Research needs: read by research partners too; logged and voted on by those who take part;
    # a team's Study stage sends one to a community of its collaborative; whoever logged one
    # corrects it while it is open.
    "research.needs": IN_COMMUNITY,
    "research.export": IN_COMMUNITY,
    "research.new": TAKE_PART,
    "research.from_cycle": EDIT_RECORDS,
    "research.edit": OwnNeed(),
    "research.remove": FACILITATE,
    "research.vote": TAKE_PART,
    "research.take_back_vote": TAKE_PART,
    # A community's evaluation: feedback after a meeting, and interview-based notes.
    "community_feedback.evaluation": IN_COMMUNITY,
    "community_feedback.give": TAKE_PART,
    "community_feedback.paper": FACILITATE,
    "community_feedback.add_note": FACILITATE,
    "community_feedback.edit_note": FACILITATE,
    "community_feedback.remove_note": FACILITATE,
    # Priority rounds, of a collaborative or of a community.
    "priorities.collaborative_rounds": VIEW_COLLABORATIVE,
    "priorities.new_collaborative_round": EDIT_COLLABORATIVE,
    "priorities.community_rounds": IN_COMMUNITY,
    "priorities.new_community_round": FACILITATE,
    "priorities.detail": ROUND_TAKE_PART,
    "priorities.edit": ROUND_FACILITATE,
    "priorities.stage": ROUND_FACILITATE,
    "priorities.add_idea": ROUND_TAKE_PART,
    "priorities.edit_idea": OWN_IDEA,
    "priorities.withdraw_idea": OWN_IDEA,
    "priorities.event_ideas": ROUND_FACILITATE,
    "priorities.themes": ROUND_FACILITATE,
    "priorities.move_idea": ROUND_FACILITATE,
    "priorities.theme": ROUND_TAKE_PART,
    "priorities.edit_theme": ROUND_FACILITATE,
    "priorities.merge_theme": ROUND_FACILITATE,
    "priorities.reorder_theme": ROUND_FACILITATE,
    "priorities.delete_theme": ROUND_FACILITATE,
    "priorities.vote": ROUND_TAKE_PART,
    "priorities.count_dots": ROUND_TAKE_PART,
    "priorities.results": ROUND_RESULTS,
    "priorities.results_csv": ROUND_RESULTS,
    # What a chosen theme became: the round's facilitators (starting a community: those who may
    # start one, which every coordinator and community facilitator running a round may).
    "priorities.start_community": ROUND_FACILITATE,
    "priorities.link_aim": ROUND_FACILITATE,
    "priorities.link_measure": ROUND_FACILITATE,
    # A record's history: its team's, its collaborative's, or (accounts) admins only.
    "history.record": ByVariant(
        {
            **dict.fromkeys(
                (
                    "Aim",
                    "AimAssessment",
                    "Driver",
                    "ChangeIdea",
                    "Cycle",
                    "CycleQuestion",
                    "CycleTask",
                    "Comment",
                    "Team",
                    "Membership@team",
                ),
                VIEW_TEAM,
            ),
            "Collaborative": VIEW_COLLABORATIVE,
            "Membership@collaborative": VIEW_COLLABORATIVE,
            "User": Admin(),
        }
    ),
}

# Every response but a static file is sent with `Cache-Control: no-store`, except these downloads
# when they succeed: they carry an ETag and `private, no-cache` (the browser may keep the file the
# person saved anyway, but asks again before each use; shared caches never keep it).
REVALIDATED_DOWNLOADS = frozenset(
    {
        "measures.chart_svg",
        "measures.chart_png",
        "exports.measures",
        "exports.cycles",
        "panel.summary_export",
    }
)


def cache_control(endpoint: str, status: int) -> str | None:
    """The Cache-Control a response must carry; None for static files (their own module's)."""
    if endpoint == "static":
        return None
    if endpoint in REVALIDATED_DOWNLOADS and status in (200, 304):
        return "private, no-cache"
    if endpoint == "reports.calendar_feed" and status in (200, 304):
        return "private, max-age=300"
    return "no-store"


def requirement(endpoint: str, method: str, variant: str) -> Requirement:
    """The table's requirement for one request; KeyError names what the table lacks."""
    found = TABLE[endpoint]
    if isinstance(found, ByMethod):
        found = found.methods[method]
    if isinstance(found, ByVariant):
        found = found.for_variant(variant)
    return found


def expected(person: str, endpoint: str, method: str, variant: str, owner: str | None) -> str:
    """The outcome class this person must get for this request."""
    return requirement(endpoint, method, variant).outcome(PEOPLE[person], owner)


def sees_team(person: str, team: str) -> bool:
    return PEOPLE[person].holds_on_team(P.VIEW_TEAM, team)


def sees_collaborative(person: str, collaborative: str) -> bool:
    return PEOPLE[person].holds_on_collaborative(P.VIEW_COLLABORATIVE, collaborative)


def sees_community(person: str, community: str) -> bool:
    return PEOPLE[person].holds_in_community(CP.VIEW, community)


def community_role(person: str, community: str) -> CommunityRole | None:
    return PEOPLE[person].community_roles.get(community)
