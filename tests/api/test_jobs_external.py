"""Jobs on PostgreSQL are done by workers in other processes (or on other hosts)."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.api.test_jobs import _wait
from tests.builders import profile_data

pytestmark = [pytest.mark.db, pytest.mark.postgres]


def test_an_external_worker_process_takes_the_work(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Jobs queued by one API (with no worker of its own) are done by `advisor worker`."""
    from advisor.settings import Settings
    from api.main import create_app
    from tests.conftest import TEST_DATABASE_URL, _reset_postgres

    if not TEST_DATABASE_URL:
        pytest.skip("needs ADVISOR_TEST_DATABASE_URL (PostgreSQL)")
    _reset_postgres(TEST_DATABASE_URL)
    settings = Settings(database_url=TEST_DATABASE_URL, data_dir=tmp_path, jobs_worker=False)
    env = {**os.environ, "ADVISOR_DATABASE_URL": TEST_DATABASE_URL}
    advisor = Path(sys.executable).parent / "advisor"
    with TestClient(create_app(settings)) as api:
        job = api.post("/v1/jobs", json={"items": [profile_data(), profile_data()]}).json()
        time.sleep(1)
        assert api.get(f"/v1/jobs/{job['id']}").json()["done"] == 0  # nobody works here
        log = tmp_path / "worker.log"
        with log.open("wb") as out:
            worker = subprocess.Popen(
                [str(advisor), "worker"], env=env, stdout=out, stderr=subprocess.STDOUT
            )
        try:
            done = _wait(api, job["id"])
        finally:
            worker.terminate()
            worker.wait(timeout=30)
    assert done["done"] == 2 and done["failed"] == 0
    # one structured line per event: where it works (no password), then each chunk it did
    lines = log.read_text().splitlines()
    start = next(line for line in lines if "event=worker_start" in line)
    assert "database=postgresql+psycopg://" in start and "level=INFO" in start
    chunk = next(line for line in lines if "event=chunk_done" in line)
    assert f"job={job['id']}" in chunk and "rows=2" in chunk and "seconds=" in chunk
