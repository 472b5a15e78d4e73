"""China rule pack: the 2023 PPP reform and the legacy fiscal cap on PPP payments.

Sources: instrument_facts.md CN1 (MoF PPP 2014-2023, 10% fiscal-affordability cap), CN2 (new
PPP mechanism, Guo Ban Han [2023] 115: user-pays franchising only). Dates, caps and stream
lists are catalogue params of the policy's own record, matched here as facts; the citations
come with them.
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
        hard = not {"params.user_pays_only_since", "params.user_pays_streams"} & set(pu)
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
        Project(country="CN", ppp_payments_share=MATCH.share & P(lambda s: s is not None)),
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
