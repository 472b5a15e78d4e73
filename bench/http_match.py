"""/v1/match over HTTP: throughput and p50/p99 latency at 1 and 8 clients, for 1 and 2 server
processes (`advisor serve --workers N`), against a real server on loopback.

For each number of server processes it starts `advisor serve` on 127.0.0.1 with its own SQLite
database and warms every process up: one connection per process, held open at once (the
supervisor gives a new connection to the process with the fewest open ones), sends every profile
once, one request at a time, so that every process has built the engines of every catalogue
date and currency rates the profiles use and has met every profile once; these first sights'
latencies are printed apart (the start-up cost, not in the figures below). Then, for each
number of clients, N closed-loop clients,
each in a process of its own (so that the load generator's own Python does not queue the
clients behind one GIL), each on one keep-alive connection, send the golden profiles and random
ones for `--seconds`, each request when the previous answer has arrived. It prints requests,
errors (any status but 200, or a failed connection), throughput, p50 and p99 latency, the
answer's size as sent and uncompressed, and the server's CPU time per request (all its
processes, from /proc: on a shared machine the steadiest of these figures). Default answers
(lean why-nots) with `Accept-Encoding: gzip`; `--encoding zstd` as httpx with zstandard and
browsers over HTTPS ask, `--encoding identity` for none, `--detail full` for full why-nots.

    python bench/http_match.py                          # 1 and 2 processes x 1 and 8 clients
    python bench/http_match.py --workers 2 --clients 8 --seconds 30
    python bench/http_match.py --naive                  # also a fresh engine per request

The load generator shares the machine's cores with the server: figures are for this machine as
it is loaded (the script prints the load average before each run).
"""

import argparse
import math
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import golden_profiles, random_profiles  # noqa: E402


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def profile_bodies() -> list[dict]:  # type: ignore[type-arg]
    return [
        p.model_dump(mode="json", exclude_none=True)
        for p in golden_profiles() + random_profiles(90)
    ]


def _client(
    base: str, path: str, headers: dict[str, str], bodies: list[dict], first: int,  # type: ignore[type-arg]
    start_at: float, stop_at: float, out: "multiprocessing.Queue[object]",
) -> None:  # fmt: skip
    """One closed-loop client: (latencies in seconds, errors, error notes, sizes, when its
    last answer arrived)."""
    latencies: list[float] = []
    errors = 0
    notes: list[str] = []
    sizes: tuple[int, int] | None = None
    with httpx.Client(base_url=base, timeout=30, headers=headers) as http:
        http.get("/health")  # the connection is open before the clock starts
        time.sleep(max(0.0, start_at - time.time()))
        i = first
        while time.time() < stop_at:
            body = bodies[i % len(bodies)]
            i += 1
            began = time.perf_counter()
            try:
                response = http.post(path, json=body)
                ok = response.status_code == 200
                if not ok:
                    notes.append(f"HTTP {response.status_code}")
                elif sizes is None:
                    sent = int(response.headers.get("content-length", len(response.content)))
                    sizes = (sent, len(response.content))
            except httpx.HTTPError as exc:
                ok = False
                notes.append(type(exc).__name__)
            latencies.append(time.perf_counter() - began)
            errors += not ok
    out.put((latencies, errors, notes[:5], sizes, time.time()))


def percentile(ordered: list[float], share: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def wait_until_up(base: str, server: subprocess.Popen) -> None:  # type: ignore[type-arg]
    deadline = time.monotonic() + 120
    while True:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with {server.returncode}")
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.2)


def server_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by process `pid` and every process below it,
    from /proc (NaN elsewhere): per request, the figure the machine's other load disturbs
    least."""
    stats: dict[int, tuple[int, float]] = {}
    try:
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                stats[int(entry.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    except OSError:
        return math.nan
    tick = os.sysconf("SC_CLK_TCK")
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        total += stats.get(current, (0, 0))[1] / tick
        todo += [child for child, (parent, _) in stats.items() if parent == current]
    return total


def run_clients(
    base: str, path: str, headers: dict[str, str], bodies: list[dict], clients: int,  # type: ignore[type-arg]
    seconds: float, server: int,
) -> dict:  # type: ignore[type-arg]  # fmt: skip
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    start_at = time.time() + 3.0  # every client process has started and connected by then
    stop_at = start_at + seconds
    procs = [
        context.Process(
            target=_client,
            args=(base, path, headers, bodies, i * 7, start_at, stop_at, queue),
        )
        for i in range(clients)
    ]
    for proc in procs:
        proc.start()
    cpu_before = server_cpu(server)
    results = [queue.get(timeout=seconds + 120) for _ in procs]
    cpu = server_cpu(server) - cpu_before
    for proc in procs:
        proc.join()
    latencies = sorted(x for r in results for x in r[0])
    sizes = next((r[3] for r in results if r[3]), (0, 0))
    wall = max(r[4] for r in results) - start_at  # the last answers arrive after stop_at
    return {
        "requests": len(latencies),
        "errors": sum(r[1] for r in results),
        "notes": sorted({n for r in results for n in r[2]}),
        "rps": len(latencies) / wall,
        "p50": statistics.median(latencies) * 1000,
        "p99": percentile(latencies, 0.99) * 1000,
        "cpu": cpu / max(1, len(latencies)) * 1000,
        "sent": sizes[0],
        "size": sizes[1],
    }


def measure(
    env: dict[str, str], workers: int, client_counts: list[int], seconds: float, path: str,
    headers: dict[str, str],
) -> list[dict]:  # type: ignore[type-arg]  # fmt: skip
    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "advisor"), "serve", "--port", str(port),
         "--workers", str(workers)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    bodies = profile_bodies()
    out = []
    try:
        wait_until_up(base, server)
        served, first = warm_up(base, path, headers, bodies, workers)
        first.sort()
        print(
            f"  warm-up, {workers} process(es), each profile once in each, one request at a "
            f"time: {len(first)} requests on {served} process(es), p50 "
            f"{percentile(first, 0.5):.1f} ms, p99 {percentile(first, 0.99):.1f} ms, max "
            f"{first[-1]:.1f} ms",
            flush=True,
        )
        for clients in client_counts:
            load = os.getloadavg()[0]
            result = run_clients(base, path, headers, bodies, clients, seconds, server.pid)
            out.append({"workers": workers, "clients": clients, "load": load, **result})
    finally:
        server.terminate()
        server.wait(timeout=60)
    return out


def warm_up(
    base: str, path: str, headers: dict[str, str], bodies: list[dict], workers: int,  # type: ignore[type-arg]
) -> tuple[int, list[float]]:  # fmt: skip
    """Every process answers each body once: `workers` connections open at once land on as
    many processes once all have started (until then, tried again). Returns how many processes
    answered and the latencies in ms."""
    deadline = time.monotonic() + 120
    while True:
        clients = [
            httpx.Client(base_url=base, timeout=120, headers=headers) for _ in range(workers)
        ]
        served = {c.get("/health").headers.get("x-advisor-worker") for c in clients}
        if len(served) == workers or time.monotonic() > deadline:
            break
        for client in clients:  # a process still starting: its share went to the others
            client.close()
        time.sleep(0.5)
    latencies: list[float] = []
    try:
        for client in clients:
            for body in bodies:
                began = time.perf_counter()
                client.post(path, json=body).raise_for_status()
                latencies.append((time.perf_counter() - began) * 1000)
    finally:
        for client in clients:
            client.close()
    return len(served), latencies


def report(name: str, rows: list[dict]) -> None:  # type: ignore[type-arg]
    print(f"{name}")
    print("  processes clients  requests errors   req/s   p50 ms   p99 ms   sent KB  body KB  "
          "CPU ms/req  load")  # fmt: skip
    for r in rows:
        print(f"  {r['workers']:>9} {r['clients']:>7} {r['requests']:>9} {r['errors']:>6} "
              f"{r['rps']:>7.1f} {r['p50']:>8.1f} {r['p99']:>8.1f} {r['sent'] / 1000:>9.1f} "
              f"{r['size'] / 1000:>8.1f} {r['cpu']:>11.1f}  {r['load']:.1f}"
              + (f"  ({', '.join(r['notes'])})" if r["notes"] else ""))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="server processes")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--seconds", type=float, default=15.0, help="per measurement")
    parser.add_argument("--detail", choices=["lean", "full"], default="lean")
    parser.add_argument(
        "--encoding", choices=["gzip", "zstd", "identity"], default="gzip",
        help="the Accept-Encoding the clients send (default gzip, as the first figures were)",
    )  # fmt: skip
    parser.add_argument("--identity", action="store_true", help="= --encoding identity")
    parser.add_argument("--naive", action="store_true", help="also a fresh engine per request")
    args = parser.parse_args()
    path = "/v1/match" + ("?detail=full" if args.detail == "full" else "")
    headers = {"accept-encoding": "identity" if args.identity else args.encoding}
    runs = [("reused engines", {})]
    if args.naive:
        runs.append(("naive baseline (a fresh engine per request)", {"ADVISOR_NAIVE_ENGINE": "1"}))
    print(f"POST {path}, Accept-Encoding: {headers['accept-encoding']}, {args.seconds:.0f} s each")
    for name, extra in runs:
        rows = []
        for workers in args.workers:
            with tempfile.TemporaryDirectory() as folder:
                env = {**os.environ, "ADVISOR_DATA_DIR": folder, **extra}
                env.pop("ADVISOR_DATABASE_URL", None)
                rows += measure(env, workers, args.clients, args.seconds, path, headers)
        report(name, rows)


if __name__ == "__main__":
    main()
