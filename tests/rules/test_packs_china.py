"""China's rule pack alone: the 2023 reform, the fiscal caps on PPP, city companies' debt and
the general bond, each a table of profile + records -> whether the rule fires."""

import pytest

from rules.china import ChinaRules
from tests.rules.packs import POLICY, fired, record

CHINA = [
    ("exclude_government_pay_ppp_in_china_after_reform",
     {"country": "CN", "revenue_streams": ["availability_payments"]}, True),
    ("exclude_government_pay_ppp_in_china_after_reform",
     {"country": "CN", "revenue_streams": ["user_fees"]}, False),
    ("exclude_government_pay_ppp_in_china_after_reform",
     {"country": "CN", "revenue_streams": ["availability_payments"], "as_of": "2020-01-01"}, False),
    ("exclude_government_pay_ppp_in_china_after_reform",
     {"country": "FR", "revenue_streams": ["availability_payments"]}, False),
    ("caution_ppp_payments_above_legacy_fiscal_cap", {"country": "CN", "fiscal": {"ppp_payments_share": 0.12}}, True),
    ("caution_ppp_payments_above_legacy_fiscal_cap", {"country": "CN", "fiscal": {"ppp_payments_share": 0.08}}, False),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "profile", "fires"), CHINA)
def test_china_pack(rule: str, profile: dict, fires: bool) -> None:
    ppp = record(id="bot_like", kind="ppp_structure")
    assert (rule in fired(ChinaRules, profile, record(**POLICY), ppp)) is fires


# The legacy MoF regime's fiscal caps (instrument_facts.md CN1 [5][6]; cls.cn report of the MoF
# notice of 18 Nov 2022: "PPP项目财政支出责任超过10%红线的地区,不得新上PPP项目;PPP项目财政支出责任超过
# 5%的地区,不得新上政府付费PPP项目"): binding from the dates the record gives to its valid_to.
LEGACY = {
    "id": "cn_legacy_ppp", "jurisdiction": "CN", "kind": "ppp_structure", "valid_to": "2023-11-03",
    "params": {"fiscal_cap_share_of_general_budget": 0.10, "fiscal_cap_binding_since": "2019-03-07",
               "government_pay_ppp_threshold_share": 0.05,
               "government_pay_threshold_since": "2022-11-18",
               "user_pays_streams": "user_fees, parking_fees"},
}  # fmt: skip
TEN, FIVE = (
    "exclude_ppp_above_fiscal_cap_in_china",
    "exclude_government_pay_ppp_above_threshold_in_china",
)
FISCAL_CAPS = [
    (TEN, {"as_of": "2020-06-01", "fiscal": {"ppp_payments_share": 0.12}}, True),
    (TEN, {"as_of": "2020-06-01", "fiscal": {"ppp_payments_share": 0.10}}, False),  # at the cap
    (TEN, {"as_of": "2018-06-01", "fiscal": {"ppp_payments_share": 0.12}}, False),  # before 2019
    (TEN, {"as_of": "2024-06-01", "fiscal": {"ppp_payments_share": 0.12}}, False),  # regime ended
    (TEN, {"as_of": "2020-06-01"}, False),  # share not stated
    (FIVE, {"as_of": "2023-03-01", "revenue_streams": ["availability_payments"],
            "fiscal": {"ppp_payments_share": 0.07}}, True),
    (FIVE, {"as_of": "2023-03-01", "revenue_streams": ["user_fees", "availability_payments"],
            "fiscal": {"ppp_payments_share": 0.07}}, False),  # viability gap, not government-pay
    (FIVE, {"as_of": "2022-06-01", "revenue_streams": ["availability_payments"],
            "fiscal": {"ppp_payments_share": 0.07}}, False),  # before the 2022 notice
    (FIVE, {"as_of": "2023-03-01", "revenue_streams": ["availability_payments"],
            "fiscal": {"ppp_payments_share": 0.05}}, False),  # at the threshold
]  # fmt: skip


@pytest.mark.parametrize(("rule", "profile", "fires"), FISCAL_CAPS)
def test_china_fiscal_caps_exclude_new_ppp(rule: str, profile: dict, fires: bool) -> None:
    ppp = record(id="bot_like", kind="ppp_structure")
    findings = fired(ChinaRules, {"country": "CN", **profile}, record(**LEGACY), ppp)
    assert (rule in findings) is fires


# Guofa [2014] 43 (dated 2014-09-21): city companies stripped of government financing; a loan
# or bond to one for a project without revenue of its own would be the city's debt
LGFV = {"id": "cn_lgfv_like", "jurisdiction": "CN", "kind": "loan", "eligible_countries": ["CN"],
        "params": {"city_company_debt_needs_revenue_since": "2014-09-21"}}  # fmt: skip
DEBT = "exclude_city_company_debt_without_revenue_in_china"
CITY_DEBT = [
    (DEBT, {"applicant": "municipal_company", "revenue_streams": ["none"], "as_of": "2016-01-01"}, "loan", True),
    (DEBT, {"applicant": "municipal_company", "revenue_streams": ["none"], "as_of": "2016-01-01"}, "bond", True),
    (DEBT, {"applicant": "municipal_company", "revenue_streams": ["user_fees"], "as_of": "2016-01-01"}, "loan", False),
    (DEBT, {"applicant": "municipal_company", "revenue_streams": ["none"], "as_of": "2014-09-20"}, "loan", False),
    (DEBT, {"applicant": "large_enterprise", "revenue_streams": ["none"], "as_of": "2016-01-01"}, "loan", False),
    (DEBT, {"applicant": "municipal_company", "revenue_streams": ["none"], "as_of": "2016-01-01"}, "grant", False),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "profile", "kind", "fires"), CITY_DEBT)
def test_china_city_company_debt_needs_revenue(
    rule: str, profile: dict, kind: str, fires: bool
) -> None:
    lender = record(id="lender", kind=kind, eligible_countries=["CN"])
    findings = fired(ChinaRules, {"country": "CN", **profile}, record(**LGFV), lender)
    assert (rule in findings) is fires


# Guofa [2014] 43: "没有收益的公益性事业发展由地方政府发行一般债券融资。有一定收益的由地方政府通过发行
# 专项债券融资" - a project with revenue a special bond is repaid from takes no general bond
GENERAL = {"id": "cn_general_like", "jurisdiction": "CN", "kind": "bond", "eligible_countries": ["CN"],
           "params": {"general_bond_form_since": "2015-01-01",
                      "special_bond_revenue": "user_fees, parking_fees"}}  # fmt: skip
NO_GENERAL = "exclude_general_bond_for_project_with_revenue_in_china"
GENERAL_BOND_CASES = [
    (NO_GENERAL, {"revenue_streams": ["user_fees"], "as_of": "2016-01-01"}, True),
    (NO_GENERAL, {"revenue_streams": ["energy_savings"], "as_of": "2016-01-01"}, False),
    (NO_GENERAL, {"revenue_streams": ["none"], "as_of": "2016-01-01"}, False),
    (NO_GENERAL, {"revenue_streams": ["user_fees"], "as_of": "2014-12-31"}, False),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "profile", "fires"), GENERAL_BOND_CASES)
def test_china_general_bond_only_without_revenue(rule: str, profile: dict, fires: bool) -> None:
    other = record(id="other_bond", kind="bond", eligible_countries=["CN"])
    findings = fired(ChinaRules, {"country": "CN", **profile}, record(**GENERAL), other)
    assert (rule in findings) is fires


@pytest.mark.parametrize(
    ("kind", "params", "revenue", "fires"),
    [
        # foreign equity in a city's project is the private partner of a PPP: after the reform
        # it needs user-pays revenue (Guo Ban Han [2023] 115; seed §5.1.12 L2464: foreign
        # investment is social capital)
        ("equity", {"private_partner_in_public_project": True}, ["availability_payments"], True),
        ("equity", {"private_partner_in_public_project": True}, ["user_fees"], False),
        # equity that is not a public project's partner, or a flag that is not set
        ("equity", {}, ["availability_payments"], False),
        ("equity", {"private_partner_in_public_project": False}, ["availability_payments"], False),
        ("loan", {}, ["availability_payments"], False),
    ],
)
def test_china_reform_reaches_private_partners_of_public_projects(
    kind: str, params: dict, revenue: list[str], fires: bool
) -> None:
    partner = record(id="partner", kind=kind, params=params)
    rule = "exclude_government_pay_ppp_in_china_after_reform"
    found = fired(
        ChinaRules, {"country": "CN", "revenue_streams": revenue}, record(**POLICY), partner
    )
    assert (rule in found) is fires
