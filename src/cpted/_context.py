"""
What several principles share, built once per audit and handed to each of them.

The obstacles that block sight and cast shadows, the isovist engine over them, and the lamp
table with its defaults (and the kernel table and isovists of the lamps) are the same for
sightlines, lighting and surveillance. :func:`cpted.audit` builds one
:class:`AuditContext` and passes it to every principle's ``audit_part``; a principle's
public functions build what they need themselves when called without one. Nothing is
cached across audits, so a scenario (a changed copy of an area) is never measured with the
parts of another.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

    from cpted.area import StudyArea
    from cpted.sightlines import IsovistEngine

__all__ = ["AuditContext"]


@dataclass
class AuditContext:
    """
    The shared parts of one audit of ``area``, each made on first use and then kept.

    Attributes
    ----------
    area
        The audited StudyArea.
    keep_inputs
        Keep the per-row inputs of the measures that take statistics of the whole area
        (the lighting estimate), for a tiled audit to finish over all tiles
        (:mod:`cpted._tiles`).
    rows
        The rows the caller keeps, ``(segments, sites)`` as index labels of
        ``area.streets`` and ``area.sites``; None keeps all. A tiled audit keeps only the
        rows its tile owns, so a principle may measure just those (with every feature of
        the area around them) and return tables that hold at least them, with the values
        an audit of all rows gives.
    """

    area: StudyArea
    keep_inputs: bool = False
    #: The context whose obstacles and isovist engine this one uses: in a tiled audit each
    #: principle measures its own part of the tile, but all of them share one engine built
    #: on the tile's widest part (more walls far away change no isovist within a radius).
    shares: AuditContext | None = None
    rows: tuple[pd.Index, pd.Index] | None = None
    _made: dict[str, Any] = field(default_factory=dict, repr=False)

    def _once(self, name: str, make: Any) -> Any:
        if name not in self._made:
            self._made[name] = make()
        return self._made[name]

    @property
    def obstacles(self) -> gpd.GeoSeries:
        """Buildings and opaque barriers (:func:`cpted.sightlines.obstacles`)."""
        from cpted.sightlines import obstacles

        if self.shares is not None:
            return self.shares.obstacles
        return self._once("obstacles", lambda: obstacles(self.area))

    @property
    def engine(self) -> IsovistEngine:
        """The isovist engine over :attr:`obstacles`, for every isovist of the audit."""
        from cpted.sightlines import IsovistEngine

        if self.shares is not None:
            return self.shares.engine
        return self._once("engine", lambda: IsovistEngine(self.obstacles))

    @property
    def lamps(self) -> gpd.GeoDataFrame:
        """The lamps with their defaults (:func:`cpted.lighting.lamps_with_defaults`)."""
        return self.lighting[0]

    @property
    def lighting(self) -> tuple[Any, Any, Any]:
        """Lamps with defaults, their kernel table and their isovists (shadows on)."""
        from cpted.lighting import _make_lighting

        return self._once("lighting", lambda: _make_lighting(self.area, context=self))
