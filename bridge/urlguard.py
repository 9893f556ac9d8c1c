"""SSRF guard for webhook target URLs.

Checked when a webhook is saved (check_url) and again at connect time (guarded_connector).
Messages never say what a host name resolved to: that would map a private network's names for
whoever can create a webhook. Ports are limited to 80, 443 and 1024 and up (no SSH, SMTP and
other system services); HOOKLINE_ALLOW_PRIVATE_URLS lifts that rule with the address rules.
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import re
import socket
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from aiohappyeyeballs import AddrInfoType
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver
from yarl import URL

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]

MAX_URL_LENGTH = 2048
WEB_PORTS = frozenset({80, 443})
FIRST_UNPRIVILEGED_PORT = 1024
NOT_PUBLIC = "does not resolve to a public address"


def _networks(*entries: tuple[str, str]) -> tuple[tuple[Any, str], ...]:
    return tuple((ipaddress.ip_network(net), reason) for net, reason in entries)


# Checked in order, so the specific entries (metadata) must precede their enclosing ranges.
_V4_BLOCKS: tuple[tuple[ipaddress.IPv4Network, str], ...] = _networks(
    ("169.254.169.254/32", "cloud metadata"),
    ("0.0.0.0/32", "unspecified"),
    ("0.0.0.0/8", "'this network' (0.0.0.0/8)"),
    ("127.0.0.0/8", "loopback"),
    ("10.0.0.0/8", "private (RFC 1918)"),
    ("172.16.0.0/12", "private (RFC 1918)"),
    ("192.168.0.0/16", "private (RFC 1918)"),
    ("100.64.0.0/10", "shared address space (CGNAT, RFC 6598)"),
    ("169.254.0.0/16", "link-local"),
    ("192.0.0.0/24", "IETF protocol assignment (192.0.0.0/24)"),
    ("192.0.2.0/24", "documentation"),
    ("198.51.100.0/24", "documentation"),
    ("203.0.113.0/24", "documentation"),
    ("198.18.0.0/15", "benchmarking"),
    ("224.0.0.0/4", "multicast"),
    ("255.255.255.255/32", "broadcast"),
    ("240.0.0.0/4", "reserved"),
)
_V6_BLOCKS: tuple[tuple[ipaddress.IPv6Network, str], ...] = _networks(
    ("fd00:ec2::254/128", "cloud metadata"),
    ("::/128", "unspecified"),
    ("::1/128", "loopback"),
    # Python 3.11 calls IPv4-compatible (::a.b.c.d) and site-local addresses "global".
    ("::/8", "reserved"),
    ("fc00::/7", "unique local (IPv6 ULA)"),
    ("fe80::/10", "link-local"),
    ("fec0::/10", "site-local (deprecated)"),
    ("ff00::/8", "multicast"),
    ("2001:db8::/32", "documentation"),
    ("64:ff9b:1::/48", "reserved"),
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_LOCALHOST_RE = re.compile(r"^(?:.+\.)?localhost$")
_HOSTNAME_RE = re.compile(r"^[a-z0-9_.-]+$")
_NUMERIC_LABEL_RE = re.compile(r"^(?:0x[0-9a-f]*|[0-9]+)$")


class BlockedAddress(OSError):
    """A connection target is not a public unicast address.

    An OSError (with strerror set) so aiohttp wraps it in ClientConnectorError with a
    readable message instead of letting a foreign exception type escape the connector.
    """

    def __init__(self, address: str, reason: str, host: str | None = None) -> None:
        self.address, self.reason, self.host = address, reason, host
        super().__init__(errno.EACCES, self._message())

    def _message(self) -> str:
        if self.host and self.host != self.address:  # what it resolved to stays ours
            return f"{self.host} {NOT_PUBLIC}"
        return f"{self.address} is a {self.reason} address"

    def __str__(self) -> str:
        return str(self.strerror)

    def __reduce__(self) -> tuple[type[BlockedAddress], tuple[str, str, str | None]]:
        return (type(self), (self.address, self.reason, self.host))


class BlockedPort(BlockedAddress):
    """A connection target's port is not one webhooks may use (see port_block_reason)."""

    def _message(self) -> str:
        return f"{self.address} {self.reason}"


class InvalidWebhookUrl(ValueError):
    """A webhook URL was rejected; the message is safe to show to the user."""


# Said with every refusal of a non-public address: how an operator runs webhooks locally.
PRIVATE_HINT = (
    "webhooks may only target public addresses unless the operator sets "
    "HOOKLINE_ALLOW_PRIVATE_URLS=1"
)


def address_block_reason(ip: str | IPAddress) -> str | None:
    """Return why `ip` must not be contacted, or None for a global unicast address."""
    if isinstance(ip, str):
        try:
            ip = ipaddress.ip_address(ip)
        except ValueError:
            return "unparseable"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            ip = ipaddress.IPv6Address(int(ip))  # a zone id does not change the address class
        # Embedded IPv4 forms reach the IPv4 host, so judge that host instead.
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return address_block_reason(embedded)
        table = _V6_BLOCKS
    else:
        table = _V4_BLOCKS
    for net, reason in table:
        if ip in net:
            return reason
    return None if ip.is_global else "reserved"


def port_block_reason(port: int) -> str | None:
    """Why a port must not be contacted: below 1024, only the web's own ports are allowed."""
    if port in WEB_PORTS or port >= FIRST_UNPRIVILEGED_PORT:
        return None
    return f"port {port}: only 80, 443 and 1024 and up are allowed"


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def check_url_syntax(url: str) -> str:
    """Validate a webhook URL's shape (no DNS)."""
    if not url:
        raise InvalidWebhookUrl("URL must not be empty")
    if url != url.strip():
        raise InvalidWebhookUrl("URL must not start or end with whitespace")
    if len(url) > MAX_URL_LENGTH:
        raise InvalidWebhookUrl(f"URL must be at most {MAX_URL_LENGTH} characters")
    if any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        raise InvalidWebhookUrl("URL must not contain whitespace or control characters")
    try:
        parsed = URL(url)
        host = parsed.raw_host
        _ = parsed.port  # yarl only complains about an out-of-range port when asked
    except ValueError as exc:
        raise InvalidWebhookUrl(f"URL is malformed: {exc}") from None
    if parsed.scheme not in ("http", "https"):
        raise InvalidWebhookUrl("URL scheme must be http or https")
    if not host:
        raise InvalidWebhookUrl("URL must include a host")
    if parsed.user is not None or parsed.password is not None or "@" in parsed.raw_authority:
        raise InvalidWebhookUrl("URL must not contain credentials (user:password@)")
    if not _is_ip_literal(host):
        if not _HOSTNAME_RE.match(host) or ".." in host or host.startswith("."):
            raise InvalidWebhookUrl(f"URL host {host!r} is not a valid hostname")
        # Legacy numeric forms (127.1, 2130706433, 0x7f.1) are IPv4 to getaddrinfo but
        # slip past a hostname check; no real TLD is numeric, so refuse them outright.
        if _NUMERIC_LABEL_RE.match(host.rstrip(".").rsplit(".", 1)[-1]):
            raise InvalidWebhookUrl(f"URL host {host!r} is not a canonical IP address")
    return url


async def _default_resolver(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


async def check_url(url: str, *, allow_private: bool, resolver: Resolver | None = None) -> None:
    """Validate a webhook URL and, unless allow_private, that every address it hits is public."""
    parsed = URL(check_url_syntax(url))
    if allow_private:
        return
    host = parsed.raw_host
    assert host is not None  # guaranteed by check_url_syntax
    port_reason = port_block_reason(parsed.port or 0)
    if port_reason:
        raise InvalidWebhookUrl(f"URL {port_reason}; {PRIVATE_HINT}")
    if _is_ip_literal(host):
        reason = address_block_reason(host)
        if reason:
            raise InvalidWebhookUrl(f"URL host {host} is a {reason} address; {PRIVATE_HINT}")
        return
    # RFC 6761: *.localhost is loopback whatever DNS says; "localhost." may not resolve here.
    if _LOCALHOST_RE.match(host.lower().rstrip(".")):
        raise InvalidWebhookUrl(f"URL host {host!r} is a loopback name; {PRIVATE_HINT}")
    try:
        addresses = await (resolver or _default_resolver)(host, parsed.port or 0)
    except OSError:
        addresses = []
    # One answer whether the name is unknown or private: either way the URL is unusable, and
    # telling them apart (or naming the kind of address) would map our network's names.
    if not addresses or any(address_block_reason(a) for a in addresses):
        raise InvalidWebhookUrl(f"URL host {host!r} {NOT_PUBLIC}; {PRIVATE_HINT}")


class GuardedResolver(AbstractResolver):
    """aiohttp resolver that drops blocked addresses and fails if none are left."""

    def __init__(self, inner: AbstractResolver | None = None) -> None:
        self._inner = inner if inner is not None else DefaultResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        if not results:  # aiohttp cannot cope with an empty list, so fail like getaddrinfo
            raise socket.gaierror(socket.EAI_NONAME, f"{host} did not resolve to any address")
        allowed = [r for r in results if address_block_reason(r["host"]) is None]
        if not allowed:
            first = results[0]["host"]
            raise BlockedAddress(first, address_block_reason(first) or "blocked", host)
        return allowed

    async def close(self) -> None:
        await self._inner.close()


def guarded_socket_factory(addr_info: AddrInfoType) -> socket.socket:
    """Refuse to open a socket to a blocked address; covers IP-literal hosts, which skip DNS."""
    family, type_, proto, _, sockaddr = addr_info
    reason = address_block_reason(str(sockaddr[0]))
    if reason:
        raise BlockedAddress(str(sockaddr[0]), reason)
    port_reason = port_block_reason(int(sockaddr[1]))
    if port_reason:  # a URL saved while the rule was lifted
        raise BlockedPort(str(sockaddr[0]), port_reason)
    return socket.socket(family=family, type=type_, proto=proto)


def guarded_connector(
    *, allow_private: bool, limit: int = 100, limit_per_host: int = 10
) -> aiohttp.TCPConnector:
    """Build a TCPConnector that cannot reach blocked addresses unless allow_private."""
    if allow_private:
        return aiohttp.TCPConnector(limit=limit, limit_per_host=limit_per_host)
    return aiohttp.TCPConnector(
        limit=limit,
        limit_per_host=limit_per_host,
        resolver=GuardedResolver(),
        socket_factory=guarded_socket_factory,
    )


def find_blocked(exc: BaseException | None) -> BlockedAddress | None:
    """Return the BlockedAddress behind an aiohttp client error, or None if it was not one."""
    for _ in range(8):  # aiohttp nests one or two levels; the bound just guards against cycles
        if exc is None or isinstance(exc, BlockedAddress):
            return exc
        exc = getattr(exc, "os_error", None) or exc.__cause__
    return None
