"""The advisory knowledge engine: the rule packs assembled into one experta engine.

Never share one engine between threads or tasks (advisor/engine.py keeps one per thread).
"""

from rules.china import ChinaRules
from rules.eligibility import EligibilityRules
from rules.eu import EURules
from rules.scoring import ScoringRules
from rules.structures import StructureRules

RULESET_VERSION = "2026.11.1"
PACKS = (EligibilityRules, EURules, ChinaRules, StructureRules, ScoringRules)


class AdvisorEngine(EligibilityRules, EURules, ChinaRules, StructureRules, ScoringRules):
    """Forward-chaining engine over Project and Instrument facts."""
