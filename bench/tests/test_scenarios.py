"""The load scenarios send the product and its bare reference the same work."""

from __future__ import annotations

import json

from bench.scenarios import POST_BODY, feed_requests, post_requests


def test_the_product_and_the_bare_reference_post_the_same_topic():
    space = {"id": 7, "member_ids": [1, 2], "tokens": ["a", "b"]}
    product = post_requests(space, bare=False)[0]["variants"]
    bare = post_requests(space, bare=True)[0]["variants"]
    product_body = json.loads(product[0]["body"])["body"]
    bare_body = json.loads(bare[0]["body"])["body"]
    assert "#benchmarks" in POST_BODY and product_body.endswith(POST_BODY) and bare_body == POST_BODY
    assert [json.loads(v["body"])["author_id"] for v in bare] == [1, 2]


def test_the_bare_feed_page_is_read_as_the_same_reader():
    readers = [{"user_id": 42, "token": "t", "spaces": [3, 4]}]
    product = [v["path"] for v in feed_requests(readers, bare=False)[0]["variants"]]
    bare = [v["path"] for v in feed_requests(readers, bare=True)[0]["variants"]]
    assert product == ["/api/v1/spaces/3/posts?limit=30", "/api/v1/spaces/4/posts?limit=30"]
    assert bare == ["/spaces/3/posts?viewer=42", "/spaces/4/posts?viewer=42"]
