"""Portfolio jobs: many profiles matched in the background, with progress and downloadable results.

A job's rows are stored in the database (`job`, `job_item`) and cut into chunks; each chunk is a
task on a procrastinate queue. With PostgreSQL the queue lives in the same database and any
number of `advisor worker` processes, on any host that reaches it, share the work. With the
embedded SQLite default the same tasks run on a worker inside the API process (procrastinate's
in-memory connector); should that process stop, the unfinished chunks are queued again when it
starts, since the rows and their results are in the database.
"""

import csv
import io
import json
import re
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import procrastinate
from procrastinate.testing import InMemoryConnector
from sqlalchemy import JSON, Engine, update
from sqlmodel import Field, Session, SQLModel, select

from advisor import logs
from advisor.batch import CSV_COLUMNS, Row, advise_line, flatten
from advisor.errors import NotFound
from advisor.models import JobStatus

QUEUE = "advisor"
DEFAULT_CHUNK = 50
JOB_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class JobBase(SQLModel):
    id: str = Field(primary_key=True, max_length=36)
    status: str = Field(max_length=16)
    total: int
    done: int = 0
    failed: int = 0
    chunk: int = DEFAULT_CHUNK
    owner: str | None = Field(default=None, max_length=36, index=True)  # api_key.id, or None
    created_at: datetime
    updated_at: datetime


class Job(JobBase, table=True):
    __tablename__ = "job"


class JobItem(SQLModel, table=True):
    __tablename__ = "job_item"

    job_id: str = Field(primary_key=True, foreign_key="job.id", max_length=36)
    row: int = Field(primary_key=True)
    input: dict[str, Any] = Field(sa_type=JSON)
    ok: bool | None = None
    output: str | None = None


# --- the queue -----------------------------------------------------------------------------


def is_postgres(url: str) -> bool:
    return url.startswith(("postgresql://", "postgresql+psycopg://", "postgres://"))


def queue_app(database_url: str) -> procrastinate.App:
    """The procrastinate app for this database: PostgreSQL-backed, or in process for SQLite.

    Its workers take the database from their context: `worker_options(database_url)`.
    """
    if is_postgres(database_url):
        conninfo = database_url.replace("postgresql+psycopg://", "postgresql://", 1)
        conninfo = conninfo.replace("postgres://", "postgresql://", 1)
        connector: Any = procrastinate.PsycopgConnector(conninfo=conninfo)
    else:
        connector = InMemoryConnector()
    tasks = procrastinate.Blueprint()  # a blueprint renames its tasks when added: one per app
    tasks.task(name="match_chunk", queue=QUEUE, retry=2, pass_context=True)(match_chunk)
    app = procrastinate.App(connector=connector)
    app.add_tasks_from(tasks, namespace="advisor")
    return app


def worker_options(database_url: str, concurrency: int = 1) -> dict[str, Any]:
    return {
        "queues": [QUEUE],
        "concurrency": concurrency,
        "additional_context": {"database_url": database_url},
    }


@lru_cache(maxsize=4)
def _db(url: str) -> Engine:
    from catalogue.db import make_engine

    return make_engine(url)


def match_chunk(context: procrastinate.JobContext, job_id: str, first: int, last: int) -> None:
    """Match rows first..last of a job (those not done yet) and record their results."""
    from advisor.advice import advise
    from advisor.snapshots import snapshot_for

    started = time.perf_counter()
    database_url = context.additional_context["database_url"]
    snapshot = snapshot_for(database_url)
    db = _db(database_url)
    with Session(db) as session:
        items = session.exec(
            select(JobItem)
            .where(JobItem.job_id == job_id, JobItem.row >= first, JobItem.row <= last)
            .where(JobItem.output.is_(None))  # type: ignore[union-attr]
            .order_by(JobItem.row)  # type: ignore[arg-type]
        ).all()
        done = failed = 0
        for item in items:
            data = dict(item.input)
            ident = data.pop("id", None)
            row = Row(item.row, None if ident is None else str(ident), data)
            item.ok, item.output = advise_line(row, lambda p: advise(p, snapshot))
            session.add(item)
            done += 1
            failed += not item.ok
        now = datetime.now(UTC)
        session.exec(
            update(Job)
            .where(Job.id == job_id)  # type: ignore[arg-type]
            .values(done=Job.done + done, failed=Job.failed + failed, updated_at=now)
        )
        session.commit()
        job = session.get(Job, job_id)
        if job is not None and job.done >= job.total and job.status != "done":
            job.status = "done"
            session.add(job)
            session.commit()
    logs.event(
        "chunk_done", job=job_id, first=first, last=last, rows=done, failed=failed,
        seconds=time.perf_counter() - started, task=getattr(context.job, "id", None),
        attempt=getattr(context.job, "attempts", None),
    )  # fmt: skip


def _chunks(total: int, size: int) -> Iterator[tuple[int, int]]:
    for first in range(1, total + 1, size):
        yield first, min(first + size - 1, total)


# --- services ------------------------------------------------------------------------------


def _status(job: Job) -> JobStatus:
    return JobStatus(
        id=job.id,
        status=job.status,
        total=job.total,
        done=job.done,
        failed=job.failed,
        progress=round(job.done / job.total, 4) if job.total else 1.0,
        created_at=job.created_at,
        updated_at=job.updated_at,
        results={fmt: f"/v1/jobs/{job.id}/results?format={fmt}" for fmt in ("jsonl", "csv")},
    )


def store_job(
    *, db: Engine, items: list[dict[str, Any]], chunk: int = DEFAULT_CHUNK, owner: str | None = None
) -> Job:
    """Record a new job and its rows (rows are numbered from 1, in order); `owner` is the id of
    the API key that sent it (None with auth off)."""
    now = datetime.now(UTC)
    job = Job(
        id=str(uuid.uuid4()), status="queued", total=len(items), chunk=chunk, owner=owner,
        created_at=now, updated_at=now,
    )  # fmt: skip
    with Session(db) as session:
        session.add(job)
        session.flush()
        session.add_all(
            JobItem(job_id=job.id, row=i, input=item) for i, item in enumerate(items, start=1)
        )
        session.commit()
        session.refresh(job)
    return job


async def enqueue(*, queue: procrastinate.App, job: Job) -> None:
    """Queue one task per chunk of the job's rows."""
    task = queue.tasks["advisor:match_chunk"]
    for first, last in _chunks(job.total, job.chunk):
        await task.defer_async(job_id=job.id, first=first, last=last)


def unfinished(*, db: Engine) -> list[Job]:
    with Session(db) as session:
        return list(session.exec(select(Job).where(Job.status != "done")).all())


def get_job(*, db: Engine, job_id: str, owner: str | None = None) -> JobStatus:
    """The job's status. With an `owner` (a caller with a key) another key's job, or one sent
    with auth off, is not found; with None (auth off) every job is."""
    if not JOB_ID.fullmatch(job_id):  # no such id can exist: spare the database (and its NULs)
        raise NotFound(f"no job with id {job_id[:64]!r}", field="job_id")
    with Session(db) as session:
        job = session.get(Job, job_id)
        if job is None or (owner is not None and job.owner != owner):
            raise NotFound(f"no job with id {job_id!r}", field="job_id")
        return _status(job)


def results(*, db: Engine, job_id: str, fmt: str, owner: str | None = None) -> Iterator[str]:
    """The job's finished records in row order, as JSONL lines or CSV rows (header first)."""
    get_job(db=db, job_id=job_id, owner=owner)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        yield buffer.getvalue()
    with Session(db) as session:
        query = (
            select(JobItem.output)
            .where(JobItem.job_id == job_id, JobItem.output.is_not(None))  # type: ignore[union-attr]
            .order_by(JobItem.row)  # type: ignore[arg-type]
        )
        for output in session.exec(query.execution_options(yield_per=200)):
            if fmt == "csv":
                buffer = io.StringIO()
                csv.DictWriter(buffer, fieldnames=CSV_COLUMNS).writerow(flatten(json.loads(output)))
                yield buffer.getvalue()
            else:
                yield output + "\n"
