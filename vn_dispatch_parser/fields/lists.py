"""Kính gửi (nd30.md §2.5) and Nơi nhận (§2.7): a label, then one inline item or "- X;" items.

    >>> items_after_label([Line("Kính gửi: Các đơn vị trực thuộc Sở.")], 0, KINH_GUI).value
    ['Các đơn vị trực thuộc Sở']
    >>> ls = [Line("Nơi nhận:"), Line("- Như trên;"), Line("- Lưu: VT, VP."), Line("GIÁM ĐỐC")]
    >>> items_after_label(ls, 0, NOI_NHAN).value
    ['Như trên', 'Lưu: VT, VP']
"""

from __future__ import annotations

import regex

from vn_dispatch_parser.config import CONF
from vn_dispatch_parser.core.headings import is_caps_title
from vn_dispatch_parser.core.lines import is_caps, is_name, is_syllable, line_conf, lines_box
from vn_dispatch_parser.core.syllables import is_loanword, known, same_letters
from vn_dispatch_parser.core.types import Hit, Line, Zone
from vn_dispatch_parser.core.vocab import KINH_GUI, NOI_NHAN, SIGNER_PREFIX_DOT

__all__ = ["KINH_GUI", "NOI_NHAN", "clean_item", "find_label", "items_after_label"]

_BULLET = regex.compile(r"^\s*[-–+•*·ˆ~¬=_]{1,3}\s*")


_TOKEN_OK = regex.compile(r"^[(\p{L}\d][\p{L}\d.,()/&:+-]*[;,.)]?$", regex.V1)


def _token_good(t: str) -> bool:
    """A word of a list item: a syllable, a number or a code; codes joined by ":" or brackets ("VPUB:PCVP",
    "PCVP(KTTH)", "NC(Vi56)") are judged part by part."""
    core = t.strip("(),.;:")
    if not core or not _TOKEN_OK.match(t):
        return False
    parts = [p.strip(",.") for p in regex.split(r"[:()]", core)]
    return all(_part_good(p) for p in parts if p)


def _part_good(core: str) -> bool:
    if core.isdigit() or is_syllable(core) or is_loanword(core) or regex.fullmatch(r"\p{Ll}{1,2}", core, regex.V1):
        return True  # a syllable, or a short abbreviation (tx, tp)
    if len(core) <= 10 and sum(c.isupper() for c in core) >= 2 and regex.fullmatch(r"[\p{L}\d&.-]+", core, regex.V1):
        return True  # an abbreviation: UBND, GDTrH, KTTHh5, P.NC
    if regex.fullmatch(r"\p{L}{1,10}\d{1,4}", core, regex.V1):
        return True  # V1, GT1; a drafter's initials and count at the end of Lưu ("Vi56", "bngoc106")
    return bool(regex.fullmatch(r"[\p{L}\d]{1,4}(?:/[\p{L}\d]{1,6})+", core, regex.V1))  # b/c, b/cáo


def _garbage(text: str, threshold: float = 0.75) -> bool:
    """True for OCR noise (seal rims, signatures): few word-like tokens."""
    tokens = text.split()
    if not tokens:
        return True
    return sum(1 for t in tokens if _token_good(t)) / len(tokens) < threshold


_JUNK_BULLET = regex.compile(r"^[^\s\-–~•+*]{1,2}\s+(?=[-–~•+]\s*\p{L})")


_LEADING_SCRAP = regex.compile(r"^(?:['‘’\"`]+|\((?![^)]*\))|\p{Ll}(?=\p{Lu}\p{Ll}))", regex.V1)
"""What a speck or a stroke of the bullet left before an item's first word: quotes, an opening bracket that
no closing one follows, a lone small letter glued to the capital the item starts with ("iCác sở")."""


def clean_item(text: str) -> str:
    """An item without its bullet and trailing ";" / "." / ",", and without OCR noise after its ";".

    >>> clean_item("- Lưu: VT, VP, Vinh.")
    'Lưu: VT, VP, Vinh'
    >>> clean_item("- Thứ trưởng Lê Quân; ^..ị lãi ccẽcẽ ế TC")
    'Thứ trưởng Lê Quân'
    >>> clean_item("- Bộ trưởng (để bíc);"), clean_item("- Lãnh . đạo Sở; 4"), clean_item("- Lưu: VTý QLĐĐ.")
    ('Bộ trưởng (để b/c)', 'Lãnh đạo Sở', 'Lưu: VT, QLĐĐ')
    >>> clean_item("~ Thường trực Tỉnh ủy (bícáo);"), clean_item("- Thường trực HĐNDtinh;"), clean_item("- Lưu: VT, KTbngoc")
    ('Thường trực Tỉnh ủy (b/cáo)', 'Thường trực HĐND tinh', 'Lưu: VT, KTbngoc')
    >>> clean_item("- Văn phòng: CVP, PVSơn")
    'Văn phòng: CVP, PVSơn'
    >>> clean_item("~iCác sở ban ngành;"), clean_item("-(Cơ:quan TW đóng trên địa bàn;"), clean_item("-'TT HĐND tỉnh;")
    ('Các sở ban ngành', 'Cơ quan TW đóng trên địa bàn', 'TT HĐND tỉnh')
    >>> clean_item("- VPUB:PCVP, TTHC"), clean_item("- Bộ trưởng (để b/c);"), clean_item("- eKYC Bộ Công an")
    ('VPUB:PCVP, TTHC', 'Bộ trưởng (để b/c)', 'eKYC Bộ Công an')
    >>> clean_item("- CT; các PCT UBND tỉnh;"), clean_item("- TT Tỉnh ủy; TT HĐND tỉnh")
    ('CT, các PCT UBND tỉnh', 'TT Tỉnh ủy; TT HĐND tỉnh')
    >>> clean_item("- Bộ trưởng (đế bíc);"), clean_item("- Bộ trưởng (để b/c}")
    ('Bộ trưởng (để b/c)', 'Bộ trưởng (để b/c)')
    """
    s = _BULLET.sub("", text).strip()
    s = _LEADING_SCRAP.sub("", s)
    s = regex.sub(r"^\W{0,3}N?\W*Như\W+(?:\S{1,3}\W+)?(trên|Điều\s*\d+)\b", r"Như \1", s)
    s = regex.sub(r"(?<=\p{L}):(?=\p{Ll})", " ", s, flags=regex.V1)  # "Cơ:quan": a speck; a label's colon ends a code
    head, sep, tail = s.partition(";")
    if sep and tail.strip() and (_garbage(tail) or len(tail.strip()) <= 2) and not _LUU.match(s):
        s = head
    s = regex.sub(r"(?<=\p{L})\s+[.,·]\s+(?=\p{L})", " ", s)  # a speck read between two words
    # every recipient starts with a capital (one a line, NĐ 30): a ";" before a small letter is a comma misread
    s = regex.sub(r"(?<=\p{L})\s*;\s*(?=\p{Ll})", ", ", s, flags=regex.V1)
    s = regex.sub(r"\(\s*đ[eèéẻẽẹêềếểễệ]\s*b\s*[/íìil1|]\s*[ce]\s*[)}\]]", "(để b/c)", s)  # "để báo cáo", shortened
    s = regex.sub(r"\(\s*b\s*[/íìil1|]\s*c[áa]o\s*\)", "(b/cáo)", s)  # "báo cáo" shortened, its slash misread
    if not _LUU.match(s):  # the Lưu item's drafter code runs letters together on purpose ("KTTHh5")
        s = regex.sub(r"\b(\p{Lu}{2,})(\p{Ll}{2,})\b", _unglue, s, flags=regex.V1)
    s = _luu(s)
    s = regex.sub(r"[\s;.,:]+$", "", s)
    s = regex.sub(r"\s+", " ", s)
    return s


def _unglue(m: regex.Match[str]) -> str:
    """ "HĐNDtinh" → "HĐND tinh": an abbreviation in capitals and a syllable run together (the lexicon
    restores the syllable's marks afterwards); kept as read when the tail is no syllable, or when the last
    capital starts it: initials glued to a name ("PVSơn", Phạm Văn Sơn) are how a person is shortened."""
    tail = m.group(2)
    listed = known(tail)
    word = is_syllable(tail) and (listed is None or listed or bool(same_letters(tail)))
    word = word and not is_syllable(m.group(1)[-1] + tail)
    return f"{m.group(1)} {tail}" if word else m.group(0)


_LUU = regex.compile(r"^L(?:[ưuú]u|m|ư|u)\s*[:;.]\s*(?P<first>[^\s,;.]{1,3})\s*[,;.]?\s*(?P<rest>.*)$", regex.S)


# "Lưu" with its mark misread ("Lựu: VT"), before the office of records; its colon is left as printed (some
# documents print "Lưu VT, VP", seeds/002)
_LUU_BARE = regex.compile(r"^L[úự]u(?=\s*[:;.]?\s*[VY][TĩĨiIl1ỉ|]?[ýy]?\s*[,;.]\s*\S)")


_LUU_LINE = regex.compile(r"^L[ưuúự]u\s*:\s*\p{Lu}")
"""A line that is the "Lưu:" item (the office of records after the colon, in capitals)."""


def _luu(item: str) -> str:
    """The "Lưu" item's first entry is the office of records, "VT" (Văn thư; nd30.md §3.8), which OCR
    turns into "Vĩ", "VTý", "V1"; entries are separated by commas.

    >>> _luu("Lưu: Vĩ, TCKH")
    'Lưu: VT, TCKH'
    >>> _luu("Lưu: VT; VX")
    'Lưu: VT, VX'
    >>> _luu("Lưu: VT, CQĐP. bdv205")
    'Lưu: VT, CQĐP. bdv205'
    >>> _luu("Lưu: VP, VT")
    'Lưu: VP, VT'
    >>> _luu("Lưu VT, KHTC"), _luu("Lựu: VT, TDTT"), _luu("Lưu trữ lịch sử")  # a colon as printed, a mark misread
    ('Lưu VT, KHTC', 'Lưu: VT, TDTT', 'Lưu trữ lịch sử')
    """
    item = _LUU_BARE.sub("Lưu", item)
    m = _LUU.match(item)
    if not m or not regex.fullmatch(r"[VY][TĩĨiIl1ỉ|]?[ýy]?", m.group("first")):
        return item
    rest = regex.sub(r"\s*;\s*", ", ", m.group("rest").strip(" ,;"))
    return "Lưu: VT" + (", " + rest if rest else "")  # "Lm: VT, …" is "Lưu" too


def find_label(lines: list[Line], pattern: regex.Pattern[str], start: int = 0) -> int | None:
    """Index of the first line from ``start`` that carries the label."""
    for i in range(start, len(lines)):
        if pattern.match(lines[i].text):
            return i
    return None


def _is_terminated(text: str) -> bool:
    return text.rstrip().endswith((";", ".", ".)", ";)"))


def _introduces(item: str) -> bool:
    """Whether a list item names a group and lists its members after a colon ("Các Công ty: CP Môi trường
    đô thị;"): the members go on, one to a line, without a bullet of their own (the Lưu item excepted)."""
    head, colon, _ = item.partition(":")
    return bool(colon) and not _LUU.match(item) and len(head) <= 40


def _bullet_follows(lines: list[Line], at: int) -> bool:
    """Whether the next line with text after ``lines[at]`` is a "- X" list item."""
    nxt = next((ln.text.strip() for ln in lines[at + 1 :] if ln.text.strip()), "")
    return bool(_BULLET.match(nxt) or _JUNK_BULLET.match(nxt)) and len(nxt) > 2


def _beside(line: Line, listed: list[Line]) -> bool:
    """Whether ``line`` starts right of where every line of the list so far ends: the other column of the
    page (a list's lines, wrapped or not, start at its left margin)."""
    boxes = [ln.bbox for ln in listed if ln.bbox is not None and ln.page == line.page]
    return line.bbox is not None and bool(boxes) and line.bbox.x0 > max(b.x1 for b in boxes)


def _inline_item(inline: str, pattern: regex.Pattern[str]) -> tuple[list[str], str | None]:
    """The items written on the label's own line, and one kept aside: beside Nơi nhận, words that are no
    "- X" item are hand-writing next to the label, an item only when no list follows."""
    if inline and _BULLET.match(inline):
        return [_BULLET.sub("", inline)], None
    if inline and regex.search(r"\p{L}{2,}", inline, regex.V1):
        if pattern is NOI_NHAN:
            return [], inline  # hand-writing next to the label, unless no list follows
        return [inline], None
    return [], None


OPEN_ENDS = frozenset({"và", "của", "các", "cho", "với", "về", "tại"})
"""Words a recipient's name never ends with, a conjunction or preposition that asks for what follows ("Sở Thông
tin và" / "Truyền thông"): an item read so goes on in the next line, capital or not."""


def _open_ended(item: str) -> bool:
    """Whether ``item`` (not yet terminated) ends with a word of :data:`OPEN_ENDS`."""
    words = item.rstrip().split()
    return bool(words) and not _is_terminated(item) and words[-1].lower() in OPEN_ENDS


def _line_kind(lines: list[Line], at: int, t: str, items: list[str], listed: list[Line],
               pattern: regex.Pattern[str]) -> str:
    """How the line ``lines[at]`` (its text ``t``) counts after a label whose list so far is ``items``, read
    from ``listed`` (the label's line first): "item" (a "- X" item), "bare" (an item whose bullet was lost),
    "more" (it continues the item above), "title" (a signature title with a speck for a bullet), "skip" (the
    other column, the signature block, a garbled item), "scrap" (ink noise), "garbled" (a Nơi nhận line that is
    no item, with the list's filing item still to come: passed over) or "end" (the list is over)."""
    line, noi = lines[at], pattern is NOI_NHAN
    if noi and _beside(line, listed):
        return "skip"  # the other column's text (the body's end, the signature) read between the items
    if _BULLET.match(t) and len(t) > 2:
        return "title" if noi and is_caps_title(t) else "item"
    prev = items[-1] if items else ""
    if noi and items and _LUU_LINE.match(t) and not _LUU.match(prev):
        return "bare"  # "Lưu: VT, …" is an item of its own, the list's last (nd30.md §3.8), its thin dash lost

    continues = regex.match(r"^\p{Ll}", t, regex.V1) or _open_ended(prev) or (noi and (
        t.startswith("(")  # "- Phó Thủ tướng …" / "(báo cáo);"
        or (line.zone is Zone.RECIPIENTS and line.bbox is not None and not is_caps(t) and not is_name(t))))
    if items and continues and len(t) < 120 and (not _is_terminated(prev) or (
            _introduces(prev) and len(t) > 12 and not _garbage(t, 0.5))):
        return "more"
    if is_caps(t) or SIGNER_PREFIX_DOT.match(t) or is_name(t) or regex.match(r"^\(?Đã ký", t):
        return "skip"
    if (items and len(t) <= 3) or _garbage(t, 0.5) or (noi and line.zone is Zone.RECIPIENTS and len(t) <= 12):
        return "scrap"
    if noi and not (items and _LUU.match(items[-1])) and _bullet_follows(lines, at):
        # an item whose bullet the OCR lost still ends with its ";"; a garbled one is passed over: the items
        # below it are still the list's
        return "bare" if t.endswith(";") and not is_caps(t) and not _garbage(t, 0.5) else "skip"
    if noi and not any(_LUU.match(i) for i in items) and _filing_follows(lines, at):
        return "garbled"  # the list is not over before its filing item: seal or signature ink over an item
    return "end"


FILING_REACH = 4
"""Lines after a Nơi nhận line that cannot be read as an item looked at for the list's filing item."""


def _filing_follows(lines: list[Line], at: int) -> bool:
    """Whether one of the next :data:`FILING_REACH` lines with text is the list's filing item ("- Lưu: VT, …",
    its last, nd30.md §3.8)."""
    after = [ln.text.strip() for ln in lines[at + 1 :] if ln.text.strip()][:FILING_REACH]
    return any(_LUU.match(_BULLET.sub("", t)) for t in after)


def items_after_label(lines: list[Line], idx: int, pattern: regex.Pattern[str], max_items: int = 40, *,
                      after_kinh_gui: bool = False) -> Hit:
    """Collect the items after a label line at ``idx``.

    Items are "- X;" lines; a line without a bullet that starts in lower case continues the item above
    when that item is not terminated. Signature-block lines (caps, prefixes, names) between items are
    skipped (two-column OCR), and so are short scraps of a stamp or seal over the list; anything else
    ends the list.

    >>> ls = [Line(t, zone=Zone.RECIPIENTS) for t in ("Nơi nhận:", "z - Lãnh đạo Sở;", "Si GHSE", "~ Thanh tra Sở;")]
    >>> items_after_label(ls, 0, NOI_NHAN).value
    ['Lãnh đạo Sở', 'Thanh tra Sở']

    With ``after_kinh_gui`` (the document has a Kính gửi), a Nơi nhận whose first line is a scrap (a seal
    or signature over it) and whose first item read is not "Như …" gets "Như trên" first: NĐ 30 makes it
    the first item of such a list (nd30.md §3.8), the confidence is lowered so that it is reviewed.

    >>> ls = [Line(t) for t in ("Nơi nhận:", "W>¬4", "- CT, PCT UBND tỉnh;", "- Lưu: VT, NC.")]
    >>> items_after_label(ls, 0, NOI_NHAN, after_kinh_gui=True).value
    ['Như trên', 'CT, PCT UBND tỉnh', 'Lưu: VT, NC']
    """
    m = pattern.match(lines[idx].text)
    assert m is not None
    items, pending_inline = _inline_item(m.group("rest").strip(), pattern)
    raw: list[str] = [lines[idx].text]
    used: list[Line] = []
    skipped = 0
    scrap_first = False  # the first line after the label was a scrap
    garbled = False  # a line above the filing item was passed over
    for at, line in enumerate(lines[idx + 1 :], idx + 1):
        t = line.text.strip()
        if not t:
            continue
        if len(items) >= max_items:
            break
        junk = _JUNK_BULLET.match(t)  # "z - Lãnh đạo Sở;": a speck or a stamp's edge read before the bullet
        if junk and not (pattern is NOI_NHAN and _beside(line, [lines[idx], *used])):
            t = t[junk.end() :]
        kind = _line_kind(lines, at, t, items, [lines[idx], *used], pattern)
        if kind in ("item", "bare"):
            items.append(_BULLET.sub("", t) if kind == "item" else t)
            raw.append(t)
            used.append(line)
            skipped = 0
            continue
        if kind == "more":
            items[-1] = items[-1] + " " + t
            raw.append(t)
            used.append(line)
            continue
        if kind == "title":
            skipped += 1  # the signature block's title with a speck read as its bullet: no item
            continue
        if kind == "end":
            break
        if kind in ("scrap", "garbled"):  # stray marks, page numbers, seal or stamp noise (over the first items, often)
            scrap_first = scrap_first or (not items and not raw[1:])
            garbled = garbled or kind == "garbled"
        skipped += 1
        if skipped > 6:
            break
    if not items and pending_inline:
        items.append(pending_inline)
    cleaned = [clean_item(i) for i in items]
    cleaned = [i for i in cleaned if len(i) >= 4 and not (len(i) < 25 and _garbage(i, 0.67))
               or i.startswith(("Như", "Lưu"))]
    conf = (CONF.list_items if cleaned else CONF.list_empty) * line_conf(used or [lines[idx]])
    if garbled:
        conf = min(conf, CONF.list_item_garbled)
    if after_kinh_gui and pattern is NOI_NHAN and scrap_first and cleaned and not cleaned[0].startswith("Như"):
        cleaned.insert(0, "Như trên")
        conf = min(conf, CONF.list_nhu_tren_inserted)
    page, box = lines_box([lines[idx], *used])  # the label and the lines its items were read from
    return Hit(value=cleaned, raw="\n".join(raw), rule="label_items", conf=conf, page=page, bbox=box)
