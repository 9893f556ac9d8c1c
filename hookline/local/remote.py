"""A Hookline server as a client sees it: its URLs, the token, and GraphQL over HTTP.

Problems are sorted once here: `Refused` is the server saying no (a bad token, a missing
project), which waiting cannot fix; `Unreachable` is the network or a server in trouble, which
a listener waits out.
"""

import hashlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aiohttp

from hookline import __version__

USER_AGENT = f"hookline-cli/{__version__}"
HTTP_TIMEOUT = aiohttp.ClientTimeout(total=30, sock_connect=10)


class LocalToolError(Exception):
    """Base of what `listen` and `trigger` report in one line and exit non-zero for."""


class UsageError(LocalToolError):
    """A mistake on the command line: exit status 2, like argparse's own."""


class Refused(LocalToolError):
    """The server answered and said no: exit status 1."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


class Unreachable(LocalToolError):
    """No usable answer (connection refused or lost, timeout, 5xx, rate limited): try again.
    `retry_after` is the server's own hint, in seconds, when it gave one."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


# Error codes that waiting may cure; every other code is the server's final answer.
TRANSIENT_CODES = frozenset({"RATE_LIMITED", "SUBSCRIBER_TOO_SLOW", "INTERNAL_SERVER_ERROR"})


@dataclass(frozen=True)
class Server:
    """Where the server is (its base URL, as given to --server) and who we are to it."""

    base: str
    token: str

    @classmethod
    def of(cls, url: str, token: str) -> "Server":
        parts = urlsplit(url.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UsageError(f"--server must be an http:// or https:// URL, got {url!r}")
        path = parts.path.rstrip("/").removesuffix("/graphql")
        base = urlunsplit((parts.scheme, parts.netloc.lower(), path, "", ""))
        token_id, dot, secret = token.strip().partition(".")
        if not (token_id and dot and secret):
            raise UsageError(
                "--token must be <tokenId>.<tokenSecret>, the `token` that "
                "`hookline bootstrap` or `hookline token create` printed"
            )
        return cls(base, token.strip())

    @property
    def graphql_url(self) -> str:
        return f"{self.base}/graphql"

    @property
    def websocket_url(self) -> str:
        return "ws" + self.graphql_url.removeprefix("http")

    @property
    def token_id(self) -> str:
        return self.token.partition(".")[0]

    @property
    def authorization(self) -> str:
        return f"Bearer {self.token}"

    def key(self) -> str:
        """Names this server and token without revealing the token's secret."""
        return hashlib.sha256(f"{self.base}\n{self.token_id}".encode()).hexdigest()[:32]

    def __repr__(self) -> str:  # never print the token
        return f"Server({self.base!r}, token_id={self.token_id!r})"


def refusal(errors: list[dict[str, Any]]) -> LocalToolError:
    """The first GraphQL error as Refused, or Unreachable when its code is transient."""
    first = errors[0] if errors else {}
    message = str(first.get("message") or "the server reported an error")
    extensions = first.get("extensions") or {}
    code = extensions.get("code")
    if code in TRANSIENT_CODES:
        retry_after = extensions.get("retryAfter")
        wait = float(retry_after) if isinstance(retry_after, int | float) else None
        return Unreachable(f"{code}: {message}", wait)
    return Refused(f"{code}: {message}" if code else message, code)


async def graphql(
    session: aiohttp.ClientSession,
    server: Server,
    query: str,
    variables: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The data of one operation over HTTP; Refused or Unreachable otherwise."""
    headers = {"Authorization": server.authorization, "User-Agent": USER_AGENT}
    try:
        async with session.post(
            server.graphql_url,
            json={"query": query, "variables": variables or {}},
            headers=headers,
            timeout=HTTP_TIMEOUT,
            allow_redirects=False,
        ) as response:
            if response.status >= 500 or response.status == 429:
                hint = response.headers.get("Retry-After", "")
                raise Unreachable(
                    f"{server.graphql_url} answered HTTP {response.status}",
                    float(hint) if hint.isdigit() else None,
                )
            try:
                body = await response.json(content_type=None)
            except ValueError:
                raise Refused(
                    f"{server.graphql_url} answered HTTP {response.status} without GraphQL "
                    "JSON: is --server a Hookline server?"
                ) from None
    except TimeoutError:
        raise Unreachable(f"{server.graphql_url} did not answer in time") from None
    except aiohttp.ClientError as exc:
        raise Unreachable(f"cannot reach {server.graphql_url}: {exc}") from None
    if not isinstance(body, dict):
        raise Refused(f"{server.graphql_url} answered something other than GraphQL JSON")
    if body.get("errors"):
        raise refusal(body["errors"])
    data = body.get("data")
    if not isinstance(data, dict):
        raise Refused(f"{server.graphql_url} answered without data")
    return data


async def current_user_id(session: aiohttp.ClientSession, server: Server) -> str:
    """Who the token belongs to; also the check that the server takes the token at all."""
    data = await graphql(session, server, "query Me { currentUser { id } }")
    return str(data["currentUser"]["id"])
