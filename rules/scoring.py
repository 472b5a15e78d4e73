"""Fit scoring (soft): ranks the eligible instruments; never decides eligibility.

Considerations and their sources: the project's place in the innovation and implementation
chain decides which funding applies (000_3774adf2b4c550fa.txt §3.2.1 L1374); the share of the
cost an instrument can carry, since EU funds are not a one-stop solution (§3.2.6.1 L1512);
funding maturity and Annex 5 levels (§8.4 L5432, Annex 5 L5818-L5823): a city at basic level gets
simpler structures and technical assistance first (capacity building, Ch. 9 L5525; ELENA for
early stages, §3.2.6.3 L1619); financial instruments need experience (§3.2.6.1 L1529); grant-
funded services risk not outliving the pilot (§6.2.9 L4400); private ownership meets resistance
where public ownership is wanted (§2.2.2.1 L764); a risk-averse funding environment (§7.2 L4778).
Weights are in rules/weights.py.
"""

from catalogue.vocabulary import PUBLIC_REVENUE
from rules import weights
from rules._experta import MATCH, TEST, KnowledgeEngine, P, Rule
from rules.ceilings import ceiling
from rules.facts import Instrument, Project
from rules.records import CATALOGUE_FIELD, caution, cite, eur, listed, score, sourced

SEED = "000_3774adf2b4c550fa.txt"
STAGE_CHAIN = f"{SEED} §3.2.1 L1374"
NOT_ONE_STOP = f"{SEED} §3.2.6.1 L1512"
MATURITY = f"{SEED} §8.4 L5432; Annex 5 L5818-L5823"
TA_FIRST = f"{SEED} Ch. 9 L5525; §3.2.6.3 L1619"
GRANT_DEPENDENCE = f"{SEED} §6.2.9 L4400"
PUBLIC_SERVICE = f"{SEED} §6.1.3 L3699; §6.1.14 L4033; §6.1.15 L4066"
SERVICES_BOUGHT = f"{SEED} §6.1.2 L3667; Annex 6 L5849"
OWNERSHIP = f"{SEED} §2.2.2.1 L764"
RISK_AVERSE = f"{SEED} §7.2 L4778"
NONEMPTY = P(bool)  # alpha constraint: only instruments that state the attribute join the rule
PAID_LESS = ("free", "concessional")


class ScoringRules(KnowledgeEngine):
    @Rule(
        Project(sector=MATCH.main, sectors=MATCH.sectors),
        Instrument(id=MATCH.iid, sectors=MATCH.allowed & NONEMPTY, cite=MATCH.c),
        TEST(lambda sectors, allowed: bool(set(sectors) & set(allowed))),
    )
    @sourced(CATALOGUE_FIELD)
    def score_sector_fit(self, main, sectors, iid, allowed, c):
        """Prefer instruments that name the project's sector, its main sector most."""
        named = sorted(set(sectors) & set(allowed))
        points = weights.SECTOR_NAMED if main in allowed else weights.SECTOR_SECONDARY
        self.declare(
            score(iid, "score_sector_fit", points, f"made for {listed(named)} projects",
                  cite(c, "sectors"))
        )  # fmt: skip

    @Rule(
        Project(stage=MATCH.stage),
        Instrument(id=MATCH.iid, stages=MATCH.stages & NONEMPTY),
        TEST(lambda stage, stages: stage in stages),
    )
    @sourced(STAGE_CHAIN)
    def score_stage_fit(self, stage, iid, stages):
        """Prefer instruments built for the project's stage in the innovation chain."""
        self.declare(
            score(iid, "score_stage_fit", weights.STAGE_NAMED, f"built for the {stage} stage",
                  STAGE_CHAIN)
        )  # fmt: skip

    @Rule(
        Project(applicant=MATCH.applicant),
        Instrument(id=MATCH.iid, applicants=MATCH.applicants & NONEMPTY, cite=MATCH.c),
        TEST(lambda applicant, applicants: applicant in applicants),
    )
    @sourced(CATALOGUE_FIELD)
    def score_applicant_named(self, applicant, iid, applicants, c):
        """Prefer instruments that name the project's applicant type among their applicants."""
        self.declare(
            score(
                iid, "score_applicant_named", weights.APPLICANT_NAMED,
                f"open to {applicant.replace('_', ' ')} applicants", cite(c, "applicant_types"),
            )
        )  # fmt: skip

    @Rule(
        Project(country=MATCH.country),
        Instrument(id=MATCH.iid, countries=MATCH.countries & NONEMPTY, cite=MATCH.c),
        TEST(lambda country, countries: country in countries),
    )
    @sourced(CATALOGUE_FIELD)
    def score_country_named(self, country, iid, countries, c):
        """Prefer instruments made for the project's country over ones open everywhere."""
        self.declare(
            score(
                iid, "score_country_named", weights.COUNTRY_NAMED,
                f"made for projects in {country}" if len(countries) == 1
                else f"made for a group of {len(countries)} countries including {country}",
                cite(c, "eligible_countries"),
            )
        )  # fmt: skip

    @Rule(
        Project(capex=MATCH.capex, development=MATCH.dev, region_category=MATCH.region,
                applicant=MATCH.applicant, stage=MATCH.stage),
        Instrument(id=MATCH.iid, costs=MATCH.costs, co_financing=MATCH.rates,
                   max_share=MATCH.max_share, max_ticket=MATCH.max_ticket, cost_of_money=MATCH.com,
                   kind=MATCH.kind),
    )  # fmt: skip
    @sourced(NOT_ONE_STOP)
    def score_cost_coverage(
        self, capex, dev, region, applicant, stage, iid, costs, rates, max_share, max_ticket, com,
        kind,
    ):  # fmt: skip
        """Prefer instruments that carry a larger share of the cost, valuing cheaper money more.

        At the planning stage the cost to fund now is the development cost (feasibility, audits,
        tendering), so the share is taken of that when the profile gives it.
        """
        cap = ceiling(
            costs=costs, rates=rates, capex=capex, development=dev, region=region,
            applicant=applicant, max_share=max_share, max_ticket=max_ticket, kind=kind,
        )  # fmt: skip
        if stage == "planning" and dev > 0:
            share, of = cap.by_cost.get("development", 0.0) / dev, "development cost"
        else:
            share, of = (cap.amount / (capex + dev) if capex + dev else 0.0), "cost"
        self.declare(
            score(
                iid, "score_cost_coverage",
                weights.COVERAGE * share * weights.MONEY_VALUE.get(com, 0.5),
                f"can fund up to {eur(cap.amount)} ({share:.0%} of the {of}: {cap.basis})",
                NOT_ONE_STOP,
            )
        )  # fmt: skip

    @Rule(
        Project(),
        Instrument(
            id=MATCH.iid, cost_of_money=MATCH.com & P(lambda c: c in PAID_LESS), cite=MATCH.c
        ),
    )
    @sourced(CATALOGUE_FIELD)
    def score_cost_of_money(self, iid, com, c):
        """Prefer cheaper money: grants, then concessional, then market-rate finance."""
        text = {"free": "non-repayable", "concessional": "below-market cost of money"}[com]
        points = weights.COST_OF_MONEY[com]
        self.declare(score(iid, "score_cost_of_money", points, text, cite(c, "cost_of_money")))

    @Rule(
        Project(revenue=MATCH.revenue),
        Instrument(id=MATCH.iid, revenue_any=MATCH.accepted & NONEMPTY, cite=MATCH.c),
        TEST(lambda revenue, accepted: bool(set(revenue) & set(accepted))),
    )
    @sourced(CATALOGUE_FIELD)
    def score_revenue_alignment(self, revenue, iid, accepted, c):
        """Prefer instruments built on a revenue stream the project has."""
        common = sorted(set(revenue) & set(accepted))
        self.declare(
            score(
                iid, "score_revenue_alignment", weights.REVENUE_MATCH,
                f"built on the project's {listed(common)} revenue",
                cite(c, "revenue_streams_any"),
            )
        )  # fmt: skip

    @Rule(
        Project(revenue=MATCH.revenue),
        Instrument(id=MATCH.iid, kind="grant", cost_of_money="free"),
        TEST(lambda revenue: set(revenue) <= PUBLIC_REVENUE),
    )
    @sourced(PUBLIC_SERVICE)
    def score_public_funding_for_non_commercial_project(self, revenue, iid):
        """Prefer budgets and grants for a project without commercial revenue."""
        what = f"only public revenue ({listed(revenue)})" if revenue else "no revenue"
        self.declare(
            score(
                iid, "score_public_funding_for_non_commercial_project", weights.PUBLIC_FUNDING,
                f"the project has {what}: public services without market revenue are "
                "government-funded", PUBLIC_SERVICE,
            )
        )  # fmt: skip

    @Rule(
        Project(maturity=MATCH.level),
        Instrument(id=MATCH.iid, min_maturity=MATCH.needed & P(bool)),
        TEST(lambda level, needed: level >= 0 and level < needed),
    )
    @sourced(MATURITY)
    def score_maturity_gap(self, level, iid, needed):
        """Rank down structures that need a more mature city than this one (Annex 5)."""
        gap = needed - level
        self.declare(
            score(
                iid, "score_maturity_gap", weights.MATURITY_GAP * gap,
                f"needs a city {gap} maturity level(s) above this one's (Annex 5)", MATURITY,
            )
        )  # fmt: skip
        self.declare(
            caution(
                iid, "score_maturity_gap",
                "the city's maturity is below what this structure usually needs: build "
                "capacity or start with technical assistance and simpler structures",
                MATURITY,
            )
        )  # fmt: skip

    @Rule(Project(maturity=0), Instrument(id=MATCH.iid, kind="technical_assistance"))
    @sourced(TA_FIRST)
    def score_technical_assistance_first_for_basic_city(self, iid):
        """Rank up technical assistance for a city at basic maturity: capacity comes first."""
        self.declare(
            score(
                iid, "score_technical_assistance_first_for_basic_city",
                weights.TA_FOR_BASIC_CITY,
                "technical assistance first: the city is at basic maturity", TA_FIRST,
            )
        )  # fmt: skip

    @Rule(
        Project(risk_appetite=MATCH.appetite),
        Instrument(id=MATCH.iid, risk_transfer=MATCH.transfer & P(lambda t: t != 1)),
        TEST(lambda appetite, transfer: (appetite == "low" and transfer == 2)
             or (appetite == "high" and transfer == 0)),
    )  # fmt: skip
    @sourced(RISK_AVERSE)
    def score_risk_transfer_fit(self, appetite, iid, transfer):
        """Prefer instruments whose risk transfer matches the city's stated risk appetite."""
        text = ("moves risk off a risk-averse city" if appetite == "low"
                else "the city keeps the risk it is willing to carry")  # fmt: skip
        self.declare(score(iid, "score_risk_transfer_fit", weights.RISK_FIT, text, RISK_AVERSE))

    @Rule(Project(keep_public=True), Instrument(id=MATCH.iid, kind="ppp_structure"))
    @sourced(OWNERSHIP)
    def score_public_ownership_conflict(self, iid):
        """Rank down private-finance structures when the city wants to keep public ownership."""
        self.declare(
            score(
                iid, "score_public_ownership_conflict", weights.PUBLIC_OWNERSHIP_CONFLICT,
                "the city wants to keep public ownership; this structure brings private "
                "ownership or long-term private rights",
                OWNERSHIP,
            )
        )  # fmt: skip

    @Rule(
        Project(),
        Instrument(
            id=MATCH.iid, costs=MATCH.costs & P(lambda c: "investment" not in c), cite=MATCH.c
        ),
    )
    @sourced(CATALOGUE_FIELD)
    def caution_does_not_fund_investment(self, iid, costs, c):
        """Say plainly when an instrument never pays for the investment itself."""
        self.declare(
            caution(
                iid, "caution_does_not_fund_investment",
                f"pays {listed(costs)} costs only, never the investment: combine it with "
                "investment finance",
                cite(c, "costs_covered"),
            )
        )  # fmt: skip

    @Rule(
        Project(stage="operation"),
        Instrument(id=MATCH.iid, costs=MATCH.costs & P(lambda c: "operation" in c)),
    )
    @sourced(SERVICES_BOUGHT)
    def score_pays_operating_costs_in_operation(self, iid, costs):
        """Prefer instruments that pay running costs for a project in operation."""
        self.declare(
            score(
                iid, "score_pays_operating_costs_in_operation", weights.OPERATION_COSTS,
                "pays operating costs, which a service in operation needs (as cities buy "
                "cloud services and rent facilities)",
                SERVICES_BOUGHT,
            )
        )  # fmt: skip

    @Rule(Project(stage="operation"), Instrument(id=MATCH.iid, kind="grant"))
    @sourced(GRANT_DEPENDENCE)
    def caution_grant_dependence_in_operation(self, iid):
        """Warn that running services on grants risks their sustainability beyond the pilot."""
        self.declare(
            caution(
                iid, "caution_grant_dependence_in_operation",
                "services funded from grants or general budgets risk not being sustainable "
                "beyond the pilot phase: plan a business model for operation",
                GRANT_DEPENDENCE,
            )
        )  # fmt: skip
