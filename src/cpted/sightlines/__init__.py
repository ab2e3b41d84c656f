"""
Sightlines: exact isovists, isovist measures and what CPTED reads from them.

An isovist (Benedikt 1979) is the area seen from one point. Natural surveillance depends
on it twice: what a person walking a street can see ahead and around, and who can see
them. :func:`isovist` and :func:`isovists` compute exact visibility polygons among
buildings and thin obstacles (walls, hedges) with a compiled angular sweep;
:class:`IsovistEngine` keeps the spatial index for repeated use.
:func:`segment_measures` reads, along every street segment, the isovists at face
distance (25 m) and recognition distance (50 m) and how far ahead a walker sees: the
``sightlines_score`` of the audit. :func:`vga` runs a visibility graph analysis of a
square or park on a grid (connectivity, integration [HH], clustering) as depthmapX does.
:func:`concealment_spots` finds ground beside the paths that a walker cannot see while
approaching it; :func:`site_measures` how much of each public space its paths see.
"""

from __future__ import annotations

from cpted.sightlines._concealment import concealment_spots
from cpted.sightlines._isovist import MEASURES, IsovistEngine, isovist, isovists
from cpted.sightlines._segments import (
    SEGMENT_COLUMNS,
    audit_part,
    obstacles,
    segment_measures,
    viewpoint_isovists,
)
from cpted.sightlines._sites import SITE_COLUMNS, site_measures
from cpted.sightlines._vga import VGA, VGA_MEASURES, vga

__all__ = [
    "MEASURES",
    "SEGMENT_COLUMNS",
    "SITE_COLUMNS",
    "VGA",
    "VGA_MEASURES",
    "IsovistEngine",
    "audit_part",
    "concealment_spots",
    "isovist",
    "isovists",
    "obstacles",
    "segment_measures",
    "site_measures",
    "vga",
    "viewpoint_isovists",
]
