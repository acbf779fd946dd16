"""Files for the archive-output tests (issue 15), made on the spot: no network, nothing downloaded."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from vn_dispatch_parser.core.types import BBox, Line, OcrWord, PageText


def text_image(path: Path, size: tuple[int, int] = (1240, 1754), dpi: int = 150) -> None:
    """An A4 page at ``dpi`` with a few dark bars where words would be (content does not matter)."""
    from PIL import Image, ImageDraw

    img = Image.new("L", size, 255)
    draw = ImageDraw.Draw(img)
    for k in range(6):
        draw.rectangle((100, 150 + 60 * k, 700, 180 + 60 * k), fill=30)
    img.save(path, dpi=(dpi, dpi))


def page_text(page_no: int = 1, size: tuple[int, int] = (1240, 1754), *, rotation: int = 0,
              words: tuple[str, ...] = ("CÔNG", "VĂN", "1865/SYT-VP")) -> PageText:
    """What the pipeline would have read on a page: one line of ``words`` near the top."""
    boxes = [BBox(100 + 200 * k, 150, 280 + 200 * k, 180) for k in range(len(words))]
    ws = tuple(OcrWord(w, 0.9, b) for w, b in zip(words, boxes, strict=True))
    line = Line(" ".join(words), page=page_no, bbox=boxes[0].union(boxes[-1]), conf=0.9, words=ws)
    upright = (size[1], size[0]) if rotation in (90, 270) else size
    return PageText(page_no, upright[0], upright[1], upright, rotation=rotation, lines=[line])


def born_digital_pdf(path: Path, text: str = "Văn bản điện tử số 12/UBND-VP") -> None:
    """A one-page PDF whose text is real text (not a scan)."""
    import ocrmypdf.data
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_title("Văn bản điện tử")
    pdf.set_author("Văn phòng UBND")
    pdf.add_page()
    pdf.add_font("noto", "", str(Path(ocrmypdf.data.__file__).parent / "NotoSans-Regular.ttf"))
    pdf.set_font("noto", size=14)
    for _ in range(3):
        pdf.cell(0, 10, text, new_x="LMARGIN", new_y="NEXT")
    path.write_bytes(bytes(pdf.output()))


def signed_pdf(path: Path, *, common_name: str = "Ủy ban nhân dân tỉnh Quảng Ngãi",
               organisation: str = "Tỉnh Quảng Ngãi", source: bytes | None = None) -> None:
    """A PDF signed (pyHanko) with a fresh self-signed certificate of ``common_name``."""
    from asn1crypto import keys as akeys
    from asn1crypto import x509 as ax509
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID
    from fpdf import FPDF
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
            .sign(key, hashes.SHA256()))
    signer = signers.SimpleSigner(
        signing_cert=ax509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        signing_key=akeys.PrivateKeyInfo.load(key.private_bytes(serialization.Encoding.DER,
                                                                serialization.PrivateFormat.PKCS8,
                                                                serialization.NoEncryption())),
        cert_registry=None)  # type: ignore[arg-type]
    if source is None:
        pdf = FPDF()
        pdf.add_page()
        pdf.set_font("helvetica", size=12)
        pdf.cell(0, 10, "Signed test document")
        source = bytes(pdf.output())
    out = io.BytesIO()
    signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(source)), signers.PdfSignatureMetadata(field_name="Sig1"),
                     signer=signer, output=out)
    path.write_bytes(out.getvalue())


def qpdf_check(path: Path) -> tuple[bool, str]:
    """``qpdf --check`` (pikepdf's own check of the same library when the qpdf command is missing)."""
    import shutil
    import subprocess

    if shutil.which("qpdf"):
        proc = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True, check=False)
        return proc.returncode == 0, proc.stdout + proc.stderr
    import pikepdf

    with pikepdf.open(path) as pdf:
        problems = pdf.check_pdf_syntax()
    return not problems, "\n".join(str(p) for p in problems)
