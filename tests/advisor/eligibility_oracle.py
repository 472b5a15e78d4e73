"""An independent eligibility checker, written from docs/eligibility.md sections 1-3 only.

It reads catalogue records (`catalogue.schema.InstrumentRecord`), the dated reference rates
(`catalogue.schema.FxRate`) and a `ProjectProfile`, and never the engine: no `rules/`, no
`advisor.engine`, `advisor.advice`, `advisor.mixes`, `advisor.grouping` (or anything that imports
them; tests/advisor/test_eligibility_oracle.py checks). The differential test compares its
verdicts with the engine's on random profiles; where they disagree, one of them misreads the
specification.

For every instrument `check()` gives one verdict: `excluded` (a hard rule of section 1 fails on
confirmed data), `to_check` (section 2: eligibility rests on an unconfirmed fact, or the amount
has no confirmed bound) or `eligible` (the engine's `options` or `also_eligible`), with the rule
names that fail and the most the instrument can fund of the project, in EUR (section 3).

How the oracle reads the points the page leaves open (reported to the integrator):

- a hard test whose failure rests on an unconfirmed field does not exclude, it sends the
  instrument to `to_check` even when that field is not in section 2's list;
- the minimum-ticket test excludes only when the amount bounded by confirmed facts alone (an
  unconfirmed rate or cap left out, `typical_ticket` left out, an unknown grant rate taken as
  100%) is below a confirmed `min_ticket`; below it only through an unconfirmed cap: to check;
- several co-financing entries that still apply after the applicant and region filters, none of
  them region-dependent: the lowest (the conservative bound); `period` is not read;
- entries without `region_category` beside region-dependent ones apply to every region;
- a date before the earliest reference rate uses the earliest rate (as the catalogue does).

Section 3 (the amounts, in EUR at the rates in force) is tests/advisor/oracle_amounts.py.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from advisor.models import ProjectProfile
from catalogue.schema import FxRate, InstrumentRecord, ReachWindow
from catalogue.vocabulary import COUNTRY_GROUPS
from tests.advisor.oracle_amounts import Amount, Rates, amount, borrowed_share, funds_total

Status = Literal["excluded", "to_check", "eligible"]

# Section 1, "Phases": the phases a project at this stage still has ahead of it, in order.
REMAINING_PHASES: dict[str, tuple[str, ...]] = {
    "planning": ("planning", "deployment", "operation"),
    "research": ("research", "pilot", "demonstration", "deployment", "operation"),
    "pilot": ("pilot", "demonstration", "deployment", "operation"),
    "demonstration": ("demonstration", "deployment", "operation"),
    "deployment": ("deployment", "operation"),
    "operation": ("operation",),
}

# Section 2, item 1: an unconfirmed one of these makes the instrument one to check.
ELIGIBILITY_FIELDS: frozenset[str] = frozenset({
    "eligible_countries", "reach", "applicant_types", "sectors", "stages", "costs_covered",
    "min_ticket", "min_project_cost", "max_project_cost", "revenue_required",
    "revenue_streams_any", "min_population", "min_partner_countries", "valid_from", "valid_to",
    "status", "prohibited_from", "params.prohibited_countries", "params.prohibited_applicants",
    "params.private_partner_in_public_project",
})  # fmt: skip


@dataclass(frozen=True)
class Verdict:
    instrument_id: str
    status: Status
    failed: tuple[str, ...] = ()  # hard rules that fail on confirmed data (status excluded)
    unconfirmed_failed: tuple[str, ...] = ()  # hard rules that fail only on unconfirmed data
    to_verify: tuple[str, ...] = ()  # why it is to check
    amount_eur: float | None = None  # the conservative ceiling; None: no confirmed bound
    by_cost_eur: dict[str, float] = field(default_factory=dict)  # rate x cost, before caps
    phase: str | None = None
    later: bool = False


def _expand(codes: Iterable[str]) -> set[str]:
    return {country for code in codes for country in COUNTRY_GROUPS.get(code, (code,))}


def window_covers(window: ReachWindow, country: str, day: date) -> bool:
    """A reach window covers `country` on `day`: inside its dates (open ends) and its countries."""
    if window.valid_from is not None and day < window.valid_from:
        return False
    if window.valid_to is not None and day > window.valid_to:
        return False
    return country in _expand(window.countries)


def reachable(record: InstrumentRecord, country: str, day: date) -> bool:
    """Section 1, "Reach": a covering window decides first (funded: reachable; only unfunded:
    not); without one, open everywhere or an eligible country."""
    covering = [w for w in record.reach if window_covers(w, country, day)]
    if covering:
        return any(w.funded for w in covering)
    if not record.eligible_countries:
        return True
    return country in _expand(record.eligible_countries)


def _streams(profile: ProjectProfile) -> set[str]:
    return {s for s in profile.revenue_streams if s != "none"}


def _list_param(value: object) -> set[str]:
    """A params list written as text ("CN" or "user_fees, parking_fees")."""
    return {part.strip() for part in str(value).replace(";", ",").split(",") if part.strip()}


def _date_param(value: object) -> date | None:
    return None if value is None else date.fromisoformat(str(value))


def user_pays_policy(records: Iterable[InstrumentRecord]) -> InstrumentRecord | None:
    """The record whose params carry China's user-pays date (Guo Ban Han [2023] 115)."""
    for record in records:
        if "user_pays_only_since" in record.params:
            return record
    return None


def city_company_debt_policy(records: Iterable[InstrumentRecord]) -> InstrumentRecord | None:
    """The record whose params date China's end of government debt through city companies
    (Guofa [2014] 43)."""
    for record in records:
        if "city_company_debt_needs_revenue_since" in record.params:
            return record
    return None


def phase_of(record: InstrumentRecord, stage: str) -> tuple[str | None, bool]:
    """Section 1, "Phases": the phase an option finances (None: none left) and whether later."""
    if not record.stages or stage in record.stages:
        return stage, False
    for phase in REMAINING_PHASES[stage]:
        if phase in record.stages:
            return phase, True
    return None, False


def _tests(
    record: InstrumentRecord,
    profile: ProjectProfile,
    day: date,
    rates: Rates,
    funds: Amount,
    policy: InstrumentRecord | None,
    debt_policy: InstrumentRecord | None = None,
) -> list[tuple[str, bool, set[str]]]:
    """Every hard test of section 1: (rule, fails, the unconfirmed fields its failure rests on)."""
    unconfirmed = set(record.unconfirmed)
    out: list[tuple[str, bool, set[str]]] = []

    def test(rule: str, fails: bool, fields: Iterable[str]) -> None:
        out.append((rule, fails, set(fields) & unconfirmed))

    country = profile.country
    test("reach", not reachable(record, country, day), ("eligible_countries", "reach"))
    test(
        "applicant",
        bool(record.applicant_types) and profile.applicant not in record.applicant_types,
        ("applicant_types",),
    )
    sectors = {profile.sector, *profile.sectors}
    test("sector", bool(record.sectors) and not sectors & set(record.sectors), ("sectors",))
    remaining = set(REMAINING_PHASES[profile.stage])
    test("phase", bool(record.stages) and not remaining & set(record.stages), ("stages",))

    total = funds_total(profile, rates)
    cur = record.ticket_currency
    if record.min_project_cost is not None:
        below = total < rates.to_eur(record.min_project_cost, cur)
        test("size", below, ("min_project_cost",))
    if record.max_project_cost is not None:
        above = total > rates.to_eur(record.max_project_cost, cur)
        test("size", above, ("max_project_cost",))
    if record.min_ticket is not None:
        ticket = rates.to_eur(record.min_ticket, cur)
        low = funds.confirmed_bound if funds.conservative is None else funds.conservative
        if "min_ticket" in unconfirmed:
            test("min_ticket", low < ticket, ("min_ticket",))
        elif funds.confirmed_bound < ticket:
            test("min_ticket", True, ())
        elif low < ticket:
            # below the ticket only through a rate or cap no source confirmed
            out.append(("min_ticket", True, {"an unconfirmed rate or cap"}))

    streams = _streams(profile)
    test("revenue", record.revenue_required and not streams, ("revenue_required",))
    test(
        "revenue",
        bool(record.revenue_streams_any) and not streams & set(record.revenue_streams_any),
        ("revenue_streams_any",),
    )
    if record.min_population is not None and profile.population is not None:
        test("population", profile.population < record.min_population, ("min_population",))
    if record.min_partner_countries is not None:
        partners = profile.partners.countries if profile.partners else 0
        test("consortium", partners < record.min_partner_countries, ("min_partner_countries",))
    # a closure the catalogue confirms (status) stands even where the exact end date does not
    closure_confirmed = record.status in ("closed", "superseded") and "status" not in unconfirmed
    test(
        "closed",
        record.valid_to is not None and day > record.valid_to,
        () if closure_confirmed else ("valid_to",),
    )
    test("not_yet_open", record.valid_from is not None and day < record.valid_from, ("valid_from",))
    if record.prohibited_from is not None:
        test("prohibited", day >= record.prohibited_from, ("prohibited_from",))
    else:
        test("prohibited", record.status == "prohibited", ("status",))

    banned = record.params.get("prohibited_countries")
    if banned is not None:
        since = _date_param(record.params.get("prohibited_since"))
        applicants = _list_param(record.params.get("prohibited_applicants") or "")
        fails = (
            country in _list_param(banned)
            and (since is None or day >= since)
            and (not applicants or profile.applicant in applicants)
        )
        test(
            "prohibited_in_country",
            fails,
            (
                "params.prohibited_countries",
                "params.prohibited_since",
                "params.prohibited_applicants",
            ),
        )

    partner = record.params.get("private_partner_in_public_project") is True
    if policy is not None and country == "CN" and (record.kind == "ppp_structure" or partner):
        since = _date_param(policy.params["user_pays_only_since"])
        allowed = _list_param(policy.params.get("user_pays_streams", ""))
        fails = since is not None and day >= since and not streams & allowed
        shaky = {"params.user_pays_only_since", "params.user_pays_streams"} & set(
            policy.unconfirmed
        ) | {"params.private_partner_in_public_project"} & set(record.unconfirmed)
        out.append(("cn_user_pays", fails, shaky))
    # Guofa [2014] 43: general bonds for public-welfare projects without revenue, special bonds
    # for those with some; from the general-bond form (2015-01-01)
    since = _date_param(record.params.get("general_bond_form_since"))
    special = record.params.get("special_bond_revenue")
    if country == "CN" and since is not None and special is not None:
        fails = day >= since and bool(streams & _list_param(special))
        shaky = {"params.general_bond_form_since", "params.special_bond_revenue"} & unconfirmed
        out.append(("cn_general_bond", fails, shaky))
    # Guofa [2014] 43: a city company takes no new government debt, so a loan or bond (one
    # that reaches China) to it for a project without revenue of its own is excluded
    reaches_cn = not record.countries() or "CN" in record.countries()
    if (
        debt_policy is not None
        and record.id != debt_policy.id
        and country == "CN"
        and profile.applicant == "municipal_company"
        and record.kind in ("loan", "bond")
        and reaches_cn
    ):
        since = _date_param(debt_policy.params["city_company_debt_needs_revenue_since"])
        fails = since is not None and day >= since and not streams
        shaky = {"params.city_company_debt_needs_revenue_since"} & set(debt_policy.unconfirmed)
        out.append(("cn_city_company_debt", fails, shaky))
    return out


def check_one(
    record: InstrumentRecord,
    profile: ProjectProfile,
    *,
    rates: Rates,
    day: date,
    policy: InstrumentRecord | None,
    debt_policy: InstrumentRecord | None = None,
    borrowed: float | None = None,
) -> Verdict:
    funds = amount(record, profile, rates, borrowed)
    results = _tests(record, profile, day, rates, funds, policy, debt_policy)
    failed = tuple(dict.fromkeys(rule for rule, fails, shaky in results if fails and not shaky))
    shaky_failed = tuple(dict.fromkeys(rule for rule, fails, shaky in results if fails and shaky))
    phase, later = phase_of(record, profile.stage)
    common = {
        "instrument_id": record.id,
        "amount_eur": funds.conservative,
        "by_cost_eur": funds.by_cost,
        "phase": phase,
        "later": later,
    }
    if failed:
        return Verdict(status="excluded", failed=failed, unconfirmed_failed=shaky_failed, **common)
    to_verify = [f"hard rule {rule} fails on unconfirmed data" for rule in shaky_failed]
    to_verify += [f"condition no profile field states: {text}" for text in record.conditions]
    if later and record.valid_to is not None:
        to_verify.append(f"the later {phase} phase must come before the end on {record.valid_to}")
    if record.min_population is not None and profile.population is None:
        to_verify.append(f"city population not given; at least {record.min_population:,} required")
    to_verify += [
        f"unconfirmed {name}" for name in record.unconfirmed if name in ELIGIBILITY_FIELDS
    ]
    if funds.conservative is None:
        to_verify.append(f"no confirmed co-financing rate for {', '.join(funds.unknown_costs)}")
    if to_verify:
        return Verdict(
            status="to_check", unconfirmed_failed=shaky_failed, to_verify=tuple(to_verify), **common
        )
    return Verdict(status="eligible", **common)


def check(
    profile: ProjectProfile,
    records: Iterable[InstrumentRecord],
    fx_rates: Iterable[FxRate],
    *,
    today: date | None = None,
) -> dict[str, Verdict]:
    """The verdict for every instrument on `profile`, keyed by instrument id."""
    records = list(records)
    day = profile.as_of or today or date.today()
    rates = Rates.on(fx_rates, day)
    policy = user_pays_policy(records)
    debt_policy = city_company_debt_policy(records)
    borrowed = borrowed_share(records, profile, day)
    return {
        record.id: check_one(
            record,
            profile,
            rates=rates,
            day=day,
            policy=policy,
            debt_policy=debt_policy,
            borrowed=borrowed,
        )
        for record in records
    }
