"""What browsers load: the GraphiQL page and its vendored files, and the webhook portal.

A Python package only so that installing Hookline installs these files beside the code
(package-data) and the app finds them the same way from a checkout or a wheel.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent
GRAPHIQL_PAGE = ROOT / "graphiql" / "index.html"
GRAPHIQL_ASSETS = ROOT / "graphiql" / "assets"
PORTAL_PAGE = ROOT / "portal" / "index.html"
PORTAL_ASSETS = ROOT / "portal" / "assets"
