"""The README links only into the repository, every relative link resolves, and the operator
page lists every setting."""

import re
from pathlib import Path

import pytest

from hookline.settings import VARIABLES

ROOT = Path(__file__).parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")


def links(page: Path) -> list[str]:
    text = re.sub(r"^```.*?^```", "", page.read_text(), flags=re.MULTILINE | re.DOTALL)
    return LINK.findall(text)


def test_the_readme_links_only_to_files_in_the_repository() -> None:
    outside = [link for link in links(ROOT / "README.md") if re.match(r"^[a-z]+:", link)]
    assert outside == []


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_relative_links_resolve(page: Path) -> None:
    for link in links(page):
        if re.match(r"^[a-z]+:", link) or link.startswith("#"):
            continue
        target = (page.parent / link.split("#", 1)[0]).resolve()
        assert target.exists() and ROOT in target.parents, f"{page.name}: {link}"


def test_operations_page_lists_every_setting() -> None:
    text = (ROOT / "docs" / "operations.md").read_text()
    missing = [name for name, _, _ in VARIABLES if f"`{name}`" not in text]
    assert missing == []
