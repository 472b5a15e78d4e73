"""Jobs finish exactly once when their workers are killed mid-job (kill -9, then a restart).

A 3,000-row job, every 100th row invalid. On PostgreSQL the `advisor worker` doing it is killed
a third of the way through and another started; on SQLite every process of
`advisor serve --workers 2` is killed and the server started again on the same file. Either way
the job must end `done` with exactly 3,000 records, one per row, and 30 of them errors; and at
no moment may the status say `done` while fewer records are stored.
"""

import json
import os
import signal
import subprocess
import threading
import time
from contextlib import suppress
from pathlib import Path

import httpx
import pytest

from tests.builders import profile_data
from tests.servers import ADVISOR, serve

pytestmark = pytest.mark.db

ROWS = 3_000
BAD_EVERY = 100  # rows 100, 200, ... have an unknown country code: their records are errors
FAST = {"ADVISOR_JOB_LEASE_SECONDS": "5", "ADVISOR_JOB_STALLED_SECONDS": "3"}


def _items() -> list[dict]:  # type: ignore[type-arg]
    sectors = ["street_lighting", "buildings", "district_heating", "transport"]
    items = []
    for row in range(1, ROWS + 1):
        if row % BAD_EVERY == 0:
            items.append({"id": f"r{row}", "name": "bad", "country": "XX"})
            continue
        capex = {"amount": 1_000_000 + 1_000 * row, "currency": "EUR"}
        items.append(profile_data(id=f"r{row}", sector=sectors[row % 4], capex=capex))
    return items


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _kill_all(process: subprocess.Popen) -> None:  # type: ignore[type-arg]
    pids = [process.pid, *_descendants(process.pid)]
    for pid in pids:
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    process.wait(timeout=10)


class Watcher(threading.Thread):
    """Polls the job's status; whenever it says done, counts the records stored right then."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.url: str | None = None
        self.job_id = ""
        self.stop = threading.Event()
        self.problems: list[str] = []
        self.seen: set[str] = set()

    def run(self) -> None:
        while not self.stop.is_set():
            url = self.url
            try:
                status = httpx.get(f"{url}/v1/jobs/{self.job_id}", timeout=10).json()
            except (httpx.HTTPError, ValueError):
                time.sleep(0.2)  # the server is down between kill and restart
                continue
            self.seen.add(status["status"])
            if status["done"] > ROWS or status["failed"] > status["done"]:
                self.problems.append(f"impossible counts: {status}")
            if status["status"] == "done":
                try:
                    text = httpx.get(f"{url}/v1/jobs/{self.job_id}/results", timeout=60).text
                except httpx.HTTPError:
                    continue
                if len(text.splitlines()) != ROWS:
                    self.problems.append(f"done with {len(text.splitlines())} records stored")
            time.sleep(0.2)


def _wait_for(url: str, job_id: str, done: int, timeout: float) -> dict:  # type: ignore[type-arg]
    deadline = time.monotonic() + timeout
    while True:
        status = httpx.get(f"{url}/v1/jobs/{job_id}", timeout=10).json()
        if status["done"] >= done or status["status"] in ("done", "failed", "cancelled"):
            return status
        assert time.monotonic() < deadline, status
        time.sleep(0.25)


def _check_records(url: str, job_id: str) -> None:
    lines = httpx.get(f"{url}/v1/jobs/{job_id}/results", timeout=120).text.splitlines()
    records = [json.loads(line) for line in lines]
    assert [record["row"] for record in records] == list(range(1, ROWS + 1))
    assert [record["id"] for record in records] == [f"r{row}" for row in range(1, ROWS + 1)]
    bad = [record["row"] for record in records if not record["ok"]]
    assert bad == list(range(BAD_EVERY, ROWS + 1, BAD_EVERY))


def _final(url: str, job_id: str, watcher: Watcher, timeout: float = 900) -> dict:  # type: ignore[type-arg]
    status = _wait_for(url, job_id, ROWS + 1, timeout)
    watcher.stop.set()
    watcher.join(timeout=30)
    assert status["status"] == "done", status
    assert (status["total"], status["done"], status["failed"]) == (ROWS, ROWS, ROWS // BAD_EVERY)
    assert watcher.problems == [], watcher.problems[:5]
    _check_records(url, job_id)
    return status


def test_killing_the_worker_mid_job_loses_and_doubles_nothing(database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    if database_url.startswith("postgres"):
        _postgres_worker_killed(database_url, tmp_path)
    else:
        _sqlite_servers_killed(database_url, tmp_path)


def _postgres_worker_killed(database_url: str, tmp_path: Path) -> None:
    env = {**os.environ, **FAST, "ADVISOR_DATABASE_URL": database_url}
    watcher = Watcher()

    def worker(name: str) -> subprocess.Popen:  # type: ignore[type-arg]
        with (tmp_path / f"{name}.log").open("wb") as out:
            return subprocess.Popen([str(ADVISOR), "worker"], env=env, stdout=out, stderr=out)

    with serve(
        tmp_path, database_url=database_url, env={**FAST, "ADVISOR_JOBS_WORKER": "0"}
    ) as api:
        job = httpx.post(f"{api.url}/v1/jobs", json={"items": _items()}, timeout=120).json()
        watcher.url, watcher.job_id = api.url, job["id"]
        watcher.start()
        first = worker("worker-1")
        try:
            at_kill = _wait_for(api.url, job["id"], ROWS // 3, timeout=600)
            first.kill()  # SIGKILL: no goodbye, its chunk in hand stays "doing"
            first.wait(timeout=10)
            assert at_kill["status"] == "running" and at_kill["done"] < ROWS, at_kill
            second = worker("worker-2")
            try:
                _final(api.url, job["id"], watcher)
            finally:
                second.terminate()
                second.wait(timeout=60)
        finally:
            if first.poll() is None:
                first.kill()
    log = (tmp_path / "worker-2.log").read_text()
    assert "event=chunk_retry " in log, log[-3000:]  # the dead worker's chunk, put back


def _sqlite_servers_killed(database_url: str, tmp_path: Path) -> None:
    watcher = Watcher()
    with serve(tmp_path, database_url=database_url, workers=2, env=FAST) as first:
        job = httpx.post(f"{first.url}/v1/jobs", json={"items": _items()}, timeout=120).json()
        watcher.url, watcher.job_id = first.url, job["id"]
        watcher.start()
        at_kill = _wait_for(first.url, job["id"], ROWS // 3, timeout=600)
        _kill_all(first.process)  # the supervisor and every server process, all at once
        assert at_kill["status"] == "running" and at_kill["done"] < ROWS, at_kill
    with serve(tmp_path, database_url=database_url, workers=2, env=FAST) as second:
        watcher.url = second.url
        _final(second.url, job["id"], watcher)
        log = second.log_text()
    # both restarted processes took part
    done = [line for line in log.splitlines() if "event=chunk_done" in line]
    pids = {line.split("worker=")[1].split(":")[1] for line in done}
    assert len(pids) == 2, pids
