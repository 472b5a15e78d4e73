"""/v1/match latency at N concurrent clients against a real server on loopback.

Starts `advisor serve` (uvicorn) on 127.0.0.1 with its own SQLite database, warms it up, then
runs N closed-loop clients (each sends its next request when the previous answer arrives) for a
bounded number of requests; prints p50/p99 latency, throughput and errors. Then the same against
a server that builds a fresh engine per request (ADVISOR_NAIVE_ENGINE=1) as the baseline ratio.

    python bench/http_match.py                    # 8 clients, 1 server process
    python bench/http_match.py --server-workers 2
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
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


def measure(env: dict[str, str], clients: int, per_client: int, workers: int) -> dict:  # type: ignore[type-arg]
    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "advisor"), "serve", "--port", str(port),
         "--workers", str(workers)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.2)
        bodies = [
            p.model_dump(mode="json", exclude_none=True)
            for p in golden_profiles() + random_profiles(90)
        ]
        with httpx.Client(base_url=base, timeout=30) as warm:
            for body in bodies[: clients * 4]:  # every server thread builds its engine
                warm.post("/v1/match", json=body)
        latencies: list[float] = []
        errors = 0
        lock = threading.Lock()

        def client(index: int) -> None:
            nonlocal errors
            with httpx.Client(base_url=base, timeout=30) as http:
                for i in range(per_client):
                    body = bodies[(index * per_client + i) % len(bodies)]
                    start = time.perf_counter()
                    response = http.post("/v1/match", json=body)
                    elapsed = time.perf_counter() - start
                    with lock:
                        latencies.append(elapsed)
                        errors += response.status_code != 200

        started = time.perf_counter()
        threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=20)
    latencies.sort()
    return {
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "rps": len(latencies) / wall,
        "errors": errors,
        "requests": len(latencies),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=100, help="per client")
    parser.add_argument("--server-workers", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "ADVISOR_DATA_DIR": folder}
        env.pop("ADVISOR_DATABASE_URL", None)
        fast = measure(env, args.clients, args.requests, args.server_workers)
        naive = measure(
            {**env, "ADVISOR_NAIVE_ENGINE": "1"}, args.clients, max(args.requests // 5, 5),
            args.server_workers,
        )  # fmt: skip
    for name, r in (("reused engines", fast), ("naive baseline", naive)):
        print(f"{name}: {r['requests']} requests, {args.clients} clients, "
              f"{args.server_workers} server process(es): p50 {r['p50']:.1f} ms, "
              f"p99 {r['p99']:.1f} ms, {r['rps']:.0f} req/s, errors {r['errors']}")  # fmt: skip
    print(f"p50 ratio naive/reused: {naive['p50'] / fast['p50']:.1f}x")


if __name__ == "__main__":
    main()
