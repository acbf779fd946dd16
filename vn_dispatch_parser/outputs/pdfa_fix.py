"""Small repairs that let OCRmyPDF's internal (Ghostscript-free) backend make PDF/A-2b of real files.

Two things stop it on the Vietnamese e-office PDFs measured (``../shared/real``):

* the **standard fonts** (Helvetica, Times, Courier) that signature appearances and web-printed pages
  use without embedding them; PDF/A needs every font embedded. They are replaced by the
  metric-compatible Liberation faces (same widths by design), subset to the WinAnsi characters and
  embedded as TrueType: the page looks the same and its text extracts the same;
* a ``/Type`` key in ``/ViewerPreferences`` (Chrome's "Save as PDF"), which the validator does not know:
  it is dropped (it has no meaning there), and so is an ``/OpenAction`` that only sets the first view;
* an unembedded font that a resource dictionary lists but its content never selects (the ZapfDingbats
  of a flattened signature field) is dropped from that dictionary; a CIDFontType2 without
  ``/CIDToGIDMap`` gets the default it means (``/Identity``) written out; an image used both as another
  image's ``/SMask`` and as an XObject of its own gets a copy for the mask role.

Only a copy is changed, in the searchable PDF's work folder. Fonts whose encoding has ``/Differences``
(or Symbol/ZapfDingbats) are left alone: the validator then decides, and a plain PDF is written if need be.
"""

from __future__ import annotations

import io
import logging
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["LIBERATION", "drop_unused_fonts", "embed_standard_fonts", "repair_for_pdfa", "split_shared_masks"]

log = logging.getLogger(__name__)

_DIRS = ("/usr/share/fonts/truetype/liberation2", "/usr/share/fonts/truetype/liberation")
# standard 14 name → Liberation face (metric-compatible), flags (1 fixed pitch, 2 serif, 64 italic)
LIBERATION = {
    "Helvetica": ("LiberationSans-Regular", 0), "Helvetica-Bold": ("LiberationSans-Bold", 0),
    "Helvetica-Oblique": ("LiberationSans-Italic", 64), "Helvetica-BoldOblique": ("LiberationSans-BoldItalic", 64),
    "Arial": ("LiberationSans-Regular", 0), "Arial,Bold": ("LiberationSans-Bold", 0),
    "Times-Roman": ("LiberationSerif-Regular", 2), "Times-Bold": ("LiberationSerif-Bold", 2),
    "Times-Italic": ("LiberationSerif-Italic", 66), "Times-BoldItalic": ("LiberationSerif-BoldItalic", 66),
    "Courier": ("LiberationMono-Regular", 1), "Courier-Bold": ("LiberationMono-Bold", 1),
    "Courier-Oblique": ("LiberationMono-Italic", 65), "Courier-BoldOblique": ("LiberationMono-BoldItalic", 65),
}
_CODES = range(32, 256)


def _char(code: int) -> str | None:
    try:
        return bytes([code]).decode("cp1252")
    except UnicodeDecodeError:
        return None


@cache
def _face(name: str) -> tuple[bytes, dict[str, Any]] | None:
    """The subset TrueType program of a Liberation face and its metrics (in 1/1000 em); None if missing."""
    path = next((Path(d) / f"{name}.ttf" for d in _DIRS if (Path(d) / f"{name}.ttf").is_file()), None)
    if path is None:
        return None
    from fontTools import subset

    logging.getLogger("fontTools").setLevel(logging.ERROR)  # "FFTM NOT subset" is expected
    from fontTools.ttLib import TTFont

    font = TTFont(path)
    scale = 1000 / font["head"].unitsPerEm
    cmap = font.getBestCmap()
    hmtx = font["hmtx"]
    widths = []
    for code in _CODES:
        ch = _char(code)
        glyph = cmap.get(ord(ch)) if ch else None
        widths.append(round(hmtx[glyph][0] * scale) if glyph else 0)
    os2, head = font["OS/2"], font["head"]
    metrics = {
        "widths": widths,
        "bbox": [round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)],
        "ascent": round(os2.sTypoAscender * scale), "descent": round(os2.sTypoDescender * scale),
        "cap": round(getattr(os2, "sCapHeight", 700) * scale),
        "italic": float(font["post"].italicAngle),
    }
    opts = subset.Options()
    opts.name_IDs = ["*"]
    opts.notdef_outline = True
    opts.layout_features = []
    opts.hinting = False
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=[ord(c) for c in (_char(k) for k in _CODES) if c])
    sub.subset(font)
    buf = io.BytesIO()
    font.save(buf)
    return buf.getvalue(), metrics


def _win_ansi(font: Any) -> bool:
    import pikepdf

    enc = font.get("/Encoding")
    if enc is None or enc == pikepdf.Name.WinAnsiEncoding:
        return True
    return (isinstance(enc, pikepdf.Dictionary) and "/Differences" not in enc
            and enc.get("/BaseEncoding") == pikepdf.Name.WinAnsiEncoding)


def embed_standard_fonts(pdf: Any) -> int:
    """Embed Liberation faces for the non-embedded standard Type 1 fonts of ``pdf``; returns how many."""
    import pikepdf

    programs: dict[str, Any] = {}
    done = 0
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Dictionary) or obj.get("/Type") != pikepdf.Name.Font:
            continue
        if obj.get("/Subtype") != pikepdf.Name.Type1 or "/FontDescriptor" in obj:
            continue
        base = str(obj.get("/BaseFont", ""))[1:]
        if base not in LIBERATION or not _win_ansi(obj):
            continue
        name, flags = LIBERATION[base]
        face = _face(name)
        if face is None:
            continue
        data, m = face
        if name not in programs:
            stream = pikepdf.Stream(pdf, data)
            stream.Length1 = len(data)
            programs[name] = pdf.make_indirect(stream)
        descriptor = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.FontDescriptor, FontName=pikepdf.Name("/" + name), Flags=32 | flags,
            FontBBox=m["bbox"], ItalicAngle=m["italic"], Ascent=m["ascent"], Descent=m["descent"],
            CapHeight=m["cap"], StemV=80, FontFile2=programs[name]))
        obj.Subtype = pikepdf.Name.TrueType
        obj.BaseFont = pikepdf.Name("/" + name)
        obj.FirstChar, obj.LastChar = _CODES.start, _CODES.stop - 1
        obj.Widths = pikepdf.Array(m["widths"])
        obj.FontDescriptor = descriptor
        obj.Encoding = pikepdf.Name.WinAnsiEncoding
        done += 1
    return done


def _content(owner: Any) -> bytes:
    import pikepdf

    contents = owner.get("/Contents") if owner.get("/Type") == pikepdf.Name.Page else owner
    if contents is None:
        return b""
    streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
    out = b""
    for st in streams:
        try:
            out += st.read_bytes() + b"\n"
        except (pikepdf.PdfError, AttributeError, TypeError):
            return b"/"  # unreadable: keep every font (never drop one that may be used)
    return out


def drop_unused_fonts(pdf: Any) -> int:
    """Remove unembedded fonts that a page's or form's /Resources lists but its content never selects."""
    import pikepdf

    dropped = 0
    owners = [p.obj for p in pdf.pages] + [o for o in pdf.objects if isinstance(o, pikepdf.Stream)
                                           and o.get("/Subtype") == pikepdf.Name.Form]
    for owner in owners:
        fonts = owner.get("/Resources", {}).get("/Font") if "/Resources" in owner else None
        if not isinstance(fonts, pikepdf.Dictionary):
            continue
        unembedded = [k for k, f in fonts.items() if isinstance(f, pikepdf.Dictionary)
                      and f.get("/Subtype") == pikepdf.Name.Type1 and "/FontDescriptor" not in f]
        if not unembedded:
            continue
        content = _content(owner)
        for key in unembedded:
            if content != b"/" and (key.encode() + b" ") not in content and (key.encode() + b"\n") not in content:
                del fonts[key]
                dropped += 1
    return dropped


def split_shared_masks(pdf: Any) -> int:
    """Give an image that is both a soft mask and a drawn XObject a separate copy for the mask role."""
    import pikepdf

    drawn: set[tuple[int, int]] = set()
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
            continue
        for res in (obj, obj.get("/Resources")):  # resource dictionaries are often direct objects
            xobjects = res.get("/XObject") if isinstance(res, pikepdf.Dictionary) else None
            if isinstance(xobjects, pikepdf.Dictionary):
                drawn.update(x.objgen for x in xobjects.values() if x.is_indirect)
    copied = 0
    for obj in list(pdf.objects):
        if not isinstance(obj, pikepdf.Stream) or obj.get("/Subtype") != pikepdf.Name.Image:
            continue
        mask = obj.get("/SMask")
        if isinstance(mask, pikepdf.Stream) and mask.is_indirect and mask.objgen in drawn:
            copy = pikepdf.Stream(pdf, mask.read_raw_bytes())
            for k, v in mask.stream_dict.items():
                if k != "/Length":
                    copy[k] = v
            obj.SMask = pdf.make_indirect(copy)
            copied += 1
    return copied


def repair_for_pdfa(pdf: Any) -> None:
    """Apply the repairs above to an open pikepdf ``Pdf`` (a copy of the input)."""
    import pikepdf

    prefs = pdf.Root.get("/ViewerPreferences")
    if prefs is not None and "/Type" in prefs:
        del prefs["/Type"]
    action = pdf.Root.get("/OpenAction")
    if isinstance(action, pikepdf.Array) or (isinstance(action, pikepdf.Dictionary)
                                             and action.get("/S") == pikepdf.Name.GoTo):
        del pdf.Root["/OpenAction"]  # only the initial page and zoom; the validator does not check it
    for obj in pdf.objects:
        if (isinstance(obj, pikepdf.Dictionary) and obj.get("/Subtype") == pikepdf.Name.CIDFontType2
                and "/CIDToGIDMap" not in obj):
            obj.CIDToGIDMap = pikepdf.Name.Identity
    drop_unused_fonts(pdf)
    split_shared_masks(pdf)
    n = embed_standard_fonts(pdf)
    if n:
        log.debug("embedded %d standard font(s) as Liberation faces for PDF/A", n)
