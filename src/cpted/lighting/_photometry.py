"""Luminous intensity distributions: the default one and those read from photometric files.

A distribution is a table of luminous intensity in candela per 1000 lumens of lamp flux
(cd/klm) over C-planes (azimuth around the luminaire's vertical axis, degrees) and γ
angles (from the downward vertical, degrees), the "Type C" photometry of CIE 121 and
IES LM-63. Two file formats are read:

- EULUMDAT (``.ldt``), the European format (Stockmar, "EULUMDAT - ein Leuchtendaten-
  format für den europäischen Beleuchtungsplaner", Tagungsband Licht '90), line-based;
- IES LM-63 (``.ies``), the North American format (IESNA LM-63-1995/2002/2019).

The readers are tolerant (decimal commas, several values on one line, trailing blank
lines, CRLF endings, Latin-1 text) and raise :class:`cpted.InputError` naming the file
and the line when a file cannot be used.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cpted import settings
from cpted._errors import InputError

__all__ = [
    "Photometry",
    "default_photometry",
    "photometry_from_table",
    "read_ies",
    "read_ldt",
    "read_photometry",
]

_SYMMETRIES = ("full", "axial", "c0", "c90", "quadrant")


@dataclass(frozen=True, eq=False)
class Photometry:
    """
    A luminous intensity distribution in candela per 1000 lm, for Type C photometry.

    Build one with :func:`read_photometry`, :func:`read_ldt`, :func:`read_ies`,
    :func:`photometry_from_table` or :func:`default_photometry`.

    Attributes
    ----------
    name
        The luminaire's name, as the file gives it.
    c_angles
        C-plane angles in degrees, ascending, covering a full turn: the last angle is the
        first plus 360 and repeats its row, so interpolation never wraps.
    gamma_angles
        γ angles in degrees from the downward vertical (0 = nadir, 90 = horizontal),
        ascending.
    intensity_klm
        Luminous intensity in cd per 1000 lm of lamp flux, shape
        ``(len(c_angles), len(gamma_angles))``.
    symmetry
        ``"axial"`` (the same in every C-plane), ``"c0"`` (mirror about the C0-C180
        plane), ``"c90"`` (about C90-C270), ``"quadrant"`` (both) or ``"full"``.
    rated_flux_lm
        The lamp flux the file was measured for, lumens (None if the file does not say).
    source
        Where the distribution came from (a file path or ``"default"``).
    """

    name: str
    c_angles: NDArray[np.float64]
    gamma_angles: NDArray[np.float64]
    intensity_klm: NDArray[np.float64]
    symmetry: str = "full"
    rated_flux_lm: float | None = None
    source: str = ""
    _gamma_max: NDArray[np.float64] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        c = np.asarray(self.c_angles, dtype=float)
        g = np.asarray(self.gamma_angles, dtype=float)
        table = np.asarray(self.intensity_klm, dtype=float)
        if table.shape != (c.size, g.size):
            msg = (
                f"Photometry {self.name!r}: the intensity table has shape {table.shape}, "
                f"expected ({c.size}, {g.size}) for {c.size} C-planes and {g.size} γ angles."
            )
            raise InputError(msg)
        if c.size < 2 or np.any(np.diff(c) <= 0) or not math.isclose(c[-1] - c[0], 360.0):
            msg = (
                f"Photometry {self.name!r}: C angles must ascend and span exactly 360 degrees "
                f"(got {c[0]:g} to {c[-1]:g})."
            )
            raise InputError(msg)
        if g.size < 2 or np.any(np.diff(g) <= 0) or g[0] < 0 or g[-1] > 180:
            msg = (
                f"Photometry {self.name!r}: γ angles must ascend within 0-180 degrees "
                f"(got {g[0]:g} to {g[-1]:g})."
            )
            raise InputError(msg)
        if not np.all(np.isfinite(table)) or np.any(table < 0):
            msg = f"Photometry {self.name!r}: intensities must be finite and non-negative."
            raise InputError(msg)
        if self.symmetry not in _SYMMETRIES:
            msg = f"Photometry symmetry must be one of {_SYMMETRIES}, got {self.symmetry!r}."
            raise InputError(msg)
        for name, value in (("c_angles", c), ("gamma_angles", g), ("intensity_klm", table)):
            value.setflags(write=False)
            object.__setattr__(self, name, value)
        object.__setattr__(self, "_gamma_max", table.max(axis=0))

    @property
    def is_axial(self) -> bool:
        """True when the intensity does not depend on the C-plane."""
        return self.symmetry == "axial" or bool(np.all(self.intensity_klm == self.intensity_klm[0]))

    def intensity(self, c_deg: ArrayLike, gamma_deg: ArrayLike) -> NDArray[np.float64]:
        """
        Luminous intensity in cd/klm, interpolated bilinearly in C and γ.

        Parameters
        ----------
        c_deg
            C-plane angles in degrees (any value; wrapped to a full turn).
        gamma_deg
            Angles from the downward vertical in degrees. Outside the table's γ range the
            intensity is 0.

        Returns
        -------
        numpy.ndarray
            Intensity in cd per 1000 lm, broadcast shape of the inputs.
        """
        c, g = np.broadcast_arrays(np.asarray(c_deg, dtype=float), np.asarray(gamma_deg, float))
        if self.is_axial:
            return self.intensity_axial(g)
        ca, ga, t = self.c_angles, self.gamma_angles, self.intensity_klm
        c = np.mod(c - ca[0], 360.0) + ca[0]
        ic = np.clip(np.searchsorted(ca, c, side="right") - 1, 0, ca.size - 2)
        tc = (c - ca[ic]) / (ca[ic + 1] - ca[ic])
        inside = (g >= ga[0]) & (g <= ga[-1])
        ig = np.clip(np.searchsorted(ga, g, side="right") - 1, 0, ga.size - 2)
        tg = np.clip((g - ga[ig]) / (ga[ig + 1] - ga[ig]), 0.0, 1.0)
        value = (
            (1 - tc) * (1 - tg) * t[ic, ig]
            + (1 - tc) * tg * t[ic, ig + 1]
            + tc * (1 - tg) * t[ic + 1, ig]
            + tc * tg * t[ic + 1, ig + 1]
        )
        return np.where(inside, value, 0.0)

    def intensity_axial(self, gamma_deg: ArrayLike) -> NDArray[np.float64]:
        """Intensity in cd/klm in the C0 plane only (exact for axial distributions)."""
        g = np.asarray(gamma_deg, dtype=float)
        ga = self.gamma_angles
        value = np.interp(g, ga, self.intensity_klm[0])
        return np.where((g >= ga[0]) & (g <= ga[-1]), value, 0.0)

    def max_over_c(self, gamma_deg: ArrayLike) -> NDArray[np.float64]:
        """Largest intensity over all C-planes at each γ, cd/klm (bounds the light reach)."""
        g = np.asarray(gamma_deg, dtype=float)
        ga = self.gamma_angles
        value = np.interp(g, ga, self._gamma_max)
        return np.where((g >= ga[0]) & (g <= ga[-1]), value, 0.0)

    def flux_klm(self, *, downward_only: bool = False) -> float:
        """
        Luminous flux the distribution emits per 1000 lm of lamp flux, lumens.

        Integrates I(C, γ) sin γ dγ dC numerically (midpoint rule on 0.5° × 0.25° cells).
        For a luminaire that loses no light this is 1000; its ratio to 1000 is the light
        output ratio (LOR) of CIE 84.
        """
        g_top = 90.0 if downward_only else 180.0
        g = np.arange(0.125, g_top, 0.25)
        c = np.arange(0.25, 360.0, 0.5)
        if self.is_axial:
            ring = self.intensity_axial(g) * np.sin(np.radians(g))
            return float(2 * np.pi * ring.sum() * np.radians(0.25))
        cc, gg = np.meshgrid(c, g, indexing="ij")
        vals = self.intensity(cc, gg) * np.sin(np.radians(gg))
        return float(vals.sum() * np.radians(0.25) * np.radians(0.5))


# --------------------------------------------------------------------------------------
# Building a distribution from stored planes and a symmetry
# --------------------------------------------------------------------------------------


def _fold(c: NDArray[np.float64], symmetry: str) -> NDArray[np.float64]:
    """Map any C angle into the domain of the stored planes of ``symmetry``."""
    c = np.mod(c, 360.0)
    if symmetry == "c0":  # stored 0..180, I(C) = I(360 - C)
        return np.where(c <= 180.0, c, 360.0 - c)
    if symmetry == "c90":  # stored 90..270, I(C) = I(180 - C)
        return np.where((c >= 90.0) & (c <= 270.0), c, np.mod(180.0 - c, 360.0))
    if symmetry == "quadrant":  # stored 0..90
        half = np.where(c <= 180.0, c, 360.0 - c)
        return np.where(half <= 90.0, half, 180.0 - half)
    return c


def _mirrors(c: NDArray[np.float64], symmetry: str) -> NDArray[np.float64]:
    """All angles in [0, 360) that share the intensity of the stored angles ``c``."""
    if symmetry == "c0":
        out = np.concatenate([c, 360.0 - c])
    elif symmetry == "c90":
        out = np.concatenate([c, 180.0 - c])
    elif symmetry == "quadrant":
        out = np.concatenate([c, 180.0 - c, 180.0 + c, 360.0 - c])
    else:
        out = c
    out = np.round(np.mod(out, 360.0), 9)
    return np.unique(np.mod(out, 360.0))


def photometry_from_table(
    c_angles: ArrayLike,
    gamma_angles: ArrayLike,
    intensity_klm: ArrayLike,
    *,
    symmetry: str = "full",
    name: str = "",
    rated_flux_lm: float | None = None,
    source: str = "",
) -> Photometry:
    """
    Build a :class:`Photometry` from stored C-planes and a symmetry.

    Parameters
    ----------
    c_angles
        Angles of the stored C-planes, degrees: one angle for ``"axial"``, 0-180 for
        ``"c0"``, 90-270 for ``"c90"``, 0-90 for ``"quadrant"``, a full turn for
        ``"full"``.
    gamma_angles
        γ angles in degrees from the downward vertical, ascending.
    intensity_klm
        Intensity in cd per 1000 lm, one row per stored C-plane.
    symmetry
        How the stored planes extend to a full turn (see :class:`Photometry`).
    name, rated_flux_lm, source
        Copied onto the result.

    Returns
    -------
    Photometry
    """
    c = np.atleast_1d(np.asarray(c_angles, dtype=float))
    g = np.asarray(gamma_angles, dtype=float)
    t = np.atleast_2d(np.asarray(intensity_klm, dtype=float))
    label = name or source or "table"
    if t.shape != (c.size, g.size):
        msg = (
            f"Photometry {label!r}: {t.shape[0]} rows of {t.shape[1]} intensities do not "
            f"match {c.size} C-planes and {g.size} γ angles."
        )
        raise InputError(msg)
    if symmetry not in _SYMMETRIES:
        msg = f"Photometry symmetry must be one of {_SYMMETRIES}, got {symmetry!r}."
        raise InputError(msg)
    if symmetry == "axial":
        row = t[0]
        return Photometry(
            name=name,
            c_angles=np.array([0.0, 360.0]),
            gamma_angles=g,
            intensity_klm=np.vstack([row, row]),
            symmetry="axial",
            rated_flux_lm=rated_flux_lm,
            source=source,
        )
    if symmetry == "full":
        order = np.argsort(c)
        c, t = c[order], t[order]
        if np.any(np.diff(c) <= 0):
            msg = f"Photometry {label!r}: C angles repeat ({c.tolist()})."
            raise InputError(msg)
        if c[-1] - c[0] >= 360.0 - 1e-9:  # a file that lists both 0 and 360
            c, t = c[:-1], t[:-1]
        return Photometry(
            name=name,
            c_angles=np.append(c, c[0] + 360.0),
            gamma_angles=g,
            intensity_klm=np.vstack([t, t[:1]]),
            symmetry="full",
            rated_flux_lm=rated_flux_lm,
            source=source,
        )
    order = np.argsort(c)
    c, t = c[order], t[order]
    full = _mirrors(c, symmetry)
    folded = _fold(full, symmetry)
    # interpolate between stored planes (exact at the stored angles and their mirrors)
    idx = np.clip(np.searchsorted(c, folded, side="right") - 1, 0, max(c.size - 2, 0))
    if c.size == 1:
        table = np.repeat(t[:1], full.size, axis=0)
    else:
        w = np.clip((folded - c[idx]) / (c[idx + 1] - c[idx]), 0.0, 1.0)[:, None]
        table = (1 - w) * t[idx] + w * t[idx + 1]
    return Photometry(
        name=name,
        c_angles=np.append(full, full[0] + 360.0),
        gamma_angles=g,
        intensity_klm=np.vstack([table, table[:1]]),
        symmetry=symmetry,
        rated_flux_lm=rated_flux_lm,
        source=source,
    )


# --------------------------------------------------------------------------------------
# The default distribution
# --------------------------------------------------------------------------------------

_DEFAULT_CACHE: dict[tuple[tuple[float, float], ...], Photometry] = {}


def default_photometry() -> Photometry:
    """
    Return the distribution used for lamps without a photometric file.

    Rotationally symmetric, shaped by ``settings.DEFAULT_INTENSITY_SHAPE`` and normalised
    so that it emits exactly 1000 lm per 1000 lm of lamp flux (a light output ratio of 1,
    as LED luminaires are rated in luminaire lumens). See that setting for the shape and
    its justification.

    Returns
    -------
    Photometry
    """
    shape = tuple((float(g), float(i)) for g, i in settings.DEFAULT_INTENSITY_SHAPE)
    cached = _DEFAULT_CACHE.get(shape)
    if cached is not None:
        return cached
    arr = np.asarray(shape, dtype=float)
    if arr.ndim != 2 or arr.shape[1] != 2 or arr.shape[0] < 2 or np.any(arr[:, 1] < 0):
        msg = (
            "settings.DEFAULT_INTENSITY_SHAPE must be (γ degrees, relative intensity) "
            "pairs with non-negative intensities."
        )
        raise InputError(msg)
    raw = photometry_from_table([0.0], arr[:, 0], arr[None, :, 1], symmetry="axial")
    flux = raw.flux_klm()
    if flux <= 0:
        msg = "settings.DEFAULT_INTENSITY_SHAPE emits no light; give it positive intensities."
        raise InputError(msg)
    photometry = photometry_from_table(
        [0.0],
        arr[:, 0],
        arr[None, :, 1] * (1000.0 / flux),
        symmetry="axial",
        name="cpted default street lantern",
        source="default",
    )
    _DEFAULT_CACHE[shape] = photometry
    return photometry


# --------------------------------------------------------------------------------------
# Readers
# --------------------------------------------------------------------------------------

_FLOAT = re.compile(r"^[-+]?(\d+([.,]\d*)?|[.,]\d+)([eE][-+]?\d+)?$")


def _lines(path: Path) -> list[str]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        msg = f"Cannot read photometric file {str(path)!r}: {exc.strerror or exc}."
        raise InputError(msg) from exc
    text = raw.decode("utf-8") if _is_utf8(raw) else raw.decode("latin-1")
    return text.lstrip("\ufeff").splitlines()


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _number(token: str, *, path: Path, line: int, what: str) -> float:
    text = token.strip()
    if not _FLOAT.match(text):
        msg = (
            f"{path.name}, line {line}: expected a number for {what}, found {token.strip()!r}. "
            "Check that the file is complete and in the right format."
        )
        raise InputError(msg)
    return float(text.replace(",", "."))


class _Tokens:
    """Numbers from a run of lines, remembering the line each came from."""

    def __init__(self, lines: list[str], first_line: int, path: Path) -> None:
        self.path = path
        self.tokens: list[tuple[str, int]] = []
        for offset, text in enumerate(lines):
            for tok in text.replace(";", " ").split():
                self.tokens.append((tok, first_line + offset))
        self.pos = 0
        self.last_line = first_line + len(lines) - 1

    def take(self, n: int, what: str) -> NDArray[np.float64]:
        if self.pos + n > len(self.tokens):
            have = len(self.tokens) - self.pos
            msg = (
                f"{self.path.name}, line {self.last_line}: the file ends early; expected {n} "
                f"values for {what}, found {have}."
            )
            raise InputError(msg)
        out = np.array(
            [
                _number(tok, path=self.path, line=line, what=what)
                for tok, line in self.tokens[self.pos : self.pos + n]
            ]
        )
        self.pos += n
        return out

    def line(self) -> int:
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) else self.last_line


def read_ldt(path: str | Path) -> Photometry:
    """
    Read a EULUMDAT (``.ldt``) photometric file.

    Handles the five symmetry indicators Isym 0-4 (none, vertical axis, C0-C180 plane,
    C90-C270 plane, both planes), applies the conversion factor of line 24, and takes the
    rated lamp flux from the first lamp set (line 26c). Following the format, the planes
    stored for Isym 3 run from C270 through C0 to C90 (planes ``3 Mc/4 + 1`` to
    ``3 Mc/4 + 1 + Mc/2``).

    Parameters
    ----------
    path
        The ``.ldt`` file.

    Returns
    -------
    Photometry
        Intensities in cd per 1000 lm of lamp flux.

    Raises
    ------
    cpted.InputError
        If the file cannot be read or a line does not hold what the format says, naming
        the line.
    """
    path = Path(path)
    lines = _lines(path)
    if len(lines) < 26:
        msg = (
            f"{path.name}: only {len(lines)} lines; a EULUMDAT file has at least 26 header "
            "lines. Is this really a .ldt file?"
        )
        raise InputError(msg)

    def header(line: int, what: str) -> float:
        text = lines[line - 1].strip()
        return _number(text or "<empty>", path=path, line=line, what=what)

    def integer(line: int, what: str, low: int, high: int) -> int:
        value = header(line, what)
        if not math.isfinite(value) or value != int(value) or not low <= value <= high:
            msg = (
                f"{path.name}, line {line}: {what} must be a whole number in {low}-{high}, "
                f"found {value:g}."
            )
            raise InputError(msg)
        return int(value)

    isym = integer(3, "the symmetry indicator Isym", 0, 4)
    mc = integer(4, "the number of C-planes Mc", 1, 3600)
    ng = integer(6, "the number of intensities per C-plane Ng", 2, 10000)
    quarter = {2: 2, 3: 4, 4: 4}.get(isym, 1)
    if mc % quarter:
        msg = (
            f"{path.name}, line 4: Mc = {mc} C-planes cannot hold symmetry Isym = {isym}; "
            f"it must be a multiple of {quarter}."
        )
        raise InputError(msg)
    name = lines[8].strip() or lines[0].strip()
    conversion = header(24, "the conversion factor of intensities")
    if conversion <= 0:
        conversion = 1.0
    n_sets = integer(26, "the number of lamp sets n", 0, 1000)
    if len(lines) < 26 + 6 * n_sets:
        msg = f"{path.name}: the file ends inside the {n_sets} lamp set(s) announced on line 26."
        raise InputError(msg)
    rated: float | None = None
    if n_sets:
        flux = header(26 + 2 * n_sets + 1, "the total luminous flux of the lamps (26c)")
        count = header(26 + 1, "the number of lamps (26a)")
        rated = flux if flux > 0 else None
        del count  # the flux of 26c is already the total of the set
    first = 26 + 6 * n_sets + 1
    tokens = _Tokens(lines[first - 1 :], first, path)
    tokens.take(10, "the direct ratios (line 27)")
    c_line = tokens.line()
    c_all = tokens.take(mc, f"the {mc} C angles")
    g_line = tokens.line()
    gammas = tokens.take(ng, f"the {ng} γ angles")
    if np.any(np.diff(c_all) <= 0) or c_all[0] < 0 or c_all[-1] >= 360.0 + 1e-9:
        msg = f"{path.name}, line {c_line}: C angles must ascend from 0 and stay below 360."
        raise InputError(msg)
    if np.any(np.diff(gammas) <= 0) or gammas[0] < 0 or gammas[-1] > 180:
        msg = f"{path.name}, line {g_line}: γ angles must ascend within 0-180 degrees."
        raise InputError(msg)
    if isym == 1:
        index = np.array([0])
    elif isym == 0:
        index = np.arange(mc)
    else:
        if isym == 2:
            index = np.arange(mc // 2 + 1)
        elif isym == 3:
            index = np.arange(3 * mc // 4, 3 * mc // 4 + mc // 2 + 1) % mc
        else:
            index = np.arange(mc // 4 + 1)
    data_line = tokens.line()
    values = tokens.take(index.size * ng, f"{index.size} C-planes of {ng} intensities")
    if np.any(values < 0):
        bad = int(np.argmax(values < 0))
        line = tokens.tokens[tokens.pos - values.size + bad][1]
        msg = f"{path.name}, line {line}: luminous intensity cannot be negative ({values[bad]:g})."
        raise InputError(msg)
    table = values.reshape(index.size, ng) * conversion
    stored_c = c_all[index]
    symmetry = {0: "full", 1: "axial", 2: "c0", 3: "c90", 4: "quadrant"}[isym]
    if isym == 3:  # stored C270..C360/C0..C90: use the mirror half C90..C270 instead
        stored_c = np.mod(180.0 - stored_c, 360.0)
    elif isym == 2 and not math.isclose(stored_c[-1], 180.0):
        msg = f"{path.name}, line {data_line}: Isym = 2 needs planes from C0 to C180."
        raise InputError(msg)
    return photometry_from_table(
        stored_c,
        gammas,
        table,
        symmetry=symmetry,
        name=name,
        rated_flux_lm=rated,
        source=str(path),
    )


def read_ies(path: str | Path) -> Photometry:
    """
    Read an IES LM-63 (``.ies``) photometric file with Type C photometry.

    Candela values are multiplied by the candela multiplier and the ballast factor and
    divided by the rated lamp lumens to give cd per 1000 lm. For absolute photometry
    (lumens per lamp = -1, as for LED luminaires) the rated flux is the flux the
    distribution itself emits. Symmetry follows from the horizontal angles (last angle 0:
    axial; 90: quadrant; 180: about C0-C180; 90 to 270: about C90-C270; 360: none). TILT
    data is skipped: cpted assumes luminaires are mounted as measured.

    Parameters
    ----------
    path
        The ``.ies`` file.

    Returns
    -------
    Photometry

    Raises
    ------
    cpted.InputError
        If the file cannot be read, is not Type C, or a value is missing or malformed,
        naming the line.
    """
    path = Path(path)
    lines = _lines(path)
    keywords: dict[str, str] = {}
    tilt_line = None
    for i, text in enumerate(lines):
        stripped = text.strip()
        if stripped.upper().startswith("TILT"):
            tilt_line = i
            break
        match = re.match(r"^\[(\w+)\]\s*(.*)$", stripped)
        if match:
            keywords.setdefault(match.group(1).upper(), match.group(2).strip())
    if tilt_line is None:
        msg = (
            f"{path.name}: no TILT= line; an IES LM-63 file has one before its photometric "
            "data. Is this really a .ies file?"
        )
        raise InputError(msg)
    tilt = lines[tilt_line].split("=", 1)[-1].strip().upper()
    tokens = _Tokens(lines[tilt_line + 1 :], tilt_line + 2, path)
    if tilt == "INCLUDE":
        tokens.take(1, "the lamp-to-luminaire geometry of the TILT data")
        n_tilt = int(tokens.take(1, "the number of tilt angles")[0])
        tokens.take(2 * n_tilt, "the tilt angles and factors")
    head_line = tokens.line()
    head = tokens.take(10, "the ten values of the first photometric line")
    n_lamps, lumens, multiplier, n_v, n_h, p_type = head[:6]
    ballast = tokens.take(3, "ballast factor, ballast-lamp factor and input watts")[0]
    if n_v != int(n_v) or n_h != int(n_h) or n_v < 2 or n_h < 1:
        msg = (
            f"{path.name}, line {head_line}: the numbers of vertical ({n_v:g}) and "
            f"horizontal ({n_h:g}) angles must be whole numbers, at least 2 and 1."
        )
        raise InputError(msg)
    if int(p_type) != 1:
        kind = {2: "B", 3: "A"}.get(int(p_type), f"{p_type:g}")
        msg = (
            f"{path.name}, line {head_line}: photometric type {kind}; cpted reads Type C "
            "photometry (street and area luminaires) only."
        )
        raise InputError(msg)
    v_line = tokens.line()
    vertical = tokens.take(int(n_v), f"the {int(n_v)} vertical angles")
    h_line = tokens.line()
    horizontal = tokens.take(int(n_h), f"the {int(n_h)} horizontal angles")
    cd = tokens.take(int(n_v) * int(n_h), f"{int(n_h)} × {int(n_v)} candela values")
    if np.any(np.diff(vertical) <= 0) or vertical[0] < 0 or vertical[-1] > 180:
        msg = f"{path.name}, line {v_line}: vertical angles must ascend within 0-180 degrees."
        raise InputError(msg)
    if np.any(np.diff(horizontal) <= 0):
        msg = f"{path.name}, line {h_line}: horizontal angles must ascend."
        raise InputError(msg)
    if np.any(cd < 0):
        msg = f"{path.name}: candela values cannot be negative (found {cd.min():g})."
        raise InputError(msg)
    first, last = horizontal[0], horizontal[-1]
    if horizontal.size == 1 or (first == 0 and last == 0):
        symmetry = "axial"
    elif first == 0 and math.isclose(last, 90):
        symmetry = "quadrant"
    elif first == 0 and math.isclose(last, 180):
        symmetry = "c0"
    elif math.isclose(first, 90) and math.isclose(last, 270):
        symmetry = "c90"
    elif math.isclose(last - first, 360) or last - first < 360:
        symmetry = "full"
    else:
        msg = f"{path.name}, line {h_line}: horizontal angles span more than 360 degrees."
        raise InputError(msg)
    if symmetry == "full" and not math.isclose(last - first, 360):
        msg = (
            f"{path.name}, line {h_line}: horizontal angles {first:g}-{last:g} match no "
            "LM-63 symmetry (last angle 0, 90, 180 or 360, or 90 to 270)."
        )
        raise InputError(msg)
    factor = multiplier * (ballast if ballast > 0 else 1.0)
    table = cd.reshape(int(n_h), int(n_v)) * factor
    name = keywords.get("LUMINAIRE") or keywords.get("LUMCAT") or path.stem
    provisional = photometry_from_table(horizontal, vertical, table, symmetry=symmetry)
    if lumens > 0 and n_lamps > 0:
        rated = float(n_lamps * lumens)
    else:  # absolute photometry: the distribution itself says how much light there is
        rated = provisional.flux_klm()
        if rated <= 0:
            msg = f"{path.name}: absolute photometry whose candela values are all 0."
            raise InputError(msg)
    return photometry_from_table(
        horizontal,
        vertical,
        table * (1000.0 / rated),
        symmetry=symmetry,
        name=name,
        rated_flux_lm=rated,
        source=str(path),
    )


_READ_CACHE: dict[tuple[str, float], Photometry] = {}


def read_photometry(path: str | Path) -> Photometry:
    """
    Read a photometric file, EULUMDAT (``.ldt``) or IES LM-63 (``.ies``), by its suffix.

    Files are read once per modification time and cached.

    Parameters
    ----------
    path
        The file.

    Returns
    -------
    Photometry

    Raises
    ------
    cpted.InputError
        If the suffix is neither, or the file cannot be used.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in {".ldt", ".ies"}:
        msg = (
            f"Photometric file {str(path)!r} is neither EULUMDAT (.ldt) nor IES LM-63 (.ies); "
            "rename it with the right suffix or convert it."
        )
        raise InputError(msg)
    try:
        key = (str(path.resolve()), path.stat().st_mtime)
    except OSError as exc:
        msg = f"Cannot read photometric file {str(path)!r}: {exc.strerror or exc}."
        raise InputError(msg) from exc
    cached = _READ_CACHE.get(key)
    if cached is None:
        cached = read_ldt(path) if suffix == ".ldt" else read_ies(path)
        _READ_CACHE[key] = cached
    return cached
