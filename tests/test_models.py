"""The models ship inside the package, are checked against their MANIFEST, never fall back silently, and
their identities are recorded in each result and in the batch's resume key."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import vn_dispatch_parser
from vn_dispatch_parser.batch.runner import BatchOptions, run_batch
from vn_dispatch_parser.errors import ExitCode, MissingDependencyError
from vn_dispatch_parser.image.digits import read_handwritten_digits
from vn_dispatch_parser.ocr.capi import TessApiEngine
from vn_dispatch_parser.ocr.engine import FakeEngine
from vn_dispatch_parser.ocr.model_files import (
    DIGIT_MODEL_ENV,
    MODELS_ENV,
    digit_model_path,
    engine_identity,
    manifest,
    model_file,
    tessdata_dir,
)
from vn_dispatch_parser.ocr.tesseract import TesseractEngine
from vn_dispatch_parser.pipeline import parse_file

from .conftest import CONG_VAN_TEXT, ROOT

PACKAGE_MODELS = Path(vn_dispatch_parser.__file__).resolve().parent / "models"
SAMPLE = ROOT / "samples" / "cv_004_mild.pdf"
needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed")


@pytest.fixture(autouse=True)
def _no_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MODELS_ENV, raising=False)
    monkeypatch.delenv(DIGIT_MODEL_ENV, raising=False)


def _copy_models(tmp_path: Path) -> Path:
    """A private copy of the package's models folder (the real files are never touched)."""
    copy = tmp_path / "models"
    shutil.copytree(PACKAGE_MODELS, copy)
    return copy


def test_manifest_names_source_version_licence_and_sha256_of_every_model() -> None:
    entries = manifest(PACKAGE_MODELS)
    shipped = {p.name for p in PACKAGE_MODELS.iterdir() if p.name != "MANIFEST"}
    assert set(entries) == shipped == {"vie.traineddata", "hw_digits.npz"}
    for name, e in entries.items():
        assert e.source and e.version and e.licence, name
        assert e.sha256 == hashlib.sha256((PACKAGE_MODELS / name).read_bytes()).hexdigest(), name
    assert entries["vie.traineddata"].licence.startswith("Apache-2.0")
    assert "tessdata_fast" in entries["vie.traineddata"].source
    assert "BSD-3-Clause" in entries["hw_digits.npz"].licence


def test_models_are_read_from_the_package() -> None:
    assert model_file("vie.traineddata") == PACKAGE_MODELS / "vie.traineddata"
    assert tessdata_dir("vie") == PACKAGE_MODELS
    assert digit_model_path() == PACKAGE_MODELS / "hw_digits.npz"
    assert TesseractEngine().tessdata_dir == PACKAGE_MODELS
    # the checkout's top-level models/ is the package's folder, not a second copy
    assert (ROOT / "models").resolve() == PACKAGE_MODELS


def test_languages_the_package_does_not_ship_use_tesseracts_own_data() -> None:
    assert tessdata_dir("osd") is None
    with pytest.raises(MissingDependencyError, match="klingon"):
        tessdata_dir("vie+klingon")  # never vie from the system because another language is asked for


def test_a_missing_digit_model_raises(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = _copy_models(tmp_path)
    (copy / "hw_digits.npz").unlink()
    monkeypatch.setenv(MODELS_ENV, str(copy))
    with pytest.raises(MissingDependencyError, match=r"hw_digits\.npz is missing.*reinstall") as e:
        digit_model_path()
    assert e.value.exit_code == ExitCode.missing_dependency
    with pytest.raises(MissingDependencyError, match="hw_digits"):
        parse_file(SAMPLE)  # raised before any page is read: never a reading without the model
    with pytest.raises(MissingDependencyError):
        read_handwritten_digits(np.full((60, 200), 255, np.uint8))


def test_a_corrupt_traineddata_raises(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = _copy_models(tmp_path)
    (copy / "vie.traineddata").write_bytes(b"version https://git-lfs.github.com/spec/v1\n")  # an LFS pointer
    monkeypatch.setenv(MODELS_ENV, str(copy))
    for make in (lambda: tessdata_dir("vie"), TesseractEngine, TessApiEngine):
        with pytest.raises(MissingDependencyError, match=r"vie\.traineddata is corrupt: its sha256 is"):
            make()


def test_an_explicit_digit_model_is_used_and_recorded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DIGIT_MODEL_ENV, str(tmp_path / "nothing.npz"))
    with pytest.raises(MissingDependencyError, match=DIGIT_MODEL_ENV):
        digit_model_path()
    own = tmp_path / "own.npz"
    own.write_bytes((PACKAGE_MODELS / "hw_digits.npz").read_bytes() + b"\0")  # another file, same weights
    monkeypatch.setenv(DIGIT_MODEL_ENV, str(own))
    assert digit_model_path() == own
    assert engine_identity(FakeEngine()).digits_sha256 == hashlib.sha256(own.read_bytes()).hexdigest()
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a model")
    with pytest.raises(MissingDependencyError, match="digit model cannot be loaded"):
        read_handwritten_digits(np.full((60, 200), 255, np.uint8), model=bad)


def test_engine_identity() -> None:
    fake = engine_identity(FakeEngine())
    assert fake.tesseract is None and fake.traineddata_sha256 is None
    assert fake.digits_sha256 == manifest()["hw_digits.npz"].sha256
    assert engine_identity(FakeEngine(), handwriting=False).digits_sha256 is None


@needs_tesseract
def test_tesseract_identity_names_version_and_traineddata() -> None:
    got = engine_identity(TesseractEngine())
    assert got.tesseract and got.tesseract[0].isdigit()
    assert got.traineddata_sha256 == manifest()["vie.traineddata"].sha256


def test_cli_reports_a_missing_model_as_an_error_not_a_traceback(tmp_path: Path) -> None:
    copy = _copy_models(tmp_path)
    (copy / "vie.traineddata").unlink()
    env = {k: v for k, v in os.environ.items() if k != DIGIT_MODEL_ENV}
    env.update({MODELS_ENV: str(copy), "PYTHONPATH": str(ROOT)})
    proc = subprocess.run([sys.executable, "-m", "vn_dispatch_parser", "parse", str(SAMPLE)], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == ExitCode.missing_dependency, proc.stderr
    assert proc.stdout == ""
    assert proc.stderr.startswith("error: ") and "vie.traineddata is missing" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


@needs_tesseract
def test_batch_redoes_a_result_made_with_other_models(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    shutil.copy(ROOT / "samples" / "draft_016_mild.jpg", src / "scan.jpg")
    (src / "text.txt").write_text(CONG_VAN_TEXT, encoding="utf-8")
    assert run_batch(BatchOptions(inputs=[src], out_dir=out, jobs=1)).ok == 2
    scan_json, text_json = out / "scan.jpg.json", out / "text.txt.json"
    recorded = json.loads(scan_json.read_text(encoding="utf-8"))["engine"]
    assert recorded == engine_identity(TesseractEngine()).model_dump()
    assert json.loads(text_json.read_text(encoding="utf-8"))["engine"] is None  # no OCR for a text input
    report = run_batch(BatchOptions(inputs=[src], out_dir=out, jobs=1))
    assert (report.ok, report.skipped) == (0, 2)

    def other_traineddata(engine: dict) -> None:
        engine["traineddata_sha256"] = "0" * 64

    def other_digit_model(engine: dict) -> None:
        engine["digits_sha256"] = "1" * 64

    for edit in (other_traineddata, other_digit_model, None):  # None: made before identities were recorded
        data = json.loads(scan_json.read_text(encoding="utf-8"))
        if edit is None:
            del data["engine"]
        else:
            edit(data["engine"])
        scan_json.write_text(json.dumps(data), encoding="utf-8")
        report = run_batch(BatchOptions(inputs=[src], out_dir=out, jobs=1))
        assert (report.ok, report.skipped) == (1, 1), edit
        assert json.loads(scan_json.read_text(encoding="utf-8"))["engine"] == recorded
