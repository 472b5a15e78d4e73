"""Funding mixes: amounts per instrument that add up, within every ceiling, with sequencing notes.

Each strategy (grant-led, loan-led, private-led) weighs a unit of each kind of money; HiGHS finds
the amounts that weigh most within every limit (advisor/mixes_lp.py: the programme, its tie rule
and the models kept per thread). Limits and amounts are in whole cents of the project's currency
(advisor/mixes_limits.py: what each option may fund, and the repair to the cent). This module
composes the mixes: the strategies, the distinct results, their labels and sequencing notes.
"""

import math

from advisor.capital import project_capital_share
from advisor.mixes_limits import COSTS, Usable, _cents, _to_cents, _usable
from advisor.mixes_lp import programme
from advisor.models import Mix, MixComponent, MoneyOut, Option, ProjectProfile
from advisor.money import Converter
from catalogue.snapshot import Snapshot
from rules.ceilings import GRANT_KINDS

__all__ = ["STRATEGIES", "Usable", "_to_cents", "compose"]

REPAYABLE = {"loan", "financial_instrument", "guarantee"}
PRIVATE = {"ppp_structure", "performance_contract", "equity", "crowdfunding"}

# What each strategy funds first: weight per unit of cost by instrument kind.
STRATEGIES: dict[str, tuple[str, dict[str, float], float]] = {
    "grant_led": (
        "Grant-led",
        {**dict.fromkeys(GRANT_KINDS, 10.0), **dict.fromkeys(REPAYABLE, 4.0), "bond": 3.0},
        2.0,
    ),  # fmt: skip
    "loan_led": (
        "Loan-led",
        {**dict.fromkeys(REPAYABLE, 10.0), "bond": 8.0, **dict.fromkeys(GRANT_KINDS, 5.0)},
        2.0,
    ),  # fmt: skip
    "private_led": (
        "Private/PPP-led",
        {**dict.fromkeys(PRIVATE, 10.0), **dict.fromkeys(GRANT_KINDS, 3.0)},
        2.5,
    ),  # fmt: skip
}


def _weight(strategy: str, u: Usable) -> float:
    _, weights, other = STRATEGIES[strategy]
    return weights.get(u.record.kind, other) + 0.01 * u.option.score


SEQUENCE = (
    # (which components, what the step says): development first, then grants, private
    # finance, debt, and bonds to refinance once the asset performs
    (lambda u, c: c == "development",
     "{ids} first, for development costs (feasibility, audits, tendering)"),
    (lambda u, c: c == "investment" and u.record.kind in GRANT_KINDS,
     "{ids} for the investment; each EU grant on its own cost line, never twice on one cost"),
    (lambda u, c: c == "investment" and u.record.kind in PRIVATE,
     "tender {ids}: the private partner finances and is repaid from the project's revenue"),
    (lambda u, c: c == "investment" and u.record.kind in REPAYABLE,
     "{ids} finance the remaining investment"),
    (lambda u, c: u.record.kind == "bond",
     "{ids}: issue once the asset is built and performing, or to refinance construction loans"),
)  # fmt: skip


def _notes(
    components: list[tuple[Usable, str, int]], gap: int, currency: str, stage: str
) -> list[str]:
    notes = []
    for matches, text in SEQUENCE:
        ids = sorted({u.record.id for u, c, _ in components if matches(u, c)})
        if ids:
            notes.append(f"{len(notes) + 1}. {text.format(ids=', '.join(ids))}")
    later = sorted({(u.option.phase, u.record.id) for u, _, _ in components if u.option.later})
    for phase, ident in later:
        notes.append(f"{ident} finances the {phase} phase, after the current {stage} stage")
    if gap:
        notes.append(
            f"gap of {currency} {gap / 100:,.2f}: city budget, other sources, or a smaller phase"
        )
    return notes


FAMILIES: tuple[tuple[frozenset[str], str], ...] = (
    (GRANT_KINDS, "Grant-led"),
    (frozenset(REPAYABLE), "Loan-led"),
    (frozenset({"bond"}), "Bond-led"),
    (frozenset(PRIVATE), "Private/PPP-led"),
    (frozenset({"value_capture"}), "Value-capture-led"),
    (frozenset({"procurement"}), "Service-purchase-led"),
)


def _label(parts: list[tuple[Usable, str, int]]) -> str:
    """What carries most of the mix's money names it (never the strategy that built it)."""
    money: dict[str, int] = {}
    for u, _, v in parts:
        family = next((label for kinds, label in FAMILIES if u.record.kind in kinds), "Mixed")
        money[family] = money.get(family, 0) + v
    return max(money.items(), key=lambda item: (item[1], item[0]))[0]


def compose(
    *, options: list[Option], snapshot: Snapshot, profile: ProjectProfile, money: Converter
) -> list[Mix]:
    """Up to three distinct mixes from the short-listed options, each labelled by its content."""
    currency = profile.capex.currency
    dev = profile.development_cost
    base = {
        "investment": _cents(profile.capex.amount),
        "development": _cents(money.from_eur(money.to_eur(dev.amount, dev.currency), currency))
        if dev
        else 0,
    }
    total = sum(base.values())
    usable = _usable(options, snapshot, profile, money, base)
    capital = project_capital_share(snapshot, profile, money.on)
    # the total investment is the base of project capital (Guofa [1996] 35 Part II)
    debt_cap = None if capital is None else math.floor(total * (1 - capital[0]))
    solver = programme()
    if usable:
        solver.load(usable, base, debt_cap)
    mixes: list[Mix] = []
    seen: set[frozenset[tuple[str, str, int]]] = set()
    labels: dict[str, int] = {}
    tried: set[tuple[float, ...]] = set()
    for strategy in STRATEGIES:
        weights = tuple(_weight(strategy, u) for u in usable)
        if weights in tried:  # same programme, same weights: an earlier strategy's mix again
            continue
        tried.add(weights)
        cents = solver.solve(weights) if usable else {}
        if not cents:
            continue
        key = frozenset((usable[i].record.id, c, v) for (i, c), v in cents.items())
        if key in seen:
            continue
        seen.add(key)
        parts = sorted(
            ((usable[i], c, v) for (i, c), v in cents.items()),
            key=lambda part: (COSTS.index(part[1]), -part[2], part[0].record.id),
        )
        funded = sum(v for _, _, v in parts)
        gap = total - funded
        label = _label(parts)
        labels[label] = labels.get(label, 0) + 1
        ident = label.lower().replace("/", "_").replace("-", "_")
        if labels[label] > 1:
            ident, label = f"{ident}_{labels[label]}", f"{label} (alternative {labels[label]})"
        notes = _notes(parts, gap, currency, profile.stage)
        if capital is not None and any(u.debt for u, _, _ in parts):
            notes.append(
                f"project capital: at least {capital[0]:.0%} of the total investment must be the "
                f"sponsor's own capital, so loans and bonds fund at most {1 - capital[0]:.0%} "
                f"(as recorded with {capital[1]})"
            )
        mixes.append(
            Mix(
                id=ident,
                label=label,
                components=[
                    MixComponent(
                        instrument_id=u.record.id,
                        amount=MoneyOut(amount=v / 100, currency=currency),
                        share=round(v / total, 4),
                        covers=c,
                    )
                    for u, c, v in parts
                ],
                funded=MoneyOut(amount=funded / 100, currency=currency),
                gap=MoneyOut(amount=gap / 100, currency=currency),
                notes=notes,
            )
        )
    return mixes
