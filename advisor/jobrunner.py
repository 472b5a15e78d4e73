"""How job chunks reach a worker, and what happens when a worker dies (`advisor.jobs` stores).

**PostgreSQL**: one procrastinate task per chunk, taken by the API's own worker and by any
number of `advisor worker` processes on any host. A worker killed mid-chunk leaves its task
`doing`; every worker looks for tasks held by workers whose heartbeat stopped (procrastinate's
stalled-job API: `get_stalled_jobs`, `retry_job`) and puts them back on the queue. Tasks are
deferred after their job is stored, so a defer that fails (or a process killed in between)
could leave chunks with no task: every worker also looks for chunks of active jobs with no
live task (`todo` or `doing`) that have not changed for the stall window, and defers their
tasks again (`requeue_orphans`). A chunk delivered twice stores its records once
(`jobs.finish`).

**SQLite** (the embedded default): procrastinate has no SQLite connector, and the database is
only ever reached from one host. Each server process runs a `LocalRunner` that takes the oldest
free chunk with a lease on its row (`jobs.claim_next`), so the processes of
`serve --workers N` share the work, and a killed process's chunks are taken again once their
lease runs out.

Either way a chunk that has broken its worker `jobs.MAX_ATTEMPTS` times fails, with its job.
"""

import asyncio
import logging
import multiprocessing
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from typing import Any

import procrastinate
from sqlalchemy import Connection, Engine, text

from advisor import batchwork, heap, jobs, logs

QUEUE = "advisor"
TASK = "advisor:match_chunk"
PURGE_EVERY = 3600.0  # seconds between retention purges
# pg_advisory_xact_lock key held while one process looks for chunks with no task and defers
# them, so that two processes never defer the same chunk twice: "FADVORPH" in ASCII
ORPHANS_LOCK_KEY = int.from_bytes(b"FADVORPH", "big", signed=True)
ORPHANS_AT_ONCE = 5000  # chunks deferred again per sweep at most (the next sweep does more)
# chunks of active jobs, unchanged for a while, that no live task of the queue will deliver
ORPHANS = text(
    """
    SELECT c.job_id, c.seq
      FROM job_chunk c JOIN job j ON j.id = c.job_id
     WHERE j.status IN ('queued', 'running') AND c.state IN ('queued', 'running')
       AND c.updated_at < :cutoff
       AND NOT EXISTS (
           SELECT 1 FROM procrastinate_jobs t
            WHERE t.queue_name = :queue AND t.task_name = :task
              AND t.status IN ('todo', 'doing')
              AND t.args ->> 'job_id' = c.job_id AND t.args ->> 'seq' = c.seq::text)
     ORDER BY j.created_at, c.job_id, c.seq
     LIMIT :limit
    """
)


def is_postgres(url: str) -> bool:
    return url.startswith(("postgresql://", "postgresql+psycopg://", "postgres://"))


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


# --- the engine's side: rows in, records out --------------------------------------------------

# how a process runs `batchwork.advise_rows(url, rows)`: in the API's batch processes, or a pool
Execute = Callable[[str, list[jobs.WorkRow]], Awaitable[list[tuple[bool, str]]]]


def on_pool(pool: Executor) -> Execute:
    async def execute(url: str, rows: list[jobs.WorkRow]) -> list[tuple[bool, str]]:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(pool, batchwork.advise_rows, url, rows)

    return execute


def on_batch_processes(state: Any) -> Execute:
    """The API's own batch processes (`app.state.batch_pool`), replaced should one die: a job
    chunk, like a batch, never takes the GIL or the engine thread from single matches."""

    async def execute(url: str, rows: list[jobs.WorkRow]) -> list[tuple[bool, str]]:
        return await batchwork.run(state, batchwork.advise_rows, url, rows)

    return execute


async def _work(
    *, db: Engine, url: str, execute: Execute, job_id: str, seq: int,
    rows: list[jobs.WorkRow], worker: str,
) -> None:  # fmt: skip
    started = time.perf_counter()
    outcomes = await execute(url, rows)
    stored = await asyncio.to_thread(jobs.finish, db=db, job_id=job_id, seq=seq, outcomes=outcomes)
    logs.event(
        "chunk_done", job=job_id, chunk=seq, first=rows[0][0] if rows else None,
        last=rows[-1][0] if rows else None, rows=len(rows),
        failed=sum(not ok for ok, _ in outcomes), stored=stored,
        seconds=time.perf_counter() - started, worker=worker,
    )  # fmt: skip


# --- PostgreSQL: procrastinate -------------------------------------------------------------


async def match_chunk(context: procrastinate.JobContext, job_id: str, seq: int) -> None:
    """The queue's task: do chunk `seq` of a job (nothing if it is stored already)."""
    extra = context.additional_context
    url, db = extra["database_url"], extra["db"]
    worker = f"{extra['worker']}/task-{getattr(context.job, 'id', '?')}"
    rows = await asyncio.to_thread(jobs.claim, db=db, job_id=job_id, seq=seq, worker=worker)
    if rows is None:
        return
    execute = extra["execute"]
    await _work(db=db, url=url, execute=execute, job_id=job_id, seq=seq, rows=rows, worker=worker)


def queue_app(database_url: str) -> procrastinate.App:
    """The procrastinate app on this PostgreSQL database."""
    conninfo = database_url.replace("postgresql+psycopg://", "postgresql://", 1)
    conninfo = conninfo.replace("postgres://", "postgresql://", 1)
    tasks = procrastinate.Blueprint()  # a blueprint renames its tasks when added: one per app
    # the queue retries a task that raised; jobs.claim fails the chunk after MAX_ATTEMPTS
    tasks.task(name="match_chunk", queue=QUEUE, retry=jobs.MAX_ATTEMPTS, pass_context=True)(
        match_chunk
    )
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=conninfo))
    app.add_tasks_from(tasks, namespace="advisor")
    return app


async def retry_stalled(queue: procrastinate.App, *, stalled_after: float) -> int:
    """Put back on the queue the chunks held by workers silent for `stalled_after` seconds."""
    retried = 0
    stalled = await queue.job_manager.get_stalled_jobs(
        queue=QUEUE, seconds_since_heartbeat=stalled_after
    )
    for task in stalled:
        try:
            await queue.job_manager.retry_job(task)
        except Exception as exc:  # another worker put it back first
            logs.event("chunk_retry_skipped", task=task.id, reason=type(exc).__name__)
            continue
        retried += 1
        logs.event("chunk_retry", task=task.id, args=task.task_kwargs, attempts=task.attempts)
    return retried


def _orphans(connection: Connection, older_than: float) -> list[tuple[str, int]] | None:
    """Take the sweep's lock (until the connection's transaction ends) and list the chunks with
    no live task; None if another process is sweeping."""
    lock = text("SELECT pg_try_advisory_xact_lock(:key)")
    if not connection.execute(lock, {"key": ORPHANS_LOCK_KEY}).scalar():
        return None
    cutoff = datetime.now(UTC) - timedelta(seconds=older_than)
    found = connection.execute(
        ORPHANS, {"cutoff": cutoff, "queue": QUEUE, "task": TASK, "limit": ORPHANS_AT_ONCE}
    )
    return [(job_id, seq) for job_id, seq in found]


async def requeue_orphans(queue: procrastinate.App, db: Engine, *, older_than: float) -> int:
    """Defer a task again for each chunk of an active job that no live task will deliver and
    that has not changed for `older_than` seconds: its defer failed after the job was stored,
    or the process died in between. One process at a time (the lock is held from the search
    until the tasks are deferred), so each such chunk gets one new task; a chunk delivered
    twice all the same stores its records once (`jobs.finish`)."""
    connection = await asyncio.to_thread(db.connect)
    try:
        orphans = await asyncio.to_thread(_orphans, connection, older_than) or []
        task = queue.tasks[TASK]
        for start in range(0, len(orphans), 500):
            batch = [{"job_id": job_id, "seq": seq} for job_id, seq in orphans[start : start + 500]]
            await task.batch_defer_async(*batch)
        for job_id in dict.fromkeys(job_id for job_id, _ in orphans):
            seqs = [seq for j, seq in orphans if j == job_id]
            logs.event("chunk_requeued", job=job_id, chunks=len(seqs), first=seqs[0])
        return len(orphans)
    finally:
        await asyncio.to_thread(connection.close)  # ends the transaction and its lock


async def _every(seconds: float, action: Callable[[], Any], name: str) -> None:
    while True:
        try:
            await action()
        except Exception as exc:  # keep going: the next round may succeed
            logs.event(f"{name}_error", error=f"{type(exc).__name__}: {exc}")
        await asyncio.sleep(seconds)


# --- SQLite: leases on the chunk rows --------------------------------------------------------


class LocalRunner:
    """Takes free chunks one at a time until there are none, then waits for a wake-up (a job
    submitted here) or `poll` seconds (one submitted in another process)."""

    def __init__(
        self, *, db: Engine, url: str, execute: Execute, lease: float, poll: float = 1.0
    ) -> None:
        self.db, self.url, self.execute, self.lease, self.poll = db, url, execute, lease, poll
        self.name = worker_name()
        self.wake = asyncio.Event()

    async def run(self) -> None:
        while True:
            self.wake.clear()
            try:
                got = await asyncio.to_thread(
                    jobs.claim_next, db=self.db, worker=self.name, lease=self.lease
                )
            except Exception as exc:  # e.g. the database is locked for long: try again
                logs.event("chunk_claim_error", error=f"{type(exc).__name__}: {exc}")
                got = None
            if got is None:
                with suppress(TimeoutError):
                    await asyncio.wait_for(self.wake.wait(), self.poll)
                continue
            job_id, seq, rows = got
            renewing = asyncio.create_task(self._renew(job_id, seq))
            try:
                await _work(
                    db=self.db, url=self.url, execute=self.execute, job_id=job_id, seq=seq,
                    rows=rows, worker=self.name,
                )  # fmt: skip
            except Exception as exc:
                error = f"{type(exc).__name__}: {exc}"
                logs.event("chunk_error", job=job_id, chunk=seq, error=error)
                await asyncio.to_thread(jobs.release, db=self.db, job_id=job_id, seq=seq)
            finally:
                renewing.cancel()

    async def _renew(self, job_id: str, seq: int) -> None:
        """While this process works on a chunk, renew its lease every third of the lease: a
        chunk slower than the lease (a loaded machine) is not taken from a live worker, and
        counts no attempt against it; a killed process renews nothing, so its lease runs out."""
        while True:
            await asyncio.sleep(self.lease / 3)
            try:
                held = await asyncio.to_thread(
                    jobs.renew, db=self.db, job_id=job_id, seq=seq, worker=self.name,
                    lease=self.lease,
                )  # fmt: skip
            except Exception as exc:  # the database is busy: the next round tries again
                logs.event("chunk_renew_error", job=job_id, chunk=seq, error=str(exc)[:300])
                continue
            if not held:
                return


def _own_pool(concurrency: int) -> Executor:
    """One thread for one chunk at a time; processes (one per chunk in hand) for more, since
    the engine's work is CPU-bound and threads would share one core. Each process's collector
    is settled as a batch worker's is (advisor/heap.py); with one thread, `advisor worker`
    settles its own once started."""
    if concurrency == 1:
        return ThreadPoolExecutor(1, thread_name_prefix="advisor-jobs")
    return ProcessPoolExecutor(
        concurrency, mp_context=multiprocessing.get_context("spawn"), initializer=heap.settle
    )


# --- what a process runs -------------------------------------------------------------------


class Dispatcher:
    """A process's part in jobs: submitting them, and (`work_here`) doing their chunks."""

    def __init__(
        self, *, url: str, db: Engine, work_here: bool, state: Any = None,
        lease: float = 60.0, stalled_after: float = 30.0, retention_days: float = 0,
        concurrency: int = 1,
    ) -> None:  # fmt: skip
        """`state`: the API's app.state, whose batch processes do the chunks; without it (as
        in `advisor worker`) a pool of this process's own."""
        self.url, self.db, self.work_here = url, db, work_here
        self.pool: Executor | None = None if state is not None else _own_pool(concurrency)
        self.execute = on_batch_processes(state) if self.pool is None else on_pool(self.pool)
        self.lease, self.stalled_after = lease, stalled_after
        self.retention_days, self.concurrency = retention_days, concurrency
        self.queue: procrastinate.App | None = None
        self.runner: LocalRunner | None = None
        self.tasks: list[asyncio.Task[Any]] = []
        self.name = worker_name()

    async def open(self, *, install_signal_handlers: bool = False) -> None:
        if is_postgres(self.url):
            self.queue = queue_app(self.url)
            await self.queue.open_async()
            if self.work_here:
                options = {
                    "queues": [QUEUE], "concurrency": self.concurrency,
                    "additional_context": {
                        "database_url": self.url, "db": self.db, "execute": self.execute,
                        "worker": self.name,
                    },
                    # a heartbeat several times per stall window
                    "update_heartbeat_interval": max(self.stalled_after / 3, 0.5),
                    "stalled_worker_timeout": self.stalled_after,
                    "install_signal_handlers": install_signal_handlers,
                }  # fmt: skip
                self._spawn(self.queue.run_worker_async(**options), "worker")
                check = max(self.stalled_after / 3, 0.5)
                queue, after = self.queue, self.stalled_after
                retry = lambda: retry_stalled(queue, stalled_after=after)  # noqa: E731
                self._spawn(_every(check, retry, "stalled"), "stalled")
                db = self.db
                orphans = lambda: requeue_orphans(queue, db, older_than=after)  # noqa: E731
                self._spawn(_every(after, orphans, "orphans"), "orphans")
        elif self.work_here:
            self.runner = LocalRunner(
                db=self.db, url=self.url, execute=self.execute, lease=self.lease
            )
            for _ in range(self.concurrency):
                self._spawn(self.runner.run(), "runner")
        if self.work_here and self.retention_days > 0:
            self._spawn(_every(PURGE_EVERY, self._purge, "purge"), "purge")

    def _spawn(self, coroutine: Any, name: str) -> None:
        self.tasks.append(asyncio.create_task(coroutine, name=f"advisor-jobs-{name}"))

    async def _purge(self) -> None:
        gone = await asyncio.to_thread(jobs.purge, db=self.db, older_than_days=self.retention_days)
        if gone:
            logs.event("jobs_purged", jobs=gone, older_than_days=self.retention_days)

    async def submit(self, job: jobs.Job) -> None:
        """Make the job's chunks known to the workers. The job is stored already: should its
        tasks fail to be deferred, the workers' sweep (`requeue_orphans`) defers them once the
        stall window has passed, so the job is not refused nor lost."""
        if self.queue is not None:
            seqs = await asyncio.to_thread(jobs.chunk_seqs, db=self.db, job_id=job.id)
            task = self.queue.tasks[TASK]
            try:
                for start in range(0, len(seqs), 500):
                    batch = [{"job_id": job.id, "seq": seq} for seq in seqs[start : start + 500]]
                    await task.batch_defer_async(*batch)
            except Exception as exc:
                logs.event(
                    "chunk_defer_error", job=job.id, error=f"{type(exc).__name__}: {exc}",
                    requeued_after=self.stalled_after, level=logging.WARNING,
                )  # fmt: skip
        elif self.runner is not None:
            self.runner.wake.set()  # other processes notice within their poll

    async def wait(self) -> None:
        """Until the worker stops (for `advisor worker`)."""
        if self.tasks:
            await self.tasks[0]

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with suppress(asyncio.CancelledError, Exception):
                await task
        if self.queue is not None:
            await self.queue.close_async()
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
