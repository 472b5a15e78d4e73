"""An immutable in-memory view of the catalogue at one revision.

The advisor matches against a snapshot, never against the database: one load per revision, no
query per request.
"""

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date

from catalogue.coverage import CountryCoverage
from catalogue.schema import BusinessModelRecord, FxRate, InstrumentRecord


@dataclass(frozen=True)
class Snapshot:
    revision: str
    instruments: tuple[InstrumentRecord, ...]
    business_models: tuple[BusinessModelRecord, ...]
    fx_rates: tuple[FxRate, ...] = ()
    coverage: tuple[CountryCoverage, ...] = ()
    _by_id: dict[str, InstrumentRecord] = field(default_factory=dict, repr=False, compare=False)
    _coverage: dict[str, CountryCoverage] = field(default_factory=dict, repr=False, compare=False)
    _ticket_currencies: frozenset[str] = field(init=False, repr=False, compare=False)
    _rates: dict[str, tuple[FxRate, ...]] = field(init=False, repr=False, compare=False)
    _rate_dates: dict[str, list[date]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_id.update({rec.id: rec for rec in self.instruments})
        self._coverage.update({cov.country: cov for cov in self.coverage})
        tickets = frozenset(rec.ticket_currency for rec in self.instruments)
        object.__setattr__(self, "_ticket_currencies", tickets)  # `replace` builds it anew
        rates: dict[str, tuple[FxRate, ...]] = {}  # per currency by date, one date's rows in
        for currency in dict.fromkeys(r.currency for r in self.fx_rates):  # the table's order
            rows = sorted(
                (r for r in self.fx_rates if r.currency == currency), key=lambda r: r.date
            )
            rates[currency] = tuple(rows)
        object.__setattr__(self, "_rates", rates)  # not init fields: `replace` builds them anew
        object.__setattr__(self, "_rate_dates", {c: [r.date for r in v] for c, v in rates.items()})

    @property
    def rate_currencies(self) -> tuple[str, ...]:
        """The currencies the rate table has rows for, in the table's order."""
        return tuple(self._rates)

    @property
    def ticket_currencies(self) -> frozenset[str]:
        """The currencies the instruments' amounts are stated in."""
        return self._ticket_currencies

    def coverage_of(self, country: str) -> CountryCoverage | None:
        """What the catalogue covers of `country`'s national instruments (None: nothing stated)."""
        return self._coverage.get(country)

    def instrument(self, instrument_id: str) -> InstrumentRecord | None:
        return self._by_id.get(instrument_id)

    def rate(self, currency: str, on: date) -> FxRate | None:
        """The latest rate for `currency` dated on or before `on`, else the earliest one."""
        rates = self._rates.get(currency)
        if not rates:
            return None
        before = bisect_right(self._rate_dates[currency], on)  # rows dated on or before `on`
        return rates[before - 1] if before else rates[0]
