"""EU rule pack: what catalogue attributes alone cannot say about EU instruments.

Sources: instrument_facts.md A3 (ERDF ceilings by region category, CPR 2021/1060 Art. 112),
A20 (state aid: aid to undertakings, GBER and de minimis), A21 (no double funding); the seed's
footnote 33 on co-financing by region category (000_3774adf2b4c550fa.txt §3.2.6.2 L1593).
"""

from rules._experta import MATCH, TEST, KnowledgeEngine, P, Rule
from rules.ceilings import region_in
from rules.facts import Project
from rules.records import caution, group, holds, sourced

STATE_AID = (
    "instrument_facts.md A20 [1][2] (GBER Reg. 651/2014 Art. 56; de minimis Reg. 2023/2831): "
    "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX%3A02014R0651-20230701"
)
REGION_CEILINGS = (
    "000_3774adf2b4c550fa.txt §3.2.6.2 L1593; instrument_facts.md A3 [1] (CPR 2021/1060 Art. 112)"
)
NO_DOUBLE_FUNDING = (
    "instrument_facts.md A21 [3] (Reg. 2021/695 Art. 15(4)): "
    "https://gesetze.legal/eu/vo_eu_2021_695/15"
)


class EURules(KnowledgeEngine):
    @Rule(
        Project(region_category=MATCH.region, previous_region_category=MATCH.previous,
                region_period=MATCH.period, country=MATCH.country),
        group("regional_rates", MATCH.rates),
        TEST(lambda country, rates: not rates[0] or country in rates[0]),
        TEST(lambda region, previous, period, rates: bool(_unknown(rates[1], region, previous,
                                                                   period))),
    )  # fmt: skip
    @sourced(REGION_CEILINGS)
    def caution_region_category_unknown(
        self, region, previous, period, country, rates, ids, c, soft
    ):  # fmt: skip
        """Warn that an EU ceiling depends on a region category the profile did not give: the
        category in the period of the profile's date, or in the period the rates belong to."""
        if region is None and not [p for p in _unknown(rates[1], region, previous, period)
                                   if p not in ("", period)]:  # fmt: skip
            text = ("co-financing ceiling depends on the region category (less developed, "
                    "transition, more developed), which the profile does not give: the lowest "
                    "ceiling is assumed")  # fmt: skip
        else:
            periods = " and ".join(_unknown(rates[1], region, previous, period))
            text = (f"co-financing ceiling depends on the region's category in {periods} "
                    f"(less developed, transition, more developed), which the profile does not "
                    f"give (its region_category is the one in {period}, and a category can "
                    f"change between periods): the lowest ceiling is assumed")  # fmt: skip
        self.declare(*(
            caution(iid, "caution_region_category_unknown", text, REGION_CEILINGS)
            for iid in ids
        ))  # fmt: skip

    @Rule(
        Project(region_category=MATCH.region & P(lambda r: r is not None),
                previous_region_category=None),
        group("previous_rates", MATCH.region_of & holds(bool)),
        TEST(lambda region, region_of: region in region_of),
    )  # fmt: skip
    @sourced(REGION_CEILINGS)
    def caution_previous_region_category_unknown(self, region, region_of, ids, c, soft):
        """Warn that a higher ceiling depends on the region's 2014-2020 category, not given."""
        text = (f"a {region.replace('_', ' ')} region that was one category lower in 2014-2020 "
                "may get a higher co-financing rate (CPR 2021/1060 Art. 112(3)); the profile "
                "does not give region_category_2014_2020, so the lower rate is used")  # fmt: skip
        self.declare(*(
            caution(iid, "caution_previous_region_category_unknown", text, c[iid]) for iid in ids
        ))  # fmt: skip

    @Rule(Project(undertaking=True), group("eu_funds", MATCH.funds & holds(lambda f: f[0] is True)))
    @sourced(STATE_AID)
    def caution_state_aid_for_undertakings(self, funds, ids, c, soft):
        """Warn that EU funds to an undertaking are state aid (GBER or de minimis must apply)."""
        text = ("the beneficiary is an undertaking: support from EU funds is state aid and must "
                "fit the GBER (e.g. Art. 56 local infrastructure: open access at market price, "
                "aid at most costs minus operating profit) or de minimis (EUR 300,000 per 3 "
                "years)")  # fmt: skip
        self.declare(*(
            caution(iid, "caution_state_aid_for_undertakings", text, STATE_AID) for iid in ids
        ))  # fmt: skip

    @Rule(Project(), group("eu_funds", (True, "grant")))
    @sourced(NO_DOUBLE_FUNDING)
    def caution_no_double_funding_of_eu_grants(self, ids, c, soft):
        """Remind that the same cost may not be declared to two EU grants."""
        text = (
            "the same cost may not be funded by two EU grants; several EU sources must "
            "cover separate cost lines or phases, and together at most the eligible cost"
        )
        self.declare(*(
            caution(iid, "caution_no_double_funding_of_eu_grants", text, NO_DOUBLE_FUNDING)
            for iid in ids
        ))  # fmt: skip


def _unknown(
    periods: tuple[str, ...], region: str | None, previous: str | None, period: str | None
) -> list[str]:
    """The programme periods of the rates whose region category the profile does not give
    ("" stands for rates that name no period: the category of the profile's date)."""
    return [
        p
        for p in periods
        if region_in(p or None, region=region, previous_region=previous, period=period) is None
    ]
