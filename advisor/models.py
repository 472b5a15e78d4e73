"""Frozen domain models: the engine's input and output, and the API's request and response.

`ProjectProfile` refuses unknown fields, unknown codes, non-finite or non-positive amounts and
unsupported currencies, naming the offending field. `Advice` is the v1 response contract of
ARCHITECTURE.md; fields beyond the contract are additive.
"""

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from catalogue.schema import BusinessModelRecord, InstrumentRecord
from catalogue.vocabulary import (
    ISO_COUNTRIES,
    Applicant,
    Currency,
    MaturityDimension,
    MaturityLevel,
    RegionCategory,
    RevenueStream,
    RiskAppetite,
    Sector,
    Stage,
)


def _iso_date(value: object) -> object:
    """Dates as ISO text (or date objects) only: no numbers read as Unix timestamps."""
    if isinstance(value, date) or (
        isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)
    ):
        return value
    raise ValueError("use an ISO date, YYYY-MM-DD")


IsoDate = Annotated[date, BeforeValidator(_iso_date)]


def _whole_number(value: object) -> object:
    """Integers as JSON Schema counts them (39916801.0 is one); no booleans or text."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("a whole number is required")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("a whole number is required")
        return int(value)
    return value


WHOLE = BeforeValidator(_whole_number)  # after the bounds, so the schema shows them

# An amount above this is not a city project but a typo (EUR 10 trillion is several years of the
# EU's whole economic output); refusing it keeps the arithmetic in float's exact range.
MAX_AMOUNT = 1e13


class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Money(Frozen):
    amount: Annotated[float, Field(gt=0, le=MAX_AMOUNT, allow_inf_nan=False, strict=True)]
    currency: Currency = "EUR"


class MoneyOut(Frozen):
    """An amount in a response: may be zero (a gap of nothing)."""

    amount: float
    currency: Currency


class Partners(Frozen):
    countries: Annotated[int, Field(ge=0, le=200), WHOLE] = 0
    cities: Annotated[int, Field(ge=0, le=10_000), WHOLE] = 0
    industry: Annotated[bool, Field(strict=True)] = False
    research: Annotated[bool, Field(strict=True)] = False


class Fiscal(Frozen):
    credit_rating: Annotated[str, Field(max_length=8)] | None = None
    debt_to_revenue: (
        Annotated[float, Field(ge=0, le=100, allow_inf_nan=False, strict=True)] | None
    ) = None
    ppp_payments_share: (
        Annotated[float, Field(ge=0, le=1, allow_inf_nan=False, strict=True)] | None
    ) = None


class Preferences(Frozen):
    keep_public_ownership: Annotated[bool, Field(strict=True)] = False
    max_private_share: (
        Annotated[float, Field(ge=0, le=1, allow_inf_nan=False, strict=True)] | None
    ) = None
    risk_appetite: RiskAppetite | None = None


class ProjectProfile(Frozen):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    country: Annotated[
        str,
        Field(
            description="ISO 3166-1 alpha-2, e.g. LT, CN, US",
            json_schema_extra={"enum": sorted(ISO_COUNTRIES)},
        ),
    ]
    city: Annotated[str, Field(max_length=200)] | None = None
    population: Annotated[int, Field(gt=0, le=100_000_000), WHOLE] | None = None
    region_category: Annotated[
        RegionCategory | None,
        Field(
            description="the region's category (EU) in the programme period of as_of: "
            "2014-2020 (Decision 2014/99/EU) for dates in 2014-2020, 2021-2027 (Decision "
            "(EU) 2021/1130) from 2021"
        ),
    ] = None
    region_category_2014_2020: Annotated[
        RegionCategory | None,
        Field(
            description="the region's category in 2014-2020 (EU): CPR 2021/1060 Art. 112(3) "
            "gives a higher ceiling to regions that were one category lower then, and 2014-2020 "
            "rates read after 2020 follow it (CPR 1303/2013 Art. 120(3))"
        ),
    ] = None
    sector: Sector
    sectors: list[Sector] = Field(default_factory=list, max_length=19)
    stage: Stage
    capex: Money
    development_cost: Money | None = None
    revenue_streams: list[RevenueStream] = Field(default_factory=list, max_length=12)
    annual_revenue: Money | None = None
    annual_savings: Money | None = None
    applicant: Applicant
    partners: Partners | None = None
    as_of: Annotated[
        IsoDate | None,
        Field(
            description="YYYY-MM-DD, 2000-01-01 to 2100-12-31; default today",
            json_schema_extra={"pattern": r"^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$"},
        ),
    ] = None
    city_maturity: dict[MaturityDimension, MaturityLevel] = Field(default_factory=dict)
    fiscal: Fiscal | None = None
    preferences: Preferences | None = None

    @field_validator("country")
    @classmethod
    def _iso_country(cls, value: str) -> str:
        if value not in ISO_COUNTRIES:
            raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 country code")
        return value

    @field_validator("as_of")
    @classmethod
    def _plausible_date(cls, value: date | None) -> date | None:
        if value is not None and not (date(2000, 1, 1) <= value <= date(2100, 12, 31)):
            raise ValueError("as_of must lie between 2000-01-01 and 2100-12-31")
        return value

    def all_sectors(self) -> list[str]:
        return sorted({self.sector, *self.sectors})


class Reason(Frozen):
    """One criterion record: what was tested, the value used, the threshold, the source."""

    rule: str
    text: str
    source: str
    test: str | None = None
    value: str | None = None
    threshold: str | None = None
    passed: bool | None = None


class Option(Frozen):
    instrument_id: str
    name: str
    name_zh: str
    kind: str
    jurisdiction: str
    rank: int
    score: float
    status: str = Field(description="the instrument's status on the advice date")
    reasons: list[Reason]
    cautions: list[Reason] = Field(default_factory=list)
    max_amount: MoneyOut | None = None
    amount_basis: Reason | None = Field(
        default=None, description="how max_amount follows from the rate, cap or ticket it rests on"
    )
    covers: list[str] = Field(default_factory=list)
    phase: str | None = Field(
        default=None, description="the phase it finances: the project's stage, or a later one"
    )
    later: bool = Field(default=False, description="true when `phase` comes after the stage now")


class AlsoEligible(Frozen):
    """Eligible, but not on the short list of options."""

    instrument_id: str
    name: str
    name_zh: str
    kind: str
    score: float
    why_lower: str


class ToCheck(Frozen):
    """Eligible only if an unconfirmed fact holds: never in `options`, never in a mix."""

    instrument_id: str
    name: str
    name_zh: str
    kind: str
    score: float
    verify: list[str] = Field(description="what to verify before relying on it")
    max_amount: MoneyOut | None = Field(
        default=None, description="the conservative amount, where a bound is known"
    )
    phase: str | None = None
    later: bool = False
    reasons: list[Reason] = Field(default_factory=list)


class Excluded(Frozen):
    instrument_id: str
    name: str
    reasons: list[Reason]
    near_miss: bool = False
    would_qualify_if: str | None = None
    successor: str | None = None


class MixComponent(Frozen):
    instrument_id: str
    amount: MoneyOut
    share: float
    covers: str


class Mix(Frozen):
    id: str
    label: str
    components: list[MixComponent]
    funded: MoneyOut
    gap: MoneyOut
    notes: list[str] = Field(default_factory=list)


class BusinessModelFit(Frozen):
    id: str
    name: str
    score: float
    reasons: list[Reason]
    cautions: list[Reason] = Field(default_factory=list)


class FxUsed(Frozen):
    """A reference rate the advice converted with: units of `currency` per euro on `date`."""

    currency: str
    per_eur: float
    date: date
    source: str
    note: str | None = Field(
        default=None,
        description="set when the rate is not of the advice's year: the table has no rate for "
        "that year (the nearest earlier one is used) or none before the advice date (the "
        "earliest one is used)",
    )


class CoverageOut(Frozen):
    """Which national instrument families the catalogue covers for the project's country.

    `families` lists the catalogued instruments open on the advice date; `missing` the families
    that exist there but are not catalogued (or are closed on the date), and the core families
    (loans, bonds, grants) nobody reviewed or whose catalogued instruments are all closed on the
    date; `absent` those that do not exist for cities there.
    """

    country: str
    status: Literal["covered", "partial", "not_covered"]
    complete: bool
    reviewed: date | None = Field(default=None, description="when the coverage was last reviewed")
    families: dict[str, list[str]] = Field(default_factory=dict)
    missing: dict[str, str] = Field(default_factory=dict)
    absent: dict[str, str] = Field(default_factory=dict)
    closed: dict[str, list[str]] = Field(
        default_factory=dict, description="other families whose catalogued instruments are closed"
    )
    notes: list[str] = Field(default_factory=list)


class CountryCoveragePublic(Frozen):
    """One country's coverage as GET /v1/coverage lists it (as reviewed, no advice date applied).

    `missing` includes the core families (loans, bonds, grants) nobody reviewed.
    """

    country: str
    status: Literal["covered", "partial", "not_covered"]
    complete: bool
    as_of: date
    families: dict[str, list[str]]
    missing: dict[str, str]
    absent: dict[str, str]
    notes: list[str]


class Advice(Frozen):
    options: list[Option]
    also_eligible: list[AlsoEligible] = Field(default_factory=list)
    to_check: list[ToCheck] = Field(default_factory=list)
    excluded: list[Excluded]
    mixes: list[Mix] = Field(default_factory=list)
    business_models: list[BusinessModelFit] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    catalogue_revision: str
    ruleset_version: str
    as_of: date
    currency: str = "EUR"
    fx: list[FxUsed] = Field(default_factory=list)
    coverage: CoverageOut | None = None
    advice_id: str | None = Field(
        default=None,
        description="the stored decision record (GET /v1/advice/{id}); null when not kept",
    )


class InstrumentPublic(InstrumentRecord):
    """An instrument as the API shows it: the validated record, countries expanded."""

    countries_expanded: list[str] = Field(default_factory=list)


class BusinessModelPublic(BusinessModelRecord):
    pass


class ItemError(Frozen):
    field: str | None = None
    message: str


class BatchItem(Frozen):
    """One batch item's outcome: its advice, or why it could not be advised on."""

    index: int
    id: str | None = None
    ok: bool
    advice: Advice | None = None
    errors: list[ItemError] = Field(default_factory=list)


class BatchRequest(Frozen):
    items: list[dict[str, Any]] = Field(
        min_length=1, description="profiles; each is validated on its own, errors come per item"
    )


class BatchResponse(Frozen):
    results: list[BatchItem]
    count: int
    failed: int


class JobRequest(Frozen):
    items: list[dict[str, Any]] = Field(
        min_length=1, description="profiles; each is validated on its own, errors come per row"
    )


class JobStatus(Frozen):
    id: str
    status: Literal["queued", "running", "done", "failed", "cancelled"] = Field(
        description="queued (no row started), running, done (every row's record stored), "
        "failed (a chunk of rows failed repeatedly; the other rows' records stay readable), "
        "cancelled"
    )
    total: int = Field(description="rows in the job")
    done: int = Field(description="rows whose record is stored (advice or errors)")
    failed: int = Field(description="rows among `done` whose record is errors")
    progress: float
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None = None
    results: dict[str, str]
