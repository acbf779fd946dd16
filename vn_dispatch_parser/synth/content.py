"""Build the document specs of one sample from its seed: agency, header fields, body, marks.

``build_file`` returns one ``DocSpec`` per document in the file (two for a bundle: a forwarding
công văn followed by the forwarded document).
"""

from __future__ import annotations

import datetime as dt
import random

from vn_dispatch_parser.synth import tables
from vn_dispatch_parser.synth.agencies import Agency, person, pick_agency, pick_signer, signature_styles
from vn_dispatch_parser.synth.body import Writer, date_short
from vn_dispatch_parser.synth.model import DOC_KINDS, DocSpec, Features, IncomingStampSpec, Marks, Para

__all__ = ["build_document", "build_file"]

_KIND_WEIGHTS = {"CV": 0.42, "QĐ": 0.15, "KH": 0.1, "TB": 0.1, "TTr": 0.09, "BC": 0.08, "CT": 0.06}
_ITEMS = {1: (2, 3), 2: (7, 9), 3: (13, 15)}


def _fmt(template: str, ctx: dict[str, str]) -> str:
    for key, value in ctx.items():
        template = template.replace("{" + key + "}", value)
    return template


def _working_day(rng: random.Random, year: int) -> dt.date:
    last = dt.date(2026, 6, 30) if year >= 2026 else dt.date(year, 12, 28)
    day = dt.date(year, 1, 3) + dt.timedelta(days=rng.randint(0, (last - dt.date(year, 1, 3)).days))
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


def _choose_agency(
    rng: random.Random, feats: Features, kind: str, date: dt.date, province: str | None
) -> Agency:
    allowed = tables.load("agencies")["kinds_allowed"]
    for _ in range(400):
        agency = pick_agency(rng, date, feats.level, province)
        if kind in allowed[agency.kind] and signature_styles(agency, feats.signature):
            return agency
    raise ValueError(f"no agency fits kind={kind} level={feats.level} signature={feats.signature}")


def _number(rng: random.Random, agency: Agency, kind: str, date: dt.date) -> str:
    data = tables.load("agencies")
    rate = float(data["daily_rate"].get(agency.level, 4)) * float(data["kind_rate"][kind])
    n = max(1, round(date.timetuple().tm_yday * 5 / 7 * rate * rng.uniform(0.6, 1.3)))
    return f"{n:02d}"


def _subject(rng: random.Random, kind: str, agency: Agency, date: dt.date) -> tuple[str, list[str]]:
    options = tables.load("subjects")[kind]
    fits = [s for s in options if set(s["domains"]) & set(agency.domains) - {"chung"}]
    fits = fits if fits and rng.random() < 0.7 else [s for s in options if "chung" in s["domains"]]
    entry = rng.choice(fits or options)
    y = date.year
    ctx = {
        "year": str(y),
        "year1": str(y + 1),
        "yearm1": str(y - 1),
        "year5": str(y + 5),
        "month": str(max(1, date.month - 1)),
        "quarter": ["I", "II", "III", "IV"][(date.month - 1) // 3],
        "day": str(max(1, date.day - 1)),
        "level": agency.ctx["level"],
        "short": agency.short,
    }
    domains = [d for d in entry["domains"] if d in agency.domains] or list(agency.domains)
    return _fmt(str(entry["text"]), ctx), domains


def _addressees(
    rng: random.Random, feats: Features, kind: str, agency: Agency, date: dt.date
) -> tuple[list[str], str]:
    form = feats.addressees
    if form is None:
        if kind == "CV":
            form = rng.choice(["single", "list"])
        elif kind in {"TTr", "BC"}:
            form = "single" if rng.random() < 0.8 else "none"
        elif kind == "TB":
            form = "list" if rng.random() < 0.25 else "none"
        else:
            form = "none"
    if form == "none":
        return [], "none"
    data = tables.load("phrases")["addressees"]
    merged = date >= tables.load("provinces")["merger_date"]
    ctx = {"level": agency.ctx["level"], "short": agency.short, "parent_short": agency.parent_short or ""}
    if kind in {"TTr", "BC"} and form == "single":
        group = (
            "central"
            if agency.central
            else "ubnd"
            if agency.kind == "ubnd"
            else ("unit" if agency.level == "unit" else "local")
        )
        pool = list(data["upward"][group])
    elif agency.central:
        pool = list(data["central"])
    elif agency.level in {"district", "commune", "division"}:
        pool = list(data["district"])
    else:
        pool = [] if agency.level == "unit" else list(data["local_post2025" if merged else "local"])
        if agency.level == "unit":
            pool += list(data["internal_unit"])
        elif agency.short.startswith("Sở "):
            pool += list(data["internal"])
    names = [_fmt(str(p), ctx) for p in pool]
    names = [n for n in dict.fromkeys(names) if n and n.lower() != agency.short.lower()]
    rng.shuffle(names)
    count = 1 if form == "single" else rng.randint(2, min(5, len(names)))
    return names[:count], form


def _recipients(rng: random.Random, kind: str, agency: Agency, addressed: bool, unit: str) -> list[str]:
    data = tables.load("phrases")["recipients"]
    ctx = {
        "level": agency.ctx["level"],
        "prov": agency.ctx["prov"],
        "parent_short": agency.parent_short or "",
    }
    group = (
        "central"
        if agency.central
        else "unit"
        if agency.level == "unit"
        else "district"
        if agency.level in {"district", "commune", "division"}
        else "department"
        if agency.short.startswith("Sở ")
        else "local"
    )
    pool = [_fmt(str(p), ctx) for p in data[group]]
    rng.shuffle(pool)
    first = ["Như Điều 3"] if kind == "QĐ" else ["Như trên"] if addressed else []
    last = f"Lưu: VT, {unit}"
    roll = rng.random()
    if roll < 0.25:
        last += f" ({rng.choice(data['drafter_initials'])})"
    elif roll < 0.4:
        last += f". {rng.choice(data['drafter_initials'])}"
    return first + pool[: rng.randint(2, 5)] + [last]


def _stamp(
    rng: random.Random, feats: Features, agency: Agency, issued: dt.date, draft: bool
) -> IncomingStampSpec | None:
    ink = feats.stamp_ink
    if ink is None:
        ink = rng.choice(["red", "blue", "violet"]) if rng.random() < 0.35 and not draft else "none"
    if ink == "none":
        return None
    receivers = tables.load("agencies")["receivers"]
    options = [str(r) for r in receivers]
    receiver: str | None = _fmt(rng.choice(options), agency.region)
    if receiver is not None and (receiver in agency.issuer or "{" in receiver or rng.random() < 0.1):
        receiver = None
    got = issued + dt.timedelta(days=rng.randint(1, 8))
    style = rng.choice(["dm", "dm", "dmy", "dmyy", "ddmy"])
    if got.year != issued.year or draft:
        style = rng.choice(["dmy", "dmyy"])
    text = {
        "dm": f"{got.day}/{got.month}",
        "dmy": f"{got.day}/{got.month}/{got.year}",
        "dmyy": f"{got.day}/{got.month}/{got.year % 100:02d}",
        "ddmy": f"{got.day:02d}/{got.month}/{got.year}",
    }[style]
    number = str(max(1, round(got.timetuple().tm_yday * rng.uniform(3, 40))))
    note = None
    if rng.random() < 0.5:
        note = _fmt(
            str(rng.choice(tables.load("phrases")["notes"])),
            {"unit": rng.choice(agency.units), "given": person(rng)[1]},
        )
    return IncomingStampSpec(receiver, number, text, got, ink, note)


def _marks(rng: random.Random, feats: Features, agency: Agency, issued: dt.date, draft: bool) -> Marks:
    hand = (feats.handwritten if feats.handwritten is not None else rng.random() < 0.55) and not draft
    urgency = (
        feats.urgency
        if feats.urgency is not None
        else (rng.choices(["KHẨN", "THƯỢNG KHẨN", "HỎA TỐC"], [6, 2, 2])[0] if rng.random() < 0.1 else "")
    )
    secret = (
        feats.confidentiality if feats.confidentiality is not None else ("MẬT" if rng.random() < 0.04 else "")
    )
    want_notes = feats.notes if feats.notes is not None else rng.random() < 0.3
    notes = []
    if want_notes:
        for _ in range(rng.randint(1, 2)):
            tpl = str(rng.choice(tables.load("phrases")["notes"]))
            notes.append(_fmt(tpl, {"unit": rng.choice(agency.units), "given": person(rng)[1]}))
    return Marks(
        hand_number=hand,
        hand_day=hand and rng.random() < 0.85,
        pen=feats.pen or rng.choices(["blue", "black", "red"], [6, 2, 2])[0],
        seal=not draft,
        signature=not draft,
        stamp=_stamp(rng, feats, agency, issued, draft),
        notes=notes,
        urgency=urgency or None,
        confidentiality=secret or None,
    )


def build_document(
    rng: random.Random,
    feats: Features,
    *,
    date: dt.date | None = None,
    province: str | None = None,
    forward: DocSpec | None = None,
) -> DocSpec:
    """Build one document.

    Args:
        rng: The sample's random generator.
        feats: What to exercise.
        date: Force the issue date.
        province: Prefer an issuer of this province.
        forward: The forwarded document, when this one is the cover công văn of a bundle.
    """
    kind = feats.kind or rng.choices(list(_KIND_WEIGHTS), list(_KIND_WEIGHTS.values()))[0]
    date = date or _working_day(rng, feats.year or rng.randint(2018, 2026))
    agency = _choose_agency(rng, feats, kind, date, province)
    draft = feats.draft
    type_name, type_code = DOC_KINDS[kind]
    number = None if draft else _number(rng, agency, kind, date)
    unit = rng.choice(agency.units)
    symbol = f"{agency.code}-{unit}" if type_code is None else f"{type_code}-{agency.code}"
    if kind == "QĐ" and agency.kind == "ubnd" and rng.random() < 0.15:
        symbol, number = f"{date.year}/{symbol}", (None if draft else f"{rng.randint(1, 60):02d}")
    marks = _marks(rng, feats, agency, date, draft)
    number_gap = draft or marks.hand_number or rng.random() < 0.35
    subject, domains = _subject(rng, kind, agency, date)
    if forward is not None:
        fwd = forward.references[0]
        subject = f"triển khai thực hiện {fwd['type']} số {fwd['number_symbol']} của {forward_short(forward)}"
    addressees, form = _addressees(rng, feats, kind, agency, date)
    addr = (
        "các cơ quan, đơn vị"
        if form != "single"
        else addressees[0][:1].lower() + addressees[0][1:]
        if addressees[0].startswith("Các ")
        else addressees[0]
    )
    writer = Writer(rng, agency, date, addr, subject, domains)
    pages = feats.pages or rng.choices([1, 2, 3], [6, 3, 1])[0]
    n_items = rng.randint(*_ITEMS[max(1, min(3, pages))])
    signer = pick_signer(rng, agency, feats.signature)
    preamble: list[Para] = []
    authority = None
    if forward is not None:
        body = [Para(f"Thực hiện {forward.references[0]['text']}.")]
        writer.refs.append({k: forward.references[0][k] for k in ("type", "number_symbol", "date")})
        body += [Para(f"{agency.short} sao gửi văn bản nêu trên đến {addr} để biết và triển khai thực hiện.")]
        body += writer.items(n_items) + [
            Para(writer.pick("sentences")),
            Para(f"Đề nghị {addr} nghiêm túc thực hiện./."),
        ]
    elif kind == "QĐ":
        authority = agency.issuer if signer.lines[0].startswith("TM.") else agency.authority
        proposer = rng.choice(["Chánh Văn phòng", "Trưởng phòng Tổ chức cán bộ", "Giám đốc Sở Nội vụ"])
        if agency.central:
            proposer = "Chánh Văn phòng Bộ" if agency.level == "central" else "Chánh Văn phòng"
        preamble, body = writer.decision(0 if pages == 1 else n_items, proposer)
    else:
        body = writer.body(kind, n_items)
    printed = f"V/v {subject}" + ("." if rng.random() < 0.15 else "") if kind == "CV" else subject
    month_blank = draft and rng.random() < 0.4
    return DocSpec(
        kind=kind,
        doc_type=type_name,
        parent=agency.parent,
        issuer=agency.issuer,
        issuer_lines=agency.lines,
        seal_text=agency.seal_text,
        number=number,
        symbol=symbol,
        number_gap=number_gap,
        place=agency.place,
        date=None if draft else date,
        day_blank=draft,
        month_blank=month_blank,
        year=date.year,
        subject=subject,
        subject_printed=printed,
        authority_line=authority,
        preamble=preamble,
        addressees=addressees,
        addressee_form=form,
        body=body,
        recipients=_recipients(
            rng, kind, agency, bool(addressees), unit if type_code is None else rng.choice(agency.units)
        ),
        signer=signer,
        references=writer.refs,
        marks=marks,
        draft_label=draft and rng.random() < 0.6,
    )


def forward_short(doc: DocSpec) -> str:
    """How a cover letter names the forwarded document's issuer ("UBND tỉnh")."""
    if doc.issuer.startswith("ỦY BAN NHÂN DÂN"):
        return "UBND " + doc.issuer.removeprefix("ỦY BAN NHÂN DÂN ").split(" ")[0].lower()
    return doc.issuer[:1] + doc.issuer[1:].lower()


def build_file(rng: random.Random, feats: Features) -> list[DocSpec]:
    """The documents of one sample file: one, or two for a bundle (cover công văn + forwarded).

    Args:
        rng: The sample's random generator.
        feats: What to exercise; for a bundle ``kind`` and ``pages`` apply to the forwarded
            document and the marks (ĐẾN stamp, hand-written values, notes) to the cover letter.
    """
    if not feats.bundle:
        return [build_document(rng, feats)]
    inner = Features(
        kind=feats.kind or rng.choice(["KH", "QĐ", "CT", "TB"]),
        level="province",
        pages=feats.pages or 1,
        year=feats.year,
        handwritten=feats.handwritten,
        stamp_ink="none",
        urgency="",
        confidentiality="",
        notes=False,
        pen=feats.pen,
    )
    forwarded = build_document(rng, inner)
    assert forwarded.date is not None and forwarded.number_symbol is not None
    ref_date = forwarded.date
    forwarded.references.insert(
        0,
        {
            "type": forwarded.doc_type[:1] + forwarded.doc_type[1:].lower(),
            "number_symbol": forwarded.number_symbol,
            "date": ref_date.isoformat(),
            "text": f"{forwarded.doc_type[:1] + forwarded.doc_type[1:].lower()} số {forwarded.number_symbol} "
            f"ngày {date_short(ref_date, False)} của {forward_short(forwarded)} về việc "
            f"{forwarded.subject[:1].lower() + forwarded.subject[1:]}".replace("về việc về việc", "về việc"),
        },
    )
    outer = Features(
        kind="CV",
        level=rng.choice(["department", "unit", "district" if ref_date.year < 2025 else "commune"]),
        addressees=feats.addressees,
        signature=feats.signature,
        pages=1,
        handwritten=feats.handwritten,
        stamp_ink=feats.stamp_ink,
        urgency=feats.urgency,
        confidentiality=feats.confidentiality,
        notes=feats.notes,
        pen=feats.pen,
    )
    prov = forwarded.issuer.split(" TỈNH ")[-1].split(" THÀNH PHỐ ")[-1].title()
    cover_date = ref_date + dt.timedelta(days=rng.randint(3, 12))
    cover = build_document(rng, outer, date=cover_date, province=_province_name(prov), forward=forwarded)
    forwarded.references.pop(0)
    return [cover, forwarded]


def _province_name(title: str) -> str | None:
    """Match a title-cased province back to its written name (``Bà Rịa - Vũng Tàu``)."""
    data = tables.load("provinces")
    for entry in data["before_2025"] + data["after_2025"]:
        if str(entry["name"]).lower() == title.lower():
            return str(entry["name"])
    return None
