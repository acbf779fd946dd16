"""Body text of the synthetic documents: paragraphs by kind, with the documents they cite.

Every citation printed in the body is recorded (``Writer.refs``) as a truth reference
``{type, number_symbol, date}``, in order of first appearance.
"""

from __future__ import annotations

import datetime as dt
import random
import re

from vn_dispatch_parser.synth import tables
from vn_dispatch_parser.synth.agencies import Agency
from vn_dispatch_parser.synth.model import Para

__all__ = ["Writer", "date_long", "date_short"]

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def date_long(d: dt.date) -> str:
    """``ngày 05 tháng 3 năm 2020`` with the NĐ 30 zero rule (day < 10, months 1 and 2)."""
    month = f"{d.month:02d}" if d.month <= 2 else str(d.month)
    return f"ngày {d.day:02d} tháng {month} năm {d.year}"


def date_short(d: dt.date, pad: bool) -> str:
    """``23/10/2023`` or, with ``pad``, zero-padded ``05/03/2023``."""
    return f"{d.day:02d}/{d.month:02d}/{d.year}" if pad else f"{d.day}/{d.month}/{d.year}"


class Writer:
    """Fills phrase templates for one document and records what it cites.

    Args:
        rng: The sample's random generator.
        agency: The issuing body.
        date: The issue date (or the date the draft was written).
        addr: How the body refers to its addressees ("các cơ quan, đơn vị").
        subject: The printed trích yếu.
        domains: Topic domains (the issuer's, narrowed by the subject).
    """

    def __init__(
        self, rng: random.Random, agency: Agency, date: dt.date, addr: str, subject: str, domains: list[str]
    ) -> None:
        self.rng = rng
        self.agency = agency
        self.date = date
        self.refs: list[dict[str, str | None]] = []
        self.phrases = tables.load("phrases")
        topics = [t for d in domains for t in self.phrases["topics"].get(d, [])]
        self.topic = str(rng.choice(topics or self.phrases["topics"]["chung"]))
        lc = subject[:1].lower() + subject[1:]
        self.ctx = {
            "short": agency.short,
            "head": agency.head_phrase,
            "level": agency.ctx["level"],
            "prov": agency.ctx["prov"],
            "addr": addr,
            "subject_lc": lc,
            "parent_short": agency.parent_short or agency.short,
        }

    def _value(self, key: str) -> str:
        rng, date = self.rng, self.date
        if key == "cite":
            return self.cite()
        if key == "cite_local":
            return self.cite(scope=None if self.agency.central else "local")
        if key == "topic":
            return self.topic
        if key == "deadline":
            return date_short(date + dt.timedelta(days=rng.randint(10, 60)), rng.random() < 0.5)
        if key == "pct":
            return str(rng.randint(62, 100))
        if key == "k":
            return str(rng.randint(3, 40))
        if key == "money":
            return f"{rng.randint(120, 9800):,}".replace(",", ".")
        if key == "unit":
            return str(rng.choice(self.agency.units))
        if key == "mday":
            return date_short(date - dt.timedelta(days=rng.randint(2, 9)), False)
        if key == "leader":
            return f"đồng chí {self.agency.head_phrase}"
        return self.ctx.get(key, "{" + key + "}")

    def fill(self, template: str) -> str:
        """Replace the placeholders of a template; each ``{cite}`` cites a new document."""
        return _PLACEHOLDER.sub(lambda m: self._value(m.group(1)), template)

    def pick(self, key: str) -> str:
        """Fill a random template of the phrase list ``key``."""
        return self.fill(str(self.rng.choice(self.phrases[key])))

    def cite(self, long_date: bool = False, scope: str | None = None) -> str:
        """A citation ``<Loại> số <số/ký hiệu> ngày <date> của <cơ quan> …``, recorded as a reference.

        Args:
            long_date: Write the date as ``ngày 29 tháng 9 năm 2023``.
            scope: Restrict to ``central`` citations.
        """
        rng = self.rng
        options = [c for c in self.phrases["citations"] if scope in (None, c["scope"])]
        if self.agency.central:
            options = [c for c in options if c["scope"] == "central"]
        taken = {r["number_symbol"] for r in self.refs}
        for _ in range(20):
            c = rng.choice(options)
            when = self.date - dt.timedelta(days=rng.randint(5, 700 if "{y}" in c["fmt"] else 300))
            values = {
                "n": f"{rng.randint(1, int(c['max'])):02d}",
                "y": str(when.year),
                "unit": str(rng.choice(["NC", "VX", "KT", "TH", "KGVX"])),
                "code": self.agency.code,
            }
            ns = _PLACEHOLDER.sub(lambda m, v=values: v[m.group(1)], str(c["fmt"]))  # type: ignore[misc]
            if ns not in taken:
                break
        by = self.fill(str(c["by"]))
        if by == "Tỉnh ủy" and self.agency.ctx["level"] == "thành phố":
            by = "Thành ủy"
        about = self.fill(str(c["about"]))
        joiner = (
            " " if about.split(" ", 1)[0] in {"quy", "hướng", "phê", "ban", "những", "thực"} else " về việc "
        )
        when_text = date_long(when) if long_date else "ngày " + date_short(when, rng.random() < 0.3)
        self.refs.append({"type": str(c["type"]), "number_symbol": ns, "date": when.isoformat()})
        return f"{c['type']} số {ns} {when_text} của {by}{joiner}{about}"

    # -- bodies by kind ---------------------------------------------------------------------

    def items(self, n: int, key: str = "actions") -> list[Para]:
        """``n`` numbered paragraphs from the phrase list ``key`` (no repeats while possible)."""
        pool = list(self.phrases[key])
        self.rng.shuffle(pool)
        return [Para(f"{i + 1}. {self.fill(str(pool[i % len(pool)]))}") for i in range(n)]

    def body(self, kind: str, n: int) -> list[Para]:
        """The body of a document of ``kind`` with about ``n`` numbered items."""
        rng, closing = self.rng, self.fill(str(rng_choice(self.rng, self.phrases["closings"][kind])))
        if kind == "CV":
            openings = [o for o in self.phrases["openings"] if not (self.agency.central and "nhân dân" in o)]
            paras = [Para(self.fill(str(rng.choice(openings))))]
            if "{cite}" not in paras[0].text and not self.refs and rng.random() < 0.7:
                paras.append(
                    Para(f"Thực hiện {self.cite()}, {self.agency.short} đề nghị {self.ctx['addr']} như sau:")
                )
            paras += self.items(n)
            if rng.random() < 0.4:
                paras.append(Para(self.pick("sentences")))
            return paras + [Para(closing)]
        if kind == "KH":
            paras = [Para(f"Thực hiện {self.cite()}; {self.agency.short} ban hành Kế hoạch như sau:")]
            paras += [Para("I. MỤC ĐÍCH, YÊU CẦU", "heading"), Para("1. Mục đích", "heading")]
            paras += [Para(self.pick("actions")), Para("2. Yêu cầu", "heading"), Para(self.pick("sentences"))]
            paras += [Para("II. NỘI DUNG THỰC HIỆN", "heading"), *self.items(n)]
            paras += [Para("III. TỔ CHỨC THỰC HIỆN", "heading"), *self.items(2)]
            return paras + [Para(closing)]
        if kind == "TB":
            paras = [Para(self.fill(str(m))) for m in self.phrases["meetings"]]
            return paras + self.items(n) + [Para(closing)]
        if kind == "TTr":
            paras = [Para(f"Căn cứ {self.cite(long_date=True)};"), Para("I. SỰ CẦN THIẾT", "heading")]
            paras += [Para(self.pick("problems")), Para(self.pick("sentences"))]
            paras += [Para("II. NỘI DUNG ĐỀ NGHỊ", "heading"), *self.items(n), Para(self.pick("proposals"))]
            return paras + [Para(closing)]
        if kind == "BC":
            paras = [Para(f"Thực hiện {self.cite()}, {self.agency.short} báo cáo như sau:")]
            paras += [Para("I. KẾT QUẢ THỰC HIỆN", "heading"), *self.items(n, "results")]
            paras += [Para("II. TỒN TẠI, HẠN CHẾ", "heading"), Para(self.pick("problems"))]
            paras += [Para("III. ĐỀ XUẤT, KIẾN NGHỊ", "heading"), Para(self.pick("proposals"))]
            return paras + [Para(closing)]
        if kind == "CT":
            paras = [Para(self.fill(str(self.phrases["openings"][3])))]
            paras.append(
                Para(
                    f"Để khắc phục tình trạng trên, thực hiện {self.cite()}, {self.agency.head_phrase} chỉ thị:"
                )
            )
            return paras + self.items(n) + [Para(closing)]
        raise ValueError(f"no body for kind {kind!r}")

    def decision(self, n: int, proposer: str) -> tuple[list[Para], list[Para]]:
        """The Căn cứ preamble and the articles of a Quyết định.

        Args:
            n: Number of numbered items under Điều 1 (0 for a one-sentence article).
            proposer: Who proposed it ("Chánh Văn phòng").

        Returns:
            ``(preamble, body)``; the preamble ends with ``QUYẾT ĐỊNH:``.
        """
        rng = self.rng
        law_date = dt.date(2025, 6, 16) if self.date >= dt.date(2025, 6, 16) else dt.date(2015, 6, 19)
        law = "Luật Tổ chức Chính phủ" if self.agency.central else "Luật Tổ chức chính quyền địa phương"
        pre = [Para(f"Căn cứ {law} {date_long(law_date)};", "italic")]
        for _ in range(rng.randint(1, 2)):
            pre.append(Para(f"Căn cứ {self.cite(long_date=True, scope='central')};", "italic"))
        pre += [Para(f"Theo đề nghị của {proposer}.", "italic"), Para("QUYẾT ĐỊNH:", "center_bold")]
        subject = self.ctx["subject_lc"].removeprefix("về việc ")
        body = [Para(f"{subject[:1].upper()}{subject[1:]}.", lead="Điều 1.")]
        if n:
            body[0] = Para(f"{subject[:1].upper()}{subject[1:]}, cụ thể như sau:", lead="Điều 1.")
            body += self.items(n)
        body.append(Para("Quyết định này có hiệu lực kể từ ngày ký.", lead="Điều 2."))
        body.append(
            Para(
                f"{proposer[:1].upper()}{proposer[1:]}, Thủ trưởng các cơ quan, đơn vị và các cá nhân có "
                "liên quan chịu trách nhiệm thi hành Quyết định này./.",
                lead="Điều 3.",
            )
        )
        return pre, body


def rng_choice(rng: random.Random, seq: list[str]) -> str:
    """``rng.choice`` typed for phrase lists."""
    return str(rng.choice(seq))
