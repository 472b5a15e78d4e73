"""EU rule pack: what catalogue attributes alone cannot say about EU instruments.

Sources: instrument_facts.md A3 (ERDF ceilings by region category, CPR 2021/1060 Art. 112),
A20 (state aid: aid to undertakings, GBER and de minimis), A21 (no double funding), A2 (EU
programmes reach third countries through association); the seed's
footnote 33 on co-financing by region category (000_3774adf2b4c550fa.txt §3.2.6.2 L1593).
"""

from catalogue.vocabulary import EU27
from rules import weights
from rules._experta import MATCH, TEST, KnowledgeEngine, Rule
from rules.facts import Project
from rules.records import caution, group, holds, score, sourced, split_codes

STATE_AID = (
    "instrument_facts.md A20 [1][2] (GBER Reg. 651/2014 Art. 56; de minimis Reg. 2023/2831): "
    "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX%3A02014R0651-20230701"
)
REGION_CEILINGS = (
    "000_3774adf2b4c550fa.txt §3.2.6.2 L1593; instrument_facts.md A3 [1] (CPR 2021/1060 Art. 112)"
)
OUTSIDE_EU = (
    "instrument_facts.md A2 [1] (Horizon Europe: legal entities in member states or associated "
    "countries): https://eufunds.me/what-is-the-funding-rate-in-horizon-europe/"
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

    @Rule(
        Project(country=MATCH.country),
        group("eu_reach", MATCH.associated),
        TEST(lambda country, associated: country not in EU27
             and country not in split_codes(associated)),
    )  # fmt: skip
    @sourced(OUTSIDE_EU)
    def score_eu_programme_outside_member_states(self, country, associated, ids, c, soft):
        """Rank down an EU programme for a city outside the member states, and say why."""
        text = (f"{country} is not an EU member state: EU programmes reach it only through "
                "association agreements or third-country windows")  # fmt: skip
        warning = (f"{country} is not an EU member state: check that it is associated to this "
                   "programme or that a third-country window is open")  # fmt: skip
        for iid in ids:
            self.declare(
                score(iid, "score_eu_programme_outside_member_states", weights.OUTSIDE_EU,
                      text, OUTSIDE_EU),
                caution(iid, "score_eu_programme_outside_member_states", warning, OUTSIDE_EU),
            )  # fmt: skip
