"""Demo data for `make run`: a small company, a client guest, three spaces (one confidential)."""

from __future__ import annotations

from django.db import transaction

from alveole.accounts.models import Role, User
from alveole.feed import actions as feed
from alveole.orgs import actions as org_actions
from alveole.orgs.models import Organisation
from alveole.spaces import actions as space_actions
from alveole.spaces.models import Label, Space, SpaceKind, SpaceRole, Visibility

DEMO_PASSWORD = "hive-demo-2026"
DEMO_ORG = "Hexagone & Co (demo)"
DEMO_PEOPLE = [
    ("camille@example.com", "Camille Durand", Role.OWNER, "Managing director"),
    ("sam@example.com", "Sam Okafor", Role.ADMIN, "Operations"),
    ("lena@example.com", "Lena Fischer", Role.MEMBER, "Designer"),
    ("diego@example.com", "Diego Álvarez", Role.MEMBER, "Developer"),
    ("priya@client.example", "Priya Nair", Role.GUEST, "Client, Nair Studio"),
]


def demo_organisation() -> Organisation | None:
    """Found by its owner, not its name: the first step the owner is offered is to rename it."""
    owner = User.objects.filter(email=DEMO_PEOPLE[0][0]).select_related("organisation").first()
    return owner.organisation if owner is not None else None


@transaction.atomic
def seed_demo() -> Organisation:
    """Create the demo organisation once; later calls return the existing one."""
    existing = demo_organisation()
    if existing is not None:
        return existing
    email, name, _role, _title = DEMO_PEOPLE[0]
    owner = org_actions.create_organisation(name=DEMO_ORG, owner_email=email, owner_name=name, password=DEMO_PASSWORD)
    org = owner.org
    people = {email: owner}
    for email, name, role, _title in DEMO_PEOPLE[1:]:
        people[email] = org_actions.create_user(
            organisation=org, email=email, full_name=name, role=role, password=DEMO_PASSWORD
        )
    for email, _name, _role, title in DEMO_PEOPLE:
        User.objects.filter(pk=people[email].pk).update(title=title)

    everyone = space_actions.create_space(
        owner,
        name="Everyone",
        kind=SpaceKind.TEAM,
        visibility=Visibility.OPEN,
        description="Company-wide news and questions. Every member can see and join it.",
    )
    for email in ("sam@example.com", "lena@example.com", "diego@example.com"):
        space_actions.join_space(people[email], space=everyone)

    project = space_actions.create_space(
        owner,
        name="Website redesign",
        kind=SpaceKind.PROJECT,
        visibility=Visibility.PRIVATE,
        description="The new website for Nair Studio, with the client in the loop.",
    )
    space_actions.add_space_member(owner, space=project, user=people["lena@example.com"], role=SpaceRole.MANAGER)
    space_actions.add_space_member(owner, space=project, user=people["diego@example.com"])
    space_actions.add_space_member(owner, space=project, user=people["priya@client.example"])
    leadership = space_actions.create_space(
        owner,
        name="Leadership",
        kind=SpaceKind.TEAM,
        visibility=Visibility.PRIVATE,
        description="Budgets, hiring and the board. Confidential: never shown to guests, never sent by email.",
        label=Label.objects.get(organisation=org, restricted=True),
    )
    space_actions.add_space_member(owner, space=leadership, user=people["sam@example.com"])
    _demo_content(people, everyone, project)
    feed.create_post(people["sam@example.com"], space=leadership, body="Draft budget for next year: review by Friday.")
    return org


def _demo_content(people: dict[str, User], everyone: Space, project: Space) -> None:
    """A few posts so that the first look is not an empty page."""

    camille, sam, lena = people["camille@example.com"], people["sam@example.com"], people["lena@example.com"]
    diego, priya = people["diego@example.com"], people["priya@client.example"]
    welcome, _ = feed.create_post(
        camille, space=everyone, kind="announcement",
        body="Welcome to **Alvéole**! Post news and questions here instead of reply-all emails. #welcome",
    )  # fmt: skip
    feed.set_pinned(camille, post=welcome, pinned=True)
    feed.react(sam, post=welcome, kind="celebrate")
    feed.react(diego, post=welcome, kind="like")
    question, _ = feed.create_post(
        diego, space=everyone, kind="question", body="Does anyone have the template for the monthly report?"
    )
    answer, _ = feed.create_comment(sam, post=question, body="It is in the shared drive under *Finance*.")
    feed.mark_answer(diego, comment=answer)
    mockups, _ = feed.create_post(
        lena, space=project, body="First mock-ups of the home page are ready for review. #design"
    )
    feed.create_comment(priya, post=mockups, body="Looks great! Could the logo be a little larger?")
    feed.react(camille, post=mockups, kind="love")
