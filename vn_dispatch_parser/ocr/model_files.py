"""The model files shipped inside the package, found and checked once per process, and their identities.

``vn_dispatch_parser/models/`` (package data; the checkout's top-level ``models`` links to it) holds
``vie.traineddata`` (Tesseract), ``hw_digits.npz`` (the hand-written digit classifier) and ``MANIFEST``: one
line per file, ``file | source | version | licence | sha256``. A shipped model that is missing, or whose
sha256 is not the MANIFEST's, raises :class:`~vn_dispatch_parser.errors.MissingDependencyError` naming the
file and what to do: there is no silent fallback to the system's ``vie`` data or to reading without the
digit model (an installed copy without its models once read with both and lost numbers and dates).

Overrides, each explicit: ``$VN_DISPATCH_MODELS`` (a folder laid out like the package's, with its own
MANIFEST, checked the same way), ``$VN_DISPATCH_HW_MODEL`` (a digit model file, not checked against a
MANIFEST) and an engine's ``tessdata_dir`` option. Whatever was used is recorded in each result
(:func:`engine_identity`), and the batch's resume key compares it, so a result made with other models is
redone.
"""

from __future__ import annotations

import functools
import importlib.resources
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vn_dispatch_parser.core.fsutil import file_sha256 as sha256_of
from vn_dispatch_parser.errors import MissingDependencyError
from vn_dispatch_parser.records import EngineIdentity

__all__ = [
    "DIGIT_MODEL",
    "DIGIT_MODEL_ENV",
    "MODELS_ENV",
    "ManifestEntry",
    "digit_model_path",
    "engine_identity",
    "file_sha256",
    "manifest",
    "model_file",
    "models_dir",
    "tessdata_dir",
]

MODELS_ENV = "VN_DISPATCH_MODELS"
"""A folder to use instead of the package's ``models/`` (same layout: the files and their MANIFEST)."""
DIGIT_MODEL_ENV = "VN_DISPATCH_HW_MODEL"
"""A digit model file to use instead of the shipped one (e.g. one just trained by ``tools/train_digits.py``)."""
DIGIT_MODEL = "hw_digits.npz"
MANIFEST = "MANIFEST"

_REINSTALL = ("reinstall the package (pip install --force-reinstall vn-dispatch-parser) or, in a checkout, "
              "restore it (git checkout -- vn_dispatch_parser/models)")


@dataclass(frozen=True)
class ManifestEntry:
    """One line of ``MANIFEST``."""

    file: str
    source: str
    version: str
    licence: str
    sha256: str


def models_dir() -> Path:
    """The folder the models are read from: ``$VN_DISPATCH_MODELS``, else the package's ``models/``.

    Raises:
        MissingDependencyError: The package is not installed as files (a zip import), so Tesseract could
            not be pointed at its data.
    """
    env = os.environ.get(MODELS_ENV)
    if env:
        return Path(env)
    where = importlib.resources.files("vn_dispatch_parser").joinpath("models")
    if not isinstance(where, Path):
        raise MissingDependencyError(f"the package's models are inside an archive ({where}); install "
                                     "vn-dispatch-parser as files (pip install, not a zip import)")
    return where


def manifest(folder: Path | None = None) -> dict[str, ManifestEntry]:
    """The MANIFEST of ``folder`` (default :func:`models_dir`) by file name.

    Raises:
        MissingDependencyError: No MANIFEST there, or a line without its five columns.
    """
    return _manifest(str(folder or models_dir()))


@functools.lru_cache(maxsize=8)
def _manifest(folder: str) -> dict[str, ManifestEntry]:
    path = Path(folder) / MANIFEST
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise MissingDependencyError(f"the models' {MANIFEST} is missing ({e}); {_REINSTALL}", path) from e
    entries = {}
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cols = [c.strip() for c in line.split("|")]
        if len(cols) != 5 or len(cols[4]) != 64:
            raise MissingDependencyError(f"line {n} of the models' {MANIFEST} is not "
                                         f"'file | source | version | licence | sha256'; {_REINSTALL}", path)
        entries[cols[0]] = ManifestEntry(*cols)
    return entries


def file_sha256(path: str | Path) -> str:
    """The sha256 of a file, computed once per process for the same path, size and modification time."""
    st = Path(path).stat()
    return _sha256(str(path), st.st_size, st.st_mtime_ns)


@functools.lru_cache(maxsize=32)
def _sha256(path: str, _size: int, _mtime_ns: int) -> str:
    return sha256_of(path)


def model_file(name: str) -> Path:
    """The path of the shipped model ``name``, checked against the MANIFEST (once per process).

    Raises:
        MissingDependencyError: ``name`` is not in the MANIFEST, is missing, or its sha256 differs.
    """
    return Path(_checked(str(models_dir()), name))


@functools.lru_cache(maxsize=16)
def _checked(folder: str, name: str) -> str:
    entry = manifest(Path(folder)).get(name)
    path = Path(folder) / name
    if entry is None:
        raise MissingDependencyError(f"model {name} is not listed in {Path(folder) / MANIFEST}; {_REINSTALL}", path)
    try:
        got = file_sha256(path)
    except OSError as e:
        raise MissingDependencyError(f"model {name} is missing ({e.strerror}); {_REINSTALL}", path) from e
    if got != entry.sha256:
        # a Git LFS pointer (a few bytes) or a half-copied file: never read with it
        raise MissingDependencyError(f"model {name} is corrupt: its sha256 is {got}, the {MANIFEST} says "
                                     f"{entry.sha256} ({entry.source} {entry.version}); {_REINSTALL}", path)
    return str(path)


def tessdata_dir(langs: str = "vie") -> Path | None:
    """The folder holding the shipped ``.traineddata`` of every ``+``-joined language, checked.

    None when the package ships none of them (``osd``, ``eng``): Tesseract then uses its own data, as asked.

    Raises:
        MissingDependencyError: A shipped language's file is missing or corrupt, or some languages are
            shipped and others not (pass ``tessdata_dir`` to the engine: a folder holding all of them).
    """
    wanted = [lang for lang in langs.split("+") if lang]
    folder = models_dir()
    shipped = [lang for lang in wanted if f"{lang}.traineddata" in manifest(folder)]
    if not shipped:
        return None
    if len(shipped) < len(wanted):
        others = "+".join(lang for lang in wanted if lang not in shipped)
        raise MissingDependencyError(f"the package ships {'+'.join(shipped)} but not {others}: pass the engine a "
                                     f"tessdata_dir holding every language of {langs!r}")
    for lang in shipped:
        model_file(f"{lang}.traineddata")
    return folder


def digit_model_path() -> Path:
    """The digit model: ``$VN_DISPATCH_HW_MODEL`` when set (it must exist), else the shipped one, checked.

    Raises:
        MissingDependencyError: The file is missing or corrupt.
    """
    env = os.environ.get(DIGIT_MODEL_ENV)
    if env:
        if not Path(env).is_file():
            raise MissingDependencyError(f"the digit model {DIGIT_MODEL_ENV}={env} is not a file; set it to the "
                                         f"model's path or unset it to use the shipped {DIGIT_MODEL}", env)
        return Path(env)
    return model_file(DIGIT_MODEL)


def engine_identity(engine: Any, *, handwriting: bool = True) -> EngineIdentity:
    """What produced a scan's readings: the Tesseract version, its traineddata and the digit model.

    ``engine`` is any :class:`~vn_dispatch_parser.ocr.OcrEngine`; a Tesseract engine (its ``version()``
    starts with ``tesseract``) also names its ``lang`` and ``tessdata_dir``. The digit model's sha256 is
    recorded when hand-writing is read (None otherwise).

    Raises:
        MissingDependencyError: Tesseract, a traineddata file or the digit model is missing or corrupt.
    """
    digits = file_sha256(digit_model_path()) if handwriting else None  # first: no Tesseract needed
    words = engine.version().split()
    tesseract = words[1] if len(words) > 1 and words[0].lower() == "tesseract" else None
    traineddata = None
    folder, lang = getattr(engine, "tessdata_dir", None), getattr(engine, "lang", None)
    if tesseract and folder and lang:
        shas = []
        for code in str(lang).split("+"):
            path = Path(folder) / f"{code}.traineddata"
            try:
                shas.append(file_sha256(path))
            except OSError as e:
                raise MissingDependencyError(f"no traineddata for {code} ({e.strerror})", path) from e
        traineddata = "+".join(shas)
    return EngineIdentity(tesseract=tesseract, traineddata_sha256=traineddata, digits_sha256=digits)
