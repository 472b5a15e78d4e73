"""PostgreSQL: a job whose tasks could not be deferred after it was stored is not lost. The
workers' sweep defers a task for each chunk of an active job that has no live task once the
stall window has passed, one task per chunk however many workers sweep, and the job finishes
with one record per row. (SQLite has no tasks: its workers take free chunks from the table.)"""

import asyncio
import json
import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from procrastinate import exceptions as queue_errors
from sqlalchemy import Engine, text, update
from sqlmodel import Session

from advisor import jobrunner, jobs
from advisor.settings import Settings
from api.main import create_app
from tests.builders import profile_data
from tests.conftest import TEST_DATABASE_URL, _reset_postgres

pytestmark = [
    pytest.mark.db,
    pytest.mark.skipif(not TEST_DATABASE_URL, reason="tasks are deferred only on PostgreSQL"),
]
STALLED = 1.0  # seconds: the stall window, after which a chunk with no task is deferred again


def _tasks(db: Engine, job_id: str) -> list[tuple[int, str]]:
    """The queue's tasks for the job's chunks: (chunk, status)."""
    query = text(
        "SELECT (args ->> 'seq')::int, status::text FROM procrastinate_jobs"
        " WHERE task_name = :task AND args ->> 'job_id' = :job ORDER BY 1"
    )
    with db.connect() as connection:
        return [
            tuple(row) for row in connection.execute(query, {"task": jobrunner.TASK, "job": job_id})
        ]  # type: ignore[misc]


def _age(db: Engine, job_id: str, seconds: float) -> None:
    """Make the job's chunks look unchanged for `seconds`."""
    with Session(db) as session:
        session.execute(
            update(jobs.JobChunk)
            .where(jobs.JobChunk.job_id == job_id)  # type: ignore[arg-type]
            .values(updated_at=datetime.now(UTC) - timedelta(seconds=seconds))
        )
        session.commit()


# --- the sweep on its own ------------------------------------------------------------------


def test_each_chunk_with_no_task_gets_one_however_many_sweep(db: Engine) -> None:
    orphan = jobs.store_job(db=db, items=[{"name": f"p{n}"} for n in range(3)], chunk=1)
    young = jobs.store_job(db=db, items=[{"name": "p"}])  # its defer may still be under way
    cancelled = jobs.store_job(db=db, items=[{"name": "p"}])
    jobs.cancel(db=db, job_id=cancelled.id)
    for job in (orphan, cancelled):
        _age(db, job.id, 60)

    async def sweep() -> list[int]:
        queue = jobrunner.queue_app(TEST_DATABASE_URL or "")
        await queue.open_async()
        try:
            # chunk 1 has a live task already (deferred late, say): it gets no second one
            await queue.tasks[jobrunner.TASK].defer_async(job_id=orphan.id, seq=1)
            four = [jobrunner.requeue_orphans(queue, db, older_than=30) for _ in range(4)]
            at_once = await asyncio.gather(*four)
            return [*at_once, await jobrunner.requeue_orphans(queue, db, older_than=30)]
        finally:
            await queue.close_async()

    counts = asyncio.run(sweep())
    assert sum(counts) == 2 and counts[-1] == 0, counts  # chunks 0 and 2, each once
    assert _tasks(db, orphan.id) == [(0, "todo"), (1, "todo"), (2, "todo")]
    assert _tasks(db, young.id) == [] and _tasks(db, cancelled.id) == []


# --- through the API: the defer fails once, the job still finishes -------------------------


@pytest.fixture
def app(tmp_path: Path) -> Iterator[FastAPI]:
    assert TEST_DATABASE_URL
    _reset_postgres(TEST_DATABASE_URL)
    settings = Settings(
        database_url=TEST_DATABASE_URL, data_dir=tmp_path, job_stalled_seconds=STALLED
    )
    yield create_app(settings)


def _defer_fails_once(app: FastAPI) -> list[str]:
    """At the boundary to the database: the first defer raises what procrastinate raises when
    its connection was closed under it. Returns the defers that failed."""
    connector: Any = app.state.jobs.queue.connector
    real = connector.execute_query_all_async
    failed: list[str] = []

    async def execute_query_all_async(query: str, **arguments: Any) -> Any:
        if "procrastinate_defer_jobs" in query and not failed:
            failed.append(query)
            try:
                raise psycopg.OperationalError("server closed the connection unexpectedly")
            except psycopg.OperationalError as exc:
                raise queue_errors.ConnectorException() from exc
        return await real(query, **arguments)

    connector.execute_query_all_async = execute_query_all_async
    return failed


def test_a_job_whose_defer_failed_still_finishes_once_per_row(
    app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    items = [profile_data(id=f"p{n}", capex={"amount": 1e6 * n}) for n in range(1, 5)]
    items.insert(2, {"id": "bad", "name": "x", "country": "XX"})
    with caplog.at_level(logging.INFO, logger="advisor"), TestClient(app) as client:
        failed = _defer_fails_once(app)
        created = client.post("/v1/jobs", json={"items": items})
        # stored: accepted, and not refused for the queue's trouble (a retry would double it)
        assert created.status_code == 202 and failed, created.text
        job_id = created.json()["id"]
        assert _tasks(app.state.db, job_id) == []  # nothing reached the queue
        deadline = time.monotonic() + 180
        while (status := client.get(f"/v1/jobs/{job_id}").json())["status"] != "done":
            assert status["status"] in ("queued", "running"), status
            assert time.monotonic() < deadline, status
            time.sleep(0.2)
        lines = client.get(f"/v1/jobs/{job_id}/results").text.splitlines()
        tasks = _tasks(app.state.db, job_id)
    assert (status["total"], status["done"], status["failed"]) == (5, 5, 1)
    records = [json.loads(line) for line in lines]
    assert [(r["row"], r["id"], r["ok"]) for r in records] == [
        (1, "p1", True), (2, "p2", True), (3, "bad", False), (4, "p3", True), (5, "p4", True),
    ]  # fmt: skip
    assert tasks == [(0, "succeeded")]  # deferred once by the sweep, not again
    logged = caplog.text
    assert "event=chunk_defer_error" in logged and "event=chunk_requeued" in logged
