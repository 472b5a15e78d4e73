"""EU rule pack: what catalogue attributes alone cannot say about EU instruments.

Sources: instrument_facts.md A3 (ERDF ceilings by region category, CPR 2021/1060 Art. 112),
A20 (state aid: aid to undertakings, GBER and de minimis), A21 (no double funding); the seed's
footnote 33 on co-financing by region category (000_3774adf2b4c550fa.txt §3.2.6.2 L1593).
"""

from rules._experta import MATCH, TEST, KnowledgeEngine, P, Rule
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
        Project(region_category=None, country=MATCH.country),
        group("regional_rates", MATCH.countries),
        TEST(lambda country, countries: not countries or country in countries),
    )
    @sourced(REGION_CEILINGS)
    def caution_region_category_unknown(self, country, countries, ids, c, soft):
        """Warn that an EU ceiling depends on the region category the profile did not give."""
        text = ("co-financing ceiling depends on the region category (less developed, "
                "transition, more developed), which the profile does not give: the lowest "
                "ceiling is assumed")  # fmt: skip
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
