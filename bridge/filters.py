"""Does an event pass a webhook's record filters? A pure function of the event's values."""

from typing import Any

from models.rows import record_todo


def record_values(previous: Any, current: Any) -> dict[str, set[str]]:
    """The ids an event's record carries, before and after the change."""
    values: dict[str, set[str]] = {
        "todoListIds": set(),
        "tagIds": set(),
        "assigneeIds": set(),
        "customFieldIds": set(),
    }
    for value in (previous, current):
        if not isinstance(value, dict):
            continue
        todo = record_todo(value)
        if todo is not None:
            values["todoListIds"].add(todo["todoListId"])
            values["tagIds"].update(t["tagId"] for t in todo["todoTags"])
            values["assigneeIds"].update(u["userId"] for u in todo["todoUsers"])
            values["customFieldIds"].update(c["customFieldId"] for c in todo["todoCustomFields"])
        values["assigneeIds"].update(u["userId"] for u in value.get("checklistItemUsers", []))
        if "todoList" not in value and "projectId" in value:
            # A list, tag or custom field event: the record is the entity itself.
            if "customFieldOptions" in value:
                values["customFieldIds"].add(value["id"])
            elif "color" in value:
                values["tagIds"].add(value["id"])
            elif "project" in value and "title" in value:
                values["todoListIds"].add(value["id"])
    return values


def passes(filters: dict[str, list[str]] | None, previous: Any, current: Any) -> bool:
    """AND across the given lists, OR within one."""
    if not filters:
        return True
    values = record_values(previous, current)
    return all(values.get(key, set()) & set(ids) for key, ids in filters.items() if ids)
