"""Tests for bridge.urlguard: URL checks at save time and the guarded aiohttp connector."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import AsyncIterator, Callable

import aiohttp
import pytest
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult

from bridge.urlguard import (
    PRIVATE_HINT,
    BlockedAddress,
    BlockedPort,
    GuardedResolver,
    InvalidWebhookUrl,
    address_block_reason,
    check_url,
    check_url_syntax,
    find_blocked,
    guarded_connector,
    guarded_socket_factory,
)


async def no_dns(host: str, port: int) -> list[str]:
    raise AssertionError(f"unexpected DNS lookup of {host!r}")


def fixed_dns(*addresses: str) -> Callable[[str, int], object]:
    async def resolve(host: str, port: int) -> list[str]:
        return list(addresses)

    return resolve


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1", "loopback"),
        ("http://localhost", "loopback"),
        ("http://localhost.", "loopback"),
        ("http://api.LOCALHOST:8080/", "loopback"),
        ("http://[::1]", "loopback"),
        ("http://10.0.0.1", "private (RFC 1918)"),
        ("http://169.254.169.254/latest/meta-data", "cloud metadata"),
        ("http://[::ffff:127.0.0.1]", "loopback"),
        ("http://100.64.0.1", "shared address space (CGNAT, RFC 6598)"),
        ("http://[fd00::1]", "unique local (IPv6 ULA)"),
        ("http://[fe80::1]", "link-local"),
        ("http://0.0.0.0", "unspecified"),
        ("http://224.0.0.1", "multicast"),
        ("ftp://example.com", "URL scheme must be http or https"),
        ("javascript:alert(1)", "URL scheme must be http or https"),
        ("http://127.1/", "not a canonical IP address"),
        ("http://2130706433/", "not a canonical IP address"),
        ("http://0x7f000001/", "not a canonical IP address"),
    ],
)
async def test_check_url_rejects(url: str, reason: str) -> None:
    with pytest.raises(InvalidWebhookUrl) as excinfo:
        await check_url(url, allow_private=False, resolver=no_dns)
    assert reason in str(excinfo.value)


async def refusal(url: str, resolver: Callable[[str, int], object]) -> str:
    with pytest.raises(InvalidWebhookUrl) as excinfo:
        await check_url(url, allow_private=False, resolver=resolver)  # type: ignore[arg-type]
    return str(excinfo.value)


async def gaierror(host: str, port: int) -> list[str]:
    raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")


@pytest.mark.parametrize("url", ["http://127.0.0.1/", "http://localhost/", "http://10.0.0.1/"])
async def test_a_refused_private_url_names_the_setting_that_allows_it(url: str) -> None:
    with pytest.raises(InvalidWebhookUrl, match=r"HOOKLINE_ALLOW_PRIVATE_URLS=1"):
        await check_url(url, allow_private=False, resolver=no_dns)


async def test_check_url_never_says_what_a_name_resolves_to() -> None:
    # Issue 10 defect 7: "'vm' resolves to 127.0.0.1" mapped internal names for anyone.
    message = await refusal("https://vm/", fixed_dns("127.0.0.1"))
    assert message == f"URL host 'vm' does not resolve to a public address; {PRIVATE_HINT}"
    mixed = await refusal("https://mixed.example/", fixed_dns("93.184.215.14", "10.1.2.3"))
    assert "10.1.2.3" not in mixed and "private (" not in mixed
    assert mixed.startswith("URL host 'mixed.example' does not resolve to a public address")


async def test_an_unknown_name_answers_like_a_private_one() -> None:
    # Otherwise the difference tells which names exist inside the network.
    private = await refusal("https://nx.example/", fixed_dns("10.0.0.7"))
    for resolver in (fixed_dns(), gaierror):
        assert await refusal("https://nx.example/", resolver) == private


@pytest.mark.parametrize("port", [1, 22, 25, 110, 443 - 1, 1023])
async def test_check_url_refuses_system_ports(port: int) -> None:
    message = await refusal(f"https://93.184.215.14:{port}/", no_dns)
    assert f"port {port}" in message and "80, 443 and 1024 and up" in message
    await check_url(f"http://127.0.0.1:{port}/", allow_private=True, resolver=no_dns)


@pytest.mark.parametrize(
    "url",
    [
        "http://93.184.215.14/",
        "https://93.184.215.14/",
        "http://93.184.215.14:80/",
        "https://93.184.215.14:443/",
        "https://93.184.215.14:1024/",
        "https://93.184.215.14:8443/",
        "http://93.184.215.14:65535/",
    ],
)
async def test_check_url_allows_web_and_unprivileged_ports(url: str) -> None:
    await check_url(url, allow_private=False, resolver=no_dns)


def test_socket_factory_refuses_system_ports() -> None:
    # A URL saved while private URLs were allowed is still refused at connect time.
    with pytest.raises(BlockedPort, match=r"93\.184\.215\.14 port 22: only 80, 443"):
        guarded_socket_factory((socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", 22)))


async def test_check_url_accepts_public_addresses() -> None:
    await check_url("https://93.184.215.14/", allow_private=False, resolver=no_dns)
    await check_url("https://[2606:4700::1111]/x", allow_private=False, resolver=no_dns)
    await check_url(
        "https://hooks.example.com/in?x=1",
        allow_private=False,
        resolver=fixed_dns("93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"),
    )


async def test_check_url_allow_private_skips_address_checks() -> None:
    await check_url("http://127.0.0.1:8080/hook", allow_private=True, resolver=no_dns)
    await check_url("http://localhost:8080/hook", allow_private=True, resolver=no_dns)
    with pytest.raises(InvalidWebhookUrl, match="scheme"):
        await check_url("file:///etc/passwd", allow_private=True)


def test_check_url_syntax_validates() -> None:
    assert check_url_syntax("https://example.com/h") == "https://example.com/h"
    cases = {
        " https://example.com/h": "must not start or end with whitespace",
        "https://example.com/h ": "must not start or end with whitespace",
        "\thttps://example.com/h\n": "must not start or end with whitespace",
        "https://user:pw@example.com/": "credentials",
        "https://user@example.com/": "credentials",
        "https:///path": "must include a host",
        "https://example.com/" + "a" * 2048: "at most 2048",
        "https://exa mple.com/": "whitespace",
        "https://example.com:99999/": "malformed",
        "https://ex%41mple.com/": "not a valid hostname",
        "": "empty",
    }
    for url, message in cases.items():
        with pytest.raises(InvalidWebhookUrl, match=message):
            check_url_syntax(url)


@pytest.mark.parametrize(
    ("ip", "reason"),
    [
        ("169.254.169.254", "cloud metadata"),
        ("fd00:ec2::254", "cloud metadata"),
        ("0.1.2.3", "'this network' (0.0.0.0/8)"),
        ("172.31.255.255", "private (RFC 1918)"),
        ("192.168.1.1", "private (RFC 1918)"),
        ("192.0.0.8", "IETF protocol assignment (192.0.0.0/24)"),
        ("192.0.2.1", "documentation"),
        ("198.51.100.7", "documentation"),
        ("203.0.113.9", "documentation"),
        ("198.19.0.1", "benchmarking"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "broadcast"),
        ("::", "unspecified"),
        ("::7f00:1", "reserved"),  # deprecated IPv4-compatible form
        ("fec0::1", "site-local (deprecated)"),
        ("ff02::1", "multicast"),
        ("2001:db8::1", "documentation"),
        ("2002:7f00:1::", "loopback"),  # 6to4 wrapping 127.0.0.1
        ("64:ff9b::a9fe:a9fe", "cloud metadata"),  # NAT64 wrapping 169.254.169.254
        ("::ffff:10.0.0.1", "private (RFC 1918)"),
        ("fe80::1%eth0", "link-local"),
        ("not-an-ip", "unparseable"),
        (ipaddress.ip_address("127.0.0.2"), "loopback"),
    ],
)
def test_address_block_reason(ip: str, reason: str) -> None:
    assert address_block_reason(ip) == reason


@pytest.mark.parametrize(
    "ip", ["93.184.215.14", "8.8.8.8", "2606:4700::1111", "64:ff9b::808:808", "::ffff:1.1.1.1"]
)
def test_address_block_reason_allows_public(ip: str) -> None:
    assert address_block_reason(ip) is None


def test_blocked_address_message_and_type() -> None:
    exc = BlockedAddress("127.0.0.1", "loopback")
    assert str(exc) == "127.0.0.1 is a loopback address"
    assert isinstance(exc, OSError) and exc.strerror == str(exc)
    assert str(BlockedAddress("10.0.0.1", "private (RFC 1918)", "db.internal")) == (
        "db.internal does not resolve to a public address"
    )


class FakeResolver(AbstractResolver):
    def __init__(self, *addresses: str) -> None:
        self.addresses, self.closed = addresses, False

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        return [
            ResolveResult(hostname=host, host=a, port=port, family=family, proto=0, flags=0)
            for a in self.addresses
        ]

    async def close(self) -> None:
        self.closed = True


async def test_guarded_resolver_filters_and_blocks() -> None:
    mixed = GuardedResolver(FakeResolver("10.0.0.1", "93.184.215.14"))
    assert [r["host"] for r in await mixed.resolve("x.example", 443)] == ["93.184.215.14"]

    inner = FakeResolver("127.0.0.1", "::1")
    blocked = GuardedResolver(inner)
    with pytest.raises(BlockedAddress, match=r"^x\.example does not resolve to a public address$"):
        await blocked.resolve("x.example", 443)
    await blocked.close()
    assert inner.closed

    with pytest.raises(socket.gaierror):
        await GuardedResolver(FakeResolver()).resolve("x.example", 443)


# --- connect time: a real receiver on loopback -------------------------------------------


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[int, list[web.Request]]]:
    seen: list[web.Request] = []

    async def handle(request: web.Request) -> web.Response:
        seen.append(request)
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield port, seen
    finally:
        await runner.cleanup()


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
async def test_guarded_connector_blocks_loopback(
    receiver: tuple[int, list[web.Request]], host: str
) -> None:
    port, seen = receiver
    async with aiohttp.ClientSession(connector=guarded_connector(allow_private=False)) as session:
        with pytest.raises(aiohttp.ClientConnectorError) as excinfo:
            await session.post(f"http://{host}:{port}/", data=b"{}")
    blocked = find_blocked(excinfo.value)
    assert blocked is not None and blocked.reason == "loopback"
    # The caller sees why, not just "failed"; but never what a name resolved to.
    expected = (
        "127.0.0.1 is a loopback address"
        if host == "127.0.0.1"
        else "localhost does not resolve to a public address"
    )
    assert expected in str(excinfo.value)
    assert host == "127.0.0.1" or "127.0.0.1" not in str(excinfo.value)
    assert seen == []


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
async def test_unguarded_connector_reaches_receiver(
    receiver: tuple[int, list[web.Request]], host: str
) -> None:
    # Control for the test above: the receiver is reachable when private targets are allowed.
    port, seen = receiver
    async with (
        aiohttp.ClientSession(connector=guarded_connector(allow_private=True)) as session,
        session.post(f"http://{host}:{port}/", data=b"{}") as response,
    ):
        assert response.status == 200
    assert len(seen) == 1


def test_find_blocked_ignores_other_errors() -> None:
    assert find_blocked(ConnectionRefusedError(111, "refused")) is None
    assert find_blocked(None) is None
