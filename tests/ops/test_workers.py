"""`advisor serve --workers 2`: keep-alive connections shared evenly, each new one to the process
with the fewest, a worker that dies is replaced while the other serves, and SIGTERM or Ctrl-C
stops every process.

The share: the supervisor hands each connection to the worker with the fewest open ones, so a
burst of 40 connections opened together splits 20/20, every time. The spreads this replaced
fail it: with one SO_REUSEPORT socket per process (the kernel picks by a hash of the
connection's addresses and ports) an even split of 40 has probability C(40, 20) / 2^40 = 12.5%,
so three in a row 0.2%; with one socket shared by the processes (uvicorn's own workers) the
busier process took 70-100% of each burst, median 100%, in 10 bursts measured
(bench/worker_share.py).
"""

import os
import signal
import sqlite3
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from tests.builders import profile_data
from tests.servers import ADVISOR, connection_shares, free_port, serve

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="reads the process tree from /proc"
)
BURSTS, CONNECTIONS = 3, 40


def descendants(pid: int) -> set[int]:
    """Every live process below `pid` (children, grandchildren, ...), from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        for child, its_parent in parents.items():
            if its_parent == parent and child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_until(condition, timeout: float = 30.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def serving_pids(url: str, count: int) -> set[str]:
    """Fresh connections until `count` different processes have answered (all are up)."""
    pids: set[str] = set()
    deadline = time.monotonic() + 60
    while len(pids) < count and time.monotonic() < deadline:
        try:
            with httpx.Client(timeout=10) as fresh:
                pids.add(fresh.get(f"{url}/health").headers["x-advisor-worker"])
        except httpx.TransportError:  # not listening yet
            time.sleep(0.1)
    return pids


def test_two_workers_share_keep_alive_connections_evenly_and_one_that_dies_is_replaced(
    tmp_path: Path,
) -> None:
    with serve(tmp_path, workers=2) as server:
        assert len(serving_pids(server.url, 2)) == 2
        bursts = []
        for _ in range(BURSTS):
            time.sleep(0.5)  # the last burst's connections closed and counted as closed
            bursts.append(connection_shares(server.port, CONNECTIONS, rounds=2))
        total = sum(bursts, Counter())
        assert len(total) == 2, total  # two processes served, no more
        assert all(sorted(b.values()) == [20, 20] for b in bursts), [dict(b) for b in bursts]

        # fewest open connections first, not merely in turn: with 10 open on each process and
        # those of one closed, the next 10 all go to that one
        opened = [httpx.Client(base_url=server.url, timeout=30) for _ in range(20)]
        owners = [c.get("/health").headers["x-advisor-worker"] for c in opened]
        assert sorted(Counter(owners).values()) == [10, 10], Counter(owners)
        emptied = owners[0]
        for client, owner in zip(opened, owners, strict=True):
            if owner == emptied:
                client.close()
        time.sleep(0.5)
        fresh = [httpx.Client(base_url=server.url, timeout=30) for _ in range(10)]
        try:
            again = [c.get("/health").headers["x-advisor-worker"] for c in fresh]
        finally:
            for client in opened + fresh:
                client.close()
        assert again == [emptied] * 10, again

        victim = next(iter(total))
        os.kill(victim, signal.SIGKILL)
        assert wait_until(lambda: not alive(victim))
        for _ in range(5):  # new connections while the victim is replaced: all served
            with httpx.Client(timeout=30) as fresh:
                answer = fresh.get(f"{server.url}/health")
            assert answer.status_code == 200
            assert answer.headers["x-advisor-worker"] != str(victim)
        replaced = serving_pids(server.url, 2)  # two processes again, the victim not among them
        assert len(replaced) == 2 and str(victim) not in replaced, replaced
        log = server.log_text()
        assert f"Worker process [{victim}] exited" in log, log
        assert "Traceback" not in log, log

        family = descendants(server.process.pid)
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=40) == 0
        assert wait_until(lambda: not any(alive(pid) for pid in family)), family
        assert "Supervisor" in server.log_text() and "Traceback" not in server.log_text()


def test_ctrl_c_stops_every_process_without_a_traceback(tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "serve.log"
    env = {**os.environ, "ADVISOR_DATA_DIR": str(tmp_path / "data")}
    env.pop("ADVISOR_DATABASE_URL", None)
    command = [str(ADVISOR), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"]
    with log.open("wb") as out:  # a session of its own: Ctrl-C goes to its whole process group
        process = subprocess.Popen(command, env=env, stdout=out, stderr=out, start_new_session=True)
    try:
        assert len(serving_pids(f"http://127.0.0.1:{port}", 2)) == 2
        family = descendants(process.pid)
        assert len(family) >= 2
        os.killpg(process.pid, signal.SIGINT)  # what a terminal does on Ctrl-C
        assert process.wait(timeout=40) == 0
        assert wait_until(lambda: not any(alive(pid) for pid in family)), family
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    text = log.read_text()
    assert "Traceback" not in text and "KeyboardInterrupt" not in text, text
    assert text.count("Application shutdown complete") == 2, text


def test_workers_stop_when_their_supervisor_is_killed(tmp_path: Path) -> None:
    with serve(tmp_path, workers=2) as server:
        workers = {int(pid) for pid in serving_pids(server.url, 2)}
        assert len(workers) == 2
        server.process.kill()  # kill -9: no chance to stop its workers itself
        server.process.wait()
        assert wait_until(lambda: not any(alive(pid) for pid in workers)), workers


def test_an_advice_read_back_at_once_through_the_other_process_is_found(tmp_path: Path) -> None:
    """The answer is sent before its record is written, and the read may reach the other
    process, which cannot wait on the writer's queue: it looks again while the id is new. The
    test holds the database's write lock for half a second after each answer (a busy
    database), so the record is surely not there yet when the read arrives."""
    with serve(tmp_path, workers=2) as server:
        clients: dict[str, httpx.Client] = {}
        deadline = time.monotonic() + 60
        while len(clients) < 2 and time.monotonic() < deadline:
            client = httpx.Client(base_url=server.url, timeout=30)
            worker = client.get("/health").headers["x-advisor-worker"]
            if worker in clients:
                client.close()
            else:
                clients[worker] = client
        assert len(clients) == 2
        asking, reading = clients.values()
        database = sqlite3.connect(tmp_path / "advisor.sqlite3", check_same_thread=False)
        try:
            for n in range(3):
                database.execute("BEGIN IMMEDIATE")  # no record can be written meanwhile
                answer = asking.post("/v1/match", json=profile_data(name=f"read back {n}"))
                assert answer.status_code == 200
                release = threading.Timer(0.5, database.rollback)
                release.start()
                read = reading.get(f"/v1/advice/{answer.json()['advice_id']}")
                release.join()
                assert read.status_code == 200, (n, read.text)
                assert read.headers["x-advisor-worker"] != answer.headers["x-advisor-worker"]
                assert read.content == answer.content
        finally:
            database.close()
            for client in clients.values():
                client.close()
