"""Reading and managing jobs: status and progress from what is stored (`get_job`,
`list_jobs`), the records in row order (`results`), `cancel`, the per-key count of active jobs
(`active_jobs`) and the retention purge (`purge`). With keys, a caller sees only its own jobs.
"""

import csv
import io
import json
from collections.abc import Iterator
from datetime import timedelta

from sqlalchemy import Engine, delete, func, update
from sqlmodel import Session, col, select

from advisor.batch import CSV_COLUMNS, flatten
from advisor.errors import NotFound
from advisor.jobstore import ACTIVE, FINAL, JOB_ID, Job, JobChunk, now_utc, unpack
from advisor.models import JobStatus


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
        now = now_utc()
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
    cutoff = now_utc() - timedelta(days=older_than_days)
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
