"""The StudyArea: every layer of one place, in one projected CRS.

A StudyArea is built from OpenStreetMap (a file or Overpass) and extended or corrected with
a user's own layers. All analysis modules read it; none of them changes it. Scenarios
(what if we add a lamp here?) are new StudyAreas made with :meth:`StudyArea.with_layer`.
"""

from __future__ import annotations

import html
import itertools
import math
import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pyproj
import shapely
from shapely.geometry import LineString, Point, Polygon, box

from cpted import _tags, settings
from cpted._errors import CptedWarning, CRSError, DataError, InputError
from cpted._i18n import N_, _
from cpted._memory import cycles_paused
from cpted._validate import check_frames, check_path_arg, check_readable, read_crs
from cpted.osm import OsmData, download_bbox, frame_polygon, read_osm

__all__ = [
    "LAYERS",
    "StudyArea",
    "area_from_bbox",
    "area_from_file",
    "area_from_osm",
    "area_from_place",
    "local_crs",
    "read_layer",
]

#: The vector layers of a StudyArea, with their index name and the geometry types allowed.
LAYERS: dict[str, tuple[str, frozenset[str]]] = {
    "streets": ("segment", frozenset({"LineString"})),
    "buildings": ("building", frozenset({"Polygon", "MultiPolygon"})),
    "barriers": ("barrier", frozenset({"Point", "LineString"})),
    "lamps": ("lamp", frozenset({"Point"})),
    "entrances": ("entrance", frozenset({"Point"})),
    "pois": ("poi", frozenset({"Point"})),
    "cameras": ("camera", frozenset({"Point"})),
    "sites": ("site", frozenset({"Polygon", "MultiPolygon"})),
}

#: The raw OSM tags kept as columns of ``streets``: those :func:`cpted._tags.audit_scope`
#: reads, so a planner can see why a segment was left out of the audit.
_STREET_TAGS = (
    "access",
    "foot",
    "service",
    "psv",
    "bus",
    "indoor",
    "level",
    "tunnel",
    "covered",
    "sidewalk",
)


_COLUMNS: dict[str, list[str]] = {
    "streets": [
        "u",
        "v",
        "key",
        "osmid",
        "name",
        "highway",
        "lit",
        "lit_raw",
        "length",
        *_STREET_TAGS,
        "audited",
        "not_audited",
    ],
    "buildings": ["building", "levels", "height", "height_source", "name", "use"],
    "barriers": [
        "barrier",
        "opaque",
        "passable",
        "blocks_vehicles",
        "height",
        "height_source",
        "access",
        "name",
    ],
    "lamps": [
        "height",
        "height_source",
        "flux",
        "flux_source",
        "source",
        "lamp_mount",
        "light_count",
        "light_direction",
        "light_colour",
    ],
    "entrances": ["entrance", "entrance_raw", "access", "building"],
    "pois": ["category", "name", "amenity", "shop", "opening_hours"],
    "cameras": [
        "surveillance",
        "surveillance_type",
        "camera_type",
        "direction",
        "direction_known",
        "angle",
        "fov",
        "mount",
        "zone",
        "height",
    ],
    "sites": [
        "category",
        "name",
        "access",
        "source",
        "geometry_source",
        "area_m2",
        "ground",
        "open_ground_m2",
    ],
}


def _empty(layer: str, crs: Any) -> gpd.GeoDataFrame:
    index = pd.Index([], name=LAYERS[layer][0], dtype=int if layer == "streets" else object)
    return gpd.GeoDataFrame(
        {c: pd.Series(dtype=object) for c in _COLUMNS[layer]},
        geometry=gpd.GeoSeries([], crs=crs),
        index=index,
    )


def _frame(layer: str, rows: list[dict[str, Any]], crs_in: Any, crs_out: Any) -> gpd.GeoDataFrame:
    if not rows:
        return _empty(layer, crs_out)
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=crs_in)
    gdf = gdf.set_index("id")
    gdf.index.name = LAYERS[layer][0]
    gdf = gdf[[*_COLUMNS[layer], "geometry"]]
    return gdf.to_crs(crs_out) if crs_out is not None else gdf


# --------------------------------------------------------------------------------------
# Street networks
# --------------------------------------------------------------------------------------


def _is_walkable(tags: dict[str, str]) -> bool:
    # The osmnx "walk" filter (osmnx/_overpass.py), written as a predicate on tags.
    highway = tags.get("highway")
    if highway is None or highway in settings.WALK_EXCLUDED_HIGHWAYS:
        return False
    if tags.get("area") == "yes" or tags.get("access") == "private":
        return False
    if tags.get("foot") == "no" or tags.get("service") == "private":
        return False
    sidewalk_keys = ("sidewalk", "sidewalk:both", "sidewalk:left", "sidewalk:right")
    return not any(tags.get(k) == "separate" for k in sidewalk_keys)


def _is_drivable(tags: dict[str, str]) -> bool:
    return tags.get("highway") in settings.DRIVE_HIGHWAYS and tags.get("area") != "yes"


#: A step along a street: the index of the way it belongs to (in the list of kept ways)
#: and whether it runs against the way's node order (osmnx's ``reversed``).
_Step = tuple[int, bool]


# Building a city's graph makes a million small containers (steps, edges, networkx's
# dicts), none of them garbage; the collector would walk them again and again, and the
# whole heap every few hundred thousand: twice the time (3.7 s against 1.6 s for Helsinki
# tiled 3x3).
@cycles_paused()
def _graph_from_ways(
    data: OsmData,
    keep: Callable[[dict[str, str]], bool],
    crs: pyproj.CRS,
    *,
    scope: bool = False,
) -> nx.MultiDiGraph:
    """
    Build a projected, simplified osmnx-style graph from the ways ``keep`` accepts.

    The graph is the one osmnx 2.1.1 makes of the same ways (an undirected street as two
    opposite edges, ``simplify_graph(edge_attrs_differ=["highway", "name", "lit"],
    remove_rings=False)`` with ``"not_audited"`` among the tags that must agree when
    ``scope``, then ``project_graph(to_crs=crs)``): the same nodes, edges,
    keys, attributes and order, built in one pass. osmnx built it in three (a graph in
    WGS84, a simplified copy, a projected copy through two GeoDataFrames), which took
    most of the time of reading a city; ``tests/test_graph_build.py`` holds that pipeline
    and checks the two agree.

    Each edge carries the tags of :data:`cpted.settings.EDGE_TAGS` its way has, ``osmid``,
    ``oneway=False`` (pedestrians walk both ways), ``reversed`` and ``length`` in metres
    along its geometry in ``crs``. An edge that merges several ways holds, for a tag whose
    values differ, the sorted list of them. With ``scope``, each edge carries
    ``not_audited`` (:func:`cpted._tags.audit_scope`) when its way is no public place to
    walk, and simplification never merges such a way with an audited one. Nodes where the
    extract cut a way (the next node of the way is missing from the file) carry
    ``cut=True``: they are no dead ends.
    """
    differ = ("highway", "name", "lit", *(("not_audited",) if scope else ()))
    ways, lonlat, segments, cuts = _street_segments(data, keep, scope=scope)
    if not segments:
        return nx.MultiDiGraph(crs="epsg:4326")
    # succ[u][v]: the steps from u to v, in the order osmnx gives them keys.
    succ: dict[int, dict[int, list[_Step]]] = {node: {} for node in lonlat}
    for u, v, way in segments:
        succ[u].setdefault(v, []).append((way, False))
        succ[v].setdefault(u, []).append((way, True))
    interior = _interior_nodes(succ, [tuple(w.get(k) for k in differ) for w in ways])

    # osmnx walks from each end node through each interior neighbour to the next end node
    # (the same node again for a loop hanging off it) and adds the merged edge after the
    # edges the two ends already share. Only the order of one node's neighbours decides
    # keys and order, so any order of the end nodes gives the same graph.
    removed: set[int] = set()
    merged: dict[int, list[tuple[int, list[int], list[_Step]]]] = {}
    for start, nbrs in succ.items():
        if start in interior:
            # A loop of interior nodes only stays as it is (remove_rings=False): a footway
            # round a pond, joined to nothing, is a street to audit.
            continue
        for first, first_steps in nbrs.items():
            if first not in interior:
                continue
            path, steps = [start, first], [first_steps[0]]
            prev, node = start, first
            while node in interior:
                one, other = succ[node]
                prev, node = node, other if one == prev else one
                path.append(node)
                steps.append(succ[prev][node][0])
            removed.update(path[1:-1])
            merged.setdefault(start, []).append((node, path, steps))

    # The edges in the order osmnx's projected graph holds them: by origin in the order
    # nodes were first read, an origin's neighbours in the order they were first joined
    # (merged ends last), a pair's edges by key.
    edges: list[tuple[int, int, int, dict[str, Any]]] = []
    lines: list[list[int]] = []
    for start, nbrs in succ.items():
        if start in removed:
            continue
        out: dict[int, list[tuple[list[int], dict[str, Any]]]] = {
            end: [([start, end], _step_attrs(ways[w], r)) for w, r in steps]
            for end, steps in nbrs.items()
            if end not in removed
        }
        for end, path, steps in merged.get(start, []):
            out.setdefault(end, []).append((path, _merged_attrs(ways, steps)))
        for end, parallel in out.items():
            for key, (path, attrs) in enumerate(parallel):
                edges.append((start, end, key, attrs))
                lines.append(path)
    # Projected once, node by node, as osmnx's project_graph does: the coordinates are
    # the same to the last bit.
    position = {node: i for i, node in enumerate(lonlat)}
    to_local = pyproj.Transformer.from_crs("epsg:4326", crs, always_xy=True)
    xy = np.column_stack(to_local.transform(*np.array(list(lonlat.values())).T))
    _add_geometry(edges, lines, xy[[position[n] for path in lines for n in path]])
    _order_attrs(edges)

    graph = nx.MultiDiGraph(crs=pyproj.CRS.from_user_input(crs), simplified=True)
    for u, v, key, attrs in edges:  # add_edges_from is four times slower
        graph.add_edge(u, v, key, **attrs)
    kept = [node for node in lonlat if node not in removed]
    # Nodes on no edge (a way of one node repeated) come last, in the order of this set
    # difference, as osmnx's graph_from_gdfs adds them.
    graph.add_nodes_from(set(kept) - set(graph.nodes))
    coords = xy.tolist()
    for node, attrs in graph.nodes(data=True):
        attrs["x"], attrs["y"] = coords[position[node]]
        if node in cuts:
            attrs["cut"] = True
    return graph


def _street_segments(
    data: OsmData, keep: Callable[[dict[str, str]], bool], *, scope: bool
) -> tuple[
    list[dict[str, Any]], dict[int, tuple[float, float]], list[tuple[int, int, int]], set[int]
]:
    """
    Read the ways ``keep`` accepts as the parts of a street graph.

    Returns the edge attributes of each kept way, the WGS84 position of each node (in the
    order the nodes were first read), the segments between consecutive present nodes as
    ``(u, v, way index)`` and the nodes where the extract cut a way.
    """
    ways: list[dict[str, Any]] = []
    lonlat: dict[int, tuple[float, float]] = {}
    segments: list[tuple[int, int, int]] = []
    cuts: set[int] = set()
    for way in data.ways:
        if not keep(way.tags):
            continue
        attrs: dict[str, Any] = {k: way.tags[k] for k in settings.EDGE_TAGS if k in way.tags}
        attrs["osmid"] = way.id
        if scope and (reason := _tags.audit_scope(way.tags)) is not None:
            attrs["not_audited"] = reason
        index = len(ways)
        ways.append(attrs)
        ok = ~np.isnan(way.lon)
        if not ok.all():
            # The ends of each run that stand next to a missing node: the extract cut there.
            nxt = np.r_[ok[1:], True]
            prv = np.r_[True, ok[:-1]]
            cuts.update(way.refs[ok & (~nxt | ~prv)].tolist())
        for refs, lon, lat in way.runs():
            ids = refs.tolist()
            lonlat.update(zip(ids, zip(lon.tolist(), lat.tolist(), strict=True), strict=True))
            segments.extend((u, v, index) for u, v in itertools.pairwise(ids) if u != v)
    return ways, lonlat, segments, cuts & lonlat.keys()


def _interior_nodes(
    succ: dict[int, dict[int, list[_Step]]], differ: list[tuple[Any, ...]]
) -> set[int]:
    """
    Find the nodes osmnx's ``simplify_graph`` removes: bends in a street, not its ends.

    Every edge has its opposite here, so of osmnx's rules (``_is_endpoint``) a node is
    interior when it has two neighbours, one step to each, and the ways of the two steps
    agree on every tag in ``differ`` (indexed by way).
    """
    interior: set[int] = set()
    for node, nbrs in succ.items():
        if len(nbrs) != 2:
            continue
        one, other = nbrs.values()
        if len(one) == len(other) == 1 and differ[one[0][0]] == differ[other[0][0]]:
            interior.add(node)
    return interior


def _step_attrs(way: dict[str, Any], reverse: bool) -> dict[str, Any]:
    """Make the attributes of one step's edge, ``length`` (set later) last, as osmnx does."""
    return {**way, "oneway": False, "reversed": reverse, "length": None}


def _merged_attrs(ways: list[dict[str, Any]], steps: list[_Step]) -> dict[str, Any]:
    """Merge the attributes of the ways of ``steps``: one value, or the sorted values."""
    distinct = dict.fromkeys(w for w, _r in steps)
    if len(distinct) == 1:
        attrs = _step_attrs(ways[steps[0][0]], steps[0][1])
    else:
        # The keys in the order osmnx meets them along the path.
        values: dict[str, list[Any]] = {}
        for w in distinct:
            for key, value in _step_attrs(ways[w], False).items():
                values.setdefault(key, []).append(value)
        attrs = {key: _one_or_sorted(v) for key, v in values.items()}
    attrs["reversed"] = _one_or_sorted([r for _w, r in steps])
    return attrs


def _one_or_sorted(values: list[Any]) -> Any:
    # Sorted (not osmnx's set order, which changes between Python runs) so every result
    # is repeatable.
    unique = set(values)
    return values[0] if len(unique) == 1 else sorted(unique, key=str)


def _order_attrs(edges: list[tuple[int, int, int, dict[str, Any]]]) -> None:
    """
    Put the attributes of every edge in osmnx's order, which is that of their first use.

    osmnx's ``project_graph`` passes the edges through a GeoDataFrame, whose columns come
    in the order the attributes first appear; ``osmnx.graph_to_gdfs`` (and so
    :func:`cpted.access.streets_from_graph`) shows them in that order.
    """
    columns = dict.fromkeys(key for *_ends, attrs in edges for key in attrs)
    orders: dict[tuple[str, ...], tuple[str, ...]] = {}
    for *_ends, attrs in edges:
        keys = tuple(attrs)
        if keys not in orders:
            orders[keys] = tuple(key for key in columns if key in attrs)
        if orders[keys] != keys:
            attrs.update({key: attrs.pop(key) for key in orders[keys]})


def _add_geometry(
    edges: list[tuple[int, int, int, dict[str, Any]]], lines: list[list[int]], coords: np.ndarray
) -> None:
    """
    Give each edge its ``length`` along its line, and a merged edge its ``geometry``.

    ``lines`` holds the nodes each edge passes, ``coords`` their projected coordinates one
    line after another. An edge between two neighbouring nodes keeps no geometry, as in
    osmnx: its line is the straight one between its ends.
    """
    sizes = [len(path) for path in lines]
    geoms = shapely.linestrings(coords, indices=np.repeat(np.arange(len(lines)), sizes))
    lengths = shapely.length(geoms).tolist()
    for (*_ends, attrs), geom, length, size in zip(edges, geoms, lengths, sizes, strict=True):
        attrs["length"] = length
        if size > 2:
            attrs["geometry"] = geom


def _clip_graph(graph: nx.MultiDiGraph, polygon: Polygon) -> nx.MultiDiGraph:
    if graph.number_of_nodes() == 0:
        return graph
    ids = np.fromiter(graph.nodes, dtype=np.int64, count=graph.number_of_nodes())
    xs = np.array([graph.nodes[n]["x"] for n in ids])
    ys = np.array([graph.nodes[n]["y"] for n in ids])
    inside = shapely.contains_xy(polygon, xs, ys)
    clipped = graph.subgraph(ids[inside].tolist()).copy()
    # A node that lost a neighbour to the boundary is where the boundary cut the network.
    for node in clipped.nodes:
        if clipped.degree(node) < graph.degree(node):
            clipped.nodes[node]["cut"] = True
    return clipped


def _flat(value: Any) -> Any:
    """Turn the lists osmnx leaves on merged edges into sorted "a; b" text."""
    if isinstance(value, list):
        return "; ".join(sorted({str(v) for v in value}))
    return value


def _streets_from_graph(graph: nx.MultiDiGraph, crs: pyproj.CRS) -> gpd.GeoDataFrame:
    """One row per undirected segment; tags each directed edge with its ``segment``."""
    rows: list[dict[str, Any]] = []
    seen: dict[tuple[Any, ...], int] = {}
    xy = {n: (d["x"], d["y"]) for n, d in graph.nodes(data=True)}
    for u, v, k, d in graph.edges(keys=True, data=True):
        canon = (min(u, v), max(u, v), _flat(d.get("osmid")), round(d["length"], 1))
        if canon in seen:
            d["segment"] = seen[canon]
            continue
        segment = len(rows)
        seen[canon] = segment
        d["segment"] = segment
        geom = d.get("geometry") or LineString([xy[u], xy[v]])
        raw_lit = _flat(d.get("lit"))
        reason = _flat(d.get("not_audited"))
        rows.append(
            {
                "id": segment,
                "u": u,
                "v": v,
                "key": k,
                "osmid": _flat(d.get("osmid")),
                "name": _flat(d.get("name")),
                "highway": _flat(d.get("highway")),
                "lit": _tags.parse_lit(raw_lit),
                "lit_raw": raw_lit,
                "length": float(d["length"]),
                **{key: _flat(d.get(key)) for key in _STREET_TAGS},
                "audited": reason is None,
                "not_audited": reason,
                "geometry": geom,
            }
        )
    streets = _frame("streets", rows, crs, None)
    streets.index = streets.index.astype(int)
    return streets


# --------------------------------------------------------------------------------------
# Feature layers
# --------------------------------------------------------------------------------------


def _transform(geom: Any, transformer: pyproj.Transformer) -> Any:
    """Reproject a shapely geometry with a pyproj transformer (x, y order)."""
    return shapely.transform(
        geom, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))
    )


#: Land cover drawn under the map, first match wins: (kind, key, values; None: any value).
#: OSM wiki, Key:landuse, Key:natural, Tag:waterway=riverbank, Key:water.
LANDUSE_KINDS: tuple[tuple[str, str, frozenset[str] | None], ...] = (
    ("water", "natural", frozenset({"water", "bay", "wetland"})),
    ("water", "waterway", frozenset({"riverbank", "dock", "canal"})),
    ("water", "water", None),
    ("water", "landuse", frozenset({"reservoir", "basin"})),
    ("green", "leisure", frozenset({"park", "garden", "pitch", "nature_reserve", "dog_park"})),
    ("green", "natural", frozenset({"wood", "scrub", "grassland", "heath"})),
    (
        "green",
        "landuse",
        frozenset(
            {
                "grass",
                "forest",
                "meadow",
                "recreation_ground",
                "cemetery",
                "allotments",
                "village_green",
                "orchard",
                "vineyard",
                "greenfield",
                "flowerbed",
            }
        ),
    ),
    (
        "built",
        "landuse",
        frozenset(
            {
                "residential",
                "commercial",
                "retail",
                "industrial",
                "railway",
                "construction",
                "garages",
                "education",
                "religious",
            }
        ),
    ),
)


def landuse_from_osm(data: OsmData, crs: pyproj.CRS) -> gpd.GeoDataFrame:
    """
    Return the land cover of the data for the map's base: water, green and built land.

    Parameters
    ----------
    data
        What :func:`cpted.osm.read_osm` read.
    crs
        The area's CRS.

    Returns
    -------
    geopandas.GeoDataFrame
        ``kind`` ("water", "green" or "built") and the polygons, in ``crs``, largest first
        (so smaller covers are drawn over larger ones).
    """
    rows = []
    for _key, tags, geom in data.areas:
        for kind, tag, values in LANDUSE_KINDS:
            value = tags.get(tag)
            if value is not None and (values is None or value in values):
                rows.append({"kind": kind, "geometry": geom})
                break
    if not rows:
        return gpd.GeoDataFrame({"kind": []}, geometry=[], crs=crs)
    cover = gpd.GeoDataFrame(rows, geometry="geometry", crs=4326).to_crs(crs)
    cover = cover[cover.is_valid & ~cover.is_empty]
    return cover.iloc[np.argsort(-cover.area.to_numpy(), kind="stable")].reset_index(drop=True)


def _buildings(data: OsmData) -> list[dict[str, Any]]:
    rows = []
    for key, tags, geom in data.areas:
        value = tags.get("building")
        if value is None or value in {"no", "roof", "entrance", "underpass_entrance"}:
            continue
        if tags.get("location") == "underground" or str(tags.get("layer", "0")).startswith("-"):
            continue
        levels = _tags.parse_levels(tags.get("building:levels"))
        height = _tags.parse_height(tags.get("height"))
        source = "osm"
        if math.isnan(height) and not math.isnan(levels):
            roof = _tags.parse_levels(tags.get("roof:levels"))
            height = (levels + (0 if math.isnan(roof) else roof)) * settings.STOREY_HEIGHT
            source = "levels"
        elif math.isnan(height):
            height = settings.DEFAULT_LEVELS * settings.STOREY_HEIGHT
            source = "default"
        rows.append(
            {
                "id": key,
                "building": value,
                "levels": levels,
                "height": height,
                "height_source": source,
                "name": tags.get("name"),
                "use": tags.get("building:use") or tags.get("amenity") or tags.get("shop") or value,
                "geometry": geom,
            }
        )
    return rows


def _barriers(data: OsmData) -> list[dict[str, Any]]:
    rows = []

    def row(key: str, tags: dict[str, str], geom: Any) -> dict[str, Any]:
        return {
            "id": key,
            **_tags.barrier_class(tags),
            "access": tags.get("access"),
            "name": tags.get("name"),
            "geometry": geom,
        }

    for node, lon, lat, tags in data.nodes:
        if "barrier" in tags and tags["barrier"] not in settings.IGNORED_BARRIERS:
            rows.append(row(f"n{node}", tags, Point(lon, lat)))
    for way in data.ways:
        if "barrier" not in way.tags or way.tags["barrier"] in settings.IGNORED_BARRIERS:
            continue
        runs = list(way.runs())
        for i, (_way, xs, ys) in enumerate(runs):
            key = f"w{way.id}" if len(runs) == 1 else f"w{way.id}-{i}"
            rows.append(row(key, way.tags, LineString(np.column_stack([xs, ys]))))
    return rows


def _lamps(data: OsmData, stats: dict[str, int]) -> list[dict[str, Any]]:
    rows = []
    for node, lon, lat, tags in data.nodes:
        if tags.get("highway") != "street_lamp" and "light_source" not in tags:
            continue
        height = _tags.parse_height(tags.get("height"))
        if not height > 0:  # height=0, -5 or "tall": no lamp stands that low; use the default
            stats["lamp_heights_defaulted"] += "height" in tags
            height = math.nan
        count = _tags.parse_levels(tags.get("light:count"))
        rows.append(
            {
                "id": f"n{node}",
                # unknown stays unknown here: cpted.lighting.lamps_with_defaults is the one
                # place that gives a lamp its default height (from the street it lights)
                "height": height,
                "height_source": "default" if math.isnan(height) else "osm",
                "flux": math.nan,  # defaulted with the height, by the street it lights
                "flux_source": "default",
                "source": "osm",
                "lamp_mount": tags.get("lamp_mount"),
                "light_count": 1.0 if math.isnan(count) else count,
                "light_direction": _tags.camera_direction(tags.get("light:direction")),
                "light_colour": tags.get("light:colour"),
                "geometry": Point(lon, lat),
            }
        )
    return rows


def _entrances(data: OsmData) -> list[dict[str, Any]]:
    rows = []
    for node, lon, lat, tags in data.nodes:
        if "entrance" in tags or "door" in tags:
            kind = _tags.entrance_kind(tags)
            raw = tags.get("entrance") or f"door={tags.get('door')}"
        elif tags.get("barrier") in settings.PASSABLE_BARRIERS - settings.VEHICLE_BARRIERS:
            kind, raw = "gate", f"barrier={tags['barrier']}"
        else:
            continue
        rows.append(
            {
                "id": f"n{node}",
                "entrance": kind,
                "entrance_raw": raw,
                "access": tags.get("access"),
                "building": None,
                "geometry": Point(lon, lat),
            }
        )
    return rows


def _pois(data: OsmData) -> list[dict[str, Any]]:
    rows = []

    def row(key: str, category: str, tags: dict[str, str], geom: Any) -> dict[str, Any]:
        return {
            "id": key,
            "category": category,
            "name": tags.get("name"),
            "amenity": tags.get("amenity"),
            "shop": tags.get("shop"),
            "opening_hours": tags.get("opening_hours"),
            "geometry": geom,
        }

    # the point is made for the nodes kept only: most tagged nodes are no point of interest
    for node, lon, lat, tags in data.nodes:
        if (category := _tags.poi_category(tags)) is not None:
            rows.append(row(f"n{node}", category, tags, Point(lon, lat)))
    for key, tags, geom in data.areas:
        if (category := _tags.poi_category(tags)) is not None:
            rows.append(row(key, category, tags, geom.representative_point()))
    return rows


def _cameras(data: OsmData, stats: dict[str, int]) -> list[dict[str, Any]]:
    rows = []
    for node, lon, lat, tags in data.nodes:
        if tags.get("man_made") != "surveillance":
            continue
        raw = tags.get(
            "camera:direction", tags.get("direction", tags.get("surveillance:direction"))
        )
        direction = _tags.camera_direction(raw)
        camera_type = tags.get("camera:type")
        known = not math.isnan(direction) and camera_type not in {"dome", "panning"}
        height = _tags.parse_height(tags.get("height"))
        angle = _tags.parse_angle(tags.get("camera:angle"))
        stats["camera_values_defaulted"] += "camera:angle" in tags and math.isnan(angle)
        rows.append(
            {
                "id": f"n{node}",
                "surveillance": tags.get("surveillance"),
                "surveillance_type": tags.get("surveillance:type", "camera"),
                "camera_type": camera_type,
                "direction": direction,
                "direction_known": bool(known),
                "angle": angle,
                "fov": settings.CAMERA_FOV if known else 360.0,
                "mount": tags.get("camera:mount"),
                "zone": tags.get("surveillance:zone"),
                "height": height,
                "geometry": Point(lon, lat),
            }
        )
    return rows


def _sites(data: OsmData, crs: pyproj.CRS) -> list[dict[str, Any]]:
    rows = []
    for key, tags, geom in data.areas:
        category = _tags.site_category(tags)
        if category is None:
            continue
        rows.append(
            {
                "id": key,
                "category": category,
                "name": tags.get("name"),
                "access": tags.get("access"),
                "source": "osm",
                "geometry_source": "clipped" if key in data.areas_mended else "area",
                "area_m2": math.nan,
                "ground": None,
                "open_ground_m2": math.nan,
                "geometry": geom,
            }
        )
    to_local = pyproj.Transformer.from_crs(4326, crs, always_xy=True)
    to_wgs = pyproj.Transformer.from_crs(crs, 4326, always_xy=True)
    polygons = gpd.GeoDataFrame(rows, geometry="geometry", crs=4326) if rows else None
    for node, lon, lat, tags in data.nodes:
        category = _tags.site_category(tags)
        if category is None:
            continue
        point = Point(lon, lat)
        if polygons is not None:
            same = polygons[polygons["category"] == category]
            if same.intersects(point).any():
                continue
        x, y = to_local.transform(lon, lat)
        disc = _transform(Point(x, y).buffer(settings.SITE_POINT_BUFFER), to_wgs)
        rows.append(
            {
                "id": f"n{node}",
                "category": category,
                "name": tags.get("name"),
                "access": tags.get("access"),
                "source": "osm",
                "geometry_source": "point",
                "area_m2": math.nan,
                "ground": None,
                "open_ground_m2": math.nan,
                "geometry": disc,
            }
        )
    return rows


#: The grid an overlay is redone on when GEOS fails on it ("TopologyException: found
#: non-noded intersection"), metres: 1 cm, far below what a map of buildings can tell
#: apart, and enough for GEOS's snapping to converge (shapely ``grid_size``).
GEOS_RETRY_GRID_M = 0.01


def _cover(site: Any, homes: np.ndarray, counts: dict[str, int] | None) -> float:
    """
    Return the area of ``site`` under ``homes``, redone on a fine grid if GEOS fails.

    A failure on the grid too is counted in ``counts["geos_failures"]`` and the site is
    taken as uncovered (open ground): one odd outline must not stop the loading.
    """
    if counts is not None:
        counts["geos_failures"] = counts.get("geos_failures", 0) + 1
    for grid in (None, GEOS_RETRY_GRID_M):
        try:
            union = shapely.union_all(homes, grid_size=grid)
            return float(
                shapely.area(shapely.intersection(shapely.make_valid(site), union, grid_size=grid))
            )
        except shapely.errors.GEOSException:
            continue
    return 0.0


def site_ground(
    sites: gpd.GeoDataFrame,
    buildings: gpd.GeoDataFrame,
    *,
    counts: dict[str, int] | None = None,
) -> pd.DataFrame:
    """
    Tell the sites that are open ground from those that are only a building outline.

    ``open_ground_m2`` is the site's area less the building footprints inside it. A site
    at least :data:`cpted.settings.SITE_BUILDING_GROUND_SHARE` covered by buildings (a
    school mapped only as its building, with ``amenity=school`` on the building) has
    ``ground = "building"``: it has no open ground to watch or fence, and its edge is
    its own walls; every other site has ``ground = "open"``.

    Parameters
    ----------
    sites, buildings
        The layers of a StudyArea, in one projected CRS.
    counts
        Where GEOS fails on an overlay, the sites redone one by one
        (:data:`GEOS_RETRY_GRID_M`) are counted here as ``geos_failures``.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``sites``: ``ground`` and ``open_ground_m2``.
    """
    geoms = sites.geometry.to_numpy()
    area = shapely.area(geoms).astype(float) if len(geoms) else np.zeros(0)
    covered = np.zeros(len(geoms))
    if len(geoms) and len(buildings):
        homes = shapely.make_valid(buildings.geometry.to_numpy())
        site_i, building_i = shapely.STRtree(homes).query(geoms, predicate="intersects")
        if len(site_i):
            # Buildings may overlap (parts of one building); union them per site first.
            order = np.argsort(site_i, kind="stable")
            site_i, building_i = site_i[order], building_i[order]
            starts = np.flatnonzero(np.r_[True, site_i[1:] != site_i[:-1]])
            groups = np.split(building_i, starts[1:])
            owners = site_i[starts]
            try:
                unions = np.array([shapely.union_all(homes[g]) for g in groups], dtype=object)
                covered[owners] = shapely.area(
                    shapely.intersection(shapely.make_valid(geoms[owners]), unions)
                )
            except shapely.errors.GEOSException:
                for owner, group in zip(owners, groups, strict=True):
                    covered[owner] = _cover(geoms[owner], homes[group], counts)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(area > 0, covered / area, 0.0)
    building = share >= settings.SITE_BUILDING_GROUND_SHARE
    return pd.DataFrame(
        {
            "ground": np.where(building, "building", "open").astype(object),
            "open_ground_m2": np.maximum(area - covered, 0.0),
        },
        index=sites.index,
    )


def _coverage(data: OsmData, crs: pyproj.CRS) -> Any:
    """
    Return the ground the data covers: within ``FOOTPRINT_BUFFER_M`` of a mapped feature.

    The ways (densified every ``FOOTPRINT_CELL_M``) and the tagged nodes are marked on a
    grid of that cell size, grown by the buffer (a disc), their small holes filled (a gap
    surrounded by data is a pond or a field, not the end of the data) and turned back into
    polygons: a raster dilation, which takes milliseconds where a union of thousands of
    buffered ways takes seconds. None when the data holds no coordinates.
    """
    from rasterio.features import shapes
    from scipy import ndimage

    cell = float(settings.FOOTPRINT_CELL_M)
    reach = float(settings.FOOTPRINT_BUFFER_M)
    to_local = pyproj.Transformer.from_crs(4326, crs, always_xy=True)
    # a run of one node is no line (its node is among the nodes below)
    runs = [np.column_stack([x, y]) for way in data.ways for _, x, y in way.runs() if len(x) > 1]
    nodes = np.array([(n[1], n[2]) for n in data.nodes], dtype=float).reshape(-1, 2)
    parts = [np.column_stack(to_local.transform(nodes[:, 0], nodes[:, 1])).reshape(-1, 2)]
    if runs:
        sizes = np.fromiter((len(r) for r in runs), dtype=np.int64, count=len(runs))
        lonlat = np.vstack(runs)
        local = np.column_stack(to_local.transform(lonlat[:, 0], lonlat[:, 1]))
        lines = shapely.linestrings(local, indices=np.repeat(np.arange(len(runs)), sizes))
        lines = lines[shapely.length(lines) > 0]  # GEOS cannot densify a line of no length
        parts.append(shapely.get_coordinates(shapely.segmentize(lines, cell)))
    xy = np.vstack(parts)
    xy = xy[np.isfinite(xy).all(axis=1)]
    if not len(xy):
        return None
    radius = max(1, round(reach / cell))
    pad = radius + 2
    origin = np.floor(xy.min(axis=0) / cell) * cell - pad * cell
    ij = np.floor((xy - origin) / cell).astype(np.int64)
    cols, rows = ij.max(axis=0) + pad + 1
    grid = np.zeros((rows, cols), dtype=bool)
    grid[ij[:, 1], ij[:, 0]] = True
    dy, dx = np.mgrid[-radius : radius + 1, -radius : radius + 1]
    grown = ndimage.binary_dilation(grid, structure=dx**2 + dy**2 <= radius**2)
    # Fill the small holes only: a large empty ring of ways is where an export of whole
    # ways left out the streets inside it, not ground the data covers.
    holes, count = ndimage.label(~grown)
    if count:
        size = np.bincount(holes.ravel(), minlength=count + 1) * cell * cell
        small = size <= settings.FOOTPRINT_MAX_HOLE_M2
        small[0] = False
        small[np.unique(np.r_[holes[0], holes[-1], holes[:, 0], holes[:, -1]])] = False
        grown |= small[holes]
    transform = (cell, 0.0, float(origin[0]), 0.0, cell, float(origin[1]))
    from affine import Affine

    polygons = [
        shapely.geometry.shape(geom)
        for geom, _ in shapes(grown.astype(np.uint8), mask=grown, transform=Affine(*transform))
    ]
    return shapely.simplify(shapely.union_all(polygons), cell / 2.0)


def _flag_data_ends(graph: nx.MultiDiGraph, coverage: Any) -> None:
    """
    Mark the street ends that lie where the data ends as ``cut``, in place.

    A way's end with nothing mapped within :data:`cpted.settings.ACCESS_BOUNDARY_MARGIN`
    beyond it (it lies within that margin of the grown coverage's edge, less the buffer)
    is where the export stopped: an Overpass export of whole ways holds the streets that
    leave its box but not the streets they lead to.
    """
    if coverage is None or graph.number_of_nodes() == 0:
        return
    tips = [
        n for n in graph.nodes if len(set(graph.successors(n)) | set(graph.predecessors(n))) == 1
    ]
    if not tips:
        return
    xy = np.array([(graph.nodes[n]["x"], graph.nodes[n]["y"]) for n in tips])
    edge = shapely.boundary(coverage)
    reach = settings.FOOTPRINT_BUFFER_M + settings.ACCESS_BOUNDARY_MARGIN
    near = shapely.distance(shapely.points(xy), edge) <= reach
    for node in np.asarray(tips, dtype=object)[near]:
        graph.nodes[node]["cut"] = True


# --------------------------------------------------------------------------------------
# StudyArea
# --------------------------------------------------------------------------------------

QUALITY_MEANINGS = {
    "streets_km": N_("length of the walkable street network, km"),
    "streets_with_lit": N_("share of street length whose lit=* is mapped"),
    "lamps_per_km": N_("mapped street lamps per km of street"),
    "buildings_with_height": N_("share of buildings with building:levels or height"),
    "cameras_with_direction": N_("share of cameras with a camera:direction"),
    "pois_with_opening_hours": N_("share of shops and amenities with opening_hours"),
    "entrances": N_("mapped entrances and gates"),
    "sites": N_("public spaces found"),
    "dangling_refs": N_("way-node references to nodes missing from the file (clipped extract)"),
    "ways_clipped": N_("ways cut by the extract's edge (kept in pieces)"),
    "areas_mended": N_("polygons cut by the extract's edge, closed along it (kept)"),
    "areas_dropped": N_("closed ways that could not become polygons (dropped)"),
    "relations_dropped": N_("multipolygon relations with missing members (dropped)"),
    # Values cpted could not use as given, replaced or repaired (and warned about).
    "lamp_heights_defaulted": N_("lamp heights 0, negative or unreadable, replaced by the default"),
    "camera_values_defaulted": N_("camera fov or angle out of range, replaced by the default"),
    "polygons_repaired": N_("self-intersecting site or building polygons repaired (make_valid)"),
    "user_features_outside": N_("user-layer features added outside the study area"),
    "areas_failed": N_("polygons cut by the extract's edge that GEOS could not close (dropped)"),
    "invalid_coordinates": N_(
        "nodes whose lat/lon is not a number, infinite or out of range (dropped; ways cut there)"
    ),
    "duplicate_ids": N_("node, way and relation ids that occur more than once (one of each used)"),
    "tags_truncated": N_(
        "tag keys, values and roles over 1024 bytes, cut to fit (OSM allows 255 characters)"
    ),
    "geos_failures": N_(
        "sites whose building cover GEOS failed on (TopologyException), redone one by one on "
        "a 1 cm grid (taken as open ground where that failed too)"
    ),
}

#: The counts of values replaced or repaired, kept in ``StudyArea.stats``.
_DEFAULTED = (
    "lamp_heights_defaulted",
    "camera_values_defaulted",
    "polygons_repaired",
    "user_features_outside",
)


@dataclass
class StudyArea:
    """
    Every layer of one place, in one projected CRS (metres).

    Build one with :func:`area_from_file`, :func:`area_from_place` or
    :func:`area_from_bbox`; extend it with :meth:`with_layer`. The layers are
    GeoDataFrames indexed as :data:`LAYERS` says; ``graph`` and ``drive_graph`` are osmnx
    MultiDiGraphs whose edges carry ``segment``, the index of their row in ``streets``.

    ``boundary`` is what the user asked for (or the file's frame); ``footprint`` is where
    the data actually is: the ground within :data:`cpted.settings.FOOTPRINT_BUFFER_M` of
    a mapped way or node, cut to the boundary (``FOOTPRINT_CELL_M`` grid). Measures that
    need to know where the data ends (dead ends, the network around a segment) read the
    footprint. ``streets`` has ``audited`` and ``not_audited``: the segments that are no
    public place to walk (private, indoor, bus-only ways) stay in the network but are not
    scored (:func:`cpted._tags.audit_scope`).
    """

    crs: pyproj.CRS
    boundary: Polygon
    graph: nx.MultiDiGraph
    streets: gpd.GeoDataFrame
    drive_graph: nx.MultiDiGraph
    buildings: gpd.GeoDataFrame
    barriers: gpd.GeoDataFrame
    lamps: gpd.GeoDataFrame
    entrances: gpd.GeoDataFrame
    pois: gpd.GeoDataFrame
    cameras: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame
    source: str = ""
    data_date: str | None = None
    stats: dict[str, int] = field(default_factory=dict)
    footprint: Polygon | shapely.MultiPolygon | None = None
    #: Land cover for the map's base (water, green, built land); not measured by any
    #: principle. Empty for areas built by hand.
    landuse: gpd.GeoDataFrame | None = None

    def __post_init__(self) -> None:
        if self.footprint is None:
            self.footprint = self.boundary

    # -- information ----------------------------------------------------------------

    @property
    def name(self) -> str:
        """A short name for the area: its source file's name, or the query."""
        return Path(self.source).name if self.source else "study area"

    def layer(self, name: str) -> gpd.GeoDataFrame:
        """Return a layer by name, raising InputError for an unknown one."""
        if name not in LAYERS:
            msg = f"Unknown layer {name!r}; the layers are {', '.join(LAYERS)}."
            raise InputError(msg)
        return getattr(self, name)

    def quality(self) -> pd.Series:
        """
        Report how complete the map is, because a CPTED result is only as good as its data.

        Returns
        -------
        pandas.Series
            The figures named in :data:`QUALITY_MEANINGS`: the share of streets with
            ``lit`` mapped, lamps per km of street, buildings with levels or height,
            cameras with a direction, shops with opening hours, and what was dropped while
            reading a clipped extract.
        """
        length = float(self.streets["length"].sum())
        km = length / 1000.0
        lit_known = float(self.streets.loc[self.streets["lit"] != "unknown", "length"].sum())
        heights = (
            self.buildings["height_source"].isin(["osm", "levels"])
            if len(self.buildings)
            else pd.Series(dtype=bool)
        )
        figures = {
            "streets_km": round(km, 3),
            "streets_with_lit": round(lit_known / length, 3) if length else 0.0,
            "lamps_per_km": round(len(self.lamps) / km, 2) if km else 0.0,
            "buildings_with_height": round(float(heights.mean()), 3) if len(heights) else 0.0,
            "cameras_with_direction": round(float(self.cameras["direction_known"].mean()), 3)
            if len(self.cameras)
            else 0.0,
            "pois_with_opening_hours": round(float(self.pois["opening_hours"].notna().mean()), 3)
            if len(self.pois)
            else 0.0,
            "entrances": len(self.entrances),
            "sites": len(self.sites),
        }
        for key in (
            "dangling_refs",
            "ways_clipped",
            "areas_mended",
            "areas_dropped",
            "relations_dropped",
            *_DEFAULTED,
            "areas_failed",
            "invalid_coordinates",
            "duplicate_ids",
            "tags_truncated",
            "geos_failures",
        ):
            figures[key] = int(self.stats.get(key, 0))
        return pd.Series(figures, name="quality", dtype=object)

    def summary(self) -> pd.DataFrame:
        """Count the features of every layer, as a table."""
        counts = {name: len(getattr(self, name)) for name in LAYERS}
        counts["graph nodes"] = self.graph.number_of_nodes()
        counts["drive graph edges"] = self.drive_graph.number_of_edges()
        return pd.DataFrame({"features": counts})

    def __repr__(self) -> str:
        counts = ", ".join(f"{n} {len(getattr(self, n))}" for n in LAYERS)
        return f"<StudyArea {self.name!r} ({self.crs.name}); {counts}>"

    def _repr_html_(self) -> str:
        esc = html.escape
        layer_rows = "".join(
            f"<tr><td>{esc(n)}</td><td style='text-align:right'>{len(getattr(self, n))}</td></tr>"
            for n in LAYERS
        )
        quality = self.quality()
        quality_rows = "".join(
            f"<tr><td>{esc(_(QUALITY_MEANINGS[k]))}</td><td style='text-align:right'>"
            f"{esc(str(v))}</td></tr>"
            for k, v in quality.items()
        )
        return (
            f"<div><strong>StudyArea</strong> {esc(self.name)} &middot; {esc(self.crs.name)}"
            " &middot; "
            + esc(_("OSM data of {date}").format(date=self.data_date or _("unknown date")))
            + "<table style='display:inline-table;margin-right:2em;vertical-align:top'>"
            "<tr><th>"
            + esc(_("layer"))
            + "</th><th>"
            + esc(_("features"))
            + f"</th></tr>{layer_rows}"
            "</table><table style='display:inline-table;vertical-align:top'>"
            f"<tr><th>"
            + esc(_("data quality"))
            + f"</th><th></th></tr>{quality_rows}</table></div>"
        )

    # -- changing --------------------------------------------------------------------

    def copy(self) -> StudyArea:
        """Return a deep copy, so a scenario never changes the original."""
        return replace(
            self,
            graph=self.graph.copy(),
            drive_graph=self.drive_graph.copy(),
            stats=dict(self.stats),
            **{name: getattr(self, name).copy() for name in LAYERS},
        )

    def with_layer(
        self, name: str, data: Any, *, replace: bool = False, crs: Any = None
    ) -> StudyArea:
        """
        Return a new StudyArea with a user layer added to (or replacing) an OSM layer.

        Parameters
        ----------
        name
            ``"sites"``, ``"lamps"``, ``"cameras"``, ``"buildings"``, ``"barriers"``,
            ``"entrances"`` or ``"pois"``.
        data
            A GeoDataFrame, a DataFrame with coordinate columns as a CSV has them, or the
            path of a GeoJSON, GeoPackage or CSV file (see :func:`read_layer`).
            Reprojected to the area's CRS. Features outside the study area raise a
            :class:`~cpted.CptedWarning` with their count, or an InputError when all are
            outside (a wrong CRS, or longitude and latitude swapped); coordinates declared
            as WGS84 beyond +-180/+-90 raise a CRSError.
        replace
            Drop what OSM has for this layer instead of adding to it.
        crs
            The CRS of ``data`` when the file or frame has none.

        Returns
        -------
        StudyArea
        """
        if name == "streets" or name not in LAYERS:
            allowed = ", ".join(n for n in LAYERS if n != "streets")
            msg = f"Cannot add a user layer {name!r}; user layers are {allowed}."
            raise InputError(msg)
        what = f"the user layer {name!r}"
        if isinstance(data, gpd.GeoDataFrame):
            gdf = data
        elif isinstance(data, pd.DataFrame):
            gdf = _points_from_table(data, crs=crs, what=what)
        elif isinstance(data, str | os.PathLike):
            gdf = read_layer(data, crs=crs)
        else:
            msg = (
                f"{what} must be a GeoDataFrame, a DataFrame with lon/lat (or x/y) columns or "
                f"the path of a GeoJSON, GeoPackage or CSV file, got {type(data).__name__}"
                f"{'' if isinstance(data, list | tuple) else f' {data!r}'}. For shapely "
                "geometries write `gpd.GeoDataFrame(geometry=[...], crs=...)`."
            )
            raise InputError(msg)
        counts = dict.fromkeys(_DEFAULTED, 0)
        gdf = _normalise_user_layer(
            name, gdf, self.crs, user_crs=crs, counts=counts, boundary=self.boundary
        )
        area = self.copy()
        for key, count in counts.items():
            area.stats[key] = area.stats.get(key, 0) + count
        current = getattr(area, name)
        combined = gdf if replace or not len(current) else pd.concat([current, gdf])
        setattr(area, name, gpd.GeoDataFrame(combined, geometry="geometry", crs=self.crs))
        if name in {"sites", "buildings"} and len(area.sites):
            area.sites[["ground", "open_ground_m2"]] = site_ground(area.sites, area.buildings)
        return area


def _user_crs(gdf: gpd.GeoDataFrame, crs: Any, what: str) -> gpd.GeoDataFrame:
    if crs is not None:
        gdf = gdf.set_crs(read_crs(crs, what=what), allow_override=True)
    if gdf.crs is None:
        bounds = gdf.total_bounds
        if (
            len(gdf)
            and -180 <= bounds[0] <= bounds[2] <= 180
            and -90 <= bounds[1] <= bounds[3] <= 90
        ):
            return gdf.set_crs(4326)
        msg = (
            f"{what} has no CRS and its coordinates ({bounds[0]:.1f}, {bounds[1]:.1f}) are not "
            "longitude/latitude. Pass crs=... (e.g. crs='EPSG:25833') to say what they are."
        )
        raise CRSError(msg)
    return gdf


_ALIASES = {
    "height": ("height", "mounting_height", "mount_height", "lamp_height", "hoehe"),
    "flux": ("flux", "flux_lm", "lumen", "lumens", "luminous_flux", "lm"),
    "direction": ("direction", "camera:direction", "camera_direction", "azimuth"),
    "fov": ("fov", "angle_of_view", "field_of_view"),
    "angle": ("angle", "camera:angle", "tilt"),
    "category": ("category", "type", "kind"),
    "name": ("name", "title", "label"),
}


def _pick(gdf: gpd.GeoDataFrame, key: str) -> pd.Series | None:
    lower = {str(c).lower(): c for c in gdf.columns}
    for alias in _ALIASES[key]:
        if alias in lower:
            return gdf[lower[alias]]
    return None


def _numeric(series: pd.Series | None, index: pd.Index, what: str) -> pd.Series:
    if series is None:
        return pd.Series(np.nan, index=index)
    values = pd.to_numeric(
        series.astype(str).str.replace(",", ".", regex=False).str.extract(r"([-\d.]+)")[0],
        errors="coerce",
    )
    values.index = index
    return values


def _repair_polygons(geoms: gpd.GeoSeries, what: str, counts: dict[str, int]) -> gpd.GeoSeries:
    """
    Repair self-intersecting polygons (a bow-tie) with ``make_valid``, warn and count them.

    An invalid polygon has no trustworthy area and breaks the overlays of the access and
    vulnerability measures; its valid version keeps every piece of ground it covered.
    """
    bad = ~geoms.is_valid & geoms.notna()
    if not bad.any():
        return geoms
    fixed = geoms.copy()
    fixed[bad] = shapely.make_valid(geoms[bad].to_numpy(), method="structure", keep_collapsed=False)
    counts["polygons_repaired"] += int(bad.sum())
    shown = ", ".join(map(repr, geoms.index[bad][:5]))
    warnings.warn(
        f"{what}: {int(bad.sum())} self-intersecting polygons (e.g. row {shown}) were repaired "
        "with shapely.make_valid and kept; check their outline in the source.",
        CptedWarning,
        stacklevel=3,
    )
    return fixed


def _check_degrees(gdf: gpd.GeoDataFrame, what: str) -> None:
    """Refuse coordinates declared as longitude/latitude that lie beyond +-180/+-90."""
    if gdf.crs is None or not gdf.crs.is_geographic or not len(gdf):
        return
    coords, owner = shapely.get_coordinates(gdf.geometry.to_numpy(), return_index=True)
    beyond = (np.abs(coords[:, 0]) > 180) | (np.abs(coords[:, 1]) > 90)
    if beyond.any():
        rows = np.unique(owner[beyond])
        x, y = coords[beyond][0]
        msg = (
            f"{what} is declared as {gdf.crs.name} (longitude/latitude), but {len(rows)} of "
            f"{len(gdf)} features have coordinates beyond +-180/+-90, e.g. ({x:.1f}, {y:.1f}):"
            " these are projected coordinates (metres). Pass crs=... with the CRS they are "
            "in (e.g. crs='EPSG:25833'); a GeoJSON file is read as WGS84 unless it names "
            "another CRS."
        )
        raise CRSError(msg)


def _check_inside(
    gdf: gpd.GeoDataFrame,
    declared: gpd.GeoDataFrame,
    boundary: Polygon,
    what: str,
    counts: dict[str, int],
) -> None:
    """
    Warn with the count of features outside the study area; refuse when all are.

    When every feature is outside and ``declared`` is in longitude/latitude, try the
    coordinates with the axes swapped: if they then fall inside, the file has latitude
    first, and the message says so.
    """
    if not len(gdf):
        return
    outside = ~gdf.intersects(boundary).to_numpy()
    if not outside.any():
        return
    if outside.all():
        hint = "Check the CRS of the layer (pass crs=...) and that it covers this place."
        if declared.crs is not None and declared.crs.is_geographic:
            swapped = shapely.transform(declared.geometry.to_numpy(), lambda xy: xy[:, ::-1])
            back = gpd.GeoSeries(swapped, crs=declared.crs).to_crs(gdf.crs)
            if back.intersects(boundary).any():
                hint = (
                    "With longitude and latitude swapped they fall inside: the source has "
                    "latitude first. Swap the columns (lon is x, east; lat is y, north)."
                )
        msg = f"All {len(gdf)} features of {what} lie outside the study area. {hint}"
        raise InputError(msg)
    counts["user_features_outside"] += int(outside.sum())
    warnings.warn(
        f"{int(outside.sum())} of {len(gdf)} features of {what} lie outside the study area; "
        "they are kept but no street or site there is audited. Check their CRS if that is "
        "unexpected.",
        CptedWarning,
        stacklevel=4,
    )


def _normalise_user_layer(
    name: str,
    gdf: gpd.GeoDataFrame,
    crs: pyproj.CRS,
    *,
    user_crs: Any = None,
    counts: dict[str, int] | None = None,
    boundary: Polygon | None = None,
) -> gpd.GeoDataFrame:
    """
    Give a user's layer the columns, index and CRS of the StudyArea layer ``name``.

    Values it cannot use (a lamp height of 0, a camera fov of 999) are replaced by the
    default and counted in ``counts`` under the keys of :data:`_DEFAULTED`; with a
    ``boundary``, features outside it are counted and warned about.
    """
    what = f"the user layer {name!r}"
    counts = dict.fromkeys(_DEFAULTED, 0) if counts is None else counts
    gdf = _user_crs(gdf, user_crs, what)
    gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    _check_degrees(gdf, what)
    declared = gdf
    gdf = gdf.to_crs(crs)
    allowed = LAYERS[name][1]
    bad = ~gdf.geom_type.isin(list(allowed))
    if bad.any():
        msg = (
            f"{what} must hold {' or '.join(sorted(allowed))} geometries; "
            f"{int(bad.sum())} rows hold {', '.join(sorted(set(gdf.geom_type[bad])))}."
        )
        raise InputError(msg)
    if "Polygon" in allowed:
        gdf = gdf.set_geometry(_repair_polygons(gdf.geometry, what, counts))
    if boundary is not None:
        _check_inside(gdf, declared, boundary, what, counts)
    index = pd.Index([f"user-{name}-{i}" for i in range(len(gdf))], name=LAYERS[name][0])
    out = gpd.GeoDataFrame(index=index, geometry=gdf.geometry.values, crs=crs)
    names = _pick(gdf, "name")
    if name == "lamps":
        given = _pick(gdf, "height")
        height = _numeric(given, index, what)
        unusable = ~(height > 0) & (given.notna().to_numpy() if given is not None else False)
        counts["lamp_heights_defaulted"] += int(unusable.sum())
        height = height.where(height > 0)  # 0 and -5 m alike: no lamp stands there
        flux = _numeric(_pick(gdf, "flux"), index, what)
        out["height"] = height  # unknown: defaulted by cpted.lighting.lamps_with_defaults
        out["height_source"] = np.where(height.notna(), "inventory", "default")
        out["flux"] = flux
        out["flux_source"] = np.where(flux.notna(), "inventory", "default")
        out["source"] = "inventory"
        for column in ("lamp_mount", "light_colour", "photometry"):
            if column in gdf.columns:
                out[column] = gdf[column].to_numpy()
        out["light_count"] = 1.0
        out["light_direction"] = np.nan
    elif name == "cameras":
        direction = _pick(gdf, "direction")
        deg = (
            pd.Series([_tags.camera_direction(v) for v in direction], index=index)
            if direction is not None
            else pd.Series(np.nan, index=index)
        )
        fov = _numeric(_pick(gdf, "fov"), index, what)
        angle = _numeric(_pick(gdf, "angle"), index, what)
        # A field of view is in (0, 360] and a tilt in [-90, 90] degrees; anything else is
        # a typing error, replaced by the default as a missing value would be.
        bad_fov, bad_angle = fov.notna() & ~fov.between(0, 360, "right"), ~angle.between(-90, 90)
        counts["camera_values_defaulted"] += int(bad_fov.sum() + (bad_angle & angle.notna()).sum())
        fov, angle = fov.mask(bad_fov), angle.mask(bad_angle)
        out["surveillance"] = gdf["surveillance"].to_numpy() if "surveillance" in gdf else None
        out["surveillance_type"] = "camera"
        kind = next((gdf[c] for c in ("camera_type", "camera:type", "type") if c in gdf), None)
        out["camera_type"] = kind.to_numpy() if kind is not None else None
        out["direction"] = deg
        out["direction_known"] = deg.notna()
        out["angle"] = angle
        out["fov"] = fov.where(fov.notna(), np.where(deg.notna(), settings.CAMERA_FOV, 360.0))
        out["mount"] = None
        out["zone"] = None
        out["height"] = _numeric(_pick(gdf, "height"), index, what)
    elif name == "sites":
        category = _pick(gdf, "category")
        out["category"] = category.astype(str).to_numpy() if category is not None else "site"
        out["name"] = names.to_numpy() if names is not None else None
        out["access"] = gdf["access"].to_numpy() if "access" in gdf else None
        out["source"] = "user"
        out["geometry_source"] = "user"
        out["area_m2"] = out.geometry.area
        out["ground"] = "open"
        out["open_ground_m2"] = out["area_m2"]
    elif name == "buildings":
        height = _numeric(_pick(gdf, "height"), index, what)
        levels = _numeric(gdf.get("levels"), index, what)
        out["building"] = "yes"
        out["levels"] = levels
        est = levels * settings.STOREY_HEIGHT
        out["height"] = height.fillna(est).fillna(settings.DEFAULT_LEVELS * settings.STOREY_HEIGHT)
        out["height_source"] = np.where(
            height.notna(), "user", np.where(levels.notna(), "levels", "default")
        )
        out["name"] = names.to_numpy() if names is not None else None
        out["use"] = gdf["use"].to_numpy() if "use" in gdf else "yes"
    elif name == "barriers":
        kinds = gdf["barrier"] if "barrier" in gdf else pd.Series("wall", index=gdf.index)
        classes = [_tags.barrier_class({"barrier": str(k)}) for k in kinds]
        for column in ("barrier", "opaque", "passable", "blocks_vehicles", "height"):
            out[column] = [c[column] for c in classes]
        height = _numeric(_pick(gdf, "height"), index, what)
        out["height"] = height.fillna(out["height"])
        out["height_source"] = np.where(height.notna(), "user", "default")
        out["access"] = gdf["access"].to_numpy() if "access" in gdf else None
        out["name"] = names.to_numpy() if names is not None else None
    elif name == "entrances":
        out["entrance"] = gdf["entrance"].to_numpy() if "entrance" in gdf else "secondary"
        out["entrance_raw"] = out["entrance"]
        out["access"] = gdf["access"].to_numpy() if "access" in gdf else None
        out["building"] = None
    elif name == "pois":
        category = _pick(gdf, "category")
        out["category"] = category.astype(str).to_numpy() if category is not None else "shop"
        out["name"] = names.to_numpy() if names is not None else None
        out["amenity"] = None
        out["shop"] = None
        out["opening_hours"] = gdf["opening_hours"].to_numpy() if "opening_hours" in gdf else None
    return out


def _points_from_table(
    table: pd.DataFrame, *, crs: Any, what: str, first_line: int | None = None
) -> gpd.GeoDataFrame:
    """
    Make points of a table's coordinate columns: lon/lat (WGS84) or x/y (``crs``).

    Coordinates that are missing or text ("abc", "52,4 N") refuse the table, with their
    count and where they are, rather than drop those rows unseen.
    """
    lower = {str(c).lower().strip(): c for c in table.columns}
    for xs, ys, default in (
        (("lon", "lng", "longitude"), ("lat", "latitude"), 4326),
        (("x", "easting", "e"), ("y", "northing", "n"), None),
    ):
        x = next((lower[c] for c in xs if c in lower), None)
        y = next((lower[c] for c in ys if c in lower), None)
        if x is not None and y is not None:
            xv = pd.to_numeric(table[x], errors="coerce")
            yv = pd.to_numeric(table[y], errors="coerce")
            bad = (xv.isna() | yv.isna()).to_numpy()
            if bad.any():
                where = table.index[bad][:5]
                place = (
                    f"lines {[int(i) + first_line for i in np.flatnonzero(bad)[:5]]}"
                    if first_line is not None
                    else f"rows {list(where)}"
                )
                msg = (
                    f"{what}: coordinates missing or not numbers in {int(bad.sum())} of "
                    f"{len(table)} rows, on {place}. Write them as plain numbers "
                    "(13.4367, not '13,4367' or '13°26′ E'), or drop those rows."
                )
                raise InputError(msg)
            geometry = gpd.points_from_xy(xv, yv)
            return gpd.GeoDataFrame(
                table.drop(columns=[x, y]),
                geometry=geometry,
                crs=default if crs is None else read_crs(crs, what=what),
            )
    msg = (
        f"{what} has no coordinate columns: name them lon and lat (WGS84) or x and y "
        f"(with crs=...). Its columns are {', '.join(map(str, table.columns))}."
    )
    raise InputError(msg)


def read_layer(source: str | os.PathLike[str], *, crs: Any = None) -> gpd.GeoDataFrame:
    """
    Read a user layer from GeoJSON, GeoPackage, Shapefile or CSV.

    A CSV needs coordinate columns: ``lon``/``lat`` (or ``longitude``/``latitude``) in
    WGS84, or ``x``/``y`` (or ``easting``/``northing``) in the CRS given by ``crs``.

    Parameters
    ----------
    source
        Path of the file.
    crs
        The CRS of the coordinates when the file does not say (CSV with x/y).

    Returns
    -------
    geopandas.GeoDataFrame
        In the file's CRS; :meth:`StudyArea.with_layer` reprojects it.
    """
    path = check_path_arg(source, "source (a layer file)")
    if not path.exists():
        msg = f"No such layer file: {path}."
        raise InputError(msg)
    suffix = path.suffix.lower()
    if suffix in {".csv", ".txt", ".geojson", ".json", ".gpkg"}:  # a .shp folder is fine
        check_readable(path, "The layer file")
    if suffix in {".csv", ".txt"}:
        try:
            table = pd.read_csv(path)
        except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
            msg = f"{path.name} cannot be read as CSV: {exc}"
            raise InputError(msg) from exc
        return _points_from_table(table, crs=crs, what=path.name, first_line=2)
    try:
        gdf = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several unrelated types for bad files
        msg = f"{path.name} cannot be read as a GIS layer (GeoJSON, GeoPackage, Shapefile): {exc}"
        raise InputError(msg) from exc
    if crs is not None and gdf.crs is None:
        gdf = gdf.set_crs(read_crs(crs, what=path.name))
    return gdf


# --------------------------------------------------------------------------------------
# Constructors
# --------------------------------------------------------------------------------------


def _boundary_polygon(boundary: Any, crs: pyproj.CRS) -> Polygon:
    """Return ``boundary`` in the area's CRS; WGS84 is recognised by its coordinate range."""
    if isinstance(boundary, gpd.GeoDataFrame | gpd.GeoSeries):
        if boundary.crs is None:
            geom = shapely.union_all(boundary.geometry.values)
            return _boundary_polygon(geom, crs)
        return shapely.union_all(boundary.to_crs(crs).geometry.values)
    if isinstance(boundary, tuple | list) and len(boundary) == 4:
        boundary = box(*boundary)
    if not isinstance(boundary, Polygon | shapely.MultiPolygon) or boundary.is_empty:
        msg = (
            "boundary must be a shapely Polygon, a GeoDataFrame of polygons or a "
            f"(west, south, east, north) tuple, got {type(boundary).__name__}."
        )
        raise InputError(msg)
    west, south, east, north = boundary.bounds
    if -180 <= west <= east <= 180 and -90 <= south <= north <= 90:
        return _transform(boundary, pyproj.Transformer.from_crs(4326, crs, always_xy=True))
    return boundary


#: The latitudes UTM is defined for (NGA.SIG.0012: 80° S to 84° N); beyond them the
#: polar regions, where cpted uses a projection centred on the data.
UTM_LATITUDES = (-80.0, 84.0)


def local_crs(extent: tuple[float, float, float, float]) -> pyproj.CRS:
    """
    Choose the projected CRS (metres) of a StudyArea covering ``extent``.

    The UTM zone of the centre of the data, as ``GeoDataFrame.estimate_utm_crs()`` picks
    it, wherever UTM is defined. Across the antimeridian ``extent`` runs on past 180°
    (:meth:`cpted.osm.OsmData.extent`), so the centre is that of the data (zone 60 or 1),
    not of the whole world. North of 84° N and south of 80° S, where there is no UTM zone,
    an azimuthal equidistant projection centred on the data: distances from its centre
    are true, and across a study area of tens of kilometres the scale error stays below
    one part in a million (UPS, the polar standard, is 0.4 % short at 85° N).

    Parameters
    ----------
    extent
        (west, south, east, north) of the data, in degrees.

    Returns
    -------
    pyproj.CRS
    """
    west, south, east, north = extent
    lon = ((west + east) / 2 + 180.0) % 360.0 - 180.0
    lat = (south + north) / 2
    if UTM_LATITUDES[0] <= lat < UTM_LATITUDES[1]:
        return pyproj.CRS(gpd.GeoSeries([Point(lon, lat)], crs=4326).estimate_utm_crs())
    from pyproj.crs import ProjectedCRS
    from pyproj.crs.coordinate_operation import AzimuthalEquidistantConversion

    lat, lon = round(lat, 4), round(lon, 4)
    name = (
        f"cpted local azimuthal equidistant at {abs(lat):.4f}{'N' if lat >= 0 else 'S'} "
        f"{abs(lon):.4f}{'E' if lon >= 0 else 'W'}"
    )
    return pyproj.CRS(
        ProjectedCRS(
            conversion=AzimuthalEquidistantConversion(lat, lon),
            geodetic_crs=pyproj.CRS(4326),
            name=name,
        )
    )


def _box_km2(geom: Any) -> tuple[float, float, float]:
    """Width and height (km) of the bounding box of ``geom`` and its area (km²)."""
    west, south, east, north = geom.bounds
    width, height = (east - west) / 1000.0, (north - south) / 1000.0
    return width, height, width * height


def _check_size(polygon: Any, name: str, *, boundary: Any, how: str | None = None) -> None:
    """Refuse a study area too large to audit before any heavy work starts on it."""
    width, height, km2 = _box_km2(polygon)
    if km2 <= settings.MAX_AREA_KM2:
        return
    if how is None:
        how = (
            "Give a smaller boundary="
            if boundary is not None
            else "Pass boundary=(west, south, east, north) to audit part of it, or cut a "
            "smaller extract (osmium extract -b west,south,east,north)"
        )
    msg = (
        f"The study area of {name} spans {width:,.1f} km × {height:,.1f} km "
        f"({km2:,.0f} km² as a box), more than settings.MAX_AREA_KM2 = "
        f"{settings.MAX_AREA_KM2:g} km², which one audit can raster at "
        f"{settings.LIGHTING_GRID_RESOLUTION:g} m. {how}; or raise "
        "cpted.settings.MAX_AREA_KM2 if you will not audit it whole."
    )
    raise InputError(msg)


def area_from_osm(
    data: OsmData, *, boundary: Any = None, progress: bool = False, crs: Any = None
) -> StudyArea:
    """
    Build a StudyArea from what :func:`cpted.osm.read_osm` read.

    The CRS is ``crs`` if given (a projected CRS in metres), else :func:`local_crs` of
    the data. A study area larger than ``settings.MAX_AREA_KM2`` (as a bounding box) is
    refused here, before the street network and the layers are built.

    The footprint is where the data is (:func:`_coverage`), cut to the file's frame.
    Given a ``boundary``, it is also cut to what was read: the box the file was read
    within (``data.read_box``, which :func:`area_from_file` sets to the boundary's box
    grown by :func:`reading_margin`) when there is one, else the boundary itself. It is
    not cut to the boundary when a box was read: the data does not end where a caller
    (a tile of a tiled audit) stopped reading, and a street near the boundary is no
    street at the edge of the data.

    Where several extracts were merged into one file, the footprint is the data's
    coverage within the union of their frames (``data.frames``; a PBF states only the box
    of that union): a gap between the extracts is where the data ends, their seams are
    not.
    """
    extent = data.extent
    if extent is None:
        if data.node_count and data.invalid_coordinates == data.node_count:
            why = f"all {data.node_count} of its nodes have unusable coordinates"
        else:
            why = (
                "no tagged feature and no way with two usable nodes in a row "
                f"({data.invalid_coordinates} of its {data.node_count} nodes have unusable "
                "coordinates)"
            )
        msg = (
            f"{data.source} holds no features with coordinates: {why} (not numbers, "
            "infinite or out of range). Export the area again from OpenStreetMap, or check "
            "the program that wrote the file."
        )
        raise DataError(msg)
    crs = local_crs(extent) if crs is None else _projected(crs)
    to_local = pyproj.Transformer.from_crs(4326, crs, always_xy=True)
    if boundary is not None:
        polygon = _boundary_polygon(boundary, crs)
        data_box = _transform(box(*extent), to_local)
        if not polygon.intersects(data_box):
            msg = (
                f"The boundary (bounds {tuple(round(v) for v in polygon.bounds)} in {crs.name})"
                f" lies outside the data of {Path(data.source).name}, which covers "
                f"{tuple(round(v, 5) for v in extent)} in longitude/latitude. Check that the "
                "boundary is in WGS84 or the area's CRS and that it covers the file."
            )
            raise DataError(msg)
    else:
        # The extract's own frame when the file states one; otherwise (an Overpass export of
        # whole ways) the convex hull of what it holds, which follows the data more
        # closely than its bounding box.
        hull = _transform(shapely.MultiPoint(data.coordinates()).convex_hull, to_local)
        if not isinstance(hull, Polygon):
            # The hull of one straight street is a line, which encloses nothing; a
            # metre around it makes the boundary an area, as the measures expect.
            hull = hull.buffer(1.0)
        polygon = hull
        if data.bounds is not None and data.bounds[2] - data.bounds[0] <= 180.0:
            polygon = _transform(box(*data.bounds), to_local)
            if _box_km2(polygon)[2] > settings.MAX_AREA_KM2 >= _box_km2(hull)[2]:
                # A stated frame far larger than the data (JOSM saves the whole world
                # as <bounds> for some downloads): the data is what gets audited.
                polygon = hull
    _check_size(polygon, Path(data.source).name, boundary=boundary)
    steps = [
        "walk network",
        "drive network",
        "buildings",
        "barriers",
        "lamps",
        "entrances",
        "points of interest",
        "cameras",
        "sites",
    ]
    from tqdm.auto import tqdm

    bar = tqdm(steps, desc="Building the study area", disable=not progress, leave=False)
    bar.set_postfix_str(steps[0])
    graph = _graph_from_ways(data, _is_walkable, crs, scope=True)
    if boundary is not None:
        graph = _clip_graph(graph, polygon)
    bar.update()
    bar.set_postfix_str(steps[1])
    drive = _graph_from_ways(data, _is_drivable, crs)
    if boundary is not None:
        drive = _clip_graph(drive, polygon)
    bar.update()
    streets = _streets_from_graph(graph, crs)
    if streets.empty:
        msg = (
            f"No walkable streets in {Path(data.source).name}"
            + (" inside the boundary" if boundary is not None else "")
            + ". cpted audits street segments: choose an area with streets or footways."
        )
        raise DataError(msg)
    _name_sidewalks(streets, data, crs)
    defaulted = dict.fromkeys(_DEFAULTED, 0)
    layers = {}
    # Each layer is read when its step comes (not all before the first), so the bar moves
    # with the work.
    readers = (
        ("buildings", lambda: _buildings(data)),
        ("barriers", lambda: _barriers(data)),
        ("lamps", lambda: _lamps(data, defaulted)),
        ("entrances", lambda: _entrances(data)),
        ("pois", lambda: _pois(data)),
        ("cameras", lambda: _cameras(data, defaulted)),
        ("sites", lambda: _sites(data, crs)),
    )
    for step, (name, read) in zip(steps[2:], readers, strict=True):
        bar.set_postfix_str(step)
        gdf = _frame(name, read(), 4326, crs)
        if not gdf.index.is_unique:
            gdf = gdf[~gdf.index.duplicated()]
        if boundary is not None and len(gdf):
            gdf = gdf[gdf.intersects(polygon)]
        layers[name] = gdf
        bar.update()
    bar.refresh()  # the last steps are quick: show 9/9 before the bar goes
    bar.close()
    layers["buildings"]["geometry"] = layers["buildings"].geometry.make_valid()
    sites = layers["sites"]
    sites["geometry"] = _repair_polygons(sites.geometry, "sites", defaulted)
    sites["area_m2"] = sites.geometry.area
    failures: dict[str, int] = {"geos_failures": 0}
    sites[["ground", "open_ground_m2"]] = site_ground(sites, layers["buildings"], counts=failures)
    _attach_entrances(layers["entrances"], layers["buildings"])
    stats = {
        "dangling_refs": data.dangling_refs,
        "ways_clipped": data.ways_clipped,
        "areas_mended": len(data.areas_mended),
        "areas_dropped": data.areas_dropped,
        "relations_dropped": data.relations_dropped,
        **defaulted,
        "areas_failed": data.areas_failed,
        "invalid_coordinates": data.invalid_coordinates,
        "duplicate_ids": data.duplicate_ids,
        "tags_truncated": data.tags_truncated,
        **failures,
    }
    coverage = _coverage(data, crs)
    _flag_data_ends(graph, coverage)
    footprint = polygon
    if coverage is not None:
        # The file's frame or the user's boundary cuts the coverage: the data ends there too.
        framed = coverage if boundary is None and data.bounds is None else coverage & polygon
        if boundary is not None and data.read_box is not None:
            # Read within a box: the data ends at the file's frame and where reading
            # stopped, not at the boundary.
            framed = coverage & _transform(_densified_box(data.read_box), to_local)
            if data.bounds is not None and data.bounds[2] - data.bounds[0] <= 180.0:
                framed = framed & _transform(_densified_box(data.bounds), to_local)
        if data.frames and data.bounds is not None and data.bounds[2] - data.bounds[0] <= 180.0:
            # merged extracts: the data ends at the outline of their frames' union (an L,
            # polygons), which the box of that union (``bounds``) only encloses
            union = shapely.union_all([frame_polygon(f) for f in data.frames])
            framed = framed & _transform(shapely.segmentize(union, 1e-3), to_local)
        if not framed.is_empty and framed.geom_type in {"Polygon", "MultiPolygon"}:
            footprint = framed
    landuse = landuse_from_osm(data, crs)
    if boundary is not None and len(landuse):
        landuse = landuse[landuse.intersects(polygon)]
    return StudyArea(
        crs=crs,
        boundary=polygon,
        footprint=footprint,
        landuse=landuse,
        graph=graph,
        streets=streets,
        drive_graph=drive,
        source=data.source,
        data_date=data.data_date,
        stats=stats,
        **layers,
    )


def _name_sidewalks(streets: gpd.GeoDataFrame, data: OsmData, crs: pyproj.CRS) -> None:
    """
    Give unnamed footways the name of the street they run beside, in place.

    Where sidewalks are mapped as separate ways (``sidewalk=separate``), the walk network
    holds the sidewalks, which carry no name, instead of the road. A planner reading
    "the footway of segment 138" cannot find it; "Karl-Marx-Straße" they can. Names found
    this way are marked ``name_source = "nearby street"``.
    """
    streets["name_source"] = streets["name"].notna().map({True: "osm", False: None})
    unnamed = streets["name"].isna() & streets["highway"].isin(settings.SIDEWALK_HIGHWAYS)
    rows = [
        {"street": way.tags["name"], "geometry": LineString(np.column_stack([x, y]))}
        for way in data.ways
        if "name" in way.tags and way.tags.get("highway") in settings.DRIVE_HIGHWAYS
        for _, x, y in way.runs()
    ]
    if not unnamed.any() or not rows:
        return
    roads = gpd.GeoDataFrame(rows, geometry="geometry", crs=4326).to_crs(crs)
    middles = gpd.GeoDataFrame(
        geometry=streets.loc[unnamed].geometry.interpolate(0.5, normalized=True), crs=crs
    )
    found = gpd.sjoin_nearest(
        middles, roads, max_distance=settings.SIDEWALK_NAME_DISTANCE, how="inner"
    )
    found = found[~found.index.duplicated()]
    streets.loc[found.index, "name"] = found["street"]
    streets.loc[found.index, "name_source"] = "nearby street"


def _attach_entrances(entrances: gpd.GeoDataFrame, buildings: gpd.GeoDataFrame) -> None:
    """Name the building each entrance stands on (within 1 m), in place."""
    if not len(entrances) or not len(buildings):
        return
    joined = gpd.sjoin_nearest(
        entrances[["geometry"]], buildings[["geometry"]], max_distance=1.0, how="left"
    )
    joined = joined[~joined.index.duplicated()]
    right = "building" if "building" in joined.columns else "index_right"
    entrances["building"] = joined[right].where(joined[right].notna(), None)


def area_from_file(
    path: str | os.PathLike[str],
    *,
    boundary: Any = None,
    progress: bool = False,
    crs: Any = None,
    edge: str = "boundary",
    frames: Any = None,
) -> StudyArea:
    """
    Read an OpenStreetMap file into a StudyArea.

    Parameters
    ----------
    path
        An ``.osm``, ``.osm.bz2``, ``.osm.gz`` or ``.osm.pbf`` file. Clipped extracts are
        fine: ways are cut where their nodes are missing and the losses are counted in
        :meth:`StudyArea.quality`.
    boundary
        Optional shapely Polygon (in WGS84 or in the area's UTM CRS), GeoDataFrame or
        (west, south, east, north) tuple; the study area is clipped to it. The file is
        then read within the boundary's box grown by :func:`reading_margin`, streaming
        (:func:`cpted.osm.read_osm` with ``bbox``): memory follows the boundary, not the
        file, and the streets, buildings and sites inside are those a whole read gives
        (ways that cross the boundary come in whole).
    progress
        Show a progress bar.
    crs
        The projected CRS (metres) of the area, e.g. that of a larger area this one is a
        tile of; by default :func:`local_crs` of the data read.
    edge
        Where the data ends for the edge effects of the audit (``footprint``), given a
        boundary. ``"boundary"`` (the default): at the boundary, since every layer is cut
        there and a street near it is measured without what lies beyond, so its
        confidence is lowered. ``"data"``: where the file's data ends (cut to the box
        read), for a piece of a larger area whose neighbours are read too.
    frames
        The frames of the extracts a merged file holds, which ``osmium merge`` does not
        keep (its header states only their union): a list of (west, south, east, north)
        boxes in degrees, a GeoDataFrame of polygons in any CRS (those given to
        ``osmium extract --polygon``) or the path of a GeoJSON or GeoPackage file of them.
        Areas an extract's edge cut open are closed along the outline of the frames'
        union, and the footprint ends there (see :func:`cpted.osm.read_osm`).

    Returns
    -------
    StudyArea
        In the CRS :func:`local_crs` chooses: the UTM zone of the data, or a local
        azimuthal equidistant projection near the poles.

    Raises
    ------
    InputError
        The file cannot be read (missing, empty, truncated, not OSM), ``frames`` are no
        frames of its data, or the study area is larger than ``settings.MAX_AREA_KM2``.
        Nodes with unusable coordinates, over-long tags and repeated ids do not raise:
        they are counted in :meth:`StudyArea.quality`.
    DataError
        Nothing in the file has usable coordinates, or it holds no walkable street.

    Examples
    --------
    >>> import cpted
    >>> area = cpted.area_from_file(cpted.datasets.get_path("neukoelln"))
    >>> area.crs.to_epsg()
    32633
    >>> len(area.streets) > 100
    True
    """
    path = check_path_arg(path, "path (an OSM file)")
    check_readable(path, "The OSM file")
    if edge not in {"boundary", "data"}:
        msg = f"edge must be 'boundary' or 'data', got {edge!r}."
        raise InputError(msg)
    if frames is not None:
        frames = check_frames(frames, what="frames")  # before the file is read
    from cpted._apart import apart_worth_it, read_apart

    if apart_worth_it(path):  # a large file: only the StudyArea comes back (cpted._apart)
        return read_apart(
            "area_from_file", path, boundary=boundary, progress=progress, crs=crs, edge=edge,
            frames=frames,
        )  # fmt: skip
    if boundary is None:
        return area_from_osm(read_osm(path, frames=frames), progress=progress, crs=crs)
    reading = _reading_box(path, boundary, crs)
    data = read_osm(path, bbox=reading, frames=frames)
    if reading is not None:
        if data.node_count == 0 and data.way_count == 0:
            frame = data.bounds or reading
            msg = (
                f"The boundary (box {tuple(round(v, 5) for v in reading)} in longitude/"
                f"latitude, with its margin) lies outside the data of {Path(path).name}, "
                f"which covers {tuple(round(v, 5) for v in frame)}. Check that the "
                "boundary is in WGS84 or the area's CRS and that it covers the file."
            )
            raise DataError(msg)
        data.read_box = reading
    if edge == "boundary":
        data.read_box = None  # the data ends at the boundary (area_from_osm)
    return area_from_osm(data, boundary=boundary, progress=progress, crs=crs)


def reading_margin() -> float:
    """
    Return how far beyond a boundary's box :func:`area_from_file` reads, in metres.

    Far enough that the footprint inside the boundary is the one a whole read draws: the
    coverage at a point depends on the data within
    :data:`~cpted.settings.FOOTPRINT_BUFFER_M` of it; whether a street end is where the
    data ends, on the coverage's edge within that buffer plus
    :data:`~cpted.settings.ACCESS_BOUNDARY_MARGIN` of it (so twice the buffer plus the
    margin in all); and a small hole in the coverage is filled only when the data around
    it was read, so the side of the largest hole filled
    (:data:`~cpted.settings.FOOTPRINT_MAX_HOLE_M2`, as a square) is added.
    """
    return (
        2.0 * settings.FOOTPRINT_BUFFER_M
        + settings.ACCESS_BOUNDARY_MARGIN
        + math.sqrt(settings.FOOTPRINT_MAX_HOLE_M2)
    )


def _densified_box(bounds: tuple[float, float, float, float]) -> Polygon:
    """Return a lon/lat box with a vertex every 0.001° (~100 m), to project as a curve."""
    return shapely.segmentize(box(*bounds), 1e-3)


def _projected(crs: Any) -> pyproj.CRS:
    """Return ``crs`` as a pyproj CRS, raising CRSError unless it is projected in metres."""
    value = read_crs(crs, what="crs=")
    unit = value.axis_info[0].unit_name if value.axis_info else ""
    if not value.is_projected or unit not in {"metre", "meter"}:
        msg = (
            f"crs={value.name!r} is not a projected CRS in metres; cpted measures in metres. "
            "Give a UTM zone (e.g. 'EPSG:32633') or leave crs out to use the data's."
        )
        raise CRSError(msg)
    return value


def _reading_box(path: Path, boundary: Any, crs: Any) -> tuple[float, float, float, float] | None:
    """
    Return the lon/lat box to read for ``boundary``, grown by :func:`reading_margin`.

    None when it cannot be known before reading (a boundary in metres, no ``crs`` and no
    frame in the file to choose the CRS from, or a boundary :func:`_boundary_polygon`
    will refuse): the file is then read whole and clipped.
    """
    from cpted.osm import _header_info

    if isinstance(boundary, gpd.GeoDataFrame | gpd.GeoSeries):
        if boundary.crs is not None:
            geom = shapely.union_all(boundary.to_crs(4326).geometry.values)
        else:
            geom = shapely.union_all(boundary.geometry.values)
    elif isinstance(boundary, tuple | list) and len(boundary) == 4:
        try:
            geom = box(*boundary)
        except (TypeError, ValueError):
            return None
    else:
        geom = boundary
    if not isinstance(geom, Polygon | shapely.MultiPolygon) or geom.is_empty:
        return None
    west, south, east, north = geom.bounds
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        if crs is None:
            try:
                frame = _header_info(path)[0]
            except InputError:
                return None
            if frame is None or frame[2] - frame[0] > 180.0:
                return None
            crs = local_crs(frame)
        to_wgs = pyproj.Transformer.from_crs(_projected(crs), 4326, always_xy=True)
        west, south, east, north = _transform(shapely.segmentize(geom, 100.0), to_wgs).bounds
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        return None
    margin = reading_margin()
    # a degree of latitude is 111,320 m at most (WGS84, at the poles 111,694 m: the
    # margin is then a little short of its metres, never by more than 0.4 %)
    dlat = margin / 111_320.0
    dlon = margin / (111_320.0 * max(math.cos(math.radians(max(abs(south), abs(north)))), 0.01))
    return (
        max(west - dlon, -180.0),
        max(south - dlat, -90.0),
        min(east + dlon, 180.0),
        min(north + dlat, 90.0),
    )


def _check_size_online(polygon: Any, name: str) -> None:
    """Refuse an area too large to audit before downloading it."""
    west, south, east, north = polygon.bounds
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        return  # download_bbox names what is wrong with it
    to_local = pyproj.Transformer.from_crs(4326, local_crs(polygon.bounds), always_xy=True)
    how = "Ask for a smaller bbox or place (a district rather than a city)"
    _check_size(_transform(polygon, to_local), name, boundary=polygon, how=how)


def area_from_bbox(bbox: tuple[float, float, float, float], *, progress: bool = False) -> StudyArea:
    """
    Download a bounding box from Overpass into a StudyArea (needs internet).

    Parameters
    ----------
    bbox
        (west, south, east, north) in degrees.
    progress
        Show a progress bar.

    Returns
    -------
    StudyArea
    """
    west, south, east, north = (float(v) for v in bbox)
    _check_size_online(box(west, south, east, north), f"bbox {tuple(bbox)}")
    path = download_bbox((west, south, east, north))
    try:
        area = area_from_file(path, boundary=box(*bbox), progress=progress)
    finally:
        path.unlink(missing_ok=True)
    area.source = f"Overpass bbox {tuple(bbox)}"
    return area


def area_from_place(query: str, *, progress: bool = False) -> StudyArea:
    """
    Geocode a place with Nominatim and download its OSM data from Overpass (needs internet).

    Parameters
    ----------
    query
        A place name such as ``"Xàbia, Spain"``, as osmnx's ``geocode_to_gdf`` takes it.
    progress
        Show a progress bar.

    Returns
    -------
    StudyArea
    """
    import osmnx as ox

    try:
        place = ox.geocode_to_gdf(query)
    except (ox._errors.InsufficientResponseError, TypeError, ValueError) as exc:
        msg = f"Nominatim found no area for {query!r} ({exc}); try a more precise name."
        raise DataError(msg) from exc
    except Exception as exc:  # requests errors behind osmnx
        msg = f"Nominatim could not be asked about {query!r} ({exc}). Check the connection."
        raise DataError(msg) from exc
    polygon = shapely.union_all(place.geometry.values)
    if polygon.geom_type not in {"Polygon", "MultiPolygon"}:
        msg = f"Nominatim returned a {polygon.geom_type} for {query!r}, not an area."
        raise DataError(msg)
    _check_size_online(polygon, repr(query))
    path = download_bbox(polygon.bounds)
    try:
        area = area_from_file(path, boundary=polygon, progress=progress)
    finally:
        path.unlink(missing_ok=True)
    area.source = query
    return area
