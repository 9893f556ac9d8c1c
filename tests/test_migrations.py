"""The committed migrations match the models (run `make migrations` after changing a model)."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_models_and_migrations_agree(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "models", tmp_path / "models")
    result = subprocess.run(
        [sys.executable, "-m", "tortoise", "-c", "models.db.TORTOISE_ORM", "makemigrations"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout, (
        "models changed without a migration: run `make migrations` and commit it\n" + result.stdout
    )
