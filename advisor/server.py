"""`advisor serve`: uvicorn, in one process or in N that share the load evenly.

With `--workers N` (N > 1) this module is a small supervisor of its own instead of uvicorn's.
The supervisor holds the one listening socket. It accepts each connection and hands it over a
Unix socket pair (the descriptor itself, SCM_RIGHTS) to the worker process with the fewest open
connections, the next in turn on a tie, as a load balancer's least-connections policy does; that
worker serves it with uvicorn for the connection's life. Open connections are counted without a
lock: the supervisor counts those it handed to each worker, the worker counts those it has
closed, each number in shared memory with one writer.

The spreads this replaces: with one `SO_REUSEPORT` socket per process the kernel picks a
connection's process by a hash of its addresses and ports, so 8 keep-alive clients split 4/4
over 2 processes only 27% of the time (Binomial(8, 1/2)), and the process that drew 5 to 7 of
them set the latency's tail (bench/http_match.py at 8 clients). With uvicorn's own workers all
processes accept from one shared socket, and whichever wakes first takes a whole burst of
connections: one process served 75-100% of 40 keep-alive connections (bench/worker_share.py).

The supervisor accepts only while some worker has started up, so connections that arrive while
none has wait in the socket's queue instead of being refused, and while one worker restarts the
others take its share. It restarts a worker that exits (waiting longer each time one dies
young), gives up when one fails its start-up (uvicorn's exit code 3: the same error would stop a
single process), and on SIGINT or SIGTERM stops every worker (SIGTERM: each finishes the
requests it has, as uvicorn does) and then exits; a worker that has not stopped after the grace
period is killed.
"""

import asyncio
import logging
import multiprocessing
import os
import signal
import socket
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from typing import Any

import uvicorn

APP = "api.main:app"
STARTUP_FAILURE = 3  # uvicorn's exit code when the application's start-up fails
GRACE_SECONDS = 30.0  # how long a stopping worker may take before it is killed
YOUNG_SECONDS = 10.0  # a worker that exits sooner than this after its start died young
MAX_BACKOFF_SECONDS = 10.0
BURST = 64  # connections accepted in a row before the supervisor looks at its workers again
HANDED = b"c"  # the one byte sent with each handed descriptor

log = logging.getLogger("advisor.server")


def serve(host: str, port: int, workers: int = 1) -> None:
    """Serve the API on host:port with `workers` processes (blocks until stopped)."""
    if workers <= 1:
        uvicorn.run(APP, host=host, port=port, log_level="info")
        return
    Supervisor(host, port, workers).run()


def listening_socket(host: str, port: int) -> socket.socket:
    """The supervisor's listening TCP socket on host:port (non-blocking)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto IPPROTO_TCP, as uvicorn's own sockets have it: asyncio turns Nagle's algorithm off
    # (TCP_NODELAY) only on a connection whose socket says so, and with it on an answer written
    # in two parts waited ~40 ms for the client's delayed ACK. A connection accepted from this
    # socket keeps the protocol number, in the worker too (tests/ops/test_worker_socket.py).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)  # uvicorn's default backlog
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock


def channel_pair() -> tuple[socket.socket, socket.socket]:
    """The supervisor's end and a worker's end of the pair that carries handed connections
    (SOCK_SEQPACKET: one message, one descriptor; a read of nothing means the other end is
    closed)."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    ours.setblocking(False)
    return ours, theirs


def hand(channel: socket.socket, conn: socket.socket) -> None:
    """Send the connection `conn` down `channel` (the caller then closes its own copy). Raises
    OSError when the channel is full (BlockingIOError) or its other end is closed."""
    socket.send_fds(channel, [HANDED], [conn.fileno()])


def received(channel: socket.socket) -> list[socket.socket] | None:
    """The connections waiting in a worker's end of `channel` (non-blocking), or None once the
    supervisor's end is closed and nothing is left."""
    out: list[socket.socket] = []
    while True:
        try:
            data, fds, _flags, _address = socket.recv_fds(channel, len(HANDED), 1)
        except (BlockingIOError, InterruptedError):
            return out
        except OSError:
            return out or None
        out.extend(socket.socket(fileno=fd) for fd in fds)
        if not data and not fds:
            return out or None


def _stop_when_orphaned(supervisor: int) -> None:
    """Stop this worker (as SIGTERM does: cleanly) once its supervisor is gone, even by kill -9:
    no process would replace it or stop it any more."""
    while os.getppid() == supervisor:
        time.sleep(1.0)
    os.kill(os.getpid(), signal.SIGTERM)


def _worker(channel: socket.socket, slot: int, closed: Any, ready: Any, host: str, port: int,
            supervisor: int) -> None:  # fmt: skip
    """A worker process: uvicorn serving the connections its supervisor hands it."""
    threading.Thread(target=_stop_when_orphaned, args=(supervisor,), daemon=True).start()
    config = uvicorn.Config(APP, host=host, port=port, log_level="info")
    server = HandedConnections(config, channel, slot, closed, ready)
    with suppress(KeyboardInterrupt):  # uvicorn raises Ctrl-C again once it has shut down
        server.run(sockets=[])  # no listening socket of its own


class HandedConnections(uvicorn.Server):
    """uvicorn serving connections handed over `channel` instead of accepting its own;
    counts those it has closed in `closed[slot]` and says it has started in `ready[slot]`."""

    def __init__(self, config: Any, channel: socket.socket, slot: int, closed: Any,
                 ready: Any) -> None:  # fmt: skip
        super().__init__(config)
        self.channel, self.slot, self.closed, self.ready = channel, slot, closed, ready
        self.taking: set[asyncio.Task[None]] = set()  # connections being set up (kept referenced)

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=[])
        if self.should_exit:
            return
        loop = asyncio.get_running_loop()
        self.channel.setblocking(False)
        loop.add_reader(self.channel.fileno(), self._take, loop, self._protocols())
        self.ready[self.slot] = 1

    def _protocols(self) -> Callable[[], asyncio.Protocol]:
        """uvicorn's protocol factory (as its startup makes it), each protocol counting its
        connection's end."""
        config, state, app_state = self.config, self.server_state, self.lifespan.state

        def protocol() -> asyncio.Protocol:
            made = config.http_protocol_class(  # type: ignore[call-arg]
                config=config, server_state=state, app_state=app_state
            )
            lost = made.connection_lost

            def connection_lost(exc: Exception | None) -> None:
                try:
                    lost(exc)
                finally:
                    self.closed[self.slot] += 1

            made.connection_lost = connection_lost  # type: ignore[method-assign]
            return made

        return protocol

    def _take(self, loop: asyncio.AbstractEventLoop, protocol: Callable[[], Any]) -> None:
        conns = received(self.channel)
        if conns is None:  # the supervisor is gone: _stop_when_orphaned stops this process
            loop.remove_reader(self.channel.fileno())
            return
        for conn in conns:
            task = loop.create_task(self._serve_one(loop, protocol, conn))
            self.taking.add(task)
            task.add_done_callback(self.taking.discard)

    async def _serve_one(self, loop: asyncio.AbstractEventLoop,
                         protocol: Callable[[], Any], conn: socket.socket) -> None:  # fmt: skip
        try:
            await loop.connect_accepted_socket(protocol, conn)
        except Exception:  # never served: counted as closed
            conn.close()
            self.closed[self.slot] += 1

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self.ready[self.slot] = 0  # the supervisor hands this process nothing more
        with suppress(ValueError, OSError):
            asyncio.get_running_loop().remove_reader(self.channel.fileno())
        for conn in received(self.channel) or []:  # handed as it stopped: not served
            conn.close()
            self.closed[self.slot] += 1
        self.channel.close()
        await super().shutdown(sockets)


class Supervisor:
    def __init__(self, host: str, port: int, workers: int) -> None:
        try:  # Linux has them; macOS, for one, has no SOCK_SEQPACKET pairs
            for end in channel_pair():
                end.close()
        except (AttributeError, OSError) as exc:
            raise SystemExit(
                f"--workers N > 1 needs Unix socket pairs that carry connections ({exc}): "
                "run --workers 1, or one process per port behind a load balancer"
            ) from None
        self.host, self.port, self.count = host, port, workers
        self.context = multiprocessing.get_context("spawn")  # no state inherited from here
        self.listener: socket.socket | None = None
        self.processes: list[BaseProcess | None] = [None] * workers
        self.channels: list[socket.socket | None] = [None] * workers
        self.started: list[float] = [0.0] * workers
        self.deaths: list[int] = [0] * workers  # young deaths in a row, per slot
        self.restart_at: list[float | None] = [None] * workers
        self.handed: list[int] = [0] * workers  # connections handed to the slot's process
        self.closed = self.context.RawArray("q", workers)  # ... of which it has closed
        self.ready = self.context.RawArray("b", workers)  # its process has started up
        self.turn = 0  # the slot to look at first on a tie
        self.stopping = False
        self.exit_code = 0

    # --- life cycle ----------------------------------------------------------------------

    def run(self) -> None:
        self._configure_logging()
        self.listener = listening_socket(self.host, self.port)
        self.port = self.listener.getsockname()[1]  # the port chosen, should 0 have been asked
        previous = {
            sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)
        }
        log.info(
            "Supervisor [%d] serving http://%s:%d with %d worker processes "
            "(each connection to the one with the fewest)",
            os.getpid(), self.host, self.port, self.count,
        )  # fmt: skip
        try:
            for slot in range(self.count):
                self._start(slot)
            while not self.stopping:
                self._step()
        finally:
            self._stop_all()
            for channel in self.channels:
                if channel is not None:
                    channel.close()
            self.listener.close()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            log.info("Supervisor [%d] stopped", os.getpid())
        if self.exit_code:
            raise SystemExit(self.exit_code)

    def _on_signal(self, signum: int, _frame: Any) -> None:
        self.stopping = True

    def _start(self, slot: int) -> None:
        ours, theirs = channel_pair()
        self.handed[slot], self.closed[slot], self.ready[slot] = 0, 0, 0
        process = self.context.Process(
            target=_worker,
            args=(theirs, slot, self.closed, self.ready, self.host, self.port, os.getpid()),
            name=f"advisor-{slot}",
        )
        try:
            process.start()
        finally:
            theirs.close()  # the process has its own copy
        self.processes[slot], self.channels[slot] = process, ours
        self.started[slot], self.restart_at[slot] = time.monotonic(), None

    def _step(self) -> None:
        """Wait a little for a connection or a worker's exit; hand connections out; replace
        workers that exited when their time comes."""
        accepting = any(self._open(slot) for slot in range(self.count))
        waits: list[Any] = [p.sentinel for p in self.processes if p is not None]
        timeout = 0.5 if accepting else 0.05  # none started up yet: look again soon
        if accepting:
            waits.append(self.listener)
        now = time.monotonic()
        for at in self.restart_at:
            if at is not None:
                timeout = max(0.0, min(timeout, at - now))
        wait(waits, timeout=timeout)
        if accepting:
            self._hand_out()
        self._reap()
        now = time.monotonic()
        for slot, at in enumerate(self.restart_at):
            if at is not None and at <= now and not self.stopping:
                self._start(slot)

    def _open(self, slot: int) -> bool:
        """Whether the slot's process can be handed connections now."""
        return self.processes[slot] is not None and bool(self.ready[slot])

    def _hand_out(self) -> None:
        assert self.listener is not None
        for _ in range(BURST):
            try:
                conn, _address = self.listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:  # e.g. out of descriptors: the connection waits in the queue
                log.warning("accepting a connection failed: %s", exc)
                time.sleep(0.1)  # the socket stays readable: not a loop of failed accepts
                return
            with conn:
                self._hand(conn)

    def _hand(self, conn: socket.socket) -> None:
        """To the open worker with the fewest open connections (the next in turn on a tie); to
        another if its channel is full or closed; closed if none can take it."""
        tried: set[int] = set()
        while True:
            best, fewest = None, 0
            for k in range(self.count):
                slot = (self.turn + k) % self.count
                if slot in tried or not self._open(slot) or self.channels[slot] is None:
                    continue
                load = self.handed[slot] - self.closed[slot]
                if best is None or load < fewest:
                    best, fewest = slot, load
            if best is None:
                log.warning("no worker process could take a connection: closed")
                return
            try:
                hand(self.channels[best], conn)  # type: ignore[arg-type]
            except OSError:
                tried.add(best)
                continue
            self.handed[best] += 1
            self.turn = (best + 1) % self.count
            return

    def _reap(self) -> None:
        """Note the workers that exited and when to start each one's successor."""
        for slot, process in enumerate(self.processes):
            if self.stopping or process is None or process.is_alive():
                continue
            code, pid = process.exitcode, process.pid
            process.close()
            self.processes[slot] = None
            self.ready[slot] = 0
            channel, self.channels[slot] = self.channels[slot], None
            if channel is not None:
                channel.close()
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
            self.restart_at[slot] = time.monotonic() + delay

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
