"""/v1/match latency while another client's 500-item /v1/match/batch runs, against idle.

Starts `advisor serve` on 127.0.0.1 with its own SQLite database, warms both paths up, then
several times: 100 single matches from one keep-alive client with nothing else running (idle),
then up to 100 more while another client's 500-item batch runs (busy). Prints p50 and p99 of
each, their ratio, and the medians over the runs.

    python bench/batch_interference.py             # 3 runs, 1 server process
    python bench/batch_interference.py --runs 5 --server-workers 2
"""

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import golden_profiles, random_profiles  # noqa: E402
from tests.servers import match_under_batch, percentile, serve  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--items", type=int, default=500)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--server-workers", type=int, default=1)
    args = parser.parse_args()
    bodies = [
        p.model_dump(mode="json", exclude_none=True)
        for p in golden_profiles() + random_profiles(max(args.items, 100))
    ]
    ratios, idle99, busy99 = [], [], []
    with (
        tempfile.TemporaryDirectory() as folder,
        serve(Path(folder), workers=args.server_workers, timeout=120) as server,
    ):
        with httpx.Client(base_url=server.url, timeout=120) as warm:
            for body in bodies[:20]:
                warm.post("/v1/match", json=body)
            warm.post("/v1/match/batch", json={"items": bodies[:4]})
        for run in range(1, args.runs + 1):
            batch = bodies[run : run + args.items]
            got = match_under_batch(server.url, bodies[:100], batch, args.requests)
            ms = {k: [v * 1000 for v in getattr(got, k)] for k in ("idle", "busy")}
            ratio = got.busy_p99 / got.idle_p99
            ratios.append(ratio)
            idle99.append(got.idle_p99 * 1000)
            busy99.append(got.busy_p99 * 1000)
            print(
                f"run {run}: idle p50 {statistics.median(ms['idle']):.1f} ms p99 "
                f"{percentile(ms['idle'], 0.99):.1f} ms; during the batch "
                f"({len(ms['busy'])} requests) p50 {statistics.median(ms['busy']):.1f} ms p99 "
                f"{percentile(ms['busy'], 0.99):.1f} ms, max {max(ms['busy']):.0f} ms; ratio "
                f"{ratio:.2f}; batch {got.batch_seconds:.1f} s, status {got.batch_status}, "
                f"{len(got.batch_body) / 1e6:.1f} MB",
                flush=True,
            )
    print(
        f"median of {args.runs} runs: idle p99 {statistics.median(idle99):.1f} ms, busy p99 "
        f"{statistics.median(busy99):.1f} ms, ratio {statistics.median(ratios):.2f}"
    )


if __name__ == "__main__":
    main()
