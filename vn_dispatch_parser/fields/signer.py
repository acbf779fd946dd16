"""Chức vụ and họ tên người ký (nd30.md §2.6).

The signature block is a run of caps lines — prefix lines ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH") and
the title — followed by the signer's name. ``signer_authority`` is the first prefix; ``signer_position``
is the prefix lines and the title joined with " / " (a title wrapped over two lines is joined by a space).

    >>> parse_signature([Line("KT. GIÁM ĐỐC"), Line("PHÓ GIÁM ĐỐC"), Line(""), Line("Nguyễn Bá Cẩn")]).value
    ('KT.', 'KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC', 'Nguyễn Bá Cẩn', 0.9)
"""

from __future__ import annotations

from functools import cache

import regex
from rapidfuzz import fuzz

from vn_dispatch_parser.config import CONF
from vn_dispatch_parser.core.headings import is_signer_title, is_title_line
from vn_dispatch_parser.core.headings import titles as _titles
from vn_dispatch_parser.core.headings import without_garbled_prefix as _without_garbled_prefix
from vn_dispatch_parser.core.lines import is_name, is_quoc_hieu, is_syllable, line_conf, lines_box
from vn_dispatch_parser.core.names import capital_misread, is_surname
from vn_dispatch_parser.core.normalize import fold
from vn_dispatch_parser.core.tables import load
from vn_dispatch_parser.core.types import Hit, Line
from vn_dispatch_parser.core.vocab import SIGNER_PREFIX

__all__ = ["is_signer_title", "is_title_line", "parse_signature", "signature_quality"]

_PREFIX = SIGNER_PREFIX
_SKIP = regex.compile(r"^\(?\s*(Đã ký|đã ký|Ký|Signed|Chữ ký)", regex.V1)


_DEPUTIES = {"BỘ TRƯỞNG": ("THỨ TRƯỞNG", "THỨ TRƯỞNG THƯỜNG TRỰC")}


def _infer_prefix(segments: list[str]) -> list[str]:
    """A signing prefix lost under the seal, put back from the two titles (NĐ 30 Art. 13): a deputy's title
    under the head's means "KT." ("BỘ TRƯỞNG / THỨ TRƯỞNG" → "KT. BỘ TRƯỞNG / THỨ TRƯỞNG"); the title of the
    head of a unit inside the agency (``by_order_titles`` of data/positions.yaml) under the agency head's
    means "TL." ("BỘ TRƯỞNG / VỤ TRƯỞNG" → "TL. BỘ TRƯỞNG / VỤ TRƯỞNG")."""
    if len(segments) < 2 or _PREFIX.match(segments[-2]):
        return segments
    head, signer = segments[-2], segments[-1]
    if signer == "PHÓ " + head or signer in _DEPUTIES.get(head, ()):
        return [*segments[:-2], f"KT. {head}", signer]
    if signer in _by_order() and head in _heads() and head != signer:
        return [*segments[:-2], f"TL. {head}", signer]
    return segments


@cache
def _by_order() -> frozenset[str]:
    return frozenset(load("positions")["by_order_titles"])


@cache
def _heads() -> frozenset[str]:
    """The titles of an agency's head, whom a unit's head signs for "TL." (the known titles without PHÓ)."""
    return frozenset(t for t in load("positions")["titles"] if not t.startswith("PHÓ ") and t not in _by_order())


def _deputy_title(head: str) -> str:
    """The title of whoever signs for ``head`` as "KT.": the head's deputy (NĐ 30 Art. 13)."""
    return _DEPUTIES[head][0] if head in _DEPUTIES else f"PHÓ {head}"


def _restore_deputy(segments: list[str]) -> list[str]:
    """Under "KT. X" the signer is X's deputy, so a title equal to X there lost its "PHÓ" (read apart from the
    line, or under the seal): "KT. GIÁM ĐỐC / GIÁM ĐỐC" → "KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC"; and a block that ends
    with "KT. X" lost the deputy's title line itself (under the seal or the signature): it is put back.

    >>> _restore_deputy(["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH"])
    ['TM. ỦY BAN NHÂN DÂN', 'KT. CHỦ TỊCH', 'PHÓ CHỦ TỊCH']
    """
    out = list(segments)
    for i in range(len(out) - 1):
        m = _PREFIX.match(out[i])
        if not m or _canonical_prefix(m.group("p")) != "KT.":
            continue
        head = m.group("rest").strip()
        if out[i + 1] == head:
            out[i + 1] = _deputy_title(head)
        elif fold(out[i + 1]) not in _titles() and _garbled_as(out[i + 1], _deputy_title(head)):
            out[i + 1] = _deputy_title(head)  # the deputy's title with a seal's scraps in it
    m = _PREFIX.match(out[-1]) if out else None
    if m and _canonical_prefix(m.group("p")) == "KT." and m.group("rest").strip():
        out.append(_deputy_title(m.group("rest").strip()))
    return out


GARBLED_TITLE = 80
"""How alike (rapidfuzz partial ratio, letters without marks) a title line with scraps in it must be to the title
the block's structure expects there ("XS PHÓ : N HÁN! H VĂN PHÒNG" under "KT. CHÁNH VĂN PHÒNG")."""


def _garbled_as(segment: str, title: str) -> bool:
    """Whether a segment that is no known title reads as ``title`` with scraps of ink in and around it (marks
    that are no letters among its words: a title that only goes on, "PHÓ CHỦ TỊCH THƯỜNG TRỰC", is no scrap)."""
    if not regex.search(r"[^\p{L}\s.]", segment, flags=regex.V1):
        return False
    letters = regex.sub(r"[^\p{L} ]+", " ", fold(segment), flags=regex.V1)
    letters = " ".join(letters.split())
    return len(letters) >= 0.6 * len(title) and fuzz.partial_ratio(fold(title), letters) >= GARBLED_TITLE


def _snap_title(segment: str) -> str:
    """Replace a title OCR garbled slightly ("PHÓ CHỦ TỊC") by the known one; prefixes are kept, and a
    garbled prefix before a known title ("tt. BỘ TRƯỞNG") is dropped (the block's structure restores it)."""
    m = _PREFIX.match(segment)
    prefix, title = (f"{m.group('p')}. ", m.group("rest")) if m else ("", segment)
    key = fold(title)
    titles = _titles()
    if key in titles:
        return prefix + titles[key]
    best = max(titles, key=lambda t: fuzz.ratio(key, t))
    if len(key) >= 6 and fuzz.ratio(key, best) >= (90 if len(key) < 9 else 80):
        return prefix + titles[best]
    return segment


_NAME_TOKEN = regex.compile(r"^[\p{Lu}][\p{Ll}]+$", regex.V1)


def _rescue_name(lines: list[Line], after: Line | None) -> tuple[str, Line] | None:
    """A signer's name that a seal or signature half hid: the last line under the title whose ending is two
    or more name-like words; a garbled first word is matched to a common surname. Always a guess."""
    start = lines.index(after) + 1 if after is not None and after in lines else 0
    for line in reversed(lines[start:]):
        tokens = [regex.sub(r"^[^\p{L}\d]+|[^\p{L}]+$", "", t, flags=regex.V1) for t in line.text.split()]
        tokens = [t for t in tokens if regex.search(r"\p{L}", t, flags=regex.V1)]
        if not tokens or len(tokens) > 7:
            continue
        tail: list[str] = []
        for k, tok in enumerate(reversed(tokens)):
            if _NAME_TOKEN.match(tok):
                tail.insert(0, tok)
            elif k < len(tokens) - 1 and regex.fullmatch(r"\p{Ll}{2,7}", tok, flags=regex.V1) and \
                    is_syllable(tok):
                tail.insert(0, capital_misread(tok))  # a middle name read in lower case ("Lê xấn Dũng")
            else:
                break
        if not tail or len(tokens) > len(tail) + 3:
            continue
        head = "".join(tokens[: len(tokens) - len(tail)])
        # a whole name read after scraps (a surname and two words) takes none of them; "Văn Phúc" is no whole
        # name, though Văn is a surname too
        if head and not (len(tail) >= 3 and is_surname(tail[0])):
            surnames = load("names")["surnames"]
            best = max(surnames, key=lambda s: fuzz.ratio(fold(head), fold(s)))
            if fuzz.ratio(fold(head), fold(best)) >= 50:
                tail.insert(0, best)
        if 2 <= len(tail) <= 5:
            return " ".join(tail), line
    return None


def _hidden_name(lines: list[Line], title_lines: list[Line] | None) -> tuple[str, Line] | None:
    """A name no line read cleanly (:func:`_rescue_name`): under the titles when some were read
    (``title_lines``); when the seal hid the title too, on the block's last line, and only a surname and two
    or three words."""
    if title_lines is not None:
        return _rescue_name(lines, after=title_lines[-1] if title_lines else None)
    rescued = _rescue_name(lines[-1:], after=None)
    if rescued is not None and is_surname(rescued[0].split()[0]) and 3 <= len(rescued[0].split()) <= 4:
        return rescued
    return None


def signature_quality(hit: Hit | None) -> int:
    """How complete a parsed signature block is: one point per known title segment, two for a sure name."""
    if hit is None:
        return 0
    _, position, name, name_conf = hit.value
    titles = _titles()
    known = sum(1 for seg in (position or "").split(" / ")
                if fold(_PREFIX.sub(lambda m: m.group("rest"), seg).strip()) in titles)
    return known + (2 if name and name_conf > 0.5 else 1 if name else 0)


def _canonical_prefix(p: str) -> str:
    return p.upper() + "."


SIGNATURE_SPACE = 2.5
"""A title this many of its line heights below the title above it is past the signature space (NĐ 30: the
titles, the space for the hand signature and the seal, then the name)."""


def _after_signature_space(above: Line, line: Line) -> bool:
    """Whether ``line`` stands past the signature space under ``above`` (boxes on one page; never for text)."""
    a, b = above.bbox, line.bbox
    if a is None or b is None or above.page != line.page:
        return False
    return b.y0 - a.y1 > SIGNATURE_SPACE * max(1, b.height)


def _without_other_office(lines: list[Line]) -> list[Line]:
    """The lines without a title printed past the signature space under the titles, just above the name: the
    signer's other office ("TRƯỞNG BAN" … "CHỦ TỊCH UBND TỈNH" / name), not part of the position."""
    out: list[Line] = []
    last_title: Line | None = None
    for line in lines:
        t = line.text.strip(" *")
        if t and (_PREFIX.match(t) or is_title_line(t)):
            if last_title is not None and _after_signature_space(last_title, line):
                continue
            last_title = line
        elif t and is_name(t):
            last_title = None
        out.append(line)
    return out


def _without_end_stop(rest: str) -> str:
    """A prefix line's authority without a stop or comma at its end ("ỦY BAN NHÂN DÂN." → "ỦY BAN NHÂN DÂN"):
    a title line ends without punctuation (nd30.md §2.6), so one there is a speck. An abbreviation's own
    stop stays ("TP.", "Q.": two letters or fewer)."""
    m = regex.search(r"(\p{L}+)\s*[.,;:]+$", rest, flags=regex.V1)
    return rest[: m.end(1)] if m and len(m.group(1)) >= 3 else rest


def parse_signature(lines: list[Line]) -> Hit | None:
    """Parse a window of lines holding the signature block; value = (authority, position, name)."""
    lines = _without_other_office(lines)
    segments: list[str] = []
    authority: str | None = None
    name: str | None = None
    name_line: Line | None = None
    last_was_prefix = False
    title_lines: list[Line] = []
    block: list[Line] = []  # every line a title segment was read from
    prefix_line: Line | None = None
    title_seen = False
    for line in lines:
        t = line.text.strip(" *")
        if not t or _SKIP.match(t):
            continue
        m = _PREFIX.match(t)
        if m and not name:
            seg = f"{_canonical_prefix(m.group('p'))} {_without_end_stop(m.group('rest').strip())}"
            if authority is None:
                authority = _canonical_prefix(m.group("p"))
                prefix_line = line
            segments.append(seg)
            last_was_prefix = True
            title_seen = True
            title_lines.append(line)
            block.append(line)
            continue
        if is_title_line(t) and not name:
            t = _without_garbled_prefix(t.strip(" .:;"))
            both_titles = (bool(segments) and fold(_snap_title(segments[-1])) in _titles()
                           and fold(_snap_title(t)) in _titles())
            if segments and not last_was_prefix and not both_titles:
                segments[-1] = segments[-1] + " " + t  # a title wrapped over two lines
            else:
                segments.append(t)
            last_was_prefix = False
            title_seen = True
            title_lines.append(line)
            block.append(line)
            continue
        if (segments and not name and not last_was_prefix and regex.fullmatch(r"[\p{Lu} .]{4,30}", t, flags=regex.V1)
                and len(t.split()) <= 4 and not is_quoc_hieu(t)):
            segments[-1] = segments[-1] + " " + t.strip(" .:;")  # "GIÁM ĐỐC SỞ" / "NỘI VỤ"
            block.append(line)
            continue
        if (segments and not name and last_was_prefix and regex.fullmatch(r"[\p{Lu} .]{4,40}", t, flags=regex.V1)
                and len(t.split()) <= 5 and not is_quoc_hieu(t)):
            segments.append(t.strip(" .:;"))  # a title the vocabulary does not know, under its prefix
            last_was_prefix = False
            block.append(line)
            continue
        if is_name(t):
            name = t.strip(" .,;")
            name_line = line
            if title_seen:
                break
    guessed = False
    if name is None and (rescued := _hidden_name(lines, title_lines if title_seen else None)) is not None:
        name, name_line = rescued
        guessed = True
    if not segments and not name:
        return None
    read = len(segments)
    segments, guessed_title, inferred = _repair_titles(segments)
    if inferred and authority is None:
        authority = inferred
    if authority is None and segments and (lead := _PREFIX.match(segments[0])):
        authority = _canonical_prefix(lead.group("p"))  # the first prefix is the authority, wherever it was read
        # (": Q. GIÁM ĐỐC": a scrap before it kept the line from being read as a prefix line)
    position = " / ".join(s for s in segments if s) or None
    # a deputy's title line put back (_restore_deputy) caps the score: a person checks it
    cap = CONF.signer_title_put_back if len(segments) > read else 1.0
    conf = min(cap, (CONF.signer_full if (position and name) else CONF.signer_partial) * line_conf(title_lines)
               * (CONF.signer_title_guessed if guessed_title else 1.0))
    name_conf = _name_conf(name, name_line, bool(position), guessed)
    raw = " / ".join(segments + ([name] if name else []))
    hit = Hit(value=(authority, position, name, name_conf), raw=raw, rule="signature_block", conf=conf)
    _locate(hit, block, name_line, prefix_line)
    return hit


def _repair_titles(segments: list[str]) -> tuple[list[str], bool, str | None]:
    """The block's title segments cleaned of OCR noise, snapped to the known titles and given a lost prefix
    (:func:`_infer_prefix`); whether a title was guessed so, and the prefix put back ("KT.", "TL.") if any."""
    # scraps of ink before a title: non-letters, and a first word holding a digit ("Z5 ĐỤC TRƯỜNG"), which no
    # title word does
    cleaned = [regex.sub(r"^[^\p{L}]+|^\S*\d\S*\s+(?=\p{Lu})|[^\p{L}.]+$", "", s, flags=regex.V1) for s in segments]
    snapped = [_snap_title(s) for s in cleaned]
    inferred = _infer_prefix(snapped)
    repaired = _restore_deputy(inferred)
    prefix = _PREFIX.match(inferred[-2]) if inferred != snapped else None
    return repaired, snapped != cleaned or repaired != snapped, _canonical_prefix(prefix.group("p")) if prefix else None


def _name_conf(name: str | None, name_line: Line | None, with_title: bool, guessed: bool) -> float:
    """The signer name's confidence: its line's OCR confidence, less without a title above it, capped for a
    name rescued from under a seal (``guessed``) or holding a word that is no Vietnamese syllable."""
    name_conf = ((CONF.signer_name_with_title if with_title else CONF.signer_name_alone) * line_conf([name_line])
                 if name_line else 0.0)
    if guessed:
        name_conf = min(name_conf, CONF.signer_name_guessed)
    if name and not all(is_syllable(w) or "'" in w for w in name.split()[-3:]):
        name_conf = min(name_conf, CONF.signer_name_guessed)  # a word that is no Vietnamese syllable ("Pkam"): misread
    return name_conf


def _locate(hit: Hit, block: list[Line], name_line: Line | None, prefix_line: Line | None) -> None:
    """Where a signature block was read: its title lines (authority and position); the name's own line
    and the authority's prefix line as parts."""
    hit.page, hit.bbox = lines_box(block or ([name_line] if name_line else []))
    if name_line is not None and block:
        hit.parts["name"] = (name_line.page, name_line.bbox)
    if prefix_line is not None:
        hit.parts["authority"] = (prefix_line.page, prefix_line.bbox)
