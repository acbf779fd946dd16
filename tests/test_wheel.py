"""The built wheel carries its models: installed outside the checkout, it reads a scan into the same record.

``make wheel-check`` does the same into a fresh virtual environment with every dependency; this test installs
the wheel alone (``pip install --no-deps --target``) and borrows this environment's dependencies.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from vn_dispatch_parser.ocr.model_files import DIGIT_MODEL_ENV, MODELS_ENV, manifest
from vn_dispatch_parser.pipeline import parse_file

from .conftest import ROOT

SAMPLE = ROOT / "samples" / "cv_004_mild.pdf"

pytestmark = pytest.mark.skipif(shutil.which("tesseract") is None,
                                reason="tesseract not installed: the wheel check reads a scan")


def _setuptools_is_enough() -> bool:
    """Whether this environment's setuptools meets the build requirement (then the build is offline)."""
    import setuptools

    want = re.search(r'"setuptools>=(\d+)', (ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    have = int(setuptools.__version__.split(".")[0])
    return want is None or have >= int(want.group(1))


def _build_wheel(dist: Path) -> Path:
    isolated = not _setuptools_is_enough()
    # sdist first, then the wheel from it (the default): both must carry the models, and no stale build/
    argv = [sys.executable, "-m", "build", "--outdir", str(dist), str(ROOT)]
    proc = subprocess.run(argv if isolated else [*argv, "--no-isolation"], capture_output=True, text=True,
                          timeout=300, check=False)
    if proc.returncode != 0:
        if isolated:  # fetching the build backend from PyPI failed: a machine without the network
            pytest.skip(f"isolated wheel build failed (setuptools here is too old; run make setup): "
                        f"{proc.stderr.strip()[-300:]}")
        pytest.fail(proc.stdout[-2000:] + proc.stderr[-2000:])
    (wheel,) = dist.glob("vn_dispatch_parser-*.whl")
    return wheel


def test_installed_wheel_reads_a_scan_into_the_checkouts_record(tmp_path: Path) -> None:
    wheel = _build_wheel(tmp_path / "dist")
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", "--target",
                    str(site), str(wheel)], check=True, timeout=120)
    assert {p.name for p in (site / "vn_dispatch_parser" / "models").iterdir()} == {
        "MANIFEST", "vie.traineddata", "hw_digits.npz"}

    away = tmp_path / "elsewhere"  # outside the checkout: nothing of it on the path
    away.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in (MODELS_ENV, DIGIT_MODEL_ENV)}
    env["PYTHONPATH"] = str(site)
    where = subprocess.run([sys.executable, "-c", "import vn_dispatch_parser as m; print(m.__file__)"], cwd=away,
                           env=env, capture_output=True, text=True, check=True, timeout=60).stdout.strip()
    assert Path(where).resolve().is_relative_to(site.resolve()), where
    proc = subprocess.run([sys.executable, "-m", "vn_dispatch_parser", "parse", str(SAMPLE)], cwd=away, env=env,
                          capture_output=True, text=True, timeout=180, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    installed = json.loads(proc.stdout)

    checkout = json.loads(parse_file(SAMPLE).model_dump_json())
    assert installed == checkout
    doc = installed["documents"][0]
    assert doc["evidence"]["number"]["rule"] == "handwritten_digits"  # the hand-written number and day
    assert doc["evidence"]["issued_date"]["raw"].startswith("hand-written day")
    assert installed["engine"]["traineddata_sha256"] == manifest()["vie.traineddata"].sha256
    assert installed["engine"]["digits_sha256"] == manifest()["hw_digits.npz"].sha256
