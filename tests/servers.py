"""A real `advisor serve` in a subprocess, on 127.0.0.1 and a free port, for tests that need
sockets, several processes or the server's memory."""

import math
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ADVISOR = Path(sys.executable).parent / "advisor"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    url: str
    port: int
    process: subprocess.Popen  # type: ignore[type-arg]
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def memory(pid: int) -> tuple[int, int]:
    """(resident, peak resident) bytes of a process: /proc/PID/status (VmRSS, VmHWM) on Linux,
    else psutil's RSS for both."""
    status = Path(f"/proc/{pid}/status")
    if status.exists():
        fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        kib = {name: int(fields[name].split()[0]) * 1024 for name in ("VmRSS", "VmHWM")}
        return kib["VmRSS"], kib["VmHWM"]
    import psutil  # type: ignore[import-untyped]

    rss = int(psutil.Process(pid).memory_info().rss)
    return rss, rss


def reset_peak(pid: int) -> None:
    """Start the peak (VmHWM) afresh, where Linux allows it (`5` to /proc/PID/clear_refs)."""
    with suppress(OSError):
        Path(f"/proc/{pid}/clear_refs").write_text("5")


@contextmanager
def serve(
    tmp: Path,
    *,
    database_url: str | None = None,
    workers: int = 1,
    env: dict[str, str] | None = None,
    timeout: float = 60.0,
) -> Iterator[Server]:
    """Start `advisor serve` and wait until /health answers; stop it (SIGINT, then SIGKILL)."""
    port = free_port()
    log = tmp / f"serve-{port}.log"
    environ = {
        **os.environ,
        "ADVISOR_DATA_DIR": str(tmp / "data"),
        "ADVISOR_DATABASE_URL": database_url or f"sqlite:///{tmp / 'advisor.sqlite3'}",
        **(env or {}),
    }
    command = [str(ADVISOR), "serve", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", str(workers)]
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=environ, stdout=out, stderr=subprocess.STDOUT)
    server = Server(url=f"http://127.0.0.1:{port}", port=port, process=process, log=log)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited with {process.returncode}:\n{server.log_text()}")
            try:
                if httpx.get(f"{server.url}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"server not up after {timeout} s:\n{server.log_text()}")
            time.sleep(0.1)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def connection_shares(
    port: int, connections: int = 40, rounds: int = 3, path: str = "/health"
) -> Counter[int]:
    """How many of `connections` keep-alive clients each server process serves.

    Opens every connection first (as a burst of clients would), then sends `rounds` requests on
    each in turn and reads the serving process from `X-Advisor-Worker`. A connection must stay
    with one process for its life (keep-alive); an AssertionError says when one does not.
    """
    import http.client

    clients = [
        http.client.HTTPConnection("127.0.0.1", port, timeout=30) for _ in range(connections)
    ]
    owners: list[int] = []
    try:
        for client in clients:
            client.connect()
        for round_ in range(rounds):
            for index, client in enumerate(clients):
                client.request("GET", path)
                response = client.getresponse()
                response.read()
                assert response.status == 200, response.status
                pid = int(response.headers["x-advisor-worker"])
                if round_ == 0:
                    owners.append(pid)
                assert owners[index] == pid, f"connection {index} moved from {owners[index]}"
    finally:
        for client in clients:
            client.close()
    return Counter(owners)


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile: the smallest value with at least `share` of them at or below."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


@dataclass
class Interference:
    idle: list[float]  # /v1/match latencies (s), nothing else running
    busy: list[float]  # /v1/match latencies (s) while the batch ran
    batch_seconds: float
    batch_status: int
    batch_body: bytes

    @property
    def idle_p99(self) -> float:
        return percentile(self.idle, 0.99)

    @property
    def busy_p99(self) -> float:
        return percentile(self.busy, 0.99)


def match_under_batch(
    url: str, profiles: list[dict[str, Any]], batch: list[dict[str, Any]], requests: int = 100
) -> Interference:
    """/v1/match latency from one keep-alive client: `requests` times idle, then as many times
    (or fewer, should the batch end first) while another client's /v1/match/batch runs.

    Measures only: the caller warms the server up first (both paths) and judges the figures.
    """
    import threading

    def timed(client: httpx.Client, body: dict[str, Any]) -> float:
        started = time.perf_counter()
        answer = client.post("/v1/match", json=body)
        elapsed = time.perf_counter() - started
        assert answer.status_code == 200, answer.text[:300]
        return elapsed

    outcome: dict[str, Any] = {}

    def run_batch() -> None:
        started = time.perf_counter()
        with httpx.Client(base_url=url, timeout=600) as other:
            answer = other.post("/v1/match/batch", json={"items": batch})
        outcome.update(seconds=time.perf_counter() - started, answer=answer)

    with httpx.Client(base_url=url, timeout=120) as client:
        idle = [timed(client, profiles[i % len(profiles)]) for i in range(requests)]
        thread = threading.Thread(target=run_batch)
        thread.start()
        time.sleep(0.5)  # the batch's body sent and read: its work under way
        busy = []
        while thread.is_alive() and len(busy) < requests:
            busy.append(timed(client, profiles[len(busy) % len(profiles)]))
        thread.join()
    answer: httpx.Response = outcome["answer"]
    return Interference(idle, busy, outcome["seconds"], answer.status_code, answer.content)
