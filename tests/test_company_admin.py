"""Company administration: removeCompanyMember, User.companies, and what becomes of a leaver's
webhooks (issue 10, defect 6): disabled with a reason when their creator loses the access they
need, no longer counted toward the cap, no longer usable by the leaver; the company's owners and
admins see, disable, delete or take over every webhook of the company."""

import uuid
from typing import Any

from hookline.accounts import token_for
from models.accounts import CompanyLevel, CompanyUser
from models.tracker import ProjectUser
from models.webhooks import Delivery, Webhook
from resolvers.webhook_rules import ORPHANED
from tests.barriers import bridge_settled
from tests.conftest import Account, Client, new_account
from tests.receiver import Receiver
from tests.tracker import ADD_MEMBER, CREATE, LIST, READ, UPDATE, Tracker, create

REMOVE_COMPANY_MEMBER = (
    "mutation($c:String!,$u:String!)"
    "{removeCompanyMember(input:{companyId:$c,userId:$u}){success operationId}}"
)
REMOVE_PROJECT_MEMBER = (
    "mutation($p:String!,$u:String!){removeProjectMember(input:{projectId:$p,userId:$u}){success}}"
)
COMPANIES = "{currentUser{id companies{id name slug role}}}"
TEST = "mutation($w:String!){testWebhook(input:{webhookId:$w}){id status}}"
REDELIVER = "mutation($d:String!){redeliverWebhookDelivery(input:{deliveryId:$d}){id}}"
DISABLE = "mutation($w:String!){disableWebhook(input:{webhookId:$w}){success}}"
DELETE = "mutation($w:String!){deleteWebhook(input:{webhookId:$w}){success}}"


async def join(gql: Client, owner: Account, level: str, project_id: str | None = None) -> Client:
    """Someone added to a project of the owner's company, with a token, naming the company."""
    email = f"{level.lower()}-{uuid.uuid4().hex[:8]}@acme.test"
    await gql(ADD_MEMBER, {"p": project_id or owner.project_id, "e": email, "l": level})
    return Client(gql.http, (await token_for(email))["token"], owner.company_id)


async def user_id(client: Client) -> str:
    return (await client("{currentUser{id}}"))["currentUser"]["id"]


async def test_remove_company_member_takes_every_project_with_it(
    gql: Client, owner: Account
) -> None:
    ops = (
        await gql(
            'mutation($c:String!){createProject(input:{companyId:$c,name:"Ops"}){id}}',
            {"c": owner.company_id},
        )
    )["createProject"]["id"]
    leaver = await join(gql, owner, "MEMBER")
    leaver_id = await user_id(leaver)
    await ProjectUser.create(project_id=ops, user_id=leaver_id, level="MEMBER")
    assert [c["role"] for c in (await leaver(COMPANIES))["currentUser"]["companies"]] == ["MEMBER"]
    done = await gql(REMOVE_COMPANY_MEMBER, {"c": owner.company_id, "u": leaver_id})
    assert done["removeCompanyMember"] == {"success": True, "operationId": leaver_id}
    assert not await ProjectUser.filter(user_id=leaver_id).exists()
    assert not await CompanyUser.filter(user_id=leaver_id).exists()
    assert (await leaver(COMPANIES))["currentUser"]["companies"] == []
    # No longer in the company: its project is as unknown to them as a missing one.
    error = await leaver.error("query($p:String!){project(id:$p){id}}", {"p": ops})
    assert error["extensions"]["code"] == "PROJECT_NOT_FOUND"


async def test_who_may_remove_whom(gql: Client, owner: Account) -> None:
    member = await join(gql, owner, "MEMBER")
    admin = await join(gql, owner, "ADMIN")
    admin_id, member_id = await user_id(admin), await user_id(member)
    await CompanyUser.filter(user_id=admin_id, company_id=owner.company_id).update(
        level=CompanyLevel.ADMIN
    )
    cases = [
        (member, admin_id, "FORBIDDEN"),  # a MEMBER removes no one
        (admin, owner.user_id, "FORBIDDEN"),  # an ADMIN does not remove an OWNER
        (gql, owner.user_id, "BAD_USER_INPUT"),  # the last owner stays
        (gql, "nobody", "BAD_USER_INPUT"),
    ]
    for caller, target, code in cases:
        error = await caller.error(REMOVE_COMPANY_MEMBER, {"c": owner.company_id, "u": target})
        assert error["extensions"]["code"] == code, (target, error)
    assert await CompanyUser.filter(company_id=owner.company_id).count() == 3
    await admin(REMOVE_COMPANY_MEMBER, {"c": owner.company_id, "u": member_id})
    assert await CompanyUser.filter(company_id=owner.company_id).count() == 2


async def test_companies_of_a_user_show_only_what_the_caller_shares(
    gql: Client, owner: Account
) -> None:
    mine = (await gql(COMPANIES))["currentUser"]["companies"]
    [company] = mine
    assert (company["id"], company["role"]) == (owner.company_id, "OWNER")
    assert company["slug"] and company["name"] == "Acme"
    # Someone who also works for Globex: adding them to a project tells nothing about it.
    elsewhere = await new_account("Globex")
    email = (await Client(gql.http, elsewhere.token)("{currentUser{email}}"))["currentUser"][
        "email"
    ]
    added = await gql(
        "mutation($p:String!,$e:String!){addProjectMember(input:{projectId:$p,email:$e,"
        "level:MEMBER}){id companies{id role}}}",
        {"p": owner.project_id, "e": email},
    )
    assert added["addProjectMember"]["companies"] == [{"id": owner.company_id, "role": "MEMBER"}]
    theirs = (await Client(gql.http, elsewhere.token)(COMPANIES))["currentUser"]["companies"]
    assert sorted(c["id"] for c in theirs) == sorted([owner.company_id, elsewhere.company_id])


async def project_admin_webhook(
    gql: Client, owner: Account, receiver: Receiver
) -> tuple[Client, str, dict[str, object]]:
    """A project ADMIN (company MEMBER) with a webhook of the project, and one delivery of it."""
    creator = await join(gql, owner, "ADMIN")
    made = await create(creator, receiver.url, projectIds=[owner.project_id])
    tested = (await creator(TEST, {"w": made["id"]}))["testWebhook"]
    return creator, tested["id"], made


async def test_a_removed_project_admins_webhook_is_disabled_and_frees_the_cap(
    gql: Client, owner: Account, receiver: Receiver
) -> None:
    creator, delivery_id, made = await project_admin_webhook(gql, owner, receiver)
    for _ in range(2):  # the cap is 3 in tests: full now
        await create(gql, receiver.url)
    assert (await gql.error(CREATE, {"i": {"url": receiver.url}}))["extensions"]["code"] == (
        "PLAN_LIMIT_REACHED"
    )
    await gql(REMOVE_PROJECT_MEMBER, {"p": owner.project_id, "u": await user_id(creator)})
    stored = await Webhook.get(id=made["id"])
    assert not stored.enabled and stored.disabled_reason == ORPHANED
    assert (await creator(READ, {"w": made["id"]}))["webhook"]["disabledReason"] == ORPHANED
    await create(gql, receiver.url)  # it no longer counts toward the cap
    # Its creator can no longer send with it, nor turn it back on.
    sent = len(receiver.requests)
    for query, variables in [
        (TEST, {"w": made["id"]}),
        (REDELIVER, {"d": delivery_id}),
        (UPDATE, {"i": {"webhookId": made["id"], "enabled": True}}),
    ]:
        error = await creator.error(query, variables)
        assert error["extensions"]["code"] == "FORBIDDEN", query
    assert len(receiver.requests) == sent
    assert await Delivery.filter(webhook_id=made["id"]).count() == 1


async def test_owners_list_disable_and_delete_any_webhook_of_the_company(
    gql: Client, owner: Account, receiver: Receiver
) -> None:
    creator, _, made = await project_admin_webhook(gql, owner, receiver)
    listed = (await gql(LIST))["webhooks"]["items"]
    assert made["id"] in [w["id"] for w in listed]
    assert (await gql(READ, {"w": made["id"]}))["webhook"]["createdById"] == await user_id(creator)
    assert (await gql(DISABLE, {"w": made["id"]}))["disableWebhook"]["success"]
    disabled = await Webhook.get(id=made["id"])
    assert not disabled.enabled and disabled.disabled_reason == "Disabled by a company admin"
    # Changing it stays its creator's while they hold its access.
    error = await gql.error(UPDATE, {"i": {"webhookId": made["id"], "name": "mine now"}})
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert (await gql(DELETE, {"w": made["id"]}))["deleteWebhook"]["success"]
    assert not await Webhook.filter(id=made["id"]).exists()
    # A member who is neither its creator nor a company admin sees none of it.
    other = await create(creator, receiver.url, projectIds=[owner.project_id])
    bystander = await join(gql, owner, "ADMIN")
    assert (await bystander.error(READ, {"w": other["id"]}))["extensions"]["code"] == "FORBIDDEN"
    assert (await bystander(LIST))["webhooks"]["pageInfo"]["totalItems"] == 0


async def test_an_owner_takes_over_a_leavers_webhook(
    gql: Client, owner: Account, receiver: Receiver
) -> None:
    creator, _, made = await project_admin_webhook(gql, owner, receiver)
    await gql(REMOVE_COMPANY_MEMBER, {"c": owner.company_id, "u": await user_id(creator)})
    assert (await creator.error(READ, {"w": made["id"]}))["extensions"]["code"] == (
        "WEBHOOK_NOT_FOUND"
    )
    taken = (await gql(UPDATE, {"i": {"webhookId": made["id"], "enabled": True}}))["updateWebhook"]
    assert taken["createdById"] == owner.user_id
    assert taken["enabled"] is True and taken["disabledReason"] is None  # health check passed


async def test_a_demoted_creators_webhook_is_disabled(
    gql: Client, owner: Account, receiver: Receiver
) -> None:
    creator, _, made = await project_admin_webhook(gql, owner, receiver)
    owners = await create(gql, receiver.url, projectIds=[owner.project_id])
    email = (await creator("{currentUser{email}}"))["currentUser"]["email"]
    await gql(ADD_MEMBER, {"p": owner.project_id, "e": email, "l": "MEMBER"})
    stored = await Webhook.get(id=made["id"])
    assert not stored.enabled and stored.disabled_reason == ORPHANED
    assert (await Webhook.get(id=owners["id"])).enabled  # its creator still has the access


async def test_a_retired_webhook_gets_no_event_after_its_creator_is_demoted(
    app: Any, gql: Client, owner: Account, receiver: Receiver
) -> None:
    """The leaver rule disabled the webhook, but the change it announced named no webhook: the
    bridge's index read who may see what again and kept the disabled webhook as a target, and
    sent it events (its body saying enabled: true) until the index's full reload."""
    creator = await join(gql, owner, "ADMIN")
    theirs = await create(
        creator, receiver.url, events=["TODO_LIST_CREATED"], projectIds=[owner.project_id]
    )
    ours_receiver = await Receiver().start()
    try:
        await create(gql, ours_receiver.url, events=["TODO_LIST_CREATED"])
        tracker = Tracker(gql, owner.project_id)
        await tracker.todo_list("before")
        await receiver.wait_for(1)  # the bridge's index holds both webhooks now
        email = (await creator("{currentUser{email}}"))["currentUser"]["email"]
        await gql(ADD_MEMBER, {"p": owner.project_id, "e": email, "l": "MEMBER"})
        assert not (await Webhook.get(id=theirs["id"])).enabled
        await tracker.todo_list("after")
        await ours_receiver.wait_for(2)
        await bridge_settled(app)
    finally:
        await ours_receiver.stop()
    titles = [r.json["currentValue"]["title"] for r in receiver.requests]
    assert titles == ["before"]
