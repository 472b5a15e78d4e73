"""The one place experta is imported; every other module imports experta's names from here.

experta 1.9.4 (its last release, 2019) pins ``frozendict==1.2``, whose class statement
``class frozendict(collections.Mapping)`` fails on Python 3.10+, where the ABC aliases were removed
from ``collections``. (Its other pin, ``schema==0.6.7``, imports cleanly on 3.11 and 3.12.) We keep
the pinned packages so that ``pip install .`` resolves exactly what experta declares, and make the
import work here:

1. For the duration of the import only, the missing ABC names are put back on ``collections``,
   then removed again, so nothing else in the process sees them. frozendict only needs the alias
   while its class statement runs.
2. experta calls ``logging.basicConfig()`` at import time (engine.py, watchers.py), which would
   install a root handler in the host application. Any root handler added during the import is
   removed again, so the application's own logging configuration stays in charge.

``tests/rules/test_experta_compat.py`` builds and runs a tiny engine to keep this honest.
"""

import collections
import collections.abc
import logging

_ALIASES = ("Mapping", "MutableMapping", "Sequence", "Set", "Hashable", "Iterable", "Callable")


def _import_experta():  # type: ignore[no-untyped-def]
    added = [name for name in _ALIASES if not hasattr(collections, name)]
    for name in added:
        setattr(collections, name, getattr(collections.abc, name))
    root = logging.getLogger()
    handlers_before = list(root.handlers)
    try:
        import experta
        import experta.matchers.rete.check
        import experta.matchers.rete.utils
        import experta.utils
        import experta.watchers
    finally:
        for name in added:
            delattr(collections, name)
        for handler in list(root.handlers):
            if handler not in handlers_before:
                root.removeHandler(handler)
    return experta


_experta = _import_experta()

AS = _experta.AS
DefFacts = _experta.DefFacts
Fact = _experta.Fact
Field = _experta.Field
KnowledgeEngine = _experta.KnowledgeEngine
L = _experta.L
MATCH = _experta.MATCH
NOT = _experta.NOT
OR = _experta.OR
P = _experta.P
Rule = _experta.Rule
TEST = _experta.TEST
W = _experta.W
EXISTS = _experta.EXISTS
freeze = _experta.utils.freeze  # hashable form of dict/list values, as experta stores them


class Internals:
    """experta's own pieces of its Rete compiler, for rules/compiled.py: the rule as the network
    sees it (`prepare_rule`), the alpha checks of a pattern (`generate_checks`) and the objects
    those checks and the conditional elements are made of."""

    _rete = _experta.matchers.rete
    prepare_rule = _rete.utils.prepare_rule
    generate_checks = _rete.utils.generate_checks
    TypeCheck = _rete.check.TypeCheck
    FeatureCheck = _rete.check.FeatureCheck
    FactCapture = _rete.check.FactCapture
    WhereCheck = _rete.check.WhereCheck
    InitialFact = _experta.fact.InitialFact
    ConditionalElement = _experta.conditionalelement.ConditionalElement
    NOTFC = _experta.fieldconstraint.NOTFC
    Bindable = _experta.pattern.Bindable


__all__ = [
    "AS",
    "DefFacts",
    "EXISTS",
    "Fact",
    "Field",
    "KnowledgeEngine",
    "L",
    "MATCH",
    "NOT",
    "OR",
    "P",
    "Rule",
    "TEST",
    "W",
    "Internals",
    "freeze",
]
