"""EU rule pack: what catalogue attributes alone cannot say about EU instruments.

Sources: instrument_facts.md A3 (ERDF ceilings by region category, CPR 2021/1060 Art. 112),
A20 (state aid: aid to undertakings, GBER and de minimis), A21 (no double funding); the seed's
footnote 33 on co-financing by region category (000_3774adf2b4c550fa.txt §3.2.6.2 L1593).
"""

from rules._experta import MATCH, TEST, KnowledgeEngine, Rule
from rules.facts import Instrument, Project
from rules.records import caution, sourced

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
        Instrument(id=MATCH.iid, jurisdiction="EU", co_financing=MATCH.rates, countries=MATCH.cs),
        TEST(lambda rates, country, cs: any(r.get("region_category") for r in rates)
             and (not cs or country in cs)),
    )  # fmt: skip
    @sourced(REGION_CEILINGS)
    def caution_region_category_unknown(self, country, iid, rates, cs):
        """Warn that an EU ceiling depends on the region category the profile did not give."""
        self.declare(
            caution(
                iid, "caution_region_category_unknown",
                "co-financing ceiling depends on the region category (less developed, "
                "transition, more developed), which the profile does not give: the lowest "
                "ceiling is assumed",
                REGION_CEILINGS,
            )
        )  # fmt: skip

    @Rule(
        Project(undertaking=True),
        Instrument(id=MATCH.iid, eu_funds=True),
    )
    @sourced(STATE_AID)
    def caution_state_aid_for_undertakings(self, iid):
        """Warn that EU funds to an undertaking are state aid (GBER or de minimis must apply)."""
        self.declare(
            caution(
                iid, "caution_state_aid_for_undertakings",
                "the beneficiary is an undertaking: support from EU funds is state aid and must "
                "fit the GBER (e.g. Art. 56 local infrastructure: open access at market price, "
                "aid at most costs minus operating profit) or de minimis (EUR 300,000 per 3 years)",
                STATE_AID,
            )
        )  # fmt: skip

    @Rule(Instrument(id=MATCH.iid, eu_funds=True, kind="grant"))
    @sourced(NO_DOUBLE_FUNDING)
    def caution_no_double_funding_of_eu_grants(self, iid):
        """Remind that the same cost may not be declared to two EU grants."""
        self.declare(
            caution(
                iid, "caution_no_double_funding_of_eu_grants",
                "the same cost may not be funded by two EU grants; several EU sources must "
                "cover separate cost lines or phases, and together at most the eligible cost",
                NO_DOUBLE_FUNDING,
            )
        )  # fmt: skip
