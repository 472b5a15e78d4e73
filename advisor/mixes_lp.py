"""The programme behind one funding mix, solved with HiGHS on models kept per thread.

Each strategy is one small mixed-integer programme in shares of the project's total cost:

    maximise    sum_i,c  weight_i * x_ic
    subject to  x_ic <= rate_ic * cost_c / total * y_i     co-financing ceiling per cost type
                sum_c x_ic <= cap_i * y_i                   share-of-cost cap, maximum ticket
                sum_c x_ic >= min_ticket_i * y_i            minimum ticket (or not used at all)
                sum_i x_ic <= cost_c / total                never more than the cost itself
                x_ic <= cost_c / total * z_ic,  sum_{EU grants i} z_ic <= 1
                                                            one EU grant per cost line (A21)
                sum_{debt i,c} x_ic <= debt_cap             project capital (advisor/capital.py)
                y_i + y_j <= 1                              for pairs the catalogue forbids
                sum_i y_i <= MAX_COMPONENTS

The linear relaxation (no y or z) is solved first, on one model per thread whose shape never
changes (CANDIDATES options times two cost lines; an option not in this mix has its columns
fixed at zero, a row not needed has no bound), so a solve changes bounds and costs only; it runs
without HiGHS's presolve, which on a model this small costs more than it spares. When
its optimum already respects the component limit, the minimum tickets, the one-EU-grant rule and
the forbidden pairs, and every option it uses brings more than COMPONENT_PENALTY (else
dropping it is better: dust, such as the cent that flooring capped shares leaves on a line), it
is taken as the mixed-integer optimum; otherwise the mixed-integer programme is solved, and its
choice of components (y, z) is then fixed on the relaxed model.

Ties. Several mixes can be equally good for a strategy (two options of one kind with the same
score; or which of two options funds the development line, which the weights cannot tell).
The tie goes to a secondary objective, optimised over the primary optimum only: money in the
better-ranked option first (rank, then instrument id: advisor/mixes_limits.py), and within one
option on the development line before the investment line; in weights, option at position p of
n (0 first) counts (n - p) * (n + 2) per unit on development and (n - p) * (n + 1) on
investment, so no two columns and no exchange of money between two options weigh the same. The
primary optimum is kept exactly, not within a tolerance: the secondary runs on the face that
the primary's dual solution defines (every column with a non-zero reduced cost fixed where it
is, every row with a non-zero dual held at its bound), whose points are all primary-optimal.
When the primary's dual solution is non-degenerate (every non-basic column and row that could
move has a non-zero reduced cost or dual), that face is the one vertex found, and the secondary
solve is skipped: it could only return the same point (on the shipped catalogue this is
almost every solve; tests/advisor/test_mixes_ties.py fails if ties were taken for unique).
The mixed-integer step keeps the penalty of 1e-3 per component (no component without money in
it) and is solved exactly: relative and absolute gap 0, so the choice of components is an
optimal one, not one within HiGHS's default gap (0.01%) of it. HiGHS's primal heuristics
(feasibility jump mostly) are off: on these tiny models they cost more than the whole search
and only find solutions sooner, never better bounds. Among choices of exactly equal value, the
exact branch-and-bound on the model (built in the canonical order) decides; the amounts are then
settled by the two objectives above. Only if the exact search is not proven optimal within
MIP_TIME_LIMIT does HiGHS's default search (within its gap) choose. Every solve starts from no
basis, so the answer does not depend on what the thread solved before: the same input always
gives the same mix.
"""

import threading
from collections.abc import Sequence

import highspy
import numpy as np

from advisor.mixes_limits import CANDIDATES, COSTS, Usable, _to_cents

MAX_COMPONENTS = 4
INF = highspy.kHighsInf
COLWISE, ROWWISE = int(highspy.MatrixFormat.kColwise), int(highspy.MatrixFormat.kRowwise)
MINIMISE = int(highspy.ObjSense.kMinimize)
OPTIMAL = highspy.HighsModelStatus.kOptimal
BASIC = highspy.HighsBasisStatus.kBasic
INFEASIBLE = highspy.HighsModelStatus.kInfeasible
DUAL_ZERO = 1e-7  # weights differ by 1e-5 at least (0.01 x a score rounded to 0.001)
MIP_TIME_LIMIT = 2.0  # seconds; these programmes solve in milliseconds
COMPONENT_PENALTY = 1e-3  # objective per component used: no component without money in it
EXACT_OPTIONS = {
    "mip_rel_gap": 0.0,
    "mip_abs_gap": 0.0,
    "mip_heuristic_run_feasibility_jump": False,
    "mip_heuristic_effort": 0.0,
    "time_limit": MIP_TIME_LIMIT,
}

N_COLS = CANDIDATES * len(COSTS)  # column 2 i + c: option i on cost line COSTS[c]
COST_ROW = CANDIDATES  # rows 0..CANDIDATES-1: each option's cap; then one row per cost line
DEBT_ROW = CANDIDATES + len(COSTS)
N_ROWS = DEBT_ROW + 1


def _column(i: int, cost: str) -> int:
    return len(COSTS) * i + COSTS.index(cost)


def _highs() -> highspy.Highs:
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    return h


def _forbidden_pairs(usable: list[Usable]) -> set[tuple[int, int]]:
    ids = {u.record.id: i for i, u in enumerate(usable)}
    pairs = {
        tuple(sorted((i, ids[other])))
        for i, u in enumerate(usable)
        for other in u.record.not_combinable_with
        if other in ids and ids[other] != i
    }  # either side of a pair may record it
    return pairs  # type: ignore[return-value]


def breaks_no_rule(
    x: dict[tuple[int, str], float], usable: list[Usable], total: float
) -> set[int] | None:
    """The options a relaxed solution `x` uses (shares of `total` per option and cost line),
    or None when it breaks a rule the relaxation leaves out: at most MAX_COMPONENTS
    components, each option's minimum ticket, one EU grant per cost line, no forbidden pair."""
    used = {i for i, _ in x}
    if len(used) > MAX_COMPONENTS:
        return None
    for i in used:
        if sum(v for (j, _), v in x.items() if j == i) * total < usable[i].min_ticket:
            return None
    for cost in COSTS:
        if sum(1 for (i, c) in x if c == cost and usable[i].eu_grant) > 1:
            return None
    if any(a in used and b in used for a, b in _forbidden_pairs(usable)):
        return None
    return used


class Programme:
    """The relaxed model of one thread, loaded with one short list at a time."""

    def __init__(self) -> None:
        self.h = _highs()
        # no presolve on a model this small: it costs more than the simplex it could spare,
        # and the answer is the secondary optimum on the primary's optimal face whichever
        # optimal vertex the primary solve lands on
        self.h.setOptionValue("presolve", "off")
        starts, index = [], []
        for i in range(CANDIDATES):
            for c in range(len(COSTS)):
                starts.append(len(index))
                index += [i, COST_ROW + c]  # the debt row's entries come with `load`
        self.h.passModel(
            N_COLS, N_ROWS, len(index), COLWISE, MINIMISE, 0.0,
            np.zeros(N_COLS), np.zeros(N_COLS), np.zeros(N_COLS),
            np.full(N_ROWS, -INF), np.full(N_ROWS, INF),
            np.array(starts, dtype=np.int32), np.array(index, dtype=np.int32),
            np.ones(len(index)), np.zeros(N_COLS, dtype=np.int32),
        )  # fmt: skip
        self.debt = [False] * CANDIDATES
        self.cols = np.arange(N_COLS, dtype=np.int32)
        self.rows = np.arange(N_ROWS, dtype=np.int32)
        self.zeros = np.zeros(N_COLS)

    def load(self, usable: list[Usable], base: dict[str, int], debt_cap: int | None) -> None:
        """Bounds, the debt row and the tie rule for this short list (alike for every strategy)."""
        total = float(sum(base.values()))
        self.usable, self.base, self.debt_cap = usable, base, debt_cap
        self.x_at = {(i, c): _column(i, c) for i, u in enumerate(usable) for c in u.upper}
        self.col_upper = np.zeros(N_COLS)
        for (i, c), k in self.x_at.items():
            self.col_upper[k] = usable[i].upper[c] / total
        self.row_lower = np.full(N_ROWS, -INF)
        self.row_upper = np.full(N_ROWS, INF)
        for i, u in enumerate(usable):
            self.row_upper[i] = u.cap / total
        for c, cost in enumerate(COSTS):
            if any(p[1] == cost for p in self.x_at):
                self.row_upper[COST_ROW + c] = base[cost] / total
        debt = [i < len(usable) and usable[i].debt for i in range(CANDIDATES)]
        if debt_cap is not None and any(debt[i] for i, _ in self.x_at):
            self.row_upper[DEBT_ROW] = debt_cap / total
        for i in range(CANDIDATES):
            if debt[i] != self.debt[i]:
                for cost in COSTS:
                    self.h.changeCoeff(DEBT_ROW, _column(i, cost), 1.0 if debt[i] else 0.0)
        self.debt = debt
        n = len(usable)  # the tie rule: better-ranked first, development before investment
        self.secondary = np.zeros(N_COLS)
        for (i, c), k in self.x_at.items():
            self.secondary[k] = -(n - i) * (n + (2 if c == "development" else 1))

    def solve(self, weights: Sequence[float]) -> dict[tuple[int, str], int]:
        """Cents per (usable index, cost type) for one strategy; empty when nothing fits.

        `weights[i]` is what a unit of usable[i]'s money is worth to the strategy."""
        relaxed = self._relaxed(weights)
        if relaxed is not None:
            return relaxed
        return self._exact(weights)

    def _optimum(
        self, weights: Sequence[float], col_upper: np.ndarray, row_lower: np.ndarray
    ) -> list[float] | None:
        """The primary optimum the secondary objective prefers; None when there is none."""
        h, cols, rows = self.h, self.cols, self.rows
        cost = np.zeros(N_COLS)
        for (i, _), k in self.x_at.items():
            cost[k] = -weights[i]
        h.changeColsBounds(N_COLS, cols, self.zeros, col_upper)
        h.changeRowsBounds(N_ROWS, rows, row_lower, self.row_upper)
        h.changeColsCost(N_COLS, cols, cost)
        h.clearSolver()  # no basis from an earlier solve: same input, same answer
        h.run()
        if h.getModelStatus() != OPTIMAL:
            return None
        first = h.getSolution()
        x = list(first.col_value)
        if self._unique(first, col_upper, row_lower):
            return x  # the primary optimum is the only one: nothing for the tie rule to break
        face_lower, face_upper = self.zeros.copy(), col_upper.copy()
        for k, d in enumerate(first.col_dual):
            if abs(d) > DUAL_ZERO:  # at the bound its reduced cost holds it to
                at = 0.0 if x[k] <= col_upper[k] - x[k] else col_upper[k]
                face_lower[k] = face_upper[k] = at
        row_low, row_up = row_lower.copy(), self.row_upper.copy()
        for r, d in enumerate(first.row_dual):
            if abs(d) > DUAL_ZERO:  # held at the bound it is at
                value = first.row_value[r]
                if row_low[r] <= -INF or abs(row_up[r] - value) <= abs(value - row_low[r]):
                    row_low[r] = row_up[r]
                else:
                    row_up[r] = row_low[r]
        h.changeColsBounds(N_COLS, cols, face_lower, face_upper)
        h.changeRowsBounds(N_ROWS, rows, row_low, row_up)
        h.changeColsCost(N_COLS, cols, self.secondary)
        h.run()  # from the primary's basis, which stays feasible on its face
        return list(h.getSolution().col_value) if h.getModelStatus() == OPTIMAL else x

    def _unique(self, solution: object, col_upper: np.ndarray, row_lower: np.ndarray) -> bool:
        """Whether the primary optimum is the only optimal point (dual non-degenerate): every
        non-basic column that can move and every non-basic row whose bounds differ has a
        non-zero reduced cost or dual, so moving off the vertex along any edge loses primary
        value, and the secondary objective has nothing to choose between."""
        basis = self.h.getBasis()
        col_dual, row_dual = solution.col_dual, solution.row_dual  # type: ignore[attr-defined]
        for k, status in enumerate(basis.col_status):
            if status != BASIC and col_upper[k] > 0.0 and abs(col_dual[k]) <= DUAL_ZERO:
                return False
        row_upper = self.row_upper
        for r, status in enumerate(basis.row_status):
            if status != BASIC and row_lower[r] < row_upper[r] and abs(row_dual[r]) <= DUAL_ZERO:
                return False
        return True

    def _relaxed(self, weights: Sequence[float]) -> dict[tuple[int, str], int] | None:
        """The relaxation's optimum in cents when it meets every integer condition, else None."""
        usable, total = self.usable, sum(self.base.values())
        found = self._optimum(weights, self.col_upper, self.row_lower)
        if found is None:
            return None
        x = {p: found[k] for p, k in self.x_at.items() if found[k] * total >= 1}  # >= one cent
        used = breaks_no_rule(x, usable, total)
        if used is None or any(
            weights[i] * sum(v for (j, _), v in x.items() if j == i) <= COMPONENT_PENALTY
            for i in used
        ):
            return None
        return _to_cents(found, self.x_at, used, usable, self.base, self.debt_cap)

    def _exact(self, weights: Sequence[float]) -> dict[tuple[int, str], int]:
        """The mixed-integer programme chooses the components; the relaxed model, restricted to
        that choice, then settles the amounts (and their ties)."""
        usable, base, total = self.usable, self.base, float(sum(self.base.values()))
        choice = _choose(weights, usable, base, self.debt_cap)
        if choice is None:
            return {}
        used, eu_left_out = choice
        col_upper, row_lower = self.col_upper.copy(), self.row_lower.copy()
        for (i, c), k in self.x_at.items():
            if i not in used or (i, c) in eu_left_out:
                col_upper[k] = 0.0
        for i in used:
            if usable[i].min_ticket:
                row_lower[i] = usable[i].min_ticket / total
        found = self._optimum(weights, col_upper, row_lower)
        if found is None:
            return {}
        return _to_cents(found, self.x_at, used, usable, base, self.debt_cap)


def _choose(
    weights: Sequence[float], usable: list[Usable], base: dict[str, int], debt_cap: int | None
) -> tuple[set[int], set[tuple[int, str]]] | None:
    """The mixed-integer programme's choice: the options used, and the EU grants' cost lines it
    leaves out (z = 0); None when no mix is feasible."""
    total = float(sum(base.values()))
    pairs = [(i, c) for i, u in enumerate(usable) for c in u.upper]
    eu_pairs = [(i, c) for i, c in pairs if usable[i].eu_grant]
    n_x, n_y, n_z = len(pairs), len(usable), len(eu_pairs)
    size = n_x + n_y + n_z
    x_at = {p: k for k, p in enumerate(pairs)}
    y_at = lambda i: n_x + i  # noqa: E731
    z_at = {p: n_x + n_y + k for k, p in enumerate(eu_pairs)}

    objective = np.zeros(size)
    for (i, _), k in x_at.items():
        objective[k] = -weights[i]
    for i in range(n_y):
        objective[y_at(i)] = COMPONENT_PENALTY

    starts: list[int] = []
    index: list[int] = []
    value: list[float] = []
    lower: list[float] = []
    upper: list[float] = []

    def row(entries: dict[int, float], lo: float, hi: float) -> None:
        starts.append(len(index))
        for k in sorted(entries):
            index.append(k)
            value.append(entries[k])
        lower.append(lo)
        upper.append(hi)

    for (i, c), k in x_at.items():
        row({k: 1.0, y_at(i): -usable[i].upper[c] / total}, -INF, 0.0)
    for i, u in enumerate(usable):
        own = {x_at[(i, c)]: 1.0 for c in u.upper}
        row({**own, y_at(i): -u.cap / total}, -INF, 0.0)
        if u.min_ticket:
            row({**own, y_at(i): -u.min_ticket / total}, 0.0, INF)
    zs: dict[tuple[int, str], int] = {}
    for cost in COSTS:
        members = {k: 1.0 for (i, c), k in x_at.items() if c == cost}
        if members:
            row(members, -INF, base[cost] / total)
        eu = [p for p in eu_pairs if p[1] == cost]
        if len(eu) > 1:
            for p in eu:
                row({x_at[p]: 1.0, z_at[p]: -base[cost] / total}, -INF, 0.0)
                zs[p] = z_at[p]
            row({z_at[p]: 1.0 for p in eu}, -INF, 1.0)
    debt = {k: 1.0 for (i, _), k in x_at.items() if usable[i].debt}
    if debt_cap is not None and debt:
        row(debt, -INF, debt_cap / total)
    for a, b in sorted(_forbidden_pairs(usable)):
        row({y_at(a): 1.0, y_at(b): 1.0}, -INF, 1.0)
    row({y_at(i): 1.0 for i in range(n_y)}, -INF, MAX_COMPONENTS)

    model = (
        size, len(lower), len(index), ROWWISE, MINIMISE, 0.0,
        objective, np.zeros(size), np.ones(size), np.array(lower), np.array(upper),
        np.array(starts, dtype=np.int32), np.array(index, dtype=np.int32), np.array(value),
        np.concatenate([np.zeros(n_x), np.ones(n_y + n_z)]).astype(np.int32),
    )  # fmt: skip
    h = _exact_mip()  # the exact search: relative and absolute gap 0, no slow heuristics
    h.clearSolver()  # no basis or incumbent from an earlier programme: same input, same answer
    h.passModel(*model)
    h.run()
    status = h.getModelStatus()
    if status == INFEASIBLE:
        return None
    solution = h.getSolution()  # a copy of HiGHS's vectors: taken once
    if status != OPTIMAL or not solution.value_valid:
        h = _mip()  # out of time: HiGHS's own search, which stops within its gap
        h.clearSolver()
        h.passModel(*model)
        h.run()
        solution = h.getSolution()
        if not solution.value_valid:
            return None
    x = solution.col_value
    used = {i for i in range(n_y) if x[y_at(i)] > 0.5}
    return used, {p for p, k in zs.items() if x[k] <= 0.5}


_local = threading.local()


def programme() -> Programme:
    """This thread's relaxed model (HiGHS models are not shared between threads)."""
    found = getattr(_local, "programme", None)
    if found is None:
        found = _local.programme = Programme()
    return found


def _exact_mip() -> highspy.Highs:
    """This thread's model for the exact mixed-integer step (gap 0, no slow primal heuristics:
    they find solutions sooner, not better bounds)."""
    found = getattr(_local, "exact_mip", None)
    if found is None:
        found = _local.exact_mip = _highs()
        for option, value in EXACT_OPTIONS.items():
            found.setOptionValue(option, value)
    return found


def _mip() -> highspy.Highs:
    """This thread's model for HiGHS's default search, when the exact one runs out of time."""
    found = getattr(_local, "mip", None)
    if found is None:
        found = _local.mip = _highs()
        found.setOptionValue("time_limit", MIP_TIME_LIMIT)
    return found
