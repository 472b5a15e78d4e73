"""`advisor serve`: uvicorn, in one process or in N that share the load evenly.

With `--workers N` (N > 1) this module is a small supervisor of its own instead of uvicorn's:
each worker process gets its own listening socket, all bound to the same address with
`SO_REUSEPORT`, so the kernel spreads new connections over the processes by a hash of each
connection's addresses and ports. With uvicorn's own workers all processes accept from one
shared socket, and whichever wakes first takes a whole burst of connections: one process served
75-100% of 40 keep-alive connections (bench/worker_share.py).

The supervisor holds every socket for as long as it runs and hands a worker's socket to the
process that replaces it, so connections that arrive while a worker restarts wait in that
socket's queue instead of being refused. It restarts a worker that exits (waiting longer each
time one dies young), gives up when one fails its start-up (uvicorn's exit code 3: the same
error would stop a single process), and on SIGINT or SIGTERM stops every worker (SIGTERM: each
finishes the requests it has, as uvicorn does) and then exits; a worker that has not stopped
after the grace period is killed.
"""

import logging
import multiprocessing
import os
import signal
import socket
import time
from contextlib import suppress
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from typing import Any

APP = "api.main:app"
STARTUP_FAILURE = 3  # uvicorn's exit code when the application's start-up fails
GRACE_SECONDS = 30.0  # how long a stopping worker may take before it is killed
YOUNG_SECONDS = 10.0  # a worker that exits sooner than this after its start died young
MAX_BACKOFF_SECONDS = 10.0

log = logging.getLogger("advisor.server")


def serve(host: str, port: int, workers: int = 1) -> None:
    """Serve the API on host:port with `workers` processes (blocks until stopped)."""
    import uvicorn

    if workers <= 1:
        uvicorn.run(APP, host=host, port=port, log_level="info")
        return
    Supervisor(host, port, workers).run()


def reuse_port_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on host:port that other sockets may bind too (SO_REUSEPORT)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto IPPROTO_TCP, as uvicorn's own sockets have it: asyncio turns Nagle's algorithm off
    # (TCP_NODELAY) only on connections of a socket that says so, and with it on an answer
    # written in two parts waited ~40 ms for the client's delayed ACK
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
        sock.listen(2048)  # uvicorn's default backlog
        sock.set_inheritable(True)
    except BaseException:
        sock.close()
        raise
    return sock


def _stop_when_orphaned(supervisor: int) -> None:
    """Stop this worker (as SIGTERM does: cleanly) once its supervisor is gone, even by kill -9:
    no process would replace it or stop it any more."""
    while os.getppid() == supervisor:
        time.sleep(1.0)
    os.kill(os.getpid(), signal.SIGTERM)


def _worker(sock: socket.socket, host: str, port: int, supervisor: int) -> None:
    """A worker process: uvicorn serving the app on its own socket."""
    import threading

    import uvicorn

    threading.Thread(target=_stop_when_orphaned, args=(supervisor,), daemon=True).start()
    config = uvicorn.Config(APP, host=host, port=port, log_level="info")
    with suppress(KeyboardInterrupt):  # uvicorn raises Ctrl-C again once it has shut down
        uvicorn.Server(config).run(sockets=[sock])


class Supervisor:
    def __init__(self, host: str, port: int, workers: int) -> None:
        if not hasattr(socket, "SO_REUSEPORT"):  # pragma: no cover - Linux, macOS and BSDs have it
            raise SystemExit("--workers N > 1 needs SO_REUSEPORT, which this system lacks")
        self.host, self.port, self.count = host, port, workers
        self.context = multiprocessing.get_context("spawn")  # no state inherited from here
        self.sockets: list[socket.socket] = []
        self.processes: list[BaseProcess | None] = [None] * workers
        self.started: list[float] = [0.0] * workers
        self.deaths: list[int] = [0] * workers  # young deaths in a row, per slot
        self.stopping = False
        self.exit_code = 0

    # --- life cycle ----------------------------------------------------------------------

    def run(self) -> None:
        self._configure_logging()
        first = reuse_port_socket(self.host, self.port)
        port = first.getsockname()[1]  # the port chosen, should 0 have been asked for
        self.sockets = [first] + [reuse_port_socket(self.host, port) for _ in range(self.count - 1)]
        self.port = port
        previous = {
            sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)
        }
        log.info(
            "Supervisor [%d] serving http://%s:%d with %d worker processes (SO_REUSEPORT)",
            os.getpid(), self.host, port, self.count,
        )  # fmt: skip
        try:
            for slot in range(self.count):
                self._start(slot)
            while not self.stopping:
                self._watch()
        finally:
            self._stop_all()
            for sock in self.sockets:
                sock.close()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            log.info("Supervisor [%d] stopped", os.getpid())
        if self.exit_code:
            raise SystemExit(self.exit_code)

    def _on_signal(self, signum: int, _frame: Any) -> None:
        self.stopping = True

    def _start(self, slot: int) -> None:
        process = self.context.Process(
            target=_worker,
            args=(self.sockets[slot], self.host, self.port, os.getpid()),
            name=f"advisor-{slot}",
        )
        process.start()
        self.processes[slot] = process
        self.started[slot] = time.monotonic()

    def _watch(self) -> None:
        """Wait a little for a worker to exit; replace those that did."""
        sentinels = [p.sentinel for p in self.processes if p is not None]
        wait(sentinels, timeout=0.5)
        for slot, process in enumerate(self.processes):
            if self.stopping or process is None or process.is_alive():
                continue
            code, pid = process.exitcode, process.pid
            process.close()
            self.processes[slot] = None
            if code == STARTUP_FAILURE:
                log.error("Worker process [%s] failed to start: stopping every worker", pid)
                self.exit_code = STARTUP_FAILURE
                self.stopping = True
                return
            lived = time.monotonic() - self.started[slot]
            self.deaths[slot] = self.deaths[slot] + 1 if lived < YOUNG_SECONDS else 0
            delay = (
                min(MAX_BACKOFF_SECONDS, 0.5 * 2 ** (self.deaths[slot] - 1))
                if self.deaths[slot]
                else 0.0
            )
            log.warning(
                "Worker process [%s] exited with code %s after %.1f s; starting another%s",
                pid, code, lived, f" in {delay:.1f} s" if delay else "",
            )  # fmt: skip
            self._sleep(delay)
            if not self.stopping:
                self._start(slot)

    def _sleep(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < end:
            time.sleep(max(0.0, min(0.1, end - time.monotonic())))

    def _stop_all(self) -> None:
        running = [p for p in self.processes if p is not None and p.is_alive()]
        for process in running:
            with suppress(ProcessLookupError):
                os.kill(process.pid, signal.SIGTERM)  # type: ignore[arg-type]
        deadline = time.monotonic() + GRACE_SECONDS
        for process in running:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                log.warning(
                    "Worker process [%s] still running after %.0f s: killed",
                    process.pid,
                    GRACE_SECONDS,
                )
                process.kill()
                process.join()

    @staticmethod
    def _configure_logging() -> None:
        if not logging.getLogger().handlers and not log.handlers:
            handler = logging.StreamHandler()
            handler.setFormatter(logging.Formatter("%(levelname)s:     %(message)s"))
            log.addHandler(handler)
            log.setLevel(logging.INFO)
            log.propagate = False
