"""The job store's guarantees, without a queue: each row's record is stored once whatever the
deliveries, counts come from what is stored, `done` only with every chunk stored."""

import json
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update
from sqlmodel import Session

from advisor import jobs
from advisor.errors import NotFound

pytestmark = pytest.mark.db


def _items(count: int) -> list[dict]:  # type: ignore[type-arg]
    return [{"id": f"r{row}", "name": f"project {row}"} for row in range(1, count + 1)]


def _records(rows: list[jobs.WorkRow], ok: bool = True) -> list[tuple[bool, str]]:
    return [(ok, json.dumps({"row": number, "id": ident, "ok": ok})) for number, ident, _ in rows]


def test_chunks_cut_the_rows_in_order_and_keep_each_row(db) -> None:  # type: ignore[no-untyped-def]
    job = jobs.store_job(db=db, items=_items(7), chunk=3)
    assert jobs.chunk_seqs(db=db, job_id=job.id) == [0, 1, 2]
    rows = jobs.claim(db=db, job_id=job.id, seq=2, worker="w")
    assert rows == [(7, "r7", {"name": "project 7"})]
    rows = jobs.claim(db=db, job_id=job.id, seq=0, worker="w")
    assert [number for number, _, _ in rows or []] == [1, 2, 3]


def test_a_chunk_delivered_twice_is_stored_once(db) -> None:  # type: ignore[no-untyped-def]
    job = jobs.store_job(db=db, items=_items(4), chunk=2)
    first = jobs.claim(db=db, job_id=job.id, seq=0, worker="a")
    again = jobs.claim(db=db, job_id=job.id, seq=0, worker="b")  # a retried stalled task
    assert first == again and first is not None
    assert jobs.finish(db=db, job_id=job.id, seq=0, outcomes=_records(first)) is True
    assert jobs.finish(db=db, job_id=job.id, seq=0, outcomes=_records(again, ok=False)) is False
    status = jobs.get_job(db=db, job_id=job.id)
    assert (status.status, status.done, status.failed) == ("running", 2, 0)
    # and once stored, the chunk is not handed out again
    assert jobs.claim(db=db, job_id=job.id, seq=0, worker="c") is None


def test_done_comes_with_the_last_chunk_and_not_before(db) -> None:  # type: ignore[no-untyped-def]
    job = jobs.store_job(db=db, items=_items(5), chunk=2)
    for seq in (2, 0):
        rows = jobs.claim(db=db, job_id=job.id, seq=seq, worker="w")
        jobs.finish(db=db, job_id=job.id, seq=seq, outcomes=_records(rows or [], ok=seq != 2))
        assert jobs.get_job(db=db, job_id=job.id).status == "running"
    rows = jobs.claim(db=db, job_id=job.id, seq=1, worker="w")
    jobs.finish(db=db, job_id=job.id, seq=1, outcomes=_records(rows or []))
    status = jobs.get_job(db=db, job_id=job.id)
    assert (status.status, status.done, status.failed, status.progress) == ("done", 5, 1, 1.0)
    assert status.finished_at is not None
    lines = "".join(jobs.results(db=db, job_id=job.id, fmt="jsonl")).splitlines()
    assert [json.loads(line)["row"] for line in lines] == [1, 2, 3, 4, 5]


def test_concurrent_finishers_make_the_job_done_exactly_when_all_are_stored(db) -> None:  # type: ignore[no-untyped-def]
    job = jobs.store_job(db=db, items=_items(8), chunk=1)
    work = {seq: jobs.claim(db=db, job_id=job.id, seq=seq, worker="w") for seq in range(8)}
    barrier = threading.Barrier(8)

    def finish(seq: int) -> None:
        barrier.wait()
        jobs.finish(db=db, job_id=job.id, seq=seq, outcomes=_records(work[seq] or []))

    threads = [threading.Thread(target=finish, args=(seq,)) for seq in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    status = jobs.get_job(db=db, job_id=job.id)
    assert (status.status, status.done) == ("done", 8)


def test_leases_give_a_chunk_to_one_worker_until_they_run_out(db) -> None:  # type: ignore[no-untyped-def]
    job = jobs.store_job(db=db, items=_items(4), chunk=2)
    a = jobs.claim_next(db=db, worker="a", lease=60)
    b = jobs.claim_next(db=db, worker="b", lease=60)
    assert a is not None and b is not None and {a[1], b[1]} == {0, 1}
    assert jobs.claim_next(db=db, worker="c", lease=60) is None  # both held
    with Session(db) as session:  # a's process died: its lease runs out
        session.execute(
            update(jobs.JobChunk)
            .where(jobs.JobChunk.job_id == job.id, jobs.JobChunk.seq == a[1])
            .values(lease_until=time.time() - 1)
        )
        session.commit()
    c = jobs.claim_next(db=db, worker="c", lease=60)
    assert c is not None and c[1] == a[1] and c[2] == a[2]


def test_a_live_worker_renews_its_lease_and_keeps_its_chunk(db) -> None:  # type: ignore[no-untyped-def]
    """A chunk slower than the lease stays with the worker that renews it; only the holder
    can renew; once another took a chunk whose lease ran out, the first can no longer."""
    job = jobs.store_job(db=db, items=_items(2), chunk=2)
    taken = jobs.claim_next(db=db, worker="a", lease=0.5)
    assert taken is not None
    assert not jobs.renew(db=db, job_id=job.id, seq=taken[1], worker="b", lease=60)
    time.sleep(0.3)
    assert jobs.renew(db=db, job_id=job.id, seq=taken[1], worker="a", lease=60)
    time.sleep(0.4)  # past the first lease: renewed, so still a's
    assert jobs.claim_next(db=db, worker="b", lease=60) is None
    with Session(db) as session:  # a's process died: it renews no more, its lease runs out
        session.execute(
            update(jobs.JobChunk)
            .where(jobs.JobChunk.job_id == job.id, jobs.JobChunk.seq == taken[1])
            .values(lease_until=time.time() - 1)
        )
        session.commit()
    assert jobs.claim_next(db=db, worker="b", lease=60) is not None
    assert not jobs.renew(db=db, job_id=job.id, seq=taken[1], worker="a", lease=60)


def test_a_chunk_that_keeps_breaking_fails_its_job(db) -> None:  # type: ignore[no-untyped-def]
    job = jobs.store_job(db=db, items=_items(2), chunk=1)
    for _ in range(jobs.MAX_ATTEMPTS):
        taken = jobs.claim_next(db=db, worker="w", lease=60)
        assert taken is not None and taken[1] == 0
        jobs.release(db=db, job_id=job.id, seq=0)  # the worker broke on it
    # the next attempt would be one too many: the chunk fails, the job with it
    assert jobs.claim_next(db=db, worker="w", lease=60) is None
    status = jobs.get_job(db=db, job_id=job.id)
    assert status.status == "failed" and status.done == 0


def test_cancel_stops_new_chunks_and_keeps_what_is_stored(db) -> None:  # type: ignore[no-untyped-def]
    job = jobs.store_job(db=db, items=_items(4), chunk=2)
    rows = jobs.claim(db=db, job_id=job.id, seq=0, worker="w")
    jobs.finish(db=db, job_id=job.id, seq=0, outcomes=_records(rows or []))
    assert jobs.cancel(db=db, job_id=job.id).status == "cancelled"
    assert jobs.claim(db=db, job_id=job.id, seq=1, worker="w") is None
    assert jobs.claim_next(db=db, worker="w", lease=60) is None
    status = jobs.get_job(db=db, job_id=job.id)
    assert (status.status, status.done) == ("cancelled", 2)
    assert len("".join(jobs.results(db=db, job_id=job.id, fmt="jsonl")).splitlines()) == 2
    assert jobs.cancel(db=db, job_id=job.id).status == "cancelled"  # idempotent


def test_owners_see_only_their_jobs(db) -> None:  # type: ignore[no-untyped-def]
    mine = jobs.store_job(db=db, items=_items(1), owner="key-a")
    theirs = jobs.store_job(db=db, items=_items(1), owner="key-b")
    assert [j.id for j in jobs.list_jobs(db=db, owner="key-a")] == [mine.id]
    with pytest.raises(NotFound):
        jobs.get_job(db=db, job_id=theirs.id, owner="key-a")
    with pytest.raises(NotFound):
        jobs.cancel(db=db, job_id=theirs.id, owner="key-a")
    assert {j.id for j in jobs.list_jobs(db=db)} == {mine.id, theirs.id}  # auth off: all
    assert jobs.active_jobs(db=db, owner="key-a") == 1


def test_purge_deletes_only_jobs_that_ended_long_enough_ago(db) -> None:  # type: ignore[no-untyped-def]
    old = jobs.store_job(db=db, items=_items(1))
    jobs.cancel(db=db, job_id=old.id)
    recent = jobs.store_job(db=db, items=_items(1))
    jobs.cancel(db=db, job_id=recent.id)
    running = jobs.store_job(db=db, items=_items(1))
    long_ago = datetime.now(UTC) - timedelta(days=31)
    with Session(db) as session:
        for job_id in (old.id, running.id):
            session.execute(
                update(jobs.Job).where(jobs.Job.id == job_id).values(updated_at=long_ago)
            )
        session.commit()
    assert jobs.purge(db=db, older_than_days=30) == 1
    with pytest.raises(NotFound):
        jobs.get_job(db=db, job_id=old.id)
    assert jobs.get_job(db=db, job_id=recent.id).status == "cancelled"
    assert jobs.get_job(db=db, job_id=running.id).status == "queued"  # never purged while active


def test_records_are_stored_compressed(db) -> None:  # type: ignore[no-untyped-def]
    job = jobs.store_job(db=db, items=_items(50), chunk=50)
    rows = jobs.claim(db=db, job_id=job.id, seq=0, worker="w") or []
    advice = json.dumps({"reasons": ["the same long reason text, as advice repeats"] * 40})
    outcomes = [(True, f'{{"row": {n}, "advice": {advice}}}') for n, _, _ in rows]
    jobs.finish(db=db, job_id=job.id, seq=0, outcomes=outcomes)
    with Session(db) as session:
        chunk = session.get(jobs.JobChunk, (job.id, 0))
        assert chunk is not None and chunk.output is not None
        plain = sum(len(line) + 1 for _, line in outcomes)
        assert len(chunk.output) < plain / 10
