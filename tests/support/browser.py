"""Debian's headless chromium driven by playwright, with every request off 127.0.0.1 aborted and remembered."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing, contextmanager
from typing import Any
from urllib.parse import urlsplit

from tests.support.operational import CHROMIUM

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


@contextmanager
def offline_page() -> Iterator[Any]:
    """A browser page that can reach 127.0.0.1 only; fails on leaving if it tried to reach anything else."""
    from playwright.sync_api import Route, sync_playwright

    blocked: list[str] = []

    def only_local(route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            context = browser.new_context(locale="zh-CN")
            context.route("**/*", only_local)
            with closing(context.new_page()) as new_page:
                new_page.blocked = blocked
                yield new_page
        finally:
            browser.close()
    assert not blocked, f"the page tried to reach the internet: {blocked}"
