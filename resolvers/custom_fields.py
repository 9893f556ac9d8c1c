"""Custom fields of a project and their options."""

from typing import Annotated

import strawberry
from strawberry.types import Info

from models import snapshots
from models.event_types import EventType as E
from models.tracker import CustomField as CustomFieldRow
from models.tracker import CustomFieldOption, CustomFieldType
from resolvers import lookup, validate
from resolvers.authz import require_project
from resolvers.emit import change, current
from schema.domain import CustomField, MutationResult
from schema.errors import BadUserInput
from schema.inputs import CreateCustomFieldInput, CreateCustomFieldOptionInput, EditCustomFieldInput
from schema.paging import MAX_TAKE, page, skipping, taking


@strawberry.type
class CustomFieldQuery:
    @strawberry.field(description="The custom fields of a project, in name order.")
    async def custom_fields(
        self,
        info: Info,
        project_id: Annotated[str, strawberry.argument(description="The project's id.")],
        skip: skipping("custom fields") = 0,
        take: taking("custom fields") = MAX_TAKE,
    ) -> list[CustomField]:
        asked = page(skip, take)
        project = await require_project(info, project_id, "read")
        ids = (
            await CustomFieldRow.filter(project_id=project.id)
            .order_by("name", "id")
            .offset(asked.skip)
            .limit(asked.take)
            .values_list("id", flat=True)
        )
        return [CustomField.from_row(await snapshots.custom_field(i)) for i in ids]


@strawberry.type
class CustomFieldMutation:
    @strawberry.mutation(description="Add a custom field to a project. Emits CUSTOM_FIELD_CREATED.")
    async def create_custom_field(
        self,
        info: Info,
        input: Annotated[
            CreateCustomFieldInput,
            strawberry.argument(description="The project, name, type and description."),
        ],
    ) -> CustomField:
        project = await require_project(info, input.project_id, "admin")
        name = validate.title(input.name, "name", 255)
        description = validate.text(input.description or "", "description", 10_000)
        async with change(info) as changes:
            created = await CustomFieldRow.create(
                project_id=project.id,
                name=name,
                type=CustomFieldType(input.type),
                description=description,
            )
            row = await snapshots.custom_field(created.id)
            changes.emit(E.CUSTOM_FIELD_CREATED, project, None, row)
        return CustomField.from_row(row)

    @strawberry.mutation(
        description="Rename a custom field or change its description. Emits CUSTOM_FIELD_UPDATED."
    )
    async def edit_custom_field(
        self,
        info: Info,
        input: Annotated[
            EditCustomFieldInput, strawberry.argument(description="The field and what to change.")
        ],
    ) -> CustomField:
        found, project = await lookup.custom_field(info, input.custom_field_id, "admin")
        async with change(info) as changes:
            found = await current(found)
            if validate.given(input.name) and input.name is not None:
                found.name = validate.title(input.name, "name", 255)
            if validate.given(input.description) and input.description is not None:
                found.description = validate.text(input.description, "description", 10_000)
            before = await snapshots.custom_field(found.id)
            await found.save()
            after = await snapshots.custom_field(found.id)
            changes.emit(E.CUSTOM_FIELD_UPDATED, project, before, after)
        return CustomField.from_row(after)

    @strawberry.mutation(
        description="Add a choice to a select custom field. Emits CUSTOM_FIELD_UPDATED."
    )
    async def create_custom_field_option(
        self,
        info: Info,
        input: Annotated[
            CreateCustomFieldOptionInput,
            strawberry.argument(description="The field and the option."),
        ],
    ) -> CustomField:
        """Add a choice to a SELECT field; the field's options change, so CUSTOM_FIELD_UPDATED."""
        found, project = await lookup.custom_field(info, input.custom_field_id, "admin")
        if found.type not in (CustomFieldType.SELECT_SINGLE, CustomFieldType.SELECT_MULTI):
            raise BadUserInput("Only SELECT fields have options", field="customFieldId")
        title = validate.title(input.title, max_length=255)
        color = validate.text(input.color or "", "color", 32)
        async with change(info) as changes:
            before = await snapshots.custom_field(found.id)
            position = await CustomFieldOption.filter(custom_field_id=found.id).count()
            await CustomFieldOption.create(
                custom_field_id=found.id, title=title, color=color, position=position
            )
            after = await snapshots.custom_field(found.id)
            changes.emit(E.CUSTOM_FIELD_UPDATED, project, before, after)
        return CustomField.from_row(after)

    @strawberry.mutation(
        description=(
            "Delete a custom field and every todo's value of it. Emits CUSTOM_FIELD_DELETED."
        )
    )
    async def delete_custom_field(
        self,
        info: Info,
        id: Annotated[str, strawberry.argument(description="The custom field's id.")],
    ) -> MutationResult:
        found, project = await lookup.custom_field(info, id, "admin")
        async with change(info) as changes:
            before = await snapshots.custom_field(found.id)
            await found.delete()
            changes.emit(E.CUSTOM_FIELD_DELETED, project, before, None)
        return MutationResult(success=True, operation_id=found.id)
