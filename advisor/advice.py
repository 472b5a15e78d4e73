"""advise(): one project profile against one catalogue snapshot, to ranked, explained Advice."""

from collections import defaultdict
from datetime import date
from typing import Any

from advisor import engine as runner
from advisor.engine import Finding
from advisor.mixes import compose
from advisor.models import (
    Advice,
    BusinessModelFit,
    CoverageOut,
    Excluded,
    MoneyOut,
    Option,
    ProjectProfile,
    Reason,
    ToCheck,
)
from advisor.money import Converter
from advisor.ranking import shortlist
from catalogue.coverage import CORE_FAMILIES, FAMILY_ORDER, NOT_REVIEWED
from catalogue.schema import InstrumentRecord
from catalogue.snapshot import Snapshot
from rules.ceilings import GRANT_KINDS, Ceiling, Terms, ceiling
from rules.engine import RULESET_VERSION
from rules.phases import phase_of

TOP_REASONS = 8
TOP_MODELS = 8


def _reason(finding: Finding) -> Reason:
    if finding.kind == "criterion":
        text = f"{finding.test}: {finding.value} (threshold: {finding.threshold})"
        return Reason.model_construct(
            rule=finding.rule,
            text=text,
            source=finding.source,
            test=finding.test,
            value=finding.value,
            threshold=finding.threshold,
            passed=False,
        )
    return Reason.model_construct(
        rule=finding.rule, text=finding.text, source=finding.source, test=None, value=None,
        threshold=None, passed=None,
    )  # fmt: skip


def _soft_caution(finding: Finding) -> Reason:
    base = _reason(finding)
    return base.model_copy(
        update={"text": f"unconfirmed criterion, check before relying on it: {base.text}"}
    )


# Fields an option's eligibility rests on (docs/eligibility.md, section 2): when the catalogue
# marks one unconfirmed, the option goes to `to_check`, whatever the engine's tests said.
ELIGIBILITY_FIELDS = (
    "eligible_countries", "reach", "applicant_types", "sectors", "stages", "costs_covered",
    "min_ticket", "min_project_cost", "max_project_cost", "revenue_required",
    "revenue_streams_any", "min_population", "min_partner_countries", "valid_from", "valid_to",
    "status", "prohibited_from", "params.prohibited_countries",
)  # fmt: skip
SHORT_LIST = 10  # options shown by default; `limit` asks for more (at most MAX_LIMIT)
MAX_LIMIT = 50
STATE_AID_GAP = (
    "GBER Reg. (EU) 651/2014 Art. 56(6) (aid at most eligible costs minus operating profit): "
    "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX%3A02014R0651-20230701"
)


def status_on(record: InstrumentRecord, on: date) -> str:
    """The instrument's status on the advice date, from its dates (not today's status)."""
    if record.prohibited_from is not None and on >= record.prohibited_from:
        return "prohibited"
    if record.valid_to is not None and on > record.valid_to:
        return "closed"
    if record.valid_from is not None and on < record.valid_from:
        return "not_yet_open"
    if record.status in ("closed", "superseded", "prohibited", "proposed"):
        return "active"  # open on that date by its own dates
    return record.status


def _ceiling(terms: Terms, project: Any) -> Ceiling:
    return ceiling(
        terms,
        capex=project["capex"],
        development=project["development"],
        region=project["region_category"],
        applicant=project["applicant"],
        previous_region=project["previous_region_category"],
    )


def _verify(record: InstrumentRecord, soft: list[Finding], cap: Ceiling) -> list[str]:
    """What to verify before relying on an option whose eligibility rests on unconfirmed facts."""
    out = [
        f"{f.test}: {f.value} against {f.threshold} (the catalogue's value is unconfirmed)"
        for f in soft
    ]
    for name in record.unconfirmed:
        if name in ELIGIBILITY_FIELDS:
            if name.startswith("params."):
                value = record.params.get(name.removeprefix("params."))
            else:
                value = getattr(record, name)
            shown = "any" if value == [] else ("none" if value is None else value)
            out.append(f"{name}: the catalogue holds {shown!r}, which no source has confirmed")
    if not cap.known:
        out.append("co-financing ceiling: no source gives the rate for this project's costs")
    return out


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
    project = runner.project_fact(profile, money.to_eur)
    limit = max(1, min(limit, MAX_LIMIT))

    def build() -> list:  # type: ignore[type-arg]
        return runner.catalogue_facts(
            [runner.instrument_fact(r, money.to_eur) for r in snapshot.instruments],
            [runner.model_fact(m) for m in snapshot.business_models],
        )

    if fresh:
        findings = runner.run_fresh(project, build())
    else:
        key = (snapshot.revision, money.key())
        findings = runner.runner_for(key, build).run(project, lean=True)

    by_instrument: dict[str, list[Finding]] = defaultdict(list)
    by_model: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        target = by_model if finding.about == "business_model" else by_instrument
        target[finding.instrument].append(finding)

    candidates: list[Option] = []
    to_check: list[ToCheck] = []
    excluded: list[Excluded] = []
    currency = profile.capex.currency
    for record in snapshot.instruments:
        own = by_instrument.get(record.id, [])
        hard = [f for f in own if f.kind == "criterion" and f.hard]
        if hard:
            excluded.append(_excluded(record, hard))
            continue
        soft = [f for f in own if f.kind == "criterion" and not f.hard]
        scores = sorted((f for f in own if f.kind == "score"), key=lambda f: -f.points)
        cautions = [_reason(f) for f in own if f.kind == "caution"]
        terms = runner.terms_of(record, money.to_eur)
        cap = _ceiling(terms, project)
        phase = phase_of(record.stages, profile.stage)
        score = round(sum(f.points for f in scores), 3)
        amount = (
            MoneyOut(amount=round(money.from_eur(cap.amount, currency), 2), currency=currency)
            if cap.known
            else None
        )
        verify = _verify(record, soft, cap)
        if verify:
            to_check.append(
                ToCheck(
                    instrument_id=record.id,
                    name=record.name_en,
                    name_zh=record.name_zh,
                    kind=record.kind,
                    score=score,
                    verify=verify,
                    max_amount=amount,
                    phase=phase,
                    later=phase != profile.stage,
                    reasons=[_reason(f) for f in scores[:TOP_REASONS]],
                )  # fmt: skip
            )
            continue
        if (
            record.eu_funds
            and record.kind in GRANT_KINDS
            and profile.applicant in runner.UNDERTAKINGS
            and set(profile.revenue_streams) - {"none"}
        ):
            cautions.append(
                Reason(
                    rule="amount_at_most_funding_gap",
                    text="state aid to an undertaking: the amount shown is an upper bound; the "
                    "aid may not exceed the eligible cost minus the operating profit of the "
                    "investment, which the project's revenue reduces",
                    source=STATE_AID_GAP,
                )
            )
        candidates.append(
            Option(
                instrument_id=record.id,
                name=record.name_en,
                name_zh=record.name_zh,
                kind=record.kind,
                jurisdiction=record.jurisdiction,
                rank=0,
                score=score,
                status=status_on(record, as_of),
                reasons=[_reason(f) for f in scores[:TOP_REASONS]],
                cautions=cautions,
                max_amount=amount,
                amount_basis=Reason(
                    rule="amount_ceiling", text=cap.basis, source=cap.source(terms)
                ),
                covers=sorted(cap.by_cost),
                phase=phase,
                later=phase != profile.stage,
            )
        )
    options, also_eligible = shortlist(candidates, limit=limit)
    to_check.sort(key=lambda t: (-t.score, t.instrument_id))

    excluded.sort(key=lambda e: (not e.near_miss, e.instrument_id))

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


def _excluded(record: InstrumentRecord, hard: list[Finding]) -> Excluded:
    reasons = [_reason(f) for f in hard]
    near_miss = len(hard) == 1 and hard[0].fixable
    would = hard[0].hint if near_miss else None
    successor = record.successor if any(f.rule == "exclude_closed_on_as_of" for f in hard) else None
    if successor:
        reasons.append(
            Reason(
                rule="exclude_closed_on_as_of",
                text=f"closed on the advice date; its successor is {successor}",
                source=hard[0].source,
            )
        )
    return Excluded(
        instrument_id=record.id,
        name=record.name_en,
        reasons=reasons,
        near_miss=near_miss,
        would_qualify_if=would,
        successor=successor,
    )


def _business_models(
    snapshot: Snapshot, by_model: dict[str, list[Finding]]
) -> list[BusinessModelFit]:
    """The fitting business models, best first (models a hard criterion rules out are left out)."""
    fits = []
    for model in snapshot.business_models:
        own = by_model.get(model.id, [])
        if any(f.kind == "criterion" and f.hard for f in own):
            continue
        scores = sorted((f for f in own if f.kind == "score"), key=lambda f: -f.points)
        cautions = [_reason(f) for f in own if f.kind == "caution"]
        cautions += [_soft_caution(f) for f in own if f.kind == "criterion" and not f.hard]
        fits.append(
            BusinessModelFit(
                id=model.id,
                name=model.name_en,
                score=round(sum(f.points for f in scores), 3),
                reasons=[_reason(f) for f in scores[:TOP_REASONS]],
                cautions=cautions,
            )
        )
    fits.sort(key=lambda m: (-m.score, m.id))
    return fits[:TOP_MODELS]


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
