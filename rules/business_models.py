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
from rules.facts import Instrument, Model, Project
from rules.records import CATALOGUE_FIELD, caution, cite, fail, listed, score, sourced

BM = "business_model"
NONEMPTY = P(bool)
SEED = "000_3774adf2b4c550fa.txt"
PUBLIC_SERVICE = f"{SEED} §6.1.3 L3699; §6.1.14 L4033"
MATURITY = f"{SEED} §8.4 L5432; Annex 5 L5818-L5823"
OWNERSHIP = f"{SEED} §2.2.2.1 L764"
MIXED_FUNDING = f"{SEED} §6.1.13 L4000; §5.2.2 L2743"
SHARED_RISK = f"{SEED} §6.1.12 L3975; §2.2.3.1 L868"


class BusinessModelRules(KnowledgeEngine):
    @Rule(
        Project(country=MATCH.country, as_of=MATCH.as_of),
        Model(id=MATCH.mid, banned_in=MATCH.banned & NONEMPTY, banned_since=MATCH.since,
              cite=MATCH.c, unconfirmed=MATCH.u),
        TEST(lambda country, as_of, banned, since: country in banned
             and (since is None or as_of >= since)),
        salience=20,
    )  # fmt: skip
    @sourced(CATALOGUE_FIELD)
    def exclude_model_banned_in_country(self, country, as_of, mid, banned, since, c, u):
        """Exclude a business model the catalogue records as banned in the project's country."""
        self.declare(
            fail(
                mid, "exclude_model_banned_in_country", test="model lawful in the country",
                value=country, threshold=f"banned in {listed(banned)}"
                + (f" since {since.isoformat()}" if since else ""),
                source=cite(c, "banned_in"), field="banned_in", unconfirmed=u, about=BM,
            )
        )  # fmt: skip

    @Rule(
        Project(country="CN", as_of=MATCH.as_of),
        Instrument(id=MATCH.policy, jurisdiction="CN", params=MATCH.policy_params, cite=MATCH.pc),
        TEST(lambda as_of, policy_params: "user_pays_only_since" in policy_params
             and as_of.isoformat() >= str(policy_params["user_pays_only_since"])),
        Model(id=MATCH.mid, cn_after_reform=False, unconfirmed=MATCH.u),
        salience=20,
    )  # fmt: skip
    @sourced(CATALOGUE_FIELD)
    def exclude_model_not_allowed_in_china_after_reform(
        self, as_of, policy, policy_params, pc, mid, u
    ):
        """Exclude a government-pay model in China after the 2023 user-pays-only reform."""
        self.declare(
            fail(
                mid, "exclude_model_not_allowed_in_china_after_reform",
                test="new PPP in China is user-pays franchising only", value=as_of.isoformat(),
                threshold=f"since {policy_params['user_pays_only_since']} ({policy})",
                source=cite(pc, "params.user_pays_only_since"), field="allowed_in_cn_after_2023",
                unconfirmed=u, about=BM,
            )
        )  # fmt: skip

    @Rule(
        Project(revenue=MATCH.revenue),
        Model(id=MATCH.mid, revenue=MATCH.needed & NONEMPTY, cite=MATCH.c, unconfirmed=MATCH.u),
        TEST(lambda revenue, needed: not set(revenue) & set(needed)),
        salience=20,
    )
    @sourced(CATALOGUE_FIELD)
    def exclude_model_without_its_revenue(self, revenue, mid, needed, c, u):
        """Exclude a model that lives on revenue streams the project does not have."""
        self.declare(
            fail(
                mid, "exclude_model_without_its_revenue", test="project has the model's revenue",
                value=listed(revenue) if revenue else "none", threshold=listed(needed),
                source=cite(c, "revenue_streams"), field="revenue_streams", unconfirmed=u,
                fixable=True, hint=f"a revenue stream ({listed(needed)}) would make it fit",
                about=BM,
            )
        )  # fmt: skip

    @Rule(
        Project(sectors=MATCH.sectors),
        Model(id=MATCH.mid, sectors=MATCH.allowed & NONEMPTY, cite=MATCH.c, unconfirmed=MATCH.u),
        TEST(lambda sectors, allowed: not set(sectors) & set(allowed)),
        salience=20,
    )
    @sourced(CATALOGUE_FIELD)
    def exclude_model_outside_its_sectors(self, sectors, mid, allowed, c, u):
        """Exclude a model used only in sectors other than the project's."""
        self.declare(
            fail(
                mid, "exclude_model_outside_its_sectors", test="a project sector fits the model",
                value=listed(sectors), threshold=listed(allowed), source=cite(c, "sectors"),
                field="sectors", unconfirmed=u, about=BM,
            )
        )  # fmt: skip

    @Rule(
        Project(jurisdiction=MATCH.where),
        Model(id=MATCH.mid, jurisdictions=MATCH.allowed & NONEMPTY, cite=MATCH.c,
              unconfirmed=MATCH.u),
        TEST(lambda where, allowed: where not in allowed),
        salience=20,
    )  # fmt: skip
    @sourced(CATALOGUE_FIELD)
    def exclude_model_outside_its_jurisdictions(self, where, mid, allowed, c, u):
        """Exclude a model specific to other jurisdictions (e.g. China's multichannel model)."""
        self.declare(
            fail(
                mid, "exclude_model_outside_its_jurisdictions", test="model used in the region",
                value=where, threshold=listed(allowed), source=cite(c, "jurisdictions"),
                field="jurisdictions", unconfirmed=u, about=BM,
            )
        )  # fmt: skip

    @Rule(
        Project(revenue=MATCH.revenue),
        Model(id=MATCH.mid, revenue=MATCH.needed & NONEMPTY, cite=MATCH.c),
        TEST(lambda revenue, needed: bool(set(revenue) & set(needed))),
    )
    @sourced(CATALOGUE_FIELD)
    def score_model_revenue_fit(self, revenue, mid, needed, c):
        """Prefer models carried by the revenue the project has."""
        common = sorted(set(revenue) & set(needed))
        self.declare(
            score(
                mid, "score_model_revenue_fit", weights.REVENUE_MATCH,
                f"carried by the project's {listed(common)} revenue", cite(c, "revenue_streams"),
                about=BM,
            )
        )  # fmt: skip

    @Rule(
        Project(sector=MATCH.main, sectors=MATCH.sectors),
        Model(id=MATCH.mid, sectors=MATCH.allowed & NONEMPTY, cite=MATCH.c),
        TEST(lambda sectors, allowed: bool(set(sectors) & set(allowed))),
    )
    @sourced(CATALOGUE_FIELD)
    def score_model_sector_fit(self, main, sectors, mid, allowed, c):
        """Prefer models the seed records in the project's sector, its main sector most."""
        named = sorted(set(sectors) & set(allowed))
        points = weights.SECTOR_NAMED if main in allowed else weights.SECTOR_SECONDARY
        self.declare(
            score(mid, "score_model_sector_fit", points, f"used for {listed(named)} projects",
                  cite(c, "sectors"), about=BM)
        )  # fmt: skip

    @Rule(
        Project(stage=MATCH.stage),
        Model(id=MATCH.mid, stages=MATCH.stages & NONEMPTY, cite=MATCH.c),
        TEST(lambda stage, stages: stage in stages),
    )
    @sourced(CATALOGUE_FIELD)
    def score_model_stage_fit(self, stage, mid, stages, c):
        """Prefer models used at the project's stage (e.g. services bought once running)."""
        self.declare(
            score(mid, "score_model_stage_fit", weights.STAGE_NAMED, f"used at the {stage} stage",
                  cite(c, "stages"), about=BM)
        )  # fmt: skip

    @Rule(Project(), Model(id=MATCH.mid, precedents=MATCH.n & P(bool), cite=MATCH.c))
    @sourced(CATALOGUE_FIELD)
    def score_model_precedents(self, mid, n, c):
        """Prefer established practice: models the study records in more cities."""
        points = weights.PRECEDENT * min(n, weights.MAX_PRECEDENTS)
        self.declare(
            score(mid, "score_model_precedents", points,
                  f"recorded in {n} cit{'y' if n == 1 else 'ies'} of the study",
                  cite(c, "recorded_cases"), about=BM)
        )  # fmt: skip

    @Rule(
        Project(jurisdiction=MATCH.where),
        Model(id=MATCH.mid, jurisdictions=MATCH.allowed & NONEMPTY, cite=MATCH.c),
        TEST(lambda where, allowed: where in allowed),
    )
    @sourced(CATALOGUE_FIELD)
    def score_model_jurisdiction_named(self, where, mid, allowed, c):
        """Prefer models developed for the project's own jurisdiction."""
        self.declare(
            score(
                mid, "score_model_jurisdiction_named", weights.COUNTRY_NAMED,
                f"a model of {where} practice", cite(c, "jurisdictions"), about=BM,
            )
        )  # fmt: skip

    @Rule(
        Project(revenue=MATCH.revenue),
        Model(id=MATCH.mid, ownership="public", revenue=()),
        TEST(lambda revenue: set(revenue) <= PUBLIC_REVENUE),
    )
    @sourced(PUBLIC_SERVICE)
    def score_model_public_delivery_for_non_commercial_project(self, revenue, mid):
        """Prefer public delivery for a project without commercial revenue."""
        self.declare(
            score(
                mid, "score_model_public_delivery_for_non_commercial_project",
                weights.PUBLIC_FUNDING,
                "pure public services without market revenue are government-funded and run",
                PUBLIC_SERVICE, about=BM,
            )
        )  # fmt: skip

    @Rule(
        Project(max_private_share=MATCH.share & P(lambda s: s is not None and 0 < s < 1)),
        Model(id=MATCH.mid, ownership=MATCH.ownership & P(lambda o: o != "public")),
    )
    @sourced(MIXED_FUNDING)
    def score_model_ownership_mix_fit(self, share, mid, ownership):
        """Fit a public-private split: mixed models up, wholly private ones down."""
        if ownership == "mixed":
            points, text = weights.MIX_FIT, f"shares ownership, as a {share:.0%} private cap asks"
        else:
            points = weights.MIX_MISFIT
            text = f"wholly private, beyond the {share:.0%} private share the city accepts"
        self.declare(
            score(mid, "score_model_ownership_mix_fit", points, text, MIXED_FUNDING, about=BM)
        )

    @Rule(Project(industry_partner=True), Model(id=MATCH.mid, ownership="mixed"))
    @sourced(SHARED_RISK)
    def score_model_shared_ownership_with_industry_partner(self, mid):
        """Prefer shared-ownership models when an industry partner is already on board."""
        self.declare(
            score(
                mid, "score_model_shared_ownership_with_industry_partner", weights.INDUSTRY_PARTNER,
                "an industry partner is on board: shared ownership spreads costs and risks "
                "(as Qianhai's joint venture with the carriers, Busan's with Cisco and KT)",
                SHARED_RISK, about=BM,
            )
        )  # fmt: skip

    @Rule(Project(keep_public=True), Model(id=MATCH.mid, ownership="private"))
    @sourced(OWNERSHIP)
    def score_model_private_ownership_conflict(self, mid):
        """Rank down privately owned models when the city wants to keep public ownership."""
        self.declare(
            score(
                mid, "score_model_private_ownership_conflict",
                weights.PUBLIC_OWNERSHIP_CONFLICT,
                "privately owned, while the city wants to keep public ownership", OWNERSHIP,
                about=BM,
            )
        )  # fmt: skip

    @Rule(
        Project(maturity=MATCH.level),
        Model(id=MATCH.mid, min_maturity=MATCH.needed & P(bool)),
        TEST(lambda level, needed: 0 <= level < needed),
    )
    @sourced(MATURITY)
    def score_model_maturity_gap(self, level, mid, needed):
        """Rank down models that need a more mature city (Annex 5)."""
        gap = needed - level
        self.declare(
            score(
                mid, "score_model_maturity_gap", weights.MATURITY_GAP * gap,
                f"needs a city {gap} maturity level(s) above this one's (Annex 5)", MATURITY,
                about=BM,
            )
        )  # fmt: skip
        self.declare(
            caution(
                mid, "score_model_maturity_gap",
                "the city's maturity is below what this model usually needs: build capacity "
                "first or pilot it",
                MATURITY, about=BM,
            )
        )  # fmt: skip

    @Rule(
        Project(risk_appetite=MATCH.appetite & P(lambda a: a is not None)),
        Model(id=MATCH.mid, risk_appetite=MATCH.fits & NONEMPTY, cite=MATCH.c),
    )
    @sourced(CATALOGUE_FIELD)
    def score_model_risk_appetite_fit(self, appetite, mid, fits, c):
        """Match the city's risk appetite (e.g. guaranteed vs shared savings for an ESCO)."""
        if appetite in fits:
            points, text = weights.RISK_APPETITE_FIT, f"suits a {appetite} risk appetite"
        else:
            points = -weights.RISK_APPETITE_FIT
            text = f"suits a {listed(fits)} risk appetite, not {appetite}"
        self.declare(
            score(mid, "score_model_risk_appetite_fit", points, text, cite(c, "risk_appetite"),
                  about=BM)
        )  # fmt: skip
