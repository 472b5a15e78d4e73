"""The README's quickstart stays true: two commands, and what they name exists."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _quickstart_commands() -> list[str]:
    section = README.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^    (python3 -m venv .*)$", section, flags=re.M)


def test_quickstart_is_exactly_two_commands() -> None:
    serve, test = _quickstart_commands()
    assert serve.endswith("advisor serve") and "pip install ." in serve
    assert test.endswith("pytest") and "'.[test]'" in test


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "README.md" in ci and "pytest -m db" in ci


def test_the_cli_and_extras_the_readme_names_exist() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["scripts"]["advisor"] == "advisor.cli:app"
    assert "test" in project["optional-dependencies"]
    from typer.main import get_command

    from advisor.cli import app

    commands = set(get_command(app).commands)  # type: ignore[attr-defined]
    assert {"serve", "match", "seed", "check-data"} <= commands


def test_every_settings_variable_in_the_readme_exists() -> None:
    from advisor.settings import Settings

    named = set(re.findall(r"`ADVISOR_([A-Z_]+)`", README))
    fields = {name.upper() for name in Settings.model_fields}
    assert named and named <= fields
