"""
Sightlines: exact isovists, isovist measures and what CPTED reads from them.

An isovist (Benedikt 1979) is the area seen from one point. Natural surveillance depends
on it twice: what a person walking a street can see ahead and around, and who can see
them. :func:`isovist` and :func:`isovists` compute exact visibility polygons among
buildings and thin obstacles (walls, hedges) with a compiled angular sweep;
:class:`IsovistEngine` keeps the spatial index for repeated use.
"""

from __future__ import annotations

from cpted.sightlines._isovist import MEASURES, IsovistEngine, isovist, isovists

__all__ = ["MEASURES", "IsovistEngine", "isovist", "isovists"]
