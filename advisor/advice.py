"""advise(): one project profile against one catalogue snapshot, to ranked, explained Advice."""

from collections import defaultdict
from datetime import date

from advisor import engine as runner
from advisor.engine import Finding
from advisor.mixes import compose
from advisor.models import (
    Advice,
    BusinessModelFit,
    Excluded,
    MoneyOut,
    Option,
    ProjectProfile,
    Reason,
)
from advisor.money import Converter
from advisor.ranking import rank
from catalogue.schema import InstrumentRecord
from catalogue.snapshot import Snapshot
from rules.ceilings import ceiling
from rules.engine import RULESET_VERSION

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


def _max_amount(
    record: InstrumentRecord, profile: ProjectProfile, money: Converter
) -> tuple[float | None, list[str]]:
    """The instrument's ceiling for this project in EUR (None: not recorded), and what it covers."""
    capex = money.to_eur(profile.capex.amount, profile.capex.currency)
    dev = profile.development_cost
    development = money.to_eur(dev.amount, dev.currency) if dev else 0.0
    cur = record.ticket_currency
    cap = ceiling(
        costs=record.costs_covered,
        rates=[r.model_dump() for r in record.co_financing],
        capex=capex,
        development=development,
        region=profile.region_category,
        applicant=profile.applicant,
        max_share=record.max_share_of_cost,
        max_ticket=None if record.max_ticket is None else money.to_eur(record.max_ticket, cur),
        kind=record.kind,
    )
    if not cap.known and not cap.by_cost:
        return None, []
    return cap.amount, sorted(cap.by_cost)


def advise(
    profile: ProjectProfile, snapshot: Snapshot, *, today: date | None = None, fresh: bool = False
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

    def build() -> list:  # type: ignore[type-arg]
        return runner.catalogue_facts(
            [runner.instrument_fact(r, money.to_eur) for r in snapshot.instruments],
            [runner.model_fact(m) for m in snapshot.business_models],
        )

    if fresh:
        findings = runner.run_fresh(project, build())
    else:
        key = (snapshot.revision, money.key())
        findings = runner.runner_for(key, build).run(project)

    by_instrument: dict[str, list[Finding]] = defaultdict(list)
    by_model: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        target = by_model if finding.about == "business_model" else by_instrument
        target[finding.instrument].append(finding)

    options: list[Option] = []
    excluded: list[Excluded] = []
    currency = profile.capex.currency
    for record in snapshot.instruments:
        own = by_instrument.get(record.id, [])
        hard = [f for f in own if f.kind == "criterion" and f.hard]
        if hard:
            excluded.append(_excluded(record, hard))
            continue
        scores = [f for f in own if f.kind == "score"]
        cautions = [_reason(f) for f in own if f.kind == "caution"]
        cautions += [_soft_caution(f) for f in own if f.kind == "criterion" and not f.hard]
        amount, covers = _max_amount(record, profile, money)
        scores.sort(key=lambda f: -f.points)
        options.append(
            Option(
                instrument_id=record.id,
                name=record.name_en,
                name_zh=record.name_zh,
                kind=record.kind,
                jurisdiction=record.jurisdiction,
                rank=0,
                score=round(sum(f.points for f in scores), 3),
                status=record.status,
                reasons=[_reason(f) for f in scores[:TOP_REASONS]],
                cautions=cautions,
                max_amount=None
                if amount is None
                else MoneyOut(amount=round(money.from_eur(amount, currency), 2), currency=currency),
                covers=covers,
            )
        )
    options = rank(options)
    excluded.sort(key=lambda e: (not e.near_miss, e.instrument_id))

    warnings: list[str] = []
    if not options:
        warnings.append("no catalogued instrument is eligible for this profile; see `excluded`")
    if currency != "EUR":
        warnings.append(f"amounts in {currency} were converted at the dated rates listed in `fx`")
    mixes = compose(options=options, snapshot=snapshot, profile=profile, money=money)
    if options and not mixes:
        warnings.append("no funding mix could be composed from the eligible options")
    warnings.extend(_debt_headroom(profile, mixes, snapshot))
    return Advice(
        options=options,
        excluded=excluded,
        mixes=mixes,
        business_models=_business_models(snapshot, by_model),
        warnings=warnings,
        catalogue_revision=snapshot.revision,
        ruleset_version=RULESET_VERSION,
        as_of=as_of,
        currency=currency,
        fx=money.fx_used(),
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
