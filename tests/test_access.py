"""Tests of cpted.access on hand-built sites whose answers can be worked out by hand."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, Point, box
from shapely.ops import substring

from cpted import CRSError, InputError, access

CRS = 25833
ATOL = 1.0  # metres: the edge is read every ACCESS_EDGE_STEP (1 m)
SQUARE = box(0, 0, 100, 100)


def frame(geoms, crs=CRS, **columns):
    return gpd.GeoDataFrame(columns, geometry=list(geoms), crs=crs)


def fence(coords):
    return LineString(coords)


@pytest.fixture
def fenced_school():
    """A 100 m square fenced all round, one gate at (50, 0) with a path through it."""
    sites = frame([SQUARE], category=["school"])
    barriers = frame(
        [LineString(SQUARE.exterior.coords), Point(50, 0)],
        barrier=["fence", "gate"],
        passable=[False, True],
    )
    streets = frame([LineString([(50, -40), (50, 0)]), LineString([(50, 0), (50, 60)])])
    return sites, barriers, streets


@pytest.fixture
def open_plaza():
    """A 100 m square crossed by four paths meeting at its centre."""
    sites = frame([SQUARE], category=["square"])
    centre = (50, 50)
    ends = [(50, -30), (130, 50), (50, 130), (-30, 50)]
    streets = frame([LineString([centre, end]) for end in ends])
    return sites, streets


# --------------------------------------------------------------------------------------
# Perimeter
# --------------------------------------------------------------------------------------


def test_fenced_square_has_a_fully_defined_perimeter(fenced_school):
    sites, barriers, _ = fenced_school
    result = access.perimeter(sites, barriers=barriers)
    row = result.iloc[0]
    assert row["perimeter_m"] == pytest.approx(400.0)
    assert row["defined_share"] == pytest.approx(1.0)
    assert row["barrier_share"] == pytest.approx(1.0)
    assert row["open_m"] == pytest.approx(0.0)
    assert row["gaps_n"] == 0


def test_three_fenced_sides_leave_one_gap_of_100_m():
    sites = frame([SQUARE])
    barriers = frame([fence([(0, 0), (100, 0), (100, 100), (0, 100)])], barrier=["fence"])
    row = access.perimeter(sites, barriers=barriers).iloc[0]
    assert row["barrier_m"] == pytest.approx(300.0, abs=ATOL)
    assert row["open_m"] == pytest.approx(100.0, abs=ATOL)
    assert row["gaps_n"] == 1
    assert row["gap_max_m"] == pytest.approx(100.0, abs=ATOL)
    parts = access.perimeter_parts(sites, barriers=barriers)
    gaps = parts[parts["kind"] == "open"]
    assert len(gaps) == 1
    gap = gaps.geometry.iloc[0]
    assert gap.length == pytest.approx(100.0, abs=ATOL)
    # The gap is the west side, x = 0.
    assert np.allclose(np.asarray(gap.coords)[:, 0], 0.0)
    assert parts["length_m"].sum() == pytest.approx(400.0)


def test_gap_across_the_ring_start_is_one_line():
    # The box's ring starts at (100, 0); leave open the corner round it.
    sites = frame([SQUARE])
    barriers = frame([fence([(100, 50), (100, 100), (0, 100), (0, 0), (50, 0)])],
                     barrier=["wall"])  # fmt: skip
    parts = access.perimeter_parts(sites, barriers=barriers)
    gaps = parts[parts["kind"] == "open"]
    assert len(gaps) == 1
    assert gaps["length_m"].iloc[0] == pytest.approx(100.0, abs=ATOL)
    assert gaps.geometry.iloc[0].distance(Point(100, 0)) < 1e-6


def test_fence_meeting_the_edge_at_a_right_angle_does_not_define_it():
    sites = frame([SQUARE])
    barriers = frame([fence([(50, -30), (50, 30)])], barrier=["fence"])
    row = access.perimeter(sites, barriers=barriers).iloc[0]
    assert row["barrier_m"] == pytest.approx(0.0)
    assert row["open_share"] == pytest.approx(1.0)


def test_fence_within_tolerance_counts_but_not_beyond():
    sites = frame([SQUARE])
    near = frame([fence([(0, -2), (100, -2)])], barrier=["hedge"])
    far = frame([fence([(0, -6), (100, -6)])], barrier=["hedge"])
    assert access.perimeter(sites, barriers=near)["barrier_m"].iloc[0] == pytest.approx(
        100.0, abs=ATOL
    )
    assert access.perimeter(sites, barriers=far)["barrier_m"].iloc[0] == pytest.approx(0.0)
    wide = access.perimeter(sites, barriers=far, tolerance=7.0)
    assert wide["barrier_m"].iloc[0] == pytest.approx(100.0, abs=ATOL)


def test_building_faces_define_the_edge_where_no_barrier_does():
    sites = frame([SQUARE])
    buildings = frame([box(0, 100, 100, 115)])  # a block along the north side
    barriers = frame([fence([(0, 0), (100, 0)])], barrier=["railing"])
    row = access.perimeter(sites, barriers=barriers, buildings=buildings).iloc[0]
    assert row["building_m"] == pytest.approx(100.0, abs=ATOL)
    assert row["barrier_m"] == pytest.approx(100.0, abs=ATOL)
    assert row["defined_share"] == pytest.approx(0.5, abs=0.01)
    total = row[["barrier_share", "building_share", "open_share"]].sum()
    assert total == pytest.approx(1.0)


def test_multipolygon_sites_sum_their_parts_and_keep_the_index():
    parts = box(0, 0, 10, 10).union(box(20, 0, 30, 10))
    sites = gpd.GeoDataFrame(geometry=[parts, SQUARE], index=["a", "b"], crs=CRS)
    result = access.perimeter(sites)
    assert list(result.index) == ["a", "b"]
    assert result.loc["a", "perimeter_m"] == pytest.approx(80.0)
    assert result.loc["a", "open_share"] == pytest.approx(1.0)


# --------------------------------------------------------------------------------------
# Entries, escape routes and territory
# --------------------------------------------------------------------------------------


def test_fenced_square_with_one_gate_has_one_controlled_entry(fenced_school):
    sites, barriers, streets = fenced_school
    entries = access.entry_points(sites, streets=streets, barriers=barriers)
    assert len(entries) == 1
    entry = entries.iloc[0]
    assert entry["controlled"]
    assert entry["kind"] == "gate"
    assert entry["on_network"]
    assert entry.geometry.distance(Point(50, 0)) < 1e-6


def test_open_plaza_crossed_by_four_paths_has_four_open_entries(open_plaza):
    sites, streets = open_plaza
    entries = access.entry_points(sites, streets=streets)
    assert len(entries) == 4
    assert not entries["controlled"].any()
    assert (entries["kind"] == "path").all()
    expected = [Point(50, 0), Point(100, 50), Point(50, 100), Point(0, 50)]
    for point in expected:
        assert entries.distance(point).min() < 1e-6


def test_paths_crossing_without_a_node_inside_give_the_same_entries():
    sites = frame([SQUARE])
    streets = frame([LineString([(50, -30), (50, 130)]), LineString([(-30, 50), (130, 50)])])
    entries = access.entry_points(sites, streets=streets)
    assert len(entries) == 4
    escape = access.escape_routes(sites, streets).iloc[0]
    assert escape["exits_n"] == 4
    assert escape["internal_path_m"] == pytest.approx(200.0)


def test_path_ending_at_the_edge_from_inside_is_no_entry():
    sites = frame([SQUARE])
    streets = frame([LineString([(50, 50), (50, 0)])])
    assert len(access.entry_points(sites, streets=streets)) == 0


def test_path_along_the_edge_is_no_entry():
    sites = frame([SQUARE])
    streets = frame([LineString([(-20, 0), (120, 0)])])
    assert len(access.entry_points(sites, streets=streets)) == 0


def test_private_path_is_a_controlled_entry():
    sites = frame([SQUARE])
    streets = frame(
        [LineString([(50, -20), (50, 50)]), LineString([(50, 50), (50, 120)])],
        access=["private", None],
    )
    entries = access.entry_points(sites, streets=streets)
    assert sorted(entries["controlled"].tolist()) == [False, True]


def test_doors_count_only_for_the_sites_own_buildings():
    sites = frame([SQUARE, box(200, 0, 300, 100)], category=["square", "school"])
    # A shop across the square's north edge, and the school's building on its south edge.
    buildings = frame([box(0, 100, 40, 120), box(220, 0, 280, 30)])
    entrances = frame([Point(20, 100), Point(250, 0)], entrance=["main", "main"])
    entries = access.entry_points(sites, entrances=entrances, buildings=buildings)
    assert entries["site"].tolist() == [1]
    assert entries["kind"].iloc[0] == "entrance"
    assert entries["controlled"].iloc[0]


def test_locked_gate_leaves_no_way_out(fenced_school):
    sites, barriers, streets = fenced_school
    locked = barriers.assign(passable=[False, False])
    escape = access.escape_routes(sites, streets, barriers=locked).iloc[0]
    assert escape["exits_n"] == 0
    assert escape["enclosed_m"] == pytest.approx(60.0)
    assert np.isnan(escape["exit_distance_max_m"])


def test_private_gate_still_lets_those_inside_out(fenced_school):
    sites, barriers, streets = fenced_school
    private = barriers.assign(passable=[False, False], access=[None, "private"])
    entries = access.entry_points(sites, streets=streets, barriers=private)
    assert entries["controlled"].tolist() == [True]
    assert entries["passable"].tolist() == [True]
    locked = private.assign(locked=[None, "yes"])
    assert access.escape_routes(sites, streets, barriers=locked)["exits_n"].iloc[0] == 0


def test_one_gate_makes_the_whole_yard_an_entrapment(fenced_school):
    sites, barriers, streets = fenced_school
    escape = access.escape_routes(sites, streets, barriers=barriers).iloc[0]
    assert escape["exits_n"] == 1
    assert escape["internal_path_m"] == pytest.approx(60.0)
    assert escape["entrapment_share"] == pytest.approx(1.0)
    assert escape["exit_distance_max_m"] == pytest.approx(60.0)


def test_open_plaza_has_no_entrapment_but_a_spur_has(open_plaza):
    sites, streets = open_plaza
    escape = access.escape_routes(sites, streets).iloc[0]
    assert escape["exits_n"] == 4
    assert escape["entrapment_m"] == pytest.approx(0.0)
    assert escape["exit_distance_max_m"] == pytest.approx(50.0)
    spur = pd.concat([streets, frame([LineString([(50, 50), (80, 80)])])], ignore_index=True)
    pieces = access.internal_paths(sites, spur)
    assert pieces.loc[pieces["street"] == 4, "ways_out"].tolist() == [1]
    assert (pieces.loc[pieces["street"] != 4, "ways_out"] == 2).all()
    escape = access.escape_routes(sites, spur).iloc[0]
    assert escape["entrapment_m"] == pytest.approx(np.hypot(30, 30))


def test_territory_counts_front_gardens_and_bollard_rows():
    sites = frame([SQUARE])
    # Houses 5 m behind the north edge (front gardens), bollards every 4 m along the south
    # from x = 4 to 96, each marking 2.5 m either side: x = 1.5 to 98.5.
    buildings = frame([box(0, 105, 100, 120)])
    bollards = frame([Point(x, 0) for x in range(4, 97, 4)], barrier=["bollard"] * 24)
    terr = access.territory(sites, barriers=bollards, buildings=buildings).iloc[0]
    per = access.perimeter(sites, barriers=bollards, buildings=buildings).iloc[0]
    assert per["defined_share"] == pytest.approx(0.0)
    assert terr["territorial_m"] == pytest.approx(197.0, abs=2 * ATOL)
    assert terr["symbolic_m"] == pytest.approx(97.0, abs=ATOL)
    assert not terr["defined_edge"]  # half the edge marked is not more than half
    marked = access.territory(sites, barriers=bollards, buildings=buildings, defined_share=0.4)
    assert marked["defined_edge"].iloc[0]


def test_site_with_nothing_on_its_edge_has_no_defined_edge():
    terr = access.territory(frame([SQUARE])).iloc[0]
    assert terr["territorial_share"] == pytest.approx(0.0)
    assert not terr["defined_edge"]


# --------------------------------------------------------------------------------------
# Street segments
# --------------------------------------------------------------------------------------


def block_with_stub(stub):
    ring = list(SQUARE.exterior.coords)
    lines = [LineString([ring[i], ring[i + 1]]) for i in range(4)]
    return frame(lines + stub)


def test_cul_de_sac_of_120_m_has_depth_120_m():
    streets = block_with_stub([LineString([(100, 100), (100, 220)])])
    result = access.dead_ends(streets)
    assert result["dead_end"].tolist() == [False] * 4 + [True]
    assert result["cul_de_sac_depth_m"].iloc[4] == pytest.approx(120.0)
    assert result["single_way_out"].tolist() == [False] * 4 + [True]


def test_cul_de_sac_in_two_segments_keeps_its_depth_on_both():
    stub = [LineString([(100, 100), (100, 170)]), LineString([(100, 170), (100, 220)])]
    result = access.dead_ends(block_with_stub(stub))
    assert result["dead_end_depth_m"].iloc[4:].tolist() == pytest.approx([70.0, 120.0])
    assert result["cul_de_sac_depth_m"].iloc[4:].tolist() == pytest.approx([120.0, 120.0])


def test_branching_cul_de_sac_takes_its_deepest_point():
    stub = [
        LineString([(100, 100), (100, 150)]),
        LineString([(100, 150), (100, 190)]),
        LineString([(100, 150), (160, 150)]),
    ]
    result = access.dead_ends(block_with_stub(stub))
    assert result["dead_end_depth_m"].iloc[4:].tolist() == pytest.approx([50.0, 90.0, 110.0])
    assert result["cul_de_sac_depth_m"].iloc[4:].tolist() == pytest.approx([110.0] * 3)


def test_lollipop_stick_has_a_single_way_out_but_is_no_dead_end():
    loop = box(100, 200, 150, 250).exterior.coords
    stub = [LineString([(100, 100), (100, 200)])]
    stub += [LineString([loop[i], loop[i + 1]]) for i in range(4)]
    result = access.dead_ends(block_with_stub(stub))
    assert not result["dead_end"].any()
    assert result["single_way_out"].tolist() == [False] * 4 + [True] + [False] * 4


def test_ends_cut_by_the_study_area_boundary_are_not_dead_ends():
    streets = frame([LineString([(0, 50), (100, 50)]), LineString([(100, 50), (190, 50)])])
    boundary = box(-10, 0, 200, 100)
    cut = access.dead_ends(streets, boundary=boundary)
    assert not cut["dead_end"].any()
    assert cut["at_boundary"].all()
    # Without the boundary the whole line is a tree with no through street.
    free = access.dead_ends(streets)
    assert free["dead_end"].all()
    assert free["cul_de_sac_depth_m"].isna().all()


def test_alley_between_blank_walls():
    streets = frame([LineString([(0, 0), (40, 0)]), LineString([(0, 50), (40, 50)])])
    walls = frame([fence([(0, 2), (40, 2)]), fence([(0, -2), (40, -2)])], barrier=["wall", "fence"])
    result = access.alleys(streets, barriers=walls)
    assert result["enclosed_share"].tolist() == pytest.approx([1.0, 0.0])
    assert result["alley"].tolist() == [True, False]
    # A door onto it: the walls are not blank, no alley.
    door = frame([Point(20, 2)], entrance=["main"])
    with_door = access.alleys(streets, barriers=walls, entrances=door)
    assert with_door["doors_n"].tolist() == [1, 0]
    assert not with_door["alley"].any()


def test_passage_through_a_building_is_enclosed():
    streets = frame([LineString([(0, 0), (40, 0)])])
    gateway = frame([box(10, -10, 30, 10)])  # the middle half runs through a building
    result = access.alleys(streets, buildings=gateway)
    assert result["enclosed_share"].iloc[0] == pytest.approx(0.5, abs=0.05)


def test_alley_between_buildings_on_one_side_only_is_not_enclosed():
    streets = frame([LineString([(0, 0), (40, 0)])])
    buildings = frame([box(0, 1, 40, 10)])
    result = access.alleys(streets, buildings=buildings)
    assert result["enclosed_share"].iloc[0] == pytest.approx(0.0)


def grid(n, spacing=100.0):
    lines = []
    for i in range(n):
        for j in range(n - 1):
            lines.append(LineString([(i * spacing, j * spacing), (i * spacing, (j + 1) * spacing)]))
            lines.append(LineString([(j * spacing, i * spacing), ((j + 1) * spacing, i * spacing)]))
    return frame(lines)


def test_permeability_of_a_three_by_three_grid():
    # 9 nodes: 4 corners (degree 2, not counted), 4 sides (3), 1 centre (4).
    streets = grid(3)
    result = access.permeability(streets, radius=1000)
    assert result["link_node_ratio_1000"].tolist() == pytest.approx([16 / 2 / 5] * 12)
    density = 5 / (np.pi * 1000**2 / 1e6)
    assert result["intersection_density_1000"].to_numpy() == pytest.approx(density, rel=1e-9)


def test_permeability_density_divides_by_the_area_inside_the_boundary():
    streets = grid(3)
    boundary = box(-10, -10, 210, 210)
    result = access.permeability(streets, radius=1000, boundary=boundary)
    assert result["intersection_density_1000"].to_numpy() == pytest.approx(
        5 / (boundary.area / 1e6), rel=1e-6
    )


def test_tree_network_scores_lower_than_a_grid():
    grid_score = access.segment_access(grid(4))["access_score"]
    tree = frame([LineString([(0, 0), (100 * i, 100)]) for i in range(-3, 4)])
    tree_score = access.segment_access(tree)["access_score"]
    assert grid_score.min() > tree_score.max()


# --------------------------------------------------------------------------------------
# Scores
# --------------------------------------------------------------------------------------


def test_school_score_rewards_a_closed_controlled_edge(fenced_school):
    sites, barriers, streets = fenced_school
    closed = access.site_access(sites, streets=streets, barriers=barriers)
    opened = access.site_access(sites, streets=streets, barriers=barriers.iloc[[1]])
    assert closed["access_profile"].iloc[0] == "controlled"
    assert closed["access_score"].iloc[0] > opened["access_score"].iloc[0]
    # 0.5 * 1 + 0.3 * 1 + 0.2 * (1 exit / 2 needed) = 0.9
    assert closed["access_score"].iloc[0] == pytest.approx(90.0)


def test_square_score_rewards_many_open_entries(fenced_school, open_plaza):
    _, barriers, gate_path = fenced_school
    sites, paths = open_plaza
    fenced = access.site_access(sites, streets=gate_path, barriers=barriers)
    plaza = access.site_access(sites, streets=paths)
    assert plaza["access_profile"].iloc[0] == "open"
    assert plaza["access_score"].iloc[0] > fenced["access_score"].iloc[0]
    # 4 open entries on 400 m = 1 per 100 m: 0.35 * 0.5 + 0.25 + 0.2 * 1 + 0.2 * 0 = 0.625
    assert plaza["access_score"].iloc[0] == pytest.approx(62.5)


def test_same_site_scores_by_its_category(fenced_school):
    sites, barriers, streets = fenced_school
    as_school = access.site_access(sites, streets=streets, barriers=barriers)
    as_square = access.site_access(
        sites, streets=streets, barriers=barriers, categories=pd.Series(["square"])
    )
    assert as_school["access_score"].iloc[0] > as_square["access_score"].iloc[0]


def test_confidence_drops_without_barriers_or_network():
    sites = frame([SQUARE], category=["park"])
    result = access.site_access(sites)
    assert result["access_confidence"].iloc[0] == pytest.approx(0.4)
    unknown = access.site_access(frame([SQUARE], category=["lawn"]))
    assert unknown["access_confidence"].iloc[0] == pytest.approx(0.2)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(0, 400), st.floats(1, 200), st.sampled_from(["fence", "wall"])),
        max_size=4,
    ),
    st.floats(10, 200),
    st.floats(10, 200),
)
def test_shares_add_up_and_scores_stay_in_range(pieces, width, height):
    site = box(0, 0, width, height)
    ring = LineString(site.exterior.coords)
    lines = []
    for start, length, _ in pieces:
        a, b = start % ring.length, min(start % ring.length + length, ring.length)
        if b - a > 0.5:
            lines.append(substring(ring, a, b))
    barriers = frame(lines, barrier=[p[2] for p in pieces][: len(lines)])
    sites = frame([site], category=["school"])
    per = access.perimeter(sites, barriers=barriers).iloc[0]
    total = per[["barrier_share", "building_share", "open_share"]].sum()
    assert total == pytest.approx(1.0)
    assert 0.0 <= per["defined_share"] <= 1.0
    covered = sum(line.length for line in lines)
    assert per["barrier_m"] <= covered + 2 * len(lines) * ATOL + 1e-6
    scored = access.site_access(sites, barriers=barriers)
    assert 0.0 <= scored["access_score"].iloc[0] <= 100.0


# --------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------


def test_geographic_sites_raise_crs_error():
    sites = frame([box(13.4, 52.4, 13.41, 52.41)], crs=4326)
    with pytest.raises(CRSError, match="degrees"):
        access.perimeter(sites)


def test_sites_without_crs_raise_crs_error():
    with pytest.raises(CRSError, match="no CRS"):
        access.perimeter(gpd.GeoDataFrame(geometry=[SQUARE]))


def test_layers_in_another_crs_raise_crs_error():
    sites = frame([SQUARE])
    barriers = frame([fence([(0, 0), (1, 1)])], crs=3035, barrier=["fence"])
    with pytest.raises(CRSError, match="to_crs"):
        access.perimeter(sites, barriers=barriers)


def test_line_sites_raise_input_error():
    with pytest.raises(InputError, match="Polygon"):
        access.perimeter(frame([LineString([(0, 0), (1, 1)])]))


def test_polygon_streets_raise_input_error():
    with pytest.raises(InputError, match="LineString"):
        access.dead_ends(frame([SQUARE]))


def test_duplicated_site_index_raises_input_error():
    sites = gpd.GeoDataFrame(geometry=[SQUARE, SQUARE], index=["a", "a"], crs=CRS)
    with pytest.raises(InputError, match="duplicated index"):
        access.perimeter(sites)


def test_empty_site_geometry_raises_input_error():
    sites = gpd.GeoDataFrame(geometry=[SQUARE, None], crs=CRS)
    with pytest.raises(InputError, match="without geometry"):
        access.perimeter(sites)


@pytest.mark.parametrize("value", [-1.0, float("nan"), "wide"])
def test_bad_tolerance_raises_input_error(value):
    with pytest.raises(InputError, match="tolerance"):
        access.perimeter(frame([SQUARE]), tolerance=value)


def test_bad_share_and_radius_raise_input_error():
    with pytest.raises(InputError, match="defined_share"):
        access.territory(frame([SQUARE]), defined_share=2.0)
    with pytest.raises(InputError, match="radius"):
        access.permeability(grid(2), radius=0)
    with pytest.raises(InputError, match="share"):
        access.alleys(grid(2), share=-0.1)
    with pytest.raises(InputError, match="step"):
        access.alleys(grid(2), step=0)


def test_bad_boundary_raises_input_error():
    with pytest.raises(InputError, match="boundary"):
        access.dead_ends(grid(2), boundary="the city")


def test_non_geometry_input_raises_input_error():
    with pytest.raises(InputError, match="sites"):
        access.perimeter([1, 2, 3])


# --------------------------------------------------------------------------------------
# More hand-built cases: open edges along sidewalks, holes, clipped data
# --------------------------------------------------------------------------------------


def test_open_edge_along_a_sidewalk_is_a_way_in_and_out():
    # A square with no path crossing its edge, but a sidewalk 4 m off its south side.
    sites = frame([SQUARE], category=["square"])
    sidewalk = frame([LineString([(-20, -4), (120, -4)])])
    row = access.perimeter(sites, streets=sidewalk).iloc[0]
    assert row["walkable_open_m"] == pytest.approx(100.0, abs=ATOL)
    assert row["walkable_open_share"] == pytest.approx(0.25, abs=0.01)
    assert row["walkable_open_n"] == 1
    # Behind a fence the sidewalk gives no way in.
    fenced = frame([fence([(0, 0), (100, 0)])], barrier=["fence"])
    behind = access.perimeter(sites, barriers=fenced, streets=sidewalk).iloc[0]
    assert behind["walkable_open_m"] == pytest.approx(0.0)
    scored = access.site_access(sites, streets=sidewalk)
    lone = access.site_access(sites)
    assert scored["access_score"].iloc[0] > lone["access_score"].iloc[0]


def test_a_path_through_a_hole_stays_inside_the_site():
    # A square with a plinth cut out of its middle; the path crosses plinth and square.
    holed = SQUARE.difference(box(40, 40, 60, 60))
    sites = frame([holed])
    streets = frame([LineString([(50, -20), (50, 120)])])
    entries = access.entry_points(sites, streets=streets)
    assert len(entries) == 2
    escape = access.escape_routes(sites, streets).iloc[0]
    assert escape["internal_path_m"] == pytest.approx(100.0)
    assert escape["entrapment_m"] == pytest.approx(0.0)


def test_ends_beyond_the_boundary_are_not_dead_ends():
    streets = frame([LineString([(0, 50), (100, 50)]), LineString([(100, 50), (300, 50)])])
    boundary = box(-100, -50, 150, 150)  # the data runs on past its east side
    result = access.dead_ends(streets, boundary=boundary)
    assert result["at_boundary"].tolist() == [False, True]


def test_segment_measures_keep_the_streets_index():
    streets = grid(3).set_index(pd.Index(range(100, 112), name="segment"))
    result = access.segment_access(streets)
    assert result.index.equals(streets.index)
    assert result["access_score"].between(0, 100).all()
    assert result["access_confidence"].between(0, 1).all()


# --------------------------------------------------------------------------------------
# The real samples
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def neukoelln_sites(neukoelln):
    return neukoelln.sites[["category", "name", "geometry_source"]].join(
        access.site_measures(neukoelln)
    )


@pytest.fixture(scope="module")
def helsinki_sites(helsinki):
    return helsinki.sites[["category", "name", "geometry_source"]].join(
        access.site_measures(helsinki)
    )


@pytest.fixture(scope="module")
def neukoelln_segments(neukoelln):
    return neukoelln.streets[["highway", "name"]].join(access.segment_measures(neukoelln))


def test_real_tables_are_indexed_like_the_layers(neukoelln, neukoelln_sites, neukoelln_segments):
    assert neukoelln_sites.index.equals(neukoelln.sites.index)
    assert neukoelln_segments.index.equals(neukoelln.streets.index)
    for table in (neukoelln_sites, neukoelln_segments):
        assert table["access_score"].between(0, 100).all()
        assert table["access_confidence"].between(0, 1).all()


def test_karl_marx_platz_is_an_open_square(neukoelln_sites):
    square = neukoelln_sites[neukoelln_sites["name"] == "Karl-Marx-Platz"]
    assert len(square) == 1
    row = square.iloc[0]
    # No fence or wall round it: walked into from Karl-Marx-Straße and its sidewalks.
    assert row["access_profile"] == "open"
    assert row["barrier_share"] < 0.1
    assert row["entries_n"] >= 2
    assert row["entries_controlled_n"] == 0
    assert row["walkable_open_share"] > 0.5
    assert row["entrapment_m"] == pytest.approx(0.0)
    assert row["access_score"] > 60


def test_neukoelln_kindergartens_are_judged_as_closed_sites(neukoelln_sites):
    kitas = neukoelln_sites[neukoelln_sites["category"] == "kindergarten"]
    assert len(kitas) >= 3
    assert (kitas["access_profile"] == "controlled").all()
    # Kitas sit in back yards: no public path runs openly into any of them.
    assert (kitas["entries_open_n"] == 0).all()
    # A kita mapped only as a point has a drawn circle for an edge: lower confidence.
    point = kitas[kitas["geometry_source"] == "point"]
    assert len(point)
    assert (point["access_confidence"] <= 0.7).all()


def test_thomashoehe_playground_is_fenced_with_gates(neukoelln_sites):
    row = neukoelln_sites[neukoelln_sites["name"] == "Spielplatz Thomashöhe"].iloc[0]
    assert row["barrier_share"] > 0.9
    assert row["entries_n"] >= 1
    assert row["entries_controlled_n"] == row["entries_n"]
    assert row["access_score"] > 80


def test_neukoelln_dead_ends_are_driveways_and_footpaths(neukoelln_segments):
    dead = neukoelln_segments[neukoelln_segments["dead_end"]]
    assert len(dead)
    # The streets of the Karl-Marx-Straße grid all go through; the clipped extract must not
    # turn its cut side streets into cul-de-sacs.
    streets = {"primary", "secondary", "tertiary", "residential", "living_street"}
    assert not dead["highway"].isin(streets).any()
    # Depth is NaN only on pieces cut off from every through street (a yard whose private
    # gateway is not walkable); everywhere else a dead end has a depth.
    assert dead["dead_end_depth_m"].dropna().gt(0).all()
    assert dead["dead_end_depth_m"].notna().mean() > 0.9
    through = neukoelln_segments[~neukoelln_segments["single_way_out"]]
    assert dead["access_score"].mean() < through["access_score"].mean()


def test_helsinki_schools_are_closed_by_their_buildings(helsinki, helsinki_sites):
    schools = helsinki_sites[helsinki_sites["category"] == "school"]
    assert len(schools) >= 4
    assert (schools["access_profile"] == "controlled").all()
    # Schools mapped only as their building outline have no edge of their own to judge.
    only_building = helsinki.sites["ground"].reindex(schools.index) == "building"
    assert only_building.any()
    assert schools.loc[only_building, ["defined_share", "building_share"]].isna().all().all()
    # The others stand in perimeter blocks: their buildings are their edge.
    grounds = schools[~only_building]
    assert len(grounds) >= 2
    assert grounds["defined_share"].median() > 0.8


def test_helsinki_squares_are_open(helsinki_sites):
    for name in ("Senaatintori", "Rautatientori"):
        row = helsinki_sites[
            (helsinki_sites["name"] == name) & (helsinki_sites["category"] == "square")
        ].iloc[0]
        assert row["access_profile"] == "open"
        assert row["barrier_share"] < 0.1
        assert row["entries_controlled_n"] == 0
        assert row["walkable_open_share"] > 0.5
        assert row["access_score"] > 55


def test_kaivopiha_courtyard_is_closed_by_buildings(helsinki_sites):
    row = helsinki_sites[helsinki_sites["name"] == "Kaivopiha"].iloc[0]
    assert row["building_share"] > 0.8
    assert row["territorial_share"] > 0.8


def test_aleksanterinkatu_has_many_open_entries(helsinki_sites):
    street = helsinki_sites[helsinki_sites["name"] == "Aleksanterinkatu"]
    assert len(street)
    assert (street["entries_open_n"] >= 10).all()
    assert (street["access_score"] > 80).all()


def test_central_station_is_entered_through_its_doors(helsinki, helsinki_sites):
    row = helsinki_sites[helsinki_sites["name"] == "Helsingin päärautatieasema"].iloc[0]
    # Mapped as its building: its own walls are no "defined edge", its doors still count.
    assert helsinki.sites.loc[row.name, "ground"] == "building"
    assert np.isnan(row["building_share"])
    assert row["entries_controlled_n"] > row["entries_open_n"]


def test_audit_part_gives_map_layers(neukoelln):
    import folium

    from cpted.maps import _access as access_map

    part = access.audit_part(neukoelln)
    assert part.sites.index.equals(neukoelln.sites.index)
    assert part.segments.index.equals(neukoelln.streets.index)
    perimeter = part.layers["access_perimeter"]
    assert set(perimeter["kind"]) <= {"barrier", "building", "open"}
    # Each site's edge pieces add up to its perimeter.
    total = perimeter.groupby("site")["length_m"].sum()
    assert total.to_numpy() == pytest.approx(
        part.sites.loc[total.index, "perimeter_m"].to_numpy(), rel=1e-6
    )
    entries = part.layers["access_entries"]
    assert entries.groupby("site").size().sum() == part.sites["entries_n"].sum()
    assert (part.layers["access_entrapment"]["ways_out"] < 2).all()
    audit = type(
        "FakeAudit",
        (),
        {"segments": neukoelln.streets.join(part.segments), "layers": part.layers},
    )()
    m = folium.Map(location=[52.48, 13.43])
    access_map.add_layers(m, audit)
    folium.LayerControl().add_to(m)
    page = m.get_root().render()
    for name in ("Site edges", "Site entry points", "Dead ends"):
        assert name in page


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 50), st.floats(5, 80)), min_size=1, max_size=12))
def test_cul_de_sac_depth_is_the_deepest_point_of_a_random_tree(spec):
    # Grow a tree from the block's corner (100, 100): node k + 1 hangs off an earlier node
    # (its parent), each edge heading north-east at its own angle so that nothing crosses.
    # Only the ends' topology matters, so the edges may cross; each new node is placed
    # far east of everything so no two nodes coincide.
    nodes = [(100.0, 100.0)]
    depth = [0.0]
    branch = [-1]  # the child of the corner each node hangs under: one cul-de-sac each
    lines = []
    for k, (parent_pick, length) in enumerate(spec):
        parent = parent_pick % len(nodes)
        _, y = nodes[parent]
        end = (1000.0 * (k + 1), y + length)
        lines.append(LineString([nodes[parent], end]))
        nodes.append(end)
        depth.append(depth[parent] + lines[-1].length)
        branch.append(k + 1 if parent == 0 else branch[parent])
    result = access.dead_ends(block_with_stub(lines))
    assert not result["dead_end"].iloc[:4].any()
    assert result["dead_end"].iloc[4:].all()
    deepest = pd.Series(depth[1:]).groupby(branch[1:]).transform("max")
    assert result["cul_de_sac_depth_m"].iloc[4:].to_numpy() == pytest.approx(deepest.to_numpy())
    assert result["dead_end_depth_m"].iloc[4:].to_numpy() == pytest.approx(depth[1:])


@settings(max_examples=25, deadline=None)
@given(st.floats(0, 399), st.floats(1, 150), st.floats(0, 399), st.floats(1, 150))
def test_adding_a_barrier_never_lowers_the_defined_share(start1, len1, start2, len2):
    sites = frame([SQUARE])
    ring = LineString(SQUARE.exterior.coords)
    first = substring(ring, start1, min(start1 + len1, 400))
    second = substring(ring, start2, min(start2 + len2, 400))
    one = frame([first], barrier=["fence"])
    two = frame([first, second], barrier=["fence", "hedge"])
    before = access.perimeter(sites, barriers=one)["defined_share"].iloc[0]
    after = access.perimeter(sites, barriers=two)["defined_share"].iloc[0]
    assert after >= before - 1e-12


def test_a_networkx_graph_is_read_as_streets():
    import networkx as nx

    graph = nx.MultiDiGraph(crs=f"EPSG:{CRS}")
    coords = {1: (0, 0), 2: (100, 0), 3: (100, 100), 4: (0, 100), 5: (100, 220)}
    for node, (x, y) in coords.items():
        graph.add_node(node, x=float(x), y=float(y))
    for u, v in [(1, 2), (2, 3), (3, 4), (4, 1), (3, 5)]:
        length = float(np.hypot(*np.subtract(coords[u], coords[v])))
        graph.add_edge(u, v, length=length)
        graph.add_edge(v, u, length=length)
    result = access.dead_ends(graph)
    assert len(result) == 5
    assert result["dead_end"].sum() == 1
    assert result.loc[result["dead_end"], "cul_de_sac_depth_m"].iloc[0] == pytest.approx(120.0)
    graph.graph.pop("crs")
    with pytest.raises(CRSError, match="no CRS"):
        access.dead_ends(graph)


def test_a_bow_tie_site_is_repaired_not_fatal():
    from shapely.geometry import Polygon

    bow_tie = Polygon([(0, 0), (100, 100), (100, 0), (0, 100)])
    sites = frame([bow_tie])
    streets = frame([LineString([(-20, 10), (120, 10)])])
    result = access.site_access(sites, streets=streets)
    assert result["perimeter_m"].iloc[0] > 0
    assert result["entries_n"].iloc[0] >= 2


# --------------------------------------------------------------------------------------
# Measuring only the rows a tile keeps (AuditContext.rows)
# --------------------------------------------------------------------------------------


def _west(table: gpd.GeoDataFrame) -> pd.Index:
    x = table.geometry.representative_point().x
    return table.index[x < x.median()]


def _layer_rows(layer: pd.DataFrame, sites: pd.Index) -> pd.DataFrame:
    # entries and pieces are numbered per call: compare them by content
    return layer[layer["site"].isin(sites)].reset_index(drop=True)


def test_audit_part_with_rows_measures_those_rows_as_all(neukoelln):
    from cpted._context import AuditContext

    rows = (_west(neukoelln.streets), _west(neukoelln.sites))
    whole = access.audit_part(neukoelln, context=AuditContext(neukoelln))
    part = access.audit_part(neukoelln, context=AuditContext(neukoelln, rows=rows))
    assert part.segments.index.equals(rows[0])
    assert part.sites.index.equals(rows[1])
    pd.testing.assert_frame_equal(part.segments, whole.segments.loc[rows[0]], rtol=1e-9)
    # defined_edge turns nullable only where a site is a building's outline
    pd.testing.assert_frame_equal(
        part.sites, whole.sites.loc[rows[1]], rtol=1e-9, check_dtype=False
    )
    for key, layer_ in whole.layers.items():
        pd.testing.assert_frame_equal(
            _layer_rows(part.layers[key], rows[1]), _layer_rows(layer_, rows[1]), obj=key
        )


def test_permeability_counts_every_node_within_the_radius(neukoelln):
    from cpted import settings as cpted_settings
    from cpted.access._network import _clipped_nodes, _degree, topology

    streets = neukoelln.streets
    radius = 300.0
    table = access.permeability(streets, radius=radius, boundary=neukoelln.footprint)
    u, v, xy = topology(streets)
    degree = _degree(u, v, len(xy))
    margin = cpted_settings.ACCESS_BOUNDARY_MARGIN
    clipped = _clipped_nodes(xy, degree, neukoelln.footprint, margin, None)
    counted = (degree != 2) & ~clipped
    mid = streets.geometry.interpolate(0.5, normalized=True)
    gap = np.hypot(
        mid.x.to_numpy()[:, None] - xy[counted, 0], mid.y.to_numpy()[:, None] - xy[counted, 1]
    )
    near = gap <= radius
    nodes = near.sum(axis=1)
    ratio = np.where(
        nodes > 0, (near * degree[counted]).sum(axis=1) / 2.0 / np.maximum(nodes, 1), np.nan
    )
    np.testing.assert_allclose(table["link_node_ratio_300"], ratio, rtol=1e-12)


def test_permeability_of_some_rows_equals_those_of_all(neukoelln):
    from cpted.access._network import _permeability

    rows = np.flatnonzero(neukoelln.streets.index.isin(_west(neukoelln.streets)))
    whole = access.permeability(neukoelln.streets, boundary=neukoelln.footprint)
    part = _permeability(neukoelln.streets, boundary=neukoelln.footprint, rows=rows)
    pd.testing.assert_frame_equal(part, whole.iloc[rows])
