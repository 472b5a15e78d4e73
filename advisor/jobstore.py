"""What a portfolio job is and how it is stored: the `job` row and its chunks (`job_chunk`), each
holding its input rows and, once done, their output records, both compressed JSON
(advisor/packing.py). See `advisor.jobs` for the guarantees; `advisor.jobdelivery` hands chunks
to workers and stores their records, `advisor.jobadmin` reads and manages jobs.
"""

import json
import re
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column as SAColumn
from sqlalchemy import Engine, LargeBinary, insert
from sqlmodel import Field, Session, SQLModel, col, select

from advisor import packing

DEFAULT_CHUNK = 50
MAX_ATTEMPTS = 3  # a chunk that breaks its worker this often fails (and with it the job)
ACTIVE = ("queued", "running")
FINAL = ("done", "failed", "cancelled")
JOB_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
LEVEL = 3  # Zstandard level: JSON advice records shrink about sixfold, ~6x faster than zlib's 6

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
    return packing.pack(text.encode(), LEVEL)


def unpack(blob: bytes) -> str:
    return packing.unpack(blob).decode()


def now_utc() -> datetime:
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
    now = now_utc()
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
