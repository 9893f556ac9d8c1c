"""The Zapier integration (integrations/zapier/) against a live Hookline: `hookline serve` in a
subprocess, then the app's own tests (`npm test`: zapier-platform-core's app tester, node's test
runner) subscribe, receive a real delivery, list recent events and unsubscribe through it."""

import asyncio
import os
import shutil
from pathlib import Path

import pytest

from tests.servers import HooklineProcess, hookline_cli

APP = Path(__file__).parent.parent / "integrations" / "zapier"


async def test_the_zapier_app_passes_its_tests_against_a_live_server(tmp_path: Path) -> None:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node and npm are not installed (the Zapier app is a node package)")
    if not (APP / "node_modules" / "zapier-platform-core").is_dir():
        pytest.skip(
            "the Zapier app's packages are not installed: run `npm ci` in integrations/zapier"
        )
    env = {
        "HOOKLINE_DATABASE_URL": f"sqlite://{tmp_path / 'hookline.db'}",
        # The test's target URL (Zapier's hooks.zapier.com stand-in) listens on 127.0.0.1.
        "HOOKLINE_ALLOW_PRIVATE_URLS": "1",
    }
    made = await hookline_cli(
        ["bootstrap", "--company", "Zapier", "--email", "z@zapier.test", "--project", "Web"], env
    )
    async with HooklineProcess(env, tmp_path / "serve.log", args=("serve",)) as server:
        process = await asyncio.create_subprocess_exec(
            npm,
            "test",
            cwd=APP,
            env={
                **os.environ,
                "HOOKLINE_URL": server.url,
                "HOOKLINE_TOKEN": str(made["token"]),
                "HOOKLINE_PROJECT_ID": str(made["projectId"]),
            },
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        out, _ = await asyncio.wait_for(process.communicate(), 110)
    report = "\n".join(
        line for line in out.decode().splitlines() if "ZID" not in line and "RSSMEM" not in line
    )
    assert process.returncode == 0, report
    assert "# fail 0" in report and "# skipped 0" in report, report
