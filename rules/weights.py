"""Ranking weights of the fit-scoring packs: product policy, not domain facts.

They order eligible instruments; they never decide eligibility. Each names the consideration it
weighs; the considerations themselves are sourced in the rule that uses them.
"""

SECTOR_NAMED = 2.0  # the instrument or model names the project's main sector
SECTOR_SECONDARY = 1.0  # ... names only one of the project's other sectors
STAGE_NAMED = 2.0
APPLICANT_NAMED = 1.0  # the instrument names the project's applicant type explicitly
COUNTRY_NAMED = 1.5  # the instrument is made for the project's country (or a few countries)
COVERAGE = 4.0  # times the share of the cost it can carry, times the value of that money below
MONEY_VALUE = {"free": 1.0, "concessional": 0.7, "market": 0.4, "not_applicable": 0.5}
COST_OF_MONEY = {"free": 1.0, "concessional": 0.5, "market": 0.0, "not_applicable": 0.0}
OPERATION_COSTS = 2.0  # pays running costs for a project in operation
PUBLIC_FUNDING = 3.0  # grants and budgets for a project without commercial revenue
REVENUE_MATCH = 4.0  # the project has the revenue the instrument is built on
MATURITY_GAP = -1.5  # per level the city lacks below the instrument's minimum maturity
# (city maturity level, instrument complexity 0 low .. 2 high) -> points: simpler structures
# first for a city at basic or average level (Annex 5); a mature city is indifferent
COMPLEXITY_FIT = {(0, 0): 0.5, (0, 2): -1.0, (1, 2): -0.5}
TA_FOR_BASIC_CITY = 2.0  # technical assistance first for a city at basic maturity
RISK_FIT = 1.0  # risk transfer matches the stated risk appetite
RISK_APPETITE_FIT = 2.0  # a business model made for the stated risk appetite (or against it)
INDUSTRY_PARTNER = 2.0  # shared-ownership model when an industry partner is on board
PRECEDENT = 0.25  # per city where the study records the business model (at most 4)
MAX_PRECEDENTS = 4
MIX_FIT = 1.0  # a mixed-ownership model when the city caps the private share
MIX_MISFIT = -2.0  # a wholly private model when the city caps the private share
PUBLIC_OWNERSHIP_CONFLICT = -2.0  # private-ownership structure against keep_public_ownership
PAYER_MATCH = 1.0  # a business model whose operator is paid by whoever pays in the project
ASSET_FIT = 2.0  # the sources name the business model for the kind of asset the project shows
ASSET_MISFIT = -3.0  # the sources say the model does not carry that kind of asset (fares, a metro)
INCENTIVE = 2.0  # a jurisdictional incentive in force on the project's date rewards the model
