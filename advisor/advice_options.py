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
from advisor.verify import to_verify, unconfirmed_eligibility
from catalogue.schema import InstrumentRecord
from catalogue.snapshot import Snapshot
from rules.ceilings import GRANT_KINDS, Ceiling, Terms, ceiling
from rules.phases import phase_of

TOP_REASONS = 8
TOP_MODELS = 8


# Validated as Reason(...) validates, without the keyword call's overhead: about a third of the
# time of `Reason.model_construct`, which checks nothing (pydantic 2.14: 1.2 against 3.9 us).
_validated_reason = Reason.__pydantic_validator__.validate_python


@lru_cache(maxsize=16384)  # a finding is plain data and a Reason is frozen: shared
def _reason(finding: Finding) -> Reason:
    if finding.kind == "criterion":
        return _validated_reason({
            "rule": finding.rule,
            "text": f"{finding.test}: {finding.value} (threshold: {finding.threshold})",
            "source": finding.source,
            "test": finding.test,
            "value": finding.value,
            "threshold": finding.threshold,
            "passed": False,
        })  # fmt: skip
    return _validated_reason({
        "rule": finding.rule, "text": finding.text, "source": finding.source, "test": None,
        "value": None, "threshold": None, "passed": None,
    })  # fmt: skip


def _soft_caution(finding: Finding) -> Reason:
    base = _reason(finding)
    return base.model_copy(
        update={"text": f"unconfirmed criterion, check before relying on it: {base.text}"}
    )


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
        borrowing=project["borrowing"],
    )


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
        verify = to_verify(soft, unconfirmed, cap, record.not_applicable.get("co_financing"))
        if phase != stage and record.valid_to is not None:
            # a later phase has not begun: that it comes within the instrument's window (an EU
            # fund's eligible expenditure paid by its end date, CPR 2021/1060 Art. 63(2)) is a
            # fact no profile states
            verify = [
                *verify,
                f"the {phase} phase must come before the instrument's end on "
                f"{record.valid_to.isoformat()}",
            ]
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
