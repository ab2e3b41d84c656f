"""Bad arguments to the API and the CLI: each gives a CptedError saying what was wrong.

The companion of test_errors.py (bad files); these are the arguments a caller can get
wrong. Every case names the words of the message it expects, so a check that stops
firing, or fires with a message that no longer says what to do, fails here.
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import Point, box

import cpted

ROOM = box(-10, -10, 20, 20).difference(box(0, 0, 10, 10))


def _nan_polygon():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # shapely notes the NaN it was given
        return shapely.Polygon([(0, 0), (np.nan, 0), (1, 1)])


# -- sightlines ------------------------------------------------------------------------


def test_isovist_fov_must_be_a_number():
    with pytest.raises(cpted.InputError, match=r"fov must be a number of degrees.*'wide'"):
        cpted.sightlines.isovist((5, 5), [ROOM], fov="wide", direction=0)


def test_isovist_reads_compass_points_as_osm_does():
    by_name = cpted.sightlines.isovist((5, 5), [ROOM], fov=90, direction="NNW")
    by_degrees = cpted.sightlines.isovist((5, 5), [ROOM], fov=90, direction=337.5)
    assert by_name.equals(by_degrees)
    assert not by_name.equals(cpted.sightlines.isovist((5, 5), [ROOM], fov=90, direction=0))


def test_isovist_refuses_other_direction_text():
    with pytest.raises(cpted.InputError, match=r"compass point \(N, NNE.*got 'up'"):
        cpted.sightlines.isovist((5, 5), [ROOM], fov=90, direction="up")


def test_isovists_count_the_points_that_are_nan():
    points = gpd.GeoDataFrame(geometry=[Point(5, 5), Point(np.nan, np.nan)], crs=32633)
    with pytest.raises(cpted.InputError, match=r"points: 1 of 2 .* not finite .* rows 1"):
        cpted.sightlines.isovists(points, gpd.GeoDataFrame(geometry=[ROOM], crs=32633))


def test_isovists_count_the_obstacles_that_are_nan():
    with pytest.raises(cpted.InputError, match=r"obstacles: 1 of 2 .* not finite"):
        cpted.sightlines.isovist((50, 50), [ROOM, _nan_polygon()])


def test_isovist_origin_far_outside_the_obstacles():
    with pytest.raises(cpted.InputError, match=r"far outside the obstacles.*another CRS"):
        cpted.sightlines.isovist((1e9, 1e9), [ROOM])
    with pytest.raises(cpted.InputError, match=r"1 of 2 origins lie far outside"):
        cpted.sightlines.isovists(np.array([[5.0, 5.0], [5.0, 2e5]]), [ROOM], radius=50)
