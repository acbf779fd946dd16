"""The desk's web page (Starlette + Jinja2, plain JavaScript, nothing loaded from the internet).

Pages: search (``/``), the review queue (``/review``, ``/review/{id}``) and the document view
(``/doc/{id}``); images (``/img/{id}/…``) are rendered on demand from the original file the catalogue
records for that document, never from a path in the request.

Security: on a loopback address anyone on this machine may use the page, as with any local tool; on any
other address a token is required (``?token=`` once, then a cookie; or ``Authorization: Bearer``) and
every request without it gets 401. The Host header must name this server (no DNS rebinding). Writes are
POSTs that carry the CSRF token of the page (double-submit cookie) from the same origin.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hmac
import ipaddress
import logging
import secrets
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Receive, Scope, Send

from vn_dispatch_parser.desk.catalogue import Catalogue, StoredDocument
from vn_dispatch_parser.desk.reviews import (
    EDITABLE,
    ReviewError,
    apply_review,
    field_text,
    load_review,
    patch_records,
    record_decision,
    review_items,
)
from vn_dispatch_parser.records import Document, FileResult

__all__ = ["LABELS", "create_app", "is_loopback", "run_server"]

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
LABELS = {
    "issuer_parent": "Cơ quan chủ quản", "issuer": "Cơ quan ban hành", "doc_type": "Loại văn bản", "number": "Số",
    "symbol": "Ký hiệu", "number_symbol": "Số và ký hiệu", "place": "Địa danh", "issued_date": "Ngày ban hành",
    "subject": "Trích yếu", "addressees": "Kính gửi", "recipients": "Nơi nhận", "signer_authority": "Thẩm quyền ký",
    "signer_position": "Chức vụ người ký", "signer_title": "Cấp bậc, học hàm", "signer_name": "Người ký", "urgency": "Độ khẩn",
    "confidentiality": "Độ mật", "incoming_stamp.number": "Số đến", "incoming_stamp.date": "Ngày đến",
    "incoming_stamp.receiver": "Đơn vị nhận (dấu ĐẾN)",
}
_COOKIE_TOKEN, _COOKIE_CSRF = "desk_token", "desk_csrf"


def is_loopback(host: str) -> bool:
    """True for the default addresses that need no token: 127.0.0.1, ::1 and ``localhost``.

    Any other address, 127.0.0.2 included, may be reachable by others (containers, forwarded ports).
    """
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")) in (ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1"))
    except ValueError:
        return False


class _Guard:
    """Token (when required) and Host checks for every request."""

    def __init__(self, app: ASGIApp, token: str | None, hosts: set[str] | None) -> None:
        self.app, self.token, self.hosts = app, token, hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        host = request.headers.get("host", "")
        if self.hosts is not None and host not in self.hosts:
            await PlainTextResponse("unknown host", status_code=400)(scope, receive, send)
            return
        if self.token:
            given = request.query_params.get("token")
            if given and hmac.compare_digest(given, self.token):
                resp = RedirectResponse(request.url.remove_query_params("token"), status_code=303)
                resp.set_cookie(_COOKIE_TOKEN, self.token, httponly=True, samesite="strict")
                await resp(scope, receive, send)
                return
            auth = request.headers.get("authorization", "")
            presented = auth[7:] if auth.startswith("Bearer ") else request.cookies.get(_COOKIE_TOKEN, "")
            if not hmac.compare_digest(presented.encode(), self.token.encode()):
                await PlainTextResponse("401: thiếu mã truy cập (token)", status_code=401)(scope, receive, send)
                return
        await self.app(scope, receive, send)


class Desk:
    """The state behind the pages: the catalogue, the page cache, the reviewer's name, one write lock."""

    def __init__(self, out_dir: Path, url: str | None, who: str) -> None:
        from vn_dispatch_parser.desk.render import PageCache

        self.out_dir = out_dir
        self.catalogue = Catalogue(out_dir, url)
        self.pages = PageCache()
        self.who = who
        self.lock = threading.Lock()

    def decide(self, doc_id: int, name: str, value: str | None) -> dict[str, Any]:
        """Accept (``value`` None) or correct one field; the review file, records and catalogue follow."""
        stored = self.catalogue.get(doc_id)
        if stored is None:
            raise ReviewError("no such document")
        with self.lock:
            result = FileResult.model_validate_json(stored.result_path.read_bytes())
            entry = record_decision(stored.result_path, result, stored.doc_index, name, value, self.who)
            effective, _ = apply_review(result, load_review(stored.result_path))
            records = patch_records(self.out_dir, {result.file: effective})
            self.catalogue.index_result(stored.result_path)
        doc = effective.documents[stored.doc_index - 1]
        items = review_items(result.documents[stored.doc_index - 1])
        return {"ok": True, "field": name, "action": entry.action, "value": field_text(doc, name), "needs_review": doc.needs_review,
                "values": {n: field_text(doc, n) for n in items}, "records_updated": records}

    def next_in_queue(self, after: int | None = None) -> int | None:
        """The first document of the queue other than ``after``."""
        return next((m.id for m in self.catalogue.queue(limit=2) if m.id != after), None)


def _csrf(request: Request) -> str:
    return request.cookies.get(_COOKIE_CSRF) or request.state.__dict__.setdefault("csrf", secrets.token_urlsafe(24))


def _render(request: Request, name: str, ctx: dict[str, Any], status: int = 200) -> Response:
    desk: Desk = request.app.state.desk
    csrf = _csrf(request)
    ctx = {"request": request, "csrf": csrf, "labels": LABELS, "counts": desk.catalogue.counts(), **ctx}
    resp = request.app.state.templates.TemplateResponse(request, name, ctx, status_code=status)
    if _COOKIE_CSRF not in request.cookies:
        resp.set_cookie(_COOKIE_CSRF, csrf, httponly=True, samesite="strict")
    resp.headers["Content-Security-Policy"] = ("default-src 'self'; img-src 'self'; style-src 'self'; "
                                               "script-src 'self'; frame-ancestors 'none'")
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp


async def _check_write(request: Request) -> dict[str, str] | Response:
    form = await request.form()
    data = {k: str(v) for k, v in form.items()}
    cookie = request.cookies.get(_COOKIE_CSRF, "")
    sent = request.headers.get("x-csrf-token") or data.get("csrf", "")
    if not cookie or not hmac.compare_digest(cookie.encode(), sent.encode()):
        return JSONResponse({"ok": False, "error": "CSRF token sai hoặc thiếu"}, status_code=403)
    origin = request.headers.get("origin")
    if origin and origin.split("://", 1)[-1] != request.headers.get("host"):
        return JSONResponse({"ok": False, "error": "origin"}, status_code=403)
    return data


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


async def search_page(request: Request) -> Response:
    p = request.query_params
    desk: Desk = request.app.state.desk
    q = p.get("q", "")
    filters: dict[str, Any] = {"issuer": p.get("issuer") or None, "doc_type": p.get("type") or None,
                               "date_from": _date(p.get("from")), "date_to": _date(p.get("to")),
                               "needs_review": p.get("review") == "1"}
    searched = bool(q or any(filters.values()))
    matches = desk.catalogue.search(q, **filters) if searched else []
    return _render(request, "search.html", {"q": q, "p": p, "matches": matches, "searched": searched})


async def review_next(request: Request) -> Response:
    desk: Desk = request.app.state.desk
    nxt = desk.next_in_queue()
    if nxt is None:
        return _render(request, "review_empty.html", {})
    return RedirectResponse(f"/review/{nxt}", status_code=303)


def _stored(request: Request) -> StoredDocument | None:
    """The catalogued document the path names (``{doc_id}``)."""
    desk: Desk = request.app.state.desk
    return desk.catalogue.get(int(request.path_params["doc_id"]))


def _document_page(page: Callable[[Request, Desk, StoredDocument], Response]) -> Callable[[Request], Awaitable[Response]]:
    """The endpoint of a page about the catalogued document the path names; 404 when there is none."""

    async def endpoint(request: Request) -> Response:
        stored = _stored(request)
        if stored is None:
            return _render(request, "review_empty.html", {"missing": True}, status=404)
        return page(request, request.app.state.desk, stored)

    return endpoint


def _evidence(stored: StoredDocument, name: str) -> Any:
    ev = stored.document.evidence
    return ev.get(name) or ev.get(name.split(".")[0])


def _field(doc: Document, name: str) -> dict[str, Any]:
    """What every page shows of one field: its name, label, value and confidence (a stamp field's own, else
    the stamp's)."""
    return {"name": name, "label": LABELS.get(name, name), "value": field_text(doc, name),
            "confidence": doc.confidence.get(name, doc.confidence.get(name.split(".")[0]))}


@_document_page
def review_page(request: Request, desk: Desk, stored: StoredDocument) -> Response:
    doc = stored.document
    items = []
    for name in review_items(doc):
        ev = _evidence(stored, name)
        items.append({**_field(doc, name), "raw": ev.raw if ev else None, "editable": name in EDITABLE,
                      "reason": getattr(doc, "review_reasons", {}).get(name.split(".")[0]),
                      "crop": bool(ev and ev.bbox and stored.source_path)})
    queue = desk.catalogue.queue(limit=20)
    return _render(request, "review.html", {"s": stored, "doc": doc, "items": items, "queue": queue})


@_document_page
def doc_page(request: Request, desk: Desk, stored: StoredDocument) -> Response:
    doc = stored.document
    fields = [{**_field(doc, n), "flagged": n in doc.needs_review or n.split(".")[0] in doc.needs_review}
              for n in EDITABLE]
    pages = list(range(doc.page_start, doc.page_end + 1)) if stored.source_path else []
    dups = desk.catalogue.duplicates_of(stored.id)
    return _render(request, "doc.html", {"s": stored, "doc": doc, "fields": fields, "pages": pages,
                                         "dups": dups})


def _frame(stored: StoredDocument, page: int) -> dict[str, Any] | None:
    """How ``page`` of the original file was rendered for the result (None for a result without frames)."""
    return next((f for f in stored.frames if f["page"] == page), None)


async def _png(request: Request, stored: StoredDocument, page: int, draw: Callable[[Any], bytes]) -> Response:
    """``draw`` applied to ``page`` of the original file as the result rendered it, in a worker thread: a
    PNG, or 409 when the file is no longer the one the result was read from."""
    from vn_dispatch_parser.desk.render import SourceChanged

    desk: Desk = request.app.state.desk
    src, sha256, frame = stored.source_path, stored.source_sha256, _frame(stored, page)
    assert src is not None

    def make() -> Response:
        try:
            data = draw(desk.pages.page(src, sha256, page, frame))
        except SourceChanged as e:
            return PlainTextResponse(str(e), status_code=409)
        return Response(data, media_type="image/png", headers={"Cache-Control": "private, max-age=60"})

    return await run_in_threadpool(make)


async def page_image(request: Request) -> Response:
    from vn_dispatch_parser.desk.render import page_png

    stored = _stored(request)
    page = int(request.path_params["page"])
    if stored is None or stored.source_path is None or not 1 <= page <= max(1, len(stored.frames) or 1000):
        return PlainTextResponse("không có ảnh trang", status_code=404)
    width = min(1600, max(120, int(request.query_params.get("w", "300") or 300)))
    if stored.frames and _frame(stored, page) is None:
        return PlainTextResponse("không có trang này", status_code=404)
    boxes = [ev.bbox for n, ev in stored.document.evidence.items()
             if ev.bbox and ev.page == page and n in stored.document.needs_review] if request.query_params.get("boxes") else None
    return await _png(request, stored, page, lambda img: page_png(img, width, boxes))


async def crop_image(request: Request) -> Response:
    from vn_dispatch_parser.desk.render import crop_png

    stored = _stored(request)
    name = request.path_params["field"]
    ev = _evidence(stored, name) if stored is not None and name in EDITABLE else None
    if stored is None or ev is None or not ev.bbox or stored.source_path is None:
        return PlainTextResponse("không có vùng ảnh", status_code=404)
    bbox = ev.bbox
    return await _png(request, stored, ev.page or stored.document.page_start, lambda img: crop_png(img, bbox))


async def api_decide(request: Request) -> Response:
    data = await _check_write(request)
    if isinstance(data, Response):
        return data
    desk: Desk = request.app.state.desk
    try:
        doc_id = int(data.get("doc_id", "0"))
        value = data.get("value") if data.get("action") == "correct" else None  # equal to the machine's: accept
        out = await run_in_threadpool(desk.decide, doc_id, data.get("field", ""), value)
    except ReviewError as e:
        return JSONResponse({"ok": False, "error": e.reason}, status_code=400)
    except ValueError:
        return JSONResponse({"ok": False, "error": "yêu cầu không hợp lệ"}, status_code=400)
    out["next"] = desk.next_in_queue(after=doc_id) if not out.get("needs_review") else None
    return JSONResponse(out)


def create_app(out_dir: Path, *, url: str | None = None, token: str | None = None, who: str | None = None,
               hosts: set[str] | None = None) -> Starlette:
    """The desk's ASGI app for one output folder.

    Args:
        out_dir: The output folder.
        url: Catalogue URL (default ``OUT_DIR/catalogue.sqlite``).
        token: Required on every request when given.
        who: The reviewer's name written in corrections.
        hosts: Accepted Host headers (``host:port``); default: any (tests).
    """
    desk = Desk(out_dir, url, who or getpass.getuser())
    desk.catalogue.index()
    routes = [
        Route("/", search_page),
        Route("/review", review_next),
        Route("/review/{doc_id:int}", review_page),
        Route("/doc/{doc_id:int}", doc_page),
        Route("/img/{doc_id:int}/page/{page:int}.png", page_image),
        Route("/img/{doc_id:int}/crop/{field}.png", crop_image),
        Route("/api/decide", api_decide, methods=["POST"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    middleware = [Middleware(_Guard, token=token, hosts=hosts)] if hosts is not None or token else []
    app = Starlette(routes=routes, middleware=middleware)
    app.state.desk = desk
    app.state.templates = Jinja2Templates(directory=str(HERE / "templates"))
    return app


def run_server(out_dir: Path, *, host: str = "127.0.0.1", port: int = 8765, url: str | None = None,
               token: str | None = None, who: str | None = None) -> None:
    """Serve the desk until interrupted (``vn-dispatch serve``)."""
    import uvicorn

    if not is_loopback(host) and not token:
        token = secrets.token_urlsafe(18)
        print(f"access token (required on {host}): {token}", flush=True)
    hosts: set[str] | None = None  # with a token, any name may reach the server (a rebinding page has no token cookie)
    if not token:  # loopback without a token: only our own names, so no web page can rebind a name to us
        names = {host, "localhost", "127.0.0.1", "[::1]"}
        hosts = {f"{n}:{port}" for n in names} | (names if port == 80 else set())
    app = create_app(out_dir, url=url, token=token, who=who, hosts=hosts)
    shown = f"[{host}]" if ":" in host else host
    print(f"vn-dispatch desk: http://{shown}:{port}/" + (f"?token={token}" if token else ""), flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")
