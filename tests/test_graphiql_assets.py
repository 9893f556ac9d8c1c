"""The GraphiQL page refers only to files this service serves, each matching its integrity hash."""

import base64
import hashlib
import re

import httpx

import web

ATTRIBUTES = re.compile(r'(?:src|href)="([^"]+)"\s+integrity="([^"]+)"')


def sri(content: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(content).digest()).decode()


async def test_page_files_are_served_here_and_match_their_integrity(
    http: httpx.AsyncClient,
) -> None:
    page = await http.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    pinned = ATTRIBUTES.findall(page.text)
    assert len(pinned) == 7, pinned
    for path, integrity in pinned:
        assert not path.startswith(("http:", "https:", "//")), path
        served = await http.get(f"/{path}")
        assert served.status_code == 200, path
        assert sri(served.content) == integrity, f"{path} does not match its integrity hash"
    script = await http.get("/graphiql/hookline-graphiql.js")
    assert script.status_code == 200 and "createFetcher" in script.text


def test_every_vendored_file_has_its_package_licence() -> None:
    vendor = web.GRAPHIQL_ASSETS / "vendor"
    files = [f for f in vendor.rglob("*") if f.suffix in (".js", ".css")]
    assert len(files) == 7, files
    for file in files:
        parts = file.relative_to(
            vendor
        ).parts  # ("@scope", "name@version", ...) or ("name@version", ...)
        package = vendor.joinpath(*parts[:2]) if parts[0].startswith("@") else vendor / parts[0]
        assert (package / "LICENSE").is_file(), f"{package} has no LICENSE"
