"""Tag normalisation, on values seen in the two real samples and on odd ones."""

from __future__ import annotations

import math

import pytest

from cpted import _tags, settings


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # values found in the samples (Neukölln: yes/no; Helsinki: yes/24/7/no/disused)
        ("yes", "yes"),
        ("24/7", "yes"),
        ("no", "no"),
        ("disused", "no"),
        ("automatic", "yes"),
        ("sunset-sunrise", "yes"),
        ("limited", "limited"),
        ("interval", "limited"),
        ("sunset-01:00", "limited"),
        ("Yes", "yes"),
        ("yes;no", "no"),
        (None, "unknown"),
        (float("nan"), "unknown"),
        ("", "unknown"),
        ("maybe", "unknown"),
        ("<script>", "unknown"),
    ],
)
def test_parse_lit(value, expected):
    assert _tags.parse_lit(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("5", 5.0),
        ("2.5", 2.5),
        ("3;4", 4.0),
        ("12,5", 12.5),
        (" 7 ", 7.0),
        ("-1", math.nan),
        ("ground", math.nan),
        (None, math.nan),
        ("999", math.nan),
    ],
)
def test_parse_levels(value, expected):
    result = _tags.parse_levels(value)
    assert (math.isnan(result) and math.isnan(expected)) or result == pytest.approx(expected)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # Helsinki has "0.5 m", "12.13 m", "48.5 m"; Neukölln plain numbers
        ("12", 12.0),
        ("12 m", 12.0),
        ("12.13 m", 12.13),
        ("48.5 m", 48.5),
        ("12,5", 12.5),
        ("12.5m", 12.5),
        ("40 ft", 40 * 0.3048),
        ("12'6\"", 12 * 0.3048 + 6 * 0.0254),
        ("3;4", 4.0),
        ("tall", math.nan),
        (None, math.nan),
        ("", math.nan),
    ],
)
def test_parse_height(value, expected):
    result = _tags.parse_height(value)
    assert (math.isnan(result) and math.isnan(expected)) or result == pytest.approx(expected)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("90", 90.0),
        ("NE", 45.0),
        ("ssw", 202.5),
        ("N", 0.0),
        ("450", 90.0),
        ("90°", 90.0),
        ("45-135", 90.0),
        ("350-10", 0.0),
        ("90;270", 90.0),
        ("forward", math.nan),
        (None, math.nan),
        ("253", 253.0),
    ],
)
def test_camera_direction(value, expected):
    result = _tags.camera_direction(value)
    assert (math.isnan(result) and math.isnan(expected)) or result == pytest.approx(expected)


def test_parse_angle_rejects_impossible_tilts():
    assert _tags.parse_angle("15") == 15.0
    assert math.isnan(_tags.parse_angle("120"))
    assert math.isnan(_tags.parse_angle("steep"))


@pytest.mark.parametrize(
    ("tags", "opaque", "passable", "blocks"),
    [
        ({"barrier": "wall"}, True, False, True),
        ({"barrier": "hedge"}, True, False, True),
        ({"barrier": "hedge", "height": "0.8"}, False, False, True),
        ({"barrier": "retaining_wall"}, False, False, True),  # one sees over it from above
        ({"barrier": "fence"}, False, False, True),
        ({"barrier": "fence", "fence_type": "wood"}, True, False, True),
        ({"barrier": "fence", "fence_type": "chain_link"}, False, False, True),
        ({"barrier": "gate"}, False, True, True),
        ({"barrier": "gate", "access": "private"}, False, False, True),
        ({"barrier": "gate", "locked": "yes"}, False, False, True),
        ({"barrier": "kissing_gate"}, False, True, True),
        ({"barrier": "bollard"}, False, True, True),
        ({"barrier": "block"}, False, True, True),
        ({"barrier": "entrance"}, False, True, False),
    ],
)
def test_barrier_classes(tags, opaque, passable, blocks):
    result = _tags.barrier_class(tags)
    assert (result["opaque"], result["passable"], result["blocks_vehicles"]) == (
        opaque,
        passable,
        blocks,
    )


def test_barrier_heights_from_tag_or_default():
    assert _tags.barrier_class({"barrier": "wall", "height": "2.4 m"})["height"] == 2.4
    result = _tags.barrier_class({"barrier": "bollard"})
    assert result["height"] == settings.BARRIER_HEIGHTS["bollard"]
    assert result["height_source"] == "default"


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({"entrance": "main"}, "main"),
        ({"entrance": "yes"}, "secondary"),
        ({"entrance": "staircase"}, "secondary"),
        ({"entrance": "shop"}, "secondary"),
        ({"entrance": "service"}, "service"),
        ({"entrance": "garage"}, "service"),
        ({"entrance": "emergency"}, "emergency"),
        ({"entrance": "exit"}, "exit"),
        ({"door": "hinged"}, "secondary"),
    ],
)
def test_entrance_kinds(tags, expected):
    assert _tags.entrance_kind(tags) == expected


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({"place": "square"}, "square"),
        ({"highway": "pedestrian", "area": "yes"}, "pedestrian"),
        ({"highway": "pedestrian"}, None),
        ({"leisure": "park"}, "park"),
        ({"leisure": "playground"}, "playground"),
        ({"amenity": "school"}, "school"),
        ({"amenity": "school", "leisure": "park"}, "school"),
        ({"amenity": "kindergarten"}, "kindergarten"),
        ({"railway": "station"}, "station"),
        ({"public_transport": "station"}, "station"),
        ({"amenity": "marketplace"}, "marketplace"),
        ({"shop": "mall"}, "mall"),
        ({"amenity": "place_of_worship"}, "place_of_worship"),
        ({"leisure": "stadium"}, "stadium"),
        ({"building": "yes"}, None),
    ],
)
def test_site_categories(tags, expected):
    assert _tags.site_category(tags) == expected


def test_poi_categories_ignore_street_furniture():
    assert _tags.poi_category({"amenity": "restaurant"}) == "food_drink"
    assert _tags.poi_category({"amenity": "bar"}) == "nightlife"
    assert _tags.poi_category({"shop": "bakery"}) == "shop"
    assert _tags.poi_category({"amenity": "bench"}) is None
    assert _tags.poi_category({"amenity": "bench", "shop": "kiosk"}) == "shop"
