"""Global structures pack: political and practical fit of private-finance structures.

Sources: the seed, 000_3774adf2b4c550fa.txt §2.2.2.1 L764 (reluctance, notably in the USA, to let
private funds own core infrastructure) and Ch. 9 L5525 (capacity building is crucial for the
design and management of public-private partnerships).
"""

from rules._experta import MATCH, TEST, KnowledgeEngine, Rule
from rules.facts import Project
from rules.records import CATALOGUE_FIELD, caution, group, sourced, split_codes

PRIVATE_OWNERSHIP = "000_3774adf2b4c550fa.txt §2.2.2.1 L764"
PPP_CAPACITY = "000_3774adf2b4c550fa.txt Ch. 9 L5525"


class StructureRules(KnowledgeEngine):
    @Rule(
        Project(country=MATCH.country),
        group("reluctance", MATCH.where),
        TEST(lambda country, where: country in split_codes(where)),
    )
    @sourced(CATALOGUE_FIELD)
    def caution_private_ownership_reluctance_in_us(self, country, where, ids, c, soft):
        """Warn where cities have resisted private ownership of core infrastructure (the
        countries are the structure's own `params.private_ownership_reluctance_countries`)."""
        text = ("cities, notably in the USA, have been reluctant to let private funds own core "
                "infrastructure, and more so to let them profit from it")  # fmt: skip
        self.declare(*(
            caution(iid, "caution_private_ownership_reluctance_in_us", text, c[iid])
            for iid in ids
        ))  # fmt: skip

    @Rule(Project(maturity=0), group("kind", "ppp_structure"))
    @sourced(PPP_CAPACITY)
    def caution_ppp_needs_capacity_building(self, ids, c, soft):
        """Pair a PPP structure with capacity building when the city is at basic maturity."""
        text = ("the city is at basic maturity: capacity building in PPP design and management "
                "should come first (technical assistance such as EPEC or ELENA)")  # fmt: skip
        self.declare(*(
            caution(iid, "caution_ppp_needs_capacity_building", text, PPP_CAPACITY) for iid in ids
        ))  # fmt: skip
