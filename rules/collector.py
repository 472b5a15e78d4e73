"""What a compiled right-hand side runs on (rules/matcher.py): it may only declare findings."""

from typing import Any

from rules.facts import DERIVED


class ChainingRule(RuntimeError):
    """A compiled rule's right-hand side did something other than declare findings."""


class _Collector:
    """The `self` a compiled right-hand side runs on: it may only declare findings."""

    __slots__ = ("findings", "rule")

    def __init__(self) -> None:
        self.findings: list[Any] = []
        self.rule = ""

    def declare(self, *facts: Any) -> None:
        for fact in facts:
            if not isinstance(fact, DERIVED):
                raise ChainingRule(
                    f"{self.rule} declared {type(fact).__name__}, a fact rules may match: the "
                    "rule chains and must run in experta's Rete"
                )
        self.findings.extend(facts)

    def _refuse(self, *args: Any, **kwargs: Any) -> None:
        raise ChainingRule(f"{self.rule} changes the working memory: it must run in experta")

    retract = modify = duplicate = halt = _refuse
