"""The page in a real browser: Playwright driving Debian's chromium against a real `advisor serve`
on SQLite. One server and one browser for the whole directory; a fresh context (no storage) per
test. Every request any page makes is checked: one to another host is aborted and fails the test.

Screenshots of each step go to ADVISOR_SCREENSHOTS (default: advisor-screenshots under the
system's temporary directory); .ci/run keeps them in ci-artifacts/screenshots.
"""

import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.servers import Server, serve

CHROMIUM = Path(os.environ.get("ADVISOR_CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CORS_ORIGIN = "http://front-end.invalid:5173"


@pytest.fixture(scope="session")
def screenshots() -> Path:
    default = Path(tempfile.gettempdir()) / "advisor-screenshots"
    out = Path(os.environ.get("ADVISOR_SCREENSHOTS") or default)
    out.mkdir(parents=True, exist_ok=True)
    return out


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("page-server")
    with serve(tmp, env={"ADVISOR_CORS_ORIGINS": CORS_ORIGIN}) as running:
        yield running


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


@dataclass
class Traffic:
    """What the pages asked for, and what went (or tried to go) to another host."""

    host: str
    requests: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _local(url: str, host: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob", "about") or parts.netloc == host


@pytest.fixture
def traffic(server: Server) -> Traffic:
    return Traffic(host=urlsplit(server.url).netloc)


@pytest.fixture
def context(browser: object, traffic: Traffic) -> Iterator[object]:
    ctx = browser.new_context(  # type: ignore[attr-defined]
        viewport={"width": 1280, "height": 900}, accept_downloads=True, locale="en-GB"
    )

    def guard(route: object) -> None:
        url = route.request.url  # type: ignore[attr-defined]
        if _local(url, traffic.host):
            route.continue_()  # type: ignore[attr-defined]
        else:
            traffic.foreign.append(url)
            route.abort()  # type: ignore[attr-defined]

    ctx.route("**/*", guard)
    ctx.on("request", lambda request: traffic.requests.append(request.url))

    def watch(page: object) -> None:
        page.on("pageerror", lambda e: traffic.errors.append(str(e)))  # type: ignore[attr-defined]
        page.on(  # type: ignore[attr-defined]
            "console",
            lambda m: (
                traffic.errors.append(m.text)
                if "Content Security Policy" in m.text or "Refused to" in m.text
                else None
            ),
        )

    ctx.on("page", watch)
    yield ctx
    ctx.close()
    assert traffic.foreign == [], f"requests to another host: {traffic.foreign}"
    assert traffic.errors == [], f"errors in the page: {traffic.errors}"
    stray = [u for u in traffic.requests if not _local(u, traffic.host)]
    assert stray == [], stray


@pytest.fixture
def page(context: object) -> object:
    return context.new_page()  # type: ignore[attr-defined]


@pytest.fixture
def shot(screenshots: Path, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """shot(page, "step"): a screenshot named after the test and the step."""
    count = [0]

    def take(page: object, step: str, full_page: bool = False) -> Path:
        count[0] += 1
        name = re.sub(r"[^\w.-]+", "_", request.node.name).strip("_")
        path = screenshots / f"{name}-{count[0]:02d}-{step}.png"
        page.screenshot(path=str(path), full_page=full_page)  # type: ignore[attr-defined]
        return path

    return take
