"""Bad input, as the foundation issue lists it: each gives a CptedError that says what to do.

The CLI turns each into one line on stderr and exit code 2, without a traceback.
"""

from __future__ import annotations

import geopandas as gpd
import pytest
from conftest import osm_xml
from shapely.geometry import Point, box

import cpted
from cpted.cli import main


def _write(name, content):
    def make(folder):
        path = folder / name
        if isinstance(content, str):
            path.write_text(content)
        else:
            path.write_bytes(content)
        return path

    return make


def _no_streets(tmp_path):
    nodes = [(1, 13.0, 52.0, {}), (2, 13.001, 52.0, {}), (3, 13.001, 52.001, {})]
    path = tmp_path / "field.osm"
    path.write_text(osm_xml(nodes, [(1, [1, 2, 3, 1], {"landuse": "meadow"})]))
    return path


@pytest.mark.parametrize(
    ("make", "error", "words"),
    [
        (_write("empty.osm", b""), cpted.InputError, "empty"),
        (
            _write("cut.osm.pbf", cpted.datasets.get_path("helsinki").read_bytes()[:50_000]),
            cpted.InputError,
            "truncated",
        ),
        (_write("menu.osm", "<html>lunch</html>"), cpted.InputError, "not OpenStreetMap"),
        (_no_streets, cpted.DataError, "No walkable streets"),
    ],
    ids=["empty file", "truncated pbf", "not osm", "no streets"],
)
def test_bad_sources(tmp_path, capsys, make, error, words):
    path = make(tmp_path)
    with pytest.raises(error, match=words):
        cpted.area_from_file(path)
    assert main(["-q", "info", str(path)]) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err


def test_boundary_outside_the_data():
    with pytest.raises(cpted.DataError, match="outside the data"):
        cpted.area_from_file(cpted.datasets.get_path("helsinki"), boundary=box(13, 52, 13.1, 52.1))


def test_user_layer_without_crs_and_not_wgs84(neukoelln):
    layer = gpd.GeoDataFrame(geometry=[Point(393900, 5814850)])
    with pytest.raises(cpted.CRSError, match=r"no CRS .* crs="):
        neukoelln.with_layer("lamps", layer)


def test_measures_refuse_degrees(neukoelln):
    points = gpd.GeoDataFrame(geometry=[Point(13.44, 52.47)], crs=4326)
    buildings = neukoelln.buildings.to_crs(4326)
    with pytest.raises(cpted.CRSError, match="degrees"):
        cpted.sightlines.isovists(points, buildings)
    lamps = neukoelln.lamps.to_crs(4326)
    with pytest.raises(cpted.CRSError, match="degrees"):
        cpted.lighting.illuminance_at(points, lamps)


def test_errors_share_one_base():
    for error in (cpted.InputError, cpted.CRSError, cpted.DataError):
        assert issubclass(error, cpted.CptedError)


def test_functions_of_an_area_refuse_anything_else():
    with pytest.raises(cpted.InputError, match=r"must be a cpted\.StudyArea"):
        cpted.audit("neukoelln")
    with pytest.raises(cpted.InputError, match=r"must be a cpted\.StudyArea"):
        cpted.access.site_measures(None)
