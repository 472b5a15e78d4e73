"""advise(): one project profile against one catalogue snapshot, to ranked, explained Advice."""

from collections import defaultdict
from datetime import date
from operator import attrgetter

from advisor import engine as runner
from advisor.advice_options import _business_models, assemble, status_on
from advisor.capital import borrowing_limit
from advisor.engine import Finding
from advisor.mixes import compose
from advisor.models import Advice, CoverageOut, ProjectProfile
from advisor.money import Converter
from advisor.ranking import shortlist
from catalogue.coverage import CORE_FAMILIES, FAMILY_ORDER, NOT_REVIEWED
from catalogue.snapshot import Snapshot
from rules.engine import RULESET_VERSION

__all__ = ["MAX_LIMIT", "RULESET_VERSION", "SHORT_LIST", "advise", "coverage_on", "status_on"]

SHORT_LIST = 10  # options shown by default; `limit` asks for more (at most MAX_LIMIT)
MAX_LIMIT = 50
_INSTRUMENT_ID = attrgetter("instrument_id")
_NEAR_MISS = attrgetter("near_miss")


def advise(
    profile: ProjectProfile,
    snapshot: Snapshot,
    *,
    today: date | None = None,
    fresh: bool = False,
    limit: int = SHORT_LIST,
) -> Advice:
    """Rank the catalogue's instruments for `profile`, with reasons, why-nots and successors.

    `fresh=True` runs a new engine with every fact declared again (the naive path, for
    benchmarks and equivalence tests); the default reuses this thread's engine.
    """
    as_of = profile.as_of or today or date.today()
    if profile.as_of is None:
        profile = profile.model_copy(update={"as_of": as_of})
    money = Converter(snapshot, as_of)
    project = runner.project_fact(profile, money.to_eur, borrowing_limit(snapshot, profile, as_of))
    limit = max(1, min(limit, MAX_LIMIT))

    def build() -> list:  # type: ignore[type-arg]
        return runner.catalogue_facts(
            [runner.instrument_fact(r, money.to_eur) for r in snapshot.instruments],
            [runner.model_fact(m) for m in snapshot.business_models],
        )

    if fresh:
        findings = runner.run_fresh(project, build())
    else:
        key = (snapshot.revision, money.key_for(snapshot.ticket_currencies))
        findings = runner.runner_for(key, build).run(project, lean=True)

    by_instrument: dict[str, list[Finding]] = defaultdict(list)
    by_model: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        target = by_model if finding.about == "business_model" else by_instrument
        target[finding.instrument].append(finding)

    candidates, to_check, excluded = assemble(
        snapshot, profile, money, project, by_instrument, as_of
    )
    currency = profile.capex.currency
    options, also_eligible = shortlist(candidates, limit=limit)
    to_check.sort(key=lambda t: (-t.score, t.instrument_id))

    # near misses first, each part by instrument id: two stable passes of plain keys, the order
    # of the one sort by (not near_miss, instrument_id)
    excluded.sort(key=_INSTRUMENT_ID)
    excluded.sort(key=_NEAR_MISS, reverse=True)  # reversed, a stable sort keeps ties in order

    warnings: list[str] = []
    if not options:
        warnings.append("no catalogued instrument is eligible for this profile; see `excluded`")
    if currency != "EUR":
        warnings.append(f"amounts in {currency} were converted at the dated rates listed in `fx`")
    dev = profile.development_cost
    for used in sorted({currency, dev.currency if dev else "EUR"} - {"EUR"}):
        stale = money.note(used)
        if stale:
            warnings.append(f"exchange rate: {stale}")
    mixes = compose(options=options, snapshot=snapshot, profile=profile, money=money)
    if options and not mixes:
        warnings.append("no funding mix could be composed from the eligible options")
    warnings.extend(_debt_headroom(profile, mixes, snapshot))
    coverage = coverage_on(snapshot, profile.country, as_of)
    if coverage.missing:
        warnings.append(coverage_warning(coverage))
    return Advice(
        options=options,
        also_eligible=also_eligible,
        to_check=to_check,
        excluded=excluded,
        mixes=mixes,
        business_models=_business_models(snapshot, by_model),
        warnings=warnings,
        catalogue_revision=snapshot.revision,
        ruleset_version=RULESET_VERSION,
        as_of=as_of,
        currency=currency,
        fx=money.fx_used(),
        coverage=coverage,
    )


UNAVAILABLE_ON_DATE = ("closed", "prohibited", "not_yet_open")


def coverage_on(snapshot: Snapshot, country: str, on: date) -> CoverageOut:
    """The catalogue's coverage of `country`'s national instruments, as open on `on`.

    A core family (loans, bonds, grants) whose catalogued instruments are all closed (or not yet
    open) on the date counts as missing on that date; another such family is listed as closed.
    """
    cov = snapshot.coverage_of(country)
    if cov is None:
        return CoverageOut(
            country=country,
            status="not_covered",
            complete=False,
            missing={f: NOT_REVIEWED.format(country=country, family=f) for f in CORE_FAMILIES},
            notes=[f"the catalogue states no national instrument family of {country}"],
        )
    families: dict[str, list[str]] = {}
    closed: dict[str, list[str]] = {}
    missing = dict(cov.gaps())
    for family, ids in cov.families.items():
        records = [snapshot.instrument(i) for i in ids]
        open_ids = [r.id for r in records if r and status_on(r, on) not in UNAVAILABLE_ON_DATE]
        if open_ids:
            families[family] = open_ids
        elif family in CORE_FAMILIES:
            missing[family] = (
                f"only {family} not open on {on.isoformat()} are catalogued ({', '.join(ids)})"
            )
        else:
            closed[family] = list(ids)
    status = "not_covered" if not families else ("partial" if missing else "covered")
    return CoverageOut(
        country=country,
        status=status,
        complete=status == "covered",
        reviewed=cov.as_of,
        families=families,
        missing={f: missing[f] for f in sorted(missing, key=FAMILY_ORDER.__getitem__)},
        absent=dict(cov.absent),
        closed=closed,
        notes=list(cov.notes),
    )


def coverage_warning(coverage: CoverageOut) -> str:
    """The warning an advice carries when national instruments of its country are missing."""
    gaps = ", ".join(coverage.missing)
    if not coverage.families:
        return (
            f"national instruments of {coverage.country} are not in the catalogue: {gaps}; "
            f"no other country's national programme is offered in their place (see `coverage`)"
        )
    return (
        f"national instruments of {coverage.country} are not in the catalogue: {gaps} "
        f"(see `coverage`)"
    )


DEBT_SOURCE = "000_3774adf2b4c550fa.txt §7.2.2 L4806-L4810"
DEBT_KINDS = {"loan", "bond", "financial_instrument", "guarantee"}


def _debt_headroom(profile: ProjectProfile, mixes: list, snapshot: Snapshot) -> list[str]:  # type: ignore[type-arg]
    """Debt headroom: what each mix would add in repayable finance, beside the stated debt."""
    fiscal = profile.fiscal
    if fiscal is None or fiscal.debt_to_revenue is None:
        return []
    out = []
    for mix in mixes:
        debt = sum(
            c.amount.amount
            for c in mix.components
            if (rec := snapshot.instrument(c.instrument_id)) and rec.kind in DEBT_KINDS
        )
        if debt:
            out.append(
                f"debt headroom: existing debt is {fiscal.debt_to_revenue:.0%} of annual revenue; "
                f"the {mix.label} mix adds {mix.funded.currency} {debt:,.2f} of repayable "
                f"finance. Rising local debt limits cities' ability to finance projects "
                f"({DEBT_SOURCE})"
            )
    return out
