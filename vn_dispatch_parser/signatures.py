"""Digital signatures of signed PDFs, read with pyHanko: who signed, when, and whether the bytes are intact.

Signed PDFs from Vietnamese e-office systems carry several signature dictionaries: a person (the signer,
e.g. "Nguyễn Phước Bình", organisation "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI"), the issuing body's
organisational certificate ("Ủy ban nhân dân tỉnh Quảng Ngãi"), and often the gazette centre that
relays it. For each one this module reports the certificate's common name and organisation, the signing
time in Vietnam time (UTC+7), whether the signed bytes are intact (the digest matches), and whether the
file was changed after signing (later revisions, and how far they go).

Trust is **not** judged: the Vietnamese government root certificates are not shipped, so a signature is
"intact" (nobody altered the signed bytes), not "trusted". No network access is made.

The earliest signing time of an *organisational* certificate is evidence for the issue date
(:func:`apply_to_document`): the same day raises the date's confidence, another day flags it for review,
and a missing date is filled from it (flagged).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from pathlib import Path

import regex

from .records import Document, FieldEvidence, PdfSignature

__all__ = ["VIETNAM_TZ", "apply_to_document", "is_organisation", "read_signatures"]

log = logging.getLogger(__name__)

VIETNAM_TZ = dt.timezone(dt.timedelta(hours=7), "ICT")
_ORG_WORDS = regex.compile(
    r"\b(ủy ban|uỷ ban|ubnd|hội đồng|sở|bộ|cục|tổng cục|vụ|ban|văn phòng|trung tâm|tỉnh|thành phố|huyện|xã|phường|"
    r"công ty|trường|bệnh viện|viện|chi cục|phòng|đảng ủy|thanh tra|kho bạc|ngân hàng|học viện|đại học)\b",
    regex.I,
)


def is_organisation(common_name: str | None) -> bool:
    """True when a certificate's common name names a body, not a person.

    >>> is_organisation("Ủy ban nhân dân tỉnh Quảng Ngãi"), is_organisation("Nguyễn Phước Bình")
    (True, False)
    """
    return bool(common_name and _ORG_WORDS.search(common_name))


def _in_vietnam(t: dt.datetime | None) -> dt.datetime | None:
    if t is None:
        return None
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.timezone.utc)
    return t.astimezone(VIETNAM_TZ)


def read_signatures(path: str | Path) -> list[PdfSignature]:
    """Every signature dictionary of a PDF, in file order; [] for an unsigned or unreadable PDF.

    Never raises for a bad file: a signature that cannot be checked is reported with ``intact=None`` and
    the reason in ``problem``.
    """
    try:
        from pyhanko.pdf_utils.reader import PdfFileReader
        from pyhanko.sign.validation import validate_pdf_signature
        from pyhanko_certvalidator import ValidationContext
    except ImportError:  # pragma: no cover - a dependency of the package
        log.warning("pyHanko is not installed: digital signatures are not read")
        return []
    out: list[PdfSignature] = []
    quiet = [logging.getLogger(n) for n in ("pyhanko", "pyhanko_certvalidator")]
    levels = [lg.level for lg in quiet]
    for lg in quiet:  # untrusted roots and SHA-1 timestamps are logged with tracebacks: not our concern
        lg.setLevel(logging.CRITICAL)
    try:
        with open(path, "rb") as fh:
            try:
                reader = PdfFileReader(fh, strict=False)
                embedded = list(reader.embedded_signatures)
            except Exception as e:  # not a PDF pyHanko can read: no signature to report
                log.debug("%s: no signatures read: %s", path, e)
                return []
            # no trust roots and no fetching: the bytes are checked, trust is not judged, nothing goes online
            context = ValidationContext(trust_roots=[], allow_fetching=False)
            for emb in embedded:
                out.append(_one(emb, lambda e, **kw: validate_pdf_signature(
                    e, signer_validation_context=context, **kw)))
    except OSError as e:
        log.debug("%s: cannot read signatures: %s", path, e)
        return []
    finally:
        for lg, level in zip(quiet, levels, strict=True):
            lg.setLevel(level)
    return out


def _one(emb: object, validate: object) -> PdfSignature:
    subject: dict = {}
    with contextlib.suppress(Exception):  # a signature without a usable certificate
        subject = dict(emb.signer_cert.subject.native)  # type: ignore[attr-defined]
    signed_at = None
    with contextlib.suppress(Exception):
        signed_at = emb.self_reported_timestamp  # type: ignore[attr-defined]
    sig = PdfSignature(
        field=getattr(emb, "field_name", None),
        signer=subject.get("common_name"),
        organisation=subject.get("organization_name"),
        unit=subject.get("organizational_unit_name"),
        email=subject.get("email_address"),
        signed_at=_in_vietnam(signed_at),
    )
    sig.is_organisation = is_organisation(sig.signer)
    try:
        status = validate(emb, skip_diff=False)  # type: ignore[operator]
        if sig.signed_at is None and getattr(status, "timestamp_validity", None) is not None:
            sig.signed_at = _in_vietnam(status.timestamp_validity.timestamp)
        sig.intact = bool(status.intact and status.valid)
        coverage = getattr(status.coverage, "name", str(status.coverage))
        level = getattr(status.modification_level, "name", None)
        sig.modification = level.lower() if level else None
        sig.changed_after_signing = coverage != "ENTIRE_FILE"
        if level == "OTHER" or (status.docmdp_ok is False):
            sig.problem = "the file was changed after signing beyond what the signature allows"
    except Exception as e:
        sig.problem = f"could not be checked: {type(e).__name__}: {e}"[:300]
    return sig


def apply_to_document(doc: Document, signatures: list[PdfSignature]) -> None:
    """Use the earliest organisational signing time as evidence for ``doc.issued_date``.

    Same day: the date's confidence rises (at least 0.98). Another day: the date is flagged for review
    with a warning (a document is signed on its issue date or, rarely, a day or two later). No date read:
    the signing day is taken, flagged for review.
    """
    times = [s.signed_at for s in signatures if s.is_organisation and s.signed_at is not None]
    if not times:
        return
    first = min(times)
    day = first.astimezone(VIETNAM_TZ).date()
    org = next(s for s in signatures if s.signed_at == first and s.is_organisation)
    evidence = FieldEvidence(raw=f"{org.signer}: {first.isoformat()}", rule="digital_signature_time")
    if doc.issued_date is None:
        doc.issued_date = day
        doc.confidence["issued_date"] = 0.6
        doc.evidence["issued_date"] = evidence
        doc.warnings.append(f"issued_date: not read on the page; taken from the organisational signature "
                            f"of {org.signer} ({day.isoformat()})")
        doc.needs_review = sorted(set(doc.needs_review) | {"issued_date"})
    elif doc.issued_date == day:
        doc.confidence["issued_date"] = max(doc.confidence.get("issued_date", 0.0), 0.98)
        if "issued_date" in doc.needs_review:
            doc.needs_review.remove("issued_date")
    else:
        doc.warnings.append(f"issued_date: the page reads {doc.issued_date.isoformat()}, the organisational "
                            f"signature of {org.signer} was made on {day.isoformat()}")
        doc.needs_review = sorted(set(doc.needs_review) | {"issued_date"})
