"""Dark spots found from their cells only, against the whole-grid labelling they replace."""

from __future__ import annotations

import itertools
import tracemalloc

import numpy as np
import pandas as pd
import pytest
import shapely
from affine import Affine
from hypothesis import given
from hypothesis import strategies as st
from rasterio import features
from scipy import ndimage

import cpted
from cpted import lighting
from cpted.lighting import _label_runs, _Runs, _spot_polygons

#: a projected grid as the audit lays it: metre cells on whole multiples, far from 0
TRANSFORM = Affine(1.0, 0.0, 392_417.0, 0.0, -1.0, 5_818_903.0)


def _runs(mask, bands=1, seed=0):
    """The runs of ``mask`` found band by band (``bands`` of them), as the audit finds them."""
    rng = np.random.default_rng(seed)
    lux = rng.random(mask.shape).astype(np.float32) * 10
    threshold = rng.choice([2.0, 5.0, 7.5], size=mask.shape)
    cuts = np.linspace(0, mask.shape[0], bands + 1).astype(int)
    parts = [
        _Runs.of_band(mask[a:b], a, lux[a:b], threshold[a:b]) for a, b in itertools.pairwise(cuts)
    ]
    return _Runs.joined(parts), lux, threshold


def _mask_of(runs, shape):
    mask = np.zeros(shape, dtype=bool)
    for r, a, b in zip(runs.row, runs.start, runs.stop, strict=True):
        mask[r, a:b] = True
    return mask


def _whole_grid_labels(runs, shape):
    """The reference: ndimage.label on a mask of the whole grid (how it was done)."""
    mask = _mask_of(runs, shape)
    labels, n = ndimage.label(mask)
    return labels, mask, n


def _whole_grid_polygons(runs, keep, shape, transform):
    labels, mask, _n = _whole_grid_labels(runs, shape)
    polys: dict[int, list] = {}
    for geom, value in features.shapes(labels, mask=mask, transform=transform, connectivity=4):
        polys.setdefault(int(value), []).append(shapely.geometry.shape(geom))
    return [shapely.union_all(polys[k + 1]) for k in keep]


def _blobs(seed, shape, density):
    rng = np.random.default_rng(seed)
    # blobs, not salt: smoothed noise thresholded, as dark ground comes in patches
    noise = ndimage.uniform_filter(rng.random(shape), size=3)
    return noise < np.quantile(noise, density) if density else np.zeros(shape, dtype=bool)


def _check_labels(mask, bands=1):
    runs, _lux, _thr = _runs(mask, bands)
    spot, n = _label_runs(runs, mask.shape[1])
    labels, _mask, expected = _whole_grid_labels(runs, mask.shape)
    assert n == expected
    # every cell of a run carries the run's number, as ndimage numbers it
    for k, r, a, b in zip(spot, runs.row, runs.start, runs.stop, strict=True):
        assert (labels[r, a:b] == k + 1).all()
    assert _mask_of(runs, mask.shape).tolist() == mask.tolist()


@pytest.mark.parametrize("shape", [(1, 40), (40, 1), (37, 53), (120, 90)])
@pytest.mark.parametrize("density", [0.0, 0.05, 0.3, 0.7, 1.0])
@pytest.mark.parametrize("bands", [1, 7])
def test_runs_are_numbered_as_ndimage_numbers_cells(shape, density, bands):
    _check_labels(_blobs(shape[0] * 1000 + shape[1], shape, density), min(bands, shape[0]))


@given(
    rows=st.integers(1, 30),
    cols=st.integers(1, 30),
    seed=st.integers(0, 2**32 - 1),
    density=st.floats(0.0, 1.0),
    bands=st.integers(1, 5),
)
def test_any_mask_is_labelled_as_ndimage_labels_it(rows, cols, seed, density, bands):
    rng = np.random.default_rng(seed)
    _check_labels(rng.random((rows, cols)) < density, min(bands, rows))


def test_cells_touching_only_at_a_corner_or_across_a_row_end_stay_apart():
    mask = np.array([[0, 0, 0, 0, 1], [1, 0, 0, 1, 0], [0, 1, 0, 0, 0]], dtype=bool)
    runs, _lux, _thr = _runs(mask)
    spot, n = _label_runs(runs, 5)
    assert n == 4
    assert list(spot) == [0, 1, 2, 3]


def test_each_run_holds_the_sum_least_and_threshold_of_its_cells():
    mask = _blobs(3, (80, 60), 0.4)
    runs, lux, threshold = _runs(mask, bands=4, seed=5)
    for i, (r, a, b) in enumerate(zip(runs.row, runs.start, runs.stop, strict=True)):
        cells = lux[r, a:b].astype(np.float64)
        assert runs.lux_sum[i] == pytest.approx(cells.sum(), rel=1e-12)
        assert runs.lux_min[i] == cells.min()
        assert runs.threshold[i] == threshold[r, a:b].max()


@pytest.mark.parametrize("transform", [TRANSFORM, Affine(0.5, 0.0, 24.25, 0.0, -0.5, 60.75)])
def test_each_spot_drawn_on_its_own_window_is_the_whole_grid_polygon(transform):
    shape = (150, 170)
    runs, _lux, _thr = _runs(_blobs(7, shape, 0.35), bands=3)  # holes, corners touching
    spot, n = _label_runs(runs, shape[1])
    assert n > 20
    keep = np.arange(n)
    ours = _spot_polygons(runs, spot, keep, transform)
    reference = _whole_grid_polygons(runs, keep, shape, transform)
    assert any(len(p.interiors) for p in ours if p.geom_type == "Polygon")
    for a, b in zip(ours, reference, strict=True):
        assert a.equals_exact(b, 0.0), (a.wkt[:80], b.wkt[:80])


def _inputs(area):
    grid = lighting.illuminance_grid(area).as_stored()
    sites = lighting.site_measures(area) if len(area.sites) else None
    return area, grid, lighting.segment_measures(area), sites


@pytest.fixture(scope="module")
def neukoelln_inputs():
    return _inputs(cpted.area_from_file(cpted.datasets.get_path("neukoelln")))


def _reference_dark_spots(monkeypatch, inputs):
    """The dark spots with the whole-grid labelling and drawing put back."""
    shape = inputs[1].values.shape

    def label_whole(runs, ncols):
        labels, _mask, n = _whole_grid_labels(runs, shape)
        return labels[runs.row, runs.start].astype(np.int64) - 1, n

    def draw_whole(runs, spot, keep, transform):
        return _whole_grid_polygons(runs, keep, shape, transform)

    with monkeypatch.context() as m:
        m.setattr(lighting, "_label_runs", label_whole)
        m.setattr(lighting, "_spot_polygons", draw_whole)
        return lighting._dark_spots(*inputs, None)


@pytest.mark.parametrize("name", ["neukoelln", "helsinki"])
def test_dark_spots_of_real_places_are_those_of_the_whole_grid(
    name, neukoelln_inputs, helsinki, monkeypatch
):
    inputs = neukoelln_inputs if name == "neukoelln" else _inputs(helsinki)
    ours = lighting._dark_spots(*inputs, None)
    reference = _reference_dark_spots(monkeypatch, inputs)
    assert len(ours) > 40
    pd.testing.assert_frame_equal(
        pd.DataFrame(ours.drop(columns="geometry")),
        pd.DataFrame(reference.drop(columns="geometry")),
        check_exact=True,
    )
    assert ours.geometry.geom_equals_exact(reference.geometry, 0).all()


def test_finding_dark_spots_holds_no_grid_of_the_citys_size(neukoelln_inputs, monkeypatch):
    area, grid, segments, sites = neukoelln_inputs
    cells = grid.values.size
    monkeypatch.setattr(cpted.settings, "DARK_SPOT_BAND_CELLS", cells // 50)
    tracemalloc.start()
    try:
        spots = lighting._dark_spots(area, grid, segments, sites, None)
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(spots) > 10
    # a mask of the grid is a byte a cell and its labels four more; the bands and the
    # dark cells (with their thresholds) are a small share of that
    assert peak < cells, (peak, cells)
