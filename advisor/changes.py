"""What changed between two answers to the same profile, and what is behind each change.

Used by recheck (a stored decision against today's catalogue and rules) and by `advisor impact`
(two catalogue revisions over the golden set and the stored decisions). Answers are compared as
their JSON (the stored body of a decision, or a fresh `Advice` dumped to JSON): options gained
and lost, amounts moved, to-check entries gained and lost, mixes gained, lost and changed. Each
change names what is behind it: the catalogue record and the fields that differ between the two
revisions (when the older records are known), the rule that now excludes or no longer excludes
an instrument, a later `as_of`, or a new ruleset version.
"""

from typing import Any, Literal

from pydantic import Field

from advisor.models import Frozen

Records = dict[str, dict[str, Any]]  # {"instruments": {id: record}, "business_models": {...}}
IGNORED = {"advice_id", "catalogue_revision"}


class Behind(Frozen):
    """One thing a change rests on."""

    kind: Literal["catalogue_record", "rule", "as_of", "ruleset"]
    instrument_id: str | None = None
    fields: list[str] = Field(
        default_factory=list, description="the record's fields that differ between revisions"
    )
    rules: list[str] = Field(default_factory=list)
    text: str


class Change(Frozen):
    what: Literal[
        "option_gained", "option_lost", "amount_moved", "to_check_gained", "to_check_lost",
        "mix_gained", "mix_lost", "mix_changed",
    ]  # fmt: skip
    instrument_id: str | None = None
    mix_id: str | None = None
    before: Any = None
    after: Any = None
    behind: list[Behind] = Field(default_factory=list)


def field_diff(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[str]:
    """Top-level fields (and `params.*`) whose values differ; ["(record added)"] and so on."""
    if old is None and new is None:
        return []
    if old is None:
        return ["(record added)"]
    if new is None:
        return ["(record removed)"]
    out = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        if isinstance(a, dict) and isinstance(b, dict):
            out += [f"{key}.{k}" for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]
        else:
            out.append(key)
    return out


def _money(value: dict[str, Any] | None) -> str | None:
    return None if value is None else f"{value['currency']} {value['amount']:,.2f}"


class Comparison:
    """Two answers to one profile, with the context that explains their differences."""

    def __init__(
        self,
        old: dict[str, Any],
        new: dict[str, Any],
        *,
        old_records: Records | None,
        new_records: Records,
    ) -> None:
        self.old, self.new = old, new
        self.old_records, self.new_records = old_records, new_records

    def record_behind(self, instrument_id: str) -> Behind | None:
        new = self.new_records["instruments"].get(instrument_id)
        if self.old_records is None:
            if self.old["catalogue_revision"] == self.new["catalogue_revision"]:
                return None
            return Behind(
                kind="catalogue_record", instrument_id=instrument_id,
                text=f"the catalogue moved from {self.old['catalogue_revision']} to "
                f"{self.new['catalogue_revision']}; the older record was not kept, so the "
                "fields that changed cannot be named",
            )  # fmt: skip
        fields = field_diff(self.old_records["instruments"].get(instrument_id), new)
        if not fields:
            return None
        return Behind(
            kind="catalogue_record", instrument_id=instrument_id, fields=fields,
            text=f"catalogue record {instrument_id}: {', '.join(fields)} changed",
        )  # fmt: skip

    def context(self) -> list[Behind]:
        out = []
        if self.old["as_of"] != self.new["as_of"]:
            out.append(
                Behind(
                    kind="as_of",
                    text=f"advice date moved from {self.old['as_of']} to {self.new['as_of']}",
                )
            )
        if self.old["ruleset_version"] != self.new["ruleset_version"]:
            out.append(
                Behind(
                    kind="ruleset",
                    text=f"ruleset moved from {self.old['ruleset_version']} to "
                    f"{self.new['ruleset_version']}",
                )
            )
        return out

    def _behind(self, instrument_ids: list[str], rules: list[Behind] = ()) -> list[Behind]:  # type: ignore[assignment]
        out = [b for i in dict.fromkeys(instrument_ids) if (b := self.record_behind(i))]
        return out + list(rules) + self.context()

    @staticmethod
    def _rules(answer: dict[str, Any], instrument_id: str, section: str) -> list[Behind]:
        for entry in answer.get(section, []):
            if entry["instrument_id"] == instrument_id:
                reasons = entry.get("reasons", []) if section == "excluded" else entry["verify"]
                if section == "excluded":
                    rules = sorted({r["rule"] for r in reasons})
                    text = "; ".join(r["text"] for r in reasons[:3])
                else:
                    rules, text = [], "; ".join(reasons[:3])
                return [Behind(kind="rule", instrument_id=instrument_id, rules=rules, text=text)]
        return []

    def changes(self) -> list[Change]:
        out: list[Change] = []
        out += self._listed("options", "option")
        out += self._listed("to_check", "to_check")
        out += self._mixes()
        return out

    def _listed(self, section: str, name: str) -> list[Change]:
        old = {o["instrument_id"]: o for o in self.old.get(section, [])}
        new = {o["instrument_id"]: o for o in self.new.get(section, [])}
        out = []
        for iid in sorted(set(new) - set(old)):
            why = self._rules(self.old, iid, "excluded") + self._rules(self.old, iid, "to_check")
            out.append(
                Change(
                    what=f"{name}_gained",  # type: ignore[arg-type]
                    instrument_id=iid,
                    after=_money(new[iid].get("max_amount")),
                    behind=self._behind(
                        [iid],
                        [b.model_copy(update={"text": f"no longer holds: {b.text}"}) for b in why],
                    ),
                )  # fmt: skip
            )
        for iid in sorted(set(old) - set(new)):
            why = self._rules(self.new, iid, "excluded") + self._rules(self.new, iid, "to_check")
            out.append(
                Change(
                    what=f"{name}_lost",  # type: ignore[arg-type]
                    instrument_id=iid,
                    before=_money(old[iid].get("max_amount")),
                    behind=self._behind([iid], why),
                )  # fmt: skip
            )
        for iid in sorted(set(old) & set(new)):
            a, b = old[iid].get("max_amount"), new[iid].get("max_amount")
            if a != b:
                basis = new[iid].get("amount_basis")
                rules = (
                    [
                        Behind(
                            kind="rule",
                            instrument_id=iid,
                            rules=[basis["rule"]],
                            text=basis["text"],
                        )
                    ]  # fmt: skip
                    if basis
                    else []
                )
                out.append(
                    Change(
                        what="amount_moved",
                        instrument_id=iid,
                        before=_money(a),
                        after=_money(b),
                        behind=self._behind([iid], rules),
                    )  # fmt: skip
                )
        return out

    def _mix_behind(self, instrument_ids: list[str]) -> list[Behind]:
        """A mix's own components' records; failing those, any option's (mixes are composed
        from all the options, so one option's new amount can reshape another mix)."""
        own = self._behind(instrument_ids)
        if any(b.kind == "catalogue_record" for b in own):
            return own
        options = [
            o["instrument_id"] for answer in (self.old, self.new) for o in answer.get("options", [])
        ]
        return self._behind(options)

    def _mixes(self) -> list[Change]:
        old = {m["id"]: m for m in self.old.get("mixes", [])}
        new = {m["id"]: m for m in self.new.get("mixes", [])}
        out = []

        def parts(mix: dict[str, Any]) -> dict[str, Any]:
            return {c["instrument_id"]: _money(c["amount"]) for c in mix["components"]}

        for mid in sorted(set(new) - set(old)):
            out.append(
                Change(
                    what="mix_gained",
                    mix_id=mid,
                    after=parts(new[mid]),
                    behind=self._mix_behind(list(parts(new[mid]))),
                )  # fmt: skip
            )
        for mid in sorted(set(old) - set(new)):
            out.append(
                Change(
                    what="mix_lost",
                    mix_id=mid,
                    before=parts(old[mid]),
                    behind=self._mix_behind(list(parts(old[mid]))),
                )  # fmt: skip
            )
        for mid in sorted(set(old) & set(new)):
            a, b = parts(old[mid]), parts(new[mid])
            if a != b or old[mid]["gap"] != new[mid]["gap"]:
                moved = [i for i in {**a, **b} if a.get(i) != b.get(i)]
                out.append(
                    Change(
                        what="mix_changed",
                        mix_id=mid,
                        before={**a, "gap": _money(old[mid]["gap"])},
                        after={**b, "gap": _money(new[mid]["gap"])},
                        behind=self._mix_behind(moved or list(b)),
                    )  # fmt: skip
                )
        return out

    def other_differences(self) -> list[str]:
        """Top-level sections that differ beyond the changes listed (reasons, ranks, models)."""
        keys = (set(self.old) | set(self.new)) - IGNORED
        return sorted(k for k in keys if self.old.get(k) != self.new.get(k))
