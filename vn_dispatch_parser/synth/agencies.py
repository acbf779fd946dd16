"""Pick an issuing agency, its place, a signer and a signature style from the data tables."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from vn_dispatch_parser.synth import tables
from vn_dispatch_parser.synth.model import Signer

__all__ = ["Agency", "LEVELS", "person", "pick_agency", "pick_signer", "sentence_case"]

#: Issuer levels and their default weights.
LEVELS: dict[str, float] = {
    "province": 0.24,
    "council": 0.03,
    "department": 0.3,
    "unit": 0.1,
    "district": 0.08,
    "commune": 0.05,
    "central": 0.12,
    "central_dept": 0.08,
}


@dataclass
class Agency:
    """An issuing body at a given date, with everything needed to write about it.

    ``ctx`` fills the issuer's placeholders (empty province for central bodies); ``region`` is
    always a province context (where a receiving office of its documents may be).
    """

    issuer: str
    lines: list[str] | None
    parent: str | None
    short: str
    parent_short: str | None
    code: str
    units: list[str]
    kind: str
    domains: list[str]
    place: str
    level: str
    ctx: dict[str, str]
    seal_text: str
    region: dict[str, str]

    @property
    def head(self) -> str:
        """The head's caps title (``GIÁM ĐỐC``)."""
        return str(tables.load("agencies")["heads"][self.kind])

    @property
    def head_phrase(self) -> str:
        """The head in a sentence (``Giám đốc Sở Y tế``, ``Chánh Thanh tra tỉnh``)."""
        return _head_of(sentence_case(self.head), self.short)

    @property
    def authority(self) -> str:
        """The thẩm quyền line of a Quyết định (``GIÁM ĐỐC SỞ Y TẾ``)."""
        return _head_of(self.head, self.issuer).upper()

    @property
    def central(self) -> bool:
        """Whether this is a central (ministry-level) body."""
        return self.level in {"central", "central_dept"}


def _head_of(head: str, body: str) -> str:
    """``Chánh Thanh tra`` + ``Thanh tra tỉnh`` -> ``Chánh Thanh tra tỉnh`` (no repeated words)."""
    words = head.split()
    for k in range(1, len(words)):
        tail = " ".join(words[k:])
        if body.lower().startswith(tail.lower()):
            return f"{' '.join(words[:k])} {body}"
    return f"{head} {body}"


def sentence_case(text: str) -> str:
    """``"GIÁM ĐỐC"`` -> ``"Giám đốc"``."""
    return text[:1] + text[1:].lower()


def _valid(entry: dict[str, Any], date: dt.date) -> bool:
    start, end = entry.get("from"), entry.get("until")
    return (start is None or date >= start) and (end is None or date <= end)


def _fill(text: str, ctx: dict[str, str]) -> str:
    for key, value in ctx.items():
        text = text.replace("{" + key + "}", value)
    return text


def _unit_name(kind: str, name: str) -> str:
    return name if name.lower().startswith(kind.lower()) else f"{sentence_case(kind)} {name}"


def _province(
    rng: random.Random, date: dt.date, name: str | None = None
) -> tuple[dict[str, Any], dict[str, str], str]:
    prov = tables.load("provinces")
    merged = date >= prov["merger_date"]
    entries = prov["after_2025" if merged else "before_2025"]
    entry = next((e for e in entries if e["name"] == name), None) or rng.choice(entries)
    level = str(entry["kind"])
    name = str(entry["name"])
    ctx = {"LEVEL": level.upper(), "level": level, "PROV": name.upper(), "prov": name}
    if merged:
        ward = str(rng.choice(entry["wards"]))
        ward = ward[:1].lower() + ward[1:]
        ctx.update(WARD=ward.upper(), ward=ward, DISTRICT_OR_WARD=ward.upper())
    else:
        dkind, dname = rng.choice(entry["districts"])
        dist = _unit_name(str(dkind), str(dname))
        ctx.update(DIST=dist.upper(), dist=dist, DISTRICT_OR_WARD=dist.upper())
    place = "Thành phố Hồ Chí Minh" if name == "Hồ Chí Minh" else name
    return entry, ctx, place


def _strip_kind(name: str) -> str:
    """``huyện Bình Sơn`` -> ``Bình Sơn``; ``Quận 1`` stays (units named by a number)."""
    for prefix in ("phường ", "xã ", "huyện ", "thị xã ", "thành phố ", "quận "):
        rest = name[len(prefix) :]
        if name.lower().startswith(prefix) and not rest[:1].isdigit():
            return rest
    return name


def _pick_level(rng: random.Random, date: dt.date, level: str | None) -> str:
    merged = date >= tables.load("provinces")["merger_date"]
    if level is None:
        weights = dict(LEVELS)
        weights.pop("commune" if not merged else "district")
        level = rng.choices(list(weights), weights=list(weights.values()))[0]
    if level == "district" and merged:
        level = "commune"
    if level == "commune" and not merged:
        level = "district"
    return level


def pick_agency(
    rng: random.Random, date: dt.date, level: str | None = None, province: str | None = None
) -> Agency:
    """Choose an issuing body valid at ``date``.

    Args:
        rng: The sample's random generator.
        date: Issue date (decides pre- or post-2025 names).
        level: One of ``LEVELS`` or ``None`` for a weighted choice.
        province: Keep this province (its name as written) when it exists at ``date``.
    """
    data = tables.load("agencies")
    level = _pick_level(rng, date, level)
    _, ctx, place = _province(rng, date, province)
    region = dict(ctx)
    parent = parent_short = None
    lines: list[str] | None = None
    if level in {"central", "central_dept"}:
        ministries = [m for m in data["ministries"] if _valid(m, date)]
        entry = rng.choice(ministries)
        place, ctx = "Hà Nội", {"LEVEL": "TỈNH", "level": "tỉnh", "PROV": "", "prov": ""}
        if level == "central_dept":
            subs = [d for d in data["central_departments"] if _valid(d, date)]
            sub = rng.choice(subs)
            parent, parent_short = (
                str(sub["parent"]),
                next(str(m["short"]) for m in data["ministries"] if m["name"] == sub["parent"]),
            )
            entry = {"kind": "department_central", **sub}
        kind = str(entry.get("kind", "ministry"))
        issuer = str(entry["name"])
        seal = issuer if parent is None else f"{parent} * {issuer}"
    else:
        if level in {"province", "council"}:
            entry = data["province_committee" if level == "province" else "province_council"]
            issuer = _fill(entry["name"], ctx)
            lines = [issuer.split(" " + ctx["LEVEL"] + " ")[0], f"{ctx['LEVEL']} {ctx['PROV']}"]
        elif level in {"district", "commune"}:
            entry = data["district_committee" if level == "district" else "commune_committee"]
            issuer = _fill(entry["name"], ctx)
            local = ctx["DIST"] if level == "district" else ctx["WARD"]
            lines = ["ỦY BAN NHÂN DÂN", local]
            place = _strip_kind(ctx["dist"] if level == "district" else ctx["ward"])
        elif level == "department":
            entry = rng.choice([d for d in data["departments"] if _valid(d, date)])
            issuer = _fill(entry["name"], ctx)
            parent, parent_short = _fill("UBND {LEVEL} {PROV}", ctx), _fill("UBND {level} {prov}", ctx)
        elif level == "unit":
            entry = rng.choice([d for d in data["department_units"] if _valid(d, date)])
            issuer = _fill(entry["name"], ctx)
            parent = _fill(f"{entry['parent']} {{LEVEL}} {{PROV}}", ctx)
            parent_short = next(str(d["short"]) for d in data["departments"] if d["name"] == entry["parent"])
        else:  # district division
            entry = rng.choice(data["district_divisions"])
            issuer = _fill(entry["name"], ctx)
            parent, parent_short = f"UBND {ctx['DIST']}", f"UBND {ctx['dist']}"
            place = _strip_kind(ctx["dist"])
            level = "division"
        kind = str(entry.get("kind", "department"))
        province = f"{ctx['LEVEL']} {ctx['PROV']}"
        seal = issuer if issuer.endswith(province) else f"{issuer} * {province}"
    units = [str(u) for u in entry.get("units", ["VP"])]
    return Agency(
        issuer=issuer,
        lines=lines,
        parent=parent,
        short=_fill(str(entry.get("short", issuer)), ctx),
        parent_short=parent_short,
        code=str(entry["code"]),
        units=units,
        kind=kind,
        domains=[str(d) for d in entry.get("domains", ["chung"])],
        place=place,
        level=level,
        ctx=ctx,
        seal_text=seal,
        region=region,
    )


def person(rng: random.Random) -> tuple[str, str]:
    """A Vietnamese full name and its given name."""
    people = tables.load("people")
    sex = "female" if rng.random() < float(people["female_share"]) else "male"
    given = str(rng.choice(people["given"][sex]))
    name = f"{rng.choice(people['surnames'])} {rng.choice(people['middle'][sex])} {given}"
    return name, given


def signature_styles(agency: Agency, prefix: str | None) -> list[list[str]]:
    """The agency's signature styles that match a requested prefix (``None`` = any).

    Args:
        agency: The issuing body.
        prefix: ``""`` for no prefix, ``"KT."`` etc., or a stack like ``"TM./KT."``.
    """
    styles = [list(s) for s in tables.load("agencies")["signature_styles"][agency.kind]]
    if prefix is None:
        return styles
    wanted = [p for p in prefix.split("/") if p]
    out = []
    for style in styles:
        heads = [line.split(" ", 1)[0] for line in style]
        prefixes = [h for h in heads if h.endswith(".")]
        if prefixes == [w if w.endswith(".") else w + "." for w in wanted]:
            out.append(style)
    return out


def pick_signer(rng: random.Random, agency: Agency, prefix: str | None) -> Signer:
    """A signer with a signature style of the agency matching ``prefix``.

    Raises:
        ValueError: The agency has no style with that prefix.
    """
    styles = signature_styles(agency, prefix)
    if not styles:
        raise ValueError(f"{agency.kind} has no signature style {prefix!r}")
    return Signer(lines=rng.choice(styles), name=person(rng)[0])
