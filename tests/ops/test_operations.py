"""Operations: gzip, HEAD /health, `postgres://` URLs, structured logs, Ctrl-C on a batch."""

import gzip
import json
import logging
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from advisor import logs
from advisor.batch import run_batch
from advisor.settings import Settings
from api.main import create_app
from tests.api.test_jobs import _wait
from tests.builders import profile_data
from tests.conftest import TEST_DATABASE_URL
from tests.servers import ADVISOR

# --- gzip and HEAD -------------------------------------------------------------------------


@pytest.mark.db
def test_large_responses_are_gzipped_and_small_ones_are_not(client: TestClient) -> None:
    headers = {"accept-encoding": "gzip"}
    with client.stream("GET", "/v1/instruments?limit=500", headers=headers) as large:
        raw = b"".join(large.iter_raw())
    assert large.headers["content-encoding"] == "gzip"
    plain = gzip.decompress(raw)
    assert json.loads(plain)["count"] > 50
    assert len(raw) * 3 < len(plain)  # catalogue JSON compresses far better than 3:1
    small = client.get("/health", headers=headers)  # well under 1 KB
    assert "content-encoding" not in small.headers and small.json()["status"] == "ok"
    unasked = client.get("/v1/instruments?limit=500", headers={"accept-encoding": "identity"})
    assert "content-encoding" not in unasked.headers
    refused = client.get("/v1/instruments?limit=500", headers={"accept-encoding": "gzip;q=0"})
    assert "content-encoding" not in refused.headers and refused.json()["count"] > 50


@pytest.mark.db
def test_head_on_health_answers_200_without_a_body(client: TestClient) -> None:
    answer = client.head("/health")
    assert answer.status_code == 200 and answer.content == b""


# --- postgres:// URLs ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgres://u:p@db:5432/adv", "postgresql+psycopg://u:p@db:5432/adv"),
        ("postgresql://u@db/adv?sslmode=require", "postgresql+psycopg://u@db/adv?sslmode=require"),
        ("postgresql+psycopg://u@db/adv", "postgresql+psycopg://u@db/adv"),
        ("sqlite:////tmp/a.sqlite3", "sqlite:////tmp/a.sqlite3"),
    ],
)
def test_postgres_urls_name_the_driver(given: str, used: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    assert Settings(database_url=given).resolved_database_url() == used
    monkeypatch.setenv("ADVISOR_DATABASE_URL", given)
    assert Settings().resolved_database_url() == used


@pytest.mark.db
@pytest.mark.postgres
def test_a_postgres_url_serves(tmp_path: Path) -> None:
    if not TEST_DATABASE_URL:
        pytest.skip("needs ADVISOR_TEST_DATABASE_URL (PostgreSQL)")
    url = "postgres://" + TEST_DATABASE_URL.split("://", 1)[1]
    with TestClient(create_app(Settings(database_url=url, data_dir=tmp_path))) as api:
        assert api.get("/health").json()["instruments"] > 50


# --- structured logs -------------------------------------------------------------------------


def test_log_lines_are_key_value_and_hide_passwords() -> None:
    line = logs.line("x", job="ab-1", rows=50, seconds=1.23456, note='two words "q"', none=None)
    assert line == 'event=x job=ab-1 rows=50 seconds=1.235 note="two words \\"q\\"" none=None'
    masked = logs.safe_url("postgresql+psycopg://advisor:s3cret@db.example:5432/adv")
    assert "s3cret" not in masked and "db.example:5432/adv" in masked


@pytest.mark.db
def test_server_start_and_each_chunk_are_logged(database_url: str, tmp_path: Path, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.INFO, logger="advisor")
    with TestClient(create_app(Settings(database_url=database_url, data_dir=tmp_path))) as api:
        job = api.post("/v1/jobs", json={"items": [profile_data(), {"country": "XX"}]}).json()
        _wait(api, job["id"])
    lines = [r.getMessage() for r in caplog.records if r.name == "advisor"]
    start = next(line for line in lines if line.startswith("event=server_start"))
    assert f"pid={os.getpid()}" in start and "database=" in start
    chunk = next(line for line in lines if line.startswith("event=chunk_done"))
    assert f"job={job['id']}" in chunk and "rows=2 failed=1" in chunk and "seconds=" in chunk


# --- Ctrl-C on `advisor batch` ----------------------------------------------------------------


def test_progress_of_a_resumed_batch_counts_the_rows_already_done(
    tmp_path: Path, database_url: str
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(profile_data(id=f"p{i}")) + "\n" for i in range(4)))
    out = tmp_path / "out.jsonl"
    run_batch(source, out, database_url=database_url)
    out.write_text("".join(out.read_text().splitlines(keepends=True)[:3]))  # stopped after 3
    steps: list[int] = []
    run_batch(source, out, database_url=database_url, progress=steps.append)
    assert sum(steps) == 4 and steps[0] == 3


def _interruptible() -> None:
    """Ctrl-C's default action, as a terminal's foreground job has it: a suite started in the
    background inherits SIGINT ignored, and Python then installs no KeyboardInterrupt."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_on_a_batch_says_how_to_resume(tmp_path: Path) -> None:
    rows = 400
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(profile_data(id=f"p{i}")) + "\n" for i in range(rows)))
    out = tmp_path / "out.jsonl"
    env = {**os.environ, "ADVISOR_DATABASE_URL": f"sqlite:///{tmp_path / 'advisor.sqlite3'}"}
    command = [str(ADVISOR), "batch", str(source), "-o", str(out), "--workers", "2"]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
        preexec_fn=_interruptible,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while not out.exists() or out.read_text().count("\n") < 3:
        assert process.poll() is None and time.monotonic() < deadline, process.communicate()
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGINT)  # as Ctrl-C does: the batch and its worker processes
    _, err = process.communicate(timeout=60)
    message = err.decode()
    assert process.returncode == 130, message
    kept = len(out.read_text().splitlines())
    assert 3 <= kept < rows
    assert f"interrupted: {kept} of {rows} rows are in {out}" in message
    assert "Run the same command again to resume" in message
    assert "Traceback" not in message, message
