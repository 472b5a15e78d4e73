"""Currency conversion through the catalogue's dated reference-rate table."""

from collections.abc import Iterable
from datetime import date

from advisor.engine import citation
from advisor.errors import InvalidInput
from advisor.models import FxUsed
from catalogue.schema import FxRate
from catalogue.snapshot import Snapshot


class Converter:
    """Converts to and from EUR at the rates in force on one date.

    The advice lists every rate in force (`fx_used`): instrument thresholds in other currencies
    are converted with them too, so they shape the answer even for a project priced in EUR.
    """

    def __init__(self, snapshot: Snapshot, on: date) -> None:
        self.on = on
        self._rates: dict[str, FxRate] = {}
        for currency in snapshot.rate_currencies:
            rate = snapshot.rate(currency, on)
            if rate is not None:
                self._rates[currency] = rate

    def key(self) -> tuple[tuple[str, str, float], ...]:
        """Identifies the rates in force: instrument facts depend on them."""
        return tuple(sorted((c, r.date.isoformat(), r.per_eur) for c, r in self._rates.items()))

    def key_for(self, currencies: Iterable[str]) -> tuple[tuple[str, float | None], ...]:
        """Identifies the rates of `currencies` alone (None: no rate in force): what facts
        converted from those currencies depend on. Instrument facts convert from their
        tickets' currencies only, so dates whose rates differ elsewhere share their facts."""
        return tuple(
            (c, None if self._rates.get(c) is None else self._rates[c].per_eur)
            for c in sorted(set(currencies) - {"EUR"})
        )

    def _rate(self, currency: str, field: str) -> float:
        if currency == "EUR":
            return 1.0
        rate = self._rates.get(currency)
        if rate is None:
            raise InvalidInput(f"no exchange rate for {currency} in the catalogue", field=field)
        return rate.per_eur

    def to_eur(self, amount: float, currency: str, *, field: str = "currency") -> float:
        return amount / self._rate(currency, field)

    def from_eur(self, amount: float, currency: str) -> float:
        return amount * self._rate(currency, "currency")

    def note(self, currency: str) -> str | None:
        """Why the rate in force for `currency` is not of the advice's own year, if it is not."""
        rate = self._rates.get(currency)
        if rate is None:  # the euro, or a currency without a row
            return None
        if rate.date > self.on:
            return (
                f"no {currency} rate dated on or before {self.on.isoformat()}: the earliest in "
                f"the table, dated {rate.date.isoformat()}, is used"
            )
        if rate.date.year < self.on.year:
            return (
                f"no {currency} rate of {self.on.year} dated on or before "
                f"{self.on.isoformat()} in the table: the nearest earlier one, dated "
                f"{rate.date.isoformat()}, is used"
            )
        return None

    def fx_used(self) -> list[FxUsed]:
        return [
            FxUsed(
                currency=c,
                per_eur=r.per_eur,
                date=r.date,
                source=citation(r.source),
                note=self.note(c),
            )
            for c, r in sorted(self._rates.items())
        ]
