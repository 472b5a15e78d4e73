"""Hard eligibility (go / no-go) as generic rules over catalogue attributes.

Policy area: whether an instrument can fund this project at all. Each rule tests one attribute
of any catalogue row against the project, so a new row with its attributes is enough for the
engine to consider it. Rules match `Group` facts (the rows sharing one value of the attribute)
and record one criterion per member. Thresholds are the rows' values; sources are each row's
source for the tested field; a row whose value is unconfirmed gets a caution, never an exclusion.
"""

from rules._experta import MATCH, TEST, KnowledgeEngine, P, Rule
from rules.ceilings import ceiling, confirmed_bound
from rules.facts import Project
from rules.phases import REMAINING, phase_of
from rules.reach import reachable, unfunded
from rules.records import CATALOGUE_FIELD, eur, fail, group, holds, listed, sourced, split_codes

HARD = 20  # hard rules fire before scoring, so the agenda is settled in one pass

# Alpha constraints: a group whose value cannot fail the test never enters the rule's join.
NONEMPTY = P(bool)
SET = P(lambda value: value is not None)


def _shown(countries) -> str:  # type: ignore[no-untyped-def]
    return listed(countries) if len(countries) <= 6 else f"{len(countries)} countries"


class EligibilityRules(KnowledgeEngine):
    @Rule(
        Project(country=MATCH.country, as_of=MATCH.as_of),
        group("reach", MATCH.reach),
        TEST(lambda country, as_of, reach: not reachable(country, as_of, reach)),
        salience=HARD,
    )
    @sourced(CATALOGUE_FIELD)
    def exclude_outside_reach(self, country, as_of, reach, ids, c, soft):
        """Exclude an instrument that does not reach the project's country on the advice date.

        Dated windows decide first (association agreements, membership before withdrawal,
        mandates outside the Union); an unfunded window means entities take part at their own
        cost. The why-not cites the record's source for its reach.
        """
        countries, _ = reach
        if unfunded(country, as_of, reach):
            threshold = f"{country} may take part on {as_of.isoformat()} but is not funded"
        else:
            threshold = _shown(countries) if countries else "the dated windows of its reach"
        self.declare(*(
            fail(iid, "exclude_outside_reach",
                 test="project country reached on the advice date", value=country,
                 threshold=threshold, source=c[iid], hard=iid not in soft)
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
        TEST(lambda stage, stages: phase_of(stages, stage) is None),
        salience=HARD,
    )
    @sourced(CATALOGUE_FIELD)
    def exclude_ineligible_stage(self, stage, stages, ids, c, soft):
        """Exclude an instrument that funds none of the project's remaining phases.

        The stage is where the project is now; an instrument for a later phase stays an option
        (rules/phases.py).
        """
        remaining = listed(REMAINING[stage])
        self.declare(*(
            fail(iid, "exclude_ineligible_stage", test="funds a remaining phase of the project",
                 value=f"{stage} (remaining: {remaining})", threshold=listed(stages),
                 source=c[iid], hard=iid not in soft)
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
        Project(capex=MATCH.capex, development=MATCH.dev, region_category=MATCH.region,
                previous_region_category=MATCH.previous, region_period=MATCH.period,
                applicant=MATCH.applicant, borrowing=MATCH.borrowing),
        group("ticket", MATCH.ticket),
        TEST(lambda capex, dev, region, previous, period, applicant, borrowing, ticket:
             _below_minimum(ticket, capex, dev, region, previous, period, applicant,
                            borrowing)),
        salience=HARD,
    )  # fmt: skip
    @sourced(CATALOGUE_FIELD)
    def exclude_costs_below_minimum_ticket(
        self, capex, dev, region, previous, period, applicant, borrowing, ticket, ids, c, soft
    ):
        """Exclude an instrument whose minimum ticket exceeds the most it can fund here.

        The most it can fund is its ceiling (rate, share cap, maximum ticket): a lender that
        lends at least EUR 25m and at most 50% of the cost needs a project of EUR 50m. Only a
        bound that confirmed facts set excludes; below the ticket only through an unconfirmed
        rate or cap, the option is one to check.
        """
        minimum, terms = ticket
        terms_of_project = dict(capex=capex, development=dev, region=region,
                                applicant=applicant, previous_region=previous,
                                period=period, borrowing=borrowing)  # fmt: skip
        cap = ceiling(terms, **terms_of_project)
        bound = confirmed_bound(terms, **terms_of_project)
        self.declare(*(
            fail(iid, "exclude_costs_below_minimum_ticket",
                 test="the most it can fund here reaches its minimum ticket",
                 value=f"{eur(cap.amount if cap.known else bound)} ({cap.basis})",
                 threshold=eur(minimum), source=c[iid],
                 hard=iid not in soft and bound < minimum, fixable=True,
                 hint=f"bundle projects so that its share reaches {eur(minimum)}")
            for iid in ids
        ))  # fmt: skip

    @Rule(
        Project(revenue=MATCH.revenue & P(lambda r: not r)),
        group("revenue", True),
        salience=HARD,
    )
    @sourced(CATALOGUE_FIELD)
    def exclude_without_required_revenue(self, revenue, ids, c, soft):
        """Exclude an instrument that must be repaid from project revenue the project lacks."""
        self.declare(*(
            fail(iid, "exclude_without_required_revenue",
                 test="project has the revenue the instrument relies on", value="none",
                 threshold="project revenue", source=c[iid], hard=iid not in soft,
                 fixable=True, hint="a project revenue stream would make it eligible")
            for iid in ids
        ))  # fmt: skip

    @Rule(
        Project(revenue=MATCH.revenue),
        group("revenue_any", MATCH.needs & NONEMPTY),
        TEST(lambda revenue, needs: not set(revenue) & set(needs)),
        salience=HARD,
    )
    @sourced(CATALOGUE_FIELD)
    def exclude_without_accepted_revenue(self, revenue, needs, ids, c, soft):
        """Exclude an instrument built on revenue streams the project has none of."""
        wanted = listed(needs)
        self.declare(*(
            fail(iid, "exclude_without_accepted_revenue",
                 test="project has one of the revenue streams the instrument is built on",
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
        Project(population=None),
        group("min_population", MATCH.minimum & SET),
        salience=HARD,
    )
    @sourced(CATALOGUE_FIELD)
    def exclude_city_population_not_given(self, minimum, ids, c, soft):
        """An instrument reserved for cities above a population threshold, for a profile that
        does not give the city's population: one to check, never an option (the threshold is
        confirmed, whether the city meets it is not)."""
        self.declare(*(
            fail(iid, "exclude_city_population_not_given",
                 test="city population at least the minimum", value="not given",
                 threshold=f"{minimum:,}", source=c[iid], hard=False)
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

    @Rule(
        Project(as_of=MATCH.as_of),
        group("prohibition", MATCH.ban),
        TEST(lambda as_of, ban: as_of >= ban[1] if ban[1] is not None else ban[0]),
        salience=HARD,
    )
    @sourced(CATALOGUE_FIELD)
    def exclude_prohibited_instrument(self, as_of, ban, ids, c, soft):
        """Exclude an instrument whose use is prohibited on the advice date (status follows
        the date of the prohibition, so a 2014 answer sees what was lawful in 2014)."""
        since = f"prohibited since {ban[1].isoformat()}" if ban[1] else "prohibited"
        self.declare(*(
            fail(iid, "exclude_prohibited_instrument", test="instrument lawful on the advice date",
                 value=as_of.isoformat(), threshold=since, source=c[iid], hard=iid not in soft)
            for iid in ids
        ))  # fmt: skip

    @Rule(
        Project(country=MATCH.country, as_of=MATCH.as_of, applicant=MATCH.applicant),
        group("ban", MATCH.ban & holds(lambda b: b[0] is not None)),
        TEST(lambda country, as_of, applicant, ban: country in split_codes(ban[0])
             and (ban[1] is None or as_of.isoformat() >= str(ban[1]))
             and (not ban[2] or applicant in split_codes(ban[2]))),
        salience=HARD,
    )  # fmt: skip
    @sourced(CATALOGUE_FIELD)
    def exclude_prohibited_in_country(self, country, as_of, applicant, ban, ids, c, soft):
        """Exclude an instrument the catalogue records as closed to the project's country: a
        structure its law prohibits (for the applicant types `params.prohibited_applicants`
        names, when it names any: in China a local government may borrow only by local
        government bonds), or a lender that has stopped its programmes there (the World Bank
        in Russia and Belarus since 2 March 2022)."""
        since = f" since {ban[1]}" if ban[1] else ""
        who = f" for {', '.join(sorted(split_codes(ban[2])))}" if ban[2] else ""
        self.declare(*(
            fail(iid, "exclude_prohibited_in_country",
                 test="instrument open in the project's country"
                 + (" for the applicant" if ban[2] else ""),
                 value=f"{country} ({applicant})" if ban[2] else country,
                 threshold=f"prohibited in {ban[0]}{who}{since}", source=c[iid],
                 hard=iid not in soft)
            for iid in ids
        ))  # fmt: skip


def _below_minimum(ticket, capex, dev, region, previous, period, applicant, borrowing) -> bool:  # type: ignore[no-untyped-def]
    """Below the minimum ticket by the conservative amount (or, when no rate is confirmed at
    all, by what confirmed facts allow); borrowed money within the project-capital rule."""
    minimum, terms = ticket
    project = dict(capex=capex, development=dev, region=region, applicant=applicant,
                   previous_region=previous, period=period, borrowing=borrowing)  # fmt: skip
    cap = ceiling(terms, **project)
    low = cap.amount if cap.known else confirmed_bound(terms, **project)
    return low < minimum
