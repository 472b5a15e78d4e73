"""How evenly server processes share keep-alive connections.

Starts a server with 2 worker processes on 127.0.0.1 and its own SQLite database, then, several
times, opens a burst of keep-alive connections at once and asks each which process serves it
(the `X-Advisor-Worker` header); prints each burst's split and the largest share of all.
Twice: uvicorn's own workers (one socket shared by the processes: the first `advisor serve
--workers N`), then `advisor serve --workers N` (its supervisor hands each connection to the
process with the fewest open ones).

    python bench/worker_share.py                      # 40 connections, 5 bursts, 2 processes
    python bench/worker_share.py --connections 100 --bursts 10
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.servers import connection_shares, free_port  # noqa: E402

BIN = Path(sys.executable).parent


def measure(command: list[str], port: int, env: dict[str, str], args: argparse.Namespace) -> list:  # type: ignore[type-arg]
    server = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT
    )
    try:
        deadline = time.monotonic() + 60
        pids: set[str] = set()
        while len(pids) < args.workers:  # every process up (new connections spread over them)
            try:
                with httpx.Client(timeout=2) as fresh:
                    pids.add(
                        fresh.get(f"http://127.0.0.1:{port}/health").headers["x-advisor-worker"]
                    )
            except httpx.HTTPError:
                time.sleep(0.2)
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start")
        bursts = []
        for _ in range(args.bursts):
            # the last burst's connections closed and their processes done with them: a burst
            # that starts while one process still holds some goes more to the other, rightly
            time.sleep(0.5)
            bursts.append(connection_shares(port, args.connections, rounds=2))
        return bursts
    finally:
        server.terminate()
        server.wait(timeout=30)


def report(name: str, bursts: list[Counter[int]], workers: int) -> None:
    splits = [sorted(b.values(), reverse=True) + [0] * (workers - len(b)) for b in bursts]
    largest = [s[0] / sum(s) for s in splits]
    total = sum(bursts, Counter())
    print(
        f"{name}: splits {splits}; largest share per burst {min(largest):.0%}-{max(largest):.0%} "
        f"(median {sorted(largest)[len(largest) // 2]:.0%}); of all {sum(total.values())} "
        f"connections the busiest process took {max(total.values()) / sum(total.values()):.0%}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--connections", type=int, default=40)
    parser.add_argument("--bursts", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "ADVISOR_DATA_DIR": folder}
        env.pop("ADVISOR_DATABASE_URL", None)
        common = ["--host", "127.0.0.1", "--workers", str(args.workers)]
        port = free_port()
        shared = measure(
            [str(BIN / "uvicorn"), "api.main:app", "--port", str(port), *common], port, env, args
        )
        port = free_port()
        ours = measure(
            [str(BIN / "advisor"), "serve", "--port", str(port), *common], port, env, args
        )
    report("uvicorn --workers (one shared socket)", shared, args.workers)
    report("advisor serve --workers (fewest connections first)", ours, args.workers)


if __name__ == "__main__":
    main()
