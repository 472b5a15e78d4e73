"""Business-model fit: how well each of the seed's business models suits the project, and why.

Sources: the models' own catalogue rows (revenue streams, sectors, stages, precedents,
jurisdictions, risk appetite, each with its citation); the seed on selecting models by project
type (000_3774adf2b4c550fa.txt §6.1.3 L3699, §6.1.14 L4033: market projects enterprise-run, pure
public services government-funded); Annex 5 maturity (§8.4 L5432, Annex 5 L5818-L5823); private
ownership resistance (§2.2.2.1 L764); mixed funding and shared risk (§6.1.13 L4000, §5.2.2 L2743;
§6.1.12 L3975, §2.2.3.1 L868); ESCO guaranteed vs shared savings by risk appetite
(instrument_facts.md G2). Who pays the operator (user-pays vs government-pays PPPs: APMG PPP
Certification Guide Sec. 4.7, 4.10), the kinds of asset the sources name a model for or against,
and dated jurisdictional incentives (e.g. China's shared-savings EMC reward, Caijian [2010] 249,
and tax relief, Caishui [2010] 110) come from the models' own catalogue rows (`payer`,
`asset_fit`, `incentives`), each entry with its source.
"""

from datetime import date
from typing import Any

from catalogue.vocabulary import PUBLIC_REVENUE, payers_of
from rules import weights
from rules._experta import MATCH, TEST, KnowledgeEngine, P, Rule
from rules.business_models.patterns import BM, NONEMPTY, SEED, model_group
from rules.facts import Project
from rules.records import CATALOGUE_FIELD, caution, holds, listed, score, sourced

PUBLIC_SERVICE = f"{SEED} §6.1.3 L3699; §6.1.14 L4033"
MATURITY = f"{SEED} §8.4 L5432; Annex 5 L5818-L5823"
OWNERSHIP = f"{SEED} §2.2.2.1 L764"
MIXED_FUNDING = f"{SEED} §6.1.13 L4000; §5.2.2 L2743"
SHARED_RISK = f"{SEED} §6.1.12 L3975; §2.2.3.1 L868"


def shows(entry: Any, main: str, applicant: str, revenue: Any, where: str) -> bool:
    """The project shows the asset of an `asset_fit` entry (catalogue/schema.py AssetFit)."""
    return (
        main in entry["sectors"]
        and (not entry["applicants"] or applicant in entry["applicants"])
        and (not entry["revenue_includes"] or bool(set(revenue) & set(entry["revenue_includes"])))
        and (not entry["jurisdictions"] or where in entry["jurisdictions"])
    )


def in_force(entry: Any, country: str, as_of: date) -> bool:
    """A source confirms the incentive in force in `country` on `as_of` (schema Incentive)."""
    if country not in entry["countries"] or as_of < entry["valid_from"]:
        return False
    end = entry["valid_to"] if entry["valid_to"] is not None else entry["confirmed_to"]
    return end is not None and as_of <= end


def status_unconfirmed(entry: Any, country: str, as_of: date) -> bool:
    """Started in `country` by `as_of`, but no source gives its end or shows it still in force."""
    if country not in entry["countries"] or as_of < entry["valid_from"]:
        return False
    if entry["valid_to"] is not None:
        return False
    return entry["confirmed_to"] is None or as_of > entry["confirmed_to"]


PAYER_WORDS = {
    "users": "the users",
    "public_budget": "the public budget",
    "availability_payments": "the authority's availability or service payments",
    "savings": "the savings",
    "advertisers": "advertisers",
    "data_buyers": "data buyers",
}
ASSET_PATTERN = (
    Project(sector=MATCH.main, applicant=MATCH.applicant, revenue=MATCH.revenue,
            jurisdiction=MATCH.where),
    model_group("asset_fit", MATCH.entries & NONEMPTY, extra=True),
)  # fmt: skip
INCENTIVE_PATTERN = (
    Project(country=MATCH.country, as_of=MATCH.as_of),
    model_group("incentives", MATCH.entries & NONEMPTY, extra=True),
)


class BusinessModelFitRules(KnowledgeEngine):
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

    @Rule(
        Project(revenue=MATCH.revenue),
        model_group("payer", MATCH.payers & NONEMPTY),
        TEST(lambda revenue, payers: bool(payers_of(revenue) & set(payers))),
    )
    @sourced(CATALOGUE_FIELD)
    def score_model_paid_by_who_pays(self, revenue, payers, ids, c, soft):
        """Prefer models whose operator is paid by whoever pays in the project: users, the public
        budget, availability payments or savings (no commercial revenue: the public budget)."""
        who = [PAYER_WORDS[p] for p in sorted(payers_of(revenue) & set(payers))]
        text = f"its operator is paid by {' and '.join(who)}, as in the project"
        self.declare(*(
            score(mid, "score_model_paid_by_who_pays", weights.PAYER_MATCH, text, c[mid],
                  about=BM)
            for mid in ids
        ))  # fmt: skip

    @Rule(
        *ASSET_PATTERN,
        TEST(lambda main, applicant, revenue, where, entries: any(
            e["fits"] and shows(e, main, applicant, revenue, where) for e in entries)),
    )  # fmt: skip
    @sourced(CATALOGUE_FIELD)
    def score_model_named_for_the_asset(
        self, main, applicant, revenue, where, entries, ids, c, soft, extra
    ):
        """Prefer a model the sources name for the kind of asset the project shows (e.g. the
        public, open-access municipal fibre network the European Commission describes)."""
        hits = [e for e in entries if e["fits"] and shows(e, main, applicant, revenue, where)]
        text = "; ".join(f"suits {e['asset']}: {e['reason']}" for e in hits)
        self.declare(*(
            score(mid, "score_model_named_for_the_asset", weights.ASSET_FIT, text,
                  extra[mid][hits[0]["id"]], about=BM)
            for mid in ids
        ))  # fmt: skip

    @Rule(
        *ASSET_PATTERN,
        TEST(lambda main, applicant, revenue, where, entries: any(
            not e["fits"] and shows(e, main, applicant, revenue, where) for e in entries)),
    )  # fmt: skip
    @sourced(CATALOGUE_FIELD)
    def score_model_against_the_asset(
        self, main, applicant, revenue, where, entries, ids, c, soft, extra
    ):
        """Rank down a model the sources say does not carry the kind of asset the project shows
        (e.g. fares do not carry a metro or a bus service the authority pays for)."""
        hits = [e for e in entries if not e["fits"] and shows(e, main, applicant, revenue, where)]
        text = "; ".join(f"does not carry {e['asset']}: {e['reason']}" for e in hits)
        self.declare(*(
            score(mid, "score_model_against_the_asset", weights.ASSET_MISFIT, text,
                  extra[mid][hits[0]["id"]], about=BM)
            for mid in ids
        ))  # fmt: skip

    @Rule(
        *INCENTIVE_PATTERN,
        TEST(lambda country, as_of, entries: any(in_force(e, country, as_of) for e in entries)),
    )
    @sourced(CATALOGUE_FIELD)
    def score_model_rewarded_by_incentive_in_force(
        self, country, as_of, entries, ids, c, soft, extra
    ):
        """Prefer a model that a jurisdictional incentive in force on the project's date rewards
        (e.g. China's reward and tax relief for shared-savings EMC, not for other EMC types)."""
        hits = [e for e in entries if in_force(e, country, as_of)]
        text = "; ".join(f"{e['text']} ({e['legal_basis']}, in force on {as_of.isoformat()})"
                         for e in hits)  # fmt: skip
        self.declare(*(
            score(mid, "score_model_rewarded_by_incentive_in_force", weights.INCENTIVE, text,
                  extra[mid][hits[0]["id"]], about=BM)
            for mid in ids
        ))  # fmt: skip

    @Rule(
        *INCENTIVE_PATTERN,
        TEST(lambda country, as_of, entries: any(
            status_unconfirmed(e, country, as_of) for e in entries)),
    )  # fmt: skip
    @sourced(CATALOGUE_FIELD)
    def caution_model_incentive_status_unconfirmed(
        self, country, as_of, entries, ids, c, soft, extra
    ):
        """Caution, without scoring, when no source shows a model's incentive still in force on the
        project's date: a limit nobody confirmed is not an incentive to count on."""
        hits = [e for e in entries if status_unconfirmed(e, country, as_of)]
        for e in hits:
            seen = e["confirmed_to"]
            since = f"; last confirmed in force on {seen.isoformat()}" if seen else ""
            text = (f"{e['text']} ({e['legal_basis']}): no source shows it in force on "
                    f"{as_of.isoformat()}{since}; check before counting on it")  # fmt: skip
            for mid in ids:
                self.declare(caution(mid, "caution_model_incentive_status_unconfirmed", text,
                                     extra[mid][e["id"]], about=BM))  # fmt: skip
