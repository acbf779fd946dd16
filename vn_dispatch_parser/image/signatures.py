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
(:func:`apply_to_document`): the same day raises the date's confidence, a date the signature cannot
follow flags it for review, and a missing date is filled from the signatures (flagged).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from pathlib import Path

import regex

from vn_dispatch_parser.config import CONF
from vn_dispatch_parser.records import Document, FieldEvidence, PdfSignature

__all__ = ["LAG_DAYS", "VIETNAM_TZ", "apply_to_document", "is_organisation", "read_signatures"]

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


LAG_DAYS = 7
"""An organisation's certificate signs on the issue date or in the next working days (measured on the
signed files of ``../shared/real``: the same day, or 1 to 3 days later, never before)."""


def apply_to_document(doc: Document, signatures: list[PdfSignature], *, attached: bool = False) -> None:
    """Use the earliest organisational signing time as evidence for ``doc.issued_date``.

    * The issue date is the organisation's signing day, or a person's signing day: it agrees, and its
      confidence rises to at least 0.98 (and it leaves ``needs_review``).
    * The organisation signed 1 to :data:`LAG_DAYS` days after the issue date: consistent (the usual lag
      before the issuing office's certificate signs), nothing changes.
    * Any other date (dated after it was signed, or long before): ``issued_date`` is flagged for review
      with a warning.
    * No date read on the page: the person's signing day (else the organisation's) is taken, flagged; not for
      a document ``attached`` after the file's first (a draft resolution under its tờ trình): the signatures
      sign the file on the first document's date, an attachment's own date is blank or its own.
    """
    orgs = [s for s in signatures if s.is_organisation and s.signed_at is not None]
    if not orgs:
        return
    org = min(orgs, key=lambda s: s.signed_at)  # type: ignore[arg-type,return-value]
    assert org.signed_at is not None
    day = org.signed_at.astimezone(VIETNAM_TZ).date()
    people = sorted(s.signed_at.astimezone(VIETNAM_TZ).date() for s in signatures
                    if not s.is_organisation and s.signed_at is not None)
    evidence = FieldEvidence(raw=f"{org.signer}: {org.signed_at.isoformat()}", rule="digital_signature_time")
    if doc.issued_date is None and attached:
        return
    if doc.issued_date is None:
        doc.issued_date = people[0] if people else day
        doc.confidence["issued_date"] = CONF.esign_date_only
        doc.evidence["issued_date"] = evidence
        doc.warnings.append(f"issued_date: not read on the page; taken from the digital signatures "
                            f"({doc.issued_date.isoformat()})")
        _flag(doc, "not read on the page: taken from the digital signatures")
    elif doc.issued_date == day or doc.issued_date in people:
        doc.confidence["issued_date"] = max(doc.confidence.get("issued_date", 0.0), CONF.esign_date_agrees)
        doc.needs_review = [f for f in doc.needs_review if f != "issued_date"]
        doc.review_reasons.pop("issued_date", None)
    elif not 0 < (day - doc.issued_date).days <= LAG_DAYS:
        doc.warnings.append(f"issued_date: the page reads {doc.issued_date.isoformat()}, the organisational "
                            f"signature of {org.signer} was made on {day.isoformat()}")
        _flag(doc, f"the organisational digital signature was made on {day.isoformat()}")


def _flag(doc: Document, reason: str) -> None:
    doc.needs_review = sorted(set(doc.needs_review) | {"issued_date"})
    doc.review_reasons["issued_date"] = reason
