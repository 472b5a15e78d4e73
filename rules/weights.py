"""Ranking weights of the fit-scoring pack: product policy, not domain facts.

They order eligible instruments; they never decide eligibility. Each names the consideration it
weighs; the considerations themselves are sourced in rules/scoring.py.
"""

SECTOR_NAMED = 2.0  # the instrument names the project's sector explicitly
SECTOR_ANY = 0.5  # the instrument is open to any sector
STAGE_NAMED = 2.0
STAGE_ANY = 0.5
COVERAGE = 4.0  # times the share of the project cost the instrument can cover (0..1)
COST_OF_MONEY = {"free": 2.0, "concessional": 1.5, "market": 0.5, "not_applicable": 0.0}
REVENUE_MATCH = 2.0  # the project has the revenue the instrument is built on
MATURITY_GAP = -1.5  # per level the city lacks below the instrument's minimum maturity
TA_FOR_BASIC_CITY = 2.0  # technical assistance first for a city at basic maturity
RISK_FIT = 1.0  # risk transfer matches the stated risk appetite
PUBLIC_OWNERSHIP_CONFLICT = -2.0  # private-ownership structure against keep_public_ownership
