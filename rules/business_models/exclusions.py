"""Business-model exclusions: the seed's business models the project cannot use, and why.

Sources: the models' own catalogue rows (bans, revenue streams, sectors, jurisdictions, each with
its citation) and China's 2023 PPP reform (instrument_facts.md CN2, matched through the policy's
catalogue record). Every exclusion is hard (salience 20) unless the model's row marks it soft.
"""

from rules._experta import MATCH, TEST, KnowledgeEngine, P, Rule
from rules.business_models.patterns import BM, NONEMPTY, model_group
from rules.facts import Instrument, Project
from rules.records import CATALOGUE_FIELD, cite, fail, holds, listed, sourced

REFORM = P(lambda params: "user_pays_only_since" in params)


class BusinessModelExclusionRules(KnowledgeEngine):
    @Rule(
        Project(country=MATCH.country, as_of=MATCH.as_of),
        model_group("banned", MATCH.ban & holds(lambda b: bool(b[0]) and isinstance(b[0], tuple))),
        TEST(lambda country, as_of, ban: country in ban[0] and (ban[1] is None or as_of >= ban[1])),
        salience=20,
    )  # fmt: skip
    @sourced(CATALOGUE_FIELD)
    def exclude_model_banned_in_country(self, country, as_of, ban, ids, c, soft):
        """Exclude a business model the catalogue records as banned in the project's country."""
        since = f" since {ban[1].isoformat()}" if ban[1] else ""
        self.declare(*(
            fail(mid, "exclude_model_banned_in_country", test="model lawful in the country",
                 value=country, threshold=f"banned in {listed(ban[0])}{since}", source=c[mid],
                 hard=mid not in soft, about=BM)
            for mid in ids
        ))  # fmt: skip

    @Rule(
        Project(country="CN", as_of=MATCH.as_of),
        Instrument(id=MATCH.policy, jurisdiction="CN", params=MATCH.policy_params & REFORM,
                   cite=MATCH.pc),
        TEST(lambda as_of, policy_params:
             as_of.isoformat() >= str(policy_params["user_pays_only_since"])),
        model_group("cn_after_reform", False),
        salience=20,
    )  # fmt: skip
    @sourced(CATALOGUE_FIELD)
    def exclude_model_not_allowed_in_china_after_reform(
        self, as_of, policy, policy_params, pc, ids, c, soft
    ):
        """Exclude a government-pay model in China after the 2023 user-pays-only reform."""
        self.declare(*(
            fail(mid, "exclude_model_not_allowed_in_china_after_reform",
                 test="new PPP in China is user-pays franchising only", value=as_of.isoformat(),
                 threshold=f"since {policy_params['user_pays_only_since']} ({policy})",
                 source=cite(pc, "params.user_pays_only_since"), hard=mid not in soft, about=BM)
            for mid in ids
        ))  # fmt: skip

    @Rule(
        Project(revenue=MATCH.revenue),
        model_group("revenue", MATCH.needed & NONEMPTY),
        TEST(lambda revenue, needed: not set(revenue) & set(needed)),
        salience=20,
    )
    @sourced(CATALOGUE_FIELD)
    def exclude_model_without_its_revenue(self, revenue, needed, ids, c, soft):
        """Exclude a model that lives on revenue streams the project does not have."""
        self.declare(*(
            fail(mid, "exclude_model_without_its_revenue", test="project has the model's revenue",
                 value=listed(revenue) if revenue else "none", threshold=listed(needed),
                 source=c[mid], hard=mid not in soft, fixable=True,
                 hint=f"a revenue stream ({listed(needed)}) would make it fit", about=BM)
            for mid in ids
        ))  # fmt: skip

    @Rule(
        Project(sectors=MATCH.sectors),
        model_group("sectors", MATCH.allowed & NONEMPTY),
        TEST(lambda sectors, allowed: not set(sectors) & set(allowed)),
        salience=20,
    )
    @sourced(CATALOGUE_FIELD)
    def exclude_model_outside_its_sectors(self, sectors, allowed, ids, c, soft):
        """Exclude a model used only in sectors other than the project's."""
        self.declare(*(
            fail(mid, "exclude_model_outside_its_sectors", test="a project sector fits the model",
                 value=listed(sectors), threshold=listed(allowed), source=c[mid],
                 hard=mid not in soft, about=BM)
            for mid in ids
        ))  # fmt: skip

    @Rule(
        Project(jurisdiction=MATCH.where),
        model_group("jurisdictions", MATCH.allowed & NONEMPTY),
        TEST(lambda where, allowed: where not in allowed),
        salience=20,
    )
    @sourced(CATALOGUE_FIELD)
    def exclude_model_outside_its_jurisdictions(self, where, allowed, ids, c, soft):
        """Exclude a model specific to other jurisdictions (e.g. China's multichannel model)."""
        self.declare(*(
            fail(mid, "exclude_model_outside_its_jurisdictions", test="model used in the region",
                 value=where, threshold=listed(allowed), source=c[mid], hard=mid not in soft,
                 about=BM)
            for mid in ids
        ))  # fmt: skip
