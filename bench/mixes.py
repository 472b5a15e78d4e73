"""The funding-mix programmes alone: scipy's linprog/milp per solve against the reused HiGHS model.

scipy    the way mixes were solved before advisor/mixes_lp.py: for each strategy, the relaxed
         programme built as dense arrays and solved with scipy.optimize.linprog(method="highs"),
         and, when its optimum breaks an integer condition, scipy.optimize.milp
highs    advisor/mixes_lp.py: this thread's highspy model, loaded once per short list (bounds,
         debt row, tie rule), then per strategy a cold primary solve and the tie-breaking solve
         on its optimal face; the mixed-integer step when needed
presolve the same with HiGHS's presolve on, as the relaxed model ran before it was turned off
         (timed on the relaxed step; where its cents differ from highs's, the whole solves,
         mixed-integer step included, are compared too)

The short lists are those advise() builds for the golden and random profiles (bench/common.py),
with each strategy's weights. Every list runs through both, interleaved (which goes first
alternates), in one process. Prints per-solve medians in ms (a solve is one strategy; the
HiGHS load is shared by a list's strategies and counted in full in each list's time divided by
its strategies) and the scipy/highs ratio, for the relaxed step and, separately, for the lists
that need the mixed-integer step. Not a test: compare medians and ratios from one run.

    pip install '.[bench]'   # scipy, for the baseline
    python bench/mixes.py [--profiles 200] [--repeat 5]
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from advisor import mixes  # noqa: E402
from advisor.mixes_limits import COSTS, _to_cents  # noqa: E402
from advisor.mixes_lp import Programme, breaks_no_rule, programme  # noqa: E402
from bench.common import full_snapshot, golden_profiles, random_profiles  # noqa: E402

try:
    from scipy.optimize import linprog
except ImportError:  # pragma: no cover
    sys.exit("bench/mixes.py needs scipy for its baseline: pip install '.[bench]'")


def scipy_relaxed(weights, usable, base, debt_cap):  # type: ignore[no-untyped-def]
    """The relaxed step as it was (advisor/mixes.py before the HiGHS model): None when the
    relaxation's optimum breaks an integer condition."""
    total = float(sum(base.values()))
    pairs = [(i, c) for i, u in enumerate(usable) for c in u.upper]
    rows, bounds_hi = [], []
    for i, u in enumerate(usable):
        rows.append([1.0 if p[0] == i else 0.0 for p in pairs])
        bounds_hi.append(u.cap / total)
    for cost in COSTS:
        if any(p[1] == cost for p in pairs):
            rows.append([1.0 if p[1] == cost else 0.0 for p in pairs])
            bounds_hi.append(base[cost] / total)
    debt_pairs = [p for p in pairs if p[1] == "investment" and usable[p[0]].debt]
    if debt_cap is not None and debt_pairs:
        rows.append([1.0 if p in debt_pairs else 0.0 for p in pairs])
        bounds_hi.append(debt_cap / total)
    result = linprog(
        [-weights[i] for i, _ in pairs],
        A_ub=np.array(rows),
        b_ub=np.array(bounds_hi),
        bounds=[(0.0, usable[i].upper[c] / total) for i, c in pairs],
        method="highs",
    )
    if result.status != 0:
        return None
    x = {p: v for p, v in zip(pairs, result.x, strict=True) if v * total >= 1}
    used = breaks_no_rule(x, usable, total)
    if used is None:
        return None
    index = {p: k for k, p in enumerate(x)}
    return _to_cents(np.array(list(x.values())), index, used, usable, base, debt_cap)


def short_lists(count: int) -> list[tuple]:  # type: ignore[type-arg]
    """(usable, base, debt_cap, weights per strategy) for every advice that has a short list."""
    from advisor.advice import advise

    found: list[tuple] = []  # type: ignore[type-arg]
    original = mixes.programme

    class Recorder:
        def __init__(self) -> None:
            self.inner = original()

        def load(self, usable, base, debt_cap):  # type: ignore[no-untyped-def]
            weights = [
                [mixes._weight(s, u) for u in usable] for s in mixes.STRATEGIES
            ]  # fmt: skip
            found.append((usable, base, debt_cap, weights))
            self.inner.load(usable, base, debt_cap)

        def solve(self, weights):  # type: ignore[no-untyped-def]
            return self.inner.solve(weights)

    mixes.programme = Recorder  # type: ignore[assignment]
    try:
        snapshot = full_snapshot()
        for profile in golden_profiles() + random_profiles(count):
            advise(profile, snapshot)
    finally:
        mixes.programme = original
    return found


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--profiles", type=int, default=200, help="random profiles")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each list")
    args = parser.parse_args()
    lists = short_lists(args.profiles)
    model = programme()
    presolving = Programme()
    presolving.h.setOptionValue("presolve", "choose")  # HiGHS's default

    def run_scipy(case):  # type: ignore[no-untyped-def]
        usable, base, debt_cap, weights = case
        return [scipy_relaxed(w, usable, base, debt_cap) for w in weights]

    def run_highs(case):  # type: ignore[no-untyped-def]
        usable, base, debt_cap, weights = case
        model.load(usable, base, debt_cap)
        return [model._relaxed(w) for w in weights]

    def run_presolve(case):  # type: ignore[no-untyped-def]
        usable, base, debt_cap, weights = case
        presolving.load(usable, base, debt_cap)
        return [presolving._relaxed(w) for w in weights]

    def run_highs_primary(case):  # type: ignore[no-untyped-def]
        """The primary solve alone, without the tie rule's second solve (for its cost)."""
        usable, base, debt_cap, weights = case
        model.load(usable, base, debt_cap)
        h = model.h
        for w in weights:
            cost = np.zeros(len(model.cols))
            for (i, _), k in model.x_at.items():
                cost[k] = -w[i]
            h.changeColsBounds(len(model.cols), model.cols, model.zeros, model.col_upper)
            h.changeRowsBounds(len(model.rows), model.rows, model.row_lower, model.row_upper)
            h.changeColsCost(len(model.cols), model.cols, cost)
            h.clearSolver()
            h.run()
            h.getSolution()

    timings: dict[str, list[float]] = {
        "scipy": [], "highs": [], "highs_primary": [], "presolve": []
    }  # fmt: skip
    same = differ = relaxed_differ = solve_differ = 0
    for n, case in enumerate(lists * args.repeat):
        runs = [
            ("scipy", run_scipy), ("highs", run_highs), ("highs_primary", run_highs_primary),
            ("presolve", run_presolve),
        ]  # fmt: skip
        if n % 2:
            runs.reverse()
        results = {}
        for name, fn in runs:
            start = time.perf_counter()
            results[name] = fn(case)
            timings[name].append((time.perf_counter() - start) / len(case[3]))
        if n < len(lists):
            if results["scipy"] == results["highs"]:
                same += 1
            else:
                differ += 1
            if results["presolve"] != results["highs"]:  # then the whole solves, MIP included
                usable, base, debt_cap, weights = case
                model.load(usable, base, debt_cap)
                presolving.load(usable, base, debt_cap)
                relaxed_differ += 1
                solve_differ += [model.solve(w) for w in weights] != [
                    presolving.solve(w) for w in weights
                ]
    ms = {k: statistics.median(v) * 1000 for k, v in timings.items()}
    print(f"{len(lists)} short lists x {args.repeat} runs, {len(lists[0][3])} strategies each")
    print(
        f"relaxed step, per solve: scipy linprog {ms['scipy']:.3f} ms, reused HiGHS model "
        f"{ms['highs']:.3f} ms with the tie rule ({ms['highs_primary']:.3f} ms primary only)"
    )
    print(
        f"ratio scipy/highs: {ms['scipy'] / ms['highs']:.1f}x "
        f"({ms['scipy'] / ms['highs_primary']:.1f}x primary only)"
    )
    print(f"same cents on {same} lists, different on {differ} (ties, or one cent of float noise)")
    print(
        f"relaxed step with HiGHS's presolve on: {ms['presolve']:.3f} ms per solve, "
        f"{ms['presolve'] / ms['highs']:.2f}x presolve off; a different relaxed step on "
        f"{relaxed_differ} of {len(lists)} lists (one leaves to the mixed-integer step what the "
        f"other takes), different cents after the whole solve on {solve_differ}"
    )


if __name__ == "__main__":
    main()
