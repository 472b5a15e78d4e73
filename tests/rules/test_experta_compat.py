"""experta imports and runs on this Python, and leaves no trace on the host process."""

import collections
import logging
import subprocess
import sys

from rules._experta import MATCH, TEST, Fact, KnowledgeEngine, Rule


class Number(Fact):
    pass


class Big(Fact):
    pass


class TinyEngine(KnowledgeEngine):
    @Rule(Number(value=MATCH.value), TEST(lambda value: value > 10))
    def flag_big_numbers(self, value):
        self.declare(Big(value=value))


def test_a_tiny_engine_runs() -> None:
    engine = TinyEngine()
    engine.reset()
    engine.declare(Number(value=3), Number(value=42))
    engine.run()
    big = [f["value"] for f in engine.facts.values() if isinstance(f, Big)]
    assert big == [42]


def test_collections_aliases_are_not_left_behind() -> None:
    assert not hasattr(collections, "Mapping")


def test_import_installs_no_root_logging_handler() -> None:
    code = "import logging, rules._experta; print(len(logging.getLogger().handlers))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0"


def test_application_logging_configuration_is_kept() -> None:
    code = (
        "import logging; logging.basicConfig(format='APP %(message)s'); "
        "import rules._experta; h = logging.getLogger().handlers; "
        "print(len(h), h[0].formatter._fmt)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "1 APP %(message)s"
    assert logging.getLogger() is not None
