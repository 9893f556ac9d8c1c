"""GraphiQL served by Hookline itself: the page and its pinned files, no other host involved.

The files under web/graphiql/assets/vendor are the npm packages Strawberry's page loads from a
CDN, byte for byte, so the page keeps the CDN's integrity hashes (web/graphiql/README.md).
"""

from starlette.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

import web

ASSETS_PATH = "/graphiql"  # the page at /graphql refers to "graphiql/…" relative to itself

# Nothing but this origin: the browser itself refuses any request to another host. GraphiQL
# and its explorer inject <style> elements, hence 'unsafe-inline' for styles only.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)


class GraphiQLPage:
    """The page, read once."""

    def __init__(self) -> None:
        self.html = web.GRAPHIQL_PAGE.read_text(encoding="utf-8")

    def response(self) -> HTMLResponse:
        return HTMLResponse(
            self.html,
            headers={
                "Content-Security-Policy": CONTENT_SECURITY_POLICY,
                "Cache-Control": "no-cache",
            },
        )


def assets() -> StaticFiles:
    return StaticFiles(directory=web.GRAPHIQL_ASSETS)
