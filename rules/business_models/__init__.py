"""Business models: which of the seed's business models fit the project, and why.

Two rule packs: the models the project cannot use (exclusions.py) and how well the others suit
it (fit.py); each module names its sources. `BusinessModelRules` is both packs together, for
running the business-model rules alone.
"""

from rules.business_models.exclusions import BusinessModelExclusionRules
from rules.business_models.fit import BusinessModelFitRules

__all__ = ["BusinessModelExclusionRules", "BusinessModelFitRules", "BusinessModelRules"]


class BusinessModelRules(BusinessModelExclusionRules, BusinessModelFitRules):
    """The business-model rules of both packs."""
