"""The webhook portal at /portal: one page and its files, served by Hookline, nothing else.

The page is a client of the public GraphQL API (web/portal/). Its Content-Security-Policy lets
it talk to this origin only; a page embedded elsewhere in an iframe needs that origin listed in
HOOKLINE_PORTAL_FRAME_ANCESTORS.
"""

from collections.abc import Sequence

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles

import web

PAGE_PATH = "/portal"
NONE = "'none'"
ASSETS_PATH = "/portal/assets"  # the page refers to "portal/assets/…" relative to /portal


def content_security_policy(frame_ancestors: Sequence[str]) -> str:
    return "; ".join(
        (
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "base-uri 'none'",
            "form-action 'none'",
            f"frame-ancestors {' '.join(frame_ancestors) or NONE}",
        )
    )


class PortalPage:
    """The page, read once."""

    def __init__(self, frame_ancestors: Sequence[str] = ()) -> None:
        self.html = web.PORTAL_PAGE.read_text(encoding="utf-8")
        self.headers = {
            "Content-Security-Policy": content_security_policy(frame_ancestors),
            "Cache-Control": "no-cache",
            # The token travels in the URL fragment, which is never sent; keep it that way.
            "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff",
        }

    async def endpoint(self, request: Request) -> Response:
        return HTMLResponse(self.html, headers=self.headers)


def assets() -> StaticFiles:
    return StaticFiles(directory=web.PORTAL_ASSETS)
