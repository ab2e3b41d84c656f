"""Large files are read in a process of their own (cpted._apart): the same area, errors and
settings, and only the StudyArea comes back."""

from __future__ import annotations

import pickle
import sys
import warnings

import geopandas as gpd
import networkx as nx
import pandas as pd
import pytest

import cpted
from cpted import _apart, settings
from cpted._errors import CptedWarning
from cpted._i18n import use


@pytest.fixture
def spy(monkeypatch):
    """Count the reads that went to a child process (the real one still runs)."""
    calls = []
    real = _apart.read_apart

    def counted(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(_apart, "read_apart", counted)
    return calls


def assert_same_area(a: cpted.StudyArea, b: cpted.StudyArea) -> None:
    from cpted.area import LAYERS

    for name in LAYERS:
        left, right = getattr(a, name), getattr(b, name)
        assert isinstance(right, gpd.GeoDataFrame)
        pd.testing.assert_frame_equal(
            pd.DataFrame(left.drop(columns="geometry")),
            pd.DataFrame(right.drop(columns="geometry")),
        )
        assert left.geometry.geom_equals_exact(right.geometry, 0.0).all(), name
    for graph in ("graph", "drive_graph"):
        g, h = getattr(a, graph), getattr(b, graph)
        assert list(g.nodes(data=True)) == list(h.nodes(data=True))
        assert nx.utils.edges_equal(g.edges(keys=True), h.edges(keys=True))
        for (u, v, k, d), (_, _, _, e) in zip(
            g.edges(keys=True, data=True), h.edges(keys=True, data=True), strict=True
        ):
            assert d.keys() == e.keys(), (u, v, k)
    assert a.footprint.equals_exact(b.footprint, 0.0)
    assert a.boundary.equals_exact(b.boundary, 0.0)
    assert a.crs == b.crs
    assert a.quality().equals(b.quality())


def test_a_large_file_is_read_apart_and_gives_the_same_area(monkeypatch, spy):
    path = cpted.datasets.get_path("neukoelln")
    monkeypatch.setattr(settings, "READ_APART_MB", None)
    here = cpted.area_from_file(path)
    assert spy == []
    monkeypatch.setattr(settings, "READ_APART_MB", 0.0)  # every file is "large"
    apart = cpted.area_from_file(path)
    assert len(spy) == 1
    assert_same_area(apart, here)


def test_a_boundary_and_a_crs_travel_to_the_child(monkeypatch, spy, helsinki):
    path = cpted.datasets.get_path("helsinki")
    inner = helsinki.boundary.centroid.buffer(300.0)
    monkeypatch.setattr(settings, "READ_APART_MB", None)
    here = cpted.area_from_file(path, boundary=inner, crs=helsinki.crs, edge="data")
    monkeypatch.setattr(settings, "READ_APART_MB", 0.0)
    apart = cpted.area_from_file(path, boundary=inner, crs=helsinki.crs, edge="data")
    assert len(spy) == 1
    assert_same_area(apart, here)
    assert len(apart.streets) < len(helsinki.streets)


def test_the_settings_of_the_caller_hold_in_the_child(monkeypatch, spy):
    path = cpted.datasets.get_path("neukoelln")
    monkeypatch.setattr(settings, "READ_APART_MB", None)
    default = cpted.area_from_file(path)
    monkeypatch.setattr(settings, "FOOTPRINT_BUFFER_M", settings.FOOTPRINT_BUFFER_M * 4)
    here = cpted.area_from_file(path)
    assert here.footprint.area > default.footprint.area  # the setting changes the read
    monkeypatch.setattr(settings, "READ_APART_MB", 0.0)
    apart = cpted.area_from_file(path)
    assert len(spy) == 1
    assert apart.footprint.equals_exact(here.footprint, 0.0)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_an_error_in_the_child_is_raised_here_with_its_class_and_words(
    tmp_path, monkeypatch, spy, language
):
    source = cpted.datasets.get_path("helsinki").read_bytes()
    broken = tmp_path / "broken.osm.pbf"
    broken.write_bytes(source[: len(source) // 2])  # cut off mid-block
    monkeypatch.setattr(settings, "READ_APART_MB", None)
    with use(language), pytest.raises(cpted.CptedError) as here:
        cpted.area_from_file(broken)
    monkeypatch.setattr(settings, "READ_APART_MB", 0.0)
    with use(language), pytest.raises(cpted.CptedError) as apart:
        cpted.area_from_file(broken)
    assert len(spy) == 1
    assert type(apart.value) is type(here.value)
    assert str(apart.value) == str(here.value)


def test_a_child_that_dies_without_an_answer_is_a_clear_error(monkeypatch, tmp_path):
    path = cpted.datasets.get_path("neukoelln")
    monkeypatch.setattr(settings, "READ_APART_MB", 0.0)
    monkeypatch.setattr(sys, "executable", "/bin/false")  # starts, answers nothing
    with pytest.raises(cpted.InputError, match=r"stopped without an answer.*READ_APART_MB"):
        cpted.area_from_file(path)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-python-here"))
    with pytest.raises(cpted.InputError, match="Could not start a Python"):
        cpted.area_from_file(path)


def test_the_child_hands_back_its_warnings_and_its_value(monkeypatch, tmp_path):
    # what the child process runs, run here: its warnings are recorded with the result
    def reads(path, **kwargs):
        warnings.warn(f"odd data in {path}", CptedWarning, stacklevel=1)
        return {"read": path, **kwargs}

    monkeypatch.setattr(cpted.area, "area_from_file", reads)
    ask, answer = tmp_path / "ask", tmp_path / "answer"
    snapshot = {"FOOTPRINT_BUFFER_M": settings.FOOTPRINT_BUFFER_M}
    ask.write_bytes(pickle.dumps(("area_from_file", ("x.pbf",), {"crs": 1}, snapshot, "en")))
    assert _apart._child(ask, answer) == 0
    status, value, said = pickle.loads(answer.read_bytes())
    assert status == "ok"
    assert value == {"read": "x.pbf", "crs": 1}
    assert said == [("odd data in x.pbf", CptedWarning)]


def test_only_files_above_the_size_are_read_apart(monkeypatch, tmp_path):
    pbf, xml = tmp_path / "a.osm.pbf", tmp_path / "a.osm"
    pbf.write_bytes(b"x" * 3 * 2**20)
    xml.write_bytes(b"x" * 3 * 2**20)  # XML spells its data out: a tenth of it counts
    monkeypatch.setattr(settings, "READ_APART_MB", 2.0)
    assert _apart.apart_worth_it(pbf)
    assert not _apart.apart_worth_it(xml)
    assert not _apart.apart_worth_it(tmp_path / "missing.osm.pbf")
    monkeypatch.setattr(settings, "READ_APART_MB", None)
    assert not _apart.apart_worth_it(pbf)
    monkeypatch.setattr(settings, "READ_APART_MB", 0.0)
    monkeypatch.setenv(_apart.CHILD_FLAG, "1")  # in the child: never a grandchild
    assert not _apart.apart_worth_it(pbf)
