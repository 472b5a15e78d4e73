"""Migrations up, down and up again on either database, and jobs carried over from the
row-per-item store (0002) into chunks (0003) with their records."""

import json
from datetime import UTC, datetime

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, inspect, text

from advisor import jobs
from catalogue.db import MIGRATIONS, make_engine

pytestmark = pytest.mark.db


def _to(engine: Engine, revision: str, *, down: bool = False) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def _columns(engine: Engine, table: str) -> list[str]:
    return [c["name"] for c in inspect(engine).get_columns(table)]


def _old_job(engine: Engine, job_id: str, rows: int, finished: int, chunk: int) -> None:
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO job (id, status, total, done, failed, chunk, created_at, updated_at)"
                " VALUES (:id, 'queued', :total, :done, 0, :chunk, :now, :now)"
            ),
            {"id": job_id, "total": rows, "done": finished, "chunk": chunk, "now": now},
        )
        for row in range(1, rows + 1):
            output = json.dumps({"row": row, "ok": row != 2}) if row <= finished else None
            conn.execute(
                text(
                    'INSERT INTO job_item (job_id, "row", input, ok, output) '
                    "VALUES (:job, :row, :input, :ok, :output)"
                ),
                {
                    "job": job_id, "row": row, "input": json.dumps({"id": f"r{row}"}),
                    "ok": None if output is None else row != 2, "output": output,
                },
            )  # fmt: skip


def test_jobs_are_carried_into_chunks_and_migrations_go_down_and_up(database_url: str) -> None:
    engine = make_engine(database_url)
    job_id = "00000000-0000-4000-8000-000000000001"
    try:
        _to(engine, "0002")
        _old_job(engine, job_id, rows=5, finished=3, chunk=2)
        _to(engine, "head")
        assert {"api_key", "api_key_usage", "job_chunk"} <= set(inspect(engine).get_table_names())
        assert "job_item" not in inspect(engine).get_table_names()
        assert _columns(engine, "job").count("owner") == 1
        assert "secret" not in " ".join(_columns(engine, "api_key")).replace("secret_hash", "")
        status = jobs.get_job(db=engine, job_id=job_id)
        # rows 1-2 form a finished chunk; row 3 finished, but its chunk (3-4) did not
        assert (status.status, status.total, status.done, status.failed) == ("queued", 5, 2, 1)
        assert jobs.chunk_seqs(db=engine, job_id=job_id) == [1, 2]
        rows = jobs.claim(db=engine, job_id=job_id, seq=1, worker="w")
        assert rows == [(3, "r3", {}), (4, "r4", {})]
        records = "".join(jobs.results(db=engine, job_id=job_id, fmt="jsonl")).splitlines()
        assert [json.loads(line)["row"] for line in records] == [1, 2]

        _to(engine, "0002", down=True)
        assert not {"api_key", "job_chunk"} & set(inspect(engine).get_table_names())
        assert "owner" not in _columns(engine, "job")
        _to(engine, "head")
        assert _columns(engine, "job").count("owner") == 1
    finally:
        engine.dispose()
