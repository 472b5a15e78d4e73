"""The advisory knowledge engine: the rule packs assembled into one experta engine.

Never share one engine between threads or tasks (advisor/engine.py keeps one per thread).
"""

from rules._experta import KnowledgeEngine
from rules.business_models import BusinessModelExclusionRules, BusinessModelFitRules
from rules.china import ChinaRules
from rules.eligibility import EligibilityRules
from rules.eu import EURules
from rules.facts import DERIVED
from rules.scoring import ScoringRules
from rules.structures import StructureRules

RULESET_VERSION = "2026.12.2"
PACKS = (
    EligibilityRules,
    EURules,
    ChinaRules,
    StructureRules,
    ScoringRules,
    BusinessModelExclusionRules,
    BusinessModelFitRules,
)


class CollectsFindings(KnowledgeEngine):
    """Findings (Criterion, Score, Caution) are conclusions no rule pattern matches, so they are
    collected in `findings` instead of running through the Rete network, where each one would
    be tested by every alpha node on its way in and again on its way out. A consistency test
    proves no rule names them; everything else is declared as usual.
    """

    def __init__(self) -> None:
        super().__init__()
        self.findings: list = []  # type: ignore[type-arg]

    def declare(self, *facts):  # type: ignore[no-untyped-def]
        matched = []
        for fact in facts:
            if isinstance(fact, DERIVED):
                self.findings.append(fact)
            else:
                matched.append(fact)
        return super().declare(*matched) if matched else None

    def get_activations(self):  # type: ignore[no-untyped-def]
        """New activations since the last call; skip the network scan when no fact changed.

        experta rescans every conflict-set node after each firing. Our right-hand sides only
        record findings, so after the project is declared nothing changes until the next
        profile: with no added or removed fact there can be no new activation.
        """
        added, removed = self.facts.changes
        if not added and not removed:
            return [], []
        return self.matcher.changes(added, removed)


class AdvisorEngine(
    CollectsFindings,
    EligibilityRules,
    EURules,
    ChinaRules,
    StructureRules,
    ScoringRules,
    BusinessModelExclusionRules,
    BusinessModelFitRules,
):
    """Forward-chaining engine over Project, Instrument and Model facts."""
