"""The page against a service that asks for API keys (ADVISOR_AUTH=keys): stored decisions need
a key with scope `advice` (ARCHITECTURE.md, "Faces and keys"), which a plain link cannot send, so
the page fetches its reports with the key the officer entered and saves them."""

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.api.auth_helpers import KEY
from tests.page.test_page import _fill_example_by_hand, _open, _wait_for_answer
from tests.servers import ADVISOR, Server, serve

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def keyed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str]]:
    tmp = tmp_path_factory.mktemp("page-keys")
    env = {
        **os.environ,
        "ADVISOR_DATA_DIR": str(tmp / "data"),
        "ADVISOR_DATABASE_URL": f"sqlite:///{tmp / 'advisor.sqlite3'}",
    }
    created = subprocess.run(
        [str(ADVISOR), "keys", "create", "--name", "page", "--scope", "advice"],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    (secret,) = KEY.findall(created.stdout)
    with serve(tmp, env={"ADVISOR_AUTH": "keys"}) as running:
        yield running, secret


@pytest.fixture
def server(keyed: tuple[Server, str]) -> Server:
    return keyed[0]  # the page, its traffic guard and its context follow this server


def test_reports_are_fetched_with_the_key(page, keyed, shot) -> None:  # type: ignore[no-untyped-def]
    server, secret = keyed
    _open(page, server)
    page.click("#connection-form >> xpath=..//summary")
    page.fill("#api-key", secret)
    page.dispatch_event("#api-key", "change")
    _fill_example_by_hand(page)
    page.click("#submit")
    _wait_for_answer(page)
    record = page.locator(".advice .record")
    href = record.locator(".report-pdf").get_attribute("href")
    assert httpx.get(server.url + href, timeout=120).status_code == 401  # a link alone may not
    for selector, magic in ((".report-pdf", b"%PDF"), (".report-xlsx", b"PK")):
        with page.expect_download(timeout=120_000) as saved:
            record.locator(selector).click()
        assert Path(saved.value.path()).read_bytes().startswith(magic)
    shot(page, "reports-with-key")
