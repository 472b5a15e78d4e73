"""Dependencies point one way: api -> advisor -> {rules, catalogue}."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "rules": {"api", "advisor", "sqlmodel", "sqlalchemy", "fastapi", "pydantic_settings"},
    "catalogue": {"api", "advisor", "rules", "fastapi"},
    "advisor": {"api", "fastapi"},
    "api": {"catalogue", "rules"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_point_one_way(package: str) -> None:
    for path in (ROOT / package).rglob("*.py"):
        bad = _imports(path) & FORBIDDEN[package]
        assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


def test_rules_never_read_settings() -> None:
    for path in (ROOT / "rules").rglob("*.py"):
        assert "settings" not in _imports(path) and "os" not in _imports(path), path.name
