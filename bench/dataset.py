"""Generate a benchmark dataset: one organisation with users, spaces, posts, comments and reactions.

    python -m bench.dataset --posts 1000000 [--users 500] [--spaces 50] [--seed 1]

It writes into the database named by DATABASE_URL (default: the embedded SQLite
file), after migrating it. Rows go in with bulk inserts in batches, so a million
posts take a few minutes on PostgreSQL. Every generated user's password is
`bench-password-1`; `--tokens N` prints personal access tokens for the first N
users (one per line) so that load generators can authenticate.

The shape follows a mid-sized company: a few large open spaces, many small
private ones, each user in about ten spaces; about one post in five has a
comment thread and one in three has reactions; posts spread over two years.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from datetime import timedelta

BATCH = 5000
BENCH_PASSWORD = "bench-password-1"


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alveole.settings")
    import django

    django.setup()


def generate(*, posts: int, users: int, spaces: int, seed: int, tokens: int, quiet: bool = False) -> dict:
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from alveole.accounts.actions import create_token
    from alveole.accounts.models import Role, User
    from alveole.feed.models import Comment, Post, Reaction
    from alveole.feed.reactions import NAMED
    from alveole.orgs.models import Organisation
    from alveole.spaces.models import Space, SpaceMembership, SpaceRole, Visibility

    rng = random.Random(seed)
    started = time.perf_counter()

    def say(message: str) -> None:
        if not quiet:
            print(f"[{time.perf_counter() - started:7.1f}s] {message}", file=sys.stderr, flush=True)

    call_command("migrate", interactive=False, verbosity=0)
    org = Organisation.objects.create(name=f"Bench org ({posts} posts)")
    password = make_password(BENCH_PASSWORD)
    # Each person signs in as an identity (the password) and acts as an account in the organisation.
    identities = User.objects.bulk_create(
        [
            User(
                login_email=f"bench{org.pk}-{i}@example.com", email="", full_name=f"Bench Person {i}", password=password
            )
            for i in range(users)
        ],
        batch_size=BATCH,
    )
    unusable = make_password(None)
    people = User.objects.bulk_create(
        [
            User(
                email=f"bench{org.pk}-{i}@example.com",
                full_name=f"Bench Person {i}",
                handle=f"bench{i}",
                organisation=org,
                identity=identities[i],
                role=Role.OWNER if i == 0 else (Role.GUEST if i % 25 == 24 else Role.MEMBER),
                password=unusable,
            )
            for i in range(users)
        ],
        batch_size=BATCH,
    )
    say(f"{len(people)} users")
    space_rows = Space.objects.bulk_create(
        [
            Space(
                organisation=org,
                name=f"Space {i}",
                visibility=Visibility.OPEN if i < max(1, spaces // 5) else Visibility.PRIVATE,
            )
            for i in range(spaces)
        ]
    )
    memberships = []
    members_of: dict[int, list[int]] = {}
    for index, space in enumerate(space_rows):
        # The first spaces are large open ones; the rest are small teams and projects.
        size = users if index == 0 else min(users, rng.randint(5, max(6, users // 5)))
        chosen = rng.sample(people, size)
        members_of[space.pk] = [u.pk for u in chosen]
        memberships += [
            SpaceMembership(space=space, user=u, role=SpaceRole.MANAGER if n == 0 else SpaceRole.MEMBER)
            for n, u in enumerate(chosen)
        ]
    SpaceMembership.objects.bulk_create(memberships, batch_size=BATCH)
    say(f"{len(space_rows)} spaces, {len(memberships)} memberships")

    now = timezone.now()
    span = timedelta(days=730).total_seconds()
    weights = [5 if i < max(1, spaces // 5) else 1 for i in range(len(space_rows))]
    created_posts = 0
    comment_total = reaction_total = 0
    kinds = list(NAMED.values())
    while created_posts < posts:
        n = min(BATCH, posts - created_posts)
        batch = []
        for _ in range(n):
            space = rng.choices(space_rows, weights)[0]
            author_id = rng.choice(members_of[space.pk])
            created_at = now - timedelta(seconds=rng.random() * span)
            text = f"Update {created_posts + len(batch)} from the team #topic{rng.randint(0, 50)}"
            batch.append(
                Post(
                    organisation=org,
                    space=space,
                    author_id=author_id,
                    body=text,
                    body_html=f"<p>{text}</p>",
                    created_at=created_at,
                    published_at=created_at,
                )
            )
        with transaction.atomic():
            inserted = Post.objects.bulk_create(batch)
            comments = []
            reactions = []
            for post in inserted:
                audience = members_of[post.space_id]  # type: ignore[index]
                if rng.random() < 0.2:
                    for k in range(rng.randint(1, 4)):
                        comments.append(
                            Comment(
                                post=post,
                                author_id=rng.choice(audience),
                                body="Agreed",
                                body_html="<p>Agreed</p>",
                                created_at=post.created_at + timedelta(minutes=k + 1),
                                published_at=post.created_at + timedelta(minutes=k + 1),
                            )
                        )
                if rng.random() < 0.33:
                    for user_id in rng.sample(audience, min(len(audience), rng.randint(1, 5))):
                        reactions.append(Reaction(post=post, user_id=user_id, kind=rng.choice(kinds)))
            Comment.objects.bulk_create(comments, batch_size=BATCH)
            Reaction.objects.bulk_create(reactions, batch_size=BATCH)
            counts: dict[int, tuple[int, int]] = {}
            for c in comments:
                a, b = counts.get(c.post_id, (0, 0))
                counts[c.post_id] = (a + 1, b)
            for r in reactions:
                a, b = counts.get(r.post_id, (0, 0))
                counts[r.post_id] = (a, b + 1)
            to_update = []
            for post in inserted:
                if post.pk in counts:
                    post.comment_count, post.reaction_count = counts[post.pk]
                    to_update.append(post)
            Post.objects.bulk_update(to_update, ["comment_count", "reaction_count"], batch_size=BATCH)
        created_posts += n
        comment_total += len(comments)
        reaction_total += len(reactions)
        if created_posts % 100_000 < BATCH or created_posts == posts:
            say(f"{created_posts} posts, {comment_total} comments, {reaction_total} reactions")

    # Fresh statistics, or the planner scans a million rows for a 30-row page.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    say("analyzed")
    secrets = []
    for user in people[: max(0, tokens)]:
        _token, secret = create_token(user, name="bench")
        secrets.append(secret)
    return {
        "organisation_id": org.pk,
        "users": len(people),
        "spaces": len(space_rows),
        "posts": created_posts,
        "comments": comment_total,
        "reactions": reaction_total,
        "space_ids": [s.pk for s in space_rows],
        "tokens": secrets,
        "seconds": round(time.perf_counter() - started, 1),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, required=True)
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--spaces", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tokens", type=int, default=0, help="create and print tokens for the first N users")
    parser.add_argument("--json", action="store_true", help="print a JSON summary (with the tokens) on stdout")
    args = parser.parse_args(argv)
    if args.posts < 0 or args.users < 2 or args.spaces < 1:
        parser.error("--posts must be ≥ 0, --users ≥ 2 and --spaces ≥ 1")
    setup_django()
    summary = generate(posts=args.posts, users=args.users, spaces=args.spaces, seed=args.seed, tokens=args.tokens)
    if args.json:
        print(json.dumps(summary))
    else:
        print("\n".join(summary["tokens"]))


if __name__ == "__main__":
    main()
