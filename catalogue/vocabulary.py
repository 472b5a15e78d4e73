"""The contract's code lists (ARCHITECTURE.md, "Public contract (v1)") and the catalogue's own.

Pure Python: imported by the catalogue schema, the advisor's profile models and the rules, so it
depends on nothing. `GET /v1/vocabulary` serves `VOCABULARY` as it stands here.
"""

from typing import Literal, get_args

Sector = Literal[
    "energy_efficiency",
    "renewable_energy",
    "district_heating",
    "street_lighting",
    "buildings",
    "transport",
    "ict_broadband",
    "data_platform",
    "cloud_services",
    "e_government",
    "water",
    "wastewater",
    "waste",
    "urban_regeneration",
    "public_safety",
    "health",
    "education",
    "research_innovation",
    "multi_sector",
]
Stage = Literal["planning", "research", "pilot", "demonstration", "deployment", "operation"]
RevenueStream = Literal[
    "none",
    "user_fees",
    "energy_savings",
    "availability_payments",
    "advertising",
    "value_added_services",
    "data_services",
    "property_tax_increment",
    "land_value_capture",
    "fines",
    "congestion_charges",
    "parking_fees",
]
Applicant = Literal[
    "municipality",
    "municipal_company",
    "regional_authority",
    "national_authority",
    "sme",
    "large_enterprise",
    "research_organisation",
    "ngo",
    "consortium",
]
# Revenue a public body collects (it flows through a budget), as opposed to commercial revenue a
# project or operator earns from users or savings.
PUBLIC_REVENUE: frozenset[str] = frozenset(
    {"fines", "congestion_charges", "property_tax_increment", "land_value_capture"}
)
# Who pays a business model's operator, and who pays in a project given its revenue streams:
# users (fees, parking, value-added services), the public authority over time (availability or
# per-use service payments), the client out of savings, advertisers, data buyers, or a public
# budget (no commercial revenue, or revenue a public body collects). The PPP guides' user-pays /
# government-pays split (APMG PPP Certification Guide Sec. 4.7; PPP Reference Guide 3.0).
Payer = Literal[
    "users", "public_budget", "availability_payments", "savings", "advertisers", "data_buyers"
]
PAYER_OF_REVENUE: dict[str, str] = {
    "none": "public_budget",
    "user_fees": "users",
    "parking_fees": "users",
    "value_added_services": "users",
    "availability_payments": "availability_payments",
    "energy_savings": "savings",
    "advertising": "advertisers",
    "data_services": "data_buyers",
    "fines": "public_budget",
    "congestion_charges": "public_budget",
    "property_tax_increment": "public_budget",
    "land_value_capture": "public_budget",
}


def payers_of(revenue: "tuple[str, ...] | list[str]") -> frozenset[str]:
    """Who pays in a project with these revenue streams (none: the public budget)."""
    return frozenset(PAYER_OF_REVENUE[s] for s in revenue or ("none",))


RegionCategory = Literal["less_developed", "transition", "more_developed"]
MaturityLevel = Literal["basic", "average", "more_advanced", "state_of_the_art"]
MaturityDimension = Literal[
    "strategy",
    "stakeholders",
    "governance",
    "funding",
    "value_assessment",
    "business_models",
    "ict_infrastructure",
    "services",
]
RiskAppetite = Literal["low", "medium", "high"]

# Catalogue-side vocabularies.
Jurisdiction = Literal["EU", "CN", "GLOBAL"]
InstrumentKind = Literal[
    "grant",
    "loan",
    "guarantee",
    "equity",
    "financial_instrument",
    "technical_assistance",
    "bond",
    "ppp_structure",
    "performance_contract",
    "value_capture",
    "crowdfunding",
    "procurement",
    "delivery_tool",
]
CostType = Literal["investment", "development", "operation"]
# Cost items a legal basis excludes (e.g. ESF+ Reg. 2021/1057 Art. 16: no infrastructure, land,
# real estate or equipment purchase beyond what its actions need).
ExcludedCost = Literal[
    "infrastructure",
    "equipment",
    "land",
    "housing",
    "recoverable_vat",
    "operating_costs",
    "feasibility_studies",
    "refinancing",
]
# National instrument families a country's coverage is stated in (catalogue/coverage.py).
CoverageFamily = Literal[
    "loans",
    "bonds",
    "grants",
    "guarantees",
    "tax_incentives",
    "equity",
    "development_finance",
    "project_preparation",
]
Status = Literal["active", "closed", "superseded", "prohibited", "market_practice", "proposed"]
Level = Literal["low", "medium", "high"]
CostOfMoney = Literal["free", "concessional", "market", "not_applicable"]
Ownership = Literal["public", "private", "mixed"]

# Currencies the engine can convert (dated rates in catalogue/data/fx_rates.yaml: ECB reference
# rates, KES cross-rated via USD from the Central Bank of Kenya's rate).
Currency = Literal[
    "EUR", "CNY", "USD", "GBP", "CHF", "NOK", "SEK", "DKK", "PLN", "CZK", "HUF", "RON", "INR",
    "KES", "KRW", "JPY", "BRL",
]  # fmt: skip

# ISO 3166-1 alpha-2 officially assigned codes (249).
ISO_COUNTRIES: frozenset[str] = frozenset({
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
    "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
    "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
    "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
    "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
    "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
    "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
    "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
    "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
    "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG",
    "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
    "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
    "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
})  # fmt: skip

MATURITY_ORDER: dict[str, int] = {
    "basic": 0,
    "average": 1,
    "more_advanced": 2,
    "state_of_the_art": 3,
}

# Member states of the European Union since 1 February 2020 (27). Data files may write "@EU27"
# in `eligible_countries` instead of listing them.
EU27: tuple[str, ...] = (
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
    "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
)  # fmt: skip
# World Bank lending categories as served by the World Bank API (lendingTypes) on 2024-07-02
# (fiscal year 2025), read from jpazvd/wbopendata src/w/wbopendata_lendingtype.sthlp ("Lending Type
# (as of 02jul2024)"). The FY2026 and FY2027 lists were not read: changes since July 2024 are not
# applied. Kosovo (World Bank code XKX) has no ISO 3166-1 code and is left out.
WB_IBRD_ONLY: tuple[str, ...] = (
    "AL", "DZ", "AO", "AG", "AR", "AM", "AZ", "BB", "BY", "BO", "BA", "BW", "BR", "BG", "CL",
    "CN", "CO", "CR", "HR", "DO", "EC", "EG", "SV", "GQ", "GA", "GE", "GT", "IN", "ID", "IR",
    "IQ", "JM", "JO", "KZ", "LB", "LY", "MY", "MU", "MX", "MD", "MN", "ME", "MA", "NA", "NR",
    "MK", "PW", "PA", "PY", "PE", "PH", "PL", "RO", "RU", "RS", "SC", "ZA", "KN", "SR", "TH",
    "TT", "TN", "TR", "TM", "UA", "UY", "VE", "VN",
)  # fmt: skip
WB_BLEND: tuple[str, ...] = (
    "BZ", "CV", "CM", "CG", "DM", "SZ", "FJ", "GD", "KE", "NG", "PK", "PG", "LC", "VC", "TL",
    "UZ", "ZW",
)  # fmt: skip
WB_IDA_ONLY: tuple[str, ...] = (
    "AF", "BD", "BJ", "BT", "BF", "BI", "KH", "CF", "TD", "KM", "CD", "CI", "DJ", "ER", "ET",
    "GM", "GH", "GN", "GW", "GY", "HT", "HN", "KI", "KG", "LA", "LS", "LR", "MG", "MW", "MV",
    "ML", "MH", "MR", "FM", "MZ", "MM", "NP", "NI", "NE", "RW", "WS", "ST", "SN", "SL", "SB",
    "SO", "SS", "LK", "SD", "SY", "TJ", "TZ", "TG", "TO", "TV", "UG", "VU", "YE", "ZM",
)  # fmt: skip
# African Development Bank regional member countries: the 54 African states. The list read
# (tfa4africa.com, "African Development Bank Group": "54 African countries are members") names 53;
# the Republic of the Congo (CG), an AfDB regional member it omits, is added to reach its 54.
AFDB_RMC: tuple[str, ...] = (
    "DZ", "AO", "BJ", "BW", "BF", "BI", "CV", "CM", "CF", "TD", "KM", "CD", "CG", "CI", "DJ",
    "EG", "GQ", "ER", "ET", "GA", "GM", "GH", "GN", "GW", "KE", "LS", "LR", "LY", "MG", "MW",
    "ML", "MR", "MA", "MU", "MZ", "NA", "NE", "NG", "RW", "ST", "SN", "SC", "SL", "SO", "ZA",
    "SS", "SD", "SZ", "TZ", "TG", "TN", "UG", "ZM", "ZW",
)  # fmt: skip
# Asian Development Bank developing member countries (adb.org "Lending Policies": classification
# of DMCs, groups A, B and C, i.e. those eligible to borrow; Brunei, Hong Kong, Korea, Singapore
# and Taipei,China are DMCs that have graduated from regular ADB assistance and are not listed).
ADB_BORROWERS: tuple[str, ...] = (
    "AF", "BT", "KH", "KI", "KG", "LA", "MV", "MH", "MM", "NR", "NP", "WS", "SB", "TJ", "TO",
    "TV", "VU", "AM", "BD", "GE", "IN", "FM", "MN", "PK", "PW", "PG", "LK", "TL", "UZ", "VN",
    "AZ", "CN", "CK", "FJ", "ID", "KZ", "MY", "PH", "TH", "TM",
)  # fmt: skip
COUNTRY_GROUPS: dict[str, tuple[str, ...]] = {
    "@EU27": EU27,
    "@IBRD": WB_IBRD_ONLY + WB_BLEND,
    "@IDA": WB_IDA_ONLY + WB_BLEND,
    "@AFDB_RMC": AFDB_RMC,
    "@ADB_DMC": ADB_BORROWERS,
}


def codes(literal: object) -> list[str]:
    """The codes of one Literal vocabulary, in declaration order."""
    return list(get_args(literal))


VOCABULARY: dict[str, list[str]] = {
    "sector": codes(Sector),
    "stage": codes(Stage),
    "revenue_stream": codes(RevenueStream),
    "applicant": codes(Applicant),
    "region_category": codes(RegionCategory),
    "maturity_level": codes(MaturityLevel),
    "maturity_dimension": codes(MaturityDimension),
    "risk_appetite": codes(RiskAppetite),
    "jurisdiction": codes(Jurisdiction),
    "instrument_kind": codes(InstrumentKind),
    "cost_type": codes(CostType),
    "status": codes(Status),
    "currency": codes(Currency),
    "coverage_family": codes(CoverageFamily),
}
