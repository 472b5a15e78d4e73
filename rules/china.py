"""China rule pack: the 2023 PPP reform, the legacy fiscal caps on PPP payments, and the end of
government debt through city companies (Guofa [2014] 43: no loan or bond to a city company for a
project without revenue of its own; general bonds for projects without revenue, special bonds for
those with some).

Sources: instrument_facts.md CN1 (MoF PPP 2014-2023: the 10% fiscal-affordability cap, binding
as restated on 7 Mar 2019; from the MoF notice of 18 Nov 2022, no new PPP above 10% and no new
government-pay PPP above 5%), CN2 (new PPP mechanism, Guo Ban Han [2023] 115: user-pays
franchising only). Dates, caps and stream lists are catalogue params of the policy's own
record, matched here as facts; the citations come with them.
"""

from rules._experta import MATCH, TEST, KnowledgeEngine, P, Rule
from rules.facts import Instrument, Project
from rules.records import (
    CATALOGUE_FIELD,
    caution,
    cite,
    fail,
    group,
    listed,
    sourced,
    split_codes,
)

REFORM = P(lambda params: "user_pays_only_since" in params)
LEGACY_CAP = P(lambda params: "fiscal_cap_share_of_general_budget" in params)
BINDING_CAP = P(lambda params: "fiscal_cap_binding_since" in params)
GOVERNMENT_PAY_CAP = P(lambda params: "government_pay_threshold_since" in params)
KNOWN_SHARE = P(lambda s: s is not None)
CITY_COMPANY_DEBT = P(lambda params: "city_company_debt_needs_revenue_since" in params)
GENERAL_BOND = P(
    lambda params: "special_bond_revenue" in params and "general_bond_form_since" in params
)


def _confirmed(unconfirmed, *fields: str) -> bool:  # type: ignore[no-untyped-def]
    """None of the policy record's `fields` is unconfirmed: its failure excludes (else: check)."""
    return not set(fields) & set(unconfirmed)


def _in_force(as_of, since, policy_valid_to) -> bool:  # type: ignore[no-untyped-def]
    """From `since` to the end of the policy's regime (its record's valid_to), both included."""
    day = as_of.isoformat()
    return day >= str(since) and (policy_valid_to is None or as_of <= policy_valid_to)


class ChinaRules(KnowledgeEngine):
    @Rule(
        Project(country="CN", as_of=MATCH.as_of, revenue=MATCH.revenue),
        Instrument(id=MATCH.policy, jurisdiction="CN", params=MATCH.policy_params & REFORM,
                   cite=MATCH.pc, unconfirmed=MATCH.pu),
        TEST(lambda as_of, policy_params, revenue: as_of.isoformat()
             >= str(policy_params["user_pays_only_since"])
             and not set(revenue) & split_codes(policy_params.get("user_pays_streams"))),
        group("private_partner", True),
        salience=20,
    )  # fmt: skip
    @sourced(CATALOGUE_FIELD)
    def exclude_government_pay_ppp_in_china_after_reform(
        self, as_of, revenue, policy, policy_params, pc, pu, ids, c, soft
    ):
        """Exclude a PPP structure, or private capital that would be the partner of one (the
        catalogue's `params.private_partner_in_public_project`), without user-pays revenue in
        China after the 2023 reform (an unconfirmed date or stream list of the policy record
        makes it one to check)."""
        hard = _confirmed(pu, "params.user_pays_only_since", "params.user_pays_streams")
        since = policy_params["user_pays_only_since"]
        self.declare(*(
            fail(iid, "exclude_government_pay_ppp_in_china_after_reform",
                 test="new PPP in China is user-pays franchising only",
                 value=f"revenue: {listed(revenue) if revenue else 'none'}",
                 threshold=f"user-pays revenue ({policy_params.get('user_pays_streams')}) "
                 f"since {since} ({policy})",
                 source=cite(pc, "params.user_pays_only_since"), hard=hard and iid not in soft,
                 fixable=True,
                 hint="a user-pays revenue stream (user fees, parking fees, value-added "
                 f"services) would allow franchising under {policy}")
            for iid in ids
            if iid != policy
        ))  # fmt: skip

    @Rule(
        Project(country="CN", as_of=MATCH.as_of, ppp_payments_share=MATCH.share & KNOWN_SHARE),
        Instrument(id=MATCH.policy, jurisdiction="CN", params=MATCH.policy_params & BINDING_CAP,
                   valid_to=MATCH.policy_to, cite=MATCH.pc, unconfirmed=MATCH.pu),
        TEST(lambda share, as_of, policy_params, policy_to:
             share > float(policy_params["fiscal_cap_share_of_general_budget"])
             and _in_force(as_of, policy_params["fiscal_cap_binding_since"], policy_to)),
        group("kind", "ppp_structure"),
        salience=20,
    )  # fmt: skip
    @sourced(CATALOGUE_FIELD)
    def exclude_ppp_above_fiscal_cap_in_china(
        self, share, as_of, policy, policy_params, policy_to, pc, pu, ids, c, soft
    ):
        """Exclude a PPP structure in China where the city's PPP payments already exceed the
        share of its general public budget that the MoF rules allow (10%: no new PPP project
        there), from the date the catalogue gives the cap as binding to the end of the legacy
        regime; an unconfirmed cap or date makes it one to check."""
        hard = _confirmed(
            pu, "params.fiscal_cap_share_of_general_budget", "params.fiscal_cap_binding_since"
        )
        cap = float(policy_params["fiscal_cap_share_of_general_budget"])
        self.declare(*(
            fail(iid, "exclude_ppp_above_fiscal_cap_in_china",
                 test="PPP payments within the fiscal-affordability cap",
                 value=f"{share:.1%} of the general public budget",
                 threshold=f"at most {cap:.0%} ({policy}, binding since "
                 f"{policy_params['fiscal_cap_binding_since']})",
                 source=cite(pc, "params.fiscal_cap_share_of_general_budget"),
                 hard=hard and iid not in soft)
            for iid in ids
        ))  # fmt: skip

    @Rule(
        Project(country="CN", as_of=MATCH.as_of, revenue=MATCH.revenue,
                ppp_payments_share=MATCH.share & KNOWN_SHARE),
        Instrument(id=MATCH.policy, jurisdiction="CN",
                   params=MATCH.policy_params & GOVERNMENT_PAY_CAP, valid_to=MATCH.policy_to,
                   cite=MATCH.pc, unconfirmed=MATCH.pu),
        TEST(lambda share, as_of, revenue, policy_params, policy_to:
             share > float(policy_params["government_pay_ppp_threshold_share"])
             and _in_force(as_of, policy_params["government_pay_threshold_since"], policy_to)
             and not set(revenue) & split_codes(policy_params.get("user_pays_streams"))),
        group("kind", "ppp_structure"),
        salience=20,
    )  # fmt: skip
    @sourced(CATALOGUE_FIELD)
    def exclude_government_pay_ppp_above_threshold_in_china(
        self, share, as_of, revenue, policy, policy_params, policy_to, pc, pu, ids, c, soft
    ):
        """Exclude a government-pay PPP structure in China (no user-pays revenue) where the
        city's PPP payments exceed the lower share above which the MoF allows no new
        government-pay PPP (5%, from its notice of 18 Nov 2022 to the end of the legacy regime);
        an unconfirmed threshold, date or stream list makes it one to check."""
        hard = _confirmed(
            pu,
            "params.government_pay_ppp_threshold_share",
            "params.government_pay_threshold_since",
            "params.user_pays_streams",
        )
        threshold = float(policy_params["government_pay_ppp_threshold_share"])
        self.declare(*(
            fail(iid, "exclude_government_pay_ppp_above_threshold_in_china",
                 test="government-pay PPP within the fiscal threshold",
                 value=f"{share:.1%} of the general public budget; revenue: "
                 f"{listed(revenue) if revenue else 'none'}",
                 threshold=f"at most {threshold:.0%} for a PPP without user-pays revenue "
                 f"({policy}, since {policy_params['government_pay_threshold_since']})",
                 source=cite(pc, "params.government_pay_ppp_threshold_share"),
                 hard=hard and iid not in soft, fixable=True,
                 hint="user-pays revenue (user fees, parking fees, value-added services) "
                 "would make it a PPP the lower threshold does not stop")
            for iid in ids
        ))  # fmt: skip

    @Rule(
        Project(country="CN", applicant="municipal_company", as_of=MATCH.as_of,
                revenue=MATCH.revenue),
        Instrument(id=MATCH.policy, jurisdiction="CN",
                   params=MATCH.policy_params & CITY_COMPANY_DEBT, cite=MATCH.pc,
                   unconfirmed=MATCH.pu),
        TEST(lambda as_of, revenue, policy_params: not revenue and as_of.isoformat()
             >= str(policy_params["city_company_debt_needs_revenue_since"])),
        group("debt_in_china", True),
        salience=20,
    )  # fmt: skip
    @sourced(CATALOGUE_FIELD)
    def exclude_city_company_debt_without_revenue_in_china(
        self, as_of, revenue, policy, policy_params, pc, pu, ids, c, soft
    ):
        """Exclude a loan or bond to a Chinese city company for a project without revenue of its
        own after Guofa [2014] 43 stripped city companies of government financing: the debt
        would be the city's, which borrows only by government bond (Budget Law Art. 35); an
        unconfirmed date in the policy record makes it one to check."""
        hard = _confirmed(pu, "params.city_company_debt_needs_revenue_since")
        since = policy_params["city_company_debt_needs_revenue_since"]
        self.declare(*(
            fail(iid, "exclude_city_company_debt_without_revenue_in_china",
                 test="a city company borrows against revenue of the project's own",
                 value="revenue: none",
                 threshold=f"no new government debt through city companies since {since} "
                 f"({policy})",
                 source=cite(pc, "params.city_company_debt_needs_revenue_since"),
                 hard=hard and iid not in soft, fixable=True,
                 hint="revenue of the project's own (user fees, energy savings, availability "
                 "payments) would let the company borrow on it; without it the city borrows "
                 "by local government bond")
            for iid in ids
            if iid != policy
        ))  # fmt: skip

    @Rule(
        Project(country="CN", as_of=MATCH.as_of, revenue=MATCH.revenue),
        Instrument(id=MATCH.bond, jurisdiction="CN", params=MATCH.bond_params & GENERAL_BOND,
                   cite=MATCH.bc, unconfirmed=MATCH.bu),
        TEST(lambda as_of, revenue, bond_params:
             as_of.isoformat() >= str(bond_params["general_bond_form_since"])
             and bool(set(revenue) & split_codes(bond_params["special_bond_revenue"]))),
        group("kind", "bond"),
        salience=20,
    )  # fmt: skip
    @sourced(CATALOGUE_FIELD)
    def exclude_general_bond_for_project_with_revenue_in_china(
        self, as_of, revenue, bond, bond_params, bc, bu, ids, c, soft
    ):
        """Exclude China's general bond for a project with revenue of its own once the general
        bond has its form (Budget Law in force 2015-01-01): Guofa [2014] 43 sends public-welfare
        projects with some revenue to special bonds, general bonds to those without; an
        unconfirmed date or stream list makes it one to check."""
        hard = _confirmed(bu, "params.general_bond_form_since", "params.special_bond_revenue")
        streams = sorted(set(revenue) & split_codes(bond_params["special_bond_revenue"]))
        self.declare(*(
            fail(iid, "exclude_general_bond_for_project_with_revenue_in_china",
                 test="a general bond funds a project without revenue of its own",
                 value=f"revenue: {listed(streams)}",
                 threshold=f"no revenue a special bond is repaid from (since "
                 f"{bond_params['general_bond_form_since']})",
                 source=cite(bc, "params.special_bond_revenue"), hard=hard and iid not in soft)
            for iid in ids
            if iid == bond
        ))  # fmt: skip

    @Rule(
        Project(country="CN", ppp_payments_share=MATCH.share & KNOWN_SHARE),
        Instrument(id=MATCH.policy, jurisdiction="CN", params=MATCH.policy_params & LEGACY_CAP,
                   cite=MATCH.pc),
        TEST(lambda share, policy_params:
             share > float(policy_params["fiscal_cap_share_of_general_budget"])),
        group("kind", "ppp_structure"),
    )  # fmt: skip
    @sourced(CATALOGUE_FIELD)
    def caution_ppp_payments_above_legacy_fiscal_cap(
        self, share, policy, policy_params, pc, ids, c, soft
    ):
        """Warn when PPP payments already exceed the legacy 10% share of the general budget."""
        cap = float(policy_params["fiscal_cap_share_of_general_budget"])
        text = (
            f"PPP payments are {share:.0%} of the general public budget, above the "
            f"{cap:.0%} fiscal-affordability ceiling of the legacy PPP rules ({policy}); "
            "new fiscal liabilities are not allowed under the 2023 mechanism either"
        )
        source = cite(pc, "params.fiscal_cap_share_of_general_budget")
        self.declare(*(
            caution(iid, "caution_ppp_payments_above_legacy_fiscal_cap", text, source)
            for iid in ids
        ))  # fmt: skip
