"""The 37 subscribable event types (API.md §3), and which stream each belongs to."""

from enum import StrEnum


class EventType(StrEnum):
    TODO_CREATED = "TODO_CREATED"
    TODO_DELETED = "TODO_DELETED"
    TODO_MOVED = "TODO_MOVED"
    TODO_NAME_CHANGED = "TODO_NAME_CHANGED"
    TODO_DONE_STATUS_UPDATED = "TODO_DONE_STATUS_UPDATED"
    TODO_DUE_DATE_ADDED = "TODO_DUE_DATE_ADDED"
    TODO_DUE_DATE_UPDATED = "TODO_DUE_DATE_UPDATED"
    TODO_DUE_DATE_REMOVED = "TODO_DUE_DATE_REMOVED"
    TODO_ASSIGNEE_ADDED = "TODO_ASSIGNEE_ADDED"
    TODO_ASSIGNEE_REMOVED = "TODO_ASSIGNEE_REMOVED"
    TODO_TAG_ADDED = "TODO_TAG_ADDED"
    TODO_TAG_REMOVED = "TODO_TAG_REMOVED"
    TODO_CUSTOM_FIELD_UPDATED = "TODO_CUSTOM_FIELD_UPDATED"
    TODO_CHECKLIST_CREATED = "TODO_CHECKLIST_CREATED"
    TODO_CHECKLIST_NAME_CHANGED = "TODO_CHECKLIST_NAME_CHANGED"
    TODO_CHECKLIST_DELETED = "TODO_CHECKLIST_DELETED"
    TODO_CHECKLIST_ITEM_CREATED = "TODO_CHECKLIST_ITEM_CREATED"
    TODO_CHECKLIST_ITEM_NAME_CHANGED = "TODO_CHECKLIST_ITEM_NAME_CHANGED"
    TODO_CHECKLIST_ITEM_DELETED = "TODO_CHECKLIST_ITEM_DELETED"
    TODO_CHECKLIST_ITEM_DUE_DATE_ADDED = "TODO_CHECKLIST_ITEM_DUE_DATE_ADDED"
    TODO_CHECKLIST_ITEM_DUE_DATE_UPDATED = "TODO_CHECKLIST_ITEM_DUE_DATE_UPDATED"
    TODO_CHECKLIST_ITEM_DUE_DATE_REMOVED = "TODO_CHECKLIST_ITEM_DUE_DATE_REMOVED"
    TODO_CHECKLIST_ITEM_ASSIGNEE_ADDED = "TODO_CHECKLIST_ITEM_ASSIGNEE_ADDED"
    TODO_CHECKLIST_ITEM_ASSIGNEE_REMOVED = "TODO_CHECKLIST_ITEM_ASSIGNEE_REMOVED"
    TODO_CHECKLIST_ITEM_DONE_STATUS_UPDATED = "TODO_CHECKLIST_ITEM_DONE_STATUS_UPDATED"
    TODO_LIST_CREATED = "TODO_LIST_CREATED"
    TODO_LIST_DELETED = "TODO_LIST_DELETED"
    TODO_LIST_NAME_CHANGED = "TODO_LIST_NAME_CHANGED"
    CUSTOM_FIELD_CREATED = "CUSTOM_FIELD_CREATED"
    CUSTOM_FIELD_DELETED = "CUSTOM_FIELD_DELETED"
    CUSTOM_FIELD_UPDATED = "CUSTOM_FIELD_UPDATED"
    TAG_CREATED = "TAG_CREATED"
    TAG_DELETED = "TAG_DELETED"
    TAG_UPDATED = "TAG_UPDATED"
    COMMENT_CREATED = "COMMENT_CREATED"
    COMMENT_DELETED = "COMMENT_DELETED"
    COMMENT_UPDATED = "COMMENT_UPDATED"


# What each event means, for people: the GraphQL docs of WebhookEvent show these.
DESCRIPTIONS: dict[EventType, str] = {
    EventType.TODO_CREATED: "A todo was created.",
    EventType.TODO_DELETED: "A todo was deleted.",
    EventType.TODO_MOVED: "A todo moved to another list or position.",
    EventType.TODO_NAME_CHANGED: "A todo's title changed.",
    EventType.TODO_DONE_STATUS_UPDATED: "A todo was marked done or not done.",
    EventType.TODO_DUE_DATE_ADDED: "A todo got a start or due date where it had none.",
    EventType.TODO_DUE_DATE_UPDATED: "A todo's start or due date changed.",
    EventType.TODO_DUE_DATE_REMOVED: "A todo's dates were cleared.",
    EventType.TODO_ASSIGNEE_ADDED: "A user was assigned to a todo (one event per user).",
    EventType.TODO_ASSIGNEE_REMOVED: "A user was unassigned from a todo (one event per user).",
    EventType.TODO_TAG_ADDED: "A tag was put on a todo (one event per tag).",
    EventType.TODO_TAG_REMOVED: "A tag was taken off a todo (one event per tag).",
    EventType.TODO_CUSTOM_FIELD_UPDATED: "A todo's value of a custom field was set or changed.",
    EventType.TODO_CHECKLIST_CREATED: "A checklist was added to a todo.",
    EventType.TODO_CHECKLIST_NAME_CHANGED: "A checklist's title changed.",
    EventType.TODO_CHECKLIST_DELETED: "A checklist was deleted.",
    EventType.TODO_CHECKLIST_ITEM_CREATED: "An item was added to a checklist.",
    EventType.TODO_CHECKLIST_ITEM_NAME_CHANGED: "A checklist item's title changed.",
    EventType.TODO_CHECKLIST_ITEM_DELETED: "A checklist item was deleted.",
    EventType.TODO_CHECKLIST_ITEM_DUE_DATE_ADDED: "A checklist item got dates where it had none.",
    EventType.TODO_CHECKLIST_ITEM_DUE_DATE_UPDATED: "A checklist item's dates changed.",
    EventType.TODO_CHECKLIST_ITEM_DUE_DATE_REMOVED: "A checklist item's dates were cleared.",
    EventType.TODO_CHECKLIST_ITEM_ASSIGNEE_ADDED: "A user was assigned to a checklist item.",
    EventType.TODO_CHECKLIST_ITEM_ASSIGNEE_REMOVED: "A user was unassigned from a checklist item.",
    EventType.TODO_CHECKLIST_ITEM_DONE_STATUS_UPDATED: "A checklist item was marked done or not.",
    EventType.TODO_LIST_CREATED: "A todo list was created.",
    EventType.TODO_LIST_DELETED: "A todo list was deleted.",
    EventType.TODO_LIST_NAME_CHANGED: "A todo list's title changed.",
    EventType.CUSTOM_FIELD_CREATED: "A custom field was added to a project.",
    EventType.CUSTOM_FIELD_DELETED: "A custom field was deleted.",
    EventType.CUSTOM_FIELD_UPDATED: "A custom field's name, description or options changed.",
    EventType.TAG_CREATED: "A tag was created.",
    EventType.TAG_DELETED: "A tag was deleted.",
    EventType.TAG_UPDATED: "A tag's title or colour changed.",
    EventType.COMMENT_CREATED: "A comment was written on a todo.",
    EventType.COMMENT_DELETED: "A comment was deleted.",
    EventType.COMMENT_UPDATED: "A comment was edited.",
}

HEALTH_CHECK = "WEBHOOK_HEALTH_CHECK"

TODO_STREAM = frozenset(
    e for e in EventType if e.startswith("TODO_") and not e.startswith("TODO_LIST_")
)
COMMENT_STREAM = frozenset(e for e in EventType if e.startswith("COMMENT_"))
TODO_LIST_STREAM = frozenset(e for e in EventType if e.startswith("TODO_LIST_"))
