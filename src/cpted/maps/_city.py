"""
City-scale maps: an overview of districts, each opening its own detailed map.

A detailed audit map costs about 0.7 KB per street segment, so the map of a whole city
would weigh tens of MB. Above :data:`cpted.settings.CITY_MAP_SEGMENTS` segments (or when
asked), :meth:`cpted.Audit.save` writes ``map.html`` as an overview instead: districts
(hexagons of :data:`cpted.settings.CITY_HEX_SIZE_M`, or the user's own district layer)
coloured by the median score of their segments, with the score picker of the detailed
map; a click on a district opens ``districts/<id>.html``, the detailed map of the audit
restricted to that district (:func:`subset`). A segment belongs to the district that
holds its midpoint, a public space to the one that holds its representative point, so
each is drawn on exactly one district page; what only surrounds them (buildings, lamps,
the layers of the principles) is drawn wherever it reaches. A district whose page would
weigh more than :data:`cpted.settings.CITY_PAGE_BYTES_PER_SEGMENT` per segment it shows
is merged into a neighbour (:func:`write_city_maps`).

The overview holds one polygon and a few figures per district and no geometry of any
segment, so its size grows with the districts, not with the streets. District names may
come from a user's file: they reach the page escaped for HTML and only as JSON data
(``tojson``), never as template text (:class:`cpted.maps._render.SafeFigure`); page file
names are our own ids (``d01``), never names.
"""

from __future__ import annotations

import html
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import branca
import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from cpted import settings
from cpted._errors import CRSError, InputError
from cpted._i18n import N_, _, decimal, n_
from cpted.maps._packed import add_unpack_script, pack

if TYPE_CHECKING:
    from cpted._raster import Raster
    from cpted.audit import Audit
    from cpted.maps import CptedMap

__all__ = [
    "DISTRICTS_FOLDER",
    "Districts",
    "district_plan",
    "hexagon_grid",
    "overview_map",
    "plan",
    "subset",
    "write_city_maps",
]

#: The folder of the district pages, inside the output folder.
DISTRICTS_FOLDER = "districts"

#: Tolerance of the district outlines on the overview, metres: a district is seen whole,
#: at zoom 12-15 (10-40 m per pixel), so detail finer than 5 m is bytes nobody sees.
OVERVIEW_SIMPLIFY_M = 5.0

_SQRT3 = math.sqrt(3.0)


@dataclass
class Districts:
    """
    The districts of a city map and what belongs to each.

    Attributes
    ----------
    table
        One row per district, indexed by its id (``d01``, ...): ``name`` (plain text,
        possibly from the user's data), ``main_street`` (the named street with the most
        length in it, or None), geometry in the audit's CRS.
    segments
        The district id of every segment, indexed like ``audit.segments``.
    sites
        The district id of every public space, indexed like ``audit.sites``.
    hexagons
        The districts are the hexagons of a grid (``d07`` is "Hexagon 7"), not the
        user's.
    """

    table: gpd.GeoDataFrame
    segments: pd.Series
    sites: pd.Series
    hexagons: bool = False


# -- the districts -----------------------------------------------------------------------


def hexagon_grid(xy: np.ndarray, size: float) -> tuple[np.ndarray, np.ndarray]:
    """
    Return the axial coordinates (q, r) of the flat-topped hexagon that holds each point.

    The hexagons have side (circumradius) ``size`` metres and the grid is anchored at the
    origin of the CRS: hexagon (0, 0) is centred there.
    """
    x = xy[:, 0] / size
    y = xy[:, 1] / size
    q = 2.0 / 3.0 * x
    r = -1.0 / 3.0 * x + _SQRT3 / 3.0 * y
    # the nearest hexagon: round in cube coordinates (q + r + s = 0), then mend the
    # coordinate that rounding moved most
    s = -q - r
    rq, rr, rs = np.rint(q), np.rint(r), np.rint(s)
    dq, dr, ds = np.abs(rq - q), np.abs(rr - r), np.abs(rs - s)
    fix_q = (dq > dr) & (dq > ds)
    fix_r = ~fix_q & (dr > ds)
    rq = np.where(fix_q, -rr - rs, rq)
    rr = np.where(fix_r, -rq - rs, rr)
    return rq.astype(np.int64), rr.astype(np.int64)


def _hexagons(q: np.ndarray, r: np.ndarray, size: float) -> np.ndarray:
    """Return the hexagons (q, r) as shapely polygons."""
    cx = size * 1.5 * q
    cy = size * _SQRT3 * (r + q / 2.0)
    angles = np.radians(np.arange(0, 360, 60))
    xs = cx[:, None] + size * np.cos(angles)[None, :]
    ys = cy[:, None] + size * np.sin(angles)[None, :]
    return shapely.polygons(np.stack([xs, ys], axis=-1))


def _midpoints(table: gpd.GeoDataFrame, *, lines: bool) -> np.ndarray:
    """Return the point that places each row in a district, as an (n, 2) array."""
    geoms = table.geometry.to_numpy()
    if lines:
        points = shapely.line_interpolate_point(geoms, 0.5, normalized=True)
    else:
        points = shapely.point_on_surface(geoms)
    xy = np.column_stack([shapely.get_x(points), shapely.get_y(points)]) if len(geoms) else None
    if xy is None:
        return np.empty((0, 2))
    missing = ~np.isfinite(xy).all(axis=1)
    if missing.any():  # an empty geometry: placed at the middle of the rest, drawn nowhere
        centre = np.nanmean(xy[~missing], axis=0) if (~missing).any() else np.zeros(2)
        xy[missing] = centre
    return xy


def _hex_districts(audit: Audit, size: float) -> tuple[gpd.GeoDataFrame, np.ndarray, np.ndarray]:
    seg_xy = _midpoints(audit.segments, lines=True)
    site_xy = _midpoints(audit.sites, lines=False)
    q, r = hexagon_grid(np.vstack([seg_xy, site_xy]), size)
    cells, which = np.unique(np.column_stack([q, r]), axis=0, return_inverse=True)
    which = np.asarray(which).ravel()
    polygons = _hexagons(cells[:, 0], cells[:, 1], size)
    # numbered from the north-west, row by row, as a planner reads a map
    cy = size * _SQRT3 * (cells[:, 1] + cells[:, 0] / 2.0)
    cx = size * 1.5 * cells[:, 0]
    order = np.lexsort((cx, -np.round(cy, 3)))
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    ids = _ids(len(cells))
    table = gpd.GeoDataFrame(
        {"name": [_("Hexagon {number}").format(number=k + 1) for k in range(len(cells))]},
        geometry=list(polygons[order]),
        index=pd.Index(ids, name="district"),
        crs=audit.segments.crs,
    )
    n = len(seg_xy)
    return table, rank[which[:n]], rank[which[n:]]


def _ids(n: int) -> list[str]:
    width = max(len(str(n)), 2)
    return [f"d{k + 1:0{width}d}" for k in range(n)]


def _user_layer(data: Any, crs: Any) -> gpd.GeoDataFrame:
    """Read and check the user's district layer: polygons with a CRS, in the audit's CRS."""
    from cpted.area import read_layer

    if isinstance(data, str | os.PathLike):
        gdf = read_layer(data)
        what = f"The district layer {Path(data).name}"
    elif isinstance(data, gpd.GeoDataFrame):
        gdf = data
        what = "The district layer"
    else:
        msg = (
            "districts must be a GeoDataFrame of district polygons, the path of a GeoJSON or "
            "GeoPackage file of them, or a hexagon size in metres, got "
            f"{type(data).__name__} {data!r}."
        )
        raise InputError(msg)
    if gdf.crs is None:
        msg = (
            f"{what} has no CRS, so it cannot be laid over the audit; set it with "
            "districts.set_crs('EPSG:...') (the CRS its coordinates are in)."
        )
        raise CRSError(msg)
    polygons = gdf[gdf.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()]
    if not len(polygons):
        kinds = ", ".join(sorted({str(t) for t in gdf.geom_type.dropna().unique()})) or "none"
        msg = (
            f"{what} holds no polygons ({len(gdf)} features; geometry types: {kinds}); "
            "districts are areas, e.g. the city's administrative districts."
        )
        raise InputError(msg)
    polygons = polygons.to_crs(crs)
    polygons = polygons.set_geometry(shapely.make_valid(polygons.geometry.to_numpy()), crs=crs)
    return polygons


def _user_names(layer: gpd.GeoDataFrame) -> list[str]:
    column = next(
        (c for c in ("name", "NAME", "Name", "district", "label") if c in layer.columns), None
    )
    names = []
    for k, value in enumerate(layer[column] if column else [None] * len(layer)):
        text = "" if value is None or (isinstance(value, float) and math.isnan(value)) else value
        names.append(str(text).strip() or _("District {number}").format(number=k + 1))
    return names


def _assign(polygons: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """Return the index of the polygon holding each point (the nearest one if none does)."""
    out = np.full(len(xy), -1, dtype=np.int64)
    if not len(xy):
        return out
    points = shapely.points(xy)
    tree = shapely.STRtree(polygons)
    hit_point, hit_polygon = tree.query(points, predicate="intersects")
    # where districts overlap, a point goes to the first that holds it
    order = np.lexsort((hit_polygon, hit_point))
    hit_point, hit_polygon = hit_point[order], hit_polygon[order]
    first = np.unique(hit_point, return_index=True)[1]
    out[hit_point[first]] = hit_polygon[first]
    lost = np.flatnonzero(out < 0)
    if len(lost):
        near_point, near_polygon = tree.query_nearest(points[lost])
        keep = np.unique(near_point, return_index=True)[1]
        out[lost[near_point[keep]]] = near_polygon[keep]
    return out


def district_plan(audit: Audit, districts: Any = None) -> Districts:
    """
    Lay districts over ``audit`` and say which district each segment and site is in.

    Parameters
    ----------
    audit
        The audit.
    districts
        None for hexagons of :data:`cpted.settings.CITY_HEX_SIZE_M`; a number for
        hexagons of that side in metres; or the user's districts: a GeoDataFrame of
        polygons (named by a ``name`` column when it has one) or the path of a GeoJSON or
        GeoPackage file of them. A segment whose midpoint lies in no user district goes
        to the nearest one.

    Returns
    -------
    Districts

    Raises
    ------
    InputError
        The hexagon size is not a positive number, or the layer holds no polygon.
    CRSError
        The district layer has no CRS.
    """
    crs = audit.segments.crs
    user = not (
        districts is None
        or (isinstance(districts, int | float) and not isinstance(districts, bool))
    )
    if not user:
        size = settings.CITY_HEX_SIZE_M if districts is None else float(districts)
        if not math.isfinite(size) or size <= 0:
            msg = f"The hexagon size must be a positive number of metres, got {districts!r}."
            raise InputError(msg)
        table, seg, site = _hex_districts(audit, size)
    else:
        layer = _user_layer(districts, crs)
        polygons = layer.geometry.to_numpy()
        table = gpd.GeoDataFrame(
            {"name": _user_names(layer)},
            geometry=list(polygons),
            index=pd.Index(_ids(len(layer)), name="district"),
            crs=crs,
        )
        seg = _assign(polygons, _midpoints(audit.segments, lines=True))
        site = _assign(polygons, _midpoints(audit.sites, lines=False))
    ids = table.index.to_numpy()
    segments = pd.Series(ids[seg] if len(seg) else [], index=audit.segments.index, dtype=object)
    sites = pd.Series(ids[site] if len(site) else [], index=audit.sites.index, dtype=object)
    table["main_street"] = _main_streets(audit.segments, segments).reindex(table.index)
    return Districts(table=table, segments=segments, sites=sites, hexagons=not user)


def _main_streets(segments: gpd.GeoDataFrame, district: pd.Series) -> pd.Series:
    """Name the named street with the most length in each district (None where none is)."""
    if "name" not in segments or not len(segments):
        return pd.Series(dtype=object)
    names = segments["name"].map(lambda v: str(v).strip() if isinstance(v, str) else None)
    length = pd.to_numeric(segments.get("length"), errors="coerce").fillna(0.0)
    frame = pd.DataFrame({"district": district, "name": names, "length": length}).dropna()
    if not len(frame):
        return pd.Series(dtype=object)
    totals = frame.groupby(["district", "name"])["length"].sum().reset_index()
    best = totals.sort_values(["district", "length"], ascending=[True, False])
    return best.drop_duplicates("district").set_index("district")["name"]


# -- one district's audit ----------------------------------------------------------------


class _Clipper:
    """The layers of an audit with their spatial indexes, built once for every district."""

    def __init__(self, audit: Audit) -> None:
        from cpted.area import LAYERS

        area = audit.area
        self.area_layers = {
            name: getattr(area, name) for name in LAYERS if name not in ("streets",)
        }
        if getattr(area, "landuse", None) is not None:
            self.area_layers["landuse"] = area.landuse
        self.audit_layers = dict(audit.layers)
        self._known = {"segment": audit.segments.index, "site": audit.sites.index}
        self._trees: dict[int, shapely.STRtree] = {}

    def _tree(self, gdf: gpd.GeoDataFrame) -> shapely.STRtree:
        key = id(gdf)
        if key not in self._trees:
            self._trees[key] = shapely.STRtree(gdf.geometry.to_numpy())
        return self._trees[key]

    def near(self, gdf: gpd.GeoDataFrame, reach: Any, *, cut: bool = False) -> gpd.GeoDataFrame:
        """Return the rows of ``gdf`` that touch ``reach`` (cut to it, with ``cut``)."""
        if gdf is None or not len(gdf):
            return gdf
        rows = np.sort(self._tree(gdf).query(reach, predicate="intersects"))
        part = gdf.iloc[rows]
        if cut and len(part):
            part = part.set_geometry(
                shapely.intersection(part.geometry.to_numpy(), reach), crs=gdf.crs
            )
        return part

    def belonging(
        self, gdf: gpd.GeoDataFrame, reach: Any, *, segments: pd.Index, sites: pd.Index
    ) -> gpd.GeoDataFrame:
        """
        Return the rows of a principle's layer that belong to a district.

        A layer of one row per segment (indexed by ``segment``, as the isovists are) or
        per site (a ``segment`` or ``site`` column) keeps the rows of the district's own
        segments and sites, so each is drawn on one page only; any other layer (lamps,
        dark spots, camera views) the rows that touch ``reach``.
        """
        if gdf is None or not len(gdf):
            return gdf
        if gdf.index.name == "segment":
            return gdf[gdf.index.isin(segments)]
        for column, own in (("segment", segments), ("site", sites)):
            if column in gdf.columns:
                known = self.known(column)
                keys = gdf[column]
                mine = keys.isin(own).to_numpy()
                # rows of no known segment or site are placed by where they are
                loose = ~keys.isin(known).to_numpy()
                if loose.any():
                    near = np.zeros(len(gdf), dtype=bool)
                    near[self._tree(gdf).query(reach, predicate="intersects")] = True
                    mine |= loose & near
                return gdf[mine]
        return self.near(gdf, reach)

    def known(self, column: str) -> pd.Index:
        """Return the ids of every segment (or site) of the audit."""
        return self._known[column]


def _crop(raster: Raster, bounds: Sequence[float]) -> Raster | None:
    """Return the cells of ``raster`` within ``bounds`` (None when none is)."""
    from affine import Affine

    rows, cols = raster.values.shape
    t = raster.transform
    # the raster is north-up (Raster: row 0 at the north edge), so a box maps to a window
    c0 = math.floor((bounds[0] - t.c) / t.a)
    c1 = math.ceil((bounds[2] - t.c) / t.a)
    r0 = math.floor((bounds[3] - t.f) / t.e)
    r1 = math.ceil((bounds[1] - t.f) / t.e)
    c0, c1 = max(c0, 0), min(c1, cols)
    r0, r1 = max(r0, 0), min(r1, rows)
    if c1 <= c0 or r1 <= r0:
        return None
    shifted = Affine(t.a, t.b, t.c + c0 * t.a, t.d, t.e, t.f + r0 * t.e)
    return replace(raster, values=raster.values[r0:r1, c0:c1], transform=shifted)


def subset(
    audit: Audit,
    polygon: Any,
    *,
    segments: pd.Index | None = None,
    sites: pd.Index | None = None,
    clipper: _Clipper | None = None,
) -> Audit:
    """
    Restrict ``audit`` to a district: its segments, sites, layers, rasters and area.

    Parameters
    ----------
    audit
        The audit of the whole place.
    polygon
        The district, a shapely polygon in the audit's CRS.
    segments, sites
        The indexes of the segments and sites that belong to it; by default those whose
        midpoint (segments) or representative point (sites) lies in ``polygon``.
    clipper
        The audit's layers with their spatial indexes (built here when not given).

    Returns
    -------
    Audit
        With only those segments and sites; the layers and the area's layers (buildings,
        lamps, land cover, ...) that reach the district and its segments; the rasters cut
        to that extent. The network graphs are the whole place's.
    """
    from cpted.audit import Audit

    if segments is None:
        xy = _midpoints(audit.segments, lines=True)
        segments = audit.segments.index[shapely.contains_xy(polygon, xy[:, 0], xy[:, 1])]
    if sites is None:
        xy = _midpoints(audit.sites, lines=False)
        sites = audit.sites.index[shapely.contains_xy(polygon, xy[:, 0], xy[:, 1])]
    clipper = clipper or _Clipper(audit)
    seg = audit.segments.loc[segments]
    site = audit.sites.loc[sites]
    # the page shows the district and whatever its own segments and sites reach out of it
    corners = [shapely.get_coordinates(polygon)]
    for table in (seg, site):
        if len(table):
            corners.append(shapely.get_coordinates(table.geometry.to_numpy()))
    reach = shapely.convex_hull(shapely.multipoints(np.vstack(corners)))
    area = audit.area
    boundary = shapely.intersection(area.boundary, reach)
    if boundary.is_empty:
        boundary = reach
    footprint = shapely.intersection(area.footprint, reach) if area.footprint is not None else None
    # the context (buildings, lamps, land cover, the principles' other layers) is what
    # touches the district itself: a building on its edge shows on both sides of it, the
    # next district's buildings do not
    # land cover fills the whole frame of the page, cut to it (a park is one polygon)
    frame = shapely.box(*reach.bounds)
    layers = {
        name: clipper.near(table, frame, cut=True)
        if name == "landuse"
        else clipper.near(table, polygon)
        for name, table in clipper.area_layers.items()
    }
    part_area = replace(
        area,
        boundary=boundary,
        footprint=footprint,
        streets=area.streets.loc[segments],
        **layers,
    )
    rasters = {}
    for name, raster in audit.rasters.items():
        cropped = _crop(raster, reach.bounds)
        if cropped is not None:
            rasters[name] = cropped
    return Audit(
        part_area,
        seg,
        site,
        layers={
            n: clipper.belonging(t, polygon, segments=segments, sites=sites)
            for n, t in clipper.audit_layers.items()
        },
        rasters=rasters,
        principles=audit.principles,
        weights=dict(audit.weights),
    )


# -- the overview ------------------------------------------------------------------------


def _median(values: pd.Series) -> int | None:
    numbers = pd.to_numeric(values, errors="coerce").dropna()
    return round(float(numbers.median())) if len(numbers) else None


def _district_rows(
    audit: Audit, districts: Districts, picks: Sequence[tuple[str, str]], pages: dict[str, str]
) -> list[dict[str, Any]]:
    """Say what the overview shows of each district: scores, tooltip, page."""
    from cpted.maps._words import say

    esc = lambda v: html.escape(str(v), quote=False)  # noqa: E731
    groups = audit.segments.groupby(districts.segments, sort=False)
    members = {key: frame for key, frame in groups} if len(audit.segments) else {}
    site_counts = districts.sites.value_counts()
    weak_label = _("Weak segments (CPTED score below {score})").format(
        score=decimal(settings.CITY_WEAK_SCORE)
    )
    rows = []
    for key, row in districts.table.iterrows():
        frame = members.get(key, audit.segments.iloc[:0])
        medians = [_median(frame[column]) for _, column in picks]
        lines = [f"<b>{esc(row['name'])}</b>"]
        street = row.get("main_street")
        if isinstance(street, str) and street:
            lines.append(esc(_("Main street: {street}").format(street=street)))
        lines.append(
            esc(n_("{n} street segment", "{n} street segments", len(frame)).format(n=len(frame)))
        )
        spaces = int(site_counts.get(key, 0))
        if spaces:
            lines.append(esc(n_("{n} public space", "{n} public spaces", spaces).format(n=spaces)))
        for (label, _column), value in zip(picks, medians, strict=True):
            lines.append(
                esc(_("{score} (median): {value}").format(score=label, value=say(value, "of 100")))
            )
        if "cpted_score" in frame:
            scored = pd.to_numeric(frame["cpted_score"], errors="coerce").dropna()
            if len(scored):
                share = float((scored < settings.CITY_WEAK_SCORE).mean())
                lines.append(esc(f"{weak_label}: {say(share, share=True)}"))
        page = pages.get(str(key))
        if page:
            lines.append("<i>" + esc(_("Click to open the district's detailed map.")) + "</i>")
        else:  # in a notebook: no pages, the map of a district is drawn on request
            lines.append(
                "<i>"
                + esc(_("Its detailed map: audit.to_map(district={key})").format(key=repr(key)))
                + "</i>"
            )
        rows.append({"k": medians, "t": "<br>".join(lines), "h": page})
    return rows


class DistrictsLayer(folium.map.Layer):
    """
    The districts of the overview, coloured by the score picked; a click opens a district.

    ``data`` holds the packed outlines (:func:`cpted.maps._packed.pack`) and each
    district's medians, tooltip (escaped in Python) and page address; ``spec`` the
    colours. Both reach the page only through ``tojson``.
    """

    _template = branca.element.Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
          var packed = {{ this.data|tojson }};
          var spec = {{ this.spec|tojson }};
          var data = cptedUnpack(packed);
          var pick = 0;
          function colour(v) {
            if (v === null || v === undefined) { return spec.none; }
            return spec.stops[Math.min(Math.floor(Math.max(v, 0) / 20), 4)];
          }
          function style(f) {
            var c = colour(f.properties.k[pick]);
            return {color: "#444444", weight: 1, fillColor: c, fillOpacity: 0.75};
          }
          var layer = L.geoJSON(data, {style: style, bubblingMouseEvents: false});
          // the tooltip was written and escaped in Python
          layer.bindTooltip(function (l) { return l.feature.properties.t; }, {sticky: true});
          layer.on("click", function (e) {
            var page = e.layer.feature.properties.h;
            if (page) { window.location.href = page; }
          });
          layer.on("mouseover", function (e) {
            e.layer.setStyle({weight: 3});
          });
          layer.on("mouseout", function (e) {
            e.layer.setStyle({weight: 1});
          });
          layer.cptedPick = function (i) { pick = i; layer.setStyle(style); };
          layer.cptedPicked = function () { return pick; };
          return layer;
        })();
        {% endmacro %}
        """
    )

    def __init__(self, data: dict[str, Any], spec: dict[str, Any], name: str) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "DistrictsLayer"
        self.data = data
        self.spec = spec

    def render(self, **kwargs: Any) -> Any:
        """Render the layer, with the page's one unpacking script."""
        add_unpack_script(self)
        return super().render(**kwargs)


class _Note(branca.element.MacroElement):
    """A box at the top left with a title and a line of text (JSON data, set as text)."""

    _template = branca.element.Template(
        """
        {% macro header(this, kwargs) %}
        <style>
          .cpted-note{background:rgba(255,255,255,0.95);padding:6px 10px;max-width:320px;
            font:12px/1.45 sans-serif;border-radius:4px;box-shadow:0 1px 5px rgba(0,0,0,0.4)}
          .cpted-note .cpted-note-title{display:block;font-size:13px;font-weight:600}
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function () {
          var text = {{ this.text|tojson }};
          var control = L.control({position: "topleft"});
          control.onAdd = function () {
            var box = L.DomUtil.create("div", "cpted-note");
            var head = L.DomUtil.create(text.href ? "a" : "strong", "cpted-note-title", box);
            head.textContent = text.title;
            if (text.href) { head.href = text.href; }
            if (text.line) {
              var line = L.DomUtil.create("div", "", box);
              line.textContent = text.line;
            }
            L.DomEvent.disableClickPropagation(box);
            return box;
          };
          control.addTo({{ this.map_name }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, map_name: str, title: str, line: str = "", href: str | None = None) -> None:
        super().__init__()
        self._name = "CptedNote"
        self.map_name = map_name
        self.text = {"title": title, "line": line, "href": href}


#: The name of the districts layer in the layer list.
DISTRICTS_NAME = N_("Districts (colour: median of the score picked)")


def overview_map(audit: Audit, districts: Districts, pages: dict[str, str]) -> CptedMap:
    """
    Draw the city overview: the districts coloured by median score, each linking its page.

    Parameters
    ----------
    audit
        The audit of the whole place.
    districts
        From :func:`district_plan`.
    pages
        The address of each district's page, relative to the overview, by district id.

    Returns
    -------
    CptedMap
    """
    from cpted.maps import LayerList, _framed_map, _lonlat, add_legend, for_web
    from cpted.maps._streets import _NO_SCORE, _SCORE_STOPS, PICKS, _Picker

    table = districts.table
    web = table.to_crs(4326) if len(table) else None
    lon = shapely.get_coordinates(web.geometry.to_numpy())[:, 0] if web is not None else []
    wrap = bool(len(lon)) and float(np.max(lon) - np.min(lon)) > 180.0
    if web is not None:
        bounds = shapely.total_bounds(
            shapely.transform(web.geometry.to_numpy(), lambda xy: _lonlat(xy, wrap))
        )
    else:
        frame = gpd.GeoSeries([audit.area.boundary], crs=audit.area.crs).to_crs(4326)
        bounds = frame.total_bounds
    m = _framed_map(bounds, wrap, audit.area.data_date, tiles=None, zoom_start=13, max_zoom=19)
    picks = [(_(label), column) for label, column in PICKS if column in audit.segments]
    rows = _district_rows(audit, districts, picks, pages)
    outlines = for_web(table[["geometry"]], [], wrap=wrap, simplify=OVERVIEW_SIMPLIFY_M)
    data: dict[str, list[Any]] = {"g": [], "p": []}
    by_id = dict(zip(table.index.astype(str), rows, strict=True))
    for feature in outlines["features"]:
        packed = pack(feature["geometry"])
        if packed is None:
            continue
        data["g"].append(packed)
        data["p"].append(by_id[html.unescape(str(feature["properties"]["id"]))])
    spec = {"stops": _SCORE_STOPS, "none": _NO_SCORE}
    layer = DistrictsLayer(data, spec, html.escape(_(DISTRICTS_NAME)))
    layer.add_to(m)
    segments = len(audit.segments)
    counts = n_(
        "{n} district, {segments} street segments.",
        "{n} districts, {segments} street segments.",
        len(table),
    ).format(n=len(table), segments=segments)
    if pages:
        line = counts + " " + _("Click a district to open its detailed map.")
    else:
        line = counts + " " + _("Hover a district for its scores; audit.to_map(district=...) "
                                "draws its detailed map.")  # fmt: skip
    m.add_child(_Note(m.get_name(), _("City overview"), line))
    if picks:
        m.add_child(
            _Picker(
                m.get_name(), layer.get_name(), [p for p, _c in picks], _("Colour districts by")
            )
        )
    add_legend(
        m,
        _("Districts"),
        [
            (_SCORE_STOPS[0], _("0–20 poor")),
            (_SCORE_STOPS[1], "20–40"),
            (_SCORE_STOPS[2], "40–60"),
            (_SCORE_STOPS[3], "60–80"),
            (_SCORE_STOPS[4], _("80–100 good")),
            (_NO_SCORE, _("no segment scored")),
        ],
        _(
            "Median score of the district's street segments for the principle picked "
            "(0–100, higher supports safety better)."
        ),
        layer=layer,
        pick_title=picks[0][0] if picks else None,
    )
    LayerList().add_to(m)
    return m


def district_key(districts: Districts, district: Any) -> str:
    """
    Find the district ``district`` means: its id (``"d07"``) or its name.

    A name matches as :func:`cpted.report.site_rows` matches a site's: without accents
    and case, in full or as the one name holding it.

    Raises
    ------
    InputError
        No district has that id or name; the message lists some that do.
    """
    from cpted.report import _site_rows

    table = districts.table
    found = [str(k) for k in _site_rows(table, district)] if len(table) else []
    if len(found) != 1:
        names = [f"{k} ({n})" for k, n in table["name"].astype(str).items()][:5]
        many = len(found) > 1
        msg = (
            f"{'Several districts are' if many else 'No district is'} {district!r}; give a "
            f"district id or name such as {'; '.join(names) or '(none)'}."
        )
        raise InputError(msg)
    return found[0]


def _members(of: pd.Series, key: str) -> pd.Index:
    """Return the segments (or sites) that ``of`` (district by row) puts in ``key``."""
    return of.index[(of == key).to_numpy()]


def _district_page(
    audit: Audit,
    polygon: Any,
    segments: pd.Index,
    sites: pd.Index,
    title: str,
    *,
    back: str | None = None,
    clipper: _Clipper | None = None,
    basemap: str | None = None,
) -> CptedMap:
    """
    Draw the detailed map of one district: its rows, what reaches them, and a note.

    The note at the top left names the district (``title``) and its number of segments;
    with ``back`` (the overview's address) it reads "← City overview" and links there.
    """
    part = subset(audit, polygon, segments=segments, sites=sites, clipper=clipper)
    return _page_of(part, len(segments), title, back=back, basemap=basemap)


def _page_of(
    part: Audit, segments: int, title: str, *, back: str | None = None, basemap: str | None = None
) -> CptedMap:
    """Draw the detailed map of a district's part of the audit (:func:`_district_page`)."""
    from cpted.maps import audit_map

    m = audit_map(part, basemap=basemap)
    line = n_("{n} street segment", "{n} street segments", segments).format(n=segments)
    if back is None:
        m.add_child(_Note(m.get_name(), title, line))
    else:
        m.add_child(_Note(m.get_name(), _("← City overview"), f"{title} · {line}", back))
    return m


def _write_page(part: Audit, segments: int, title: str, back: str, path: str) -> int:
    """Draw a district's page and write it to ``path``; return its size in bytes.

    Run by a local worker when :meth:`cpted.Audit.save` has them (in the caller's language
    and settings, :class:`cpted._tiles.Workers`), else here.
    """
    page = _page_of(part, segments, title, back=back).to_html().encode("utf-8")
    Path(path).write_bytes(page)
    return len(page)


def district_map(
    audit: Audit, districts: Districts, district: Any, *, basemap: str | None = None
) -> CptedMap:
    """
    Draw the detailed map of one district of ``audit`` (:meth:`cpted.Audit.to_map`).

    The same map as the district's page that :meth:`cpted.Audit.save` writes, with its
    name and number of segments in the note at the top left, and no link back.
    """
    key = district_key(districts, district)
    return _district_page(
        audit,
        districts.table.geometry.loc[key],
        _members(districts.segments, key),
        _members(districts.sites, key),
        str(districts.table["name"].loc[key]),
        basemap=basemap,
    )


# -- writing -----------------------------------------------------------------------------


def write_city_maps(
    audit: Audit,
    folder: Path,
    districts: Districts,
    *,
    progress: Any = None,
    budget: float | None = None,
    workers: int | None = 1,
) -> Districts:
    """
    Write the district pages into ``folder / districts`` and the overview as ``map.html``.

    ``folder`` is the staging folder of :meth:`cpted.Audit.save`, so the pages are swapped
    in with the rest of the output, or not at all. ``progress`` is called with the name of
    each page as it is written. With ``workers`` above 1 (None: one per core), the pages
    are drawn on that many local processes (:class:`cpted._tiles.Workers`), each handed
    its district's part of the audit; this process cuts the parts and draws the overview.

    A page that weighs more than ``budget`` bytes (default
    :data:`cpted.settings.CITY_PAGE_BYTES_PER_SEGMENT`) per street segment it shows (a
    district of a few segments, whose page is mostly the fixed cost of any page; or one
    that holds public spaces and no segment) is merged into a neighbour: the district it
    shares its longest border with (the nearest one when it touches none), smallest page
    first, until every page keeps to the budget or one page is left.
    The merged district keeps the first of the two ids and the names of both ("Hexagons
    1, 3" for hexagons). Districts
    too small to carry even the weight of a page that shows nothing are merged before any
    page is drawn; the others are merged as their pages are weighed.

    Returns
    -------
    Districts
        The districts drawn, after merging: one page per row of ``table``.
    """
    limit = float(settings.CITY_PAGE_BYTES_PER_SEGMENT if budget is None else budget)
    out = folder / DISTRICTS_FOLDER
    out.mkdir()
    clipper = _Clipper(audit)
    table = districts.table.copy()
    seg_of = districts.segments.copy()
    site_of = districts.sites.copy()
    named = {str(k): str(v) for k, v in table["name"].items()}
    merged = {key: [key] for key in named}  # the districts laid that each page holds

    def title(key: str) -> str:
        """Name a district drawn: "Hexagons 1, 2, 5" when merged, else as laid."""
        keys = merged[key]
        if districts.hexagons and len(keys) > 1:
            numbers = ", ".join(str(int(k[1:])) for k in keys)  # d07 is "Hexagon 7"
            return _("Hexagons {numbers}").format(numbers=numbers)
        return ", ".join(named[k] for k in keys)

    def page(key: str) -> tuple[Audit, int, str, str, str]:
        """Return what :func:`_write_page` draws district ``key``'s page from."""
        if progress is not None:
            progress(f"{DISTRICTS_FOLDER}/{key}.html")
        segments = _members(seg_of, key)
        part = subset(
            audit, table.geometry.loc[key], segments=segments, sites=_members(site_of, key),
            clipper=clipper,
        )  # fmt: skip
        # a page draws no network: a worker is not sent the whole place's graphs (most of
        # what a part pickles to, 5.6 of 8 MB a district at Helsinki 2 x 2)
        graphs = {
            name: type(graph)(**graph.graph)
            for name in ("graph", "drive_graph")
            if (graph := getattr(part.area, name)) is not None
        }
        part = replace(part, area=replace(part.area, **graphs))
        return part, len(segments), title(key), "../map.html", str(out / f"{key}.html")

    def draw(key: str) -> int:
        """Write the page of district ``key``; return its size in bytes."""
        return _write_page(*page(key))

    def merge(small: str, others: list[str], n: dict[str, int]) -> tuple[str, str]:
        """Merge district ``small`` into its neighbour; return (the one kept, the one gone)."""
        nonlocal seg_of, site_of
        keep, gone = sorted((small, _neighbour(table, small, others, n)))
        # on a millimetre grid: two hexagons' shared edge, computed for each, lies a
        # nanometre apart, and the union would keep them as two pieces
        table.loc[keep, "geometry"] = shapely.union(
            table.geometry.loc[keep], table.geometry.loc[gone], grid_size=1e-3
        )
        merged[keep] = sorted(merged[keep] + merged.pop(gone))
        seg_of = seg_of.where(seg_of != gone, keep)
        site_of = site_of.where(site_of != gone, keep)
        return keep, gone

    held = [str(k) for k in table.index if k in set(seg_of) | set(site_of)]
    # no page weighs less than one that shows nothing: a district too small to carry that
    # is merged before any page is drawn, so that only pages that may keep are drawn
    floor = _empty_page_bytes(audit, clipper)
    while len(held) > 1:
        n = seg_of.value_counts().reindex(held, fill_value=0).to_dict()
        short = [k for k in held if floor > limit * n[k]]
        if not short:
            break
        small = min(short, key=lambda k: (n[k], k))
        _keep, gone = merge(small, [k for k in held if k != small], n)
        held.remove(gone)
    from cpted._tiles import Workers

    # the pages of the districts laid, on the workers; the few drawn again after a merge,
    # here (each waits on the sizes of the others)
    pool = Workers.for_tasks(workers, len(held))
    try:
        sizes = dict(zip(held, pool.starmap(_write_page, map(page, held)), strict=True))
    finally:
        # on an error the staging folder is removed: no page may be written into it after
        pool.close(wait=True)
    while len(sizes) > 1:
        n = seg_of.value_counts().reindex(list(sizes), fill_value=0).to_dict()
        over = [k for k in sizes if sizes[k] > limit * n[k]]
        if not over:
            break
        small = min(over, key=lambda k: (n[k], sizes[k], k))
        keep, gone = merge(small, [k for k in sizes if k != small], n)
        (out / f"{gone}.html").unlink()
        del sizes[gone]
        sizes[keep] = draw(keep)
    table = table.loc[[k for k in table.index if str(k) in sizes]].copy()
    table["name"] = [title(str(k)) for k in table.index]
    table["main_street"] = _main_streets(audit.segments, seg_of).reindex(table.index)
    drawn = Districts(table=table, segments=seg_of, sites=site_of, hexagons=districts.hexagons)
    pages = {key: f"{DISTRICTS_FOLDER}/{key}.html" for key in sizes}
    overview = folder / "map.html"
    overview.write_text(overview_map(audit, drawn, pages).to_html(), encoding="utf-8")
    return drawn


def _empty_page_bytes(audit: Audit, clipper: _Clipper) -> int:
    """Weigh the detailed page of nothing: Leaflet, the controls, the legends of every page."""
    from cpted.maps import audit_map

    x0, y0, _x1, _y1 = audit.area.boundary.bounds
    nowhere = shapely.box(x0 - 1e5, y0 - 1e5, x0 - 1e5 + 1, y0 - 1e5 + 1)
    none = audit.segments.index[:0]
    part = subset(audit, nowhere, segments=none, sites=audit.sites.index[:0], clipper=clipper)
    return len(audit_map(part).to_html().encode("utf-8"))


def _neighbour(table: gpd.GeoDataFrame, key: str, others: list[str], n: dict[str, int]) -> str:
    """
    Pick the district ``key`` merges into: the one it shares the longest border with.

    Merged across its longest border, a district stays compact (a hexagon at the edge of
    the data goes to the hexagon beside it, not along the edge to the next small one);
    among equal borders the one with fewer segments is taken, and the nearest district
    when ``key`` touches none.
    """
    polygon = table.geometry.loc[key]
    shapes = table.geometry.loc[others].to_numpy()
    # hexagons share their edges to a nanometre; a user's districts may leave slivers
    border = shapely.length(shapely.intersection(polygon.boundary, shapely.buffer(shapes, 1.0)))
    if border.max() > 0:
        best = max(range(len(others)), key=lambda i: (round(border[i]), -n[others[i]]))
        return others[best]
    distances = shapely.distance(polygon, shapes)
    return others[int(np.argmin(distances))]


def plan(audit: Audit, *, city_map: bool | None, districts: Any) -> Districts | None:
    """
    Decide whether :meth:`cpted.Audit.save` writes the city overview, and lay its districts.

    Returns None for one detailed map: ``city_map=False``, or ``None`` with no
    ``districts`` and no more segments than :data:`cpted.settings.CITY_MAP_SEGMENTS`.
    """
    if city_map is not None and not isinstance(city_map, bool):
        msg = f"city_map must be True, False or None (decide by size), got {city_map!r}."
        raise InputError(msg)
    if city_map is False:
        if districts is not None:
            msg = (
                "districts= lays out the city overview, which city_map=False turns off; "
                "drop one of the two."
            )
            raise InputError(msg)
        return None
    wanted = (
        city_map is True
        or districts is not None
        or len(audit.segments) > settings.CITY_MAP_SEGMENTS
    )
    return district_plan(audit, districts) if wanted else None
