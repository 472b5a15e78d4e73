"""Start-up once: any number of server processes on a fresh database migrate and seed it once.

Real `advisor serve --workers 2` subprocesses on a fresh database each time (SQLite here, the
real PostgreSQL in CI): both processes must come up, with no traceback in the log.
"""

import os
import re
import time

import httpx
import pytest
from sqlalchemy.engine import make_url

from tests.servers import serve

pytestmark = pytest.mark.db
# each start costs a few seconds of imports per process; CI raises it (.ci/run: 10)
STARTS = int(os.environ.get("ADVISOR_TEST_STARTS", "3"))
SECRET = "not-for-logs"


def _wait_for(pattern: str, count: int, read, timeout: float = 60.0) -> str:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while True:
        text = read()
        if len(re.findall(pattern, text)) >= count or time.monotonic() > deadline:
            return text
        time.sleep(0.1)


@pytest.mark.parametrize("attempt", range(STARTS))
def test_two_workers_start_cleanly_on_a_fresh_database(attempt, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    if database_url.startswith("postgres"):  # a password, which the start-up log must not show
        database_url = make_url(database_url).set(password=SECRET).render_as_string(False)
    with serve(tmp_path, database_url=database_url, workers=2) as server:
        log = _wait_for(r"Application startup complete", 2, server.log_text)
        health = httpx.get(f"{server.url}/health", timeout=10)
    assert health.status_code == 200 and health.json()["instruments"] > 0
    assert "Traceback" not in log, log
    assert "died" not in log, log  # uvicorn's supervisor: "Child process [n] died"
    assert len(re.findall(r"Application startup complete", log)) == 2, log
    starts = re.findall(r"level=INFO event=server_start pid=\d+ database=(\S+)", log)
    assert len(starts) == 2 and SECRET not in log, log
    where = database_url.rsplit("@", 1)[-1].split("://")[-1]  # host and database, or the file
    assert all(start.endswith(where) for start in starts), (starts, where)
