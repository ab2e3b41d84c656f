"""What the audit judges (audit_scope, site ground) and where the data ends (footprint)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from conftest import VALIDATION as VALIDATION_FILES
from conftest import VALIDATION_DIR, osm_xml
from shapely.geometry import box

import cpted
from cpted import _tags, settings
from cpted.access import _cut_nodes, segment_measures
from cpted.access._network import _degree, topology
from cpted.area import site_ground

VALIDATION = sorted(str(VALIDATION_DIR / name) for name in VALIDATION_FILES.values())


@pytest.mark.parametrize(
    ("tags", "reason"),
    [
        ({"highway": "residential"}, None),
        ({"highway": "footway", "tunnel": "building_passage"}, None),
        ({"highway": "service", "access": "no"}, "private way (access=no)"),
        ({"highway": "path", "foot": "private"}, "private way (foot=private)"),
        ({"highway": "service", "access": "no", "foot": "permissive"}, None),
        ({"highway": "service", "access": "no", "psv": "yes"}, "bus-only road"),
        ({"highway": "service", "access": "no", "bus": "designated"}, "bus-only road"),
        ({"highway": "busway"}, "bus-only road (highway=busway)"),
        ({"highway": "busway", "foot": "yes"}, None),
        ({"highway": "service", "psv": "yes"}, None),
        ({"highway": "footway", "indoor": "yes"}, "indoors"),
        ({"highway": "footway", "indoor": "yes", "level": "2"}, "level 2"),
        ({"highway": "corridor"}, "indoors: a corridor"),
        ({"highway": "footway", "indoor": "no"}, None),
        ({"highway": "elevator"}, "lift"),
        (
            {"highway": "footway", "tunnel": "building_passage", "access": "no"},
            "passage through a building",
        ),
        ({"highway": "motorway"}, "motorway"),
        ({"highway": "motorway_link", "foot": "yes"}, "motorway"),
        ({"highway": "trunk", "foot": "no"}, "foot=no"),
        ({"highway": "trunk_link", "sidewalk:right": "separate"}, "sidewalk is mapped"),
        ({"highway": "trunk"}, None),
        ({"highway": "primary", "sidewalk": "separate"}, None),
        ({"highway": "service", "access": "no; yes"}, "private way"),
    ],
)
def test_audit_scope_rules(tags, reason):
    found = _tags.audit_scope(tags)
    if reason is None:
        assert found is None
    else:
        assert found is not None and reason in found


@pytest.mark.parametrize(
    ("osmid", "reason"),
    [
        (8061216, "bus-only road (access=no, psv=yes)"),  # Helsinki, bus lane behind a stop
        (34001452, "bus-only road (access=no, psv=yes)"),
        (627514925, "indoors: a corridor inside a building"),
        (45314100, "indoors: a way inside a building"),  # metro station concourse steps
        (655180400, "indoors: a way inside a building, level 2"),
        (465145489, "indoors: a lift (highway=elevator)"),
        (300629900, "private way (access=no)"),
    ],
)
def test_helsinki_segments_not_audited(helsinki, osmid, reason):
    streets = helsinki.streets
    ids = streets["osmid"].astype(str).str.split("; ")
    rows = streets[ids.apply(lambda x: str(osmid) in x)]
    assert len(rows)
    assert (~rows["audited"]).all()
    assert (rows["not_audited"] == reason).all()


def test_public_passages_and_streets_are_audited(helsinki, neukoelln):
    # Permissive and untagged building passages are public places to walk.
    streets = neukoelln.streets
    passage = streets[streets["osmid"].astype(str).str.contains("777345622")]
    assert len(passage) and passage["audited"].all()
    assert passage["not_audited"].isna().all()
    # Most of a city centre is audited, and every row stays in the network.
    assert helsinki.streets["audited"].mean() > 0.95
    graph_segments = {d["segment"] for *_, d in helsinki.graph.edges(data=True)}
    assert graph_segments == set(helsinki.streets.index)


def test_audit_blanks_unaudited_scores_and_rankings_skip_them(helsinki):
    result = cpted.audit(helsinki, principles=("access", "lighting"), progress=False)
    seg = result.segments
    out = seg[~seg["audited"]]
    assert len(out)
    for column in ("access_score", "access_confidence", "lighting_score", "cpted_score"):
        assert out[column].isna().all(), column
    # measures stay
    assert out["dead_end"].notna().all()
    assert seg.loc[seg["audited"], "cpted_score"].notna().all()
    worst = result.worst_segments(len(seg))
    assert worst["audited"].all()
    html = result.to_map().get_root().render()
    assert "Not audited because" in html
    reason = out["not_audited"].iloc[0]
    assert reason and reason.replace("'", "&#x27;").split(":")[0] in html  # carried to the page


def test_site_ground_synthetic():
    crs = 25833
    school = box(0, 0, 40, 30)
    park = box(100, 0, 200, 100)
    sites = gpd.GeoDataFrame(
        {"category": ["school", "park"]}, geometry=[school, park], index=["s", "p"], crs=crs
    )
    buildings = gpd.GeoDataFrame(geometry=[box(0.5, 0.5, 40, 30), box(110, 10, 120, 20)], crs=crs)
    ground = site_ground(sites, buildings)
    assert ground.loc["s", "ground"] == "building"
    assert ground.loc["p", "ground"] == "open"
    assert ground.loc["p", "open_ground_m2"] == pytest.approx(100 * 100 - 10 * 10)
    assert ground.loc["s", "open_ground_m2"] < 0.1 * school.area


def test_building_ground_sites_have_no_edge_or_seen_share(helsinki):
    sites = helsinki.sites
    school = sites[sites["name"] == "Helsingin eurooppalainen koulu"]
    assert (school["ground"] == "building").all()
    from cpted.access import site_measures
    from cpted.sightlines import site_measures as seen

    access = site_measures(helsinki)
    assert access.loc[school.index, "defined_share"].isna().all()
    assert access.loc[school.index, "territorial_share"].isna().all()
    open_sites = sites.index[sites["ground"] == "open"]
    assert access.loc[open_sites, "defined_share"].notna().any()
    sight = seen(helsinki)
    assert sight.loc[school.index, "seen_share"].isna().all()


def _grid_osm(tmp_path):
    """A 5 x 5 grid of 100 m blocks whose streets run out of the file, and a cul-de-sac."""
    lat0, lon0 = 52.0, 13.0
    dlat, dlon = 100 / 111_320, 100 / (111_320 * np.cos(np.radians(lat0)))
    nodes, ways, nid = [], [], 1
    ids = {}
    for i in range(5):
        for j in range(5):
            ids[i, j] = nid
            nodes.append((nid, lon0 + i * dlon, lat0 + j * dlat, {}))
            nid += 1
    # Each street runs 50 m past the grid to a node 10 m inside the frame, then on to a
    # node beyond it that the file does not hold, as in a clipped extract.
    for k in range(5):
        for i, j in ((-0.5, k), (4.5, k), (k, -0.5), (k, 4.5)):
            ids[i, j] = nid
            nodes.append((nid, lon0 + i * dlon, lat0 + j * dlat, {}))
            nid += 1
    missing = 9000
    wid = 1
    for k in range(5):
        row = [ids[-0.5, k], *[ids[i, k] for i in range(5)], ids[4.5, k]]
        col = [ids[k, -0.5], *[ids[k, j] for j in range(5)], ids[k, 4.5]]
        for refs in (row, col):
            ways.append((wid, [missing, *refs, missing + 1], {"highway": "residential"}))
            wid += 1
            missing += 2
    # A 60 m cul-de-sac into the middle block, among mapped houses.
    tip = nid
    nodes.append((tip, lon0 + 2.5 * dlon, lat0 + 2.0 * dlat + 0.6 * dlat, {}))
    ways.append((wid, [ids[2, 2], tip], {"highway": "residential", "name": "Sackgasse"}))
    wid += 1
    nid += 1
    for k, (a, b) in enumerate(((2.1, 2.7), (2.6, 2.7))):
        corners = []
        for da, db in ((0, 0), (0.2, 0), (0.2, 0.2), (0, 0.2)):
            nodes.append((nid, lon0 + (a + da) * dlon, lat0 + (b + db) * dlat, {}))
            corners.append(nid)
            nid += 1
        ways.append((wid + k, [*corners, corners[0]], {"building": "house"}))
    text = osm_xml(nodes, ways)
    south, west = lat0 - 0.6 * dlat, lon0 - 0.6 * dlon
    north, east = lat0 + 4.6 * dlat, lon0 + 4.6 * dlon
    bounds = f'<bounds minlat="{south}" minlon="{west}" maxlat="{north}" maxlon="{east}"/>'
    text = text.replace('generator="cpted tests">', 'generator="cpted tests">\n' + bounds, 1)
    path = tmp_path / "grid.osm"
    path.write_text(text, encoding="utf-8")
    return path


def test_grid_cut_by_its_frame_has_no_dead_end_at_the_frame(tmp_path):
    area = cpted.area_from_file(_grid_osm(tmp_path))
    measures = segment_measures(area)
    streets = area.streets
    dead = measures["dead_end"]
    # The cul-de-sac inside is one; no segment cut by the data's edge is.
    sack = streets["name"] == "Sackgasse"
    assert dead[sack].all()
    assert not dead[~sack].any()
    # The ends at the frame were cut: by the extract (missing nodes) and by the footprint.
    assert len(_cut_nodes(area)) == 20
    assert area.footprint.area <= area.boundary.area + 1
    # Without knowing where the data ends, the 20 stubs at the frame would be dead ends.
    from cpted.access import dead_ends

    plain = dead_ends(streets, boundary=None)
    assert plain["dead_end"].sum() == 21


def _dead_tips(area):
    streets = area.streets
    d = segment_measures(area)
    u, v, xy = topology(streets)
    deg = _degree(u, v, len(xy))
    keys = np.unique(np.r_[streets["u"].to_numpy(), streets["v"].to_numpy()])
    cuts = np.isin(keys, _cut_nodes(area))
    dead = d["dead_end"].to_numpy()
    ends = np.unique(np.r_[u[dead], v[dead]])
    ends = ends[(deg[ends] == 1) & ~cuts[ends]]
    return shapely.points(xy[ends])


@pytest.mark.parametrize("path", VALIDATION, ids=lambda p: p.split("/")[-1].split(".")[0])
def test_no_dead_end_tip_at_the_data_edge(path):
    area = cpted.area_from_file(path)
    tips = _dead_tips(area)
    near = shapely.distance(tips, shapely.boundary(area.footprint))
    assert (near > settings.ACCESS_BOUNDARY_MARGIN).all()
    # Fewer dead ends than when the file's frame (or the data's hull) was the edge.
    from cpted.access import dead_ends

    before = dead_ends(area.streets, boundary=area.boundary)["dead_end"].sum()
    after = segment_measures(area)["dead_end"].sum()
    assert after < before


def test_edge_distance_lowers_confidence_not_score(helsinki):
    result = cpted.audit(helsinki, principles=("access",), progress=False)
    seg = result.segments
    assert (seg["edge_distance_m"] >= 0).all()
    raw = segment_measures(helsinki)
    near = seg.index[(seg["edge_distance_m"] < 50) & seg["audited"]]
    far = seg.index[(seg["edge_distance_m"] > settings.EDGE_REACH_M["access"]) & seg["audited"]]
    assert len(near) and len(far)
    assert (
        seg.loc[near, "access_confidence"] <= 0.5 * raw.loc[near, "access_confidence"] + 1e-9
    ).all()
    assert np.allclose(seg.loc[far, "access_confidence"], raw.loc[far, "access_confidence"])
    assert np.allclose(seg.loc[near, "access_score"], raw.loc[near, "access_score"])


def test_footprint_is_quick_and_follows_the_data(helsinki):
    import time

    from cpted.area import _coverage
    from cpted.osm import read_osm

    data = read_osm(cpted.datasets.get_path("helsinki"))
    start = time.perf_counter()
    _coverage(data, helsinki.crs)
    assert time.perf_counter() - start < 1.0
    assert helsinki.footprint.within(helsinki.boundary.buffer(1))
    assert helsinki.streets.geometry.intersects(helsinki.footprint).all()
