"""Each rule pack alone: parametrised tables of profile + instrument -> the rules that fire."""

from typing import Any

import pytest

from advisor.engine import catalogue_facts, instrument_fact, model_fact, project_fact
from catalogue.schema import BusinessModelRecord
from rules.business_models import BusinessModelRules
from rules.eligibility import EligibilityRules
from rules.engine import CollectsFindings
from rules.eu import EURules
from rules.scoring import ScoringRules
from rules.structures import StructureRules
from tests.builders import make_profile
from tests.rules.packs import POLICY, SOURCE, fired, record
from tests.rules.test_packs_china import CHINA, CITY_DEBT, FISCAL_CAPS, GENERAL_BOND_CASES

ELIGIBILITY = [
    # (rule, profile, instrument, fires)
    ("exclude_outside_reach", {"country": "CN"}, {"eligible_countries": ["@EU27"]}, True),
    ("exclude_outside_reach", {"country": "LT"}, {"eligible_countries": ["@EU27"]}, False),
    ("exclude_outside_reach", {"country": "CN"}, {}, False),
    # the UK: a member state until 2020-01-31 (TEU Art. 50), then outside
    ("exclude_outside_reach", {"country": "GB", "as_of": "2020-01-31"}, {"eligible_countries": ["@EU27"], "reach": [{"countries": ["GB"], "valid_to": "2020-01-31", "basis": "member state"}]}, False),
    ("exclude_outside_reach", {"country": "GB", "as_of": "2020-02-01"}, {"eligible_countries": ["@EU27"], "reach": [{"countries": ["GB"], "valid_to": "2020-01-31", "basis": "member state"}]}, True),
    # an association window opens on its date
    ("exclude_outside_reach", {"country": "NO", "as_of": "2020-12-31"}, {"eligible_countries": ["@EU27"], "reach": [{"countries": ["NO"], "valid_from": "2021-01-01", "basis": "association"}]}, True),
    ("exclude_outside_reach", {"country": "NO", "as_of": "2021-01-01"}, {"eligible_countries": ["@EU27"], "reach": [{"countries": ["NO"], "valid_from": "2021-01-01", "basis": "association"}]}, False),
    # an unfunded window: entities take part at their own cost, even where the record is open
    ("exclude_outside_reach", {"country": "CN"}, {"reach": [{"countries": ["CN"], "basis": "not funded", "funded": False}]}, True),
    ("exclude_ineligible_applicant", {"applicant": "sme"}, {"applicant_types": ["municipality"]}, True),
    ("exclude_ineligible_applicant", {"applicant": "municipality"}, {"applicant_types": ["municipality"]}, False),
    ("exclude_ineligible_sector", {"sector": "water"}, {"sectors": ["transport"]}, True),
    ("exclude_ineligible_sector", {"sector": "multi_sector", "sectors": ["transport"]}, {"sectors": ["transport"]}, False),
    ("exclude_ineligible_stage", {"stage": "deployment"}, {"stages": ["research", "pilot"]}, True),
    ("exclude_ineligible_stage", {"stage": "operation"}, {"stages": ["deployment"]}, True),
    ("exclude_ineligible_stage", {"stage": "planning"}, {"stages": ["pilot"]}, True),
    ("exclude_ineligible_stage", {"stage": "deployment"}, {"stages": ["deployment"]}, False),
    # phases, not walls: a later phase keeps the instrument
    ("exclude_ineligible_stage", {"stage": "planning"}, {"stages": ["deployment"]}, False),
    ("exclude_ineligible_stage", {"stage": "research"}, {"stages": ["demonstration"]}, False),
    ("exclude_project_below_minimum_size", {"capex": {"amount": 18e6}}, {"min_project_cost": 30e6}, True),
    ("exclude_project_below_minimum_size", {"capex": {"amount": 31e6}}, {"min_project_cost": 30e6}, False),
    ("exclude_project_above_maximum_size", {"capex": {"amount": 6e6}}, {"max_project_cost": 5e6}, True),
    ("exclude_project_above_maximum_size", {"capex": {"amount": 4e6}}, {"max_project_cost": 5e6}, False),
    ("exclude_costs_below_minimum_ticket", {"capex": {"amount": 2e6}}, {"kind": "loan", "min_ticket": 5e6}, True),
    ("exclude_costs_below_minimum_ticket", {"capex": {"amount": 9e6}}, {"kind": "loan", "min_ticket": 5e6}, False),
    # a EUR 25m minimum loan at most 50% of the cost needs a EUR 50m project
    ("exclude_costs_below_minimum_ticket", {"capex": {"amount": 45e6}}, {"kind": "loan", "min_ticket": 25e6, "max_share_of_cost": 0.5}, True),
    ("exclude_costs_below_minimum_ticket", {"capex": {"amount": 50e6}}, {"kind": "loan", "min_ticket": 25e6, "max_share_of_cost": 0.5}, False),
    ("exclude_without_required_revenue", {"revenue_streams": ["none"]}, {"revenue_required": True}, True),
    ("exclude_without_required_revenue", {"revenue_streams": ["fines"]}, {"revenue_required": True}, False),
    ("exclude_without_accepted_revenue", {"revenue_streams": ["fines"]}, {"revenue_required": True, "revenue_streams_any": ["user_fees"]}, True),
    ("exclude_without_accepted_revenue", {"revenue_streams": ["fines"]}, {"revenue_streams_any": ["user_fees"]}, True),
    ("exclude_without_accepted_revenue", {"revenue_streams": ["user_fees"]}, {"revenue_required": True, "revenue_streams_any": ["user_fees"]}, False),
    ("exclude_city_below_minimum_population", {"population": 20_000}, {"min_population": 25_000}, True),
    ("exclude_city_below_minimum_population", {"population": 30_000}, {"min_population": 25_000}, False),
    ("exclude_city_population_not_given", {}, {"min_population": 25_000}, True),
    ("exclude_city_population_not_given", {"population": 30_000}, {"min_population": 25_000}, False),
    ("exclude_city_population_not_given", {}, {}, False),
    ("exclude_consortium_too_small", {"partners": {"countries": 2}}, {"min_partner_countries": 3}, True),
    ("exclude_consortium_too_small", {"partners": {"countries": 3}}, {"min_partner_countries": 3}, False),
    ("exclude_closed_on_as_of", {"as_of": "2021-01-01"}, {"valid_to": "2020-12-31", "status": "closed"}, True),
    ("exclude_closed_on_as_of", {"as_of": "2020-12-31"}, {"valid_to": "2020-12-31", "status": "closed"}, False),
    ("exclude_not_yet_open_on_as_of", {"as_of": "2014-08-01"}, {"valid_from": "2021-01-01"}, True),
    ("exclude_not_yet_open_on_as_of", {"as_of": "2021-01-01"}, {"valid_from": "2021-01-01"}, False),
    ("exclude_prohibited_instrument", {}, {"status": "prohibited"}, True),
    ("exclude_prohibited_instrument", {}, {"status": "active"}, False),
    # the prohibition follows its date: lawful the day before
    ("exclude_prohibited_instrument", {"as_of": "2014-10-01"}, {"status": "prohibited", "prohibited_from": "2014-10-02"}, False),
    ("exclude_prohibited_instrument", {"as_of": "2014-10-02"}, {"status": "prohibited", "prohibited_from": "2014-10-02"}, True),
    ("exclude_prohibited_in_country", {"country": "CN"}, {"params": {"prohibited_countries": "CN", "prohibited_since": "2012-12-24"}}, True),
    ("exclude_prohibited_in_country", {"country": "CN", "as_of": "2012-01-01"}, {"params": {"prohibited_countries": "CN", "prohibited_since": "2012-12-24"}}, False),
    ("exclude_prohibited_in_country", {"country": "FR"}, {"params": {"prohibited_countries": "CN"}}, False),
    # Budget Law Art. 35: a Chinese local government borrows only by local government bonds,
    # so a bond of its own is prohibited for it, not for a company in the same country
    ("exclude_prohibited_in_country", {"country": "CN", "applicant": "municipality"}, {"params": {"prohibited_countries": "CN", "prohibited_applicants": "municipality, regional_authority"}}, True),
    ("exclude_prohibited_in_country", {"country": "CN", "applicant": "regional_authority"}, {"params": {"prohibited_countries": "CN", "prohibited_applicants": "municipality, regional_authority"}}, True),
    ("exclude_prohibited_in_country", {"country": "CN", "applicant": "municipal_company"}, {"params": {"prohibited_countries": "CN", "prohibited_applicants": "municipality, regional_authority"}}, False),
    ("exclude_prohibited_in_country", {"country": "US", "applicant": "municipality"}, {"params": {"prohibited_countries": "CN", "prohibited_applicants": "municipality, regional_authority"}}, False),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "profile", "instrument", "fires"), ELIGIBILITY)
def test_eligibility_pack(rule: str, profile: dict, instrument: dict, fires: bool) -> None:
    assert (rule in fired(EligibilityRules, profile, record(**instrument))) is fires


def test_unconfirmed_field_gives_a_soft_criterion() -> None:
    engine_class = type("OnlyEligibility", (CollectsFindings, EligibilityRules), {})
    engine = engine_class()
    engine.reset()
    same = lambda amount, currency: amount  # noqa: E731
    rec = record(min_population=25_000, unconfirmed=["min_population"])
    engine.declare(*catalogue_facts([instrument_fact(rec, same)], []))
    engine.declare(project_fact(make_profile(population=20_000), same))
    engine.run()
    criteria = list(engine.findings)
    assert [c["hard"] for c in criteria] == [False]


EU = [
    ("caution_region_category_unknown", {"region_category": None},
     {"jurisdiction": "EU", "co_financing": [{"rate": 0.85, "region_category": "less_developed"}]}, True),
    ("caution_region_category_unknown", {"region_category": "transition"},
     {"jurisdiction": "EU", "co_financing": [{"rate": 0.85, "region_category": "less_developed"}]}, False),
    # 2014-2020 rates read in 2022: the 2021-2027 category does not give the 2014-2020 one
    ("caution_region_category_unknown", {"region_category": "transition", "as_of": "2022-06-01"},
     {"jurisdiction": "EU", "co_financing": [{"rate": 0.6, "region_category": "transition", "period": "2014-2020"}]}, True),
    ("caution_region_category_unknown", {"region_category": "transition", "region_category_2014_2020": "more_developed", "as_of": "2022-06-01"},
     {"jurisdiction": "EU", "co_financing": [{"rate": 0.6, "region_category": "transition", "period": "2014-2020"}]}, False),
    ("caution_region_category_unknown", {"region_category": "transition", "as_of": "2016-06-01"},
     {"jurisdiction": "EU", "co_financing": [{"rate": 0.6, "region_category": "transition", "period": "2014-2020"}]}, False),
    ("caution_state_aid_for_undertakings", {"applicant": "sme"}, {"jurisdiction": "EU", "eu_funds": True}, True),
    ("caution_state_aid_for_undertakings", {"applicant": "municipality"}, {"jurisdiction": "EU", "eu_funds": True}, False),
    ("caution_no_double_funding_of_eu_grants", {}, {"jurisdiction": "EU", "eu_funds": True}, True),
    ("caution_no_double_funding_of_eu_grants", {}, {"jurisdiction": "EU", "eu_funds": False}, False),
    ("caution_previous_region_category_unknown", {"region_category": "transition"},
     {"jurisdiction": "EU", "co_financing": [{"rate": 0.6, "region_category": "transition"}, {"rate": 0.7, "region_category": "transition", "previous_region_category": ["less_developed"]}]}, True),
    ("caution_previous_region_category_unknown", {"region_category": "transition", "region_category_2014_2020": "transition"},
     {"jurisdiction": "EU", "co_financing": [{"rate": 0.6, "region_category": "transition"}, {"rate": 0.7, "region_category": "transition", "previous_region_category": ["less_developed"]}]}, False),
    ("caution_previous_region_category_unknown", {"region_category": "less_developed"},
     {"jurisdiction": "EU", "co_financing": [{"rate": 0.6, "region_category": "transition"}, {"rate": 0.7, "region_category": "transition", "previous_region_category": ["less_developed"]}]}, False),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "profile", "instrument", "fires"), EU)
def test_eu_pack(rule: str, profile: dict, instrument: dict, fires: bool) -> None:
    assert (rule in fired(EURules, profile, record(**instrument))) is fires


STRUCTURES = [
    ("caution_private_ownership_reluctance_in_us", {"country": "US"}, True),
    ("caution_private_ownership_reluctance_in_us", {"country": "FR"}, False),
    ("caution_ppp_needs_capacity_building", {"city_maturity": {"governance": "basic"}}, True),
    ("caution_ppp_needs_capacity_building", {"city_maturity": {"governance": "average"}}, False),
]


@pytest.mark.parametrize(("rule", "profile", "fires"), STRUCTURES)
def test_structures_pack(rule: str, profile: dict, fires: bool) -> None:
    structure = record(
        kind="ppp_structure", params={"private_ownership_reluctance_countries": "US, CA"}
    )
    assert (rule in fired(StructureRules, profile, structure)) is fires


def test_reluctance_countries_come_from_the_catalogue() -> None:
    """The caution follows the structure's own params, not a hard-coded country."""
    structure = record(
        kind="ppp_structure", params={"private_ownership_reluctance_countries": "CA"}
    )
    assert "caution_private_ownership_reluctance_in_us" in fired(
        StructureRules, {"country": "CA"}, structure
    )
    assert "caution_private_ownership_reluctance_in_us" not in fired(
        StructureRules, {"country": "US"}, structure
    )


SCORING = [
    ("score_sector_fit", {"sector": "transport"}, {"sectors": ["transport"]}, True),
    ("score_sector_fit", {"sector": "transport"}, {}, False),
    ("score_stage_fit", {"stage": "pilot"}, {"stages": ["pilot"]}, True),
    ("score_stage_fit", {"stage": "pilot"}, {}, False),
    ("score_applicant_named", {"applicant": "sme"}, {"applicant_types": ["sme"]}, True),
    ("score_country_named", {"country": "SE"}, {"eligible_countries": ["SE"]}, True),
    ("score_country_named", {"country": "SE"}, {}, False),
    ("score_cost_coverage", {}, {}, True),
    ("score_cost_of_money", {}, {"cost_of_money": "free"}, True),
    ("score_cost_of_money", {}, {"cost_of_money": "market"}, False),
    ("score_revenue_alignment", {"revenue_streams": ["user_fees"]}, {"revenue_streams_any": ["user_fees"]}, True),
    ("score_revenue_alignment", {"revenue_streams": ["fines"]}, {"revenue_streams_any": ["user_fees"]}, False),
    ("score_public_funding_for_non_commercial_project", {"revenue_streams": ["fines"]}, {"cost_of_money": "free"}, True),
    ("score_public_funding_for_non_commercial_project", {"revenue_streams": ["user_fees"]}, {"cost_of_money": "free"}, False),
    ("score_maturity_gap", {"city_maturity": {"governance": "basic"}}, {"min_maturity": "more_advanced"}, True),
    ("score_maturity_gap", {"city_maturity": {"governance": "more_advanced"}}, {"min_maturity": "more_advanced"}, False),
    ("score_maturity_gap", {}, {"min_maturity": "more_advanced"}, False),
    ("score_complexity_for_city_maturity", {"city_maturity": {"governance": "basic"}}, {"complexity": "high"}, True),
    ("score_complexity_for_city_maturity", {"city_maturity": {"governance": "basic"}}, {"complexity": "low"}, True),
    ("score_complexity_for_city_maturity", {"city_maturity": {"governance": "state_of_the_art"}}, {"complexity": "high"}, False),
    ("score_complexity_for_city_maturity", {}, {"complexity": "high"}, False),
    ("score_technical_assistance_first_for_basic_city", {"city_maturity": {"funding": "basic"}}, {"kind": "technical_assistance"}, True),
    ("score_technical_assistance_first_for_basic_city", {"city_maturity": {"funding": "average"}}, {"kind": "technical_assistance"}, False),
    ("score_risk_transfer_fit", {"preferences": {"risk_appetite": "low"}}, {"risk_transfer": "high"}, True),
    ("score_risk_transfer_fit", {"preferences": {"risk_appetite": "low"}}, {"risk_transfer": "low"}, False),
    ("score_public_ownership_conflict", {"preferences": {"keep_public_ownership": True}}, {"kind": "ppp_structure"}, True),
    ("score_public_ownership_conflict", {"preferences": {"keep_public_ownership": False}}, {"kind": "ppp_structure"}, False),
    ("score_pays_operating_costs_in_operation", {"stage": "operation"}, {"costs_covered": ["operation"]}, True),
    ("score_pays_operating_costs_in_operation", {"stage": "deployment"}, {"costs_covered": ["operation"]}, False),
    ("caution_does_not_fund_investment", {}, {"costs_covered": ["development"]}, True),
    ("caution_does_not_fund_investment", {}, {"costs_covered": ["investment"]}, False),
    ("caution_grant_dependence_in_operation", {"stage": "operation"}, {"kind": "grant"}, True),
    ("caution_grant_dependence_in_operation", {"stage": "operation"}, {"kind": "loan"}, False),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "profile", "instrument", "fires"), SCORING)
def test_scoring_pack(rule: str, profile: dict, instrument: dict, fires: bool) -> None:
    assert (rule in fired(ScoringRules, profile, record(**instrument))) is fires


def model(**overrides: Any) -> BusinessModelRecord:
    data: dict[str, Any] = {
        "id": "model_x",
        "name_en": "X",
        "name_zh": "X",
        "description": "test model",
        "ownership": "mixed",
        "sources": [SOURCE],
    }
    data.update(overrides)
    return BusinessModelRecord.model_validate(data)


def fired_for_model(profile_overrides: dict[str, Any], bm: BusinessModelRecord) -> set[str]:
    engine = type("OnlyModels", (CollectsFindings, BusinessModelRules), {})()
    engine.reset()
    same = lambda amount, currency: amount  # noqa: E731
    engine.declare(*catalogue_facts([instrument_fact(record(**POLICY), same)], [model_fact(bm)]))
    engine.declare(project_fact(make_profile(**profile_overrides), same))
    engine.run()
    return {f["rule"] for f in engine.findings}


def _asset(fits: bool, **fields: Any) -> dict[str, Any]:
    entry = {"id": "asset_x", "fits": fits, "asset": "an asset", "reason": "a source says so"}
    return {"asset_fit": [{**entry, **fields}]}


def _incentive(**dates: str) -> dict[str, Any]:
    entry = {"id": "incentive_x", "countries": ["CN"], "valid_from": "2011-01-01",
             "legal_basis": "an act", "text": "a reward"}  # fmt: skip
    return {"incentives": [{**entry, **dates}]}


TRANSIT_MISFIT = _asset(False, sectors=["transport"], revenue_includes=["availability_payments"])
WATER_MISFIT = _asset(False, sectors=["water"], applicants=["municipal_company"])
FIBRE_FIT = _asset(
    True, sectors=["ict_broadband"], applicants=["municipality", "municipal_company"],
    jurisdictions=["EU"],
)  # fmt: skip
CN_RELIEF = _incentive(confirmed_to="2019-01-01")  # end unknown, last confirmed 2019-01-01
CN_ENDED = _incentive(valid_to="2015-12-31")
CN_OPEN = _incentive()  # no end and nothing confirms it later than its start

MODELS = [
    ("exclude_model_banned_in_country", {"country": "CN"}, {"banned_in": ["CN"], "banned_since": "2012-12-24"}, True),
    ("exclude_model_banned_in_country", {"country": "CN", "as_of": "2010-01-01"}, {"banned_in": ["CN"], "banned_since": "2012-12-24"}, False),
    ("exclude_model_banned_in_country", {"country": "FR"}, {"banned_in": ["CN"]}, False),
    ("exclude_model_not_allowed_in_china_after_reform", {"country": "CN"}, {"allowed_in_cn_after_2023": False}, True),
    ("exclude_model_not_allowed_in_china_after_reform", {"country": "CN", "as_of": "2020-01-01"}, {"allowed_in_cn_after_2023": False}, False),
    ("exclude_model_not_allowed_in_china_after_reform", {"country": "CN"}, {"allowed_in_cn_after_2023": True}, False),
    ("exclude_model_without_its_revenue", {"revenue_streams": ["fines"]}, {"revenue_streams": ["user_fees"]}, True),
    ("exclude_model_without_its_revenue", {"revenue_streams": ["user_fees"]}, {"revenue_streams": ["user_fees"]}, False),
    ("exclude_model_outside_its_sectors", {"sector": "water"}, {"sectors": ["transport"]}, True),
    ("exclude_model_outside_its_sectors", {"sector": "transport"}, {"sectors": ["transport"]}, False),
    ("exclude_model_outside_its_jurisdictions", {"country": "FR"}, {"jurisdictions": ["CN"]}, True),
    ("exclude_model_outside_its_jurisdictions", {"country": "CN"}, {"jurisdictions": ["CN"]}, False),
    ("score_model_revenue_fit", {"revenue_streams": ["fines"]}, {"revenue_streams": ["fines"]}, True),
    ("score_model_revenue_fit", {"revenue_streams": ["user_fees"]}, {"revenue_streams": ["fines"]}, False),
    ("score_model_sector_fit", {"sector": "transport"}, {"sectors": ["transport"]}, True),
    ("score_model_sector_fit", {"sector": "transport"}, {}, False),
    ("score_model_jurisdiction_named", {"country": "CN"}, {"jurisdictions": ["CN"]}, True),
    ("score_model_jurisdiction_named", {"country": "CN"}, {}, False),
    ("score_model_stage_fit", {"stage": "operation"}, {"stages": ["operation"]}, True),
    ("score_model_stage_fit", {"stage": "deployment"}, {"stages": ["operation"]}, False),
    ("score_model_precedents", {}, {"recorded_cases": [{"city": "Korla", "lines": "L4066"}]}, True),
    ("score_model_precedents", {}, {}, False),
    ("score_model_public_delivery_for_non_commercial_project", {"revenue_streams": ["none"]}, {"ownership": "public"}, True),
    ("score_model_public_delivery_for_non_commercial_project", {"revenue_streams": ["user_fees"]}, {"ownership": "public"}, False),
    ("score_model_ownership_mix_fit", {"preferences": {"max_private_share": 0.6}}, {"ownership": "mixed"}, True),
    ("score_model_ownership_mix_fit", {"preferences": {"max_private_share": 0.6}}, {"ownership": "public"}, False),
    ("score_model_ownership_mix_fit", {}, {"ownership": "mixed"}, False),
    ("score_model_shared_ownership_with_industry_partner", {"partners": {"industry": True}}, {"ownership": "mixed"}, True),
    ("score_model_shared_ownership_with_industry_partner", {"partners": {"industry": False}}, {"ownership": "mixed"}, False),
    ("score_model_private_ownership_conflict", {"preferences": {"keep_public_ownership": True}}, {"ownership": "private"}, True),
    ("score_model_private_ownership_conflict", {"preferences": {"keep_public_ownership": True}}, {"ownership": "public"}, False),
    ("score_model_maturity_gap", {"city_maturity": {"governance": "basic"}}, {"min_maturity": "average"}, True),
    ("score_model_maturity_gap", {"city_maturity": {"governance": "average"}}, {"min_maturity": "average"}, False),
    ("score_model_risk_appetite_fit", {"preferences": {"risk_appetite": "low"}}, {"risk_appetite": ["low"]}, True),
    ("score_model_risk_appetite_fit", {}, {"risk_appetite": ["low"]}, False),
    # who pays: user fees, parking and value-added services -> users; availability payments;
    # savings; no commercial revenue, fines or taxes -> the public budget
    ("score_model_paid_by_who_pays", {"revenue_streams": ["availability_payments"]}, {"payer": ["availability_payments"]}, True),
    ("score_model_paid_by_who_pays", {"revenue_streams": ["user_fees"]}, {"payer": ["availability_payments"]}, False),
    ("score_model_paid_by_who_pays", {"revenue_streams": ["parking_fees"]}, {"payer": ["users"]}, True),
    ("score_model_paid_by_who_pays", {"revenue_streams": ["energy_savings"]}, {"payer": ["savings"]}, True),
    ("score_model_paid_by_who_pays", {"revenue_streams": ["energy_savings"]}, {"payer": ["users"]}, False),
    ("score_model_paid_by_who_pays", {"revenue_streams": ["none"]}, {"payer": ["public_budget"]}, True),
    ("score_model_paid_by_who_pays", {"revenue_streams": ["fines"]}, {"payer": ["public_budget"]}, True),
    ("score_model_paid_by_who_pays", {"revenue_streams": ["user_fees"]}, {"payer": ["public_budget"]}, False),
    ("score_model_paid_by_who_pays", {"revenue_streams": ["user_fees"]}, {}, False),
    # an asset the sources say fares do not carry: a transit service the authority pays for
    ("score_model_against_the_asset", {"sector": "transport", "revenue_streams": ["user_fees", "availability_payments"]}, TRANSIT_MISFIT, True),
    ("score_model_against_the_asset", {"sector": "transport", "revenue_streams": ["availability_payments"]}, TRANSIT_MISFIT, True),
    ("score_model_against_the_asset", {"sector": "transport", "revenue_streams": ["user_fees"]}, TRANSIT_MISFIT, False),
    ("score_model_against_the_asset", {"sector": "water", "revenue_streams": ["availability_payments"]}, TRANSIT_MISFIT, False),
    # the asset is the project's main sector, not one of its other sectors
    ("score_model_against_the_asset", {"sector": "multi_sector", "sectors": ["transport"], "revenue_streams": ["availability_payments"]}, TRANSIT_MISFIT, False),
    ("score_model_against_the_asset", {"sector": "water", "applicant": "municipal_company", "revenue_streams": ["user_fees"]}, WATER_MISFIT, True),
    ("score_model_against_the_asset", {"sector": "water", "applicant": "municipality", "revenue_streams": ["user_fees"]}, WATER_MISFIT, False),
    ("score_model_against_the_asset", {"sector": "ict_broadband", "country": "SE", "revenue_streams": ["user_fees"]}, FIBRE_FIT, False),
    ("score_model_named_for_the_asset", {"sector": "ict_broadband", "country": "SE", "revenue_streams": ["user_fees"]}, FIBRE_FIT, True),
    ("score_model_named_for_the_asset", {"sector": "ict_broadband", "country": "SE", "applicant": "sme", "revenue_streams": ["user_fees"]}, FIBRE_FIT, False),
    ("score_model_named_for_the_asset", {"sector": "ict_broadband", "country": "CN", "revenue_streams": ["user_fees"]}, FIBRE_FIT, False),
    ("score_model_named_for_the_asset", {"sector": "transport", "revenue_streams": ["availability_payments"]}, TRANSIT_MISFIT, False),
    # a dated incentive: in force from valid_from to valid_to, or to the last confirmed date
    ("score_model_rewarded_by_incentive_in_force", {"country": "CN", "as_of": "2014-06-01"}, CN_RELIEF, True),
    ("score_model_rewarded_by_incentive_in_force", {"country": "CN", "as_of": "2010-12-31"}, CN_RELIEF, False),
    ("score_model_rewarded_by_incentive_in_force", {"country": "CN", "as_of": "2019-01-02"}, CN_RELIEF, False),
    ("score_model_rewarded_by_incentive_in_force", {"country": "VN", "as_of": "2014-06-01"}, CN_RELIEF, False),
    ("score_model_rewarded_by_incentive_in_force", {"country": "CN", "as_of": "2015-12-31"}, CN_ENDED, True),
    ("score_model_rewarded_by_incentive_in_force", {"country": "CN", "as_of": "2016-01-01"}, CN_ENDED, False),
    ("score_model_rewarded_by_incentive_in_force", {"country": "CN", "as_of": "2014-06-01"}, CN_OPEN, False),
    ("caution_model_incentive_status_unconfirmed", {"country": "CN", "as_of": "2019-01-02"}, CN_RELIEF, True),
    ("caution_model_incentive_status_unconfirmed", {"country": "CN", "as_of": "2014-06-01"}, CN_OPEN, True),
    ("caution_model_incentive_status_unconfirmed", {"country": "CN", "as_of": "2014-06-01"}, CN_RELIEF, False),
    ("caution_model_incentive_status_unconfirmed", {"country": "CN", "as_of": "2016-01-01"}, CN_ENDED, False),
    ("caution_model_incentive_status_unconfirmed", {"country": "CN", "as_of": "2010-06-01"}, CN_RELIEF, False),
    ("caution_model_incentive_status_unconfirmed", {"country": "FR", "as_of": "2019-01-02"}, CN_RELIEF, False),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "profile", "bm", "fires"), MODELS)
def test_business_model_pack(rule: str, profile: dict, bm: dict, fires: bool) -> None:
    assert (rule in fired_for_model(profile, model(**bm))) is fires


def test_every_rule_has_a_pack_test() -> None:
    from rules._experta import Rule
    from rules.engine import PACKS

    tables = (
        ELIGIBILITY,
        EU,
        CHINA,
        FISCAL_CAPS,
        CITY_DEBT,
        GENERAL_BOND_CASES,
        STRUCTURES,
        SCORING,
        MODELS,
    )
    tested = {row[0] for table in tables for row in table}
    tested.add("exclude_government_pay_ppp_in_china_after_reform")
    names = {n for pack in PACKS for n, obj in vars(pack).items() if isinstance(obj, Rule)}
    assert names <= tested, names - tested
