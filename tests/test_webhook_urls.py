"""The URL guard at create/update time, with the guard on (as in production)."""

import ipaddress
from pathlib import Path
from typing import Any

import pytest

from events.bus import LocalBus
from models.webhooks import Webhook
from resolvers.context import Context, Principal, Services, WebhookPolicy
from schema.root import schema
from tests.conftest import Account

CREATE = "mutation($i:CreateWebhookInput!){createWebhook(input:$i){id url}}"
UPDATE = "mutation($i:UpdateWebhookInput!){updateWebhook(input:$i){id url}}"


def loopback_alias() -> str | None:
    """A name other than localhost that this machine's hosts file maps to a loopback address."""
    for line in Path("/etc/hosts").read_text().splitlines():
        fields = line.split("#")[0].split()
        if len(fields) < 2:
            continue
        try:
            loopback = ipaddress.ip_address(fields[0]).is_loopback
        except ValueError:
            continue
        names = [n for n in fields[1:] if "localhost" not in n]
        if loopback and names:
            return names[0]
    return None


async def execute(owner: Account, query: str, variables: dict[str, Any]) -> Any:
    """The schema in-process with the URL guard on, as `hookline serve` runs by default."""
    services = Services(
        announcer=LocalBus(),
        feed=None,
        policy=WebhookPolicy(allow_private_urls=False),  # type: ignore[arg-type]
    )
    context = Context(services=services, principal=Principal(owner.user_id, owner.company_id))
    return await schema.execute(query, variable_values=variables, context_value=context)


BLOCKED = [
    ("http://127.0.0.1/hook", "loopback"),
    ("http://localhost/hook", "loopback"),
    ("http://localhost./hook", "loopback"),
    ("http://[::1]/hook", "loopback"),
    ("http://10.0.0.1/hook", "private"),
    ("http://169.254.169.254/latest/meta-data", "metadata"),
    ("http://[::ffff:127.0.0.1]/hook", "loopback"),
    ("http://100.64.0.1/hook", "CGNAT"),
    ("http://[fd00::1]/hook", "unique local"),
    ("http://0.0.0.0/hook", "unspecified"),
    ("ftp://example.com/hook", "scheme"),
    ("javascript:alert(1)", "scheme"),
]


@pytest.mark.parametrize(("url", "reason"), BLOCKED)
async def test_blocked_urls_are_rejected(owner: Account, url: str, reason: str) -> None:
    result = await execute(owner, CREATE, {"i": {"url": url}})
    [error] = result.errors
    assert error.extensions["code"] == "BAD_USER_INPUT"
    assert reason.lower() in error.message.lower(), error.message
    assert await Webhook.filter(company_id=owner.company_id).count() == 0


async def test_a_hosts_file_name_for_loopback_is_rejected(owner: Account) -> None:
    alias = loopback_alias()
    if alias is None:
        pytest.skip("no loopback alias in /etc/hosts on this machine")
    result = await execute(owner, CREATE, {"i": {"url": f"http://{alias}:8080/hook"}})
    [error] = result.errors
    assert error.extensions["code"] == "BAD_USER_INPUT"
    assert f"'{alias}' does not resolve to a public address" in error.message
    # Issue 10 defect 7: the answer named the address, mapping internal names.
    assert "127." not in error.message and "loopback" not in error.message


@pytest.mark.parametrize(
    "url", [" https://93.184.215.14/hook", "https://93.184.215.14/hook\n", "\thttps://a.example/"]
)
async def test_surrounding_whitespace_is_refused_not_trimmed(owner: Account, url: str) -> None:
    result = await execute(owner, CREATE, {"i": {"url": url}})
    [error] = result.errors
    assert error.extensions["code"] == "BAD_USER_INPUT"
    assert "whitespace" in error.message
    assert await Webhook.filter(company_id=owner.company_id).count() == 0


@pytest.mark.parametrize("port", [22, 25])
async def test_system_ports_are_refused(owner: Account, port: int) -> None:
    result = await execute(owner, CREATE, {"i": {"url": f"http://93.184.215.14:{port}/"}})
    [error] = result.errors
    assert error.extensions["code"] == "BAD_USER_INPUT"
    assert f"port {port}" in error.message
    assert await Webhook.filter(company_id=owner.company_id).count() == 0


async def test_update_is_guarded_too(owner: Account) -> None:
    created = await execute(owner, CREATE, {"i": {"url": "https://93.184.215.14/hook"}})
    assert created.errors is None, created.errors
    webhook_id = created.data["createWebhook"]["id"]
    result = await execute(
        owner, UPDATE, {"i": {"webhookId": webhook_id, "url": "http://10.1.2.3/"}}
    )
    assert result.errors[0].extensions["code"] == "BAD_USER_INPUT"
    assert (await Webhook.get(id=webhook_id)).url == "https://93.184.215.14/hook"
