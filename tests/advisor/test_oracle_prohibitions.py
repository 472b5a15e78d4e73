"""The independent eligibility checker on prohibitions: by status and date, by country, by
country for some applicants, and China's user-pays rule for PPP. Each record carries the values
the cited law gives, so the expected verdict comes from docs/eligibility.md and the legal text.
"""

import pytest

from tests.advisor.oracle_cases import record, verdict


def test_prohibitions() -> None:
    assert verdict(record(status="prohibited")).failed == ("prohibited",)
    dated = record(prohibited_from="2020-01-01", status="prohibited")
    assert verdict(dated, as_of="2019-12-31").status == "eligible"
    assert verdict(dated, as_of="2020-01-01").failed == ("prohibited",)


# BT for local-government financing: Caiyu [2012] No. 463 of 24 Dec 2012 (instrument_facts.md CN4).
BT = record(
    id="bt",
    kind="ppp_structure",
    jurisdiction="GLOBAL",
    co_financing=[],
    params={"prohibited_countries": "CN", "prohibited_since": "2012-12-24"},
)


@pytest.mark.parametrize(
    ("country", "as_of", "expected"),
    [
        ("CN", "2012-12-23", "eligible"),
        ("CN", "2012-12-24", "excluded"),
        ("US", "2020-01-01", "eligible"),
    ],
)
def test_bt_is_banned_in_china_from_2012(country: str, as_of: str, expected: str) -> None:
    got = verdict(BT, country=country, as_of=as_of, capex={"amount": 1e8, "currency": "CNY"})
    assert got.status == expected
    assert ("prohibited_in_country" in got.failed) == (expected == "excluded")


# Budget Law Art. 35 (in force 2015-01-01): a Chinese local government borrows only by local
# government bonds within the State Council's quota; a bond of its own is not open to it
CITY_BOND = record(
    id="city_green_bond",
    kind="bond",
    jurisdiction="GLOBAL",
    co_financing=[],
    params={
        "prohibited_countries": "CN",
        "prohibited_applicants": "municipality, regional_authority",
    },
)


@pytest.mark.parametrize(
    ("country", "applicant", "expected"),
    [
        ("CN", "municipality", "excluded"),
        ("CN", "regional_authority", "excluded"),
        ("CN", "municipal_company", "eligible"),
        ("US", "municipality", "eligible"),
    ],
)
def test_own_bond_is_prohibited_for_a_chinese_local_government(
    country: str, applicant: str, expected: str
) -> None:
    got = verdict(CITY_BOND, country=country, applicant=applicant,
                  capex={"amount": 1e8, "currency": "CNY"})  # fmt: skip
    assert got.status == expected
    assert ("prohibited_in_country" in got.failed) == (expected == "excluded")


# Guo Ban Han [2023] No. 115 (3 Nov 2023): PPP only for user-pays projects (instrument_facts.md CN2)
POLICY = record(
    id="cn_franchise",
    kind="ppp_structure",
    jurisdiction="CN",
    eligible_countries=["CN"],
    co_financing=[],
    revenue_required=True,
    params={"user_pays_only_since": "2023-11-03", "user_pays_streams": "user_fees, parking_fees"},
)
GLOBAL_PPP = record(id="ppp", kind="ppp_structure", jurisdiction="GLOBAL", co_financing=[])


@pytest.mark.parametrize(
    ("country", "as_of", "streams", "expected"),
    [
        ("CN", "2023-11-02", ["availability_payments"], "eligible"),
        ("CN", "2023-11-03", ["availability_payments"], "excluded"),
        ("CN", "2024-06-01", ["availability_payments", "parking_fees"], "eligible"),
        ("FR", "2024-06-01", ["availability_payments"], "eligible"),
    ],
)
def test_china_ppp_is_user_pays_only_from_november_2023(
    country: str, as_of: str, streams: list[str], expected: str
) -> None:
    got = verdict(GLOBAL_PPP, POLICY, country=country, as_of=as_of, revenue_streams=streams)
    assert got.status == expected
    assert ("cn_user_pays" in got.failed) == (expected == "excluded")
