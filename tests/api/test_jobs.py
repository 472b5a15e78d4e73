"""Portfolio jobs through the real queue: procrastinate on PostgreSQL in CI, else in process."""

import csv
import io
import json
import time

import pytest
from fastapi.testclient import TestClient

from tests.builders import profile_data

pytestmark = pytest.mark.db


def _wait(client: TestClient, job_id: str, timeout: float = 120) -> dict:  # type: ignore[type-arg]
    deadline = time.monotonic() + timeout
    while True:
        status = client.get(f"/v1/jobs/{job_id}").json()
        if status["status"] == "done":
            return status
        assert time.monotonic() < deadline, status
        time.sleep(0.2)


def test_a_job_reports_progress_and_returns_one_record_per_row(client: TestClient) -> None:
    items = [profile_data(id=f"p{i}", capex={"amount": 1e6 * (i + 1)}) for i in range(7)]
    items.insert(3, {"id": "bad", "name": "x", "country": "XX"})
    created = client.post("/v1/jobs", json={"items": items})
    assert created.status_code == 202
    job = created.json()
    assert job["total"] == 8 and 0 <= job["progress"] <= 1
    done = _wait(client, job["id"])
    assert done["done"] == 8 and done["failed"] == 1 and done["progress"] == 1.0

    jsonl = client.get(f"/v1/jobs/{job['id']}/results", params={"format": "jsonl"})
    assert jsonl.headers["x-job-status"] == "done"
    records = [json.loads(line) for line in jsonl.text.splitlines()]
    assert [r["row"] for r in records] == list(range(1, 9))
    assert records[3]["id"] == "bad" and not records[3]["ok"]
    assert records[0]["ok"] and records[0]["advice"]["options"]

    text = client.get(f"/v1/jobs/{job['id']}/results?format=csv").text
    table = list(csv.DictReader(io.StringIO(text)))
    assert [r["row"] for r in table] == [str(i) for i in range(1, 9)]
    assert table[3]["ok"] == "False" and table[3]["error"].startswith("country:")


def test_unknown_job_and_bad_requests(client: TestClient) -> None:
    missing = client.get("/v1/jobs/does-not-exist")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert client.post("/v1/jobs", json={"items": []}).status_code == 422
    bad_format = client.get("/v1/jobs/x/results", params={"format": "xml"})
    assert bad_format.status_code == 422


def test_worker_refuses_sqlite(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from advisor.cli import app
    from advisor.settings import get_settings

    monkeypatch.setenv("ADVISOR_DATABASE_URL", f"sqlite:///{tmp_path / 'a.sqlite3'}")
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["worker"])
    get_settings.cache_clear()
    assert result.exit_code == 2 and "postgresql://" in result.output


def test_jobs_are_listed_newest_first_and_can_be_cancelled(client: TestClient) -> None:
    first = client.post("/v1/jobs", json={"items": [profile_data()]}).json()
    second = client.post("/v1/jobs", json={"items": [profile_data()] * 3}).json()
    listed = client.get("/v1/jobs", params={"limit": 500}).json()
    ids = [job["id"] for job in listed]
    assert ids.index(second["id"]) < ids.index(first["id"])
    cancelled = client.delete(f"/v1/jobs/{second['id']}").json()
    # it may have finished before the cancel arrived; either way it is over, and stays so
    assert cancelled["status"] in ("cancelled", "done")
    assert client.get(f"/v1/jobs/{second['id']}").json()["status"] == cancelled["status"]
    only = client.get("/v1/jobs", params={"status": cancelled["status"], "limit": 500}).json()
    assert second["id"] in [job["id"] for job in only]
    assert client.delete("/v1/jobs/00000000-0000-0000-0000-000000000000").status_code == 404
    assert client.get("/v1/jobs", params={"status": "paused"}).status_code == 422
