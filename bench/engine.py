"""Engine time per profile: the reused per-thread engine against the naive baseline.

The naive baseline, run in the same process on the same profiles, builds a fresh engine and
declares every fact again for each profile. Prints medians (ms per profile) and the ratio.

    python bench/engine.py                 # full catalogue
    python bench/engine.py --synthetic 1000
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from advisor.advice import advise  # noqa: E402
from bench.common import (  # noqa: E402
    full_snapshot,
    golden_profiles,
    median_ms,
    random_profiles,
    synthetic_snapshot,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--synthetic", type=int, default=0, help="instruments in a synthetic catalogue"
    )
    parser.add_argument("--profiles", type=int, default=60)
    parser.add_argument("--naive-profiles", type=int, default=20)
    args = parser.parse_args()

    snapshot = synthetic_snapshot(args.synthetic) if args.synthetic else full_snapshot()
    profiles = golden_profiles() + random_profiles(args.profiles)
    for profile in profiles[:5]:  # warm-up: builds this thread's engine for each rate table
        advise(profile, snapshot)

    import time

    reused = []
    for profile in profiles:
        start = time.perf_counter()
        advise(profile, snapshot)
        reused.append(time.perf_counter() - start)
    naive = []
    for profile in profiles[: args.naive_profiles]:
        start = time.perf_counter()
        advise(profile, snapshot, fresh=True)
        naive.append(time.perf_counter() - start)

    r, n = median_ms(reused), median_ms(naive)
    print(f"catalogue: {len(snapshot.instruments)} instruments ({snapshot.revision})")
    print(f"profiles:  {len(reused)} reused-engine runs, {len(naive)} naive runs")
    print(f"engine (reused per thread): median {r:.2f} ms per profile")
    print(f"naive baseline (fresh engine, all facts again): median {n:.2f} ms per profile")
    print(f"speed-up: {n / r:.2f}x")


if __name__ == "__main__":
    main()
