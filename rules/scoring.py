"""Fit scoring (soft): ranks the eligible instruments; never decides eligibility.

Considerations and their sources, all in 000_3774adf2b4c550fa.txt:
- the project's place in the innovation and implementation chain decides which funding applies
  (§3.2.1 L1374);
- the share of the cost an instrument can carry, since EU funds are not a one-stop solution
  (§3.2.6.1 L1512);
- funding maturity and Annex 5 levels (§8.4 L5432, Annex 5 L5818-L5823): a city at basic level
  gets simpler structures and technical assistance first (capacity building, Ch. 9 L5525; ELENA
  for early stages, §3.2.6.3 L1619); financial instruments need experience (§3.2.6.1 L1529);
- grant-funded services risk not outliving the pilot (§6.2.9 L4400);
- private ownership meets resistance where public ownership is wanted (§2.2.2.1 L764);
- a risk-averse funding environment (§7.2 L4778).
Weights are in rules/weights.py.
"""

from catalogue.vocabulary import PUBLIC_REVENUE
from rules import weights
from rules._experta import MATCH, TEST, KnowledgeEngine, P, Rule
from rules.ceilings import ceiling
from rules.facts import Project
from rules.records import CATALOGUE_FIELD, caution, eur, group, holds, listed, score, sourced

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
NONEMPTY = P(bool)  # alpha constraint: only groups that state the attribute join the rule
PAID_LESS = ("free", "concessional")


class ScoringRules(KnowledgeEngine):
    @Rule(
        Project(sector=MATCH.main, sectors=MATCH.sectors),
        group("sectors", MATCH.allowed & NONEMPTY, extra=True),
        TEST(lambda sectors, allowed: bool(set(sectors) & set(allowed))),
    )
    @sourced(CATALOGUE_FIELD)
    def score_sector_fit(self, main, sectors, allowed, ids, c, soft, extra):
        """Prefer instruments that name the project's sector, its main sector most; the reason
        cites the source that backs that sector."""
        matched = sorted(set(sectors) & set(allowed))
        named = listed(matched)
        points = weights.SECTOR_NAMED if main in allowed else weights.SECTOR_SECONDARY
        key = main if main in allowed else matched[0]
        self.declare(*(
            score(iid, "score_sector_fit", points, f"made for {named} projects", extra[iid][key])
            for iid in ids
        ))  # fmt: skip

    @Rule(
        Project(stage=MATCH.stage),
        group("stages", MATCH.stages & NONEMPTY),
        TEST(lambda stage, stages: stage in stages),
    )
    @sourced(CATALOGUE_FIELD)
    def score_stage_fit(self, stage, stages, ids, c, soft):
        """Prefer instruments built for the project's current stage in the innovation chain
        (§3.2.1 L1374); the reason cites the instrument's own source for the phases it funds."""
        self.declare(*(
            score(iid, "score_stage_fit", weights.STAGE_NAMED, f"funds the {stage} stage now",
                  c[iid])
            for iid in ids
        ))  # fmt: skip

    @Rule(
        Project(applicant=MATCH.applicant),
        group("applicants", MATCH.applicants & NONEMPTY),
        TEST(lambda applicant, applicants: applicant in applicants),
    )
    @sourced(CATALOGUE_FIELD)
    def score_applicant_named(self, applicant, applicants, ids, c, soft):
        """Prefer instruments that name the project's applicant type among their applicants."""
        text = f"open to {applicant.replace('_', ' ')} applicants"
        self.declare(*(
            score(iid, "score_applicant_named", weights.APPLICANT_NAMED, text, c[iid])
            for iid in ids
        ))  # fmt: skip

    @Rule(
        Project(country=MATCH.country),
        group("countries", MATCH.countries & NONEMPTY),
        TEST(lambda country, countries: country in countries),
    )
    @sourced(CATALOGUE_FIELD)
    def score_country_named(self, country, countries, ids, c, soft):
        """Prefer instruments made for the project's country over ones open everywhere."""
        text = (
            f"made for projects in {country}"
            if len(countries) == 1
            else f"made for a group of {len(countries)} countries including {country}"
        )
        self.declare(*(
            score(iid, "score_country_named", weights.COUNTRY_NAMED, text, c[iid])
            for iid in ids
        ))  # fmt: skip

    @Rule(
        Project(capex=MATCH.capex, development=MATCH.dev, region_category=MATCH.region,
                previous_region_category=MATCH.previous, region_period=MATCH.period,
                applicant=MATCH.applicant, borrowing=MATCH.borrowing),
        group("coverage", MATCH.terms, extra=True),
    )  # fmt: skip
    @sourced(CATALOGUE_FIELD)
    def score_cost_coverage(
        self, capex, dev, region, previous, period, applicant, borrowing, terms, ids, c, soft,
        extra,
    ):  # fmt: skip
        """Prefer instruments that carry a larger share of the cost, valuing cheaper money more.

        EU funds are "not a one-stop solution" (§3.2.6.1 L1512): the share an instrument can
        carry is what its own rate, share cap and ticket allow (rules/ceilings.py), and the
        reason cites the clause of that rate, not the study's general remark.
        """
        cap = ceiling(terms, capex=capex, development=dev, region=region, applicant=applicant,
                      previous_region=previous, period=period, borrowing=borrowing)  # fmt: skip
        share = cap.amount / (capex + dev) if capex + dev else 0.0
        text = (
            f"can fund up to {eur(cap.amount)} ({share:.0%} of the cost: {cap.basis})"
            if cap.known
            else f"how much it can fund is not confirmed: {cap.basis}"
        )
        source = cap.source(terms) or NOT_ONE_STOP
        self.declare(*(
            score(iid, "score_cost_coverage",
                  weights.COVERAGE * share * weights.MONEY_VALUE.get(extra[iid], 0.5), text,
                  source)
            for iid in ids
        ))  # fmt: skip

    @Rule(Project(), group("cost_of_money", MATCH.com & holds(lambda c: c in PAID_LESS)))
    @sourced(CATALOGUE_FIELD)
    def score_cost_of_money(self, com, ids, c, soft):
        """Prefer cheaper money: grants, then concessional, then market-rate finance."""
        text = {"free": "non-repayable", "concessional": "below-market cost of money"}[com]
        points = weights.COST_OF_MONEY[com]
        self.declare(*(score(iid, "score_cost_of_money", points, text, c[iid]) for iid in ids))

    @Rule(
        Project(revenue=MATCH.revenue),
        group("revenue_any", MATCH.accepted & NONEMPTY, extra=True),
        TEST(lambda revenue, accepted: bool(set(revenue) & set(accepted))),
    )
    @sourced(CATALOGUE_FIELD)
    def score_revenue_alignment(self, revenue, accepted, ids, c, soft, extra):
        """Prefer instruments built on a revenue stream the project has; the reason cites the
        source that backs that stream (not the first source of the field)."""
        matched = sorted(set(revenue) & set(accepted))
        text = f"built on the project's {listed(matched)} revenue"
        self.declare(*(
            score(iid, "score_revenue_alignment", weights.REVENUE_MATCH, text,
                  extra[iid][matched[0]])
            for iid in ids
        ))  # fmt: skip

    @Rule(
        Project(revenue=MATCH.revenue),
        group("kind_money", ("grant", "free")),
        TEST(lambda revenue: set(revenue) <= PUBLIC_REVENUE),
    )
    @sourced(PUBLIC_SERVICE)
    def score_public_funding_for_non_commercial_project(self, revenue, ids, c, soft):
        """Prefer budgets and grants for a project without commercial revenue."""
        what = f"only public revenue ({listed(revenue)})" if revenue else "no revenue"
        text = (f"the project has {what}: public services without market revenue are "
                "government-funded")  # fmt: skip
        self.declare(*(
            score(iid, "score_public_funding_for_non_commercial_project",
                  weights.PUBLIC_FUNDING, text, PUBLIC_SERVICE)
            for iid in ids
        ))  # fmt: skip

    @Rule(
        Project(maturity=MATCH.level),
        group("min_maturity", MATCH.needed & holds(lambda n: isinstance(n, int) and n > 0)),
        TEST(lambda level, needed: 0 <= level < needed),
    )
    @sourced(MATURITY)
    def score_maturity_gap(self, level, needed, ids, c, soft):
        """Rank down structures that need a more mature city than this one (Annex 5)."""
        gap = needed - level
        text = f"needs a city {gap} maturity level(s) above this one's (Annex 5)"
        warning = (
            "the city's maturity is below what this structure usually needs: build "
            "capacity or start with technical assistance and simpler structures"
        )
        for iid in ids:
            self.declare(
                score(iid, "score_maturity_gap", weights.MATURITY_GAP * gap, text, MATURITY),
                caution(iid, "score_maturity_gap", warning, MATURITY),
            )

    @Rule(
        Project(maturity=MATCH.level),
        group("complexity", MATCH.complexity & holds(lambda c: c in (0, 2))),
        TEST(lambda level, complexity: (level, complexity) in weights.COMPLEXITY_FIT),
    )
    @sourced(MATURITY)
    def score_complexity_for_city_maturity(self, level, complexity, ids, c, soft):
        """Prefer simpler structures for a city at basic or average maturity (Annex 5)."""
        points = weights.COMPLEXITY_FIT[(level, complexity)]
        text = ("a simple structure suits a city at basic maturity" if complexity == 0
                else "a complex structure for a city still building its capacity")  # fmt: skip
        self.declare(*(
            score(iid, "score_complexity_for_city_maturity", points, text, MATURITY)
            for iid in ids
        ))  # fmt: skip

    @Rule(Project(maturity=0), group("kind", "technical_assistance"))
    @sourced(TA_FIRST)
    def score_technical_assistance_first_for_basic_city(self, ids, c, soft):
        """Rank up technical assistance for a city at basic maturity: capacity comes first."""
        self.declare(*(
            score(iid, "score_technical_assistance_first_for_basic_city",
                  weights.TA_FOR_BASIC_CITY,
                  "technical assistance first: the city is at basic maturity", TA_FIRST)
            for iid in ids
        ))  # fmt: skip

    @Rule(
        Project(risk_appetite=MATCH.appetite),
        group("risk_transfer", MATCH.transfer & holds(lambda t: t in (0, 2))),
        TEST(lambda appetite, transfer: (appetite == "low" and transfer == 2)
             or (appetite == "high" and transfer == 0)),
    )  # fmt: skip
    @sourced(RISK_AVERSE)
    def score_risk_transfer_fit(self, appetite, transfer, ids, c, soft):
        """Prefer instruments whose risk transfer matches the city's stated risk appetite."""
        text = ("moves risk off a risk-averse city" if appetite == "low"
                else "the city keeps the risk it is willing to carry")  # fmt: skip
        self.declare(*(
            score(iid, "score_risk_transfer_fit", weights.RISK_FIT, text, RISK_AVERSE)
            for iid in ids
        ))  # fmt: skip

    @Rule(Project(keep_public=True), group("kind", "ppp_structure"))
    @sourced(OWNERSHIP)
    def score_public_ownership_conflict(self, ids, c, soft):
        """Rank down private-finance structures when the city wants to keep public ownership."""
        text = ("the city wants to keep public ownership; this structure brings private "
                "ownership or long-term private rights")  # fmt: skip
        self.declare(*(
            score(iid, "score_public_ownership_conflict", weights.PUBLIC_OWNERSHIP_CONFLICT,
                  text, OWNERSHIP)
            for iid in ids
        ))  # fmt: skip

    @Rule(Project(), group("costs", MATCH.costs & holds(lambda c: "investment" not in c)))
    @sourced(CATALOGUE_FIELD)
    def caution_does_not_fund_investment(self, costs, ids, c, soft):
        """Say plainly when an instrument never pays for the investment itself."""
        text = (f"pays {listed(costs)} costs only, never the investment: combine it with "
                "investment finance")  # fmt: skip
        self.declare(
            *(caution(iid, "caution_does_not_fund_investment", text, c[iid]) for iid in ids)
        )

    @Rule(
        Project(stage="operation"), group("costs", MATCH.costs & holds(lambda c: "operation" in c))
    )
    @sourced(SERVICES_BOUGHT)
    def score_pays_operating_costs_in_operation(self, costs, ids, c, soft):
        """Prefer instruments that pay running costs for a project in operation."""
        text = ("pays operating costs, which a service in operation needs (as cities buy "
                "cloud services and rent facilities)")  # fmt: skip
        self.declare(*(
            score(iid, "score_pays_operating_costs_in_operation", weights.OPERATION_COSTS,
                  text, SERVICES_BOUGHT)
            for iid in ids
        ))  # fmt: skip

    @Rule(Project(stage="operation"), group("kind", "grant"))
    @sourced(GRANT_DEPENDENCE)
    def caution_grant_dependence_in_operation(self, ids, c, soft):
        """Warn that running services on grants risks their sustainability beyond the pilot."""
        text = ("services funded from grants or general budgets risk not being sustainable "
                "beyond the pilot phase: plan a business model for operation")  # fmt: skip
        self.declare(*(
            caution(iid, "caution_grant_dependence_in_operation", text, GRANT_DEPENDENCE)
            for iid in ids
        ))  # fmt: skip
