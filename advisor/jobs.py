"""Portfolio jobs: many profiles matched in the background, with progress and downloadable results.

A job is stored as its `job` row and its chunks (`job_chunk`): each chunk holds its input rows
and, once done, their output records, both zlib-compressed JSON. What is stored is the truth:

- **Exactly once.** A chunk's records are written in one transaction that also marks it done,
  and only if it was not done yet; a second delivery of the same chunk (a retried stalled task,
  a lease that ran out) stores nothing. Each row therefore has exactly one record.
- **Counts and status from what is stored.** `done` and `failed` are sums over stored chunks;
  `done` as a status is set in the transaction that stores the last chunk, never before.
- **States**: queued (no chunk started), running, done, failed (a chunk failed `MAX_ATTEMPTS`
  times: the others still finish and their records stay readable), cancelled.

How chunks reach a worker is `advisor.jobrunner`'s business (procrastinate on PostgreSQL,
a lease on the chunk row with SQLite).
"""

import csv
import io
import json
import re
import time
import uuid
import zlib
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Column as SAColumn
from sqlalchemy import Engine, LargeBinary, delete, func, insert, tuple_, update
from sqlmodel import Field, Session, SQLModel, col, select

from advisor.batch import CSV_COLUMNS, flatten
from advisor.errors import NotFound
from advisor.models import JobStatus

DEFAULT_CHUNK = 50
MAX_ATTEMPTS = 3  # a chunk that breaks its worker this often fails (and with it the job)
ACTIVE = ("queued", "running")
FINAL = ("done", "failed", "cancelled")
JOB_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
LEVEL = 6  # zlib level: JSON advice records shrink about tenfold

# one row's work as the engine takes it: (row number, the row's id or None, the profile data)
WorkRow = tuple[int, str | None, dict[str, Any]]


class Job(SQLModel, table=True):
    __tablename__ = "job"

    id: str = Field(primary_key=True, max_length=36)
    status: str = Field(max_length=16)
    total: int
    chunk: int = DEFAULT_CHUNK
    owner: str | None = Field(default=None, max_length=36, index=True)  # the API key's id
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None = None


class JobChunk(SQLModel, table=True):
    __tablename__ = "job_chunk"

    job_id: str = Field(primary_key=True, foreign_key="job.id", max_length=36)
    seq: int = Field(primary_key=True)
    first: int  # row numbers first..last (rows are numbered from 1)
    last: int
    input: bytes = Field(sa_column=SAColumn(LargeBinary, nullable=False))
    output: bytes | None = Field(default=None, sa_column=SAColumn(LargeBinary, nullable=True))
    state: str = Field(default="queued", max_length=16, index=True)
    done: int = 0
    failed: int = 0
    attempts: int = 0
    claimed_by: str | None = Field(default=None, max_length=64)
    lease_until: float | None = None  # epoch seconds; after it another worker may take over
    updated_at: datetime


def pack(text: str) -> bytes:
    return zlib.compress(text.encode(), LEVEL)


def unpack(blob: bytes) -> str:
    return zlib.decompress(blob).decode()


def _now() -> datetime:
    return datetime.now(UTC)


# --- storing a job -------------------------------------------------------------------------


def store_job(
    *, db: Engine, items: Sequence[dict[str, Any]], owner: str | None = None,
    chunk: int = DEFAULT_CHUNK, admit: Callable[[Session], None] | None = None,
) -> Job:  # fmt: skip
    """Record a new job and its rows, cut into compressed chunks (rows are numbered from 1).

    `admit` runs first in the same transaction (e.g. `keys.admit_in`, which locks the key and
    checks its limits): what it raises stores nothing, and what it counts is kept only with
    the job, so two jobs submitted at once cannot both take a key's last slot."""
    now = _now()
    job = Job(
        id=str(uuid.uuid4()), status="queued", total=len(items), chunk=chunk, owner=owner,
        created_at=now, updated_at=now,
    )  # fmt: skip
    chunks = [
        {
            "job_id": job.id,
            "seq": seq,
            "first": start + 1,
            "last": min(start + chunk, len(items)),
            "input": pack(json.dumps(list(items[start : start + chunk]), ensure_ascii=False)),
            "state": "queued",
            "done": 0,
            "failed": 0,
            "attempts": 0,
            "updated_at": now,
        }  # fmt: skip
        for seq, start in enumerate(range(0, len(items), chunk))
    ]
    with Session(db) as session:
        if admit is not None:
            admit(session)
        session.add(job)
        session.flush()
        for start in range(0, len(chunks), 500):  # bounded statements for 100,000-row jobs
            session.execute(insert(JobChunk), chunks[start : start + 500])
        session.commit()
        session.refresh(job)
    return job


def chunk_seqs(*, db: Engine, job_id: str) -> list[int]:
    """The job's chunks that still have work."""
    with Session(db) as session:
        query = select(JobChunk.seq).where(JobChunk.job_id == job_id)
        return list(session.exec(query.where(col(JobChunk.state).in_(ACTIVE))).all())


# --- doing a chunk -------------------------------------------------------------------------


def _rows(chunk: JobChunk) -> list[WorkRow]:
    rows: list[WorkRow] = []
    for number, data in enumerate(json.loads(unpack(chunk.input)), start=chunk.first):
        data = dict(data)
        ident = data.pop("id", None)
        rows.append((number, None if ident is None else str(ident), data))
    return rows


def _start(session: Session, chunk: JobChunk, worker: str, lease: float | None) -> bool:
    """Count an attempt on the chunk and mark it (and its job) running; False if it has failed
    too often, in which case the chunk and its job are marked failed."""
    chunk.attempts += 1
    chunk.updated_at = _now()
    if chunk.attempts > MAX_ATTEMPTS:
        chunk.state = "failed"
        session.add(chunk)
        _fail_job(session, chunk.job_id)
        return False
    chunk.state, chunk.claimed_by = "running", worker
    chunk.lease_until = None if lease is None else time.time() + lease
    session.add(chunk)
    session.execute(
        update(Job)
        .where(col(Job.id) == chunk.job_id, col(Job.status) == "queued")
        .values(status="running", updated_at=chunk.updated_at)
    )
    return True


def claim(*, db: Engine, job_id: str, seq: int, worker: str) -> list[WorkRow] | None:
    """Take chunk `seq` of a job as delivered by the queue: its rows, or None when there is
    nothing to do (the chunk is finished, the job is over, or the chunk failed too often)."""
    with Session(db) as session:
        session.execute(update(Job).where(col(Job.id) == job_id).values(updated_at=_now()))  # lock
        job = session.get(Job, job_id)
        chunk = session.get(JobChunk, (job_id, seq))
        if job is None or chunk is None or job.status not in ACTIVE or chunk.state not in ACTIVE:
            session.rollback()
            return None
        started = _start(session, chunk, worker, lease=None)
        rows = _rows(chunk) if started else None
        session.commit()
        return rows


def claim_next(*, db: Engine, worker: str, lease: float) -> tuple[str, int, list[WorkRow]] | None:
    """Take the oldest chunk nobody holds (queued, or running with its lease run out) of an
    active job: (job id, chunk, rows), or None when there is none. One statement picks and
    takes it, so two processes never take the same chunk while its lease runs."""
    with Session(db) as session:
        now = time.time()
        free = (col(JobChunk.state) == "queued") | (
            (col(JobChunk.state) == "running") & (col(JobChunk.lease_until) < now)
        )
        oldest = (
            select(JobChunk.job_id, JobChunk.seq)
            .join(Job, col(Job.id) == col(JobChunk.job_id))
            .where(free, col(Job.status).in_(ACTIVE))
            .order_by(col(Job.created_at), col(JobChunk.seq))
            .limit(1)
        )
        taken = session.execute(
            update(JobChunk)
            .where(tuple_(JobChunk.job_id, JobChunk.seq).in_(oldest), free)
            .values(claimed_by=worker, lease_until=now + lease)
            .returning(JobChunk.job_id, JobChunk.seq)
        ).first()
        if taken is None:
            session.rollback()
            return None
        chunk = session.get(JobChunk, tuple(taken))
        assert chunk is not None
        job_id, seq = chunk.job_id, chunk.seq
        rows = _rows(chunk) if _start(session, chunk, worker, lease) else None
        session.commit()
    if rows is None:  # that chunk had failed too often: take the next
        return claim_next(db=db, worker=worker, lease=lease)
    return job_id, seq, rows


def finish(*, db: Engine, job_id: str, seq: int, outcomes: Sequence[tuple[bool, str]]) -> bool:
    """Store a chunk's records (one per row, in row order) unless it is already stored; the job
    becomes done in the same transaction as its last chunk. True if this call stored them."""
    failed = sum(not ok for ok, _ in outcomes)
    output = pack("".join(line + "\n" for _, line in outcomes))
    with Session(db) as session:
        now = _now()
        # the job row first: concurrent finishers queue up here, so exactly one sees "last"
        session.execute(update(Job).where(col(Job.id) == job_id).values(updated_at=now))
        stored = session.execute(
            update(JobChunk)
            .where(col(JobChunk.job_id) == job_id, col(JobChunk.seq) == seq)
            .where(col(JobChunk.state).in_(ACTIVE))
            .values(
                state="done",
                output=output,
                done=len(outcomes),
                failed=failed,
                lease_until=None,
                updated_at=now,
            )  # fmt: skip
        ).rowcount
        if stored != 1:
            session.rollback()
            return False
        left = session.exec(
            select(func.count())
            .select_from(JobChunk)
            .where(col(JobChunk.job_id) == job_id, col(JobChunk.state) != "done")
        ).one()
        if left == 0:
            session.execute(
                update(Job)
                .where(col(Job.id) == job_id, col(Job.status).in_(ACTIVE))
                .values(status="done", finished_at=now)
            )
        session.commit()
    return True


def release(*, db: Engine, job_id: str, seq: int) -> None:
    """A chunk broke its worker: free it for the next attempt at once (`claim_next` fails it
    after MAX_ATTEMPTS)."""
    with Session(db) as session:
        session.execute(
            update(JobChunk)
            .where(col(JobChunk.job_id) == job_id, col(JobChunk.seq) == seq)
            .where(col(JobChunk.state) == "running")
            .values(lease_until=0.0, updated_at=_now())
        )
        session.commit()


def _fail_job(session: Session, job_id: str) -> None:
    now = _now()
    session.execute(
        update(Job)
        .where(col(Job.id) == job_id, col(Job.status).in_(ACTIVE))
        .values(status="failed", finished_at=now, updated_at=now)
    )


# --- reading and managing jobs -------------------------------------------------------------


def _status(session: Session, job: Job) -> JobStatus:
    total = lambda column: func.coalesce(func.sum(column), 0)  # noqa: E731
    sums = select(total(JobChunk.done), total(JobChunk.failed))
    done, failed = session.exec(sums.where(col(JobChunk.job_id) == job.id)).one()
    return JobStatus(
        id=job.id,
        status=job.status,
        total=job.total,
        done=done,
        failed=failed,
        progress=round(done / job.total, 4) if job.total else 1.0,
        created_at=job.created_at,
        updated_at=job.updated_at,
        finished_at=job.finished_at,
        results={fmt: f"/v1/jobs/{job.id}/results?format={fmt}" for fmt in ("jsonl", "csv")},
    )


def _find(session: Session, job_id: str, owner: str | None) -> Job:
    """The job, if the caller may see it: with keys, only its owner may (others get 404, as
    if it did not exist); with no key (auth off), everyone."""
    if not JOB_ID.fullmatch(job_id):  # no such id can exist: spare the database (and its NULs)
        raise NotFound(f"no job with id {job_id[:64]!r}", field="job_id")
    job = session.get(Job, job_id)
    if job is None or (owner is not None and job.owner != owner):
        raise NotFound(f"no job with id {job_id!r}", field="job_id")
    return job


def get_job(*, db: Engine, job_id: str, owner: str | None = None) -> JobStatus:
    with Session(db) as session:
        return _status(session, _find(session, job_id, owner))


def list_jobs(
    *, db: Engine, owner: str | None = None, status: str | None = None, limit: int = 50,
    offset: int = 0,
) -> list[JobStatus]:  # fmt: skip
    """The caller's jobs (everyone's with auth off), newest first."""
    with Session(db) as session:
        query = select(Job)
        if owner is not None:
            query = query.where(col(Job.owner) == owner)
        if status is not None:
            query = query.where(col(Job.status) == status)
        query = query.order_by(col(Job.created_at).desc(), col(Job.id)).offset(offset).limit(limit)
        return [_status(session, job) for job in session.exec(query).all()]


def cancel(*, db: Engine, job_id: str, owner: str | None = None) -> JobStatus:
    """Stop a queued or running job: no chunk starts after this; rows already done stay
    readable. A job that has ended keeps its status."""
    with Session(db) as session:
        job = _find(session, job_id, owner)
        now = _now()
        session.execute(
            update(Job)
            .where(col(Job.id) == job.id, col(Job.status).in_(ACTIVE))
            .values(status="cancelled", finished_at=now, updated_at=now)
        )
        session.commit()
        session.refresh(job)
        return _status(session, job)


def active_jobs(*, db: Engine, owner: str) -> int:
    """How many of the owner's jobs are queued or running (for per-key limits)."""
    with Session(db) as session:
        query = select(func.count()).select_from(Job).where(col(Job.owner) == owner)
        return session.exec(query.where(col(Job.status).in_(ACTIVE))).one()


def purge(*, db: Engine, older_than_days: float) -> int:
    """Delete jobs that ended more than `older_than_days` ago, with their rows and records."""
    cutoff = _now() - timedelta(days=older_than_days)
    with Session(db) as session:
        old = select(Job.id).where(col(Job.status).in_(FINAL), col(Job.updated_at) < cutoff)
        ids = list(session.exec(old).all())
        for start in range(0, len(ids), 500):
            batch = ids[start : start + 500]
            session.execute(delete(JobChunk).where(col(JobChunk.job_id).in_(batch)))
            session.execute(delete(Job).where(col(Job.id).in_(batch)))
        session.commit()
    return len(ids)


def results(*, db: Engine, job_id: str, fmt: str, owner: str | None = None) -> Iterator[str]:
    """The job's stored records in row order, as JSONL lines or CSV rows (header first)."""
    get_job(db=db, job_id=job_id, owner=owner)
    if fmt == "csv":
        buffer = io.StringIO()
        csv.DictWriter(buffer, fieldnames=CSV_COLUMNS).writeheader()
        yield buffer.getvalue()
    seqs = _stored_seqs(db, job_id)
    for start in range(0, len(seqs), 20):  # a few chunks per query: bounded memory
        with Session(db) as session:
            some = seqs[start : start + 20]
            query = (
                select(JobChunk.output)
                .where(col(JobChunk.job_id) == job_id, col(JobChunk.seq).in_(some))
                .order_by(col(JobChunk.seq))
            )
            outputs = list(session.exec(query).all())
        for output in outputs:
            text = unpack(output)
            if fmt != "csv":
                yield text
                continue
            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS)
            for line in text.splitlines():
                writer.writerow(flatten(json.loads(line)))
            yield buffer.getvalue()


def _stored_seqs(db: Engine, job_id: str) -> list[int]:
    with Session(db) as session:
        query = select(JobChunk.seq).where(
            col(JobChunk.job_id) == job_id, col(JobChunk.output).is_not(None)
        )
        return list(session.exec(query.order_by(col(JobChunk.seq))).all())
