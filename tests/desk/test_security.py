"""The desk's guards: a token beyond 127.0.0.1, Host and CSRF checks, no path from a request to a file;
and the crops, rendered from the original file in the frame of the evidence boxes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from vn_dispatch_parser.desk import Catalogue
from vn_dispatch_parser.desk.render import PageCache, SourceChanged, load_page
from vn_dispatch_parser.desk.server import create_app, is_loopback
from vn_dispatch_parser.pipeline import parse_text
from vn_dispatch_parser.records import FieldEvidence, PageFrame

from .conftest import FLAGGED, ServerThread, free_port


def get(url: str, headers: dict[str, str] | None = None, data: bytes | None = None) -> tuple[int, bytes, dict]:
    req = urllib.request.Request(url, data=data, headers=headers or {})
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(req, timeout=20) as r:
            return r.status, r.read(), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read(), dict(e.headers)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def test_loopback_only_without_token() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("127.0.0.2") and not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")


def test_serve_beyond_loopback_requires_the_token(desk_out: Path) -> None:
    """The real command on 127.0.0.2 (not the default address): a token is generated and printed, and every
    request without it gets 401."""
    port = free_port("127.0.0.2")
    env = {k: v for k, v in os.environ.items() if k not in ("VN_DISPATCH_TOKEN", "VN_DISPATCH_DB")}
    proc = subprocess.Popen([sys.executable, "-m", "vn_dispatch_parser.cli", "serve", str(desk_out), "--host",
                             "127.0.0.2", "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, env=env)
    try:
        token = ""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = proc.stdout.readline() if proc.stdout else ""
            if line.startswith("access token"):
                token = line.rsplit(" ", 1)[1].strip()
            if "desk: http://" in line:
                break
        assert token, "no token printed"
        base = f"http://127.0.0.2:{port}"
        for _ in range(100):
            try:
                status, body, _h = get(base + "/")
                break
            except OSError:
                time.sleep(0.1)
        assert status == 401 and "token" in body.decode()
        for path in ("/review", "/doc/1", "/img/1/page/1.png", "/static/desk.js", "/?q=x&token=wrong"):
            assert get(base + path)[0] == 401, path
        assert get(base + "/api/decide", data=b"doc_id=1&field=number")[0] == 401
        status, _b, headers = get(f"{base}/?token={token}")
        assert status == 303 and "desk_token=" in headers.get("set-cookie", "")
        assert get(base + "/?q=chan", headers={"Authorization": f"Bearer {token}"})[0] == 200
        cookie = headers["set-cookie"].split(";", 1)[0]
        assert get(base + "/review", headers={"Cookie": cookie})[0] in (200, 303)
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_host_and_csrf_and_paths(desk_out: Path) -> None:
    port = free_port()
    app = create_app(desk_out, hosts={f"127.0.0.1:{port}"})
    with ServerThread(app, port=port) as server:
        assert get(server.url + "/", headers={"Host": "evil.example:80"})[0] == 400  # DNS rebinding
        status, body, headers = get(server.url + "/")
        assert status == 200 and b"http://" not in body.replace(b"http://127.0.0.1", b"")  # no outside assets
        assert "default-src 'self'" in headers["content-security-policy"]
        cookie = headers["set-cookie"].split(";", 1)[0]
        csrf = cookie.split("=", 1)[1]
        cat = Catalogue(desk_out)
        doc_id = cat.search("", needs_review=True)[0].id
        cat.close()
        form = f"doc_id={doc_id}&field=number&action=correct&value=7".encode()
        assert get(server.url + "/api/decide", data=form)[0] == 403  # no CSRF token
        assert get(server.url + "/api/decide", data=form + b"&csrf=forged", headers={"Cookie": cookie})[0] == 403
        bad = f"doc_id={doc_id}&field=issued_date&action=correct&value=35/13/2025&csrf={csrf}".encode()
        status, body, _h = get(server.url + "/api/decide", data=bad, headers={"Cookie": cookie})
        assert status == 400 and "issued_date" in json.loads(body)["error"]
        status, body, _h = get(server.url + "/api/decide", data=form + f"&csrf={csrf}".encode(),
                               headers={"Cookie": cookie})
        assert status == 200 and json.loads(body)["value"] == "7"
        # nothing in a request names a file: unknown fields, documents and traversal attempts are 404
        for path in ("/img/1/crop/..%2f..%2f..%2fetc%2fpasswd.png", "/img/1/crop/full_text.png",
                     "/img/999/page/1.png", "/static/..%2f..%2fserver.py", "/doc/999"):
            assert get(server.url + path)[0] == 404, path


def _page_with_mark(path: Path) -> tuple[int, int]:
    img = np.full((400, 300, 3), 255, np.uint8)
    img[100:120, 50:110] = 0  # the "field": a black bar at x 50-110, y 100-120 of the page as scanned
    Image.fromarray(img).save(path, dpi=(100, 100))
    return 300, 400


def test_pages_of_page_frames_are_shown_as_loaded(tmp_path: Path) -> None:
    # results whose boxes are in the page as loaded ("page" frames): no turn, whatever rotation the reader used
    _page_with_mark(tmp_path / "scan.png")
    frame = PageFrame(page=1, width=300, height=400, dpi=100, rotation=90, skew=3.0, boxes="page")
    grey = np.asarray(load_page(tmp_path / "scan.png", 1, frame.model_dump()).convert("L"))
    assert grey.shape == (400, 300) and grey[110, 80] < 50 and grey[300, 200] > 200


def test_crops_follow_the_recorded_frame(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    out.mkdir()
    _page_with_mark(src / "scan.png")
    # the OCR read the page turned 90° clockwise and upscaled 2x: 800 x 600, the bar at x 560-600, y 100-220
    frame = PageFrame(page=1, width=800, height=600, dpi=100, rotation=90)
    page = load_page(src / "scan.png", 1, frame.model_dump())
    grey = np.asarray(page.convert("L"))
    assert grey.shape == (600, 800) and grey[160, 580] < 50 and grey[300, 300] > 200
    result = parse_text(FLAGGED, name="scan.png")
    import hashlib

    result.sha256 = hashlib.sha256((src / "scan.png").read_bytes()).hexdigest()
    result.frames = [frame]
    result.documents[0].evidence["number"] = FieldEvidence(raw="Số: /SYT-VP", rule="test", page=1,
                                                          bbox=[560, 100, 600, 220])
    (out / "scan.png.json").write_text(result.to_json())
    app = create_app(out)
    cat = app.state.desk.catalogue
    cat.index(source_dirs=[src])
    doc_id = cat.search("")[0].id
    with ServerThread(app) as server:
        status, body, headers = get(f"{server.url}/img/{doc_id}/crop/number.png")
        assert status == 200 and headers["content-type"] == "image/png"
        crop = np.asarray(Image.open(__import__("io").BytesIO(body)).convert("RGB")).astype(int)
        red = (crop[..., 0] > 180) & (crop[..., 1] < 80)
        black = crop.sum(axis=2) < 100
        assert red.any() and black.any()  # the box is drawn around the bar
        ys, xs = np.nonzero(black)
        rys, rxs = np.nonzero(red)
        assert rxs.min() <= xs.min() and xs.max() <= rxs.max() and rys.min() <= ys.min() and ys.max() <= rys.max()
        assert get(f"{server.url}/img/{doc_id}/page/1.png?w=200")[0] == 200
        assert get(f"{server.url}/img/{doc_id}/page/2.png")[0] == 404
        (src / "scan.png").write_bytes((src / "scan.png").read_bytes() + b"\0")  # not the file that was read
        app.state.desk.pages = PageCache()
        assert get(f"{server.url}/img/{doc_id}/crop/number.png")[0] == 409
    with pytest.raises(SourceChanged):
        PageCache().page(src / "scan.png", result.sha256, 1, frame.model_dump())
