"""Documented defaults for every cpted analysis.

Change a value here to change it everywhere, as in osmnx's ``settings``::

    import cpted
    cpted.settings.STOREY_HEIGHT = 3.2

Each constant cites where its value comes from. Values that stand for what the map does not
say (a lamp's height, a building's storeys) are used only when the data is silent, and the
layers record that they were (``height_source = "default"``), so results built on them carry
a lower confidence.
"""

from __future__ import annotations

# --------------------------------------------------------------------------------------
# Reading OpenStreetMap
# --------------------------------------------------------------------------------------

#: Highway values that carry no walkable way. Follows the "walk" network filter of osmnx
#: (``osmnx/_overpass.py``, Boeing 2017/2025), so our street network matches what
#: researchers get from osmnx.
WALK_EXCLUDED_HIGHWAYS = frozenset(
    {
        "abandoned", "bus_guideway", "construction", "cycleway", "motor", "no", "planned",
        "platform", "proposed", "raceway", "razed", "rest_area", "services", "motorway",
        "motorway_link", "street_lamp", "crossing", "traffic_signals", "bus_stop",
    }
)  # fmt: skip

#: Highway values a car, van or truck can physically drive on. For hostile-vehicle run-up
#: an attacker ignores access restrictions and one-way rules, so this is wider than the
#: osmnx "drive" filter: pedestrian streets, living streets, service roads and tracks are
#: included (NPSA, "Hostile Vehicle Mitigation": vehicles reach crowds along pedestrianised
#: streets); footways, paths, steps and cycleways are not.
DRIVE_HIGHWAYS = frozenset(
    {
        "motorway", "motorway_link", "trunk", "trunk_link", "primary", "primary_link",
        "secondary", "secondary_link", "tertiary", "tertiary_link", "unclassified",
        "residential", "living_street", "service", "pedestrian", "track", "road",
        "busway", "bus_guideway",
    }
)  # fmt: skip

#: Tag values copied onto street edges when present (the rest are dropped to keep the
#: graph small).
EDGE_TAGS = (
    "highway", "name", "lit", "access", "foot", "service", "width", "surface", "sidewalk",
    "oneway", "maxspeed", "tunnel", "bridge", "covered", "footway", "junction", "lanes",
)  # fmt: skip

# --------------------------------------------------------------------------------------
# Buildings, barriers, entrances, points of interest, sites
# --------------------------------------------------------------------------------------

#: Storey height used to estimate a building's height from ``building:levels`` and, when
#: neither is mapped, a default height. 3.0 m is the floor-to-floor height of residential
#: buildings used by the CTBUH height calculator and by the OSM Simple 3D Buildings
#: renderers (OSM wiki, Simple 3D buildings: "about 3 m per level").
STOREY_HEIGHT = 3.0

#: Storeys assumed when a building has neither ``building:levels`` nor ``height``.
#: Two storeys is the median of the buildings with levels in both bundled samples' low-rise
#: outskirts and the value OSM-Buildings renderers fall back to; results that rely on it
#: carry a lower confidence.
DEFAULT_LEVELS = 2.0

#: Eye height of a standing adult, metres (ISO 7250-1 / DIN 33402 place the 5th-percentile
#: eye height of adults at about 1.4-1.5 m). A barrier at least this high hides a person.
CONCEALMENT_HEIGHT = 1.5

#: Barriers that hide what is behind them (OSM wiki, Key:barrier).
OPAQUE_BARRIERS = frozenset(
    {"wall", "hedge", "retaining_wall", "city_wall", "noise_barrier", "hedge_bank", "fence_solid"}
)

#: Fence types that are solid rather than see-through (OSM wiki, Key:fence_type).
OPAQUE_FENCE_TYPES = frozenset(
    {"wood", "panel", "concrete", "brick", "stone", "metal_sheet", "palisade", "board",
     "hedge", "wall", "split_rails_solid", "pole"}
)  # fmt: skip

#: Barriers that are openings for people on foot (gates and the like, OSM wiki).
PASSABLE_BARRIERS = frozenset(
    {"gate", "kissing_gate", "swing_gate", "lift_gate", "turnstile", "full-height_turnstile",
     "stile", "entrance", "cycle_barrier", "hampshire_gate", "motorcycle_barrier",
     "sliding_gate", "wicket_gate", "bump_gate", "chain", "border_control", "toll_booth"}
)  # fmt: skip

#: Barriers that stop vehicles but let people through (hostile-vehicle mitigation: NPSA
#: "Hostile Vehicle Mitigation" lists bollards, blocks, planters and barriers of this kind).
VEHICLE_BARRIERS = frozenset(
    {"bollard", "block", "jersey_barrier", "planter", "rock", "collision_protection",
     "bus_trap", "sump_buster", "log", "chain", "motorcycle_barrier", "cycle_barrier"}
)  # fmt: skip

#: Barriers a vehicle can drive through or over.
VEHICLE_PASSABLE_BARRIERS = frozenset(
    {"entrance", "kerb", "cattle_grid", "toll_booth", "border_control", "height_restrictor",
     "barrier_board", "guard_rail"}
)  # fmt: skip

#: Barrier values left out of the barriers layer: kerbs are street edges, not barriers to
#: sight, people or a determined vehicle.
IGNORED_BARRIERS = frozenset({"kerb", "barrier_board"})

#: Height of a barrier when the map does not give one, metres. Typical built heights:
#: garden walls and hedges about 1.8 m, fences 1.8 m, railings 1.1 m (the guard height of
#: EN 1991-1-1 / building codes), bollards 0.9 m, jersey barriers 0.8 m.
BARRIER_HEIGHTS = {
    "default": 1.5,
    "wall": 1.8,
    "city_wall": 4.0,
    "hedge": 1.8,
    "fence": 1.8,
    "retaining_wall": 1.5,
    "railing": 1.1,
    "guard_rail": 0.8,
    "gate": 1.8,
    "bollard": 0.9,
    "block": 0.8,
    "jersey_barrier": 0.8,
    "planter": 0.8,
    "noise_barrier": 3.0,
}

#: Public spaces and soft targets, in order of precedence, with the OSM tags that make
#: one. ``None`` accepts any value of the key. Pedestrian areas need ``area=yes`` (or
#: ``area:highway``), as a closed ``highway=pedestrian`` way is otherwise a walkable ring.
SITE_CATEGORIES: dict[str, dict[str, frozenset[str] | None]] = {
    "school": {"amenity": frozenset({"school"}), "building": frozenset({"school"})},
    "kindergarten": {"amenity": frozenset({"kindergarten", "childcare"})},
    "station": {
        "railway": frozenset({"station", "halt"}),
        "public_transport": frozenset({"station"}),
        "amenity": frozenset({"bus_station"}),
        "building": frozenset({"train_station"}),
    },
    "marketplace": {"amenity": frozenset({"marketplace"})},
    "mall": {"shop": frozenset({"mall", "department_store"})},
    "place_of_worship": {"amenity": frozenset({"place_of_worship"})},
    "stadium": {"leisure": frozenset({"stadium", "sports_centre", "sports_hall"})},
    "square": {"place": frozenset({"square"})},
    "pedestrian": {"highway": frozenset({"pedestrian"}), "area:highway": frozenset({"pedestrian"})},
    "playground": {"leisure": frozenset({"playground"})},
    "park": {"leisure": frozenset({"park", "garden", "common"})},
}

#: Buffer given to a site mapped only as a node, metres, so it has an area to analyse.
SITE_POINT_BUFFER = 15.0

#: Points of interest by the activity they bring, used for active uses and night-time
#: life. Jacobs (1961) names shops, bars and restaurants as the sources of "eyes upon the
#: street"; the grouping follows the OSM wiki's amenity groups.
POI_CATEGORIES: dict[str, dict[str, frozenset[str] | None]] = {
    "food_drink": {
        "amenity": frozenset(
            {"restaurant", "cafe", "fast_food", "food_court", "ice_cream", "biergarten"}
        )
    },
    "nightlife": {
        "amenity": frozenset({"bar", "pub", "nightclub", "casino", "cinema", "theatre",
                              "arts_centre", "events_venue", "music_venue"})
    },  # fmt: skip
    "shop": {"shop": None},
    "health": {
        "amenity": frozenset({"pharmacy", "doctors", "dentist", "clinic", "hospital",
                              "veterinary"}),
        "healthcare": None,
    },  # fmt: skip
    "civic": {
        "amenity": frozenset({"townhall", "library", "police", "fire_station", "courthouse",
                              "community_centre", "social_facility", "post_office", "embassy",
                              "place_of_worship"})
    },  # fmt: skip
    "education": {
        "amenity": frozenset({"school", "kindergarten", "childcare", "university", "college",
                              "driving_school", "language_school", "music_school"})
    },  # fmt: skip
    "service": {
        "amenity": frozenset({"bank", "bureau_de_change", "internet_cafe", "car_rental",
                              "bicycle_rental", "taxi", "fuel", "atm", "money_transfer"}),
        "office": None,
        "craft": None,
    },  # fmt: skip
    "transport": {
        "highway": frozenset({"bus_stop"}),
        "railway": frozenset({"tram_stop", "subway_entrance", "halt"}),
        "public_transport": frozenset({"platform"}),
    },
    "leisure": {
        "leisure": frozenset({"fitness_centre", "sports_centre", "dance", "bowling_alley",
                              "amusement_arcade", "adult_gaming_centre"}),
        "tourism": frozenset({"hotel", "hostel", "museum", "gallery", "attraction",
                              "guest_house", "information"}),
    },  # fmt: skip
}

#: Amenities that are street furniture: they bring no one to the street on their own.
POI_IGNORED_AMENITIES = frozenset(
    {"bench", "waste_basket", "bicycle_parking", "parking", "parking_space", "parking_entrance",
     "vending_machine", "post_box", "clock", "recycling", "waste_disposal", "grit_bin",
     "drinking_water", "fountain", "telephone", "life_ring", "motorcycle_parking",
     "charging_station", "shelter", "toilets", "hunting_stand", "artwork", "loading_dock"}
)  # fmt: skip

# --------------------------------------------------------------------------------------
# Lamps and cameras (defaults used by the foundation; refined by lighting/surveillance)
# --------------------------------------------------------------------------------------

#: Mounting height of a street lamp when OSM gives none, metres. 6 m is the common
#: mounting height for residential streets and footpaths in EN 13201 design practice
#: (CEN/TR 13201-1 examples use 4-8 m for P classes).
LAMP_HEIGHT = 6.0

#: Luminous flux of a lamp when neither OSM nor an inventory gives one, lumens. A 3,000 lm
#: LED luminaire is the typical output for P-class residential lighting at 6 m (CEN/TR
#: 13201-1 worked examples; 20-30 W LED at ~120 lm/W).
LAMP_FLUX = 3000.0

#: Field of view of a camera whose type does not say, degrees (a typical fixed CCTV lens
#: of 4 mm on a 1/3" sensor covers 60-90 degrees; IEC 62676-4 design examples use 60).
CAMERA_FOV = 60.0

# --------------------------------------------------------------------------------------
# Maps
# --------------------------------------------------------------------------------------

#: Colours of the map layers (ColorBrewer Set1/Dark2, colour-blind safe pairs).
LAYER_COLOURS = {
    "streets": "#555555",
    "lit_yes": "#fdb813",
    "lit_limited": "#f58220",
    "lit_no": "#253494",
    "lit_unknown": "#9e9e9e",
    "buildings": "#8c8c8c",
    "barriers": "#7b3294",
    "lamps": "#ffd92f",
    "entrances": "#1b9e77",
    "cameras": "#e7298a",
    "sites": "#66a61e",
    "pois": "#d95f02",
}

#: Optional tile basemap for saved maps. None keeps the map fully offline (no request
#: leaves the browser); "OpenStreetMap" or "CartoDB positron" add tiles when online.
BASEMAP: str | None = None

# --------------------------------------------------------------------------------------
# Sightlines (see cpted.sightlines)
# --------------------------------------------------------------------------------------

# --------------------------------------------------------------------------------------
# Lighting (see cpted.lighting)
# --------------------------------------------------------------------------------------

# --------------------------------------------------------------------------------------
# Natural surveillance (see cpted.surveillance)
# --------------------------------------------------------------------------------------

# --------------------------------------------------------------------------------------
# Access control and territory (see cpted.access)
# --------------------------------------------------------------------------------------

# --------------------------------------------------------------------------------------
# Vulnerability of crowded places (see cpted.vulnerability)
# --------------------------------------------------------------------------------------

# --------------------------------------------------------------------------------------
# Audit and scores (see cpted.audit)
# --------------------------------------------------------------------------------------
