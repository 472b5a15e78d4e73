"""From the engine's findings to an advice's parts: options, those to check, the excluded, and
business models, each with its reasons (advisor/advice.py puts them together with the mixes and
warnings)."""

from datetime import date
from functools import lru_cache
from typing import Any

from advisor import engine as runner
from advisor.engine import Finding
from advisor.models import (
    BusinessModelFit,
    Excluded,
    MoneyOut,
    Option,
    ProjectProfile,
    Reason,
    ToCheck,
)
from advisor.money import Converter
from catalogue.schema import InstrumentRecord
from catalogue.snapshot import Snapshot
from rules.ceilings import GRANT_KINDS, Ceiling, Terms, ceiling
from rules.phases import phase_of

TOP_REASONS = 8
TOP_MODELS = 8


@lru_cache(maxsize=16384)  # a finding is plain data and a Reason is frozen: shared
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


_TERMS: dict[int, tuple[Snapshot, dict[tuple[Any, str], Terms]]] = {}


def terms_in(snapshot: Snapshot) -> dict[tuple[Any, str], Terms]:
    """The instruments' terms already built for `snapshot` (per rates in force and instrument
    id): they depend on the record and the rates only, and building one cites every source."""
    entry = _TERMS.get(id(snapshot))
    if entry is None or entry[0] is not snapshot:
        while len(_TERMS) >= 4:  # the latest snapshots only
            _TERMS.pop(next(iter(_TERMS)))
        entry = _TERMS[id(snapshot)] = (snapshot, {})
    return entry[1]


def terms_for(snapshot: Snapshot, money: Converter, record: InstrumentRecord) -> Terms:
    """`record`'s terms at `money`'s rates, built once per snapshot, rates and instrument."""
    cache = terms_in(snapshot)
    key = (money.key_for(snapshot.ticket_currencies), record.id)
    terms = cache.get(key)
    if terms is None:
        terms = cache[key] = runner.terms_of(record, money.to_eur)
    return terms


def assemble(
    snapshot: Snapshot,
    profile: ProjectProfile,
    money: Converter,
    project: Any,
    by_instrument: dict[str, list[Finding]],
    as_of: date,
) -> tuple[list[Option], list[ToCheck], list[Excluded]]:
    """Every instrument as a candidate option, one to check, or excluded, by its findings."""
    terms_cache = terms_in(snapshot)
    money_key = money.key_for(snapshot.ticket_currencies)
    candidates: list[Option] = []
    to_check: list[ToCheck] = []
    excluded: list[Excluded] = []
    currency = profile.capex.currency
    for record in snapshot.instruments:
        own = by_instrument.get(record.id, ())
        hard = [f for f in own if f.hard and f.kind == "criterion"]
        if hard:
            excluded.append(_excluded(record, hard))
            continue
        soft = [f for f in own if f.kind == "criterion" and not f.hard]
        scores = sorted((f for f in own if f.kind == "score"), key=lambda f: -f.points)
        cautions = [_reason(f) for f in own if f.kind == "caution"]
        terms = terms_cache.get((money_key, record.id))
        if terms is None:
            terms = terms_cache[(money_key, record.id)] = runner.terms_of(record, money.to_eur)
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
    return candidates, to_check, excluded


def _excluded(record: InstrumentRecord, hard: list[Finding]) -> Excluded:
    reasons = list(map(_reason, hard))
    near_miss = len(hard) == 1 and hard[0].fixable
    would = hard[0].hint if near_miss else None
    successor = record.successor
    if successor is not None and not any(f.rule == "exclude_closed_on_as_of" for f in hard):
        successor = None
    if successor:
        reasons.append(
            Reason(
                rule="exclude_closed_on_as_of",
                text=f"closed on the advice date; its successor is {successor}",
                source=hard[0].source,
            )
        )
    return _validated_excluded(
        {
            "instrument_id": record.id,
            "name": record.name_en,
            "reasons": reasons,
            "near_miss": near_miss,
            "would_qualify_if": would,
            "successor": successor,
        }
    )


# Validated as Excluded(...) validates, without the keyword call's overhead (one per excluded
# instrument: most of the catalogue in most advices).
_validated_excluded = Excluded.__pydantic_validator__.validate_python


def _business_models(
    snapshot: Snapshot, by_model: dict[str, list[Finding]]
) -> list[BusinessModelFit]:
    """The fitting business models, best first (models a hard criterion rules out are left out).

    Scored first, then only the TOP_MODELS best are written out with their reasons."""
    scored = []
    for model in snapshot.business_models:
        own = by_model.get(model.id, ())
        if any(f.hard and f.kind == "criterion" for f in own):
            continue
        scores = sorted((f for f in own if f.kind == "score"), key=lambda f: -f.points)
        score = round(sum(f.points for f in scores), 3)  # summed best first, as always
        scored.append((-score, model.id, score, model, own, scores))
    scored.sort(key=lambda s: (s[0], s[1]))  # a stable sort, by score then id, as before
    fits = []
    for _, _, score, model, own, scores in scored[:TOP_MODELS]:
        cautions = [_reason(f) for f in own if f.kind == "caution"]
        cautions += [_soft_caution(f) for f in own if f.kind == "criterion" and not f.hard]
        fits.append(
            BusinessModelFit(
                id=model.id,
                name=model.name_en,
                score=score,
                reasons=[_reason(f) for f in scores[:TOP_REASONS]],
                cautions=cautions,
            )
        )
    return fits
