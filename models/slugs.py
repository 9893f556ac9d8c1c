"""URL-friendly slugs for company and project names."""

import re

from models.ids import new_id


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug[:60] or "x"


def unique_slug(name: str, taken: set[str]) -> str:
    slug = slugify(name)
    return slug if slug not in taken else f"{slug}-{new_id()[-6:]}"
