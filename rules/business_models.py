"""Business-model rule pack: which of the seed's business models fit the project, and why.

Sources: the models' own catalogue rows (revenue streams, sectors, jurisdictions, bans, each with
its citation); the seed on selecting models by project type (000_3774adf2b4c550fa.txt §6.1.3
L3699, §6.1.14 L4033: market projects enterprise-run, pure public services government-funded);
Annex 5 maturity (§8.4 L5432, Annex 5 L5818-L5823); private ownership resistance (§2.2.2.1 L764);
China's 2023 PPP reform (instrument_facts.md CN2, matched through the policy's catalogue record);
ESCO guaranteed vs shared savings by risk appetite (instrument_facts.md G2).
"""

from catalogue.vocabulary import PUBLIC_REVENUE
from rules import weights
from rules._experta import MATCH, TEST, KnowledgeEngine, P, Rule
from rules.facts import Instrument, Project
from rules.records import CATALOGUE_FIELD, caution, cite, fail, group, holds, listed, score, sourced

BM = "business_model"
NONEMPTY = P(bool)
REFORM = P(lambda params: "user_pays_only_since" in params)
SEED = "000_3774adf2b4c550fa.txt"
PUBLIC_SERVICE = f"{SEED} §6.1.3 L3699; §6.1.14 L4033"
MATURITY = f"{SEED} §8.4 L5432; Annex 5 L5818-L5823"
OWNERSHIP = f"{SEED} §2.2.2.1 L764"
MIXED_FUNDING = f"{SEED} §6.1.13 L4000; §5.2.2 L2743"
SHARED_RISK = f"{SEED} §6.1.12 L3975; §2.2.3.1 L868"


def model_group(attribute: str, value):  # type: ignore[no-untyped-def]
    return group(attribute, value, of="model")


class BusinessModelRules(KnowledgeEngine):
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

    @Rule(
        Project(revenue=MATCH.revenue),
        model_group("revenue", MATCH.needed & NONEMPTY),
        TEST(lambda revenue, needed: bool(set(revenue) & set(needed))),
    )
    @sourced(CATALOGUE_FIELD)
    def score_model_revenue_fit(self, revenue, needed, ids, c, soft):
        """Prefer models carried by the revenue the project has."""
        text = f"carried by the project's {listed(sorted(set(revenue) & set(needed)))} revenue"
        self.declare(*(
            score(mid, "score_model_revenue_fit", weights.REVENUE_MATCH, text, c[mid], about=BM)
            for mid in ids
        ))  # fmt: skip

    @Rule(
        Project(sector=MATCH.main, sectors=MATCH.sectors),
        model_group("sectors", MATCH.allowed & NONEMPTY),
        TEST(lambda sectors, allowed: bool(set(sectors) & set(allowed))),
    )
    @sourced(CATALOGUE_FIELD)
    def score_model_sector_fit(self, main, sectors, allowed, ids, c, soft):
        """Prefer models the seed records in the project's sector, its main sector most."""
        text = f"used for {listed(sorted(set(sectors) & set(allowed)))} projects"
        points = weights.SECTOR_NAMED if main in allowed else weights.SECTOR_SECONDARY
        self.declare(*(
            score(mid, "score_model_sector_fit", points, text, c[mid], about=BM) for mid in ids
        ))  # fmt: skip

    @Rule(
        Project(stage=MATCH.stage),
        model_group("stages", MATCH.stages & NONEMPTY),
        TEST(lambda stage, stages: stage in stages),
    )
    @sourced(CATALOGUE_FIELD)
    def score_model_stage_fit(self, stage, stages, ids, c, soft):
        """Prefer models used at the project's stage (e.g. services bought once running)."""
        self.declare(*(
            score(mid, "score_model_stage_fit", weights.STAGE_NAMED,
                  f"used at the {stage} stage", c[mid], about=BM)
            for mid in ids
        ))  # fmt: skip

    @Rule(
        Project(),
        model_group("precedents", MATCH.n & holds(lambda n: isinstance(n, int) and n > 0)),
    )
    @sourced(CATALOGUE_FIELD)
    def score_model_precedents(self, n, ids, c, soft):
        """Prefer established practice: models the study records in more cities."""
        points = weights.PRECEDENT * min(n, weights.MAX_PRECEDENTS)
        text = f"recorded in {n} cit{'y' if n == 1 else 'ies'} of the study"
        self.declare(*(
            score(mid, "score_model_precedents", points, text, c[mid], about=BM) for mid in ids
        ))  # fmt: skip

    @Rule(
        Project(jurisdiction=MATCH.where),
        model_group("jurisdictions", MATCH.allowed & NONEMPTY),
        TEST(lambda where, allowed: where in allowed),
    )
    @sourced(CATALOGUE_FIELD)
    def score_model_jurisdiction_named(self, where, allowed, ids, c, soft):
        """Prefer models developed for the project's own jurisdiction."""
        self.declare(*(
            score(mid, "score_model_jurisdiction_named", weights.COUNTRY_NAMED,
                  f"a model of {where} practice", c[mid], about=BM)
            for mid in ids
        ))  # fmt: skip

    @Rule(
        Project(revenue=MATCH.revenue),
        model_group("ownership_revenue", ("public", ())),
        TEST(lambda revenue: set(revenue) <= PUBLIC_REVENUE),
    )
    @sourced(PUBLIC_SERVICE)
    def score_model_public_delivery_for_non_commercial_project(self, revenue, ids, c, soft):
        """Prefer public delivery for a project without commercial revenue."""
        text = "pure public services without market revenue are government-funded and run"
        self.declare(*(
            score(mid, "score_model_public_delivery_for_non_commercial_project",
                  weights.PUBLIC_FUNDING, text, PUBLIC_SERVICE, about=BM)
            for mid in ids
        ))  # fmt: skip

    @Rule(
        Project(max_private_share=MATCH.share & P(lambda s: s is not None and 0 < s < 1)),
        model_group("ownership", MATCH.ownership & holds(lambda o: o in ("mixed", "private"))),
    )
    @sourced(MIXED_FUNDING)
    def score_model_ownership_mix_fit(self, share, ownership, ids, c, soft):
        """Fit a public-private split: mixed models up, wholly private ones down."""
        if ownership == "mixed":
            points, text = weights.MIX_FIT, f"shares ownership, as a {share:.0%} private cap asks"
        else:
            points = weights.MIX_MISFIT
            text = f"wholly private, beyond the {share:.0%} private share the city accepts"
        self.declare(*(
            score(mid, "score_model_ownership_mix_fit", points, text, MIXED_FUNDING, about=BM)
            for mid in ids
        ))  # fmt: skip

    @Rule(Project(industry_partner=True), model_group("ownership", "mixed"))
    @sourced(SHARED_RISK)
    def score_model_shared_ownership_with_industry_partner(self, ids, c, soft):
        """Prefer shared-ownership models when an industry partner is already on board."""
        text = (
            "an industry partner is on board: shared ownership spreads costs and risks "
            "(as Qianhai's joint venture with the carriers, Busan's with Cisco and KT)"
        )
        self.declare(*(
            score(mid, "score_model_shared_ownership_with_industry_partner",
                  weights.INDUSTRY_PARTNER, text, SHARED_RISK, about=BM)
            for mid in ids
        ))  # fmt: skip

    @Rule(Project(keep_public=True), model_group("ownership", "private"))
    @sourced(OWNERSHIP)
    def score_model_private_ownership_conflict(self, ids, c, soft):
        """Rank down privately owned models when the city wants to keep public ownership."""
        text = "privately owned, while the city wants to keep public ownership"
        self.declare(*(
            score(mid, "score_model_private_ownership_conflict",
                  weights.PUBLIC_OWNERSHIP_CONFLICT, text, OWNERSHIP, about=BM)
            for mid in ids
        ))  # fmt: skip

    @Rule(
        Project(maturity=MATCH.level),
        model_group("min_maturity", MATCH.needed & holds(lambda n: isinstance(n, int) and n > 0)),
        TEST(lambda level, needed: 0 <= level < needed),
    )
    @sourced(MATURITY)
    def score_model_maturity_gap(self, level, needed, ids, c, soft):
        """Rank down models that need a more mature city (Annex 5)."""
        gap = needed - level
        text = f"needs a city {gap} maturity level(s) above this one's (Annex 5)"
        warning = ("the city's maturity is below what this model usually needs: build capacity "
                   "first or pilot it")  # fmt: skip
        for mid in ids:
            self.declare(
                score(mid, "score_model_maturity_gap", weights.MATURITY_GAP * gap, text,
                      MATURITY, about=BM),
                caution(mid, "score_model_maturity_gap", warning, MATURITY, about=BM),
            )  # fmt: skip

    @Rule(
        Project(risk_appetite=MATCH.appetite & P(lambda a: a is not None)),
        model_group("risk_appetite", MATCH.fits & NONEMPTY),
    )
    @sourced(CATALOGUE_FIELD)
    def score_model_risk_appetite_fit(self, appetite, fits, ids, c, soft):
        """Match the city's risk appetite (e.g. guaranteed vs shared savings for an ESCO)."""
        if appetite in fits:
            points, text = weights.RISK_APPETITE_FIT, f"suits a {appetite} risk appetite"
        else:
            points = -weights.RISK_APPETITE_FIT
            text = f"suits a {listed(fits)} risk appetite, not {appetite}"
        self.declare(*(
            score(mid, "score_model_risk_appetite_fit", points, text, c[mid], about=BM)
            for mid in ids
        ))  # fmt: skip
