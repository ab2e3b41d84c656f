"""Tiled audits: tiles with halos equal an untiled audit, on one process, many, or a cluster."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import shapely
from conftest import osm_xml, validation_path

import cpted
from cpted import _tiles, settings
from cpted._errors import InputError

#: Largest difference allowed between a tiled and an untiled figure: 1e-9, relative to the
#: figure where it exceeds 1. Only floating-point rounding may differ (an area of a circle
#: cut by the footprint, which a tile holds cut to its box, differs by about 1e-12 of it).
TOLERANCE = 1e-9


def _norm(value):
    try:
        if pd.isna(value):
            return "<NA>"
    except (TypeError, ValueError):
        pass
    return str(value)


def assert_same_table(tiled: pd.DataFrame, whole: pd.DataFrame, what: str) -> None:
    """Every numeric column within TOLERANCE, every other column equal, same rows in order."""
    assert list(tiled.index) == list(whole.index), what
    assert list(tiled.columns) == list(whole.columns), what
    problems = []
    for column in whole.columns:
        a, b = tiled[column], whole[column]
        if column == "geometry":
            if len(b) and not a.geom_equals_exact(b, 0).all():
                problems.append(f"{column}: geometry")
            continue
        numeric = pd.api.types.is_numeric_dtype(b) and not pd.api.types.is_bool_dtype(b)
        if numeric and pd.api.types.is_numeric_dtype(a):
            x, y = a.to_numpy(dtype=float), b.to_numpy(dtype=float)
            same_nan = np.isnan(x) == np.isnan(y)
            gap = np.abs(np.nan_to_num(x) - np.nan_to_num(y))
            limit = TOLERANCE * np.maximum(1.0, np.abs(np.nan_to_num(y)))
            bad = ~same_nan | (gap > limit)
            if bad.any():
                problems.append(f"{column}: {int(bad.sum())} rows, max gap {gap.max():g}")
        else:
            bad = a.map(_norm).to_numpy(object) != b.map(_norm).to_numpy(object)
            if bad.any():
                problems.append(f"{column}: {int(bad.sum())} rows differ as text")
    assert not problems, f"{what}: " + "; ".join(problems)


def assert_same_audit(tiled: cpted.audit.Audit, whole: cpted.audit.Audit) -> None:
    assert_same_table(tiled.segments, whole.segments, "segments")
    assert_same_table(tiled.sites, whole.sites, "sites")
    assert tiled.principles == whole.principles
    assert set(tiled.rasters) == set(whole.rasters)
    for name, raster in whole.rasters.items():
        other = tiled.rasters[name]
        assert other.transform == raster.transform
        np.testing.assert_allclose(other.values, raster.values, rtol=0, atol=TOLERANCE)
    assert list(tiled.layers) == list(whole.layers)  # in the same order, as maps draw them
    for name, layer in whole.layers.items():
        assert len(tiled.layers[name]) == len(layer), name


# -- a synthetic town: a 9 x 9 street grid, 80 m blocks, buildings, lamps, a park ----------

_LON, _LAT = 13.4300, 52.4700
_DLON = 80.0 / (111_320.0 * math.cos(math.radians(_LAT)))
_DLAT = 80.0 / 110_574.0
_N = 9


def _grid_osm() -> str:
    nodes, ways = [], []

    def at(i: float, j: float) -> tuple[float, float]:
        return _LON + i * _DLON, _LAT + j * _DLAT

    ids = {}
    for i in range(_N):
        for j in range(_N):
            ids[i, j] = 1000 + i * _N + j
            nodes.append((ids[i, j], *at(i, j), {}))
    way = 1
    for j in range(_N):  # east-west streets, lit on every other one
        tags = {"highway": "residential", "name": f"Ost {j}", "lit": "yes" if j % 2 else "no"}
        ways.append((way, [ids[i, j] for i in range(_N)], tags))
        way += 1
    for i in range(_N):  # north-south streets, some footways
        tags = {"highway": "footway" if i % 3 == 1 else "tertiary", "name": f"Nord {i}"}
        ways.append((way, [ids[i, j] for j in range(_N)], tags))
        way += 1
    node = 5000
    for i in range(_N - 1):
        for j in range(_N - 1):
            if (i, j) == (4, 4):
                continue  # the park
            corners = [
                (i + 0.2, j + 0.2),
                (i + 0.8, j + 0.2),
                (i + 0.8, j + 0.8),
                (i + 0.2, j + 0.8),
            ]
            refs = []
            for ci, cj in corners:
                nodes.append((node, *at(ci, cj), {}))
                refs.append(node)
                node += 1
            use = {"building": "residential", "building:levels": str(2 + (i + j) % 4)}
            ways.append((way, [*refs, refs[0]], use))
            way += 1
            if (i + j) % 3 == 0:  # a lamp at the block's corner, a shop beside it
                nodes.append((node, *at(i + 0.1, j + 0.05), {"highway": "street_lamp"}))
                nodes.append(
                    (
                        node + 1,
                        *at(i + 0.5, j + 0.15),
                        {"shop": "bakery", "opening_hours": "Mo-Sa 07:00-22:00"},
                    )
                )
                node += 2
    corners = [(4.1, 4.1), (4.9, 4.1), (4.9, 4.9), (4.1, 4.9)]
    refs = []
    for ci, cj in corners:
        nodes.append((node, *at(ci, cj), {}))
        refs.append(node)
        node += 1
    ways.append((way, [*refs, refs[0]], {"leisure": "park", "name": "Gitterpark"}))
    return osm_xml(nodes, ways)


@pytest.fixture(scope="module")
def grid_area(tmp_path_factory):
    path = tmp_path_factory.mktemp("grid") / "grid.osm"
    path.write_text(_grid_osm(), encoding="utf-8")
    return cpted.area_from_file(path)


#: Radii small enough that the halos (at most 160 m) are smaller than the 640 m town, so
#: a tile's sub-area really is a part of it.
_SMALL = {
    "MOVEMENT_DISTANCES": (40.0, 80.0),
    "ACCESS_PERMEABILITY_RADIUS": 60.0,
    "ACCESS_DEAD_END_DEPTH": 40.0,
    "LIGHTING_MAX_RADIUS": 30.0,
    "CAMERA_RANGES": {"default": 20.0},
}


@pytest.fixture
def small_radii(monkeypatch):
    for key, value in _SMALL.items():
        monkeypatch.setattr(settings, key, value)
    assert _tiles.halo_m() < 200.0


@pytest.fixture(scope="module")
def grid_whole(grid_area):
    """The untiled audit of the grid at the small radii (set here, restored after)."""
    with pytest.MonkeyPatch.context() as mp:
        for key, value in _SMALL.items():
            mp.setattr(settings, key, value)
        return cpted.audit(grid_area, progress=False)


# -- the halo ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "principle", "scale"),
    [
        ("SIGHTLINE_RECOGNITION_DISTANCE", "sightlines", 3.0),
        ("LIGHTING_MAX_RADIUS", "lighting", 2.0),
        ("LAMP_CLASS_SEARCH_DISTANCE", "lighting", 4.0),
        ("ACCESS_PERMEABILITY_RADIUS", "access", 2.0),
        ("ACCESS_DEAD_END_DEPTH", "access", 2.0),
        ("FRONTAGE_DISTANCE", "surveillance", 100.0),
    ],
)
def test_halo_grows_when_a_reach_grows(monkeypatch, setting, principle, scale):
    before = _tiles.halos()[principle]
    monkeypatch.setattr(settings, setting, getattr(settings, setting) * scale)
    assert _tiles.halos()[principle] > before
    assert _tiles.halo_m() >= _tiles.halos()[principle]


def test_halo_of_movement_is_twice_the_catchment(monkeypatch):
    monkeypatch.setattr(settings, "MOVEMENT_DISTANCES", (400.0, 1200.0))
    assert _tiles.halos()["surveillance"] == 2400.0
    assert _tiles.halo_m() == 2400.0


# -- the grid and the sub-areas ---------------------------------------------------------


def test_every_segment_and_site_belongs_to_one_tile(grid_area):
    tiles = _tiles.tile_grid(grid_area, 220.0)
    assert len(tiles) == 9
    segments = np.concatenate([t.segments for t in tiles])
    sites = np.concatenate([t.sites for t in tiles])
    assert sorted(segments.tolist()) == sorted(grid_area.streets.index.tolist())
    assert sorted(sites.tolist()) == sorted(grid_area.sites.index.tolist())
    assert sum(t.first for t in tiles) == 1
    # the owner holds the midpoint in its core
    mid = _tiles.midpoints(grid_area.streets)
    for tile in tiles:
        at = grid_area.streets.index.isin(tile.segments)
        assert tile.owns(shapely.get_x(mid[at]), shapely.get_y(mid[at])).all()


def test_an_area_within_one_tile_is_one_tile(grid_area):
    assert len(_tiles.tile_grid(grid_area, 5000.0)) == 1


def test_sub_area_keeps_ids_and_geometry(grid_area):
    region = shapely.box(*grid_area.boundary.bounds).centroid.buffer(150.0).envelope
    sub = _tiles.sub_area(grid_area, region)
    assert 0 < len(sub.streets) < len(grid_area.streets)
    assert sub.streets.geometry.geom_equals_exact(
        grid_area.streets.geometry.loc[sub.streets.index], 0
    ).all()
    assert 0 < len(sub.buildings) < len(grid_area.buildings)
    assert sub.footprint.within(region.buffer(1e-6))
    edge_segments = {s for _, _, s in sub.graph.edges(data="segment")}
    assert edge_segments == set(sub.streets.index)


@pytest.mark.parametrize("size", [0, -5, math.inf, "big", True])
def test_bad_tile_size(grid_area, size):
    with pytest.raises(InputError, match="tile_size"):
        cpted.audit(grid_area, tile_size=size, progress=False)


@pytest.mark.parametrize("workers", [0, -1, 1.5, "two"])
def test_bad_workers(grid_area, workers):
    with pytest.raises(InputError, match="workers"):
        cpted.audit(grid_area, tile_size=220.0, workers=workers, progress=False)


def test_bad_workers_on_an_area_of_one_tile(grid_area):
    with pytest.raises(InputError, match="workers"):
        cpted.audit(grid_area, workers=0, progress=False)


def test_bad_client(grid_area):
    with pytest.raises(InputError, match=r"dask\.distributed\.Client"):
        cpted.audit(grid_area, client=object(), progress=False)


# -- tiled equals untiled ---------------------------------------------------------------


def test_grid_tiled_3x3_equals_untiled(grid_area, grid_whole, small_radii):
    tiles = _tiles.tile_grid(grid_area, 220.0)
    assert len(tiles) == 9
    # the halos cut: the corner tile's lighting sub-area holds only part of the town
    corner = _tiles.sub_area(grid_area, tiles[0].region(_tiles.halos()["access"]))
    assert len(corner.streets) < 0.6 * len(grid_area.streets)
    tiled = cpted.audit(grid_area, tile_size=220.0, workers=1, progress=False)
    assert_same_audit(tiled, grid_whole)


def test_lighting_estimate_is_a_statistic_of_the_whole_area(grid_area, small_radii):
    # The class estimate scales design lighting by the median measured/design ratio of the
    # whole area: each tile alone has another median, so keeping the tile's own estimate
    # would differ. Check that the tiles' own statistics do differ here, so the test
    # above would catch a tiled audit that kept them.
    tiles = _tiles.tile_grid(grid_area, 220.0)
    sub = _tiles.sub_area(grid_area, tiles[0].region(_tiles.halos()["lighting"]))
    from cpted.lighting import segment_measures

    whole = segment_measures(grid_area)
    part = segment_measures(sub)
    mine = part.index.intersection(pd.Index(tiles[0].segments))
    estimated = whole.loc[mine, "lighting_basis"] != "measured"
    assert estimated.any()
    assert not np.allclose(
        whole.loc[mine, "lux_mean_scored"].to_numpy(dtype=float),
        part.loc[mine, "lux_mean_scored"].to_numpy(dtype=float),
    )


def test_tiles_pasted_as_they_arrive_make_the_mosaic(grid_area, small_radii):
    # the caller pastes each tile's raster on the area's grid as the tile arrives (in any
    # order) and lets the piece go: the same grid as a mosaic of every piece at the end
    tiles = _tiles.tile_grid(grid_area, 220.0)
    results, _ = _tiles.run_tiles(grid_area, tiles, ("lighting",), workers=1)
    pieces = [r.parts["lighting"].rasters["lux"] for r in results]
    assert len(pieces) == 9
    whole = _tiles.Mosaic(grid_area)
    for piece in pieces:  # all at the end, in the tiles' order
        whole.add(piece)
    expected = whole.raster()
    mosaics: dict = {}
    for result in reversed(results):
        _tiles.paste(grid_area, result, mosaics)
        assert result.parts["lighting"].rasters == {}  # let go of
    pasted = mosaics[("lighting", "lux")].raster()
    np.testing.assert_array_equal(pasted.values, expected.values)
    assert pasted.transform == expected.transform
    assert np.isfinite(pasted.values).sum() > 0.5 * pasted.values.size  # every tile's cells
    untiled = cpted.lighting.audit_part(grid_area).rasters["lux"]
    np.testing.assert_array_equal(pasted.values, untiled.values)
    # held as the audit keeps it, 4 bytes a cell: the pieces, the grid and the untiled one
    assert {p.values.dtype for p in pieces} == {np.dtype(np.float32)}
    assert pasted.values.dtype == untiled.values.dtype == np.float32


@pytest.mark.slow
def test_neukoelln_tiled_equals_untiled(neukoelln):
    whole = cpted.audit(neukoelln, progress=False)
    # on local processes: each tile's sub-area goes to its worker packed (_tiles.pack),
    # real networks with the geometries of their edges (the extract below runs here)
    tiled = cpted.audit(neukoelln, tile_size=300.0, workers=2, progress=False)
    assert len(_tiles.tile_grid(neukoelln, 300.0)) >= 4
    assert_same_audit(tiled, whole)


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::cpted.CptedWarning")
def test_validation_extract_tiled_equals_untiled():
    area = cpted.area_from_file(validation_path("borough"))
    size = (
        max(
            area.boundary.bounds[2] - area.boundary.bounds[0],
            area.boundary.bounds[3] - area.boundary.bounds[1],
        )
        / 2.5
    )
    assert len(_tiles.tile_grid(area, size)) >= 4
    whole = cpted.audit(area, progress=False)
    tiled = cpted.audit(area, tile_size=size, workers=1, progress=False)
    assert_same_audit(tiled, whole)


# -- engines ----------------------------------------------------------------------------


@pytest.mark.slow
def test_local_processes_equal_serial(grid_area, grid_whole, small_radii):
    # the small radii travel to the spawned processes with the task
    import multiprocessing
    import time

    tiled = cpted.audit(grid_area, tile_size=220.0, workers=2, progress=False)
    assert_same_audit(tiled, grid_whole)
    # the audit does not wait on its workers to stop, but they do stop
    deadline = time.monotonic() + 60
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert multiprocessing.active_children() == []


@pytest.mark.slow
def test_local_processes_write_the_dark_spots_and_explanations(
    grid_area, grid_whole, small_radii, monkeypatch
):
    # after the tiles, the explanations are written a chunk at a time on the same workers,
    # in the caller's language and settings, while the caller finds the dark spots
    from cpted._i18n import use

    monkeypatch.setattr(settings, "EXPLAIN_CHUNK_ROWS", 40)
    made: list[_tiles.Workers] = []
    for_tasks = _tiles.Workers.for_tasks

    def recorded(workers, tasks):
        made.append(for_tasks(workers, tasks))
        return made[-1]

    monkeypatch.setattr(_tiles.Workers, "for_tasks", recorded)
    with use("de"):
        here = cpted.audit(grid_area, tile_size=220.0, workers=1, progress=False)
        there = cpted.audit(grid_area, tile_size=220.0, workers=2, progress=False)
    assert [w.parallel for w in made] == [False, True]
    chunks = -(-len(there.segments) // 40) + -(-len(there.sites) // 40) * (len(there.sites) > 40)
    assert chunks >= 3
    assert (made[0].finishing, made[0].alongside_runs) == (0, 0)
    assert made[1].finishing == chunks  # each chunk of each table, on the processes
    assert made[1].alongside_runs == 1  # the dark spots, in a thread of the caller
    assert_same_audit(there, here)
    spots, whole_spots = there.layers["dark_spots"], grid_whole.layers["dark_spots"]
    assert len(spots) > 0
    here_spots, whole_geoms = spots.geometry.to_numpy(), whole_spots.geometry.to_numpy()
    assert shapely.equals_exact(here_spots, whole_geoms, 1e-9).all()
    # the workers wrote German (the serial audit too), not the English of grid_whole
    assert (there.segments["explanation"] == here.segments["explanation"]).all()
    assert not (there.segments["explanation"] == grid_whole.segments["explanation"]).any()
    assert there.segments["explanation"].str.contains("Punkte|Bewertung").any()


@pytest.mark.slow
def test_dask_cluster_equals_serial(grid_area, grid_whole, small_radii):
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2,
        processes=True,
        threads_per_worker=1,
        host="127.0.0.1",
        dashboard_address=None,
    )
    try:
        with distributed.Client(cluster) as client:
            tiled = cpted.audit(grid_area, client=client, tile_size=220.0, progress=False)
            ran = client.run(lambda: True)
    finally:
        cluster.close()
    assert len(ran) == 2
    assert_same_audit(tiled, grid_whole)


# -- robustness -------------------------------------------------------------------------


def test_a_geos_error_in_one_tile_blanks_its_rows_with_a_note(
    grid_area, grid_whole, small_radii, monkeypatch
):
    import cpted.sightlines._segments as seg

    tiles = _tiles.tile_grid(grid_area, 220.0)
    victim = set(tiles[4].segments.tolist())
    real = seg.segment_measures

    def failing(area, **kwargs):
        if victim <= set(area.streets.index) and len(area.streets) < len(grid_area.streets):
            raise shapely.errors.GEOSException("TopologyException: side location conflict")
        return real(area, **kwargs)

    monkeypatch.setattr(seg, "segment_measures", failing)
    with pytest.warns(cpted.CptedWarning, match="The sightlines could not be measured on 1 tile"):
        tiled = cpted.audit(grid_area, tile_size=220.0, workers=1, progress=False)
    blank = tiled.segments["sightlines_score"].isna()
    assert set(tiled.segments.index[blank]) >= victim
    others = ~tiled.segments.index.isin(victim)
    assert tiled.segments.loc[others, "sightlines_score"].notna().sum() == (
        grid_whole.segments.loc[others, "sightlines_score"].notna().sum()
    )
    note = next(n for n in tiled.notes if "sightlines" in n)
    assert f"{len(victim)} segments" in note


def test_walls_geos_cannot_node_are_snap_rounded(monkeypatch):
    from cpted.sightlines import _isovist

    calls = []

    def failing(geom):
        calls.append(geom)
        raise shapely.errors.GEOSException(
            "TopologyException: Iterated noding failed to converge after 6 iterations"
        )

    monkeypatch.setattr(_isovist.shapely, "node", failing)
    walls = np.array([shapely.box(0, 0, 10, 10), shapely.LineString([(-5, 5), (15, 5)])])
    seg = _isovist._segments(walls)
    assert len(calls) == 1
    # noded by snap rounding: the square's 4 sides, the two the wall crosses cut in two (6
    # pieces), and the wall cut in 3
    assert len(seg) == 9
    assert [-5.0, 5.0, 0.0, 5.0] in seg.tolist()


# -- command line -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def grid_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("gridcli") / "grid.osm"
    path.write_text(_grid_osm(), encoding="utf-8")
    return path


def test_cli_audits_in_tiles(grid_file, tmp_path, capsys):
    from cpted.cli import main

    out = tmp_path / "tiled"
    code = main(["-q", "audit", str(grid_file), "--out", str(out), "--tile-size", "220",
                 "--workers", "1"])  # fmt: skip
    assert code == 0
    assert "Audited 144 street segments" in capsys.readouterr().out
    assert (out / "lux.tif").exists()


def test_cli_unreachable_scheduler(grid_file, tmp_path, capsys):
    from cpted.cli import main

    pytest.importorskip("distributed")
    code = main(["-q", "audit", str(grid_file), "--out", str(tmp_path / "x"), "--scheduler",
                 "tcp://127.0.0.1:9"])  # fmt: skip
    assert code == 2
    err = capsys.readouterr().err
    assert "No Dask scheduler answers at 'tcp://127.0.0.1:9'" in err
    assert "Traceback" not in err


def test_cli_workers_and_scheduler_exclude_each_other(grid_file, tmp_path, capsys):
    from cpted.cli import main

    code = main(["-q", "audit", str(grid_file), "--out", str(tmp_path / "x"), "--workers", "2",
                 "--scheduler", "tcp://127.0.0.1:9"])  # fmt: skip
    assert code == 2
    assert "not both" in capsys.readouterr().err


@pytest.mark.parametrize(("option", "value"), [("--workers", "0"), ("--tile-size", "-3")])
def test_cli_bad_numbers(option, value, capsys):
    from cpted.cli import main

    with pytest.raises(SystemExit) as stop:
        main(["-q", "audit", "--out", "x", option, value])
    assert stop.value.code == 2
    assert value in capsys.readouterr().err


def test_cli_without_distributed(grid_file, tmp_path, capsys, monkeypatch):
    import sys

    from cpted.cli import main

    monkeypatch.setitem(sys.modules, "distributed", None)  # as if it were not installed
    code = main(["-q", "audit", str(grid_file), "--out", str(tmp_path / "x"), "--scheduler",
                 "tcp://127.0.0.1:9"])  # fmt: skip
    assert code == 2
    assert "pip install 'cpted[scale]'" in capsys.readouterr().err


@pytest.mark.slow
def test_a_script_without_a_main_guard_is_told_what_to_do(grid_file, tmp_path):
    import os
    import subprocess
    import sys

    script = tmp_path / "run.py"
    script.write_text(
        "import cpted\n"
        f"area = cpted.area_from_file({str(grid_file)!r})\n"
        "try:\n"
        "    cpted.audit(area, tile_size=220.0, workers=2, progress=False)\n"
        "except cpted.InputError as exc:\n"
        "    print('InputError:', exc)\n",
        encoding="utf-8",
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    run = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=600
    )
    assert "InputError: A local process of cpted (auditing a tile" in run.stdout
    assert 'if __name__ == "__main__":' in run.stdout


def test_one_isovist_engine_per_tile(grid_area, small_radii, monkeypatch):
    import cpted.sightlines as sightlines

    built = []
    real = sightlines.IsovistEngine

    class Counting(real):
        def __init__(self, *args, **kwargs):
            built.append(1)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(sightlines, "IsovistEngine", Counting)
    tiles = _tiles.tile_grid(grid_area, 220.0)
    cpted.audit(grid_area, tile_size=220.0, workers=1, progress=False)
    # sightlines, lighting (the lamps' shadows) and surveillance share it
    assert len(built) == len(tiles) == 9


# -- the whole-area task and the order of the tasks --------------------------------------


def test_whole_area_task_carries_only_what_vulnerability_reads(neukoelln):
    light = _tiles.whole_area_part(neukoelln, ("vulnerability",))
    assert len(light.streets) == 0 and light.graph.number_of_edges() == 0
    assert len(light.lamps) == 0 and list(light.lamps.columns) == list(neukoelln.lamps.columns)
    assert len(light.sites) == len(neukoelln.sites) > 0
    assert light.drive_graph.number_of_edges() == neukoelln.drive_graph.number_of_edges()
    # and measures the vulnerability exactly as on the whole area
    task = _tiles.measure_whole_area(light, ("vulnerability",))
    assert task.tile == _tiles.WHOLE and not task.failures
    mine = task.parts["vulnerability"]
    whole = cpted.vulnerability.audit_part(neukoelln)
    pd.testing.assert_frame_equal(mine.sites, whole.sites)
    assert mine.layers.keys() == whole.layers.keys()
    for key, layer in whole.layers.items():
        pd.testing.assert_frame_equal(pd.DataFrame(mine.layers[key]), pd.DataFrame(layer))


def test_tasks_run_longest_first(grid_area):
    import pickle

    tiles = _tiles.tile_grid(grid_area, 220.0)
    jobs = [
        pickle.loads(job) for job in _tiles._jobs(grid_area, tiles, ("access",), ("vulnerability",))
    ]
    assert jobs[0][0] == "whole" and jobs[0][3] == ("vulnerability",)
    sizes = [len(tile.segments) + len(tile.sites) for _, _, tile, _ in jobs[1:]]
    assert sizes == sorted(sizes, reverse=True) and len(sizes) == len(tiles)
    # the results still come back in the grid's order, the whole-area one apart
    results, rest = _tiles.run_tiles(
        grid_area, tiles, ("access",), whole=("vulnerability",), workers=1
    )
    assert [r.tile for r in results] == [(t.row, t.col) for t in tiles]
    assert rest is not None and "vulnerability" in rest.parts


def test_a_worker_gets_its_share_of_the_cores():
    import numba

    before = numba.get_num_threads()
    try:
        _tiles._start_worker(1)
        assert numba.get_num_threads() == 1
        _tiles._start_worker(10_000)  # never more than numba was started with
        assert numba.get_num_threads() == numba.config.NUMBA_NUM_THREADS
    finally:
        numba.set_num_threads(before)


def test_a_principle_gets_only_the_networks_it_reads(grid_area, small_radii, monkeypatch):
    tiles = _tiles.tile_grid(grid_area, 220.0)
    tile = max(tiles, key=lambda t: len(t.segments))
    principles = ("sightlines", "lighting", "access")
    sub = _tiles.sub_area(
        grid_area,
        tile.region(_tiles.halo_m()),
        graphs=_tiles.graphs_read(principles),
    )
    # the tile's task carries the walk network (access reads it), not the drive network
    assert sub.graph.number_of_edges() > 0
    assert sub.drive_graph.number_of_edges() == 0
    assert sub.drive_graph.graph["crs"] == grid_area.drive_graph.graph["crs"]
    cuts = []
    original = _tiles._graph_within
    monkeypatch.setattr(
        _tiles, "_graph_within", lambda *a, **k: cuts.append(a[0]) or original(*a, **k)
    )
    result = _tiles.measure_tile(sub, tile, principles)
    assert set(result.parts) == set(principles) and not result.failures
    # sightlines and lighting read no network; access, the widest, measures the tile as
    # it came: no network is cut or copied again
    assert cuts == []
    assert _tiles.graphs_read(("sightlines", "lighting")) == frozenset()
    assert _tiles.graphs_read(("my_plugin",)) == _tiles.ALL_GRAPHS


def _graph_facts(graph):
    return (
        dict(graph.graph),
        list(graph.nodes(data=True)),
        list(graph.edges(keys=True, data=True)),
        {n: list(graph.pred[n]) for n in graph.nodes},
    )


@pytest.mark.parametrize("share", [0.05, 0.3, 0.7, 1.0])
def test_edge_subgraph_is_networkx_edge_subgraph_copy(neukoelln, share):
    """The one-pass cut holds what networkx's edge_subgraph(...).copy() does, in graph order."""
    import networkx as nx

    for graph in (neukoelln.graph, neukoelln.drive_graph):
        edges = list(graph.edges(keys=True))
        rng = np.random.default_rng(7)
        keep = {edges[i] for i in rng.choice(len(edges), int(share * len(edges)), replace=False)}
        ours = _tiles.edge_subgraph(graph, keep)
        theirs = graph.edge_subgraph(keep).copy()
        assert type(ours) is type(theirs) is type(graph)
        assert ours.graph == theirs.graph == graph.graph
        assert set(ours.edges(keys=True)) == set(theirs.edges(keys=True)) == keep
        assert dict(ours.nodes(data=True)) == dict(theirs.nodes(data=True))
        assert {(u, v, k): d for u, v, k, d in ours.edges(keys=True, data=True)} == {
            (u, v, k): d for u, v, k, d in theirs.edges(keys=True, data=True)
        }
        # the order is the whole graph's, for nodes, successors and predecessors alike
        order = {n: i for i, n in enumerate(graph.nodes)}
        assert list(ours.nodes) == sorted(ours.nodes, key=order.get)
        whole_edges = {e: i for i, e in enumerate(graph.edges(keys=True))}
        assert list(ours.edges(keys=True)) == sorted(ours.edges(keys=True), key=whole_edges.get)
        assert _graph_facts(ours) == _graph_facts(nx.MultiDiGraph(ours))
        # attributes are copies: changing the cut leaves the area's graph as it was
        u, v, k = next(iter(keep))
        ours.edges[u, v, k]["length"] = -1.0
        ours.nodes[u]["x"] = -1.0
        assert graph.edges[u, v, k]["length"] != -1.0
        assert graph.nodes[u]["x"] != -1.0


def test_edge_subgraph_of_nothing(neukoelln):
    empty = _tiles.edge_subgraph(neukoelln.graph, set())
    assert empty.number_of_nodes() == empty.number_of_edges() == 0
    assert empty.graph == neukoelln.graph.graph


def test_alongside_runs_in_a_thread_in_the_callers_language():
    # the dark spots of a tiled audit run in a thread of the caller while the workers
    # write the explanations: that thread must see the caller's language, and stop
    import threading

    from cpted._i18n import current_language, use

    def where() -> tuple[str, str]:
        return threading.current_thread().name, current_language()

    with use("de"), _tiles.Workers(2) as pool:
        name, language = pool.alongside(where).result()
        assert pool.alongside_runs == 1
        assert pool._pool is None  # no process was started for it
        thread = pool._thread
    assert name.startswith("cpted-alongside")
    assert language == "de"
    assert pool._thread is None and thread._shutdown
    with use("fr"):
        serial = _tiles.Workers(1)
        assert serial.alongside(where).result() == (threading.current_thread().name, "fr")
        assert serial.alongside_runs == 0


def test_pack_gives_back_the_same_area(neukoelln):
    """A packed task reads back as pickle would give it: graphs, orders, geometries, layers."""
    import pickle

    task = ("tile", neukoelln, None, ("access",))
    kind, back, tile, names = pickle.loads(_tiles.pack(task))
    assert (kind, tile, names) == task[:1] + task[2:]
    for name in ("graph", "drive_graph"):
        ours, theirs = getattr(back, name), getattr(neukoelln, name)
        assert type(ours) is type(theirs)
        # nodes, edges (geometries compared exactly), successor and predecessor orders
        assert _graph_facts(ours) == _graph_facts(theirs)
        with_geometry = [d["geometry"] for _, _, d in ours.edges(data=True) if "geometry" in d]
        assert with_geometry and all(isinstance(g, shapely.LineString) for g in with_geometry)
    for name in ("streets", "buildings", "sites"):
        pd.testing.assert_frame_equal(
            pd.DataFrame(getattr(back, name)), pd.DataFrame(getattr(neukoelln, name))
        )
    # an edge's geometry shared by two graphs or rows stays one object, as pickle keeps it
    u, v, k, data = next(iter(neukoelln.graph.edges(keys=True, data=True)))
    twice = pickle.loads(_tiles.pack((neukoelln.graph, data)))
    assert twice[0].edges[u, v, k]["geometry"] is twice[1]["geometry"]


def test_pack_writes_a_networks_geometries_as_one_array(neukoelln, monkeypatch):
    """No edge geometry is pickled on its own (shapely's per-object __reduce__)."""
    import pickle

    from shapely.geometry.base import BaseGeometry

    def refuse(self):
        raise AssertionError("an edge geometry pickled on its own")

    monkeypatch.setattr(BaseGeometry, "__reduce__", refuse)
    with pytest.raises(AssertionError, match="on its own"):
        pickle.dumps(neukoelln.drive_graph)
    back = pickle.loads(_tiles.pack(neukoelln.drive_graph))
    assert back.number_of_edges() == neukoelln.drive_graph.number_of_edges()


def test_a_sub_area_made_to_be_packed_shares_the_areas_attributes(neukoelln):
    tile = max(_tiles.tile_grid(neukoelln, 200.0), key=lambda t: len(t.segments))
    region = tile.region(_tiles.halo_m())
    copied = _tiles.sub_area(neukoelln, region)
    shared = _tiles.sub_area(neukoelln, region, copy=False)
    assert _graph_facts(copied.graph) == _graph_facts(shared.graph)
    assert _graph_facts(copied.drive_graph) == _graph_facts(shared.drive_graph)
    u, v, k = next(iter(shared.graph.edges(keys=True)))
    assert shared.graph.edges[u, v, k] is neukoelln.graph.edges[u, v, k]
    assert copied.graph.edges[u, v, k] is not neukoelln.graph.edges[u, v, k]
    assert shared.graph.nodes[u] is neukoelln.graph.nodes[u]


def test_pack_keeps_odd_edge_geometries():
    """Heights, empty lines, no geometry and a geometry key holding text all come back."""
    import pickle

    import networkx as nx

    graph = nx.MultiDiGraph(crs="EPSG:3067")
    graph.add_node("b", x=1.0, y=0.0)
    graph.add_node("a", x=0.0, y=0.0)
    graph.add_edge("a", "b", 0, geometry=shapely.LineString([(0, 0, 5), (1, 0, 6)]))
    graph.add_edge("a", "b", 1, geometry=shapely.LineString())
    graph.add_edge("b", "a", 0, length=1.0)
    graph.add_edge("b", "a", 1, geometry="not a geometry")
    back = pickle.loads(_tiles.pack(graph))
    assert _graph_facts(back) == _graph_facts(graph)
    assert back.edges["a", "b", 0]["geometry"].has_z
    assert back.edges["a", "b", 1]["geometry"].is_empty
