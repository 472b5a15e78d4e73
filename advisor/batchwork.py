"""Batch work in processes of their own, so that it never holds up single matches.

The API keeps two pools: `engine_pool`, a thread that answers single matches, and `batch_pool`
(`process_pool()`), ADVISOR_BATCH_PROCESSES processes (default 1) for batches and job chunks.
The engine is CPU-bound Python: in a thread of the server's own process a 500-item batch would
hold the GIL, and the single match behind it, for as long as it runs. In a process of its own
it takes nothing from the server but a core.

`advise_rows()` is the one path batch work takes, from `/v1/match/batch` and from the job runner
alike: picklable, module-level, and it finds the catalogue by itself in the child process
(`snapshot_for`, which follows a new catalogue revision as the API's own snapshot does). The
batch processes take their other settings (ADVISOR_SNAPSHOT_TTL_SECONDS, ADVISOR_NAIVE_ENGINE)
from the environment they inherit, as the server process does.
"""

import asyncio
import json
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import suppress
from functools import partial
from multiprocessing import get_context
from typing import Any, TypeVar

from advisor import encoding, heap
from advisor.advice import SHORT_LIST, advise
from advisor.batch import Row, advise_line
from advisor.decisions import Made, made, new_id
from advisor.detail import DEFAULT, Detail, to_json
from advisor.models import Advice, ProjectProfile
from advisor.settings import get_settings
from advisor.snapshots import snapshot_for

NICE = 10  # how much lower than the server's the batch processes' CPU priority is
T = TypeVar("T")
RowIn = tuple[int, str | None, dict[str, Any]]  # (row number from 1, id, profile data)


def advise_rows(
    database_url: str,
    rows: list[RowIn],
    limit: int | None = None,
    detail: Detail = "full",
    decided: list[tuple[ProjectProfile, Advice]] | None = None,
) -> list[tuple[bool, str]]:
    """(ok, output JSON line) per row, in order: `advisor.batch.advise_line` for each. Job
    results keep full detail; the API batch's items are lean unless asked (advisor/detail.py).
    With a `decided` list, each advice gets an `advice_id` and (profile, full advice) is
    appended to it, in the order of the rows advised on."""
    snapshot = snapshot_for(database_url)
    fresh = get_settings().naive_engine
    size = SHORT_LIST if limit is None else limit

    def advise_one(profile: ProjectProfile) -> Advice:
        advice = advise(profile, snapshot, fresh=fresh, limit=size)
        if decided is not None:
            advice = advice.model_copy(update={"advice_id": new_id()})
            decided.append((profile, advice))
        return advice

    return [
        advise_line(Row(number, ident, data), advise_one, detail) for number, ident, data in rows
    ]


def batch_body(
    database_url: str,
    rows: list[RowIn],
    coding: str | None = None,
    level: int = 1,
    min_bytes: int = 0,
    detail: Detail = DEFAULT,
    keep: bool = False,
) -> tuple[bytes, str | None, list[Made]]:
    """The API batch's whole response body (`BatchResponse` JSON), made here in the batch
    process, in `coding` at `level` (advisor/encoding.py) when the body is at least `min_bytes`
    long; the coding it is in (None: as it is); and with `keep`, the decision record of each item
    advised on (its `advice_id` in the body; the record keeps the full answer, of which the item
    is the `detail` form, as /v1/match's records do), for the server to store. A 500-item answer
    is tens of megabytes: the server process only passes it on."""
    decided: list[tuple[ProjectProfile, Advice]] | None = [] if keep else None
    lines = advise_rows(database_url, rows, detail=detail, decided=decided)
    body = batch_response(rows, lines)
    records = [made(profile, advice, to_json(advice)) for profile, advice in decided or []]
    return *encoding.encoded(body, coding, level, min_bytes), records


# --- the pool ------------------------------------------------------------------------------


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)  # the server process is gone (even by kill -9): so is its work


def _init_process(parent: int) -> None:
    # Ctrl-C reaches the whole process group: the server answers it and then ends this pool
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # background work: when the cores are all busy, the kernel serves single matches first
    with suppress(OSError):
        os.nice(NICE)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    heap.settle()  # young objects less often; what the first batch builds stays collectable


def process_pool(size: int) -> ProcessPoolExecutor:
    """`size` processes for batch work, started on first use (spawned: nothing inherited)."""
    return ProcessPoolExecutor(
        size, mp_context=get_context("spawn"), initializer=_init_process, initargs=(os.getpid(),)
    )


async def run(state: Any, fn: Callable[..., T], /, *args: Any) -> T:
    """`fn(*args)` on `state.batch_pool` (the API's `app.state`). A pool broken by a process
    that died (killed, out of memory) is replaced by a new one and the call tried once more;
    should that break too, BrokenProcessPool is raised (and the next call gets a new pool)."""
    loop = asyncio.get_running_loop()
    for attempt in (1, 2):
        pool: ProcessPoolExecutor = state.batch_pool
        try:
            return await loop.run_in_executor(pool, partial(fn, *args))
        except BrokenProcessPool:
            if state.batch_pool is pool:  # no other call has replaced it yet
                state.batch_pool = process_pool(getattr(pool, "_max_workers", 1))
                await asyncio.to_thread(stop_pool, pool)  # it may wait for its processes
            if attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """End the pool now: queued work is dropped and running work is stopped, not awaited (a
    batch's client has gone with the server; a job's chunk is run again on the next start).

    A process stopped while it was sending a result (a batch's answer is megabytes) leaves half
    a message in the result pipe, and the pool's manager thread would wait for the rest for ever,
    holding up the interpreter's exit: this process keeps the pipe's write end open too. So once
    the processes are gone that end is closed here; the thread then reads end-of-file, takes the
    pool as broken and ends."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    results = getattr(pool, "_result_queue", None)
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(STOP_WAIT)
        if process.is_alive():
            process.kill()
            process.join(STOP_WAIT)
    writer = getattr(results, "_writer", None)
    if writer is not None and not any(p.is_alive() for p in processes):
        with suppress(OSError):
            writer.close()


STOP_WAIT = 5.0  # seconds for a stopped batch process to exit (it is then killed)


# --- the API's batch response ----------------------------------------------------------------


def batch_rows(items: list[dict[str, Any]]) -> list[RowIn]:
    """The API batch's items as rows: numbered from 1, `id` taken out of the profile."""
    rows = []
    for number, item in enumerate(items, start=1):
        data = dict(item)
        ident = data.pop("id", None)
        rows.append((number, None if ident is None else str(ident), data))
    return rows


def batch_response(rows: list[RowIn], lines: list[tuple[bool, str]]) -> bytes:
    """The `BatchResponse` JSON for these rows and their output lines.

    The advice is already JSON (pydantic's, in the child process): it is copied into the
    response as it is rather than parsed, validated and written again here.
    """
    parts = []
    failed = 0
    for (number, ident, _), (ok, line) in zip(rows, lines, strict=True):
        head = f'{{"index":{number - 1},"id":{json.dumps(ident, ensure_ascii=False)},'
        prefix = json.dumps({"row": number, "id": ident}, ensure_ascii=False)[:-1]
        prefix += ', "ok": true, "advice": '
        if ok and line.startswith(prefix) and line.endswith("}"):
            advice = line[len(prefix) : -1]
            parts.append(f'{head}"ok":true,"advice":{advice},"errors":[]}}')
            continue
        record = json.loads(line)  # an item's errors (small), or a line of another shape
        failed += not record["ok"]
        advice = json.dumps(record.get("advice"), ensure_ascii=False)
        errors = json.dumps(record.get("errors", []), ensure_ascii=False)
        parts.append(f'{head}"ok":{json.dumps(record["ok"])},"advice":{advice},"errors":{errors}}}')
    body = f'{{"results":[{",".join(parts)}],"count":{len(parts)},"failed":{failed}}}'
    return body.encode("utf-8")
