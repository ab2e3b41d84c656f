"""The audit: tables indexed like the area, combined scores, saving atomically."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cpted
from cpted.audit import combine_scores


@pytest.fixture(scope="module")
def result(neukoelln):
    return cpted.audit(neukoelln, progress=False)


def test_segments_and_sites_are_indexed_like_the_area(result, neukoelln):
    assert result.segments.index.equals(neukoelln.streets.index)
    assert result.sites.index.equals(neukoelln.sites.index)
    assert {"length", "lit", "highway", "name"} <= set(result.segments.columns)
    assert result.segments.crs == neukoelln.crs


def test_scores_stay_within_0_and_100(result):
    for table in (result.segments, result.sites):
        for column in [c for c in table.columns if c.endswith("_score")]:
            values = pd.to_numeric(table[column], errors="coerce").dropna()
            assert values.between(0, 100).all(), column


def test_unknown_principle(neukoelln):
    with pytest.raises(cpted.InputError, match="Unknown principles"):
        cpted.audit(neukoelln, principles=("feng_shui",), progress=False)


def test_no_principle_gives_the_plain_streets(neukoelln):
    plain = cpted.audit(neukoelln, principles=(), progress=False)
    assert plain.principles == ()
    assert "cpted_score" not in plain.segments.columns
    assert plain.segments["length"].sum() == pytest.approx(neukoelln.streets["length"].sum())


def test_combined_score_weights_and_confidence():
    table = pd.DataFrame(
        {
            "lighting_score": [80.0, 80.0, np.nan],
            "lighting_confidence": [1.0, 1.0, 1.0],
            "access_score": [40.0, np.nan, np.nan],
            "access_confidence": [0.5, 1.0, 1.0],
        }
    )
    out = combine_scores(table)
    assert out["cpted_score"].iloc[0] == pytest.approx(60.0)
    # a missing principle lowers confidence, never the score
    assert out["cpted_score"].iloc[1] == pytest.approx(80.0)
    assert out["cpted_confidence"].iloc[1] < out["cpted_confidence"].iloc[0] + 0.5
    assert np.isnan(out["cpted_score"].iloc[2])


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(0, 100), st.floats(0, 100), st.floats(0, 1)), min_size=1, max_size=20
    )
)
def test_combined_score_is_between_its_parts(rows):
    table = pd.DataFrame(rows, columns=["lighting_score", "access_score", "access_confidence"])
    out = combine_scores(table)
    low = table[["lighting_score", "access_score"]].min(axis=1)
    high = table[["lighting_score", "access_score"]].max(axis=1)
    assert (out["cpted_score"] >= low - 1e-9).all() and (out["cpted_score"] <= high + 1e-9).all()
    assert out["cpted_confidence"].between(0, 1).all()


def test_save_writes_gis_files_that_read_back(result, tmp_path):
    folder = result.save(tmp_path / "out")
    layers = {name for name, _ in pyogrio.list_layers(folder / "cpted.gpkg")}
    assert {"segments", "sites", "buildings", "barriers", "lamps", "entrances", "pois"} <= layers
    back = gpd.read_file(folder / "cpted.gpkg", layer="segments")
    assert len(back) == len(result.segments)
    assert back.crs == result.segments.crs
    csv = pd.read_csv(folder / "segments.csv", index_col=0)
    assert len(csv) == len(result.segments)
    for raster in result.rasters:
        assert (folder / f"{raster}.tif").exists()


def test_save_refuses_to_overwrite(result, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(cpted.InputError, match="exists already"):
        result.save(folder)
    result.save(folder, force=True)
    assert (folder / "map.html").exists()


def test_failed_save_leaves_nothing(result, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(cpted.Audit, "to_map", broken)
    with pytest.raises(OSError, match="disk full"):
        result.save(tmp_path / "out")
    assert list(tmp_path.iterdir()) == []


def test_repr_and_summary(result):
    assert "Audit of" in repr(result)
    page = result._repr_html_()
    assert "CPTED audit" in page and "data quality" in page
    summary = result.summary()
    assert set(summary.columns) == {"mean", "min", "max", "scored"}


def test_worst_segments(result):
    if "cpted_score" not in result.segments:
        pytest.skip("no principle module scored segments")
    worst = result.worst_segments(5)
    assert len(worst) == 5
    assert worst["cpted_score"].is_monotonic_increasing
    with pytest.raises(cpted.InputError, match="No column"):
        result.worst_segments(score="beauty_score")
