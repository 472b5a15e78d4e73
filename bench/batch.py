"""Batch throughput: N profiles, JSONL in, JSONL out, through `advisor batch` with worker
processes (`--workers`: a pool of that many processes, rows handed out in chunks of 16);
beside the naive baseline (a fresh engine per profile, every fact declared again) on a sample,
as a ratio of profiles per second.

    python bench/batch.py                      # 10,000 profiles, 2 workers, full why-nots
    python bench/batch.py --profiles 2000 --workers 1 --detail lean
    python bench/batch.py --naive-profiles 0   # no naive baseline

Runs in a temporary folder with its own SQLite database (seeded before the clock starts);
prints wall-clock times, process start-up included, the load average before the run, and the
CPU time (user and system) of the batch command and its worker processes together: on a shared
machine the CPU time moves less than the wall clock does.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import golden_profiles, random_profiles  # noqa: E402


def write_profiles(path: Path, count: int) -> None:
    profiles = golden_profiles() + random_profiles(max(count - 30, 0))
    with path.open("w") as handle:
        for i in range(count):
            data = profiles[i % len(profiles)].model_dump(mode="json", exclude_none=True)
            data["id"] = f"p{i}"
            handle.write(json.dumps(data) + "\n")


def run(
    source: Path, out: Path, env: dict[str, str], workers: int, naive: bool, detail: str = "full"
) -> tuple[float, float]:
    """Wall-clock seconds, and CPU seconds of the command and every process it started."""
    command = [
        str(Path(sys.executable).parent / "advisor"), "batch", str(source), "-o", str(out),
        "--workers", str(workers), "--no-resume", "--no-progress", "--detail", detail,
    ]  # fmt: skip
    if naive:
        command.append("--naive")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profiles", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--detail", choices=["full", "lean"], default="full")
    parser.add_argument("--naive-profiles", type=int, default=500, help="0: no baseline")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        env = {**os.environ, "ADVISOR_DATA_DIR": str(tmp / "data")}
        env.pop("ADVISOR_DATABASE_URL", None)
        source, out = tmp / "profiles.jsonl", tmp / "advice.jsonl"
        write_profiles(source, args.profiles)
        small, small_out = tmp / "sample.jsonl", tmp / "sample_out.jsonl"
        write_profiles(small, max(args.naive_profiles, 2))
        run(small, small_out, env, 1, naive=False)  # seeds the database once

        load = os.getloadavg()[0]
        seconds, cpu = run(source, out, env, args.workers, naive=False, detail=args.detail)
        lines = sum(1 for _ in out.open())
        size = out.stat().st_size / 1e6
        if args.naive_profiles:
            naive, _ = run(small, small_out, env, args.workers, naive=True, detail=args.detail)
            reused, _ = run(small, small_out, env, args.workers, naive=False, detail=args.detail)
    print(f"batch: {args.profiles} profiles, {args.workers} workers, JSONL in and out, "
          f"{args.detail} why-nots (load average {load:.1f} before the run)")  # fmt: skip
    print(f"  {seconds:.1f} s wall clock, {args.profiles / seconds:.1f} profiles/s, "
          f"{lines} records, {size:.0f} MB written")  # fmt: skip
    print(f"  {cpu:.1f} s CPU (command and workers), {cpu / args.profiles * 1000:.1f} ms a profile")
    if args.naive_profiles:
        print(f"sample of {args.naive_profiles}: reused engines {reused:.1f} s, naive "
              f"{naive:.1f} s, ratio {naive / reused:.1f}x (process start-up in both)")  # fmt: skip


if __name__ == "__main__":
    main()
