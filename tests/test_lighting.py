"""Tests of cpted.lighting: photometry, illuminance laws, shadows, EN 13201 measures."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from shapely.geometry import LineString, Point, box

import cpted
from cpted import lighting
from cpted.lighting import (
    P_CLASSES,
    Photometry,
    default_photometry,
    illuminance_at,
    p_class_met,
    photometry_from_table,
    read_ies,
    read_ldt,
    read_photometry,
    required_p_class,
)

DATA = Path(__file__).parent / "data"
sys.path.insert(0, str(DATA))
from make_photometry import post_top, road  # noqa: E402

CRS = "EPSG:25833"
RTOL = 1e-9
#: the files store intensities with one decimal
FILE_ATOL = 0.051


def lamps_at(xy, *, height=6.0, flux=3000.0, **columns):
    n = len(xy)
    data = {"height": np.broadcast_to(height, n), "flux": np.broadcast_to(flux, n)}
    data.update({k: (v if isinstance(v, list) else [v] * n) for k, v in columns.items()})
    return gpd.GeoDataFrame(data, geometry=[Point(x, y) for x, y in xy], crs=CRS)


# --------------------------------------------------------------------------------------
# Photometry
# --------------------------------------------------------------------------------------


def test_default_distribution_emits_the_lamp_flux_and_nothing_upwards():
    p = default_photometry()
    assert p.is_axial
    assert p.flux_klm() == pytest.approx(1000.0, rel=1e-3)
    assert p.flux_klm(downward_only=True) == pytest.approx(1000.0, rel=1e-3)
    assert p.intensity(0, [90.0, 120.0, 180.0]).tolist() == [0.0, 0.0, 0.0]
    # EN 13201-2 Table A.1 class G6: <= 350, 100, 0 cd/klm at 70, 80, 90 degrees
    assert p.intensity(0, 70) <= 350
    assert p.intensity(0, 80) <= 100
    # a street lantern throws sideways: its peak is well off the nadir
    g = np.arange(0, 90, 0.5)
    assert g[np.argmax(p.intensity(0, g))] > 50


def test_default_follows_settings(monkeypatch):
    monkeypatch.setattr(cpted.settings, "DEFAULT_INTENSITY_SHAPE", ((0.0, 1.0), (90.0, 1.0)))
    flat = default_photometry()
    # a flat hemisphere of I0 emits 2 pi I0 lumens
    assert flat.intensity(0, 45) == pytest.approx(1000.0 / (2 * math.pi), rel=2e-3)


def test_ldt_isym3_reproduces_the_authored_distribution():
    p = read_ldt(DATA / "lighting_road_isym3.ldt")
    assert p.name == "Road lantern R1"
    assert p.symmetry == "c90"
    assert p.rated_flux_lm == 4000.0
    c, g = np.meshgrid(np.arange(0, 360, 15.0), np.arange(0, 91, 5.0), indexing="ij")
    expected = np.vectorize(road)(c, g)
    np.testing.assert_allclose(p.intensity(c, g), expected, atol=FILE_ATOL)
    # the street side (C90) is brighter than the house side (C270)
    assert p.intensity(90, 60) > 1.4 * p.intensity(270, 60)
    # light output ratio as written on line 23 (88.5 %)
    assert p.flux_klm() == pytest.approx(885.0, rel=2e-3)


def test_ies_reads_the_same_lantern_as_the_ldt():
    ies = read_ies(DATA / "lighting_road_c90.ies")
    ldt = read_ldt(DATA / "lighting_road_isym3.ldt")
    assert ies.name == "Road lantern R1"
    assert ies.rated_flux_lm == 4000.0
    rng = np.random.default_rng(4)
    c, g = rng.uniform(-360, 720, 500), rng.uniform(0, 90, 500)
    np.testing.assert_allclose(ies.intensity(c, g), ldt.intensity(c, g), atol=0.1)


def test_post_top_isym1_is_axial_with_upward_light():
    p = read_photometry(DATA / "lighting_post_top_isym1.ldt")
    assert p.is_axial
    assert p.symmetry == "axial"
    assert p.rated_flux_lm == 2000.0
    g = np.arange(0, 181, 10.0)
    for c in (0.0, 77.0, 300.0):
        np.testing.assert_allclose(p.intensity(c, g), [post_top(x) for x in g], atol=FILE_ATOL)
    assert p.flux_klm() == pytest.approx(868.7, rel=2e-3)
    assert p.flux_klm(downward_only=True) / p.flux_klm() == pytest.approx(0.805, abs=2e-3)


def test_absolute_ies_is_normalised_to_its_own_flux():
    p = read_ies(DATA / "lighting_post_top_absolute.ies")
    assert p.flux_klm() == pytest.approx(1000.0, rel=1e-6)
    # 2 x multiplier x listed candela: rated flux is what the distribution emits
    ratio = p.intensity(0, 40) / post_top(40)
    np.testing.assert_allclose(
        p.intensity(0, [0, 60, 120]) / ratio, [post_top(0), post_top(60), post_top(120)], atol=0.1
    )
    assert p.rated_flux_lm == pytest.approx(2 * 1000.0 / ratio, rel=1e-3)


def _quadrant(c, g):
    """A distribution with both mirror symmetries, so every Isym can store it."""
    c, g = np.radians(c), np.radians(g)
    return (
        100 + 80 * np.sin(g) ** 2 * (1 + 0.6 * np.cos(2 * c)) + 30 * np.sin(g) * np.abs(np.cos(c))
    )


def _ldt_text(isym, func, *, mc=24, gammas=tuple(range(0, 91, 5))):
    """A minimal EULUMDAT file storing the planes that ``isym`` asks for."""
    dc = 360 / mc
    if isym == 0:
        idx = list(range(mc))
    elif isym == 1:
        idx = [0]
    elif isym == 2:
        idx = list(range(mc // 2 + 1))
    elif isym == 3:
        idx = [(3 * mc // 4 + i) % mc for i in range(mc // 2 + 1)]
    else:
        idx = list(range(mc // 4 + 1))
    lines = ["test", "1", str(isym), str(mc), f"{dc:g}", str(len(gammas)), "5"]
    lines += ["r", "name", "n", "f", "d"] + ["0"] * 9 + ["100", "100", "1", "0"]
    lines += ["1", "1", "LED", "1000", "3000", "80", "10"] + ["0.5"] * 10
    lines += [f"{dc * i:g}" for i in range(mc)] + [str(g) for g in gammas]
    for i in idx:
        lines += [f"{func(dc * i, g):.6f}" for g in gammas]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("isym", [0, 1, 2, 3, 4])
def test_every_symmetry_flag_expands_to_the_full_distribution(tmp_path, isym):
    func = (lambda c, g: _quadrant(0.0, g)) if isym == 1 else _quadrant
    path = tmp_path / f"sym{isym}.ldt"
    path.write_text(_ldt_text(isym, func))
    p = read_ldt(path)
    c, g = np.meshgrid(np.arange(0, 360, 15.0), np.arange(0, 91, 5.0), indexing="ij")
    np.testing.assert_allclose(p.intensity(c, g), func(c, g), atol=1e-5)


def test_symmetry_mirrors_an_asymmetric_half(tmp_path):
    """Isym 2 stores C0..C180 and mirrors it: I(C) = I(360 - C)."""

    def half(c, g):
        return 50 + c / 4 + g

    path = tmp_path / "isym2.ldt"
    path.write_text(_ldt_text(2, half))
    p = read_ldt(path)
    for c in (15.0, 60.0, 135.0):
        assert p.intensity(360 - c, 30) == pytest.approx(half(c, 30), abs=1e-6)


def test_decimal_commas_and_crlf_are_read(tmp_path):
    text = _ldt_text(0, _quadrant).replace(".", ",").replace("\n", "\r\n")
    path = tmp_path / "comma.ldt"
    path.write_bytes(text.encode("latin-1"))
    p = read_ldt(path)
    assert p.intensity(30, 45) == pytest.approx(_quadrant(30, 45), abs=1e-5)


def test_interpolation_is_bilinear():
    p = photometry_from_table([0, 90, 180, 270], [0, 90], [[0, 10], [20, 30], [0, 10], [20, 30]])
    assert p.intensity(45, 45) == pytest.approx(15.0)
    assert p.intensity(315, 0) == pytest.approx(10.0)  # between C270 (20) and C360 (0)
    assert p.intensity(0, 120) == 0.0


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (lambda lines: lines.__setitem__(2, "x"), r"line 3: expected a number"),
        (lambda lines: lines.__setitem__(2, "7"), r"line 3: the symmetry indicator"),
        (lambda lines: lines.__setitem__(3, "25"), r"cannot hold symmetry"),
        (lambda lines: lines.__delitem__(slice(-5, None)), r"ends early"),
        (
            lambda lines: lines.__setitem__(-1, "-3"),
            r"line \d+: luminous intensity cannot be negative",
        ),
        (lambda lines: lines.__setitem__(-30, "abc"), r"line \d+: expected a number"),
        (lambda lines: lines.__delitem__(slice(20, None)), r"at least 26 header lines"),
    ],
)
def test_malformed_ldt_names_the_line(tmp_path, edit, match):
    lines = _ldt_text(4, _quadrant).splitlines()
    edit(lines)
    path = tmp_path / "bad.ldt"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(cpted.InputError, match=match):
        read_ldt(path)


def test_malformed_ies_is_explained(tmp_path):
    good = (DATA / "lighting_road_c90.ies").read_text().splitlines()
    no_tilt = [line for line in good if not line.startswith("TILT")]
    (tmp_path / "a.ies").write_text("\n".join(no_tilt))
    with pytest.raises(cpted.InputError, match="no TILT= line"):
        read_ies(tmp_path / "a.ies")
    type_b = list(good)
    type_b[6] = type_b[6].replace(" 1 2 0.25", " 2 2 0.25")
    (tmp_path / "b.ies").write_text("\n".join(type_b))
    with pytest.raises(cpted.InputError, match="line 7: photometric type B"):
        read_ies(tmp_path / "b.ies")
    (tmp_path / "c.ies").write_text("\n".join(good[:-3]))
    with pytest.raises(cpted.InputError, match="ends early"):
        read_ies(tmp_path / "c.ies")
    odd = list(good)
    odd[9] = " ".join(str(10 + 15 * i) for i in range(13))
    (tmp_path / "d.ies").write_text("\n".join(odd))
    with pytest.raises(cpted.InputError, match="line 10: horizontal angles"):
        read_ies(tmp_path / "d.ies")


def test_read_photometry_errors(tmp_path):
    with pytest.raises(cpted.InputError, match="neither EULUMDAT"):
        read_photometry(tmp_path / "lamp.txt")
    with pytest.raises(cpted.InputError, match="Cannot read photometric file"):
        read_photometry(tmp_path / "missing.ldt")
    with pytest.raises(cpted.InputError, match="do not match"):
        photometry_from_table([0, 180], [0, 90], [[1, 2, 3]], symmetry="c0")
    with pytest.raises(cpted.InputError, match="symmetry must be one of"):
        photometry_from_table([0], [0, 90], [[1, 2]], symmetry="spiral")
    with pytest.raises(cpted.InputError, match="non-negative"):
        photometry_from_table([0], [0, 90], [[1, -2]], symmetry="axial")


def test_ies_tilt_include_is_skipped(tmp_path):
    lines = (DATA / "lighting_road_c90.ies").read_text().splitlines()
    tilt = lines.index("TILT=NONE")
    lines[tilt : tilt + 1] = ["TILT=INCLUDE", "1", "3", "0 45 90", "1 0.9 0.8"]
    (tmp_path / "t.ies").write_text("\n".join(lines))
    p = read_ies(tmp_path / "t.ies")
    assert p.intensity(90, 30) == pytest.approx(road(90, 30), abs=0.1)


# --------------------------------------------------------------------------------------
# Illuminance laws
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("height", [4.0, 6.0, 10.0])
def test_under_one_lamp_e_is_i0_over_h2(height):
    lamps = lamps_at([(100.0, 200.0)], height=height, flux=5000.0)
    e = illuminance_at([Point(100.0, 200.0)], lamps)
    i0 = default_photometry().intensity(0, 0) * 5000.0 / 1000 * cpted.settings.MAINTENANCE_FACTOR
    assert e[0] == pytest.approx(i0 / height**2, rel=RTOL)


def test_maintenance_factor_scales_linearly():
    lamps = lamps_at([(0.0, 0.0)])
    e1 = illuminance_at(np.array([[3.0, 4.0]]), lamps, maintenance_factor=1.0)
    e2 = illuminance_at(np.array([[3.0, 4.0]]), lamps, maintenance_factor=0.5)
    assert e2[0] == pytest.approx(e1[0] / 2, rel=RTOL)


def test_fall_off_follows_cos3_and_the_distribution():
    ldt = DATA / "lighting_road_isym3.ldt"
    p = read_ldt(ldt)
    # light:direction 30 degrees: the street side C90 points north-north-east
    lamps = lamps_at(
        [(0.0, 0.0)], height=8.0, flux=4000.0, photometry=str(ldt), light_direction=30.0
    )
    r = np.array([0.0, 2.0, 5.0, 10.0, 16.0, 25.0])
    toward = np.column_stack([r * math.sin(math.radians(30)), r * math.cos(math.radians(30))])
    away = -toward
    mf = cpted.settings.MAINTENANCE_FACTOR
    gamma = np.degrees(np.arctan2(r, 8.0))
    cos3 = np.cos(np.radians(gamma)) ** 3
    e_toward = illuminance_at(toward, lamps, cutoff_lux=0)
    e_away = illuminance_at(away, lamps, cutoff_lux=0)
    np.testing.assert_allclose(e_toward, p.intensity(90, gamma) * 4.0 * mf * cos3 / 64, rtol=1e-9)
    np.testing.assert_allclose(e_away, p.intensity(270, gamma) * 4.0 * mf * cos3 / 64, rtol=1e-9)
    assert np.all(e_toward[1:] > e_away[1:])
    # and the values are the authored ones
    np.testing.assert_allclose(
        e_toward,
        [road(90, g) * 4.0 * mf * c / 64 for g, c in zip(gamma, cos3, strict=True)],
        rtol=2e-3,
    )


def test_photometry_objects_and_distribution_column_work():
    p = read_photometry(DATA / "lighting_post_top_isym1.ldt")
    a = illuminance_at(np.array([[0.0, 5.0]]), lamps_at([(0.0, 0.0)], photometry=[p]))
    b = illuminance_at(
        np.array([[0.0, 5.0]]),
        lamps_at([(0.0, 0.0)], distribution=[str(DATA / "lighting_post_top_isym1.ldt")]),
    )
    assert a[0] == pytest.approx(b[0])
    assert a[0] > 0


def test_two_lamps_add():
    pts = np.random.default_rng(1).uniform(-30, 30, size=(200, 2))
    a = lamps_at([(0.0, 0.0)], height=6.0, flux=3000.0)
    b = lamps_at([(12.0, 3.0)], height=8.0, flux=6000.0)
    both = pd.concat([a, b])
    for cutoff in (0.0, None):
        np.testing.assert_allclose(
            illuminance_at(pts, both, cutoff_lux=cutoff),
            illuminance_at(pts, a, cutoff_lux=cutoff) + illuminance_at(pts, b, cutoff_lux=cutoff),
            rtol=1e-12,
        )


def test_integral_over_a_large_plane_never_exceeds_the_flux():
    flux, mf = 3000.0, cpted.settings.MAINTENANCE_FACTOR
    lamps = lamps_at([(0.0, 0.0)], height=6.0, flux=flux)
    step = 0.5
    xs = np.arange(-150, 150, step) + step / 2
    gx, gy = np.meshgrid(xs, xs)
    e = illuminance_at(np.column_stack([gx.ravel(), gy.ravel()]), lamps, cutoff_lux=0)
    total = e.sum() * step * step
    assert total <= flux * mf
    # almost all of it lands within 150 m of a 6 m lamp with no upward light
    assert total >= 0.97 * flux * mf
    # the file lantern emits its light output ratio, and some of it upwards
    p = read_photometry(DATA / "lighting_post_top_isym1.ldt")
    e2 = illuminance_at(
        np.column_stack([gx.ravel(), gy.ravel()]),
        lamps_at([(0.0, 0.0)], height=6.0, flux=flux, photometry=[p]),
        cutoff_lux=0,
    )
    assert e2.sum() * step * step <= flux * mf * p.flux_klm(downward_only=True) / 1000 * 1.001


def test_cutoff_drops_only_faint_light():
    lamps = lamps_at([(0.0, 0.0)])
    pts = np.column_stack([np.arange(0, 60, 0.5), np.zeros(120)])
    exact = illuminance_at(pts, lamps, cutoff_lux=0)
    cut = illuminance_at(pts, lamps)
    lost = exact - cut
    assert np.all(lost >= 0)
    assert lost.max() < cpted.settings.LIGHTING_CUTOFF_LUX
    assert np.all(cut[exact >= cpted.settings.LIGHTING_CUTOFF_LUX] > 0)


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lamps=st.lists(
        st.tuples(
            st.floats(-40, 40), st.floats(-40, 40), st.floats(2.0, 15.0), st.floats(0.0, 20000.0)
        ),
        min_size=0,
        max_size=5,
    ),
    extra=st.tuples(
        st.floats(-40, 40), st.floats(-40, 40), st.floats(2.0, 15.0), st.floats(0.0, 20000.0)
    ),
    shadows=st.booleans(),
)
def test_adding_a_lamp_never_lowers_illuminance(lamps, extra, shadows):
    pts = np.random.default_rng(7).uniform(-50, 50, size=(60, 2))
    obstacles = [box(-5, -5, 5, 5), LineString([(10, -20), (10, 20)])] if shadows else None

    def frame(rows):
        return gpd.GeoDataFrame(
            {"height": [r[2] for r in rows], "flux": [r[3] for r in rows]},
            geometry=[Point(r[0], r[1]) for r in rows],
            crs=CRS,
        )

    before = illuminance_at(pts, frame(lamps), obstacles=obstacles)
    after = illuminance_at(pts, frame([*lamps, extra]), obstacles=obstacles)
    assert np.all(after >= before - 1e-12)
    assert np.all(np.isfinite(after))


# --------------------------------------------------------------------------------------
# Shadows
# --------------------------------------------------------------------------------------


def test_a_point_behind_a_building_gets_nothing_from_that_lamp():
    lamps = lamps_at([(0.0, 0.0)])
    building = gpd.GeoDataFrame(geometry=[box(5, -5, 8, 5)], crs=CRS)
    pts = [Point(12, 0), Point(-12, 0), Point(10, 12)]
    open_ground = illuminance_at(pts, lamps)
    shaded = illuminance_at(pts, lamps, obstacles=building)
    assert open_ground[0] > 0.5
    assert shaded[0] == 0.0
    assert shaded[1] == pytest.approx(open_ground[1])
    # (10, 12) is seen past the corner (5, 5): the ray crosses x = 5 at y = 6
    assert shaded[2] == pytest.approx(open_ground[2])


def test_a_wall_shades_and_a_lamp_on_it_lights_its_own_side():
    wall = [LineString([(5, -20), (5, 20)])]
    lamps = lamps_at([(0.0, 0.0), (5.0, 10.0)])
    pts = np.array([[8.0, 0.0], [2.0, 10.0], [8.0, 10.0]])
    e = illuminance_at(pts, lamps, obstacles=wall)
    first_only = illuminance_at(pts, lamps.iloc[:1], obstacles=wall)
    assert first_only[0] == 0.0
    assert first_only[1] > 0
    # the lamp mapped on the wall line still lights one side of it
    second = e - first_only
    assert (second[1] > 0) != (second[2] > 0)


def test_a_lamp_mapped_inside_a_building_lights_the_street_outside():
    building = gpd.GeoDataFrame(geometry=[box(0, 0, 10, 10)], crs=CRS)
    lamps = lamps_at([(9.8, 5.0)], height=4.0)  # just inside the east wall
    e = illuminance_at(np.array([[13.0, 5.0], [-3.0, 5.0]]), lamps, obstacles=building)
    assert e[0] > 1.0
    assert e[1] == 0.0


# --------------------------------------------------------------------------------------
# Input errors
# --------------------------------------------------------------------------------------


def test_geographic_crs_raises():
    lamps = lamps_at([(0.0, 0.0)]).to_crs(4326)
    with pytest.raises(cpted.CRSError, match="geographic"):
        illuminance_at([Point(0, 0)], lamps)
    points = gpd.GeoSeries([Point(13.4, 52.5)], crs=4326)
    with pytest.raises(cpted.CRSError, match="geographic"):
        illuminance_at(points, lamps_at([(0.0, 0.0)]))


def test_mismatched_crs_raises():
    points = gpd.GeoSeries([Point(0, 0)], crs="EPSG:32633")
    with pytest.raises(cpted.CRSError, match="reproject"):
        illuminance_at(points, lamps_at([(0.0, 0.0)]))
    obstacles = gpd.GeoSeries([box(0, 0, 1, 1)], crs="EPSG:32633")
    with pytest.raises(cpted.CRSError, match="obstacles"):
        illuminance_at([Point(5, 5)], lamps_at([(0.0, 0.0)]), obstacles=obstacles)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"height": 0.0}, "height of lamp 0 is 0"),
        ({"height": -2.0}, "must be positive"),
        ({"flux": -1.0}, "flux of lamp 0"),
        ({"height": "tall"}, "not a number"),
        ({"photometry": 12}, "photometry must be"),
    ],
)
def test_bad_lamp_values_raise(kwargs, match):
    base = {"height": 6.0, "flux": 3000.0}
    base.update(kwargs)
    lamps = gpd.GeoDataFrame({k: [v] for k, v in base.items()}, geometry=[Point(0, 0)], crs=CRS)
    with pytest.raises(cpted.InputError, match=match):
        illuminance_at([Point(1, 1)], lamps)


def test_bad_points_and_options_raise():
    lamps = lamps_at([(0.0, 0.0)])
    with pytest.raises(cpted.InputError, match=r"shape \(n, 2\)"):
        illuminance_at(np.zeros((3, 3)), lamps)
    with pytest.raises(cpted.InputError, match="must be non-empty shapely Points"):
        illuminance_at([LineString([(0, 0), (1, 1)])], lamps)
    with pytest.raises(cpted.InputError, match="lamps must be Point"):
        illuminance_at([Point(0, 0)], gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)], crs=CRS))
    with pytest.raises(cpted.InputError, match="maintenance_factor"):
        illuminance_at([Point(0, 0)], lamps, maintenance_factor=1.5)
    with pytest.raises(cpted.InputError, match="cutoff_lux"):
        illuminance_at([Point(0, 0)], lamps, cutoff_lux=-1)


def test_missing_columns_take_defaults_and_empty_inputs_work():
    lamps = gpd.GeoDataFrame(geometry=[Point(0, 0)], crs=CRS)
    e = illuminance_at([Point(0, 0)], lamps)
    expected = lamps_at(
        [(0.0, 0.0)], height=cpted.settings.LAMP_HEIGHT, flux=cpted.settings.LAMP_FLUX
    )
    assert e[0] == pytest.approx(illuminance_at([Point(0, 0)], expected)[0])
    assert illuminance_at(np.empty((0, 2)), lamps).shape == (0,)
    empty = gpd.GeoDataFrame({"height": [], "flux": []}, geometry=[], crs=CRS)
    assert illuminance_at([Point(0, 0)], empty).tolist() == [0.0]


# --------------------------------------------------------------------------------------
# EN 13201 classes
# --------------------------------------------------------------------------------------


def test_p_classes_follow_the_standard_table():
    assert P_CLASSES["P1"] == (15.0, 3.0)
    assert P_CLASSES["P6"] == (2.0, 0.4)
    means = [v[0] for v in P_CLASSES.values()]
    mins = [v[1] for v in P_CLASSES.values()]
    assert means == sorted(means, reverse=True)
    assert mins == sorted(mins, reverse=True)
    # each class met exactly at its own values, and the minimum binds too
    for name, (avg, low) in P_CLASSES.items():
        assert p_class_met(avg, low).item() == name
    assert p_class_met(15.0, 0.5).item() == "P6"
    assert p_class_met(1.99, 5.0).item() == "none"
    assert p_class_met(np.nan, 1.0).item() == "none"
    assert p_class_met([20.0, 7.5], [5.0, 1.49]).tolist() == ["P1", "P4"]


def test_required_class_by_highway():
    got = required_p_class(
        np.array(
            ["residential", "primary", ["footway", "pedestrian"], None, "nonsense"], dtype=object
        )
    )
    assert got.tolist() == ["P4", "P2", "P2", "P4", "P4"]
    assert lighting._class_rank("P1") < lighting._class_rank("P6")
    with pytest.raises(cpted.InputError, match="Unknown EN 13201-2 P class"):
        lighting._class_rank("P9")


def test_photometry_is_public_and_frozen():
    p = default_photometry()
    assert isinstance(p, Photometry)
    with pytest.raises(ValueError, match="read-only"):
        p.intensity_klm[0, 0] = 1.0
    assert shapely.__version__  # shapely 2 is the geometry engine used throughout


# --------------------------------------------------------------------------------------
# Study areas: lamps, grids, measures, dark spots
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def neukoelln_area():
    return cpted.area_from_file(cpted.datasets.get_path("neukoelln"))


def _frame(rows, index, crs, columns):
    geoms = [r.pop("geometry") for r in rows]
    frame = gpd.GeoDataFrame(rows, geometry=geoms, crs=crs, columns=[*columns, "geometry"])
    frame.index = pd.Index(index, name=frame.index.name)
    return frame


@pytest.fixture
def toy(neukoelln_area):
    """A hand-made place in the sample's CRS: one lit street with a lamp gap, and data gaps.

    Street 0 (residential, lit=yes) runs 120 m east with lamps every 20 m except around
    x = 90; street 1 (footway, lit=yes) and street 2 (footway, lit=no) have no lamp;
    street 3 (service) has neither tag nor lamp. A building stands south of street 0.
    """
    from dataclasses import replace

    base = neukoelln_area
    crs = base.crs
    x0, y0 = 393500.0, 5814500.0
    street_cols = ["u", "v", "key", "osmid", "name", "highway", "lit", "lit_raw", "length"]

    def street(i, y, highway, lit):
        # through cell centres of a 1 m grid, so walkable widths are whole cells
        line = LineString([(x0, y0 + y + 0.5), (x0 + 120, y0 + y + 0.5)])
        return {"u": i, "v": i + 100, "key": 0, "osmid": i, "name": f"s{i}", "highway": highway,
                "lit": lit, "lit_raw": lit, "length": 120.0, "geometry": line}  # fmt: skip

    streets = _frame(
        [street(0, 0, "residential", "yes"), street(1, 150, "footway", "yes"),
         street(2, 250, "footway", "no"), street(3, 350, "service", "unknown")],
        [0, 1, 2, 3], crs, street_cols,
    )  # fmt: skip
    streets.index.name = "segment"
    lamp_cols = ["height", "height_source", "flux", "flux_source", "source", "lamp_mount",
                 "light_count", "light_direction", "light_colour"]  # fmt: skip
    lamp_x = [0.0, 20.0, 40.0, 60.0, 120.0]
    lamps = _frame(
        [{"height": 6.0, "height_source": "osm", "flux": 3000.0, "flux_source": "inventory",
          "source": "osm", "lamp_mount": None, "light_count": 1.0, "light_direction": np.nan,
          "light_colour": None, "geometry": Point(x0 + x, y0 + 4.0)} for x in lamp_x],
        [f"n{i}" for i in range(len(lamp_x))], crs, lamp_cols,
    )  # fmt: skip
    lamps.index.name = "lamp"
    buildings = _frame(
        [{"building": "yes", "levels": 3.0, "height": 9.0, "height_source": "levels",
          "name": None, "use": None, "geometry": box(x0 + 10, y0 - 30, x0 + 50, y0 - 10)}],
        ["w1"], crs, ["building", "levels", "height", "height_source", "name", "use"],
    )  # fmt: skip
    buildings.index.name = "building"
    sites = _frame(
        [{"category": "square", "name": "Platz", "access": None, "source": "user",
          "geometry_source": "user", "area_m2": 400.0,
          "geometry": box(x0 + 10, y0 + 10, x0 + 30, y0 + 30)}],
        ["user-sites-0"], crs,
        ["category", "name", "access", "source", "geometry_source", "area_m2"],
    )  # fmt: skip
    sites.index.name = "site"
    return replace(
        base,
        boundary=box(x0 - 40, y0 - 60, x0 + 160, y0 + 380),
        streets=streets,
        lamps=lamps,
        buildings=buildings,
        barriers=base.barriers.iloc[:0],
        sites=sites,
    )


def test_lamps_with_defaults_records_sources(toy):
    from dataclasses import replace

    lamps = toy.lamps.copy()
    lamps.loc["n0", ["height_source", "flux_source"]] = "default"
    lamps.loc["n0", "light_count"] = 2.0
    out = lighting.lamps_with_defaults(replace(toy, lamps=lamps))
    assert out.index.equals(lamps.index)
    assert out.loc["n0", "height_source"] == "street_class"
    assert out.loc["n0", "height"] == cpted.settings.LAMP_HEIGHT_BY_HIGHWAY["residential"]
    assert out.loc["n0", "flux"] == 2 * cpted.settings.LAMP_FLUX_BY_HIGHWAY["residential"]
    assert (out.loc["n1":, "flux_source"] == "inventory").all()
    assert (out.loc["n1":, "height"] == 6.0).all()
    assert (out["street"] == 0).all()
    assert (out["street_class"] == "residential").all()
    # unknown directions face the street: lamps 3.5 m north of it look south
    assert out["light_direction"].to_numpy() == pytest.approx(np.full(5, 180.0))
    assert (out["direction_source"] == "nearest_street").all()


def test_lamp_takes_the_class_of_the_main_street_beside_its_sidewalk(toy):
    from dataclasses import replace

    streets = toy.streets.copy()
    sidewalk = streets.loc[[1]].copy()
    sidewalk.index = pd.Index([9], name="segment")
    sidewalk["geometry"] = [shapely.affinity.translate(streets.geometry[0], 0, 5.0)]
    sidewalk["highway"] = "footway"
    streets.loc[0, "highway"] = "primary"
    lamps = toy.lamps.copy()
    lamps["flux_source"] = "default"
    out = lighting.lamps_with_defaults(
        replace(toy, streets=pd.concat([streets, sidewalk]), lamps=lamps)
    )
    # each lamp is 1 m from the sidewalk and 4 m from the primary road: it lights the road
    assert (out["street_class"] == "primary").all()
    assert (out["flux"] == cpted.settings.LAMP_FLUX_BY_HIGHWAY["primary"]).all()


def test_grid_matches_illuminance_at_and_masks_buildings(toy):
    grid = lighting.illuminance_grid(toy, resolution=1.0)
    assert grid.crs.equals(toy.crs)
    assert grid.transform.a == 1.0
    assert grid.transform.e == -1.0
    rows, cols = grid.values.shape
    west, north = grid.transform.c, grid.transform.f
    east, south = west + cols * grid.transform.a, north + rows * grid.transform.e
    bw, bs, be, bn = toy.boundary.bounds
    assert west <= bw
    assert south <= bs
    assert east >= be
    assert north >= bn
    xs, ys = lighting._cell_centres(grid)
    inside = shapely.contains_xy(toy.buildings.geometry.iloc[0], xs, ys)
    assert np.isnan(grid.values[inside]).all()
    ok = np.isfinite(grid.values)
    lamps = lighting.lamps_with_defaults(toy)
    obstacles = lighting.area_obstacles(toy)
    expected = illuminance_at(np.column_stack([xs[ok], ys[ok]]), lamps, obstacles=obstacles)
    mismatch = ~np.isclose(grid.values[ok], expected, rtol=1e-9, atol=1e-12)
    # only cells whose centre lies on a shadow edge may differ (rasteriser vs predicate)
    assert mismatch.mean() < 0.002
    # the brightest cell is at the foot of a lamp
    row, col = np.unravel_index(np.nanargmax(grid.values), grid.values.shape)
    foot = np.column_stack([lamps.geometry.x, lamps.geometry.y])
    assert np.min(np.hypot(foot[:, 0] - xs[row, col], foot[:, 1] - ys[row, col])) < 1.0
    # shadows only ever remove light
    no_shadow = lighting.illuminance_grid(toy, resolution=1.0, shadows=False)
    assert np.all(no_shadow.values[ok] >= grid.values[ok] - 1e-12)
    assert np.any(no_shadow.values[ok] > grid.values[ok] + 0.1)


def test_geotiff_round_trip(toy, tmp_path):
    import rasterio

    grid = lighting.illuminance_grid(toy, resolution=2.0)
    path = lighting.write_geotiff(grid, tmp_path / "lux.tif")
    with rasterio.open(path) as src:
        assert src.crs.to_epsg() == toy.crs.to_epsg()
        assert src.transform == grid.transform
        assert src.count == 1
        assert src.dtypes[0] == "float32"
        values = src.read(1)
        assert math.isnan(src.nodata)
    np.testing.assert_allclose(values, grid.values.astype("float32"), equal_nan=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lux.tif"]
    with pytest.raises(cpted.InputError, match="does not exist"):
        lighting.write_geotiff(grid, tmp_path / "nowhere" / "lux.tif")


def test_grid_options_are_checked(toy):
    with pytest.raises(cpted.InputError, match="resolution"):
        lighting.illuminance_grid(toy, resolution=0)
    with pytest.raises(cpted.InputError, match="positive cutoff_lux"):
        lighting.illuminance_grid(toy, cutoff_lux=0)
    with pytest.raises(cpted.InputError, match=r"Expected a cpted\.StudyArea"):
        lighting.segment_measures(toy.streets)


def test_segment_measures_keep_data_gaps_apart(toy):
    m = lighting.segment_measures(toy)
    assert m.index.equals(toy.streets.index)
    assert m["lighting_status"].tolist() == ["measured", "lit_lamps_not_mapped", "unlit", "unknown"]
    assert m["lighting_basis"].tolist() == ["measured", "estimated_tag", "unlit", "estimated_class"]
    # lit, lamps not mapped: the typical lighting of its class (too few measured streets
    # here to learn it from the area), with low confidence
    from cpted.lighting._typical import typical_lux

    avg, low = typical_lux(toy.streets.loc[1, "highway"])
    assert m.loc[1, "lux_mean_scored"] == pytest.approx(avg, abs=1e-3)
    assert m.loc[1, "lux_min_scored"] == pytest.approx(low, abs=1e-3)
    assert m.loc[1, "lighting_confidence"] == cpted.settings.LIGHTING_TAG_CONFIDENCE
    # no data at all: the same class estimate, scaled by the share of streets lit
    assert m.loc[3, "lighting_confidence"] == cpted.settings.LIGHTING_CLASS_CONFIDENCE
    assert 0 < m.loc[3, "lighting_score"] <= 100
    assert m.loc[2, "lighting_score"] == 0.0  # lit=no, nothing near: measured darkness
    assert m.loc[0, "p_class_required"] == "P4"
    assert m.loc[0, "p_class_met"] == p_class_met(m.loc[0, "lux_mean"], m.loc[0, "lux_min"]).item()
    assert m.loc[0, "uniformity_u0"] == pytest.approx(
        m.loc[0, "lux_min"] / m.loc[0, "lux_mean"], abs=2e-3
    )
    # the lamp gap around x = 90 leaves the minimum far below the mean
    assert m.loc[0, "lux_min"] < 0.2 * m.loc[0, "lux_mean"]
    scores = m["lighting_score"].dropna()
    assert ((scores >= 0) & (scores <= 100)).all()
    # all flux and height mapped: full confidence
    assert m.loc[0, "lighting_confidence"] == pytest.approx(1.0)


def test_segment_score_is_100_exactly_when_the_required_class_is_met(toy):
    from dataclasses import replace

    lamps = toy.lamps.copy()
    extra = lamps.iloc[[0]].copy()
    extra.index = pd.Index(["n9"], name="lamp")
    extra["geometry"] = [Point(toy.streets.geometry[0].coords[0][0] + 90, lamps.geometry.iloc[0].y)]
    full = pd.concat([lamps, extra])
    for flux, expect_met in ((20000.0, True), (300.0, False)):
        full["flux"] = flux
        m = lighting.segment_measures(replace(toy, lamps=full)).loc[0]
        avg, low = P_CLASSES[m["p_class_required"]]
        met = m["lux_mean"] >= avg and m["lux_min"] >= low
        assert met == expect_met
        assert (m["lighting_score"] == 100.0) == met


def test_segment_lux_is_linear_in_flux(toy, monkeypatch):
    from dataclasses import replace

    # the radius of influence grows with flux; make the neglected tail negligible
    monkeypatch.setattr(cpted.settings, "LIGHTING_CUTOFF_LUX", 1e-5)
    lamps = toy.lamps.copy()
    lamps["flux"] = 6000.0
    a = lighting.segment_measures(toy).loc[0, "lux_mean"]
    b = lighting.segment_measures(replace(toy, lamps=lamps)).loc[0, "lux_mean"]
    assert b == pytest.approx(2 * a, rel=1e-3)


def test_site_measures(toy):
    s = lighting.site_measures(toy)
    assert s.index.equals(toy.sites.index)
    assert (
        s.loc["user-sites-0", "p_class_required"] == cpted.settings.SITE_REQUIRED_P_CLASS["square"]
    )
    assert s.loc["user-sites-0", "lighting_status"] == "measured"
    assert 0 < s.loc["user-sites-0", "lux_min"] <= s.loc["user-sites-0", "lux_mean"]


def test_dark_spots_find_the_lamp_gap_and_not_the_data_gaps(toy):
    spots = lighting.dark_spots(toy)
    assert spots.index.name == "dark_spot"
    assert spots.crs.equals(toy.crs)
    assert (spots["area_m2"] >= cpted.settings.DARK_SPOT_MIN_AREA).all()
    np.testing.assert_allclose(spots["area_m2"], spots.area, rtol=1e-9)
    assert (spots["lux_min"] <= spots["lux_mean"]).all()
    assert (spots["lux_mean"] < spots["threshold_lux"]).all()
    x0, y0 = toy.streets.geometry[0].coords[0]
    gap = Point(x0 + 90, y0)
    assert spots.intersects(gap).sum() == 1
    # no dark spot on the lit-but-unmapped footway or the unknown service road
    for k in (1, 3):
        assert not spots.intersects(toy.streets.geometry[k]).any()
    # the unlit footway is measured darkness along its whole walkable width
    unlit = spots[spots.intersects(toy.streets.geometry[2])]
    half = cpted.settings.WALKABLE_HALF_WIDTH["footway"]
    assert unlit["area_m2"].sum() == pytest.approx(120 * 2 * half, rel=0.05)
    # a higher threshold can only darken more ground
    more = lighting.dark_spots(toy, threshold_lux=5.0)
    assert more["area_m2"].sum() >= spots["area_m2"].sum()
    with pytest.raises(cpted.InputError, match="threshold_lux"):
        lighting.dark_spots(toy, threshold_lux=-1)


def test_dark_spots_drawn_band_by_band_are_the_same_spots(neukoelln_area, monkeypatch):
    whole = lighting.dark_spots(neukoelln_area)
    assert len(whole) > 10
    # bands of a few rows each: every spot is cut by several bands and put back together
    monkeypatch.setattr(cpted.settings, "DARK_SPOT_BAND_CELLS", 2000)
    banded = lighting.dark_spots(neukoelln_area)
    pd.testing.assert_frame_equal(
        pd.DataFrame(banded.drop(columns="geometry")),
        pd.DataFrame(whole.drop(columns="geometry")),
        check_exact=True,
    )
    assert banded.geometry.geom_equals_exact(whole.geometry, 0).all()


def test_real_sample_measures(neukoelln_area):
    area = neukoelln_area
    seg = lighting.segment_measures(area)
    assert seg.index.equals(area.streets.index)
    assert (
        seg["lighting_status"].isin(["measured", "lit_lamps_not_mapped", "unlit", "unknown"]).all()
    )
    scored = seg["lighting_score"].dropna()
    assert ((scored >= 0) & (scored <= 100)).all()
    unknown = seg["lighting_status"] == "unknown"
    assert (seg.loc[unknown, "lighting_basis"] == "estimated_class").all()
    assert (
        seg.loc[unknown, "lighting_confidence"] == cpted.settings.LIGHTING_CLASS_CONFIDENCE
    ).all()
    assert ((seg["lighting_confidence"] >= 0) & (seg["lighting_confidence"] <= 1)).all()
    sites = lighting.site_measures(area)
    assert sites.index.equals(area.sites.index)
    spots = lighting.dark_spots(area, resolution=2.0)
    assert len(spots) > 0
    assert spots.is_valid.all()
    assert (spots.geom_type == "Polygon").all()


def test_audit_part_has_tables_layers_and_the_lux_raster(toy):
    part = lighting.audit_part(toy)
    assert part.segments.index.equals(toy.streets.index)
    assert part.sites.index.equals(toy.sites.index)
    assert set(part.layers) == {"lamps", "dark_spots"}
    assert part.layers["lamps"].index.equals(toy.lamps.index)
    lux = part.rasters["lux"]
    assert lux.name == "lux"
    assert lux.units == "lx"
    assert lux.resolution == cpted.settings.LIGHTING_GRID_RESOLUTION
    pd.testing.assert_frame_equal(part.segments, lighting.segment_measures(toy))


def test_audit_runs_lighting(toy, tmp_path):
    audit = cpted.audit(toy)
    assert "lighting_score" in audit.segments.columns
    assert "lux" in audit.rasters
    assert "dark_spots" in audit.layers
    # kept as its GeoTIFF stores it: float32, the grid the lighting measured cast once
    lux = audit.rasters["lux"].values
    assert lux.dtype == np.float32
    assert lighting.audit_part(toy).rasters["lux"].values.dtype == np.float32
    measured = lighting.illuminance_grid(toy, resolution=cpted.settings.LIGHTING_GRID_RESOLUTION)
    assert measured.values.dtype == np.float64
    np.testing.assert_array_equal(lux, measured.values.astype(np.float32))


def test_lux_colours_follow_the_p_class_thresholds():
    from cpted.maps._lighting import LUX_CLASSES, lux_rgba

    rgba = lux_rgba(np.array([np.nan, 0.1, 1.0, 3.0, 7.0, 12.0, 20.0]))
    assert rgba[:2, 3].tolist() == [0, 0]  # no ground, and dark ground, stay untinted
    assert (rgba[2:, 3] > 0).all()
    expected = [[int(c[i : i + 2], 16) for i in (1, 3, 5)] for _, c, _ in LUX_CLASSES[1:]]
    assert rgba[2:, :3].tolist() == expected


def test_audit_map_shows_lighting_layers(toy):
    audit = cpted.audit(toy)
    page = audit.to_map().get_root().render()
    assert "Illuminance (lux, maintained)" in page
    assert "Dark spots (below the class minimum)" in page
    assert "cptedPick" in page  # the segments layer, recoloured by lighting when picked
    assert "data:image/png;base64" in page


def test_editing_lamps_in_place_is_not_hidden_by_the_cache(toy):
    before = lighting.segment_measures(toy).loc[0, "lux_mean"]
    toy.lamps.loc[:, "flux"] = 2 * toy.lamps["flux"]
    after = lighting.segment_measures(toy).loc[0, "lux_mean"]
    assert after > 1.9 * before


def test_inventory_photometry_gives_flux_and_shape(toy):
    from dataclasses import replace

    lamps = toy.lamps.copy()
    lamps["photometry"] = str(DATA / "lighting_road_isym3.ldt")
    lamps["flux_source"] = "default"
    lamps.loc["n0", "light_count"] = 2.0
    area = replace(toy, lamps=lamps)
    out = lighting.lamps_with_defaults(area)
    assert (out["flux_source"] == "photometry").all()
    assert out.loc["n0", "flux"] == 8000.0
    assert (out.loc["n1":, "flux"] == 4000.0).all()
    # the road lantern throws towards its street side: the lamps face the street (south),
    # so the street gets more light than the same lamps turned away from it
    toward = lighting.segment_measures(area).loc[0, "lux_mean"]
    lamps["light_direction"] = 0.0  # street side to the north, away from the street
    away = lighting.segment_measures(replace(toy, lamps=lamps)).loc[0, "lux_mean"]
    assert toward > away


def test_stretches_far_from_mapped_lamps_are_data_gaps_not_dark(toy):
    from dataclasses import replace

    lamps = toy.lamps.copy()
    extra = lamps.iloc[[0]].copy()
    extra.index = pd.Index(["n-footway"], name="lamp")
    x0, y1 = toy.streets.geometry[1].coords[0]
    extra["geometry"] = [Point(x0, y1 + 3.0)]
    area = replace(toy, lamps=pd.concat([lamps, extra]))
    seg = lighting.segment_measures(area)
    assert seg.loc[1, "lighting_status"] == "measured"
    near = cpted.settings.LAMP_NEAR_DISTANCE
    assert seg.loc[1, "lamp_coverage"] == pytest.approx(near / 120, abs=0.02)
    assert seg.loc[0, "lamp_coverage"] == 1.0
    assert seg.loc[1, "lighting_confidence"] < 0.7 * seg.loc[0, "lighting_confidence"]
    spots = lighting.dark_spots(area)
    on_footway = spots[spots.intersects(area.streets.geometry[1].buffer(2))]
    assert len(on_footway)  # the fringe of the lamp's pool is measured and dark
    assert on_footway.total_bounds[2] <= x0 + near + 1
    # the lit=no footway stays dark along its whole length, lamp or not
    unlit = spots[spots.intersects(area.streets.geometry[2])]
    assert unlit.total_bounds[2] - unlit.total_bounds[0] == pytest.approx(120, abs=1)


# -- the score's laws ------------------------------------------------------------------------


@given(
    dx=st.floats(-39.0, 159.0),
    dy=st.floats(-20.0, 370.0),
    height=st.floats(3.0, 12.0),
    flux=st.floats(500.0, 12000.0),
)
@hsettings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_adding_a_lamp_never_lowers_light_or_a_measured_score(toy, dx, dy, height, flux):
    from cpted.scenarios import add_lamp

    before = lighting.segment_measures(toy)
    after = lighting.segment_measures(
        add_lamp(toy, (393500.0 + dx, 5814500.0 + dy), height=height, flux=flux)
    )
    both = (before["lighting_basis"] == "measured") & (after["lighting_basis"] == "measured")
    assert (after.loc[both, "lux_mean"] >= before.loc[both, "lux_mean"] - 1e-9).all()
    assert (after.loc[both, "lux_min"] >= before.loc[both, "lux_min"] - 1e-9).all()
    assert (after.loc[both, "lighting_score"] >= before.loc[both, "lighting_score"] - 1e-9).all()


def test_an_estimate_never_beats_the_same_street_lit_as_designed(toy):
    """Street 1 is tagged lit with no lamp: its estimate, then its lamps mapped as designed."""
    from cpted.lighting._typical import typical_lux
    from cpted.scenarios import add_lamp

    before = lighting.segment_measures(toy)
    assert before.loc[1, "lighting_basis"] == "estimated_tag"
    highway = toy.streets.loc[1, "highway"]
    height = cpted.settings.LAMP_HEIGHT_BY_HIGHWAY[highway]
    flux = cpted.settings.LAMP_FLUX_BY_HIGHWAY[highway]
    offset = cpted.settings.LAMP_OFFSET_BY_HIGHWAY[highway]
    spacing = cpted.settings.LAMP_SPACING_HEIGHTS * height
    line = toy.streets.geometry.loc[1]
    x0, y = line.coords[0]
    west, _, east, _ = toy.boundary.bounds  # lamps on along the whole row, inside the area
    xs = np.arange(x0 - spacing * np.floor((x0 - west) / spacing) + 0.5, east - 0.5, spacing)
    lit = add_lamp(toy, [(x, y + offset) for x in xs], height=height, flux=flux)
    after = lighting.segment_measures(lit)
    assert after.loc[1, "lighting_basis"] == "measured"
    assert after.loc[1, "lighting_score"] >= before.loc[1, "lighting_score"] - 1e-6
    # and the estimate is no more than the design lighting of its class
    avg, low = typical_lux(highway)
    assert before.loc[1, "lux_mean_scored"] <= avg + 1e-3
    assert before.loc[1, "lux_min_scored"] <= low + 1e-3
    # a street with no data at all is never scored above the same street tagged lit
    from dataclasses import replace

    tagged = replace(toy, streets=toy.streets.assign(lit=["yes", "yes", "no", "yes"]))
    known = lighting.segment_measures(tagged)
    assert before.loc[3, "lighting_basis"] == "estimated_class"
    assert known.loc[3, "lighting_basis"] == "estimated_tag"
    assert before.loc[3, "lighting_score"] <= known.loc[3, "lighting_score"] + 1e-9


def test_audit_part_with_rows_measures_those_rows_as_all(toy):
    from cpted._context import AuditContext

    rows = (pd.Index([0, 2]), toy.sites.index[:1])
    everything = AuditContext(toy, keep_inputs=True)
    whole = lighting.audit_part(toy, context=everything)
    context = AuditContext(toy, keep_inputs=True, rows=rows)
    part = lighting.audit_part(toy, context=context)
    assert part.segments.index.equals(rows[0])
    assert part.sites.index.equals(rows[1])
    pd.testing.assert_frame_equal(part.segments, whole.segments.loc[rows[0]], rtol=RTOL)
    pd.testing.assert_frame_equal(part.sites, whole.sites.loc[rows[1]], rtol=RTOL)
    # the inputs a tiled audit finishes its lighting estimate from are those of all rows
    for kind, labels in (("segment", rows[0]), ("site", rows[1])):
        pd.testing.assert_frame_equal(
            context._made[f"lighting_inputs_{kind}"],
            everything._made[f"lighting_inputs_{kind}"].loc[labels],
        )
    np.testing.assert_array_equal(part.rasters["lux"].values, whole.rasters["lux"].values)
