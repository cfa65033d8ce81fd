"""The demo publisher site: an index and the articles, each loading the SDK.

Pages are rendered once at start (they only depend on the server's address
and the SDK key) and served from memory by a threaded HTTP server, so serving
them costs the demo's two busy processes, the server and Chromium, nothing.
"""

from __future__ import annotations

import http.server
import json
import logging
import threading
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from cohortcast.demo.articles import ARTICLES, TOPICS, Article

logger = logging.getLogger(__name__)

_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
)


def render_pages(server_url: str, sdk_key: str) -> dict[str, bytes]:
    """Every page of the site by path: ``/`` and one per article."""
    common = {"server_url": server_url, "sdk_key": sdk_key, "topics": TOPICS}
    pages = {
        "/": _render("index.html", {"page_type": "index"}, articles=ARTICLES, **common)
    }
    for article in ARTICLES:
        pages[article.path] = _render(
            "article.html",
            article.page_properties,
            article=article,
            articles=ARTICLES,
            **common,
        )
    return pages


def _render(name: str, page_properties: dict[str, str], **context: object) -> bytes:
    template = _templates.get_template(name)
    html = template.render(page_properties=json.dumps(page_properties), **context)
    return html.encode()


class DemoSite:
    """The site on ``host:port`` in a background thread; ``stop()`` ends it.

    Raises :class:`OSError` from the constructor when the port is taken.
    """

    def __init__(self, host: str, port: int, pages: dict[str, bytes]) -> None:
        handler = _handler_for(pages)
        self._httpd = http.server.ThreadingHTTPServer((host, port), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="demo-site", daemon=True
        )
        self.url = f"http://{host}:{port}"

    def start(self) -> None:
        """Serve in the background."""
        self._thread.start()
        logger.debug("Demo site serving on %s", self.url)

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._thread.is_alive():
            self._httpd.shutdown()
        self._httpd.server_close()


def article_urls(site_url: str) -> dict[str, list[str]]:
    """The articles' URLs by topic, for the traffic generator."""
    by_topic: dict[str, list[str]] = {topic: [] for topic in TOPICS}
    for article in ARTICLES:
        by_topic[article.topic].append(site_url + article.path)
    return by_topic


def _handler_for(pages: dict[str, bytes]) -> type[http.server.BaseHTTPRequestHandler]:
    class PageHandler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages.get(self.path.split("?", 1)[0])
            if body is None:
                self.send_error(404, "No such page on the demo site.")
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            # Every page view would print a line over the demo's progress.
            return

    return PageHandler


__all__ = ["Article", "DemoSite", "article_urls", "render_pages"]
