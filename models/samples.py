"""Example values for every event type, in exactly the row shapes real events carry.

Built from unsaved model instances passed through models.rows, so a sample can never drift
from what a real delivery of the same event contains.
"""

from datetime import UTC, datetime
from typing import Any

from models import rows
from models.accounts import Company
from models.event_types import EventType as E
from models.tracker import (
    Checklist,
    ChecklistItem,
    Comment,
    CustomField,
    CustomFieldOption,
    CustomFieldType,
    Project,
    Tag,
    Todo,
    TodoCustomField,
    TodoList,
)

WHEN = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
USER = "sample-user"
USER_NAME, USER_EMAIL = "Ada Lovelace", "ada@example.com"
COMPANY_NAME, PROJECT_NAME = "Acme", "Web"


def _stamp(**fields: Any) -> dict[str, Any]:
    return {"created_at": WHEN, "updated_at": WHEN, **fields}


def _project() -> rows.Row:
    company = Company(id="sample-company", name=COMPANY_NAME, slug="acme", created_at=WHEN)
    project = Project(
        id="sample-project", company_id=company.id, name=PROJECT_NAME, slug="web", **_stamp()
    )
    return rows.project_row(project, company)


def _todo_list(title: str = "Backlog") -> rows.Row:
    todo_list = TodoList(
        id="sample-todo-list",
        project_id="sample-project",
        title=title,
        position=1.0,
        created_by_id=USER,
        **_stamp(),
    )
    return rows.todo_list_row(todo_list, _project())


def _todo(**changes: Any) -> rows.Row:
    links = changes.pop("links", {})
    fields = {
        "id": "sample-todo",
        "todo_list_id": "sample-todo-list",
        "title": "Write the launch post",
        "text": "Draft and review",
        "html": "<p>Draft and review</p>",
        "position": 1.0,
        "done": False,
        "started_at": None,
        "dued_at": None,
        "created_by_id": USER,
        **_stamp(),
    }
    fields.update(changes)
    value = TodoCustomField(
        id="sample-todo-custom-field",
        todo_id="sample-todo",
        custom_field_id="sample-field",
        text=None,
        number=None,
        checked=None,
        custom_field_option_id="sample-option",
        updated_at=WHEN,
    )
    named = rows.FieldValue(value, "Priority", str(CustomFieldType.SELECT_SINGLE), "High")
    return rows.todo_row(
        Todo(**fields),
        _todo_list(),
        [rows.Assignee("sample-todo-user", USER, USER_NAME, USER_EMAIL)]
        if links.get("user")
        else [],
        [rows.Tagging("sample-todo-tag", "sample-tag", "urgent", "red")]
        if links.get("tag")
        else [],
        [named] if links.get("custom") else [],
    )


def _tag(title: str = "urgent") -> rows.Row:
    tag = Tag(id="sample-tag", project_id="sample-project", title=title, color="red", **_stamp())
    return rows.tag_row(tag, _project())


def _field(name: str = "Priority") -> rows.Row:
    field = CustomField(
        id="sample-field",
        project_id="sample-project",
        name=name,
        type=CustomFieldType.SELECT_SINGLE,
        description="",
        **_stamp(),
    )
    option = CustomFieldOption(
        id="sample-option", custom_field_id="sample-field", title="High", color="red", position=0
    )
    return rows.custom_field_row(field, [option], _project())


def _checklist(title: str = "Before launch") -> rows.Row:
    checklist = Checklist(
        id="sample-checklist", todo_id="sample-todo", title=title, position=1.0, **_stamp()
    )
    return rows.checklist_row(checklist, _todo())


def _item(**changes: Any) -> rows.Row:
    assigned = changes.pop("assigned", False)
    fields = {
        "id": "sample-item",
        "checklist_id": "sample-checklist",
        "title": "Proofread",
        "position": 1.0,
        "done": False,
        "started_at": None,
        "dued_at": None,
        **_stamp(),
    }
    fields.update(changes)
    users = [rows.Assignee("sample-item-user", USER, USER_NAME, USER_EMAIL)] if assigned else []
    return rows.checklist_item_row(ChecklistItem(**fields), users, _checklist())


def _comment(text: str = "Looks good") -> rows.Row:
    comment = Comment(
        id="sample-comment",
        todo_id="sample-todo",
        user_id=USER,
        html=f"<p>{text}</p>",
        text=text,
        **_stamp(),
    )
    return rows.comment_row(comment, _todo())


DUE = datetime(2026, 2, 1, tzinfo=UTC)
LATER = datetime(2026, 3, 1, tzinfo=UTC)


def sample_values(event: str) -> tuple[rows.Row | None, rows.Row | None]:
    """(previousValue, currentValue) of a plausible event of this type."""
    pairs: dict[str, tuple[Any, Any]] = {
        E.TODO_CREATED: (None, _todo()),
        E.TODO_DELETED: (_todo(), None),
        E.TODO_MOVED: (_todo(position=1.0), _todo(position=2.0)),
        E.TODO_NAME_CHANGED: (_todo(title="Draft"), _todo()),
        E.TODO_DONE_STATUS_UPDATED: (_todo(), _todo(done=True)),
        E.TODO_DUE_DATE_ADDED: (_todo(), _todo(dued_at=DUE)),
        E.TODO_DUE_DATE_UPDATED: (_todo(dued_at=DUE), _todo(dued_at=LATER)),
        E.TODO_DUE_DATE_REMOVED: (_todo(dued_at=DUE), _todo()),
        E.TODO_ASSIGNEE_ADDED: (_todo(), _todo(links={"user": True})),
        E.TODO_ASSIGNEE_REMOVED: (_todo(links={"user": True}), _todo()),
        E.TODO_TAG_ADDED: (_todo(), _todo(links={"tag": True})),
        E.TODO_TAG_REMOVED: (_todo(links={"tag": True}), _todo()),
        E.TODO_CUSTOM_FIELD_UPDATED: (_todo(), _todo(links={"custom": True})),
        E.TODO_CHECKLIST_CREATED: (None, _checklist()),
        E.TODO_CHECKLIST_NAME_CHANGED: (_checklist("Launch"), _checklist()),
        E.TODO_CHECKLIST_DELETED: (_checklist(), None),
        E.TODO_CHECKLIST_ITEM_CREATED: (None, _item()),
        E.TODO_CHECKLIST_ITEM_NAME_CHANGED: (_item(title="Proof"), _item()),
        E.TODO_CHECKLIST_ITEM_DELETED: (_item(), None),
        E.TODO_CHECKLIST_ITEM_DUE_DATE_ADDED: (_item(), _item(dued_at=DUE)),
        E.TODO_CHECKLIST_ITEM_DUE_DATE_UPDATED: (_item(dued_at=DUE), _item(dued_at=LATER)),
        E.TODO_CHECKLIST_ITEM_DUE_DATE_REMOVED: (_item(dued_at=DUE), _item()),
        E.TODO_CHECKLIST_ITEM_ASSIGNEE_ADDED: (_item(), _item(assigned=True)),
        E.TODO_CHECKLIST_ITEM_ASSIGNEE_REMOVED: (_item(assigned=True), _item()),
        E.TODO_CHECKLIST_ITEM_DONE_STATUS_UPDATED: (_item(), _item(done=True)),
        E.TODO_LIST_CREATED: (None, _todo_list()),
        E.TODO_LIST_DELETED: (_todo_list(), None),
        E.TODO_LIST_NAME_CHANGED: (_todo_list("Ideas"), _todo_list()),
        E.CUSTOM_FIELD_CREATED: (None, _field()),
        E.CUSTOM_FIELD_DELETED: (_field(), None),
        E.CUSTOM_FIELD_UPDATED: (_field("Prio"), _field()),
        E.TAG_CREATED: (None, _tag()),
        E.TAG_DELETED: (_tag(), None),
        E.TAG_UPDATED: (_tag("soon"), _tag()),
        E.COMMENT_CREATED: (None, _comment()),
        E.COMMENT_DELETED: (_comment(), None),
        E.COMMENT_UPDATED: (_comment("Looks ok"), _comment()),
    }
    return pairs[event]


def sample_webhook() -> Any:
    from models.webhooks import Webhook, WebhookStatus

    return Webhook(
        id="sample-webhook",
        uid="sample-webhook-uid",
        company_id="sample-company",
        created_by_id=USER,
        name="Sample",
        url="https://example.com/hooks",
        secret="",
        status=WebhookStatus.HEALTHY,
        events=[],
        project_ids=[],
        filters=None,
        enabled=True,
        consecutive_failures=0,
        last_delivery_at=None,
        last_failure_at=None,
        disabled_reason=None,
        **_stamp(),
    )


def sample_body(event: str, webhook: rows.Row | None = None) -> rows.Row:
    """The body a delivery of `event` carries, with example values (same builder as real ones)."""
    from events.log import EventNames
    from models.payload import event_body

    previous, current = sample_values(event)
    return event_body(
        event=event,
        webhook=webhook or rows.webhook_row(sample_webhook()),
        previous=previous,
        current=current,
        company_id="sample-company",
        project_id="sample-project",
        user_id=USER,
        names=EventNames(COMPANY_NAME, PROJECT_NAME, USER_NAME, USER_EMAIL),
        event_id="0",
        created_at=rows.iso(WHEN),
    )
