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

from cpted._i18n import N_

# --------------------------------------------------------------------------------------
# Reading OpenStreetMap
# --------------------------------------------------------------------------------------

#: The largest study area cpted builds, km², measured as the bounding box of its boundary in
#: its projected CRS. An audit rasters illuminance over that box at
#: ``LIGHTING_GRID_RESOLUTION`` (1 m), one 8-byte value per cell: 200 km² are 2e8 cells,
#: 1.6 GB, the most ``lighting.illuminance_grid`` accepts. A larger file (a whole region)
#: is refused when it is read, with its size, instead of failing on a memory allocation
#: minutes later. Raise it to build the layers of a larger area without auditing it whole.
MAX_AREA_KM2 = 200.0

#: Highway values that carry no walkable way. Follows the "walk" network filter of osmnx
#: (``osmnx/_overpass.py``, Boeing 2017/2025), so our street network matches what
#: researchers get from osmnx.
WALK_EXCLUDED_HIGHWAYS = frozenset(
    {
        "abandoned",
        "bus_guideway",
        "construction",
        "cycleway",
        "motor",
        "no",
        "planned",
        "platform",
        "proposed",
        "raceway",
        "razed",
        "rest_area",
        "services",
        "motorway",
        "motorway_link",
        "street_lamp",
        "crossing",
        "traffic_signals",
        "bus_stop",
    }
)

#: Highway values a car, van or truck can physically drive on. For hostile-vehicle run-up
#: an attacker ignores access restrictions and one-way rules, so this is wider than the
#: osmnx "drive" filter: pedestrian streets, living streets, service roads and tracks are
#: included (NPSA, "Hostile Vehicle Mitigation": vehicles reach crowds along pedestrianised
#: streets); footways, paths, steps and cycleways are not.
DRIVE_HIGHWAYS = frozenset(
    {
        "motorway",
        "motorway_link",
        "trunk",
        "trunk_link",
        "primary",
        "primary_link",
        "secondary",
        "secondary_link",
        "tertiary",
        "tertiary_link",
        "unclassified",
        "residential",
        "living_street",
        "service",
        "pedestrian",
        "track",
        "road",
        "busway",
        "bus_guideway",
    }
)

#: Footway-like segments that take the name of the street they run beside when they have
#: none of their own (sidewalks mapped as separate ways carry no name in OSM).
SIDEWALK_HIGHWAYS = frozenset({"footway", "path", "pedestrian", "steps", "cycleway"})

#: How far a sidewalk's middle may lie from the centre line of the street whose name it
#: takes, metres: half of a four-lane street with parking (about 10 m) plus a sidewalk.
SIDEWALK_NAME_DISTANCE = 15.0

#: Tag values copied onto street edges when present (the rest are dropped to keep the
#: graph small).
EDGE_TAGS = (
    "highway",
    "name",
    "lit",
    "access",
    "foot",
    "service",
    "width",
    "surface",
    "sidewalk",
    "oneway",
    "maxspeed",
    "tunnel",
    "bridge",
    "covered",
    "footway",
    "junction",
    "lanes",
    # read by cpted._tags.audit_scope, which decides what the audit judges
    "psv",
    "bus",
    "indoor",
    "level",
    "sidewalk:both",
    "sidewalk:left",
    "sidewalk:right",
)

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
#: A ``retaining_wall`` is not among them: it holds up ground, so from its upper side one
#: sees over it, and OSM does not say which side a path is on (Key:barrier=retaining_wall);
#: treated as a wall it hid whole parks from their own paths.
OPAQUE_BARRIERS = frozenset(
    {"wall", "hedge", "city_wall", "noise_barrier", "hedge_bank", "fence_solid"}
)

#: Fence types that are solid rather than see-through (OSM wiki, Key:fence_type).
OPAQUE_FENCE_TYPES = frozenset(
    {
        "wood",
        "panel",
        "concrete",
        "brick",
        "stone",
        "metal_sheet",
        "palisade",
        "board",
        "hedge",
        "wall",
        "split_rails_solid",
        "pole",
    }
)

#: Barriers that are openings for people on foot (gates and the like, OSM wiki).
PASSABLE_BARRIERS = frozenset(
    {
        "gate",
        "kissing_gate",
        "swing_gate",
        "lift_gate",
        "turnstile",
        "full-height_turnstile",
        "stile",
        "entrance",
        "cycle_barrier",
        "hampshire_gate",
        "motorcycle_barrier",
        "sliding_gate",
        "wicket_gate",
        "bump_gate",
        "chain",
        "border_control",
        "toll_booth",
    }
)

#: Barriers that stop vehicles but let people through (hostile-vehicle mitigation: NPSA
#: "Hostile Vehicle Mitigation" lists bollards, blocks, planters and barriers of this kind).
VEHICLE_BARRIERS = frozenset(
    {
        "bollard",
        "block",
        "jersey_barrier",
        "planter",
        "rock",
        "collision_protection",
        "bus_trap",
        "sump_buster",
        "log",
        "chain",
        "motorcycle_barrier",
        "cycle_barrier",
    }
)

#: Barriers a vehicle can drive through or over.
VEHICLE_PASSABLE_BARRIERS = frozenset(
    {
        "entrance",
        "kerb",
        "cattle_grid",
        "toll_booth",
        "border_control",
        "height_restrictor",
        "barrier_board",
        "guard_rail",
    }
)

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

#: Share of a site's polygon under building footprints from which the site is "only a
#: building" (``ground="building"``): a school or station mapped as its building outline
#: (``amenity=school`` on the ``building=school`` way). Its edge is its own walls, so it
#: cannot be judged as an open space with a fence; 0.9 leaves room for the slivers where a
#: site and its building were drawn a little apart (a cpted default).
SITE_BUILDING_GROUND_SHARE = 0.9

#: How far around the mapped data the data's footprint reaches, metres. OSM extracts end
#: where the export stopped, not where the streets do; the footprint is the ground within
#: this distance of a mapped way or node (holes filled), cut to the file's frame. 50 m is
#: about the depth of an urban block's edge (a street, its front gardens and the first
#: row of houses), so a real cul-de-sac ending among mapped houses lies well inside it,
#: while a way cut by the extract ends within :data:`ACCESS_BOUNDARY_MARGIN` of its edge
#: (a cpted default).
FOOTPRINT_BUFFER_M = 50.0

#: Largest hole in the data's coverage that the footprint fills, square metres (4 ha, a
#: city block of 200 m by 200 m): a smaller gap surrounded by mapped ways is a pond, a
#: yard or a field the data covers; a larger one, enclosed by a ring of long ways, is
#: where an Overpass export of whole ways left out the streets inside the ring (a cpted
#: default).
FOOTPRINT_MAX_HOLE_M2 = 40_000.0

#: Cell of the grid on which the footprint is drawn, metres: the data is marked on a grid
#: of this size and grown by :data:`FOOTPRINT_BUFFER_M` there (a raster dilation takes
#: milliseconds for a city district, a union of every buffered way seconds). The edge is
#: exact to about one cell, well within :data:`ACCESS_BOUNDARY_MARGIN`.
FOOTPRINT_CELL_M = 10.0

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
        "amenity": frozenset(
            {
                "bar",
                "pub",
                "nightclub",
                "casino",
                "cinema",
                "theatre",
                "arts_centre",
                "events_venue",
                "music_venue",
            }
        )
    },
    "shop": {"shop": None},
    "health": {
        "amenity": frozenset(
            {"pharmacy", "doctors", "dentist", "clinic", "hospital", "veterinary"}
        ),
        "healthcare": None,
    },
    "civic": {
        "amenity": frozenset(
            {
                "townhall",
                "library",
                "police",
                "fire_station",
                "courthouse",
                "community_centre",
                "social_facility",
                "post_office",
                "embassy",
                "place_of_worship",
            }
        )
    },
    "education": {
        "amenity": frozenset(
            {
                "school",
                "kindergarten",
                "childcare",
                "university",
                "college",
                "driving_school",
                "language_school",
                "music_school",
            }
        )
    },
    "service": {
        "amenity": frozenset(
            {
                "bank",
                "bureau_de_change",
                "internet_cafe",
                "car_rental",
                "bicycle_rental",
                "taxi",
                "fuel",
                "atm",
                "money_transfer",
            }
        ),
        "office": None,
        "craft": None,
    },
    "transport": {
        "highway": frozenset({"bus_stop"}),
        "railway": frozenset({"tram_stop", "subway_entrance", "halt"}),
        "public_transport": frozenset({"platform"}),
    },
    "leisure": {
        "leisure": frozenset(
            {
                "fitness_centre",
                "sports_centre",
                "dance",
                "bowling_alley",
                "amusement_arcade",
                "adult_gaming_centre",
            }
        ),
        "tourism": frozenset(
            {"hotel", "hostel", "museum", "gallery", "attraction", "guest_house", "information"}
        ),
    },
}

#: Amenities that are street furniture: they bring no one to the street on their own.
POI_IGNORED_AMENITIES = frozenset(
    {
        "bench",
        "waste_basket",
        "bicycle_parking",
        "parking",
        "parking_space",
        "parking_entrance",
        "vending_machine",
        "post_box",
        "clock",
        "recycling",
        "waste_disposal",
        "grit_bin",
        "drinking_water",
        "fountain",
        "telephone",
        "life_ring",
        "motorcycle_parking",
        "charging_station",
        "shelter",
        "toilets",
        "hunting_stand",
        "artwork",
        "loading_dock",
    }
)

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

#: Above this many street segments, ``Audit.save`` writes ``map.html`` as a city overview
#: of districts, each opening its own detailed map (``districts/<id>.html``), instead of
#: one detailed map of everything. The detailed map costs about 0.7 KB per segment (the
#: Helsinki sample: 2.5 MB for 3,517 segments, ``benchmarks/bench_city_pages.py``), so
#: 4,500 segments make a page of about 3.2 MB, a page a planner opens and mails whole
#: (issue 15 of the planners: "about 1.5 KB per segment shown", a few MB a page).
CITY_MAP_SEGMENTS = 4500

#: Side of the overview's hexagons (their circumradius), metres. 500 m make a district
#: 1 km from corner to corner, a walk of about 12 minutes at 1.4 m/s (the walking speed
#: of the Highway Capacity Manual), 0.65 km²: in a centre as dense as the Helsinki sample
#: (about 2,000 walkable segments per km²) some 1,300 segments, a detailed page of
#: about 1.6 MB. The grid is anchored at the origin of the area's CRS, so two audits of
#: one place in the same CRS share their hexagons and compare district by district.
CITY_HEX_SIZE_M = 500.0

#: A segment counts as weak in the overview below this ``cpted_score``: the map's two
#: lowest classes (0-20 "poor" and 20-40, :func:`cpted.maps.score_colour`).
CITY_WEAK_SCORE = 40.0

#: The most a district page may weigh per street segment it shows, bytes (issue 15 of the
#: planners: "about 1.5 KB per segment shown"). Every page carries about 180 KB whatever
#: it shows (Leaflet inlined, the controls and legends), so a district of a few segments
#: (a hexagon at the edge of the data) cannot keep to it alone: ``Audit.save`` merges a
#: district page above this weight into a neighbour and draws the two as one page, until
#: every page keeps to it (:func:`cpted.maps._city.write_city_maps`).
CITY_PAGE_BYTES_PER_SEGMENT = 1500

#: Rows written at a time to the GeoPackage and GeoParquet files: a chunk is made
#: GIS-safe (lists as text) and written, so a save holds a copy of one chunk, not of a
#: whole city's table. 2,000 rows of the segments table (about 100 columns) are a few MB.
SAVE_CHUNK_ROWS = 2000

# --------------------------------------------------------------------------------------
# Sightlines (see cpted.sightlines)
# --------------------------------------------------------------------------------------

#: Margin of the frame that closes an isovist no obstacle encloses, metres. Without a
#: radius, an isovist is bounded by the obstacles; where a view escapes between them it
#: stops at the bounding box of the obstacles (and the origin) grown by this margin. 100 m
#: is cityseer's default view distance (``rust/src/viewshed.rs``), a street-scale reach.
ISOVIST_FRAME_MARGIN = 100.0

#: Angular step of the vertices placed on range arcs, degrees. A circle cannot be a
#: polygon vertex-exact: the arc of a ``radius``-limited isovist is drawn by vertices on the
#: circle at every multiple of this angle (plus where walls meet it), so the chords lie
#: inside the circle and an open disc of radius R gets the area of a regular 720-gon,
#: R^2 (n/2) sin(2 pi/n), a relative error of (2 pi/n)^2 / 6 = 1.3e-5 below pi R^2.
ISOVIST_ARC_STEP = 0.5

#: Shortest occluding radial edge counted by occlusivity, metres. depthmapX
#: (``salalib/isovist.cpp``) counts only edges longer than 1.5 drawing units, which its
#: code calls an arbitrary scale; in plans drawn in metres that is 1.5 m.
ISOVIST_MIN_OCCLUSION = 1.5

#: Spacing of the viewpoints along each street segment, metres: viewpoints sit at the
#: centres of equal pieces at most this long. 10 m is seven seconds of walking
#: (1.4 m/s) and gives at least two viewpoints per 25 m, the face distance below, so a
#: blind corner or a recess between two frontages falls near a viewpoint.
SIGHTLINE_SPACING = 10.0

#: Distance at which a walker reads another person's face, metres. Gehl (Cities for
#: People, 2010, ch. 2, after Hall 1966): facial expressions and dominant emotions are
#: read at 22-25 m. Isovists at this radius measure what lies within face distance.
SIGHTLINE_FACE_DISTANCE = 25.0

#: Distance at which a walker recognises an individual, metres. Gehl (2010): people are
#: recognised at 50-70 m; the lower bound is what a path must offer for a walker to see
#: who is coming before meeting them. Also the reach of the forward sightline.
SIGHTLINE_RECOGNITION_DISTANCE = 50.0

#: Resolution of the forward sightline, metres (points along the path ahead are tested
#: every step).
SIGHTLINE_STEP = 1.0

#: Share of the face-distance disc that counts as fully open around a walker. cpted's own
#: reference, not a standard's: a straight street with frontages 25 m apart shows about
#: half of the 25 m disc from its centre line; narrower, enclosed or winding paths less.
SIGHTLINE_SHARE_REFERENCE = 0.5

#: Weights of the two parts of ``sightlines_score``: seeing ahead along the path, and
#: seeing around (the visible share of the face-distance disc). Seeing who approaches
#: weighs most in CPTED walk audits (Jacobs 1961; Newman 1972: "surveillance ... of the
#: paths one must take").
SIGHTLINE_WEIGHTS = {"ahead": 0.6, "around": 0.4}

#: Confidence of a sightline measured on OSM, before the share of usable viewpoints.
#: Buildings are mapped well, but hedges, fences, trees and kiosks seldom, and isovists
#: see only what is mapped, so real views are often smaller.
SIGHTLINE_MAP_CONFIDENCE = 0.8

#: Cell size of a visibility graph analysis, metres. 2 m is about the space one person
#: takes when others pass (Turner et al. 2001 use grids of 0.5-2 m for urban spaces;
#: depthmapX users pick about a step), small enough for benches and kiosks to matter.
VGA_CELL = 2.0

#: How far beside a path a concealment spot may lie, metres: within a few steps of the
#: walker, where someone hidden could reach them before they react (an arm's length
#: plus two strides).
CONCEALMENT_DISTANCE = 5.0

#: Nearest approach distance that still counts as warning, metres. Caminada and van
#: Bommel (1980, the basis of EN 13201's pedestrian lighting) take Hall's 3.7 m (12 ft)
#: as the least distance at which a walker can still take evasive action; a spot seen
#: only from nearer than 4 m gives no warning.
CONCEALMENT_APPROACH = 4.0

#: Spacing of the approach viewpoints along each segment, metres.
CONCEALMENT_STEP = 2.0

#: Cell size of the concealment search, metres (about the floor space of one person).
CONCEALMENT_CELL = 1.0

#: Smallest concealment spot kept, square metres: room for a standing person.
CONCEALMENT_MIN_AREA = 1.0

#: Viewpoints whose 25 m isovists the concealment search holds at once. Each ring has
#: about 700 vertices (24 bytes each with its angles), so 2000 viewpoints (4 km of path at
#: ``CONCEALMENT_STEP``) hold about 35 MB whatever the size of the area; only the memory
#: depends on it, not the spots.
CONCEALMENT_CHUNK = 2000

#: Cell size of the search for the ground of a public space seen from its paths, metres.
SITE_SIGHTLINE_CELL = 2.0

# --------------------------------------------------------------------------------------
# Lighting (see cpted.lighting)
# --------------------------------------------------------------------------------------

#: A lamp takes its default height and flux from the most important street (the one with
#: the largest ``LAMP_FLUX_BY_HIGHWAY``) within this distance, metres, else from the
#: nearest street. Lamps stand at the kerb between a carriageway and its sidewalk, which
#: OSM often maps as a separate footway nearer to the lamp; 15 m covers a kerb-side
#: column and a sidewalk of up to two lanes' width.
LAMP_CLASS_SEARCH_DISTANCE = 15.0

#: Maintenance factor applied to every lamp's flux: the share of its new output a lamp
#: still gives at the end of its maintenance cycle. CIE 154:2003 ("The maintenance of
#: outdoor lighting systems") builds it as lamp lumen maintenance x lamp survival x
#: luminaire maintenance; for sealed (IP65-IP66) LED luminaires in a low-to-medium
#: pollution urban environment cleaned every 3-4 years that product is about 0.8, inside
#: the 0.7-0.85 range usual outdoors. EN 13201-2 requirements are *maintained* values, so
#: comparing against them needs this factor.
MAINTENANCE_FACTOR = 0.8

#: Shape of the default luminous intensity distribution, (γ degrees from the downward
#: vertical, relative intensity), rotationally symmetric, used for every lamp without a
#: photometric file. cpted normalises it so that it emits exactly the lamp's flux (light
#: output ratio 1, as LED luminaires are rated in luminaire lumens). The shape is that of a
#: typical LED street lantern: a peak near γ = 65° about 2.2 times the nadir intensity, so
#: that lanterns 3-5 mounting heights apart overlap into fairly even light (CEN/TR 13201-1
#: design practice), and no light at or above the horizontal. Normalised it gives
#: 121 cd/klm at nadir, 242 cd/klm at 70°, 54 cd/klm at 80° and 0 at 90°, which meets the
#: strictest glare class G6 of EN 13201-2:2015 Table A.1 (<= 350, 100, 0 cd/klm at 70°,
#: 80°, 90°), i.e. a full cut-off lantern as dark-sky rules now ask for.
DEFAULT_INTENSITY_SHAPE = (
    (0.0, 1.0), (10.0, 1.02), (20.0, 1.08), (30.0, 1.2), (40.0, 1.4), (50.0, 1.7),
    (55.0, 1.9), (60.0, 2.1), (65.0, 2.2), (70.0, 2.0), (75.0, 1.3), (80.0, 0.45),
    (85.0, 0.1), (90.0, 0.0),
)  # fmt: skip

#: Mounting height of a lamp whose height is not mapped, by the class (``highway``) of the
#: nearest street, metres. Typical column heights of European practice (CEN/TR 13201-1:2014
#: worked examples; BS 5489-1:2020 Annex for residential roads and footways): 8-12 m on
#: main traffic routes, 5-6 m on residential roads, 4-5 m on footpaths and in parks.
#: ``"default"`` applies to every other class.
LAMP_HEIGHT_BY_HIGHWAY = {
    "default": 6.0,
    "trunk": 10.0, "primary": 10.0, "secondary": 9.0, "tertiary": 8.0,
    "unclassified": 6.0, "residential": 6.0, "living_street": 5.0, "service": 5.0,
    "pedestrian": 5.0, "footway": 4.5, "path": 4.0, "cycleway": 4.5, "steps": 4.0,
    "track": 4.5, "bridleway": 4.0,
}  # fmt: skip

#: Luminous flux of one luminaire whose flux is not known, by the class of the nearest
#: street, lumens (luminaire lumens, maintenance factor applied separately). Typical LED
#: lanterns chosen for the classes of ``REQUIRED_P_CLASS`` at the heights of
#: ``LAMP_HEIGHT_BY_HIGHWAY`` with poles 3.5-4.5 mounting heights apart (CEN/TR 13201-1
#: worked examples; 20-100 W LED at about 120 lm/W): 10,000-12,000 lm on main roads (M3-M4
#: lighting), 3,000 lm on residential roads (P4), 2,000 lm on footpaths (P4-P5).
LAMP_FLUX_BY_HIGHWAY = {
    "default": 3000.0,
    "trunk": 12000.0, "primary": 12000.0, "secondary": 10000.0, "tertiary": 8000.0,
    "unclassified": 4000.0, "residential": 3000.0, "living_street": 3000.0,
    "service": 2500.0, "pedestrian": 4000.0, "footway": 2000.0, "path": 1500.0,
    "cycleway": 2000.0, "steps": 1500.0, "track": 1500.0, "bridleway": 1500.0,
}  # fmt: skip

#: Illuminance below which a lamp's contribution is neglected, lux. It sets each lamp's
#: radius of influence (where its light on the ground falls below this everywhere) and so
#: the radius of the isovist that casts its shadows. 0.05 lx is one-eighth of the lowest
#: minimum of EN 13201-2 (class P6, 0.4 lx) and below what a dark-adapted eye reads as lit
#: ground (full moonlight gives about 0.1-0.3 lx). Set 0 to sum every lamp everywhere.
LIGHTING_CUTOFF_LUX = 0.05

#: Largest radius of influence of a lamp, metres, whatever the cut-off (bounds the work
#: and the isovists; an 8,000 lm lantern at 8 m reaches 0.05 lx at about 45 m).
LIGHTING_MAX_RADIUS = 120.0

#: EN 13201-2:2015 Table 3, P classes for pedestrian and low-speed areas: (maintained
#: average, minimum) horizontal illuminance, lux.
P_CLASSES: dict[str, tuple[float, float]] = {
    "P1": (15.0, 3.0),
    "P2": (10.0, 2.0),
    "P3": (7.5, 1.5),
    "P4": (5.0, 1.0),
    "P5": (3.0, 0.6),
    "P6": (2.0, 0.4),
}

#: EN 13201-2 P class a street needs, by its ``highway`` class. EN 13201-2 leaves the
#: choice to the selection procedure of CEN/TR 13201-1:2014 (Table 5 for P classes: travel
#: speed, use intensity, traffic composition, parked vehicles, ambient luminosity, facial
#: recognition). These are the outcomes of that procedure for walking speed, normal crime
#: risk, moderate ambient light and facial recognition needed, by typical use: busy main
#: streets and pedestrian zones P2, local distributors P3, residential roads and footways
#: P4, service ways and paths P5, tracks P6. Raise a class where crime risk is high
#: (CEN/TR 13201-1 lowers the parameter sum by one).
REQUIRED_P_CLASS = {
    "default": "P4",
    "trunk": "P2", "primary": "P2", "secondary": "P2", "tertiary": "P3",
    "unclassified": "P4", "residential": "P4", "living_street": "P3",
    "pedestrian": "P2", "footway": "P4", "sidewalk": "P4", "crossing": "P3",
    "steps": "P4", "corridor": "P4", "cycleway": "P4", "service": "P5", "path": "P5",
    "bridleway": "P6", "track": "P6",
}  # fmt: skip

#: EN 13201-2 P class a public space needs, by site category (``SITE_CATEGORIES``), with
#: the same CEN/TR 13201-1 reasoning: busy gathering places P2, school grounds, playgrounds
#: and parks used after dark P3-P4.
SITE_REQUIRED_P_CLASS = {
    "default": "P3",
    "station": "P2", "marketplace": "P2", "mall": "P2", "square": "P2", "pedestrian": "P2",
    "stadium": "P2", "place_of_worship": "P3", "school": "P3", "kindergarten": "P3",
    "playground": "P4", "park": "P4",
}  # fmt: skip

#: The street class whose typical lighting stands for a public space's where its lamps are
#: not mapped: parks and playgrounds are lit like paths through them (when at all),
#: gathering places like pedestrian streets.
SITE_LIGHTING_CLASS = {
    "default": "pedestrian",
    "park": "path", "playground": "path", "school": "footway", "kindergarten": "footway",
}  # fmt: skip

#: Cell size of the illuminance raster the audit computes, metres (1 m resolves a
#: footway and the light pool of a single lamp; EN 13201-3 asks for at most 3 m).
LIGHTING_GRID_RESOLUTION = 1.0

#: Distance between illuminance sample points along a street segment, metres (EN 13201-3
#: asks for at most 3 m between calculation points along a P-class area; 1 m is finer).
LIGHTING_SEGMENT_SPACING = 1.0

#: Distance between illuminance sample points on a grid over a site, metres (EN 13201-3
#: calculation grid, at most 3 m apart for P classes).
LIGHTING_SITE_SPACING = 2.0

#: A street segment has "mapped lamps" when a lamp stands within this distance of it,
#: metres: about one pole spacing of residential lighting (3.5-5 mounting heights of 6 m).
#: A ``lit=yes`` street with none is reported "lit, lamps not mapped", not dark.
LAMP_NEAR_DISTANCE = 30.0

#: Half the width of walkable ground along a street, by class, metres, for the dark-spot
#: analysis (carriageway plus footway of typical cross-sections, e.g. the German RASt 06
#: residential street of 11-12 m between building lines).
WALKABLE_HALF_WIDTH = {
    "default": 3.0,
    "trunk": 10.0, "primary": 10.0, "secondary": 8.0, "tertiary": 7.0,
    "unclassified": 5.0, "residential": 5.0, "living_street": 4.0, "pedestrian": 5.0,
    "service": 3.0, "footway": 1.5, "sidewalk": 1.5, "crossing": 2.0, "path": 1.0,
    "cycleway": 1.5, "steps": 1.5, "track": 2.0, "bridleway": 1.0,
}  # fmt: skip

#: Smallest dark spot reported, square metres (smaller specks are calculation noise at
#: wall corners and a 1 m raster's edge).
DARK_SPOT_MIN_AREA = 4.0

#: Cells of the illuminance raster drawn at once when the dark spots are found: their
#: thresholds (8 bytes a cell) and the ground where darkness counts are rasterised one band
#: of rows of about this many cells at a time, so finding the dark spots of a municipality
#: holds its lux raster once, not three times. A band of 1e6 cells holds about 25 MB while
#: it is drawn (thresholds, masks and the comparisons between them); on Helsinki copied
#: 4 x 4 finding the spots took 97 MB more than the audit held, against 202 MB with bands
#: of 4e6 cells, in the same time. Any value gives the same spots.
DARK_SPOT_BAND_CELLS = 1_000_000

#: Spacing of the lamps of a street lit as its class usually is, in mounting heights: poles
#: 3.5-4.5 mounting heights apart on one side are the spacing of EN 13201 P-class designs
#: (CEN/TR 13201-1:2014 worked examples; BS 5489-1:2020 gives 5-6 for residential roads
#: with modern LED optics). With ``LAMP_HEIGHT_BY_HIGHWAY`` and ``LAMP_FLUX_BY_HIGHWAY``
#: this is the *typical lighting* of a street class, the estimate used where the lamps are
#: not mapped.
LAMP_SPACING_HEIGHTS = 4.0

#: Distance of the lamp row from the centre line of the street it lights, by class, metres:
#: at the kerb, i.e. half the carriageway (RASt 06 cross-sections); footways and paths are
#: lit from beside them.
LAMP_OFFSET_BY_HIGHWAY = {
    "default": 3.0,
    "trunk": 7.0, "primary": 7.0, "secondary": 5.5, "tertiary": 4.5, "unclassified": 3.0,
    "residential": 3.0, "living_street": 2.5, "service": 2.0, "pedestrian": 3.0,
    "footway": 1.0, "path": 1.0, "cycleway": 1.0, "steps": 1.0, "track": 1.5,
}  # fmt: skip

#: Confidence of a lighting score estimated from the ``lit`` tag and the street class's
#: typical lighting (the lamps are not mapped, or the mapped ones contradict the tag).
LIGHTING_TAG_CONFIDENCE = 0.3

#: Confidence of a lighting score estimated with no lit tag and no lamp: the typical
#: lighting of the street class times the share of streets of that class in the area that
#: the map shows lit.
LIGHTING_CLASS_CONFIDENCE = 0.15

#: Fewest segments of one class with known lighting in an area for their lit share to be
#: used; below it the share of all streets with known lighting is used, and with fewer
#: than this of those too, ``LIGHTING_DEFAULT_LIT_SHARE``.
LIGHTING_SHARE_MIN_SEGMENTS = 10

#: Share of streets taken to be lit where the area tells nothing: most streets of European
#: towns are lit (street lighting is a municipal duty across the EU; OSM's ``lit=yes``
#: outnumbers ``lit=no`` about 9 to 1 on urban ways), but an unknown street is assumed lit
#: only half the time, so that an unmapped street never scores as well as a mapped, lit one.
LIGHTING_DEFAULT_LIT_SHARE = 0.5

#: ``lit=limited`` (lit part of the night): the share of the typical lighting counted.
LIGHTING_LIMITED_SHARE = 0.5

#: The words for each ``lighting_basis`` value, shown after the lux figures (English,
#: marked for the catalogues of :mod:`cpted._i18n`; show them through ``_()``).
LIGHTING_BASIS_WORDS = {
    "measured": N_("measured from the mapped lamps"),
    "unlit": N_("tagged unlit"),
    "estimated_tag": N_("estimated: tagged lit, lamps not mapped, typical lamps of its class"),
    "estimated_class": N_("estimated: lighting not mapped, typical of its class in this area"),
}

# --------------------------------------------------------------------------------------
# Natural surveillance (see cpted.surveillance)
# --------------------------------------------------------------------------------------

#: Network distances of local betweenness and closeness (movement potential), metres.
#: 400 m is the five-minute walk of the neighbourhood unit and pedestrian-shed planning
#: (Perry 1929; US DOT/FHWA pedestrian guidance), 800 m the ten-minute walk; cityseer's
#: documentation (Simons 2022) and momepy's local measures use the same radii.
MOVEMENT_DISTANCES = (400.0, 800.0)

#: Local times of day at which night-time activity is counted (uses open at that time).
#: 21:00 is after dark for most of the year in European cities and after ordinary shop
#: closing (German Ladenschluss laws, the EU norm of 20:00); 23:00 is late night, when
#: only bars, late shops and some food outlets remain (issue 5 defaults).
NIGHT_TIMES = ("21:00", "23:00")

#: The weekday on which opening hours are evaluated (ISO date). A Wednesday in mid-October:
#: outside school and summer holidays and free of national public holidays in the EU
#: countries of the bundled samples, so ``PH off`` and seasonal rules do not decide it.
NIGHT_DATE = "2025-10-15"

#: How far a window or door overlooks the street, metres. Gehl (Cities for People, 2010,
#: ch. 2 "The senses and scale"): up to 20-25 m we read facial expressions and moods; it is
#: the "social field of vision" within which people at a window or door see what happens.
FRONTAGE_DISTANCE = 25.0

#: Spacing of the samples along a segment from which frontage rays are cast, metres; the
#: shares are exact to one step.
FRONTAGE_STEP = 2.0

#: Largest angle between a building face's normal and the line to the street at which the
#: face still overlooks it, degrees: the human binocular field spans about 120 degrees,
#: 60 each side of the line of sight (Panero and Zelnik, Human Dimension and Interior
#: Space, 1979).
FRONTAGE_MAX_ANGLE = 60.0

#: Building kinds with no windows or doors on the street ("blank walls"): storage and
#: service buildings of the OSM wiki's Key:building list.
BLANK_BUILDINGS = frozenset(
    {"garage", "garages", "carport", "shed", "hut", "warehouse", "storage_tank", "silo",
     "parking", "industrial", "service", "transformer_tower", "bunker", "container",
     "roof", "barn", "cowshed", "stable", "sty", "greenhouse", "ruins", "digester",
     "water_tower", "tank", "utility", "boathouse", "kiosk_storage"}
)  # fmt: skip

#: Entrance kinds that do not bring people to the street: emergency doors and exits open
#: only outwards (OSM wiki, Key:entrance).
ENTRANCES_NOT_COUNTED = frozenset({"emergency", "exit"})

#: How far in front of a mapped door the line of sight to the street starts, metres, so
#: the wall the door stands on is not taken for an obstacle.
ENTRANCE_OFFSET = 0.5

#: Camera range by ``camera:type``, metres: the distance at which a 1920-pixel-wide image
#: still gives the "observe" pixel density of IEC 62676-4:2014 (62.5 px/m), d = 1920 /
#: (62.5 * 2 tan(fov / 2)). Fixed: 60 degree lens -> 26 m. Dome: 2.8 mm lens, about 100
#: degrees -> 13 m. Panning (PTZ): at a 30 degree zoom -> 57 m, in any direction. ALPR
#: (number-plate readers) read plates at 5-25 m (manufacturers' data sheets).
CAMERA_RANGES = {"fixed": 26.0, "dome": 13.0, "panning": 57.0, "ALPR": 25.0, "default": 26.0}

#: A camera closer than this to a building is taken to hang on it, metres.
CAMERA_HOST_DISTANCE = 1.0

#: Buildings whose façades are homes, for the privacy check of cameras (OSM wiki,
#: Key:building, accommodation).
RESIDENTIAL_BUILDINGS = frozenset(
    {"residential", "apartments", "house", "detached", "semidetached_house", "terrace",
     "bungalow", "dormitory", "farm", "static_caravan", "cabin", "houseboat"}
)  # fmt: skip

#: ``access`` values of private ground (OSM wiki, Key:access).
PRIVATE_ACCESS = frozenset({"private", "no", "residents", "customers"})

#: Site categories whose grounds cameras should not watch: children's schools and nurseries
#: (UK Surveillance Camera Code of Practice 2013/2021, principle 2, and the ICO's CCTV
#: guidance call for particular care where children are seen).
PRIVACY_SITE_CATEGORIES = frozenset({"school", "kindergarten", "playground"})

#: A view that sees at least this length of someone else's home façade, metres, or this
#: area of private or school ground, square metres, is flagged for a privacy review. A
#: 2 m stretch is about one window bay; 10 m2 a small front garden.
PRIVACY_MIN_FACADE = 2.0
PRIVACY_MIN_AREA = 10.0

#: Buffer that decides whether a wall lies on a camera's view boundary, metres (isovist
#: boundaries run along the walls they stop at, to rounding error).
PRIVACY_FACADE_TOLERANCE = 0.05

#: Active frontage references (Gehl, Kaefer and Reigstad 2006, "Close encounters with
#: buildings", Urban Design International 11: grade B "friendly" frontage has 10-14 units
#: and doors per 100 m): 10 doors and 10 uses per 100 m give full marks.
DOORS_PER_100M_REFERENCE = 10.0
USES_PER_100M_REFERENCE = 10.0

#: Segment betweenness at 800 m that gives full marks for movement: 40,000 trips (ordered
#: node pairs of the osmnx walk graph), about the upper tenth (42,000) of the street
#: segments of the bundled Helsinki centre sample, a dense city core; the score rises with
#: its logarithm, as pedestrian counts do with betweenness (Hillier et al. 1993; Sevtsuk
#: 2021). It counts graph nodes, so it holds for osmnx-simplified walk graphs.
MOVEMENT_REFERENCE = 40_000.0

#: Weights of the surveillance score (sum 1): frontage overlooking the street, doors,
#: active uses, uses open at night, movement, camera coverage. Natural surveillance first
#: (Jacobs 1961; Cozens et al. 2005), cameras last.
SURVEILLANCE_WEIGHTS = {
    "frontage": 0.25,
    "entrances": 0.15,
    "uses": 0.10,
    "night": 0.15,
    "movement": 0.15,
    "priority": 0.15,
    "cameras": 0.05,
}

#: How much a street of each class is made for people on foot, 0-1: the "priority" part
#: of the surveillance score. Streets given to pedestrians keep people in them at all
#: hours; fast, heavy motor traffic empties a street of people and of neighbours' watch
#: (Appleyard 1981, "Livable Streets": residents of a heavy-traffic street had a third of
#: the social ties of a light-traffic one; Gehl 2010). cpted's grading of the OSM classes,
#: from pedestrian zones (1) to trunk roads (0.05); motorways are not audited at all.
PEDESTRIAN_PRIORITY = {
    "default": 0.5,
    "pedestrian": 1.0, "living_street": 0.9, "footway": 0.8, "sidewalk": 0.8,
    "crossing": 0.7, "steps": 0.7, "path": 0.6, "corridor": 0.6, "residential": 0.7,
    "cycleway": 0.5, "bridleway": 0.5, "track": 0.4, "service": 0.4, "unclassified": 0.5,
    "tertiary": 0.4, "tertiary_link": 0.3, "secondary": 0.25, "secondary_link": 0.2,
    "primary": 0.15, "primary_link": 0.1, "trunk": 0.05, "trunk_link": 0.05,
    "busway": 0.3,
}  # fmt: skip

# --------------------------------------------------------------------------------------
# Access control and territory (see cpted.access)
# --------------------------------------------------------------------------------------

#: How far a barrier or a building face may stand from a site's mapped edge and still
#: define it, metres. Site polygons and the fences along them are usually drawn as separate
#: ways from aerial imagery, whose positional accuracy in OSM is about 1-3 m (Haklay 2010,
#: "How good is volunteered geographical information?", mean offset of about 6 m against
#: Ordnance Survey for roads; imagery-traced areas are better), so 3 m.
ACCESS_EDGE_TOLERANCE = 3.0

#: Spacing of the points at which a site's edge is read, metres: lengths of barrier,
#: building and open stretches are exact to within one step at each end of a stretch.
ACCESS_EDGE_STEP = 1.0

#: How far the centreline of a walkable way may run alongside an open edge for a visitor to
#: step in anywhere, metres: half a two-lane carriageway (a traffic lane is 3-3.5 m wide)
#: plus a 2-4 m sidewalk and the mapping offset of ACCESS_EDGE_TOLERANCE.
ACCESS_EDGE_WALK_DISTANCE = 10.0

#: Line barriers that define a site's edge (OSM wiki, Key:barrier: the linear barriers;
#: Newman 1972 counts walls, fences and hedges as real barriers of defensible space).
#: A gate mapped as a line is a controlled part of the edge; ``barrier=yes`` is a barrier
#: of unknown kind, still an edge.
ACCESS_EDGE_BARRIERS = frozenset(
    {"wall", "fence", "hedge", "railing", "retaining_wall", "city_wall", "hedge_bank",
     "noise_barrier", "guard_rail", "handrail", "gate", "sliding_gate", "swing_gate",
     "lift_gate", "wicket_gate", "fence_solid", "ditch", "haha", "yes"}
)  # fmt: skip

#: Point barriers that control who passes: they can be closed (OSM wiki, Key:barrier,
#: "access control on highways"). An entry with one of them is ``controlled``.
ACCESS_GATE_BARRIERS = frozenset(
    {"gate", "kissing_gate", "swing_gate", "lift_gate", "turnstile", "full-height_turnstile",
     "sliding_gate", "wicket_gate", "hampshire_gate", "bump_gate", "stile", "border_control",
     "toll_booth", "sally_port", "door"}
)  # fmt: skip

#: Point barriers that mark an edge without closing it: Newman's (1972) "symbolic
#: barriers" (a change of level, a row of bollards or planters) tell a visitor that they
#: enter someone's space although they can walk through.
ACCESS_SYMBOLIC_BARRIERS = frozenset(
    {"bollard", "planter", "block", "jersey_barrier", "rock", "entrance", "cycle_barrier",
     "motorcycle_barrier", "chain", "log", "kerb"}
)  # fmt: skip

#: How far along the edge one symbolic marker counts, metres either side. Bollard rows are
#: set 1.2-1.5 m apart (CPNI/NPSA, "Hostile Vehicle Mitigation", 1.2 m maximum clear gap),
#: so 2.5 m either side keeps a row of markers up to 5 m apart continuous.
ACCESS_SYMBOLIC_REACH = 2.5

#: How far behind a site's edge a building line still marks it as someone's territory,
#: metres. Covers the front gardens (Vorgärten) of 3-5 m of European perimeter blocks
#: (Newman 1972: the front yard is the semi-private step between street and home); a cpted
#: default, change it for places with deeper setbacks.
ACCESS_TERRITORY_SETBACK = 6.0

#: ``access=*`` values that restrict entry (OSM wiki, Key:access): an entry tagged with
#: one of them, on the way or on its gate, is ``controlled``.
ACCESS_RESTRICTED = frozenset(
    {"no", "private", "permit", "military", "customers", "delivery", "residents", "students",
     "permissive_no"}
)  # fmt: skip

#: Entry points closer than this along one site's edge are one entry, metres: a path that
#: meets the edge where a gate stands is one way in, as is a pair of kerbside footways
#: mapped a metre apart. 3 m is about the width of a footway pair (OSM wiki, Sidewalks).
ACCESS_ENTRY_MERGE = 3.0

#: Share of a site's edge that must be marked (barrier, building line, front garden or
#: symbolic markers) for the site to have a defined edge. Below it a visitor cannot see
#: where public space ends: Newman (1972) and Cozens, Saville & Hillier (2005, "Crime
#: prevention through environmental design (CPTED): a review", Property Management 23)
#: describe territory as a marked, legible edge; half the edge is a cpted default.
ACCESS_DEFINED_EDGE_SHARE = 0.5

#: Site categories whose edge should be closed and whose entries controlled: places where
#: children are kept in (schools, kindergartens, playgrounds) and ticketed venues. Secured
#: by Design "Schools 2014" asks for a defined, secure perimeter with a minimum of
#: controlled entry points; every other category is an open public space, where many open
#: ways in and out keep people passing through and give escape routes (Whyte 1980, "The
#: Social Life of Small Urban Spaces"; Jacobs 1961).
ACCESS_CONTROLLED_CATEGORIES = frozenset({"school", "kindergarten", "playground", "stadium"})

#: Open entries per 100 m of edge at which an open space counts as fully permeable. One way
#: in every 50 m keeps every point of the edge within 25 m of an entry; a cpted default in
#: the spirit of Jacobs' (1961) "need for small blocks" and of the permeable layouts of
#: Manual for Streets (DfT 2007, ch. 4).
ACCESS_OPEN_ENTRIES_PER_100M = 2.0

#: Distinct ways out a place of assembly needs: building and fire codes require at least two
#: independent means of escape from any occupied space (NFPA 101, Life Safety Code, ch. 7
#: "Number of means of egress"; England's Approved Document B). The same holds outdoors
#: for crowded places (NaCTSO "Crowded Places Guidance", evacuation routes).
ACCESS_MIN_EXITS = 2

#: Degree-1 street nodes this close to the study area's boundary (or the edge of the
#: data's footprint, ``StudyArea.footprint``) were cut by it: they are not dead ends,
#: metres. A street end with nothing mapped within this distance beyond it is where the
#: extract stopped (a cpted default).
ACCESS_BOUNDARY_MARGIN = 25.0

#: Depth of a dead end at which its entrapment counts in full, metres. A cul-de-sac footpath
#: longer than about 100 m leaves someone walking it out of reach of help from the through
#: street (a cpted default; Secured by Design "Homes 2023" advises against footpaths
#: that are long, narrow and lead nowhere).
ACCESS_DEAD_END_DEPTH = 100.0

#: Radius of the local permeability measures, metres: the 400 m (5-minute) pedestrian shed
#: used in neighbourhood walkability studies (Ewing 1996, "Pedestrian- and transit-friendly
#: design"; cityseer's default distances include 400 m).
ACCESS_PERMEABILITY_RADIUS = 400.0

#: Link-to-node ratio of a well-connected street network (Ewing 1996: 1.4 and above;
#: Dill 2004, "Measuring network connectivity for bicycling and walking"); a tree-shaped
#: network of cul-de-sacs has 1.0 or less.
ACCESS_LINK_NODE_RATIO_GOOD = 1.4
ACCESS_LINK_NODE_RATIO_POOR = 1.0

#: A passage is narrow between blank walls or back fences (an alley) when walls, fences or
#: building faces stand within this distance on both sides, metres (a lane under about 6 m
#: wide; Secured by Design "Homes 2023" treats rear and side alleys as the access of
#: burglars and asks to gate them).
ACCESS_ALLEY_SIDE = 3.0

#: Spacing of the probes cast sideways along a segment to find its walls, metres.
ACCESS_ALLEY_STEP = 2.0

#: Share of a segment's length that must be enclosed on both sides for it to be an alley.
ACCESS_ALLEY_SHARE = 0.6

#: Weights of the segment access score (see :func:`cpted.access.segment_access`): network
#: permeability, escape (no single way out, no deep dead end) and openness (not an alley).
ACCESS_SEGMENT_WEIGHTS = {"permeability": 0.4, "escape": 0.4, "openness": 0.2}

#: How far each principle's measures reach from a segment, metres. A segment closer than
#: this to the edge of the data's footprint is measured on a network, buildings or lamps
#: cut by the extract, so the audit scales its confidence by ``edge_distance_m / reach``
#: (never below :data:`EDGE_CONFIDENCE_FLOOR`); its score is left as measured. Access
#: reads the permeability circle, surveillance the largest movement catchment, lighting
#: the farthest lamp counted, sightlines the recognition distance.
EDGE_REACH_M = {
    "access": ACCESS_PERMEABILITY_RADIUS,
    "surveillance": max(MOVEMENT_DISTANCES),
    "lighting": LIGHTING_MAX_RADIUS,
    "sightlines": SIGHTLINE_RECOGNITION_DISTANCE,
}

#: Lowest factor the data's edge applies to a confidence: a segment at the very edge still
#: has half of what its measures would see (the side inside the data).
EDGE_CONFIDENCE_FLOOR = 0.5

# --------------------------------------------------------------------------------------
# Vulnerability of crowded places (see cpted.vulnerability)
# --------------------------------------------------------------------------------------

#: Hostile vehicles, one per class of the vehicle-security-barrier impact standards.
#:
#: ``test_class`` and ``mass_kg`` are the test vehicles of IWA 14-1:2013 / PAS 68:2013 as
#: they appear in published performance ratings: ``V/1500[M1]/48/90`` (car),
#: ``V/7200[N2A]/64/90`` and ``V/7200[N3C]/80/90`` (7.2 t two-axle trucks; PAS 68:2013 still
#: rates ``7500[N2]``/``7500[N3]``), ``V/30000(N3)/80/90`` (30 t rigid truck), read from
#: manufacturers' certificates (PPG, Heald, ATG Access, Marshalls). N1 is the 3500 kg van,
#: the upper mass of EU category N1 (Regulation (EU) 2018/858, Annex I).
#:
#: Acceleration falls linearly with speed, a(v) = ``accel_ms2`` · (1 − v / ``accel_fade_ms``),
#: the form Long (2000, TRB paper 00-0980, "Acceleration characteristics of starting
#: vehicles") found to fit both vehicle capability and observed starts better than a
#: constant; PTV Vissim's default maximum-acceleration curves fall with speed the same way.
#: The two parameters are calibrated to typical full-throttle performance (an engineering
#: estimate, not a standard): car 0-100 km/h in about 10 s, laden 3.5 t van in about 17 s,
#: laden 7.2 t truck 0-80 km/h in about 20 s, laden 30 t truck 0-80 km/h in about 34 s.
#: ``top_speed_ms``: trucks over 3.5 t carry a 90 km/h speed limiter (Council Directive
#: 92/6/EEC as amended by 2002/85/EC, categories N2 and N3); cars and vans a typical
#: design top speed. ``braking_ms2``: the minimum service-brake deceleration of UNECE
#: R13-H (M1, 6.43 m/s²) and R13 (N categories, 5.0 m/s²); a driver who brakes for a bend
#: brakes at least this hard. ``lateral_g`` (None = tyre friction only) caps the lateral
#: acceleration in bends below ``TYRE_FRICTION`` · g; heavy vehicles roll over from about
#: 0.35 g (the static rollover threshold baseline of the Australian Performance-Based
#: Standards), set it to model rollover. Left at None, bend speeds are upper bounds, the
#: safe side for choosing a barrier.
VEHICLES: dict[str, dict[str, object]] = {
    "car": {
        "test_class": "M1", "mass_kg": 1500.0, "accel_ms2": 4.0, "accel_fade_ms": 55.0,
        "top_speed_ms": 50.0, "braking_ms2": 6.43, "lateral_g": None,
    },
    "van": {
        "test_class": "N1", "mass_kg": 3500.0, "accel_ms2": 2.5, "accel_fade_ms": 45.0,
        "top_speed_ms": 44.0, "braking_ms2": 5.0, "lateral_g": None,
    },
    "light_truck": {
        "test_class": "N2A", "mass_kg": 7200.0, "accel_ms2": 1.8, "accel_fade_ms": 33.0,
        "top_speed_ms": 25.0, "braking_ms2": 5.0, "lateral_g": None,
    },
    "heavy_truck": {
        "test_class": "N3", "mass_kg": 30000.0, "accel_ms2": 1.2, "accel_fade_ms": 30.0,
        "top_speed_ms": 25.0, "braking_ms2": 5.0, "lateral_g": None,
    },
}  # fmt: skip

#: Tyre-road friction coefficient for the bend speed v = √(μ g R). 0.7 is the value
#: collision investigators take for a dry road surface when no skid test was made (UK
#: accident-investigation practice; new surfaces can be as low as 0.5).
TYRE_FRICTION = 0.7

#: Standard gravity, m/s².
GRAVITY = 9.81

#: Impact test speeds of IWA 14-1:2013 and PAS 68:2013, km/h (seven levels from 16 to
#: 112 km/h, i.e. 10 to 70 mph; VTI crash laboratory summary of IWA 14-1). A barrier must
#: be rated at the first test speed at or above the predicted impact speed.
IMPACT_TEST_SPEEDS_KMH = (16.0, 32.0, 48.0, 64.0, 80.0, 96.0, 112.0)

#: Spacing of the stations at which a run-up is integrated, metres.
RUNUP_STEP_M = 1.0

#: Chord for the bend radius: the radius at a station is the circumradius of the points one
#: chord before and after it along the path. It is exact on circular arcs at least two
#: chords long; a sharp polyline corner of turning angle θ gets c / (2 sin(θ/2)).
BEND_CHORD_M = 5.0

#: Stations whose radius is below this belong to a bend; a bend's racing line (a vehicle
#: using the full carriageway width) is worked out over the whole bend, metres.
BEND_RADIUS_MAX_M = 60.0

#: Carriageway width a vehicle can use to straighten a bend or junction, metres, by
#: ``highway`` (``width`` or ``lanes`` × ``LANE_WIDTH_M`` are used when tagged). Typical
#: built widths of German urban streets (RASt 06: residential streets 4.5-6.5 m,
#: collector and main streets 6.5-7.5 m); pedestrian zones are paved wall to wall.
CARRIAGEWAY_WIDTHS_M = {
    "default": 5.5, "motorway": 7.5, "trunk": 7.5, "primary": 7.0, "secondary": 6.5,
    "tertiary": 6.0, "unclassified": 5.0, "residential": 5.5, "living_street": 4.5,
    "service": 3.5, "track": 3.0, "pedestrian": 6.0, "busway": 3.5, "road": 5.0,
}  # fmt: skip

#: Radius of the inner kerb corner at a junction, metres, which the fastest line through a
#: turn swings round (see :func:`cpted.vulnerability._network.junction_radius`). 6 m is
#: the minor-junction radius of the Design Manual for Roads and Bridges; town-centre
#: streets often have 1 m or less, and Manual for Streets (DfT 2007) asks for small radii
#: to slow turning traffic. The larger radius gives the faster turn: the safe side for
#: choosing a barrier. Set 0 for sharp corners.
JUNCTION_KERB_RADIUS_M = 6.0

#: Width of one traffic lane, metres (RASt 06 urban lanes: 3.0-3.5 m).
LANE_WIDTH_M = 3.0

#: How far from a street's centre line a site's outline may lie and still be reached by
#: a vehicle on that street, metres: half a two-lane carriageway (2 x 3.25 m lanes, RASt 06)
#: plus a footway of 2.5-4.5 m (RASt 06 / EAÜ side-space widths) that a vehicle mounts
#: without slowing. 3 m (a kerb alone) left Rautatientori, 3.1 m behind its footway, with
#: no approach at all.
SITE_CONTACT_M = 8.0

#: Site categories that are open paved ground a vehicle can drive straight across (NPSA
#: "Hostile Vehicle Mitigation": vehicles reach crowds across squares and pedestrianised
#: areas). Every pair of drive-network nodes at the edge of such a site is joined by a
#: straight run across it when that line stays on the site.
PAVED_SITE_CATEGORIES = frozenset({"square", "pedestrian", "marketplace"})

#: A street within this distance of a site's outline exposes that stretch of frontage to a
#: vehicle that leaves the carriageway, metres (half a carriageway plus a footway).
FRONTAGE_REACH_M = 6.0

#: A vehicle-blocking barrier mapped as a point closes the street it lies within this
#: distance of (OSM maps bollards as nodes of the way they close), metres.
BARRIER_SNAP_M = 1.0

#: Longest run-up path drawn for an approach, metres. Speeds are computed over the whole
#: network, however long the run-up; only the path shown on the map is cut here (by 500 m
#: from rest a car reaches about 150 km/h and a 30 t truck about 82 km/h in this model).
RUNUP_MAX_M = 500.0

#: How many people each category of site can hold at its busiest, for the crowd figure of
#: :func:`cpted.vulnerability.crowded_places`. One row per category of ``SITE_CATEGORIES``
#: (``"default"`` for any other), each with:
#:
#: ``ground``
#:     the ground people stand on: ``"open"`` the site's area less the buildings in it
#:     (squares, parks); ``"floor"`` the floor area of the buildings on the site
#:     (footprint × ``building:levels``, one storey where levels are not mapped);
#:     ``"hall"`` the same but one storey only, for a single tall room whose
#:     ``building:levels`` describes height, not floors people stand on (churches, a
#:     station concourse, a stadium bowl); ``"kindergarten"`` the pupils-per-area norms
#:     below, not a standing density.
#: ``m2_per_person``
#:     ground per person (the floor-space factor of fire-safety codes); for
#:     ``"kindergarten"`` the outdoor play area per child.
#: ``source``
#:     where the factor comes from, shown in reports.
#:
#: The factors: Approved Document B vol. 2 (2019 ed.), Table D1 "Floor space factors"
#: (Table C1 in the 2006 edition): 0.5 m² assembly halls and concert venues, 0.7 m²
#: concourses, queuing areas and shopping malls, 1.0 m² seated uses (meeting and conference
#: rooms, dining rooms), 2.0 m² shop sales areas; the Green Guide (SGSA, *Guide to Safety at
#: Sports Grounds*, 6th ed.) caps standing terraces at 47 persons per 10 m², i.e. 0.21 m²;
#: HSE HSG195 *The event safety guide* plans open-air standing audiences at 0.5 m² (2 per
#: m², the density up to which G. K. Still's crowd-density levels keep a crowd moving
#: freely; 4 per m² is dense). Kindergartens: at least 10 m² of outdoor play area per place
#: (Thuringia ThürKitaG § 13 (1) 3; Munich's Kita quality standard of 2006; Deutsches
#: Kinderhilfswerk) and 2.5-3.5 m² of group room per child aged 3-6 (ThürKitaG § 13 (1) 2:
#: 2.5 m²; Munich: 3.5 m²); see ``KINDERGARTEN_INDOOR_M2_PER_CHILD``. Parks and playgrounds:
#: the lower bound of pedestrian level of service B (HCM; Fruin 1971: 3.7 m²), an
#: engineering estimate for a busy day. Places of worship: 1.0 m² of gross floor per seat
#: (the Table D1 seated factor; pews at 450 mm a person, Approved Document B, on about 40 %
#: of a church's footprint, the rest being aisles, chancel, walls and tower, give the same).
#: Schools: 6.5 m² of gross floor per place, the space standard of a secondary school in
#: England (DES, "A Study of School Building"; Hansard written answer of 23 June 1981),
#: pupils only (staff and visitors come on top; primary schools are denser). OSM's
#: ``capacity`` (and ``capacity:persons``, ``capacity:pupils``) wins over every estimate
#: where it is mapped.
CROWD_CAPACITY: dict[str, dict[str, object]] = {
    "square": {
        "ground": "open", "m2_per_person": 0.5,
        "source": "HSE HSG195 event safety guide: standing audience, 0.5 m²/person",
    },
    "pedestrian": {
        "ground": "open", "m2_per_person": 0.5,
        "source": "HSE HSG195 event safety guide: standing audience, 0.5 m²/person",
    },
    "marketplace": {
        "ground": "open", "m2_per_person": 0.7,
        "source": "Approved Document B vol. 2 Table D1: concourse, queuing area, 0.7 m²/person",
    },
    "park": {
        "ground": "open", "m2_per_person": 3.7,
        "source": "pedestrian level of service B (HCM; Fruin 1971), 3.7 m²/person (estimate)",
    },
    "playground": {
        "ground": "open", "m2_per_person": 3.7,
        "source": "pedestrian level of service B (HCM; Fruin 1971), 3.7 m²/person (estimate)",
    },
    "kindergarten": {
        "ground": "kindergarten", "m2_per_person": 10.0,
        "source": "Kita norms: 10 m² outdoor play area and 3 m² group room per child "
                  "(ThürKitaG § 13; Munich Kita standard)",
    },
    "school": {
        "ground": "floor", "m2_per_person": 6.5,
        "source": "DES secondary-school space standard: 6.5 m² gross floor per pupil "
                  "(Hansard, 23 June 1981)",
    },
    "station": {
        "ground": "hall", "m2_per_person": 0.7,
        "source": "Approved Document B vol. 2 Table D1: concourse, 0.7 m²/person",
    },
    "mall": {
        "ground": "floor", "m2_per_person": 2.0,
        "source": "Approved Document B vol. 2 Table D1: shop sales area, 2.0 m²/person",
    },
    "place_of_worship": {
        "ground": "hall", "m2_per_person": 1.0,
        "source": "Approved Document B vol. 2 Table D1: seated use, 1.0 m²/person",
    },
    "stadium": {
        "ground": "hall", "m2_per_person": 0.5,
        "source": "Approved Document B vol. 2 Table D1: assembly hall or concert venue, "
                  "0.5 m²/person (the Green Guide allows 0.21 m² on standing terraces only)",
    },
    "default": {
        "ground": "open", "m2_per_person": 3.7,
        "source": "pedestrian level of service B (HCM; Fruin 1971), 3.7 m²/person (estimate)",
    },
}  # fmt: skip

#: Group-room area per kindergarten child, m², applied to the floor area of the buildings
#: on the site (3 m²: between ThürKitaG § 13's 2.5 m² and Munich's 3.5 m² for children
#: aged 3-6). A kindergarten holds as many children as the tighter of its outdoor and
#: indoor norms allows; gross floor includes halls and kitchens, so the indoor bound is
#: generous and the outdoor one usually decides.
KINDERGARTEN_INDOOR_M2_PER_CHILD = 3.0

#: Open ground a kindergarten site must have for its outdoor norm to apply, m²: 100 m² is
#: the 10 m² per child of ``CROWD_CAPACITY`` for one group of ten; less is a sliver of an
#: outline drawn round the building, and the kindergarten counts as one without a yard
#: (common in inner cities), judged by its indoor norm alone.
KINDERGARTEN_MIN_YARD_M2 = 100.0

#: OSM tags read, in this order, for a mapped capacity of a site (people).
CAPACITY_TAGS = ("capacity", "capacity:persons", "capacity:pupils")

#: A site is listed as a soft target when it can hold at least this many people (UK
#: Terrorism (Protection of Premises) Act 2025, "Martyn's Law": duties start at 200 people,
#: the enhanced tier at 800; we list from the standard tier).
SOFT_TARGET_MIN_PERSONS = 200.0

#: Responder travel: a fixed start-up time plus the network distance at a cruising speed.
#: Kolesar (1975, Operations Research 23(4)) / RAND fire deployment studies: travel time
#: T = 0.65 min + 1.7 min/mile · D, i.e. 39 s plus 56.8 km/h. Slow street types are capped
#: (engineering estimate: emergency vehicles at walking-to-cycling pace in pedestrian
#: zones, living streets and service roads).
RESPONDER_START_S = 39.0
RESPONDER_SPEEDS_KMH = {
    "default": 56.8, "living_street": 20.0, "pedestrian": 15.0, "service": 20.0,
    "track": 20.0,
}  # fmt: skip

#: Emergency services and the OSM tags of their stations.
RESPONDER_SERVICES = {
    "police": {"amenity": "police"},
    "fire": {"amenity": "fire_station"},
    "ambulance": {"emergency": "ambulance_station", "amenity": "ambulance_station"},
}

# --------------------------------------------------------------------------------------
# Audit and scores (see cpted.audit)
# --------------------------------------------------------------------------------------

#: Weights of the principle scores in the combined ``cpted_score``. Equal by default: the
#: CPTED literature treats natural surveillance, access control, territoriality and
#: maintenance/lighting as complementary, with no agreed ranking (Cozens, Saville & Hillier
#: 2005, "Crime prevention through environmental design: a review and modern
#: bibliography", Property Management 23(5)). Vulnerability (hostile-vehicle) figures are
#: reported beside the score, not inside it: they answer a different question. Override
#: per audit with ``cpted.audit(area, weights={"lighting": 2})`` or a TOML file.
SCORE_WEIGHTS: dict[str, float] = {
    "sightlines": 1.0,
    "lighting": 1.0,
    "surveillance": 1.0,
    "access": 1.0,
}

#: A principle scoring at least this on a segment or site gets no recommendation there,
#: so the advice that matters is not drowned: 60 is where the map's score colours turn
#: green (the 60-80 and 80-100 bands). Prompts to map missing data are always given.
RECOMMEND_BELOW_SCORE = 60.0

#: Fewest points of the combined score that the parts a recommendation would improve must
#: have lost for it to be given: 3 of 100 is an eighth of one principle's share at equal
#: weights. Below that, the advice would not change the place's standing and only repeats.
RECOMMEND_MIN_POINTS = 3.0

#: Most design recommendations given per segment or site, those that would win most points
#: first: a planner acts on a short list (data and vulnerability prompts come on top).
RECOMMENDATIONS_PER_ROW = 3

#: Rows whose ``explanation`` and ``recommendations`` are written at a time
#: (:func:`cpted._explain.explanation_columns`). The points lost by every score part of a
#: row, with a sentence each, are a long table of about 25 rows per segment; written for a
#: whole city at once they were the largest transient of scoring a tiled audit (about
#: 440 MB for 56,000 segments). They take about 8 MB per 1,000 rows: on Helsinki 3 x 3
#: (31,653 segments) the caller's finishing peaks 0.24 GB higher with one chunk and 0.11 GB
#: with 20,000 rows than with 5,000, which hold about 40 MB, below the peak of merging the
#: tiles, and are as fast as any (1,000 rows were slower by 0.4 s). Any value gives the
#: same columns.
EXPLAIN_CHUNK_ROWS = 5000

#: A public space that is only a building outline (a school, a church, a station mapped as
#: its building) is judged by the street segments within this distance of it, metres: the
#: footway at its doors and the street beyond (about a frontage distance, Gehl 2010).
SITE_DOOR_DISTANCE = 25.0

#: Shortest segment listed among the weakest in the report and by
#: ``Audit.worst_segments``, metres: about 15 s of walking. Shorter pieces (steps, links
#: between footways at a junction) are fragments of a walk, not stretches to act on.
WORST_SEGMENT_MIN_LENGTH = 20.0

#: Surroundings kept around a site for ``cpted audit --site NAME``, metres: enough for a
#: vehicle's run-up (NPSA guidance considers approaches of a few hundred metres) and for
#: the sightline and lighting radii of the streets at its edge.
SITE_AUDIT_BUFFER = 300.0

#: Side of the square tiles a large area is audited in, metres (:mod:`cpted._tiles`). Each
#: tile is measured with a halo as wide as its principle's reach (``cpted._tiles.halos``):
#: 50 m for sightlines, 255 m for lighting, 535 m for access and, for the movement measures
#: only, 1.6 km of street network (their buildings and shops to 114 m), at the default
#: radii. So a 2 km tile is measured on boxes of buildings and lamps of 2.1 km a side for
#: sightlines, 2.5 km for lighting and 3.1 km for access (4.4, 6.3 and 9.5 km²) and on a
#: box of 5.2 km of street network for movement; each principle measures only the tile's
#: own rows in it. Measured on Helsinki copied 3 × 3 and 4 × 4 (``benchmarks/bench_scale.py``),
#: whose densest 2 km tile holds 7,892 segments, more than twice the whole sample: a worker
#: peaks at 0.9-1.0 GB resident memory (0.25 GB of it the libraries and the tile's data), under
#: the 3 GB issue 15 allows per worker. The samples fit in one tile, so they are audited
#: whole, as they always were; a smaller tile uses less memory and more time (each halo is
#: read again by its neighbours), a larger one the reverse.
TILE_SIZE_M = 2000.0

#: Size of an OSM file (MB of PBF or compressed XML; an uncompressed ``.osm`` counts a
#: tenth of its size) from which :func:`cpted.area_from_file` reads it in a fresh Python
#: process and takes back only the StudyArea (:mod:`cpted._apart`): what reading allocated
#: and freed then leaves with that process instead of staying in the caller's. Measured on
#: Helsinki copied 3 × 3 (a 6 MB PBF, issue 15): the caller holds 133 MB more after the
#: read instead of 317 MB; the child's start costs about 1.5 s of the 11 s read. ``None``
#: reads every file in the calling process.
READ_APART_MB: float | None = 2.0

#: How far a walk-audit observation point may lie from the segment it rates, metres. Phone
#: GPS is good to about 5 m in the open and 10-20 m between tall buildings (van Diggelen &
#: Enge 2015, "The world's first GPS MOOC and worldwide laboratory using smartphones",
#: ION GNSS+), and auditors stand on the footway, up to 10 m from a street's centre line.
FIELD_AUDIT_DISTANCE = 25.0

#: Largest difference between an observed rating and the computed score, on 0-100, at
#: which the two agree: one step of a 1-5 rating scale (25 points); on Safetipin's 0-3
#: scale a step is 33 points, so neighbouring ratings still count as different.
FIELD_AUDIT_AGREEMENT = 25.0

#: The computed score each walk-audit item is compared with (Safetipin's audit parameters:
#: lighting; openness = seeing around; visibility = being seen, eyes on the street;
#: people = others around; feeling = the overall judgement). Security (guards, police),
#: walk path (surface) and public transport are not measured from the map: None.
FIELD_AUDIT_SCORES: dict[str, str | None] = {
    "lighting": "lighting_score",
    "openness": "sightlines_score",
    "visibility": "surveillance_score",
    "people": "surveillance_score",
    "security": None,
    "walk_path": None,
    "transport": None,
    "feeling": "cpted_score",
}
