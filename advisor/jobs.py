"""Portfolio jobs: many profiles matched in the background, with progress and downloadable results.

A job is stored as its `job` row and its chunks (`job_chunk`): each chunk holds its input rows
and, once done, their output records, both compressed JSON (advisor/packing.py). What is
stored is the truth:

- **Exactly once.** A chunk's records are written in one transaction that also marks it done,
  and only if it was not done yet; a second delivery of the same chunk (a retried stalled task,
  a lease that ran out, a task deferred again) stores nothing. Each row therefore has exactly
  one record.
- **Counts and status from what is stored.** `done` and `failed` are sums over stored chunks;
  `done` as a status is set in the transaction that stores the last chunk, never before.
- **States**: queued (no chunk started), running, done, failed (a chunk failed `MAX_ATTEMPTS`
  times: the others still finish and their records stay readable), cancelled.

This module is their public face: what a job is and how it is stored in `advisor.jobstore`,
chunk delivery to workers (claim, finish, release) in `advisor.jobdelivery`, reading and
managing jobs (get, list, cancel, purge, results) in `advisor.jobadmin`. How chunks reach a
worker is `advisor.jobrunner`'s business (procrastinate on PostgreSQL, a lease on the chunk row
with SQLite).
"""

from advisor.jobadmin import active_jobs, cancel, get_job, list_jobs, purge, results
from advisor.jobdelivery import claim, claim_next, finish, release, renew
from advisor.jobstore import (
    ACTIVE,
    DEFAULT_CHUNK,
    FINAL,
    JOB_ID,
    MAX_ATTEMPTS,
    Job,
    JobChunk,
    WorkRow,
    chunk_seqs,
    pack,
    store_job,
    unpack,
)  # fmt: skip

__all__ = [
    "ACTIVE", "DEFAULT_CHUNK", "FINAL", "JOB_ID", "MAX_ATTEMPTS", "Job", "JobChunk", "WorkRow",
    "active_jobs", "cancel", "chunk_seqs", "claim", "claim_next", "finish", "get_job",
    "list_jobs", "pack", "purge", "release", "renew", "results", "store_job", "unpack",
]  # fmt: skip
