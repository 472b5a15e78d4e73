"""Hard eligibility (go / no-go) as generic rules over catalogue attributes.

Policy area: whether an instrument can fund this project at all. Each rule tests one attribute
of any catalogue row against the project, so a new row with its attributes is enough for the
engine to consider it. Thresholds are the row's values; sources are the row's sources for the
tested field (a field the catalogue marks unconfirmed yields a caution, never an exclusion).
"""

from rules._experta import MATCH, TEST, KnowledgeEngine, P, Rule
from rules.facts import Instrument, Project
from rules.records import CATALOGUE_FIELD, cite, eur, fail, listed, sourced, split_codes

HARD = 20  # hard rules fire before scoring, so the agenda is settled in one pass

# Alpha constraints: an instrument without the attribute never enters the rule's join, so the
# join holds only the rows the rule can apply to (the instruments are declared once per engine).
NONEMPTY = P(bool)
SET = P(lambda value: value is not None)
HAS_BAN = P(lambda params: "prohibited_countries" in params)


class EligibilityRules(KnowledgeEngine):
    @Rule(
        Project(country=MATCH.country),
        Instrument(
            id=MATCH.iid, countries=MATCH.countries & NONEMPTY, cite=MATCH.c, unconfirmed=MATCH.u
        ),
        TEST(lambda country, countries: country not in countries),
        salience=HARD,
    )
    @sourced(CATALOGUE_FIELD)
    def exclude_outside_eligible_countries(self, country, iid, countries, c, u):
        """Exclude an instrument whose eligible countries do not include the project's."""
        shown = listed(countries) if len(countries) <= 6 else f"{len(countries)} countries"
        self.declare(
            fail(
                iid, "exclude_outside_eligible_countries",
                test="project country among the eligible countries",
                value=country, threshold=shown, source=cite(c, "eligible_countries"),
                field="eligible_countries", unconfirmed=u,
            )
        )  # fmt: skip

    @Rule(
        Project(applicant=MATCH.applicant),
        Instrument(
            id=MATCH.iid, applicants=MATCH.applicants & NONEMPTY, cite=MATCH.c, unconfirmed=MATCH.u
        ),
        TEST(lambda applicant, applicants: applicant not in applicants),
        salience=HARD,
    )
    @sourced(CATALOGUE_FIELD)
    def exclude_ineligible_applicant(self, applicant, iid, applicants, c, u):
        """Exclude an instrument that does not accept this type of applicant."""
        self.declare(
            fail(
                iid, "exclude_ineligible_applicant",
                test="applicant type accepted", value=applicant, threshold=listed(applicants),
                source=cite(c, "applicant_types"), field="applicant_types", unconfirmed=u,
                fixable=True, hint=f"apply as or with one of: {listed(applicants)}",
            )
        )  # fmt: skip

    @Rule(
        Project(sectors=MATCH.sectors),
        Instrument(
            id=MATCH.iid, sectors=MATCH.allowed & NONEMPTY, cite=MATCH.c, unconfirmed=MATCH.u
        ),
        TEST(lambda sectors, allowed: not set(sectors) & set(allowed)),
        salience=HARD,
    )
    @sourced(CATALOGUE_FIELD)
    def exclude_ineligible_sector(self, sectors, iid, allowed, c, u):
        """Exclude an instrument that funds none of the project's sectors."""
        self.declare(
            fail(
                iid, "exclude_ineligible_sector",
                test="a project sector among the instrument's sectors", value=listed(sectors),
                threshold=listed(allowed), source=cite(c, "sectors"), field="sectors",
                unconfirmed=u,
            )
        )  # fmt: skip

    @Rule(
        Project(stage=MATCH.stage),
        Instrument(id=MATCH.iid, stages=MATCH.stages & NONEMPTY, cite=MATCH.c, unconfirmed=MATCH.u),
        TEST(lambda stage, stages: stage not in stages),
        salience=HARD,
    )
    @sourced(CATALOGUE_FIELD)
    def exclude_ineligible_stage(self, stage, iid, stages, c, u):
        """Exclude an instrument that does not fund the project's stage."""
        self.declare(
            fail(
                iid, "exclude_ineligible_stage",
                test="project stage funded", value=stage, threshold=listed(stages),
                source=cite(c, "stages"), field="stages", unconfirmed=u, fixable=True,
                hint=f"a phase at stage {listed(stages)} could qualify",
            )
        )  # fmt: skip

    @Rule(
        Project(total=MATCH.total),
        Instrument(id=MATCH.iid, min_cost=MATCH.minimum & SET, cite=MATCH.c, unconfirmed=MATCH.u),
        TEST(lambda total, minimum: minimum is not None and total < minimum),
        salience=HARD,
    )
    @sourced(CATALOGUE_FIELD)
    def exclude_project_below_minimum_size(self, total, iid, minimum, c, u):
        """Exclude an instrument for projects smaller than its minimum project or programme size."""
        self.declare(
            fail(
                iid, "exclude_project_below_minimum_size",
                test="project cost at least the minimum size", value=eur(total),
                threshold=eur(minimum), source=cite(c, "min_project_cost"),
                field="min_project_cost", unconfirmed=u, fixable=True,
                hint=f"project {eur(total)} < {eur(minimum)}: bundle with other projects or "
                "districts into one programme",
            )
        )  # fmt: skip

    @Rule(
        Project(total=MATCH.total),
        Instrument(id=MATCH.iid, max_cost=MATCH.maximum & SET, cite=MATCH.c, unconfirmed=MATCH.u),
        TEST(lambda total, maximum: maximum is not None and total > maximum),
        salience=HARD,
    )
    @sourced(CATALOGUE_FIELD)
    def exclude_project_above_maximum_size(self, total, iid, maximum, c, u):
        """Exclude an instrument for projects larger than its maximum project size."""
        self.declare(
            fail(
                iid, "exclude_project_above_maximum_size",
                test="project cost at most the maximum size", value=eur(total),
                threshold=eur(maximum), source=cite(c, "max_project_cost"),
                field="max_project_cost", unconfirmed=u, fixable=True,
                hint=f"split into phases of at most {eur(maximum)}",
            )
        )  # fmt: skip

    @Rule(
        Project(capex=MATCH.capex, development=MATCH.dev),
        Instrument(
            id=MATCH.iid, costs=MATCH.costs, min_ticket=MATCH.minimum & SET, cite=MATCH.c,
            unconfirmed=MATCH.u,
        ),
        TEST(
            lambda capex, dev, costs, minimum: minimum is not None
            and ("investment" in costs and capex or 0) + ("development" in costs and dev or 0)
            < minimum
        ),
        salience=HARD,
    )  # fmt: skip
    @sourced(CATALOGUE_FIELD)
    def exclude_costs_below_minimum_ticket(self, capex, dev, iid, costs, minimum, c, u):
        """Exclude an instrument whose minimum ticket exceeds all the costs it could fund here."""
        eligible = ("investment" in costs and capex or 0) + ("development" in costs and dev or 0)
        self.declare(
            fail(
                iid, "exclude_costs_below_minimum_ticket",
                test="eligible costs reach the minimum ticket", value=eur(eligible),
                threshold=eur(minimum), source=cite(c, "min_ticket"), field="min_ticket",
                unconfirmed=u, fixable=True,
                hint=f"bundle projects so that eligible costs reach {eur(minimum)}",
            )
        )  # fmt: skip

    @Rule(
        Project(revenue=MATCH.revenue),
        Instrument(
            id=MATCH.iid, revenue_required=True, revenue_any=MATCH.accepted, cite=MATCH.c,
            unconfirmed=MATCH.u,
        ),
        TEST(
            lambda revenue, accepted: not revenue
            or (bool(accepted) and not set(revenue) & set(accepted))
        ),
        salience=HARD,
    )  # fmt: skip
    @sourced(CATALOGUE_FIELD)
    def exclude_without_required_revenue(self, revenue, iid, accepted, c, u):
        """Exclude an instrument that must be repaid from project revenue the project lacks."""
        wanted = listed(accepted) if accepted else "any project revenue"
        self.declare(
            fail(
                iid, "exclude_without_required_revenue",
                test="project has the revenue the instrument relies on",
                value=listed(revenue) if revenue else "none", threshold=wanted,
                source=cite(c, "revenue_required"), field="revenue_required", unconfirmed=u,
                fixable=True, hint=f"a revenue stream ({wanted}) would make it eligible",
            )
        )  # fmt: skip

    @Rule(
        Project(population=MATCH.population),
        Instrument(
            id=MATCH.iid, min_population=MATCH.minimum & SET, cite=MATCH.c, unconfirmed=MATCH.u
        ),
        TEST(lambda population, minimum: minimum is not None and population is not None
             and population < minimum),
        salience=HARD,
    )  # fmt: skip
    @sourced(CATALOGUE_FIELD)
    def exclude_city_below_minimum_population(self, population, iid, minimum, c, u):
        """Exclude an instrument reserved for cities above a population threshold."""
        self.declare(
            fail(
                iid, "exclude_city_below_minimum_population",
                test="city population at least the minimum", value=f"{population:,}",
                threshold=f"{minimum:,}", source=cite(c, "min_population"),
                field="min_population", unconfirmed=u,
            )
        )  # fmt: skip

    @Rule(
        Project(partner_countries=MATCH.partners),
        Instrument(
            id=MATCH.iid, min_partners=MATCH.minimum & SET, cite=MATCH.c, unconfirmed=MATCH.u
        ),
        TEST(lambda partners, minimum: minimum is not None and partners < minimum),
        salience=HARD,
    )
    @sourced(CATALOGUE_FIELD)
    def exclude_consortium_too_small(self, partners, iid, minimum, c, u):
        """Exclude an instrument that requires partners from a minimum number of countries."""
        self.declare(
            fail(
                iid, "exclude_consortium_too_small",
                test="consortium spans enough countries", value=f"{partners} countries",
                threshold=f"{minimum} countries", source=cite(c, "min_partner_countries"),
                field="min_partner_countries", unconfirmed=u, fixable=True,
                hint=f"form a consortium with partners from at least {minimum} countries",
            )
        )  # fmt: skip

    @Rule(
        Project(as_of=MATCH.as_of),
        Instrument(id=MATCH.iid, valid_to=MATCH.end & SET, successor=MATCH.succ,
                   status=MATCH.status, cite=MATCH.c, unconfirmed=MATCH.u),
        TEST(lambda as_of, end: end is not None and as_of > end),
        salience=HARD,
    )  # fmt: skip
    @sourced(CATALOGUE_FIELD)
    def exclude_closed_on_as_of(self, as_of, iid, end, succ, status, c, u):
        """Exclude an instrument that closed before the advice date; name its successor.

        Where the catalogue confirms the instrument closed (status) but not the exact end date,
        the exclusion stays hard for dates after that end: it is closed either way.
        """
        hint = f"successor: {succ}" if succ else None
        if status in ("closed", "superseded") and "status" not in u:
            u = tuple(f for f in u if f != "valid_to")
        self.declare(
            fail(
                iid, "exclude_closed_on_as_of",
                test="instrument open on the advice date", value=as_of.isoformat(),
                threshold=f"closed after {end.isoformat()}", source=cite(c, "valid_to"),
                field="valid_to", unconfirmed=u, hint=hint,
            )
        )  # fmt: skip

    @Rule(
        Project(as_of=MATCH.as_of),
        Instrument(id=MATCH.iid, valid_from=MATCH.start & SET, cite=MATCH.c, unconfirmed=MATCH.u),
        TEST(lambda as_of, start: start is not None and as_of < start),
        salience=HARD,
    )
    @sourced(CATALOGUE_FIELD)
    def exclude_not_yet_open_on_as_of(self, as_of, iid, start, c, u):
        """Exclude an instrument that had not started on the advice date."""
        self.declare(
            fail(
                iid, "exclude_not_yet_open_on_as_of",
                test="instrument open on the advice date", value=as_of.isoformat(),
                threshold=f"opens {start.isoformat()}", source=cite(c, "valid_from"),
                field="valid_from", unconfirmed=u,
            )
        )  # fmt: skip

    @Rule(
        Project(),
        Instrument(id=MATCH.iid, status="prohibited", cite=MATCH.c, unconfirmed=MATCH.u),
        salience=HARD,
    )
    @sourced(CATALOGUE_FIELD)
    def exclude_prohibited_instrument(self, iid, c, u):
        """Exclude an instrument whose use is prohibited outright."""
        self.declare(
            fail(
                iid, "exclude_prohibited_instrument", test="instrument lawful to use",
                value="prohibited", threshold="not prohibited", source=cite(c, "status"),
                field="status", unconfirmed=u,
            )
        )  # fmt: skip

    @Rule(
        Project(country=MATCH.country, as_of=MATCH.as_of),
        Instrument(id=MATCH.iid, params=MATCH.params & HAS_BAN, cite=MATCH.c, unconfirmed=MATCH.u),
        TEST(lambda country, as_of, params: _banned(params, country, as_of)),
        salience=HARD,
    )
    @sourced(CATALOGUE_FIELD)
    def exclude_prohibited_in_country(self, country, as_of, iid, params, c, u):
        """Exclude a structure the catalogue records as prohibited in the project's country."""
        since = params.get("prohibited_since")
        self.declare(
            fail(
                iid, "exclude_prohibited_in_country",
                test="structure lawful in the project's country", value=country,
                threshold=f"prohibited in {params.get('prohibited_countries')}"
                + (f" since {since}" if since else ""),
                source=cite(c, "params.prohibited_countries"),
                field="params.prohibited_countries", unconfirmed=u,
            )
        )  # fmt: skip


def _banned(params, country, as_of) -> bool:  # type: ignore[no-untyped-def]
    if country not in split_codes(params.get("prohibited_countries")):
        return False
    since = params.get("prohibited_since")
    return since is None or as_of.isoformat() >= str(since)
