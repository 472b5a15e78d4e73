"""Engine time per profile, beside the naive baseline run in the same process.

engine   the rule engine alone: facts in, findings out (advisor.engine.Runner, one engine per
         thread with the catalogue's facts declared once)
naive    a fresh engine with every fact declared again, in one batch as the reused engine
         declares them (run_fresh): the same work but for building the engine
advise   the whole advice: engine, ranking, explanations, business models, three funding mixes

The engine and naive medians come from the same samples: each of the first `--paired` profiles
runs through both, interleaved (which goes first alternates), so the ratio compares like with
like. Prints medians in ms per profile and the naive/engine ratio. Not a test: numbers depend on
the machine; compare medians and ratios from runs on the same machine.

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
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--synthetic", type=int, default=0, help="instruments (synthetic)")
    parser.add_argument("--profiles", type=int, default=120, help="random profiles")
    parser.add_argument(
        "--paired", type=int, default=24, help="profiles run through both engine and naive"
    )
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
    runner.run_fresh(prepared[0][1], prepared[0][0].catalogue)

    def timed_engine(engine, project):  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        found = engine.run(project)
        return time.perf_counter() - start, found

    def timed_naive(engine, project):  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        found = runner.run_fresh(project, engine.catalogue)
        return time.perf_counter() - start, found

    engine_s, naive_s = [], []
    for i, (engine, project) in enumerate(prepared[: args.paired]):
        if i % 2:  # which path goes first alternates
            n, naive_found = timed_naive(engine, project)
            e, engine_found = timed_engine(engine, project)
        else:
            e, engine_found = timed_engine(engine, project)
            n, naive_found = timed_naive(engine, project)
        assert engine_found == naive_found, "the two paths disagree"
        engine_s.append(e)
        naive_s.append(n)
    ratios = [n / e for e, n in zip(engine_s, naive_s, strict=True)]

    all_engine_s = [timed_engine(engine, project)[0] for engine, project in prepared]

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
    print(f"paired profiles (engine and naive, interleaved): {len(engine_s)}")
    print(f"engine (reused, per thread): median {e:.2f} ms per profile")
    print(f"naive baseline (fresh engine, batch declare): median {n:.2f} ms per profile")
    print(f"speed-up over naive: {n / e:.1f}x (median of per-profile ratios "
          f"{statistics.median(ratios):.1f}x)")  # fmt: skip
    print(f"engine over all {len(all_engine_s)} profiles: median {_ms(all_engine_s):.2f} ms")
    print(f"whole advice (engine + ranking + business models + 3 mixes): median {a:.2f} ms")


if __name__ == "__main__":
    main()
