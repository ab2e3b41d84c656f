"""Entry points of sites, and the ways out of them on the walking network."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from cpted import settings
from cpted.access._common import (
    exterior_rings,
    layer,
    sites_frame,
    streets_frame,
    text_column,
    tolerance_value,
)

__all__ = [
    "entries_and_pieces",
    "entry_points",
    "escape_routes",
    "escape_table",
    "internal_paths",
    "pieces_frame",
]

# Which member names an entry that merges several: a gate outranks a door, a door a gap in
# a wall, and any of them a bare path crossing.
_RANK = {"gate": 0, "entrance": 1, "opening": 2, "path": 3}
_EDGE_EPS = 1e-4  # metres: a computed crossing lies on the edge to GEOS precision
_PROBE = 0.5  # metres along a street to see which side of the edge it continues on
_OUT = "__outside__"


def _candidates_from_paths(
    site_geoms: np.ndarray, edges: np.ndarray, streets: gpd.GeoDataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Path crossings of site edges, and the street pieces inside each site."""
    geoms = streets.geometry.to_numpy()
    empty_c = pd.DataFrame(columns=["pos", "x", "y", "kind", "controlled", "passable", "piece"])
    empty_p = pd.DataFrame(columns=["pos", "street", "geometry", "a_edge", "b_edge"])
    if not len(geoms) or not len(site_geoms):
        return empty_c, empty_p
    tree = shapely.STRtree(geoms)
    si, ti = tree.query(site_geoms, predicate="intersects")
    if not len(si):
        return empty_c, empty_p
    inter = shapely.intersection(geoms[ti], site_geoms[si])
    parts, owner = shapely.get_parts(inter, return_index=True)
    is_line = shapely.get_type_id(parts) == 1
    parts, owner = parts[is_line], owner[is_line]
    pos, street = si[owner], ti[owner]
    # A piece counts only if it runs through the site, not merely along its edge.
    inside = shapely.relate_pattern(parts, site_geoms[pos], "1********")
    parts, pos, street = parts[inside], pos[inside], street[inside]
    a = shapely.get_point(parts, 0)
    b = shapely.get_point(parts, -1)
    a_edge = shapely.distance(a, edges[pos]) < _EDGE_EPS
    b_edge = shapely.distance(b, edges[pos]) < _EDGE_EPS
    pieces = pd.DataFrame(
        {"pos": pos, "street": street, "geometry": parts, "a_edge": a_edge, "b_edge": b_edge}
    )
    # Candidate crossings: piece ends on the edge, kept when some street goes on outside.
    ends = np.r_[a[a_edge], b[b_edge]]
    end_pos = np.r_[pos[a_edge], pos[b_edge]]
    end_street = np.r_[street[a_edge], street[b_edge]]
    end_piece = np.r_[np.flatnonzero(a_edge), np.flatnonzero(b_edge)]
    if not len(ends):
        return empty_c, pieces
    pi, sk = tree.query(ends, predicate="dwithin", distance=0.01)
    loc = shapely.line_locate_point(geoms[sk], ends[pi])
    length = shapely.length(geoms[sk])
    outward = np.zeros(len(pi), dtype=bool)
    for step in (-_PROBE, _PROBE):
        at = np.clip(loc + step, 0.0, length)
        moved = np.abs(at - loc) > 1e-6
        probe = shapely.line_interpolate_point(geoms[sk], at)
        outward |= moved & ~shapely.contains_properly(site_geoms[end_pos[pi]], probe)
    ok = np.zeros(len(ends), dtype=bool)
    ok[pi[outward]] = True
    access = text_column(streets, "access")
    foot = text_column(streets, "foot")
    restricted = np.isin(access, list(settings.ACCESS_RESTRICTED)) | np.isin(
        foot, ["no", "private"]
    )
    xy = shapely.get_coordinates(ends)
    cand = pd.DataFrame(
        {
            "pos": end_pos,
            "x": xy[:, 0],
            "y": xy[:, 1],
            "kind": "path",
            "controlled": restricted[end_street],
            "passable": True,
            "piece": end_piece,
        }
    )[ok]
    return cand, pieces


def _snap(points: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Nearest points on the site edges."""
    return shapely.get_coordinates(shapely.get_point(shapely.shortest_line(edges, points), 0))


def _candidates_from_barriers(
    site_geoms: np.ndarray, edges: np.ndarray, barriers: gpd.GeoDataFrame, tol: float
) -> pd.DataFrame:
    if not len(barriers):
        return pd.DataFrame(columns=["pos", "x", "y", "kind", "controlled", "passable"])
    kind = text_column(barriers, "barrier")
    geoms = barriers.geometry.to_numpy()
    gate = np.isin(kind, list(settings.ACCESS_GATE_BARRIERS))
    opening = kind == "entrance"
    keep = gate | opening
    points = geoms[keep].copy()
    # A gate drawn as a line stands at its middle.
    line = shapely.get_type_id(points) == 1
    points[line] = shapely.line_interpolate_point(points[line], 0.5, normalized=True)
    access = text_column(barriers, "access")[keep]
    locked = text_column(barriers, "locked")[keep] == "yes"
    restricted = np.isin(access, list(settings.ACCESS_RESTRICTED))
    if "passable" in barriers.columns:
        # The barriers layer marks a gate impassable when it is locked or closed to the
        # public; a private gate still lets the people inside out, a locked one does not.
        passable = barriers["passable"].fillna(True).to_numpy(dtype=bool)[keep] | (
            restricted & ~locked
        )
    else:
        passable = ~locked
    tree = shapely.STRtree(edges)
    bi, pos = tree.query(points, predicate="dwithin", distance=tol)
    xy = _snap(points[bi], edges[pos])
    return pd.DataFrame(
        {
            "pos": pos,
            "x": xy[:, 0],
            "y": xy[:, 1],
            "kind": np.where(gate[keep][bi], "gate", "opening"),
            "controlled": gate[keep][bi] | np.isin(access[bi], list(settings.ACCESS_RESTRICTED)),
            "passable": passable[bi],
        }
    )


def _candidates_from_entrances(
    site_geoms: np.ndarray,
    edges: np.ndarray,
    entrances: gpd.GeoDataFrame,
    buildings: gpd.GeoDataFrame,
    tol: float,
) -> pd.DataFrame:
    if not len(entrances):
        return pd.DataFrame(columns=["pos", "x", "y", "kind", "controlled", "passable"])
    points = entrances.geometry.to_numpy()
    tree = shapely.STRtree(edges)
    ei, pos = tree.query(points, predicate="dwithin", distance=tol)
    keep = np.ones(len(ei), dtype=bool)
    if len(buildings) and len(ei):
        # A door of a building outside the site (a shop on a square) leads out of the site
        # into that building, not into the site: only doors of the site's own buildings
        # and doors in its walls are ways in.
        bgeoms = buildings.geometry.to_numpy()
        btree = shapely.STRtree(bgeoms)
        pi, bk = btree.query(points[ei], predicate="dwithin", distance=1.0)
        inside = shapely.contains(site_geoms[pos[pi]], shapely.point_on_surface(bgeoms[bk]))
        on_building = np.zeros(len(ei), dtype=bool)
        own = np.zeros(len(ei), dtype=bool)
        on_building[pi] = True
        own[pi[inside]] = True
        keep = ~on_building | own
    ei, pos = ei[keep], pos[keep]
    kind = text_column(entrances, "entrance")[ei]
    xy = _snap(points[ei], edges[pos])
    return pd.DataFrame(
        {
            "pos": pos,
            "x": xy[:, 0],
            "y": xy[:, 1],
            "kind": np.where(kind == "gate", "gate", "entrance"),
            "controlled": True,
            # A door opens from inside whoever may come in through it (an exit above all).
            "passable": True,
        }
    )


def _filled(geoms: np.ndarray) -> np.ndarray:
    """
    Drop the holes of the site polygons.

    A hole (a statue's plinth, a kiosk cut out of a square) is not outside: a path that
    runs through it stays in the site, and only the exterior edge has entries.
    """
    parts, owner = shapely.get_parts(geoms, return_index=True)
    shells = shapely.polygons(shapely.get_exterior_ring(parts))
    out = np.empty(len(geoms), dtype=object)
    bounds = np.searchsorted(owner, np.arange(len(geoms) + 1))
    for pos in range(len(geoms)):
        mine = shells[bounds[pos] : bounds[pos + 1]]
        out[pos] = mine[0] if len(mine) == 1 else shapely.multipolygons(mine)
    return out


def _edges_per_site(sites: gpd.GeoDataFrame) -> np.ndarray:
    rings = exterior_rings(sites)
    edges = np.empty(len(sites), dtype=object)
    for pos, group in rings.groupby("pos")["ring"]:
        lines = group.to_numpy()
        edges[int(pos)] = lines[0] if len(lines) == 1 else shapely.multilinestrings(lines)
    return edges


def entries_and_pieces(
    sites: Any,
    streets: Any,
    barriers: Any,
    entrances: Any,
    buildings: Any,
    tolerance: float | None,
    merge_distance: float | None,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, pd.DataFrame, gpd.GeoDataFrame]:
    sites, crs = sites_frame(sites)
    if streets is None:
        streets_gdf = gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=crs))
    else:
        streets_gdf, street_crs = streets_frame(streets)
        if street_crs != crs:
            streets_gdf = layer(streets_gdf, crs, what="streets", types={"LineString"})
    barriers_gdf = layer(barriers, crs, what="barriers", types={"Point", "LineString"})
    entrances_gdf = layer(entrances, crs, what="entrances", types={"Point"})
    buildings_gdf = layer(buildings, crs, what="buildings", types={"Polygon", "MultiPolygon"})
    tol = tolerance_value(
        settings.ACCESS_EDGE_TOLERANCE if tolerance is None else tolerance, name="tolerance"
    )
    merge = tolerance_value(
        settings.ACCESS_ENTRY_MERGE if merge_distance is None else merge_distance,
        name="merge_distance",
    )
    site_geoms = _filled(sites.geometry.to_numpy())
    edges = _edges_per_site(sites)
    paths, pieces = _candidates_from_paths(site_geoms, edges, streets_gdf)
    cands = pd.concat(
        [
            paths,
            _candidates_from_barriers(site_geoms, edges, barriers_gdf, tol),
            _candidates_from_entrances(site_geoms, edges, entrances_gdf, buildings_gdf, tol),
        ],
        ignore_index=True,
    )
    cands["piece"] = pd.to_numeric(cands.get("piece"), errors="coerce")
    cands["pos"] = cands["pos"].astype(int)
    n = len(cands)
    if n:
        # Candidates of one site within `merge` of each other are one entry.
        xy = cands[["x", "y"]].to_numpy(dtype=float)
        pairs = cKDTree(xy).query_pairs(max(merge, 1e-6), output_type="ndarray")
        same = cands["pos"].to_numpy()[pairs[:, 0]] == cands["pos"].to_numpy()[pairs[:, 1]]
        pairs = pairs[same]
        graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
        _, cluster = connected_components(graph, directed=False)
    else:
        cluster = np.empty(0, dtype=int)
    cands["entry"] = cluster
    cands["rank"] = cands["kind"].map(_RANK)
    cands["on_network"] = cands["kind"] == "path"
    grouped = cands.sort_values(["entry", "rank"]).groupby("entry", sort=True)
    table = pd.DataFrame(
        {
            "pos": grouped["pos"].first(),
            "kind": grouped["kind"].first(),
            "controlled": grouped["controlled"].any().astype(bool),
            "passable": grouped["passable"].all().astype(bool),
            "on_network": grouped["on_network"].any().astype(bool),
            "x": grouped["x"].mean(),
            "y": grouped["y"].mean(),
        }
    )
    labels = sites.index.to_numpy()
    entries = gpd.GeoDataFrame(
        {
            "site": pd.Series(labels[table["pos"].to_numpy(dtype=int)], dtype=sites.index.dtype),
            "kind": table["kind"].to_numpy(dtype=object),
            "controlled": table["controlled"].to_numpy(dtype=bool),
            "passable": table["passable"].to_numpy(dtype=bool),
            "on_network": table["on_network"].to_numpy(dtype=bool),
        },
        geometry=gpd.GeoSeries(
            shapely.points(table["x"].to_numpy(float), table["y"].to_numpy(float)), crs=crs
        ),
    )
    entries.index.name = "entry"
    entries["pos"] = table["pos"].to_numpy(dtype=int)
    # Street pieces with the entry at each of their ends (-1 where the end is inside).
    piece_entry_a = np.full(len(pieces), -1)
    piece_entry_b = np.full(len(pieces), -1)
    if len(pieces) and n:
        on_piece = cands[cands["kind"] == "path"]
        geo = pieces["geometry"].to_numpy()
        for idx, entry, x, y in zip(
            on_piece["piece"].astype(int),
            on_piece["entry"],
            on_piece["x"],
            on_piece["y"],
            strict=True,
        ):
            a = shapely.get_coordinates(shapely.get_point(geo[idx], 0))[0]
            if np.hypot(a[0] - x, a[1] - y) < _EDGE_EPS:
                piece_entry_a[idx] = entry
            else:
                piece_entry_b[idx] = entry
    pieces = pieces.assign(entry_a=piece_entry_a, entry_b=piece_entry_b)
    return sites, entries, pieces, streets_gdf


def entry_points(
    sites: Any,
    *,
    streets: Any = None,
    barriers: Any = None,
    entrances: Any = None,
    buildings: Any = None,
    tolerance: float | None = None,
    merge_distance: float | None = None,
) -> gpd.GeoDataFrame:
    """
    Find the ways into each site: path crossings of its edge, gates, doors and openings.

    A *path* entry is where a street or path runs through the site's edge and on outside
    (a path that ends at the edge from inside is no way in). Gates and other point
    barriers of :data:`cpted.settings.ACCESS_GATE_BARRIERS`, ``barrier=entrance`` openings
    and mapped entrances within ``tolerance`` of the edge are entries too; a door counts
    only when it belongs to the site's own building or to no building, as the shop doors
    around a square lead out of it. Candidates closer than ``merge_distance`` are one entry
    (a path through a gate is one controlled entry).

    An entry is ``controlled`` when it has a gate or a door, or when its way or gate is
    tagged with a restricting ``access`` (:data:`cpted.settings.ACCESS_RESTRICTED`, e.g.
    ``private``, ``no``); otherwise it is open. It is ``passable`` (a way out for those
    inside) unless a gate on it is locked: ``locked=yes``, or impassable in the barriers'
    ``passable`` column without a restricting ``access`` that would explain it; a gate
    closed to the public still lets the people inside out, and so does a door.

    Parameters
    ----------
    sites
        Site polygons, projected (metres).
    streets
        Walkable ways as LineStrings (``area.streets``), optionally with ``access`` and
        ``foot`` columns, or a projected osmnx graph (its edges' ``access``/``foot`` tags
        come along).
    barriers
        Barriers with ``barrier`` (OSM value) and, if known, ``passable`` and ``access``.
    entrances
        Entrance points with ``entrance`` and ``access``.
    buildings
        Building footprints, to tell a site's own doors from its neighbours'.
    tolerance
        How far from the edge a gate or door may be, metres
        (default :data:`cpted.settings.ACCESS_EDGE_TOLERANCE`).
    merge_distance
        Entries closer than this along one site's edge are one, metres
        (default :data:`cpted.settings.ACCESS_ENTRY_MERGE`).

    Returns
    -------
    geopandas.GeoDataFrame
        Index ``entry``: ``site`` (label), ``kind`` (``"gate"``, ``"entrance"``,
        ``"opening"`` or ``"path"``), ``controlled``, ``passable``, ``on_network`` (a
        walkable way goes through it) and the entry's Point on the edge.
    """
    _, entries, _, _ = entries_and_pieces(
        sites, streets, barriers, entrances, buildings, tolerance, merge_distance
    )
    return entries.drop(columns="pos")


def _piece_graph(
    pieces: pd.DataFrame, exits: set[int]
) -> tuple[nx.MultiGraph, list[tuple[Any, Any]]]:
    graph = nx.MultiGraph()
    graph.add_node(_OUT)
    ends = []
    geo = pieces["geometry"].to_numpy()
    a = np.round(shapely.get_coordinates(shapely.get_point(geo, 0)), 3)
    b = np.round(shapely.get_coordinates(shapely.get_point(geo, -1)), 3)
    for i, (ea, eb) in enumerate(zip(pieces["entry_a"], pieces["entry_b"], strict=True)):
        na, nb = (float(a[i, 0]), float(a[i, 1])), (float(b[i, 0]), float(b[i, 1]))
        graph.add_edge(na, nb, key=i, length=float(geo[i].length))
        for node, entry in ((na, ea), (nb, eb)):
            if entry in exits:
                graph.add_edge(node, _OUT, key=-1 - i, length=0.0)
        ends.append((na, nb))
    return graph, ends


def _ways_out(pieces: pd.DataFrame, exits: set[int]) -> tuple[np.ndarray, np.ndarray]:
    """Per piece: ways out (0, 1 or 2 = two or more) and distance of its farthest point."""
    n = len(pieces)
    ways = np.zeros(n, dtype=int)
    far = np.full(n, np.nan)
    if not n:
        return ways, far
    graph, ends = _piece_graph(pieces, exits)
    reach = nx.node_connected_component(graph, _OUT)
    bridges = {frozenset((u, v)) for u, v in nx.bridges(graph)}
    # Edges parallel to another are never bridges; nx.bridges already accounts for that.
    core = graph.copy()
    for u, v, k in list(graph.edges(keys=True)):
        if frozenset((u, v)) in bridges:
            core.remove_edge(u, v, k)
    two_way = nx.node_connected_component(core, _OUT)
    dist = nx.single_source_dijkstra_path_length(graph, _OUT, weight="length")
    lengths = shapely.length(pieces["geometry"].to_numpy())
    for i, (na, nb) in enumerate(ends):
        if na not in reach:
            continue
        bridge = frozenset((na, nb)) in bridges and graph.number_of_edges(na, nb) == 1
        ways[i] = 2 if (na in two_way and nb in two_way and not bridge) else 1
        # The farthest point of an edge from the exits, reached from either end.
        far[i] = (dist[na] + dist[nb] + lengths[i]) / 2.0
    return ways, far


def internal_paths(
    sites: Any,
    streets: Any,
    *,
    barriers: Any = None,
    entrances: Any = None,
    buildings: Any = None,
    tolerance: float | None = None,
    merge_distance: float | None = None,
) -> gpd.GeoDataFrame:
    """
    Cut the walkable ways at the site edges and say how many ways out each piece inside has.

    The pieces of ``streets`` inside each site form a small network whose exits are the
    passable entries a walkable way goes through (:func:`entry_points`). From a piece there
    are two or more ways out when it lies on a cycle through the outside (Menger: two
    edge-disjoint routes to different exits); one way out when every route leaves through
    a single path (a bridge of that network: a spur, a dead-end branch, a yard with one
    gate); none when no exit is reachable (a path inside a locked enclosure).

    Parameters
    ----------
    sites, streets, barriers, entrances, buildings, tolerance, merge_distance
        As in :func:`entry_points`.

    Returns
    -------
    geopandas.GeoDataFrame
        Index ``piece``: ``site`` (label), ``street`` (label of the street it is cut from),
        ``ways_out`` (0, 1 or 2 for two or more), ``exit_distance_m`` (walking distance from
        its farthest point to the nearest exit, NaN when none is reachable), ``length_m``,
        LineString.
    """
    sites, entries, pieces, streets_gdf = entries_and_pieces(
        sites, streets, barriers, entrances, buildings, tolerance, merge_distance
    )
    return pieces_frame(sites, entries, pieces, streets_gdf.index)


def pieces_frame(
    sites: gpd.GeoDataFrame, entries: gpd.GeoDataFrame, pieces: pd.DataFrame, streets: pd.Index
) -> gpd.GeoDataFrame:
    """Build the table of :func:`internal_paths` from found entries and pieces."""
    exits = set(entries.index[entries["passable"] & entries["on_network"]].tolist())
    ways = np.zeros(len(pieces), dtype=int)
    far = np.full(len(pieces), np.nan)
    for _, group in pieces.groupby("pos"):
        w, f = _ways_out(group, exits)
        ways[group.index.to_numpy()] = w
        far[group.index.to_numpy()] = f
    labels = sites.index.to_numpy()
    street_labels = streets.to_numpy()
    geo = pieces["geometry"].to_numpy() if len(pieces) else np.empty(0, dtype=object)
    out = gpd.GeoDataFrame(
        {
            "site": pd.Series(labels[pieces["pos"].to_numpy(dtype=int)], dtype=sites.index.dtype),
            "street": pd.Series(
                street_labels[pieces["street"].to_numpy(dtype=int)], dtype=streets.dtype
            ),
            "ways_out": ways,
            "exit_distance_m": far,
            "length_m": shapely.length(geo) if len(geo) else np.empty(0),
        },
        geometry=gpd.GeoSeries(geo, crs=sites.crs),
    )
    out.index.name = "piece"
    return out


def escape_routes(
    sites: Any,
    streets: Any,
    *,
    barriers: Any = None,
    entrances: Any = None,
    buildings: Any = None,
    tolerance: float | None = None,
    merge_distance: float | None = None,
) -> pd.DataFrame:
    """
    Count the ways out of each site and measure where inside one could be trapped.

    Builds on :func:`internal_paths`. Parameters are those of :func:`entry_points`.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``sites``: ``exits_n`` (passable entries a walkable way goes through:
        the distinct ways out on the network), ``internal_path_m`` (walkable length inside),
        ``entrapment_m`` (of it, with a single way out), ``enclosed_m`` (with none),
        ``entrapment_share`` (the two over ``internal_path_m``, NaN without paths inside),
        ``exit_distance_max_m`` and ``exit_distance_mean_m`` (walking distance from the
        paths inside to the nearest exit: the worst point, and the length-weighted mean of
        each piece's mid-distance).
    """
    sites, entries, pieces, _ = entries_and_pieces(
        sites, streets, barriers, entrances, buildings, tolerance, merge_distance
    )
    return escape_table(sites, entries, pieces)


def escape_table(
    sites: gpd.GeoDataFrame, entries: gpd.GeoDataFrame, pieces: pd.DataFrame
) -> pd.DataFrame:
    """Build the table of :func:`escape_routes` from already found entries and pieces."""
    exits_mask = entries["passable"] & entries["on_network"]
    exits = set(entries.index[exits_mask].tolist())
    n = len(sites)
    exits_n = np.bincount(entries.loc[exits_mask, "pos"].to_numpy(dtype=int), minlength=n)
    total, trapped, enclosed = np.zeros(n), np.zeros(n), np.zeros(n)
    dmax, dmean = np.full(n, np.nan), np.full(n, np.nan)
    for pos, group in pieces.groupby("pos"):
        ways, far = _ways_out(group, exits)
        lengths = shapely.length(group["geometry"].to_numpy())
        p = int(pos)
        total[p] = lengths.sum()
        trapped[p] = lengths[ways == 1].sum()
        enclosed[p] = lengths[ways == 0].sum()
        ok = ~np.isnan(far)
        if ok.any():
            dmax[p] = far[ok].max()
            # Mean distance along a straight piece from exit-side end e to far point f:
            # about far - length / 2 for a spur, the midpoint distance in general.
            mid = far[ok] - lengths[ok] / 2.0
            weights = lengths[ok]
            dmean[p] = float(np.average(mid, weights=weights)) if weights.sum() > 0 else 0.0
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total > 0, (trapped + enclosed) / total, np.nan)
    return pd.DataFrame(
        {
            "exits_n": exits_n,
            "internal_path_m": total,
            "entrapment_m": trapped,
            "enclosed_m": enclosed,
            "entrapment_share": share,
            "exit_distance_max_m": dmax,
            "exit_distance_mean_m": dmean,
        },
        index=sites.index,
    )
