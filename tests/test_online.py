"""area_from_place and area_from_bbox against a local stand-in for Overpass and Nominatim.

No test needs the internet: a server on 127.0.0.1 answers with a response recorded from the
Neukölln sample (its Overpass export), and osmnx's settings point there.
"""

from __future__ import annotations

import bz2
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar
from urllib.parse import parse_qs, urlparse

import osmnx as ox
import pytest

import cpted

pytestmark = pytest.mark.network

KARL_MARX_PLATZ = [13.4395, 52.4725, 13.4435, 52.4745]  # west, south, east, north


class _StandIn(BaseHTTPRequestHandler):
    overpass_body = b""
    queries: ClassVar[list[str]] = []
    status = 200

    def log_message(self, *args):  # keep test output clean
        pass

    def _send(self, status, body, kind):
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        form = parse_qs(self.rfile.read(length).decode())
        type(self).queries.append(form.get("data", [""])[0])
        if type(self).status != 200:
            self._send(type(self).status, b"rate limited", "text/plain")
            return
        self._send(200, type(self).overpass_body, "application/osm3s+xml")

    def do_GET(self):
        url = urlparse(self.path)
        if url.path.endswith("/search"):
            w, s, e, n = KARL_MARX_PLATZ
            ring = [[w, s], [e, s], [e, n], [w, n], [w, s]]
            found = [
                {
                    "place_id": 1,
                    "osm_type": "way",
                    "osm_id": 986957296,
                    "lat": str((s + n) / 2),
                    "lon": str((w + e) / 2),
                    "display_name": "Karl-Marx-Platz, Neukölln, Berlin",
                    "class": "place",
                    "type": "square",
                    "importance": 0.5,
                    "boundingbox": [str(s), str(n), str(w), str(e)],
                    "geojson": {"type": "Polygon", "coordinates": [ring]},
                }
            ]
            query = parse_qs(url.query).get("q", [""])[0]
            body = json.dumps(found if "Karl-Marx" in query else []).encode()
            self._send(200, body, "application/json")
        else:
            self._send(404, b"not found", "text/plain")


@pytest.fixture
def stand_in(monkeypatch):
    _StandIn.overpass_body = bz2.decompress(cpted.datasets.get_path("neukoelln").read_bytes())
    _StandIn.queries = []
    _StandIn.status = 200
    server = ThreadingHTTPServer(("127.0.0.1", 0), _StandIn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setattr(ox.settings, "overpass_url", f"{base}/api")
    monkeypatch.setattr(ox.settings, "nominatim_url", f"{base}/")
    monkeypatch.setattr(ox.settings, "use_cache", False)
    monkeypatch.setattr(ox.settings, "requests_timeout", 10)
    yield _StandIn
    server.shutdown()
    server.server_close()


def test_area_from_bbox_asks_overpass_for_the_box(stand_in):
    area = cpted.area_from_bbox(tuple(KARL_MARX_PLATZ))
    assert len(stand_in.queries) == 1
    w, s, e, n = KARL_MARX_PLATZ
    assert f"({s},{w},{n},{e})" in stand_in.queries[0]
    assert 0 < len(area.streets) < 209  # clipped to the box, not the whole recorded file
    assert area.crs.to_epsg() == 32633
    assert area.source.startswith("Overpass bbox")


def test_area_from_place_geocodes_then_downloads(stand_in):
    area = cpted.area_from_place("Karl-Marx-Platz, Berlin")
    assert len(stand_in.queries) == 1
    assert area.source == "Karl-Marx-Platz, Berlin"
    assert "Karl-Marx-Platz" in set(area.sites["name"].dropna())


def test_place_not_found(stand_in):
    with pytest.raises(cpted.DataError, match="Nominatim"):
        cpted.area_from_place("Nowhere-at-all")


def test_overpass_refuses(stand_in):
    stand_in.status = 429
    with pytest.raises(cpted.DataError, match="answered 429"):
        cpted.area_from_bbox(tuple(KARL_MARX_PLATZ))


def test_overpass_unreachable(monkeypatch):
    monkeypatch.setattr(ox.settings, "overpass_url", "http://127.0.0.1:9/api")
    monkeypatch.setattr(ox.settings, "requests_timeout", 2)
    with pytest.raises(cpted.DataError, match="could not be reached"):
        cpted.area_from_bbox(tuple(KARL_MARX_PLATZ))


def test_bbox_in_the_wrong_order():
    with pytest.raises(cpted.InputError, match="west < east"):
        cpted.area_from_bbox((13.44, 52.47, 13.43, 52.48))
