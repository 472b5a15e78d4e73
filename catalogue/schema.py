"""Validated records of the catalogue's data files (catalogue/data/*.yaml).

Each data-file entry is parsed into one of these models before it reaches the database, and the
API's public models are built from the same classes, so a value the API shows is a value that
passed this validation. Every record carries its sources; a field whose value no source read
confirmed is listed in `unconfirmed` and the engine never uses it as a hard rule.
"""

from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from catalogue.vocabulary import (
    COUNTRY_GROUPS,
    Applicant,
    CostOfMoney,
    CostType,
    CoverageFamily,
    Currency,
    ExcludedCost,
    InstrumentKind,
    Jurisdiction,
    Level,
    MaturityLevel,
    Ownership,
    Payer,
    RegionCategory,
    RevenueStream,
    RiskAppetite,
    Sector,
    Stage,
    Status,
)

Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
Rate = Annotated[float, Field(gt=0, le=1)]
Amount = Annotated[float, Field(ge=0, allow_inf_nan=False)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceRef(Strict):
    """Where a fact comes from: a seed line or an official reference from research/."""

    document: str = Field(description="seed file name, or research file name for official refs")
    section: str | None = None
    lines: str | None = Field(default=None, description="e.g. 'L1620-L1625'")
    reference: str | None = Field(default=None, description="e.g. 'instrument_facts.md A9 [1]'")
    url: str | None = None
    supports: list[str] = Field(
        default_factory=list,
        description="fields this source backs; 'field=value' where it backs one value of a list",
    )
    quote: str | None = None

    @model_validator(mode="after")
    def _locates_something(self) -> "SourceRef":
        if not (self.lines or self.reference or self.url):
            raise ValueError("a source needs lines, a reference or a url")
        return self


class CoFinancingRate(Strict):
    """A ceiling on the instrument's share of eligible cost.

    `previous_region_category` narrows an entry to regions that had one of those categories in
    the previous period (CPR 2021/1060 Art. 112(3): a transition region that was less developed
    in 2014-2020 may get 70% instead of 60%). Where the profile does not say, the entry without
    that condition (the lower rate) applies.
    """

    rate: Rate
    region_category: RegionCategory | None = None
    previous_region_category: list[RegionCategory] = Field(default_factory=list)
    applicant: list[Applicant] = Field(default_factory=list)
    period: str | None = None
    costs: CostType = "investment"
    note: str | None = None


def _country_codes(cls: type, value: list[str]) -> list[str]:
    """ISO alpha-2 codes or catalogue country groups ('@EU27')."""
    for code in value:
        if code not in COUNTRY_GROUPS and not (len(code) == 2 and code.isupper()):
            raise ValueError(f"{code!r} is neither an ISO alpha-2 code nor a country group")
    return value


class ReachWindow(Strict):
    """Where an instrument reaches beyond `eligible_countries`, and when.

    For example an association agreement (Norway in Horizon Europe from 2021), a member state
    before it left (the United Kingdom until 2020-01-31), or a lending mandate outside the
    Union. `funded: false` records a country whose entities may take part but are not funded.
    """

    countries: list[str] = Field(min_length=1)
    valid_from: date | None = None
    valid_to: date | None = None
    basis: str = Field(min_length=1, description="the legal basis of the window, with its clause")
    funded: bool = True

    _known_countries = field_validator("countries")(classmethod(_country_codes))

    def covers(self, country: str, on: date) -> bool:
        if self.valid_from is not None and on < self.valid_from:
            return False
        if self.valid_to is not None and on > self.valid_to:
            return False
        expanded = {c for code in self.countries for c in COUNTRY_GROUPS.get(code, (code,))}
        return country in expanded


class TicketRange(Strict):
    """The usual size of one award or loan, in the record's ticket currency."""

    low: Amount | None = None
    high: Amount | None = None


class InstrumentRecord(Strict):
    """One funding or financing instrument, as written in catalogue/data/instruments/*.yaml."""

    id: Identifier
    name_en: str
    name_zh: str
    kind: InstrumentKind
    jurisdiction: Jurisdiction
    description: str
    eligible_countries: list[str] = Field(
        default_factory=list, description="ISO alpha-2 or a group like '@EU27'; empty = any"
    )
    applicant_types: list[Applicant] = Field(default_factory=list, description="empty = any")
    sectors: list[Sector] = Field(default_factory=list, description="empty = any")
    stages: list[Stage] = Field(default_factory=list, description="empty = any")
    costs_covered: list[CostType] = Field(min_length=1)
    ticket_currency: Currency = "EUR"
    min_ticket: Amount | None = None
    max_ticket: Amount | None = None
    min_project_cost: Amount | None = None
    max_project_cost: Amount | None = None
    max_share_of_cost: Rate | None = None
    min_population: int | None = Field(default=None, ge=0)
    min_partner_countries: int | None = Field(default=None, ge=1)
    co_financing: list[CoFinancingRate] = Field(default_factory=list)
    reach: list[ReachWindow] = Field(
        default_factory=list, description="dated windows beyond eligible_countries"
    )
    excluded_costs: list[ExcludedCost] = Field(
        default_factory=list, description="cost items the legal basis excludes"
    )
    typical_ticket: TicketRange | None = None
    legal_basis: str | None = Field(default=None, description="the act and article it rests on")
    prohibited_from: date | None = Field(
        default=None, description="from this date its use is prohibited (status follows the date)"
    )
    not_applicable: dict[str, str] = Field(
        default_factory=dict, description="required field -> why it has no meaning for this record"
    )
    conditions: list[str] = Field(
        default_factory=list,
        description="eligibility conditions on the project that no profile field states (CEF: "
        "a project of common interest on the TEN-T): the instrument is one to check, never an "
        "option, and each condition is a line of what to verify",
    )
    revenue_required: bool = False
    revenue_streams_any: list[RevenueStream] = Field(
        default_factory=list, description="project needs one of these; empty = any real revenue"
    )
    eu_funds: bool = False
    coverage_family: CoverageFamily | None = Field(
        default=None,
        description="the national instrument family this record stands for in its countries' "
        "coverage",
    )
    combinable_with: list[Identifier] = Field(default_factory=list)
    not_combinable_with: list[Identifier] = Field(default_factory=list)
    complexity: Level = "medium"
    cost_of_money: CostOfMoney = "not_applicable"
    risk_transfer: Level = "low"
    min_maturity: MaturityLevel = "basic"
    valid_from: date | None = None
    valid_to: date | None = None
    status: Status
    successor: Identifier | None = None
    params: dict[str, float | int | str | bool] = Field(default_factory=dict)
    unconfirmed: list[str] = Field(default_factory=list, description="fields not confirmed")
    sources: list[SourceRef] = Field(min_length=1)

    _known_countries = field_validator("eligible_countries")(classmethod(_country_codes))

    @model_validator(mode="after")
    def _consistent(self) -> "InstrumentRecord":
        low, high = self.min_ticket, self.max_ticket
        if low is not None and high is not None and low > high:
            raise ValueError("min_ticket is above max_ticket")
        if self.valid_from and self.valid_to and self.valid_from > self.valid_to:
            raise ValueError("valid_from is after valid_to")
        known = set(type(self).model_fields)
        for name in self.unconfirmed:
            if name not in known and not name.startswith("params."):
                raise ValueError(f"unconfirmed names unknown field {name!r}")
        for name in self.not_applicable:
            if name not in known:
                raise ValueError(f"not_applicable names unknown field {name!r}")
        if "infrastructure" in self.excluded_costs and "investment" in self.costs_covered:
            raise ValueError("excludes infrastructure but covers investment costs")
        return self

    def countries(self) -> list[str]:
        """Eligible countries with groups expanded (empty = any)."""
        out: list[str] = []
        for code in self.eligible_countries:
            out.extend(COUNTRY_GROUPS.get(code, (code,)))
        return sorted(set(out))


class RecordedCase(Strict):
    city: str
    lines: str
    note: str | None = None


class AssetFit(Strict):
    """How the sources judge the model for one kind of asset, as a profile can show it.

    A profile has no field for the asset itself; it shows it by its main sector and, where the
    source's judgement needs it, by who applies, by a revenue stream it has (e.g. availability
    payments: the authority pays the operator) and by its jurisdiction. For example, fares do not
    carry urban rail or bus services, which the authority pays for. Its source is the record's
    source whose `supports` names `asset_fit=<id>`.
    """

    id: Identifier
    fits: bool = Field(description="true: the sources name the model for it; false: against it")
    asset: str = Field(min_length=1, description="the kind of asset, in words")
    sectors: list[Sector] = Field(min_length=1, description="the project's main sector is one")
    applicants: list[Applicant] = Field(default_factory=list, description="empty = any")
    revenue_includes: list[RevenueStream] = Field(
        default_factory=list, description="the project has one of these; empty = any"
    )
    jurisdictions: list[Jurisdiction] = Field(default_factory=list, description="empty = any")
    reason: str = Field(min_length=1)


class Incentive(Strict):
    """A dated jurisdictional incentive that rewards the model (e.g. China's fiscal reward and
    tax relief for shared-savings energy performance contracts).

    `valid_to` is the date it ended where a source gives one. Where none does, `confirmed_to`
    is the latest date a source shows it in force: after that date its status is unconfirmed and
    the engine only cautions. Its source is the record's source whose `supports` names
    `incentives=<id>`.
    """

    id: Identifier
    countries: list[CountryCode] = Field(min_length=1)
    valid_from: date
    valid_to: date | None = None
    confirmed_to: date | None = None
    legal_basis: str = Field(min_length=1, description="act and clause, e.g. Caijian [2010] 249")
    text: str = Field(min_length=1, description="what it gives and to whom")

    @model_validator(mode="after")
    def _dated(self) -> "Incentive":
        if self.valid_to is not None and self.confirmed_to is not None:
            raise ValueError("confirmed_to is only for an incentive whose end no source gives")
        for end in (self.valid_to, self.confirmed_to):
            if end is not None and end < self.valid_from:
                raise ValueError("an incentive ends or is confirmed before it starts")
        return self

    def in_force(self, country: str, on: date) -> bool:
        """Confirmed in force in `country` on `on`."""
        if country not in self.countries or on < self.valid_from:
            return False
        end = self.valid_to if self.valid_to is not None else self.confirmed_to
        return end is not None and on <= end


class BusinessModelRecord(Strict):
    """One business model or contract structure (catalogue/data/business_models.yaml)."""

    id: Identifier
    name_en: str
    name_zh: str
    description: str
    revenue_streams: list[RevenueStream] = Field(
        default_factory=list, description="streams that carry this model; empty = none needed"
    )
    sectors: list[Sector] = Field(default_factory=list, description="empty = any")
    stages: list[Stage] = Field(
        default_factory=list,
        description="stages it is typically used at; soft: ranks, never excludes",
    )
    ownership: Ownership
    operator_capacity: Level = "medium"
    min_maturity: MaturityLevel = "basic"
    risk_appetite: list[RiskAppetite] = Field(default_factory=list, description="empty = any")
    jurisdictions: list[Jurisdiction] = Field(default_factory=list, description="empty = any")
    banned_in: list[CountryCode] = Field(default_factory=list)
    banned_since: date | None = None
    allowed_in_cn_after_2023: bool = True
    payer: list[Payer] = Field(
        default_factory=list, description="who pays the operator; empty = not recorded"
    )
    asset_fit: list[AssetFit] = Field(
        default_factory=list, description="kinds of asset the sources name it for or against"
    )
    incentives: list[Incentive] = Field(
        default_factory=list, description="dated jurisdictional incentives that reward it"
    )
    related_instruments: list[Identifier] = Field(default_factory=list)
    recorded_cases: list[RecordedCase] = Field(default_factory=list)
    params: dict[str, float | int | str | bool] = Field(default_factory=dict)
    unconfirmed: list[str] = Field(default_factory=list)
    sources: list[SourceRef] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_entry_ids(self) -> "BusinessModelRecord":
        for name, entries in (("asset_fit", self.asset_fit), ("incentives", self.incentives)):
            ids = [e.id for e in entries]
            if len(ids) != len(set(ids)):
                raise ValueError(f"{name} ids repeat: {ids}")
        return self


class FxRate(Strict):
    """Units of `currency` for one euro on `date` (reference rate), with its source."""

    currency: Currency
    date: date
    per_eur: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    source: SourceRef


def dump(record: BaseModel) -> dict[str, Any]:
    """JSON-ready dict of a record, the form stored in the database's JSON columns."""
    return record.model_dump(mode="json")
