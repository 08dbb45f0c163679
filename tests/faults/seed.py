"""Seed the fault suite's organisation through Alvéole's own actions; print it as JSON.

Run in a subprocess against the database being prepared:
`DATABASE_URL=… python tests/faults/seed.py` (DJANGO_SETTINGS_MODULE=alveole.settings), from the
Alvéole tree under test.

One owner, eight members and two guests; three spaces: "Everyone" (open, every member
joined), "Project" (private: the owner, four members and both guests) and "Board" (private:
the owner and two members). So most people have a space they may not see, guests two.
"""

from __future__ import annotations

import json
import sys

MEMBERS = 8
GUESTS = 2


def seed() -> dict:
    import django

    django.setup()
    from alveole.accounts.actions import create_token
    from alveole.accounts.models import Role, User
    from alveole.orgs.actions import create_organisation, create_user
    from alveole.spaces.actions import add_space_member, create_space

    owner = create_organisation(
        name="Fault suite", owner_email="owner@faults.example", owner_name="Olga Owner", password=None
    )
    org = owner.organisation
    members = [
        create_user(organisation=org, email=f"member{n}@faults.example", full_name=f"Member {n}",
                    role=Role.MEMBER, password=None)
        for n in range(1, MEMBERS + 1)
    ]  # fmt: skip
    guests = [
        create_user(organisation=org, email=f"guest{n}@faults.example", full_name=f"Guest {n}",
                    role=Role.GUEST, password=None)
        for n in range(1, GUESTS + 1)
    ]  # fmt: skip
    plan = {
        "Everyone": ("open", members),
        "Project": ("private", [*members[:4], *guests]),
        "Board": ("private", members[:2]),
    }
    spaces = {}
    for name, (visibility, people) in plan.items():
        space = create_space(owner, name=name, kind="team", visibility=visibility)
        for person in people:
            add_space_member(owner, space=space, user=person)
        spaces[name] = {"id": space.pk, "visibility": visibility, "members": [owner.pk] + [p.pk for p in people]}
    everyone: list[User] = [owner, *members, *guests]
    return {
        "org_id": org.pk,
        "people": [
            {
                "id": u.pk,
                "email": u.email,
                "handle": u.handle,
                "role": u.role,
                "token": create_token(u, name="fault suite")[1],
            }
            for u in everyone
        ],
        "spaces": spaces,
    }


if __name__ == "__main__":
    json.dump(seed(), sys.stdout)
