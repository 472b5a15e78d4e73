"""From the engine's findings to an advice's parts: options, those to check, the excluded, and
business models, each with its reasons (advisor/advice.py puts them together with the mixes and
warnings)."""

from datetime import date
from functools import lru_cache
from typing import Any

from advisor import engine as runner
from advisor.engine import Finding
from advisor.facts import citations
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
from catalogue.schema import InstrumentRecord, ReachWindow
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
ELIGIBILITY_FIELDS = frozenset((
    "eligible_countries", "reach", "applicant_types", "sectors", "stages", "costs_covered",
    "min_ticket", "min_project_cost", "max_project_cost", "revenue_required",
    "revenue_streams_any", "min_population", "min_partner_countries", "valid_from", "valid_to",
    "status", "prohibited_from", "params.prohibited_countries", "params.prohibited_applicants",
    "params.private_partner_in_public_project",
))  # fmt: skip
AMOUNT_FIELDS = frozenset(("min_ticket", "min_project_cost", "max_project_cost"))
STATE_AID_GAP = (
    "GBER Reg. (EU) 651/2014 Art. 56(6) (aid at most eligible costs minus operating profit): "
    "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX%3A02014R0651-20230701"
)
# The caution of a grant to an undertaking: one frozen Reason, validated once and shared.
STATE_AID = Reason(
    rule="amount_at_most_funding_gap",
    text="state aid to an undertaking: the amount shown is an upper bound; the aid may not "
    "exceed the eligible cost minus the operating profit of the investment, which the "
    "project's revenue reduces",
    source=STATE_AID_GAP,
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
        period=project["region_period"],
    )


def _verify(
    soft: list[Finding], unconfirmed: tuple[str, ...], cap: Ceiling, no_share_cap: str | None
) -> list[str]:
    """What to verify before relying on an option whose eligibility rests on unconfirmed facts:
    the soft criteria it failed, its record's `unconfirmed_eligibility` and an unknown rate
    (or, where the record says no share cap applies, for instance the city's own budget, the
    capacity that decides the amount instead)."""
    out = [
        f"{f.test}: {f.value} against {f.threshold} (the catalogue's value is unconfirmed)"
        for f in soft
    ]
    out += unconfirmed
    if not cap.known:
        out.append(
            f"amount: {no_share_cap}; the capacity behind it sets the amount: verify it"
            if no_share_cap
            else "co-financing ceiling: no source gives the rate for this project's costs"
        )
    return out


def unconfirmed_eligibility(record: InstrumentRecord) -> tuple[str, ...]:
    """One line per condition on the project that no profile field states (`conditions`, with
    the source that sets it), then one per eligibility field the record marks unconfirmed, in
    the record's order: a function of the record alone."""
    out = []
    if record.conditions:
        source = citations(record).get("conditions")
        cited = f" ({source})" if source else ""
        out += [
            f"condition: {condition}; the profile cannot state it{cited}"
            for condition in record.conditions
        ]
    for name in record.unconfirmed:
        if name in ELIGIBILITY_FIELDS:
            if name.startswith("params."):
                value = record.params.get(name.removeprefix("params."))
            else:
                value = getattr(record, name)
            shown = _shown(record, name, value)
            out.append(f"{name}: the catalogue holds {shown}, which no source has confirmed")
    return tuple(out)


def _shown(record: InstrumentRecord, name: str, value: Any) -> str:
    """An eligibility field's value as an officer reads it: dates in ISO form, lists in
    brackets, amounts in the record's ticket currency, reach windows with dates and basis."""
    if value is None:
        return "none"
    if name == "reach":
        if not value:
            return "no window beyond eligible_countries"
        return "; ".join(_window(w) for w in value)
    if value == []:
        return "any"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    if name in AMOUNT_FIELDS:
        return f"{value:,.0f} {record.ticket_currency}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _window(window: ReachWindow) -> str:
    """One reach window: 'GB to 2020-12-31 (basis)', 'NO from 2021-01-01, not funded (basis)'."""
    when = [f"from {window.valid_from.isoformat()}"] if window.valid_from else []
    when += [f"to {window.valid_to.isoformat()}"] if window.valid_to else []
    funded = [] if window.funded else ["not funded"]
    head = " ".join([", ".join(window.countries), *when])
    return ", ".join([head, *funded]) + f" ({window.basis})"


class _Built:
    """What is built once per snapshot: the terms (per rates in force and instrument id) and
    each instrument's unconfirmed-eligibility lines (per instrument id: within a snapshot an
    id names one record, and the lines read that record alone)."""

    __slots__ = ("snapshot", "terms", "unconfirmed")

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.terms: dict[tuple[Any, str], Terms] = {}
        self.unconfirmed: dict[str, tuple[str, ...]] = {}


_BUILT: dict[int, _Built] = {}


def _built(snapshot: Snapshot) -> _Built:
    entry = _BUILT.get(id(snapshot))
    if entry is None or entry.snapshot is not snapshot:
        while len(_BUILT) >= 4:  # the latest snapshots only
            _BUILT.pop(next(iter(_BUILT)))
        entry = _BUILT[id(snapshot)] = _Built(snapshot)
    return entry


def terms_in(snapshot: Snapshot) -> dict[tuple[Any, str], Terms]:
    """The instruments' terms already built for `snapshot` (per rates in force and instrument
    id): they depend on the record and the rates only, and building one cites every source."""
    return _built(snapshot).terms


def unconfirmed_in(snapshot: Snapshot, record: InstrumentRecord) -> tuple[str, ...]:
    """`unconfirmed_eligibility(record)`, built once per snapshot and instrument."""
    kept = _built(snapshot).unconfirmed
    lines = kept.get(record.id)
    if lines is None:
        lines = kept[record.id] = unconfirmed_eligibility(record)
    return lines


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
    built = _built(snapshot)
    terms_cache = built.terms
    money_key = money.key_for(snapshot.ticket_currencies)
    candidates: list[Option] = []
    to_check: list[ToCheck] = []
    excluded: list[Excluded] = []
    currency = profile.capex.currency
    stage = profile.stage
    undertaking = profile.applicant in runner.UNDERTAKINGS and bool(
        set(profile.revenue_streams) - {"none"}
    )
    for record in snapshot.instruments:
        own = by_instrument.get(record.id, ())
        hard = [f for f in own if f.hard and f.kind == "criterion"]
        if hard:
            excluded.append(_excluded(record, hard))
            continue
        soft: list[Finding] = []  # criteria failed, none of them hard
        scores: list[Finding] = []
        cautions: list[Reason] = []
        for f in own:
            if f.kind == "score":
                scores.append(f)
            elif f.kind == "caution":
                cautions.append(_reason(f))
            elif f.kind == "criterion":
                soft.append(f)
        scores.sort(key=_points_first)  # stable: ties keep the findings' order
        terms = terms_cache.get((money_key, record.id))
        if terms is None:
            terms = terms_cache[(money_key, record.id)] = runner.terms_of(record, money.to_eur)
        cap = _ceiling(terms, project)
        phase = phase_of(record.stages, stage)
        score = round(sum(f.points for f in scores), 3)
        amount = (
            _validated_money(
                {"amount": round(money.from_eur(cap.amount, currency), 2), "currency": currency}
            )
            if cap.known
            else None
        )
        unconfirmed = built.unconfirmed.get(record.id)
        if unconfirmed is None:
            unconfirmed = unconfirmed_in(snapshot, record)
        verify = _verify(soft, unconfirmed, cap, record.not_applicable.get("co_financing"))
        if verify:
            to_check.append(
                _validated_to_check(
                    {
                        "instrument_id": record.id,
                        "name": record.name_en,
                        "name_zh": record.name_zh,
                        "kind": record.kind,
                        "score": score,
                        "verify": verify,
                        "max_amount": amount,
                        "phase": phase,
                        "later": phase != stage,
                        "reasons": [_reason(f) for f in scores[:TOP_REASONS]],
                    }
                )
            )
            continue
        if undertaking and record.eu_funds and record.kind in GRANT_KINDS:
            cautions.append(STATE_AID)
        candidates.append(
            _validated_option(
                {
                    "instrument_id": record.id,
                    "name": record.name_en,
                    "name_zh": record.name_zh,
                    "kind": record.kind,
                    "jurisdiction": record.jurisdiction,
                    "rank": 0,
                    "score": score,
                    "status": status_on(record, as_of),
                    "reasons": [_reason(f) for f in scores[:TOP_REASONS]],
                    "cautions": cautions,
                    "max_amount": amount,
                    "amount_basis": _validated_reason(
                        {"rule": "amount_ceiling", "text": cap.basis, "source": cap.source(terms)}
                    ),
                    "covers": sorted(cap.by_cost),
                    "phase": phase,
                    "later": phase != stage,
                }
            )
        )
    return candidates, to_check, excluded


def _points_first(finding: Finding) -> float:
    return -finding.points


# Validated as the keyword calls Option(...), ToCheck(...) validate, without their overhead.
_validated_option = Option.__pydantic_validator__.validate_python
_validated_to_check = ToCheck.__pydantic_validator__.validate_python
_validated_money = MoneyOut.__pydantic_validator__.validate_python
_validated_reason = Reason.__pydantic_validator__.validate_python


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
