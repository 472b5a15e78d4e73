"""Hard eligibility (go / no-go) as generic rules over catalogue attributes.

Policy area: whether an instrument can fund this project at all. Each rule tests one attribute
of any catalogue row against the project, so a new row with its attributes is enough for the
engine to consider it. Rules match `Group` facts (the rows sharing one value of the attribute)
and record one criterion per member. Thresholds are the rows' values; sources are each row's
source for the tested field; a row whose value is unconfirmed gets a caution, never an exclusion.
"""

from rules._experta import MATCH, TEST, KnowledgeEngine, P, Rule
from rules.facts import Project
from rules.records import CATALOGUE_FIELD, eur, fail, group, holds, listed, sourced, split_codes

HARD = 20  # hard rules fire before scoring, so the agenda is settled in one pass

# Alpha constraints: a group whose value cannot fail the test never enters the rule's join.
NONEMPTY = P(bool)
SET = P(lambda value: value is not None)


def _shown(countries) -> str:  # type: ignore[no-untyped-def]
    return listed(countries) if len(countries) <= 6 else f"{len(countries)} countries"


class EligibilityRules(KnowledgeEngine):
    @Rule(
        Project(country=MATCH.country),
        group("countries", MATCH.countries & NONEMPTY),
        TEST(lambda country, countries: country not in countries),
        salience=HARD,
    )
    @sourced(CATALOGUE_FIELD)
    def exclude_outside_eligible_countries(self, country, countries, ids, c, soft):
        """Exclude an instrument whose eligible countries do not include the project's."""
        self.declare(*(
            fail(iid, "exclude_outside_eligible_countries",
                 test="project country among the eligible countries", value=country,
                 threshold=_shown(countries), source=c[iid], hard=iid not in soft)
            for iid in ids
        ))  # fmt: skip

    @Rule(
        Project(applicant=MATCH.applicant),
        group("applicants", MATCH.applicants & NONEMPTY),
        TEST(lambda applicant, applicants: applicant not in applicants),
        salience=HARD,
    )
    @sourced(CATALOGUE_FIELD)
    def exclude_ineligible_applicant(self, applicant, applicants, ids, c, soft):
        """Exclude an instrument that does not accept this type of applicant."""
        self.declare(*(
            fail(iid, "exclude_ineligible_applicant", test="applicant type accepted",
                 value=applicant, threshold=listed(applicants), source=c[iid],
                 hard=iid not in soft, fixable=True,
                 hint=f"apply as or with one of: {listed(applicants)}")
            for iid in ids
        ))  # fmt: skip

    @Rule(
        Project(sectors=MATCH.sectors),
        group("sectors", MATCH.allowed & NONEMPTY),
        TEST(lambda sectors, allowed: not set(sectors) & set(allowed)),
        salience=HARD,
    )
    @sourced(CATALOGUE_FIELD)
    def exclude_ineligible_sector(self, sectors, allowed, ids, c, soft):
        """Exclude an instrument that funds none of the project's sectors."""
        self.declare(*(
            fail(iid, "exclude_ineligible_sector",
                 test="a project sector among the instrument's sectors", value=listed(sectors),
                 threshold=listed(allowed), source=c[iid], hard=iid not in soft)
            for iid in ids
        ))  # fmt: skip

    @Rule(
        Project(stage=MATCH.stage),
        group("stages", MATCH.stages & NONEMPTY),
        TEST(lambda stage, stages: stage not in stages),
        salience=HARD,
    )
    @sourced(CATALOGUE_FIELD)
    def exclude_ineligible_stage(self, stage, stages, ids, c, soft):
        """Exclude an instrument that does not fund the project's stage."""
        self.declare(*(
            fail(iid, "exclude_ineligible_stage", test="project stage funded", value=stage,
                 threshold=listed(stages), source=c[iid], hard=iid not in soft, fixable=True,
                 hint=f"a phase at stage {listed(stages)} could qualify")
            for iid in ids
        ))  # fmt: skip

    @Rule(
        Project(total=MATCH.total),
        group("min_cost", MATCH.minimum & SET),
        TEST(lambda total, minimum: total < minimum),
        salience=HARD,
    )
    @sourced(CATALOGUE_FIELD)
    def exclude_project_below_minimum_size(self, total, minimum, ids, c, soft):
        """Exclude an instrument for projects smaller than its minimum project or programme size."""
        self.declare(*(
            fail(iid, "exclude_project_below_minimum_size",
                 test="project cost at least the minimum size", value=eur(total),
                 threshold=eur(minimum), source=c[iid], hard=iid not in soft, fixable=True,
                 hint=f"project {eur(total)} < {eur(minimum)}: bundle with other projects or "
                 "districts into one programme")
            for iid in ids
        ))  # fmt: skip

    @Rule(
        Project(total=MATCH.total),
        group("max_cost", MATCH.maximum & SET),
        TEST(lambda total, maximum: total > maximum),
        salience=HARD,
    )
    @sourced(CATALOGUE_FIELD)
    def exclude_project_above_maximum_size(self, total, maximum, ids, c, soft):
        """Exclude an instrument for projects larger than its maximum project size."""
        self.declare(*(
            fail(iid, "exclude_project_above_maximum_size",
                 test="project cost at most the maximum size", value=eur(total),
                 threshold=eur(maximum), source=c[iid], hard=iid not in soft, fixable=True,
                 hint=f"split into phases of at most {eur(maximum)}")
            for iid in ids
        ))  # fmt: skip

    @Rule(
        Project(capex=MATCH.capex, development=MATCH.dev),
        group("ticket", MATCH.ticket & holds(lambda t: t[1] is not None)),
        TEST(lambda capex, dev, ticket: _eligible_costs(ticket[0], capex, dev) < ticket[1]),
        salience=HARD,
    )
    @sourced(CATALOGUE_FIELD)
    def exclude_costs_below_minimum_ticket(self, capex, dev, ticket, ids, c, soft):
        """Exclude an instrument whose minimum ticket exceeds all the costs it could fund here."""
        costs, minimum = ticket
        eligible = _eligible_costs(costs, capex, dev)
        self.declare(*(
            fail(iid, "exclude_costs_below_minimum_ticket",
                 test="eligible costs reach the minimum ticket", value=eur(eligible),
                 threshold=eur(minimum), source=c[iid], hard=iid not in soft, fixable=True,
                 hint=f"bundle projects so that eligible costs reach {eur(minimum)}")
            for iid in ids
        ))  # fmt: skip

    @Rule(
        Project(revenue=MATCH.revenue),
        group("revenue", MATCH.needs & holds(lambda n: n[0] is True)),
        TEST(lambda revenue, needs: not revenue
             or (bool(needs[1]) and not set(revenue) & set(needs[1]))),
        salience=HARD,
    )  # fmt: skip
    @sourced(CATALOGUE_FIELD)
    def exclude_without_required_revenue(self, revenue, needs, ids, c, soft):
        """Exclude an instrument that must be repaid from project revenue the project lacks."""
        wanted = listed(needs[1]) if needs[1] else "any project revenue"
        self.declare(*(
            fail(iid, "exclude_without_required_revenue",
                 test="project has the revenue the instrument relies on",
                 value=listed(revenue) if revenue else "none", threshold=wanted, source=c[iid],
                 hard=iid not in soft, fixable=True,
                 hint=f"a revenue stream ({wanted}) would make it eligible")
            for iid in ids
        ))  # fmt: skip

    @Rule(
        Project(population=MATCH.population & SET),
        group("min_population", MATCH.minimum & SET),
        TEST(lambda population, minimum: population < minimum),
        salience=HARD,
    )
    @sourced(CATALOGUE_FIELD)
    def exclude_city_below_minimum_population(self, population, minimum, ids, c, soft):
        """Exclude an instrument reserved for cities above a population threshold."""
        self.declare(*(
            fail(iid, "exclude_city_below_minimum_population",
                 test="city population at least the minimum", value=f"{population:,}",
                 threshold=f"{minimum:,}", source=c[iid], hard=iid not in soft)
            for iid in ids
        ))  # fmt: skip

    @Rule(
        Project(partner_countries=MATCH.partners),
        group("min_partners", MATCH.minimum & SET),
        TEST(lambda partners, minimum: partners < minimum),
        salience=HARD,
    )
    @sourced(CATALOGUE_FIELD)
    def exclude_consortium_too_small(self, partners, minimum, ids, c, soft):
        """Exclude an instrument that requires partners from a minimum number of countries."""
        self.declare(*(
            fail(iid, "exclude_consortium_too_small", test="consortium spans enough countries",
                 value=f"{partners} countries", threshold=f"{minimum} countries", source=c[iid],
                 hard=iid not in soft, fixable=True,
                 hint=f"form a consortium with partners from at least {minimum} countries")
            for iid in ids
        ))  # fmt: skip

    @Rule(
        Project(as_of=MATCH.as_of),
        group("closing", MATCH.end & SET, extra=True),
        TEST(lambda as_of, end: as_of > end),
        salience=HARD,
    )
    @sourced(CATALOGUE_FIELD)
    def exclude_closed_on_as_of(self, as_of, end, ids, c, soft, extra):
        """Exclude an instrument that closed before the advice date; name its successor.

        Where the catalogue confirms the closure (status) but not the exact end date, the
        exclusion stays hard: the group's `soft` already leaves such rows out.
        """
        self.declare(*(
            fail(iid, "exclude_closed_on_as_of", test="instrument open on the advice date",
                 value=as_of.isoformat(), threshold=f"closed after {end.isoformat()}",
                 source=c[iid], hard=iid not in soft,
                 hint=f"successor: {extra[iid]}" if extra[iid] else None)
            for iid in ids
        ))  # fmt: skip

    @Rule(
        Project(as_of=MATCH.as_of),
        group("opening", MATCH.start & SET),
        TEST(lambda as_of, start: as_of < start),
        salience=HARD,
    )
    @sourced(CATALOGUE_FIELD)
    def exclude_not_yet_open_on_as_of(self, as_of, start, ids, c, soft):
        """Exclude an instrument that had not started on the advice date."""
        self.declare(*(
            fail(iid, "exclude_not_yet_open_on_as_of", test="instrument open on the advice date",
                 value=as_of.isoformat(), threshold=f"opens {start.isoformat()}", source=c[iid],
                 hard=iid not in soft)
            for iid in ids
        ))  # fmt: skip

    @Rule(Project(), group("status", "prohibited"), salience=HARD)
    @sourced(CATALOGUE_FIELD)
    def exclude_prohibited_instrument(self, ids, c, soft):
        """Exclude an instrument whose use is prohibited outright."""
        self.declare(*(
            fail(iid, "exclude_prohibited_instrument", test="instrument lawful to use",
                 value="prohibited", threshold="not prohibited", source=c[iid],
                 hard=iid not in soft)
            for iid in ids
        ))  # fmt: skip

    @Rule(
        Project(country=MATCH.country, as_of=MATCH.as_of),
        group("ban", MATCH.ban & holds(lambda b: b[0] is not None)),
        TEST(lambda country, as_of, ban: country in split_codes(ban[0])
             and (ban[1] is None or as_of.isoformat() >= str(ban[1]))),
        salience=HARD,
    )  # fmt: skip
    @sourced(CATALOGUE_FIELD)
    def exclude_prohibited_in_country(self, country, as_of, ban, ids, c, soft):
        """Exclude a structure the catalogue records as prohibited in the project's country."""
        since = f" since {ban[1]}" if ban[1] else ""
        self.declare(*(
            fail(iid, "exclude_prohibited_in_country",
                 test="structure lawful in the project's country", value=country,
                 threshold=f"prohibited in {ban[0]}{since}", source=c[iid],
                 hard=iid not in soft)
            for iid in ids
        ))  # fmt: skip


def _eligible_costs(costs, capex: float, dev: float) -> float:  # type: ignore[no-untyped-def]
    return (capex if "investment" in costs else 0.0) + (dev if "development" in costs else 0.0)
