"""Render the README's pictures with schemadiff itself: the HTML report (``infer --format
html``) of the goose incident and of ``fixtures/damaged_goose``, written to docs/ and
screenshotted in headless Chromium (Debian's ``chromium``), and their pull-request comments
(``infer --format markdown``).

    python docs/make_pictures.py            # from the repository root, with schemadiff installed
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
CASES = {
    "incident": ("fixtures/incident_goose", "fixtures/incident_goose", 1250),
    "damaged": ("fixtures/damaged_goose/migrations", "fixtures/damaged_goose", 1750),
}


def schemadiff(*args: str) -> str:
    proc = subprocess.run([sys.executable, "-m", "schemadiff", *args], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    if proc.returncode not in (0, 1):
        sys.exit(f"schemadiff {' '.join(args)} failed:\n{proc.stderr}")
    return proc.stdout


def screenshot(page: Path, png: Path, height: int) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("no chromium: apt-get install -y chromium")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--no-first-run", "--hide-scrollbars", f"--user-data-dir={profile}",
             f"--window-size=1200,{height}", f"--screenshot={png}", page.as_uri()],
            capture_output=True, check=True, timeout=120,
        )


def main() -> None:
    for case, (migrations, base, height) in CASES.items():
        inputs = ["--migrations", migrations, "--tool", "goose",
                  "--schema-file", f"{base}/actual_schema.sql",
                  "--history-file", f"{base}/recorded_versions.txt"]
        page = DOCS / f"report-{case}.html"
        page.write_text(schemadiff("infer", *inputs, "--format", "html"), encoding="utf-8")
        screenshot(page, DOCS / f"report-{case}.png", height)
        (DOCS / f"pr-comment-{case}.md").write_text(
            schemadiff("infer", *inputs, "--format", "markdown"), encoding="utf-8")
        print(f"wrote docs/report-{case}.html, .png and docs/pr-comment-{case}.md")


if __name__ == "__main__":
    main()
