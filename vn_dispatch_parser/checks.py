"""Consistency checks that become warnings and ``needs_review`` entries (they never change a value)."""

from __future__ import annotations

from .fields.number import symbol_type_code
from .records import Document
from .review import Reasons

__all__ = ["run"]

_CORE = ("issuer", "doc_type", "number", "issued_date", "subject", "signer_name")


def run(doc: Document, review: Reasons, *, has_header: bool) -> None:
    """Check ``doc`` in place: add warnings, and the fields a person must check to ``review`` with why."""
    stamp = doc.incoming_stamp
    if doc.issued_date and stamp and stamp.date and doc.issued_date > stamp.date:
        doc.warnings.append(f"issued_date {doc.issued_date} is later than the ĐẾN stamp date {stamp.date}")
        review.flag(("issued_date", "incoming_stamp"), "issued after the ĐẾN stamp's date")
    signed = doc.digital_signature.signed_at if doc.digital_signature else None
    if doc.issued_date and signed and doc.issued_date > signed.date():
        doc.warnings.append(f"issued_date {doc.issued_date} is later than the digital signature of {signed.date()}")
        review.add("issued_date", "later than the digital signature")
    if doc.issued_date:
        later = [r for r in doc.references if r.date and r.date > doc.issued_date]
        if later:
            doc.warnings.append(
                f"issued_date {doc.issued_date} is earlier than the cited {later[0].number_symbol} of {later[0].date}")
            review.add("issued_date", "earlier than a document it cites")
    code_type = symbol_type_code(doc.symbol)
    if doc.doc_type and code_type and doc.doc_type not in ("CÔNG VĂN", code_type):
        doc.warnings.append(f"ký hiệu {doc.symbol} suggests {code_type} but the heading reads {doc.doc_type}")
        review.flag(("doc_type", "symbol"), "the ký hiệu's type code and the heading disagree")
    if doc.symbol and not doc.number:
        review.flag(("number", "number_symbol"), "ký hiệu read but no number")
    if has_header:
        for name in ("recipients", "signer_position"):
            if not getattr(doc, name):
                review.add(name, "not found")
        for name in _CORE:
            if getattr(doc, name) in (None, "", []):
                review.add(name, "not found")
                doc.confidence.setdefault(name, 0.0)
