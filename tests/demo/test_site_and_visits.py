"""The demo site's pages, the simulated readers and the port check."""

from __future__ import annotations

import html
import itertools
import json
import random
import re
import socket

import pytest

from cohortcast.demo.articles import ARTICLES, TOPICS
from cohortcast.demo.processes import PortInUseError, check_ports_free
from cohortcast.demo.site import article_urls, render_pages
from cohortcast.demo.traffic import ServerSideVisitor
from cohortcast.demo.visits import MAX_PAGES, MIN_PAGES, plan_visit

SERVER = "http://127.0.0.1:8000"


def _page_properties(page: bytes) -> dict[str, str]:
    found = re.search(rb'data-page-properties="([^"]*)"', page)
    assert found is not None
    properties: dict[str, str] = json.loads(html.unescape(found.group(1).decode()))
    return properties


def test_every_article_page_loads_the_sdk_with_its_page_properties() -> None:
    pages = render_pages(SERVER, "sdk_demo")

    assert 8 <= len(ARTICLES) <= 12
    assert {article.topic for article in ARTICLES} == set(TOPICS)
    for article in ARTICLES:
        page = pages[article.path]
        assert b'src="http://127.0.0.1:8000/sdk/v1/cohortcast.js"' in page
        assert b'data-sdk-key="sdk_demo"' in page
        assert _page_properties(page) == {
            "category": article.topic,
            "topic": article.slug,
            "author": article.author,
        }


def test_every_page_has_a_pinterest_tag_stand_in_that_sets_pin_unauth_first() -> None:
    for page in render_pages(SERVER, "sdk_demo").values():
        text = page.decode()
        assert 'document.cookie = "_pin_unauth=' in text
        assert text.index("_pin_unauth") < text.index("cohortcast.js")


def test_the_index_links_every_article() -> None:
    index = render_pages(SERVER, "sdk_demo")["/"].decode()

    for article in ARTICLES:
        assert f'href="{article.path}"' in index


def test_a_visit_reads_a_few_pages_never_the_same_twice_in_a_row() -> None:
    urls = article_urls("http://127.0.0.1:8800")
    rng = random.Random(1)

    for _ in range(200):
        visits = plan_visit(rng, urls)
        assert MIN_PAGES <= len(visits) <= MAX_PAGES
        assert all(a.url != b.url for a, b in itertools.pairwise(visits))
        assert all(visit.stay_seconds > 0 for visit in visits)


def test_visits_are_reproducible_from_the_seed() -> None:
    urls = article_urls("http://127.0.0.1:8800")

    first = [plan_visit(random.Random(7), urls) for _ in range(3)]
    again = [plan_visit(random.Random(7), urls) for _ in range(3)]

    assert first == again


def test_a_busy_port_names_the_option_to_change() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]

        with pytest.raises(PortInUseError, match=f"Port {port} .* --sandbox-port"):
            check_ports_free("127.0.0.1", {"--sandbox-port": port})


def test_server_side_visitors_report_signals_and_hashed_emails_when_signed_in() -> None:
    rng = random.Random(7)

    fields = [ServerSideVisitor.draw(rng).batch_fields() for _ in range(200)]

    signed_in = [str(f["email_sha256"]) for f in fields if "email_sha256" in f]
    assert 60 < len(signed_in) < 140
    assert all(re.fullmatch("[0-9a-f]{64}", digest) for digest in signed_in)
    signals = [f["signals"] for f in fields]
    assert all(isinstance(s, dict) and s["consent"] is True for s in signals)
    assert sum(isinstance(s, dict) and s["pinterest_cookie"] for s in signals) > 150
