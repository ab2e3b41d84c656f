"""Inline Leaflet into saved maps, so they open on an offline laptop.

folium links its scripts and stylesheets from CDNs. cpted maps use only Leaflet, taken
from the ``xstatic-leaflet`` package installed with pip, and inline it (with the images its
stylesheet needs as data URIs). A map that would need any other remote file raises, so a
remote dependency can never slip in unnoticed.
"""

from __future__ import annotations

import base64
import functools
import re
from pathlib import Path

from cpted._errors import DataError

__all__ = ["LEAFLET_CSS_URL", "LEAFLET_JS_URL", "inline_assets"]

LEAFLET_JS_URL = "cpted-packaged://leaflet/leaflet.js"
LEAFLET_CSS_URL = "cpted-packaged://leaflet/leaflet.css"


@functools.cache
def _leaflet_folder() -> Path:
    import xstatic.pkg.leaflet as xleaflet

    return Path(xleaflet.BASE_DIR)


@functools.cache
def _leaflet_js() -> str:
    return (_leaflet_folder() / "leaflet.js").read_text(encoding="utf-8")


@functools.cache
def _leaflet_css() -> str:
    folder = _leaflet_folder()
    css = (folder / "leaflet.css").read_text(encoding="utf-8")

    def data_uri(match: re.Match[str]) -> str:
        name = match.group(1)
        image = folder / "images" / name
        if not image.exists():
            return match.group(0)
        encoded = base64.b64encode(image.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{encoded})"

    return re.sub(r"url\(images/([\w.-]+\.png)\)", data_uri, css)


_SCRIPT = re.compile(r'<script\s+src="([^"]+)"\s*>\s*</script>')
_LINK = re.compile(r'<link\s+rel="stylesheet"\s+href="([^"]+)"\s*/?>')


def inline_assets(page: str, *, allow_remote: bool = False) -> str:
    """
    Replace the packaged Leaflet links of a rendered folium page by their contents.

    Parameters
    ----------
    page
        The HTML folium rendered.
    allow_remote
        Keep links to other remote files (only for a user who asked for a tile basemap and
        more). By default they raise.

    Returns
    -------
    str
        A page that needs no network.
    """

    def script(match: re.Match[str]) -> str:
        url = match.group(1)
        if url == LEAFLET_JS_URL:
            # "</script" cannot occur inside a script element; Leaflet's source has none,
            # but guard anyway so the page structure cannot break.
            return "<script>" + _leaflet_js().replace("</script", "<\\/script") + "</script>"
        if allow_remote:
            return match.group(0)
        msg = f"The map needs a script that cpted does not package: {url}."
        raise DataError(msg)

    def link(match: re.Match[str]) -> str:
        url = match.group(1)
        if url == LEAFLET_CSS_URL:
            return "<style>" + _leaflet_css() + "</style>"
        if allow_remote:
            return match.group(0)
        msg = f"The map needs a stylesheet that cpted does not package: {url}."
        raise DataError(msg)

    page = _SCRIPT.sub(script, page)
    return _LINK.sub(link, page)
