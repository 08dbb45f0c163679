"""Hostile Markdown never yields executable markup."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alveole.core.markdown import parse, plain_text, render, to_html

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](java\0script:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '[x](https://ok.example "onmouseover=alert(1)")',
    "![x](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    "<iframe src=//evil.example></iframe>",
    "<style>body{display:none}</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<details open ontoggle=alert(1)>",
    "`<script>`<script>alert(1)</script>",
    "<<script>script>alert(1)<</script>/script>",
    "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
    "[a](<javascript:alert(1)>)",
    "<form action=javascript:alert(1)><button>x</button></form>",
    "<object data=javascript:alert(1)>",
    "<base href=javascript:/>",
    "<meta http-equiv=refresh content='0;url=javascript:alert(1)'>",
    "@<script>alert(1)</script> #<img src=x onerror=alert(1)>",
    "[@anna](javascript:alert(1)) #topic",
]

SAFE_TAGS = {
    "a", "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):", re.IGNORECASE)
SAFE_SCHEMES = {"http", "https", "mailto"}


class _Checker(HTMLParser):
    """Parses the output as a browser would and collects anything that could execute."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in SAFE_TAGS:
            self.problems.append(f"tag <{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name in {"style", "src", "srcdoc", "action", "formaction", "data"}:
                self.problems.append(f"attribute {name}")
            if name == "href" and value is not None:
                # Browsers ignore control characters and spaces inside a scheme.
                scheme = SCHEME.match(re.sub(r"[\x00-\x20]", "", value))
                if scheme and scheme.group(1).lower() not in SAFE_SCHEMES:
                    self.problems.append(f"href {value!r}")


def assert_safe(html: str) -> None:
    checker = _Checker()
    checker.feed(html)
    checker.close()
    assert not checker.problems, (checker.problems, html)


def full_render(source: str) -> str:
    return render(parse(source), mention_url=lambda h: f"/people/{h}/", topic_url=lambda t: f"/topics/{t}/")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_known_xss_payloads_are_neutralised(payload):
    assert_safe(full_render(payload))
    assert_safe(to_html(payload))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                *"<>\"'=/:;&#()[]!`*_@ \n\t",
                *["javascript", "script", "onerror", "img", "a href", "src", "svg", "onload", "data", "x", "1"],
                *["http", "#topic", "@anna", "&#106;", "%0a", "\x00", "vbscript"],
            ]
        ),
        max_size=80,
    ).map("".join)
)
def test_no_generated_markdown_yields_executable_markup(source):
    assert_safe(full_render(source))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text_renders_safely(source):
    assert_safe(full_render(source))


def test_markdown_works_and_mentions_and_topics_become_links():
    html = full_render("**Bold** and _italic_, a [link](https://example.com), @anna and #Launch-2027\n\n- one\n- two")
    assert "<strong>Bold</strong>" in html and "<em>italic</em>" in html and "<li>one</li>" in html
    assert '<a href="https://example.com" rel="noopener noreferrer nofollow">link</a>' in html
    assert 'href="/people/anna/"' in html and 'href="/topics/launch-2027/"' in html


def test_mentions_and_topics_in_code_or_links_do_not_count():
    parsed = parse("`@anna #secret` [#linked](https://x.example)\n\n```\n@bob #fenced\n```\n")
    assert parsed.handles == set() and parsed.topics == {}


def test_issue_numbers_are_not_topics():
    assert parse("see #12 and #1-2").topics == {}


def test_plain_text_strips_markup():
    assert plain_text("**Hello** <b>you</b> [x](https://e.example)") == "Hello <b>you</b> x"
