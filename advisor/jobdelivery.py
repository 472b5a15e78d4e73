"""Chunk delivery: a worker takes a chunk (`claim` as the queue delivers it, `claim_next` with
a lease on SQLite), stores its records exactly once (`finish`) or gives it back (`release`).

- **Exactly once.** A chunk's records are written in one transaction that also marks it done,
  and only if it was not done yet; a second delivery of the same chunk (a retried stalled task,
  a lease that ran out, a task deferred again) stores nothing.
- **Done with the last chunk.** The job becomes `done` in the transaction that stores its last
  chunk; a chunk that broke its worker `MAX_ATTEMPTS` times fails, with its job.
"""

import json
import time
from collections.abc import Sequence

from sqlalchemy import Engine, func, tuple_, update
from sqlmodel import Session, col, select

from advisor.jobstore import ACTIVE, MAX_ATTEMPTS, Job, JobChunk, WorkRow, now_utc, pack, unpack


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
    chunk.updated_at = now_utc()
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
        lock = update(Job).where(col(Job.id) == job_id).values(updated_at=now_utc())
        session.execute(lock)  # concurrent claims of the job queue up here
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
        now = now_utc()
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


def renew(*, db: Engine, job_id: str, seq: int, worker: str, lease: float) -> bool:
    """Extend the lease of a chunk `worker` is still working on (SQLite): a slow chunk stays
    with its live worker, and only a dead worker's lease runs out. False when the chunk is no
    longer this worker's (its lease ran out and another took it, or it is stored)."""
    with Session(db) as session:
        renewed = session.execute(
            update(JobChunk)
            .where(col(JobChunk.job_id) == job_id, col(JobChunk.seq) == seq)
            .where(col(JobChunk.state) == "running", col(JobChunk.claimed_by) == worker)
            .values(lease_until=time.time() + lease)
        ).rowcount
        session.commit()
    return renewed == 1


def release(*, db: Engine, job_id: str, seq: int) -> None:
    """A chunk broke its worker: free it for the next attempt at once (`claim_next` fails it
    after MAX_ATTEMPTS)."""
    with Session(db) as session:
        session.execute(
            update(JobChunk)
            .where(col(JobChunk.job_id) == job_id, col(JobChunk.seq) == seq)
            .where(col(JobChunk.state) == "running")
            .values(lease_until=0.0, updated_at=now_utc())
        )
        session.commit()


def _fail_job(session: Session, job_id: str) -> None:
    now = now_utc()
    session.execute(
        update(Job)
        .where(col(Job.id) == job_id, col(Job.status).in_(ACTIVE))
        .values(status="failed", finished_at=now, updated_at=now)
    )
