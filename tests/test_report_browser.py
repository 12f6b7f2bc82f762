"""The HTML page in a real browser (issue 20): headless Chromium (Debian's ``chromium``)
loads each page from a file with the network off, and the test reads the DOM it built and
the pixels it drew. Skipped when no Chromium is installed (``apt-get install -y chromium``).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from report_cases import CASES, cli, document
from schemadiff.report.palette import LOOKS, Cell, cells

CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))
                 if p), None)
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium (apt-get install -y chromium)"),
]


def chromium(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", "--hide-scrollbars", "--enable-logging=stderr", "--v=0",
         f"--user-data-dir={tmp / 'profile'}", *args],
        capture_output=True, text=True, timeout=120, check=False,
    )


@pytest.fixture(params=list(CASES))
def page(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, Path]:
    """``check --format html`` of the case (the infer page with the check section) in a file."""
    case = request.param
    proc = cli("check", *CASES[case], "--format", "html")
    assert proc.returncode == 1, proc.stderr
    path = tmp_path / f"{case}.html"
    path.write_text(proc.stdout, encoding="utf-8")
    return case, path


def test_page_needs_no_network(page: tuple[str, Path]) -> None:
    text = page[1].read_text()
    urls = set(re.findall(r"(?:src|href)\s*=\s*[\"']?([^\"' >]+)", text)) | set(
        re.findall(r"url\(([^)]*)\)", text))
    assert urls <= {"#drift", "#arrow"}, urls
    assert "<script" not in text


def test_dom_holds_the_report(page: tuple[str, Path], tmp_path: Path) -> None:
    case, path = page
    proc = chromium(tmp_path, "--dump-dom", path.as_uri())
    assert proc.returncode == 0, proc.stderr[-2000:]
    dom = proc.stdout
    assert "CONSOLE" not in proc.stderr  # nothing logged by the page
    doc = document("infer", case)
    # one strip cell per version, each with its version
    assert len(re.findall(r'<g class="cell ', dom)) == len(cells(doc))
    for m in doc["migrations"]:
        assert f'data-version="{m["version"]}"' in dom
    for section in ("strip", "findings", "check", "migrations"):
        assert f'id="{section}"' in dom
    assert ">check: <span class=\"fail\">FAILED</span>" in dom
    if case == "damaged":
        assert 'id="graph"' in dom and 'id="drift"' in dom
        assert 'class="node backfill" data-id="12"' in dom
        assert "table public.coupons" in dom and "would create" in dom
        assert '<span class="del">-        NEW.updated_at := clock_timestamp();</span>' in dom
    else:
        assert 'id="graph"' not in dom  # every verdict observed: nothing to explain
        assert "20251224000000 … 20260108000001 (25)" in dom


def test_page_draws(page: tuple[str, Path], tmp_path: Path) -> None:
    """A screenshot shows the palette's colours: the SVG strip and graph were drawn."""
    from PIL import Image

    case, path = page
    shot = tmp_path / "shot.png"
    proc = chromium(tmp_path, "--window-size=1200,1600", f"--screenshot={shot}", path.as_uri())
    assert proc.returncode == 0 and shot.exists(), proc.stderr[-2000:]
    image = Image.open(shot).convert("RGB")
    assert image.size == (1200, 1600)
    colours = {rgb for _, rgb in image.getcolors(maxcolors=1 << 22) or []}
    assert len(colours) > 50  # text, borders, fills: not a blank page

    def rgb(hex_: str) -> tuple[int, int, int]:
        return int(hex_[1:3], 16), int(hex_[3:5], 16), int(hex_[5:7], 16)

    doc = document("infer", case)
    present = {c for _, _, c in cells(doc)} - {Cell.PENDING}  # pending cells are drawn pale
    for cell in present:
        assert rgb(LOOKS[cell].color) in colours, cell
