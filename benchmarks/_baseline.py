"""Run a benchmark script on an older commit, checked out into a temporary git worktree."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: The commit the benchmarks compare with by default: main before this round of issues
#: (the scoring registry, the shared audit context, the light map and report).
BASELINE = "67d3b4f"


def run_at(rev: str, script: Path, args: list[str]) -> dict[str, float] | None:
    """
    Run ``script`` with ``args`` on commit ``rev``; return the JSON it printed last.

    The commit is checked out into a temporary worktree and run by the same interpreter
    with that tree's ``src`` first on the path, so both sides share the machine and the
    installed dependencies. The script is called with ``--against "" --json`` and must
    print its figures as one JSON line. Returns None (and says why) when it cannot run.
    """
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "before"
        made = subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), rev],
            capture_output=True,
            text=True,
        )
        if made.returncode:
            print(f"(no comparison: cannot check out {rev}: {made.stderr.strip()})")
            return None
        try:
            env = {**os.environ, "PYTHONPATH": str(tree / "src")}
            out = subprocess.run(
                [sys.executable, str(Path(script).resolve()), *args, "--against", "", "--json"],
                env=env, capture_output=True, text=True, cwd=tree, check=False,
            )  # fmt: skip
            lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
            if not lines:
                print(f"(no comparison: the run on {rev} failed)\n{out.stderr[-2000:]}")
                return None
            return json.loads(lines[-1])
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
                capture_output=True,
                check=False,
            )
