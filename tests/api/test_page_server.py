"""What the server does for front ends: the page at /, offline /docs and /redoc, and CORS for the
origins of ADVISOR_CORS_ORIGINS only. (The page itself is tested in a browser: tests/page.)"""

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from advisor.settings import Settings
from api.main import create_app

STATIC = Path(__file__).resolve().parents[2] / "api" / "static"
ALLOWED = "https://officer.example.org"


def _client(tmp_path: Path, **settings: str) -> TestClient:
    # no lifespan: nothing here touches the database
    url = f"sqlite:///{tmp_path / 'advisor.sqlite3'}"
    return TestClient(create_app(Settings(database_url=url, data_dir=tmp_path, **settings)))


def _preflight(client: TestClient, origin: str) -> dict[str, str]:
    answer = client.options(
        "/v1/match",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    return {"status": str(answer.status_code), **{k.lower(): v for k, v in answer.headers.items()}}


def test_a_listed_origin_gets_its_preflight_answered_with_the_cors_headers(tmp_path: Path) -> None:
    client = _client(tmp_path, cors_origins=f" {ALLOWED}/ , http://localhost:5173")
    for origin in (ALLOWED, "http://localhost:5173"):
        headers = _preflight(client, origin)
        assert headers["status"] == "200"
        assert headers["access-control-allow-origin"] == origin
        assert "POST" in headers["access-control-allow-methods"]
        assert "content-type" in headers["access-control-allow-headers"].lower()
    simple = client.get("/v1/vocabulary", headers={"Origin": ALLOWED})
    assert simple.headers["access-control-allow-origin"] == ALLOWED


def test_an_unlisted_origin_gets_no_cors_headers(tmp_path: Path) -> None:
    client = _client(tmp_path, cors_origins=ALLOWED)
    headers = _preflight(client, "https://elsewhere.example.com")
    assert headers["status"] == "400"
    assert not any(name.startswith("access-control-") for name in headers)
    simple = client.get("/v1/vocabulary", headers={"Origin": "https://elsewhere.example.com"})
    assert simple.status_code == 200
    assert not any(name.lower().startswith("access-control-") for name in simple.headers)
    assert "Origin" in simple.headers["vary"]
    plain = client.get("/v1/vocabulary")  # no Origin: not a cross-origin request at all
    assert plain.status_code == 200 and "access-control-allow-origin" not in plain.headers


def test_by_default_no_origin_is_allowed(tmp_path: Path) -> None:
    client = _client(tmp_path)
    headers = _preflight(client, ALLOWED)
    assert headers["status"] != "200"
    assert not any(name.startswith("access-control-") for name in headers)


def test_the_page_is_served_at_the_root(tmp_path: Path) -> None:
    client = _client(tmp_path)
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<script type="module" src="/static/js/main.js">' in page.text
    assert client.head("/").status_code == 200
    for asset in ("/static/js/main.js", "/static/style.css"):
        assert client.get(asset).status_code == 200, asset


def _local_only(html: str) -> list[str]:
    """Every src/href of a document that points at another host."""
    return [u for u in re.findall(r'(?:src|href)="([^"]+)"', html) if re.match(r"(https?:)?//", u)]


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_the_api_documentation_loads_its_assets_from_this_server(tmp_path: Path, path: str) -> None:
    client = _client(tmp_path)
    html = client.get(path).text
    assert _local_only(html) == []
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    assert assets, html
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
    assert "fonts.googleapis" not in html and "cdn.jsdelivr" not in html


def test_the_page_and_vendor_files_are_package_data_with_their_licences() -> None:
    import tomllib

    patterns = tomllib.loads((STATIC.parents[1] / "pyproject.toml").read_text())["tool"][
        "setuptools"
    ]["package-data"]["api"]
    shipped = {p.relative_to(STATIC.parent) for pat in patterns for p in STATIC.parent.glob(pat)}
    on_disk = {p.relative_to(STATIC.parent) for p in STATIC.rglob("*") if p.is_file()}
    assert on_disk <= shipped, on_disk - shipped
    for vendor in ("swagger-ui", "redoc"):
        assert (STATIC / "vendor" / vendor / "LICENSE").stat().st_size > 500


@pytest.mark.parametrize(
    "path",
    ["/static/%00", "/static/../pyproject.toml", "/static/..%2f..%2fpyproject.toml",
     "/static/js/..%2F..%2Fpage.py", "/static/", "/static/vendor/", "/static/" + "a" * 5000,
     "/static/%ff", "/index.html"],
)  # fmt: skip
def test_static_paths_outside_the_shipped_files_answer_404_in_the_error_shape(
    tmp_path: Path, path: str
) -> None:
    answer = _client(tmp_path).get(path)
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"


def test_the_page_and_the_docs_forbid_loading_from_other_hosts(tmp_path: Path) -> None:
    client = _client(tmp_path)
    for path in ("/", "/docs", "/redoc"):
        policy = client.get(path).headers["content-security-policy"]
        sources = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        assert sources["default-src"] == "'self'", path
        for directive in ("script-src", "connect-src", "img-src", "style-src", "font-src"):
            allowed = sources.get(directive, sources["default-src"]).split()
            assert all(s in ("'self'", "'unsafe-inline'", "data:", "blob:") for s in allowed), (
                path,
                directive,
            )
