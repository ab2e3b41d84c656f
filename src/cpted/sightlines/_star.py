"""Point-in-isovist tests that use the isovist's star shape (compiled).

An isovist is star-shaped around its origin and its ring runs counter-clockwise, so a
point is inside exactly when it is no farther from the origin than the boundary in its
own direction. A binary search over the angles of the ring's vertices finds the boundary
edge in that direction: O(log m) per point instead of O(m) for a general polygon.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

TWO_PI = 2.0 * math.pi


@njit(cache=True)
def ring_angles(px: np.ndarray, py: np.ndarray) -> tuple[float, np.ndarray]:
    """Direction of the first vertex and every vertex's angle from it, in [0, 2 pi]."""
    m = px.shape[0]
    theta0 = math.atan2(py[0], px[0])
    ang = np.empty(m)
    for k in range(m):
        t = math.atan2(py[k], px[k]) - theta0
        t -= TWO_PI * math.floor(t / TWO_PI)
        if t > TWO_PI - 1e-9:
            t = 0.0  # a vertex on the start direction, rounded below a full turn
        ang[k] = t
    ang[0] = 0.0
    ang[m - 1] = TWO_PI
    for k in range(1, m):  # rounding must not break the order
        if ang[k] < ang[k - 1]:
            ang[k] = ang[k - 1]
    return theta0, ang


@njit(cache=True)
def all_ring_angles(ring: np.ndarray, ring_start: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`ring_angles` of every ring at once: the start directions and the angles."""
    n = ring_start.shape[0] - 1
    theta0 = np.zeros(n)
    ang = np.zeros(ring.shape[0])
    for v in range(n):
        a = ring_start[v]
        b = ring_start[v + 1]
        if b - a < 4:
            continue
        t0, ang_v = ring_angles(ring[a:b, 0], ring[a:b, 1])
        theta0[v] = t0
        ang[a:b] = ang_v
    return theta0, ang


@njit(cache=True)
def star_inside(
    px: np.ndarray,
    py: np.ndarray,
    ang: np.ndarray,
    theta0: float,
    qx: float,
    qy: float,
    tol: float,
) -> bool:
    """Whether (qx, qy) (relative to the origin) lies in the ring, up to a relative tol."""
    m = px.shape[0]
    if qx == 0.0 and qy == 0.0:
        return True
    phi = math.atan2(qy, qx) - theta0
    phi -= TWO_PI * math.floor(phi / TWO_PI)
    k = int(np.searchsorted(ang, phi, side="right")) - 1
    k = min(max(k, 0), m - 2)
    ex = px[k + 1] - px[k]
    ey = py[k + 1] - py[k]
    den = qx * ey - qy * ex
    if den == 0.0:
        return False
    t = (px[k] * ey - py[k] * ex) / den  # the boundary lies at q * t
    return t >= 1.0 - tol


@njit(cache=True)
def sightlines_ahead(
    line_x: np.ndarray,
    line_y: np.ndarray,
    line_start: np.ndarray,
    owner: np.ndarray,
    position: np.ndarray,
    sign: float,
    ox: np.ndarray,
    oy: np.ndarray,
    ring: np.ndarray,
    ring_start: np.ndarray,
    step: float,
    n_steps: int,
) -> np.ndarray:
    """
    Length of path seen without a break ahead of each viewpoint, metres.

    Viewpoint v stands at ``position[v]`` metres along line ``owner[v]`` (vertices
    ``line_start[o]:line_start[o + 1]`` of ``line_x, line_y``) and walks towards its end
    (``sign`` 1) or its start (-1); past the end the path goes on straight along the last
    piece. Points every ``step`` are tested against the viewpoint's isovist (vertices
    ``ring_start[v]:ring_start[v + 1]`` of ``ring``, relative to (ox, oy)); the result
    is ``step`` times the number seen before the first hidden one, NaN without a ring.
    """
    n = owner.shape[0]
    out = np.full(n, np.nan)
    for v in range(n):
        a = ring_start[v]
        b = ring_start[v + 1]
        if b - a < 4:
            continue
        px = ring[a:b, 0]
        py = ring[a:b, 1]
        theta0, ang = ring_angles(px, py)
        o = owner[v]
        s0 = line_start[o]
        s1 = line_start[o + 1]
        nv = s1 - s0
        cum = np.empty(nv)
        cum[0] = 0.0
        for i in range(1, nv):
            cum[i] = cum[i - 1] + math.hypot(
                line_x[s0 + i] - line_x[s0 + i - 1], line_y[s0 + i] - line_y[s0 + i - 1]
            )
        total = cum[nv - 1]
        seen = 0
        i = 0
        for k in range(1, n_steps + 1):
            q = position[v] + sign * k * step
            if q <= 0.0:
                dx = line_x[s0 + 1] - line_x[s0]
                dy = line_y[s0 + 1] - line_y[s0]
                d = max(math.hypot(dx, dy), 1e-12)
                x = line_x[s0] + q * dx / d
                y = line_y[s0] + q * dy / d
            elif q >= total:
                dx = line_x[s1 - 1] - line_x[s1 - 2]
                dy = line_y[s1 - 1] - line_y[s1 - 2]
                d = max(math.hypot(dx, dy), 1e-12)
                x = line_x[s1 - 1] + (q - total) * dx / d
                y = line_y[s1 - 1] + (q - total) * dy / d
            else:
                i = min(max(i, 0), nv - 2)
                while i < nv - 2 and cum[i + 1] < q:
                    i += 1
                while i > 0 and cum[i] > q:
                    i -= 1
                piece = cum[i + 1] - cum[i]
                f = (q - cum[i]) / piece if piece > 0.0 else 0.0
                x = line_x[s0 + i] + f * (line_x[s0 + i + 1] - line_x[s0 + i])
                y = line_y[s0 + i] + f * (line_y[s0 + i + 1] - line_y[s0 + i])
            # Relative tolerance 1e-4: a point at the range limit is not lost between the
            # arc's chords (their sagitta is below 1e-5 of the radius).
            if not star_inside(px, py, ang, theta0, x - ox[v], y - oy[v], 1e-4):
                break
            seen = k
        out[v] = seen * step
    return out
