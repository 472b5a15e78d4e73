"""Engine time per profile, beside the naive baseline run in the same process.

engine   the rule engine alone: facts in, findings out (advisor.engine.Runner, one engine per
         thread with the catalogue's facts declared once)
naive    the same profiles through a fresh engine with every fact declared again (run_fresh)
advise   the whole advice: engine, ranking, explanations, business models, three funding mixes

Prints medians in ms per profile and the naive/engine ratio. Not a test: numbers depend on the
machine; compare medians and ratios from runs on the same machine.

    python bench/engine.py                  # the full catalogue
    python bench/engine.py --synthetic 1000 # 1,000 instruments drawn from the real rows
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from advisor import engine as runner  # noqa: E402
from advisor.advice import advise  # noqa: E402
from advisor.money import Converter  # noqa: E402
from bench.common import (  # noqa: E402
    full_snapshot,
    golden_profiles,
    random_profiles,
    synthetic_snapshot,
)


def _ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--synthetic", type=int, default=0, help="instruments (synthetic)")
    parser.add_argument("--profiles", type=int, default=120, help="random profiles")
    parser.add_argument("--naive-profiles", type=int, default=20)
    args = parser.parse_args()

    snapshot = synthetic_snapshot(args.synthetic) if args.synthetic else full_snapshot()
    profiles = golden_profiles() + random_profiles(args.profiles)
    runners: dict[tuple, runner.Runner] = {}  # type: ignore[type-arg]

    def inputs(profile):  # type: ignore[no-untyped-def]
        money = Converter(snapshot, profile.as_of)
        key = money.key()
        if key not in runners:
            runners[key] = runner.Runner(
                runner.catalogue_facts(
                    [runner.instrument_fact(r, money.to_eur) for r in snapshot.instruments],
                    [runner.model_fact(m) for m in snapshot.business_models],
                )
            )
        return runners[key], runner.project_fact(profile, money.to_eur)

    prepared = [inputs(p) for p in profiles]
    for engine, project in prepared[:5]:
        engine.run(project)  # warm-up
    engine_s = []
    for engine, project in prepared:
        start = time.perf_counter()
        engine.run(project)
        engine_s.append(time.perf_counter() - start)

    naive_s = []
    for engine, project in prepared[: args.naive_profiles]:
        start = time.perf_counter()
        runner.run_fresh(project, engine.catalogue)
        naive_s.append(time.perf_counter() - start)

    for profile in profiles[:5]:
        advise(profile, snapshot)
    advise_s = []
    for profile in profiles:
        start = time.perf_counter()
        advise(profile, snapshot)
        advise_s.append(time.perf_counter() - start)

    e, n, a = _ms(engine_s), _ms(naive_s), _ms(advise_s)
    print(f"catalogue: {len(snapshot.instruments)} instruments, "
          f"{len(snapshot.business_models)} business models ({snapshot.revision})")  # fmt: skip
    print(f"profiles: {len(engine_s)} (naive: {len(naive_s)})")
    print(f"engine (reused, per thread): median {e:.2f} ms per profile")
    print(f"naive baseline (fresh engine, every fact declared again): median {n:.2f} ms")
    print(f"speed-up over naive: {n / e:.1f}x")
    print(f"whole advice (engine + ranking + business models + 3 mixes): median {a:.2f} ms")


if __name__ == "__main__":
    main()
