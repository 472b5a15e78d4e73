"""Global structures pack: political and practical fit of private-finance structures.

Sources: the seed, 000_3774adf2b4c550fa.txt §2.2.2.1 L764 (reluctance, notably in the USA, to let
private funds own core infrastructure) and Ch. 9 L5525 (capacity building is crucial for the
design and management of public-private partnerships).
"""

from rules._experta import MATCH, KnowledgeEngine, Rule
from rules.facts import Instrument, Project
from rules.records import caution, sourced

PRIVATE_OWNERSHIP = "000_3774adf2b4c550fa.txt §2.2.2.1 L764"
PPP_CAPACITY = "000_3774adf2b4c550fa.txt Ch. 9 L5525"


class StructureRules(KnowledgeEngine):
    @Rule(Project(country="US"), Instrument(id=MATCH.iid, kind="ppp_structure"))
    @sourced(PRIVATE_OWNERSHIP)
    def caution_private_ownership_reluctance_in_us(self, iid):
        """Warn that US cities have resisted private ownership of core infrastructure."""
        self.declare(
            caution(
                iid, "caution_private_ownership_reluctance_in_us",
                "cities, notably in the USA, have been reluctant to let private funds own core "
                "infrastructure, and more so to let them profit from it",
                PRIVATE_OWNERSHIP,
            )
        )  # fmt: skip

    @Rule(Project(maturity=0), Instrument(id=MATCH.iid, kind="ppp_structure"))
    @sourced(PPP_CAPACITY)
    def caution_ppp_needs_capacity_building(self, iid):
        """Pair a PPP structure with capacity building when the city is at basic maturity."""
        self.declare(
            caution(
                iid, "caution_ppp_needs_capacity_building",
                "the city is at basic maturity: capacity building in PPP design and management "
                "should come first (technical assistance such as EPEC or ELENA)",
                PPP_CAPACITY,
            )
        )  # fmt: skip
