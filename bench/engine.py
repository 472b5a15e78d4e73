"""Engine time per profile: the compiled matcher beside the previous engine and the naive baseline.

naive      a fresh experta engine with every fact declared again (run_fresh)
previous   the reused experta engine, the catalogue declared once per thread (ReteRunner)
compiled   the rules compiled from their experta declarations (Runner), all findings
lean       the same, as advise() runs it: rows a hard rule excluded are not scored (a runner of
           its own, so that it never reuses what the compiled run of the same profile kept)
advice     the whole advice (engine, ranking, explanations, business models, three mixes),
           with the compiled engine and with the previous one

Every path runs in this one process on the same profiles, interleaved: for each profile the
paths run one after another, in an order that rotates, so that a busy spell of a shared machine
falls on all of them alike. The first `--paired` profiles also run the naive path; all of them
run the others. Each run's findings are checked against the previous engine's. Prints medians in
ms per profile (wall clock) and ratios; the CPU-time medians are printed beside them, as the
wall clock of a shared machine also counts other processes' time. Not a test: compare medians and
ratios from runs on the same machine.

The garbage collector is settled after the warm-up as the server, batch and job workers settle
theirs once started (advisor/heap.py: what start-up built frozen, young objects collected every
10,000 allocations, a runner built later frozen in turn); `--collector default` keeps Python's
defaults, to compare.

    python bench/engine.py                  # the shipped catalogue
    python bench/engine.py --synthetic 1000 # 1,000 instruments drawn from the real rows
"""

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from advisor import engine as runner  # noqa: E402
from advisor import heap  # noqa: E402
from advisor.advice import advise  # noqa: E402
from advisor.capital import borrowing_limit  # noqa: E402
from advisor.money import Converter  # noqa: E402
from bench.common import (  # noqa: E402
    full_snapshot,
    golden_profiles,
    random_profiles,
    synthetic_snapshot,
)

PATHS = ("naive", "previous", "compiled", "lean", "advice", "advice_previous")


class _Previous(runner.ReteRunner):
    """The previous engine where advise() asks for the compiled one (for the advice timing)."""

    def run(self, project: runner.Project, *, lean: bool = False) -> list[runner.Finding]:
        return super().run(project)


def _timed(call: Callable[[], Any]) -> tuple[float, float, Any]:
    wall, cpu = time.perf_counter(), time.process_time()
    out = call()
    return time.perf_counter() - wall, time.process_time() - cpu, out


def _lean(findings: list[runner.Finding]) -> list[runner.Finding]:
    """What a lean run keeps: hard criteria, and all about rows no hard criterion excludes."""
    out = {(f.about, f.instrument) for f in findings if f.kind == "criterion" and f.hard}
    return [
        f
        for f in findings
        if (f.kind == "criterion" and f.hard) or (f.about, f.instrument) not in out
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--synthetic", type=int, default=0, help="instruments (synthetic)")
    parser.add_argument("--profiles", type=int, default=120, help="random profiles")
    parser.add_argument("--paired", type=int, default=24, help="profiles also run naive")
    parser.add_argument(
        "--collector",
        choices=("settled", "default"),
        default="settled",
        help="the collector as the product's long-lived processes set it, or Python's defaults",
    )
    args = parser.parse_args()

    snapshot = synthetic_snapshot(args.synthetic) if args.synthetic else full_snapshot()
    profiles = golden_profiles() + random_profiles(args.profiles)
    built: dict[tuple, tuple[runner.Runner, runner.ReteRunner, runner.Runner]] = {}  # type: ignore[type-arg]
    previous_for: dict[tuple, _Previous] = {}  # type: ignore[type-arg]

    def inputs(profile):  # type: ignore[no-untyped-def]
        money = Converter(snapshot, profile.as_of)
        key = money.key()
        if key not in built:
            catalogue = runner.catalogue_facts(
                [runner.instrument_fact(r, money.to_eur) for r in snapshot.instruments],
                [runner.model_fact(m) for m in snapshot.business_models],
            )
            built[key] = (
                runner.Runner(catalogue),
                runner.ReteRunner(catalogue),
                runner.Runner(catalogue),
            )
        borrowing = borrowing_limit(snapshot, profile, money.on)
        return (*built[key], runner.project_fact(profile, money.to_eur, borrowing))

    build_s = time.perf_counter()
    prepared = [inputs(p) for p in profiles]
    build_s = time.perf_counter() - build_s

    compiled_runner_for = runner.runner_for

    def previous_runner_for(key, build):  # type: ignore[no-untyped-def]
        if key not in previous_for:
            previous_for[key] = _Previous(build())
        return previous_for[key]

    def whole_advice(profile, engine):  # type: ignore[no-untyped-def]
        runner.runner_for = previous_runner_for if engine == "previous" else compiled_runner_for
        try:
            return advise(profile, snapshot)
        finally:
            runner.runner_for = compiled_runner_for

    for profile, (compiled, previous, _, project) in list(zip(profiles, prepared, strict=True))[:5]:
        compiled.run(project)  # warm-up: first calls, caches, the advice path's runners
        previous.run(project)
        whole_advice(profile, "compiled")
        whole_advice(profile, "previous")
    runner.run_fresh(prepared[0][3], prepared[0][0].catalogue)
    if args.collector == "settled":
        heap.settle()  # as a server or batch worker once started

    wall: dict[str, list[float]] = {path: [] for path in PATHS}
    cpu: dict[str, list[float]] = {path: [] for path in PATHS}
    naive_pairs: list[tuple[float, float, float]] = []  # naive, previous, lean (wall)
    for i, (profile, (compiled, previous, lean, project)) in enumerate(
        zip(profiles, prepared, strict=True)
    ):
        calls: dict[str, Callable[[], Any]] = {
            "previous": partial(previous.run, project),
            "compiled": partial(compiled.run, project),
            "lean": partial(lean.run, project, lean=True),
            "advice": partial(whole_advice, profile, "compiled"),
            "advice_previous": partial(whole_advice, profile, "previous"),
        }
        if i < args.paired:
            calls["naive"] = partial(runner.run_fresh, project, compiled.catalogue)
        names = list(calls)
        shift = i % len(names)  # which path goes first rotates
        out: dict[str, Any] = {}
        for name in names[shift:] + names[:shift]:
            w, c, out[name] = _timed(calls[name])
            wall[name].append(w)
            cpu[name].append(c)
        assert out["compiled"] == out["previous"], "the compiled and previous engines disagree"
        assert out["lean"] == _lean(out["previous"]), "a lean run kept or lost a finding"
        assert out["advice"] == out["advice_previous"], "the advice changed with the engine"
        if "naive" in out:
            assert out["naive"] == out["previous"], "the naive and previous engines disagree"
            naive_pairs.append((wall["naive"][-1], wall["previous"][-1], wall["lean"][-1]))

    def ms(samples: list[float]) -> float:
        return statistics.median(samples) * 1000

    print(f"catalogue: {len(snapshot.instruments)} instruments, "
          f"{len(snapshot.business_models)} business models ({snapshot.revision})")  # fmt: skip
    print(f"profiles: {len(profiles)} (naive on the first {len(naive_pairs)}); "
          f"{len(built)} catalogue builds (each both engines) in {build_s:.1f} s")  # fmt: skip
    print(f"collector: {args.collector}")
    print("median per profile         wall ms    cpu ms")
    for name in PATHS:
        print(f"  {name:<24} {ms(wall[name]):8.2f}  {ms(cpu[name]):8.2f}")
    naive_paired = statistics.median(n for n, _, _ in naive_pairs)
    previous_paired = statistics.median(p for _, p, _ in naive_pairs)
    lean_paired = statistics.median(x for _, _, x in naive_pairs)
    print("ratios (medians, wall)")
    print(f"  naive / previous (paired)     {naive_paired / previous_paired:6.1f}x")
    print(f"  naive / lean (paired)         {naive_paired / lean_paired:6.1f}x "
          f"(median of per-profile ratios "
          f"{statistics.median(n / x for n, _, x in naive_pairs):.1f}x)")  # fmt: skip
    print(f"  previous / compiled           {ms(wall['previous']) / ms(wall['compiled']):6.1f}x")
    print(f"  previous / lean               {ms(wall['previous']) / ms(wall['lean']):6.1f}x")
    print(f"  advice previous / compiled    "
          f"{ms(wall['advice_previous']) / ms(wall['advice']):6.1f}x")  # fmt: skip


if __name__ == "__main__":
    main()
