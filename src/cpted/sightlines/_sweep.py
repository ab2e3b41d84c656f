"""Compiled kernels of the exact isovist: a uniform grid of segments and an angular sweep.

Everything here works on plain float arrays in a local frame (coordinates minus the lower
left corner of the obstacles), so numba can compile it. The public functions in
:mod:`cpted.sightlines._isovist` prepare the arrays and turn the output into shapely
geometry.

The sweep
---------
The obstacles are given as wall segments that meet only at their endpoints (the engine
nodes them first). Seen from the origin, each segment covers an angular interval. Sorting
the endpoint angles (and the angles where segments cross the range circle, and the edges of
the field of view) cuts the view into wedges. Inside one wedge no segment starts, ends or
leaves the range, and because segments never cross, their order in depth stays the same:
the nearest segment of the wedge's middle ray is the nearest for every ray of the wedge.
The isovist boundary over the wedge is therefore the piece of that segment between the two
edge rays, or an arc of the range circle when nothing is nearer than the range. The set of
segments that cover the current angle (the "active" set) is updated at each event, so the
whole sweep costs O(n log n + w a) for n segments, w wedges and a active segments per wedge.
No result depends on a number of rays.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

TWO_PI = 2.0 * math.pi

# Events of the sweep.
_ADD = 0
_REMOVE = 1
_SPLIT = 2

# Kinds of wedge in the ring bookkeeping.
_NONE = -3
_ARC = -1

# Wedges narrower than this (radians) are skipped: they come from angles equal up to
# rounding (a field-of-view edge through a corner), hold at most r^2 * 5e-13 of area, and
# would only leave needle-thin spikes that make the polygon invalid.
_MIN_WEDGE = 1e-12

# Search radius beyond which an origin counts as unbounded (the frame failed to close it).
_MAX_SEARCH = 1.0e8


@njit(cache=True)
def grid_build(
    x0: np.ndarray,
    y0: np.ndarray,
    x1: np.ndarray,
    y1: np.ndarray,
    cell: float,
    nx: int,
    ny: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Bucket segments into the cells their bounding box touches (CSR arrays)."""
    n = x0.shape[0]
    counts = np.zeros(nx * ny + 1, dtype=np.int64)
    for k in range(n):
        i0 = min(max(math.floor(min(x0[k], x1[k]) / cell), 0), nx - 1)
        i1 = min(max(math.floor(max(x0[k], x1[k]) / cell), 0), nx - 1)
        j0 = min(max(math.floor(min(y0[k], y1[k]) / cell), 0), ny - 1)
        j1 = min(max(math.floor(max(y0[k], y1[k]) / cell), 0), ny - 1)
        for j in range(j0, j1 + 1):
            for i in range(i0, i1 + 1):
                counts[j * nx + i + 1] += 1
    start = np.cumsum(counts)
    fill = start[:-1].copy()
    items = np.empty(start[-1], dtype=np.int64)
    for k in range(n):
        i0 = min(max(math.floor(min(x0[k], x1[k]) / cell), 0), nx - 1)
        i1 = min(max(math.floor(max(x0[k], x1[k]) / cell), 0), nx - 1)
        j0 = min(max(math.floor(min(y0[k], y1[k]) / cell), 0), ny - 1)
        j1 = min(max(math.floor(max(y0[k], y1[k]) / cell), 0), ny - 1)
        for j in range(j0, j1 + 1):
            for i in range(i0, i1 + 1):
                c = j * nx + i
                items[fill[c]] = k
                fill[c] += 1
    return start, items


@njit(cache=True)
def _point_segment_distance(ax: float, ay: float, bx: float, by: float) -> float:
    """Distance from the origin to the segment a-b."""
    dx = bx - ax
    dy = by - ay
    dd = dx * dx + dy * dy
    if dd <= 0.0:
        return math.hypot(ax, ay)
    s = -(ax * dx + ay * dy) / dd
    s = min(max(s, 0.0), 1.0)
    return math.hypot(ax + s * dx, ay + s * dy)


@njit(cache=True)
def _pseudo(x: float, y: float) -> float:
    """Pseudo-angle of (x, y) in [0, 4): increases with the angle, needs no trigonometry."""
    if y >= 0.0:
        if x >= 0.0:
            return y / (x + y)
        return 1.0 - x / (y - x)
    if x < 0.0:
        return 2.0 - y / (-x - y)
    return 3.0 + x / (x - y)


@njit(cache=True)
def _overlaps_escape(
    ax: float,
    ay: float,
    bx: float,
    by: float,
    cs: float,
    sn: float,
    esc_lo: np.ndarray,
    esc_hi: np.ndarray,
    n_esc: int,
) -> bool:
    """Whether the angular span of segment a-b meets one of the escape intervals.

    Angles are pseudo-angles of the directions turned by the view's start (cosine
    ``cs``, sine ``sn``), and so are the intervals.
    """
    c = ax * by - ay * bx
    if c == 0.0:
        return False
    ta = _pseudo(ax * cs + ay * sn, ay * cs - ax * sn)
    tb = _pseudo(bx * cs + by * sn, by * cs - bx * sn)
    if c > 0.0:
        lo, hi = ta, tb
    else:
        lo, hi = tb, ta
    if hi < lo:
        hi += 4.0
    for q in range(n_esc):
        if lo <= esc_hi[q] and hi >= esc_lo[q]:
            return True
        if lo - 4.0 <= esc_hi[q] and hi - 4.0 >= esc_lo[q]:
            return True
    return False


@njit(cache=True)
def _gather(
    ox: float,
    oy: float,
    r_lo: float,
    r_hi: float,
    start: float,
    esc_lo: np.ndarray,
    esc_hi: np.ndarray,
    n_esc: int,
    use_filter: bool,
    x0: np.ndarray,
    y0: np.ndarray,
    x1: np.ndarray,
    y1: np.ndarray,
    cell: float,
    nx: int,
    ny: int,
    cell_start: np.ndarray,
    cell_items: np.ndarray,
    sides: np.ndarray,
    stamp: np.ndarray,
    token: int,
    out: np.ndarray,
    n_out: int,
) -> int:
    """Append to ``out`` the segments at a distance in [r_lo, r_hi) from the origin.

    With ``use_filter`` only segments whose angular span meets an escape interval are
    kept: the others lie behind a wall nearer than ``r_lo`` and cannot be seen.
    """
    cs = math.cos(start)
    sn = math.sin(start)
    i0 = max(math.floor((ox - r_hi) / cell), 0)
    i1 = min(math.floor((ox + r_hi) / cell), nx - 1)
    j0 = max(math.floor((oy - r_hi) / cell), 0)
    j1 = min(math.floor((oy + r_hi) / cell), ny - 1)
    for j in range(j0, j1 + 1):
        cy0 = j * cell
        cy1 = cy0 + cell
        ddy = max(cy0 - oy, 0.0, oy - cy1)
        fy = max(abs(cy0 - oy), abs(cy1 - oy))
        for i in range(i0, i1 + 1):
            cx0 = i * cell
            cx1 = cx0 + cell
            ddx = max(cx0 - ox, 0.0, ox - cx1)
            if ddx * ddx + ddy * ddy >= r_hi * r_hi:
                continue
            fx = max(abs(cx0 - ox), abs(cx1 - ox))
            if fx * fx + fy * fy < r_lo * r_lo:
                continue  # the whole cell was searched at a smaller radius
            c = j * nx + i
            for p in range(cell_start[c], cell_start[c + 1]):
                k = cell_items[p]
                if stamp[k] == token:
                    continue
                stamp[k] = token
                ax = x0[k] - ox
                ay = y0[k] - oy
                bx = x1[k] - ox
                by = y1[k] - oy
                # Skip walls seen from their closed (indoor) side, and edge-on ones.
                c = ax * by - ay * bx
                if not ((c > 0.0 and sides[k] & 1) or (c < 0.0 and sides[k] & 2)):
                    continue
                d = _point_segment_distance(ax, ay, bx, by)
                if d >= r_hi or d < r_lo:
                    continue
                if use_filter and not _overlaps_escape(
                    ax, ay, bx, by, cs, sn, esc_lo, esc_hi, n_esc
                ):
                    continue
                out[n_out] = k
                n_out += 1
    return n_out


@njit(cache=True)
def _near(x0: float, y0: float, x1: float, y1: float) -> bool:
    """Whether two ring vertices are one point up to rounding (1e-9 relative, 1 nm)."""
    tol = 1e-9 * max(1.0, abs(x0), abs(y0))
    return abs(x1 - x0) <= tol and abs(y1 - y0) <= tol


@njit(cache=True)
def _push(rx: np.ndarray, ry: np.ndarray, nr: int, x: float, y: float) -> int:
    """Append a vertex to the ring unless it repeats the last one up to rounding."""
    if nr > 0 and _near(rx[nr - 1], ry[nr - 1], x, y):
        return nr
    rx[nr] = x
    ry[nr] = y
    return nr + 1


@njit(cache=True)
def _point_on(
    kind: int,
    ux: float,
    uy: float,
    sx: float,
    sy: float,
    ex: float,
    ey: float,
    radius: float,
) -> tuple[float, float]:
    """Where the ray along (ux, uy) meets the wall s-e, or the range circle for an arc."""
    if kind == _ARC:
        f = radius / math.hypot(ux, uy)
        return f * ux, f * uy
    if (ux == sx and uy == sy) or (ux == ex and uy == ey):
        t = 1.0  # the direction of a wall's own endpoint: exactly that point
    else:
        dx = ex - sx
        dy = ey - sy
        t = (sx * dy - sy * dx) / (ux * dy - uy * dx)
    # Every wall run lies within the range (split events cut walls where they leave it),
    # so a point beyond it comes from rounding, in two ways, both where a wall points
    # (nearly) at the origin. The ray meets such a wall at a grazing angle, where the
    # quotient above of two small cross products can be off along the ray (by 1e-8
    # relative in the tests); and where the wedge from its split point to its far endpoint is
    # narrower than _MIN_WEDGE, that wedge is skipped and the run ends on the endpoint,
    # beyond the range. The ring would go out past the range and back along one ray: a
    # spike that makes it invalid. Clamped to the range, the point is where the exact
    # ring has it, up to that rounding.
    un = math.hypot(ux, uy)
    if t * un > radius:
        t = radius / un
    return t * ux, t * uy


@njit(cache=True)
def sweep(
    ax: np.ndarray,
    ay: np.ndarray,
    bx: np.ndarray,
    by: np.ndarray,
    radius: float,
    start: float,
    fov: float,
    arc_cos: np.ndarray,
    arc_sin: np.ndarray,
    min_occlusion: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, np.ndarray, np.ndarray]:
    """Exact visibility polygon of the origin among segments a-b (origin-relative).

    Parameters
    ----------
    ax, ay, bx, by
        Segment endpoints relative to the origin; segments meet only at endpoints.
    radius
        Range limit in metres (``inf`` for none).
    start, fov
        The view covers the angles from ``start`` to ``start + fov`` (radians,
        counter-clockwise from +x); ``fov >= 2 pi`` is the full turn.
    arc_cos, arc_sin
        Cosines and sines of the n angles 2 pi k / n where range arcs get a vertex (besides
        their ends); empty arrays for no vertices inside arcs.
    min_occlusion
        Radial edges at least this long count towards occlusivity, metres.

    Returns
    -------
    ring_x, ring_y
        The closed boundary ring, counter-clockwise, relative to the origin.
    escapes
        Array (k, 2) of the intervals of pseudo-angle (of directions turned back by
        ``start``) bounded by the range arc rather than by a wall.
    status
        0 on success, 1 when a ray meets nothing and ``radius`` is infinite.
    stats
        occlusivity, min_radial, max_radial.
    front
        Indices of the segments that are the nearest in some wedge, whether within the
        range or beyond it. Every other segment lies behind one of them in every
        direction it covers, so no farther obstacle can ever make it visible.

    Notes
    -----
    Consecutive wedges with the same nearest wall (or all on the range arc) form a run;
    vertices are computed only where runs meet, along the direction of the event point
    there (no trigonometry), so a wall's endpoints come out exactly as given.
    """
    m = ax.shape[0]
    full = fov >= TWO_PI
    # Angles are pseudo-angles (see _pseudo) of directions turned back by ``start``: they
    # sort like angles at the cost of one division, and run from 0 to 4.
    cs = math.cos(start)
    sn = math.sin(start)
    end = 4.0 if full else _pseudo(math.cos(fov), math.sin(fov))
    finite = math.isfinite(radius)
    sx = np.empty(m)
    sy = np.empty(m)
    ex = np.empty(m)
    ey = np.empty(m)
    cap = 4 * m + 2
    ev_ang = np.empty(cap)
    ev_kind = np.empty(cap, dtype=np.int8)
    ev_seg = np.empty(cap, dtype=np.int64)
    ev_x = np.empty(cap)
    ev_y = np.empty(cap)
    ne = 0
    act = np.empty(m, dtype=np.int64)
    pos = np.full(m, -1, dtype=np.int64)
    nact = 0
    r2 = radius * radius
    for k in range(m):
        c = ax[k] * by[k] - ay[k] * bx[k]
        if c > 0.0:
            sx[k], sy[k], ex[k], ey[k] = ax[k], ay[k], bx[k], by[k]
        elif c < 0.0:
            sx[k], sy[k], ex[k], ey[k] = bx[k], by[k], ax[k], ay[k]
        else:
            continue  # seen edge-on: hides nothing of positive area
        a0 = _pseudo(sx[k] * cs + sy[k] * sn, sy[k] * cs - sx[k] * sn)
        a1 = _pseudo(ex[k] * cs + ey[k] * sn, ey[k] * cs - ex[k] * sn)
        # A segment that misses the origin spans less than half a turn, a pseudo-width
        # below 2, from a0 counter-clockwise to a1. A wall pointing (nearly) at the origin
        # spans almost nothing, and its two pseudo-angles, rounded apart, can come out in
        # the wrong order (a1 just below a0) while the cross product says
        # counter-clockwise: read as wrapping round the start direction, it would span
        # the whole turn but a sliver and be "nearest" far from where it stands, and the
        # ring would take a vertex at the origin. Such a wall is seen edge-on.
        if a0 == a1 or (a0 > a1 and a1 + 4.0 - a0 >= 2.0):
            continue
        ev_ang[ne] = a0
        ev_kind[ne] = _ADD
        ev_seg[ne] = k
        ev_x[ne] = sx[k]
        ev_y[ne] = sy[k]
        ne += 1
        ev_ang[ne] = a1
        ev_kind[ne] = _REMOVE
        ev_seg[ne] = k
        ev_x[ne] = ex[k]
        ev_y[ne] = ey[k]
        ne += 1
        if a0 > a1:  # covers the start direction
            act[nact] = k
            pos[k] = nact
            nact += 1
        if finite:
            dx = ex[k] - sx[k]
            dy = ey[k] - sy[k]
            qa = dx * dx + dy * dy
            qb = 2.0 * (sx[k] * dx + sy[k] * dy)
            qc = sx[k] * sx[k] + sy[k] * sy[k] - r2
            disc = qb * qb - 4.0 * qa * qc
            if disc > 0.0:
                sq = math.sqrt(disc)
                for sgn in (-1.0, 1.0):
                    t = (-qb + sgn * sq) / (2.0 * qa)
                    if 0.0 < t < 1.0:
                        px = sx[k] + t * dx
                        py = sy[k] + t * dy
                        ev_ang[ne] = _pseudo(px * cs + py * sn, py * cs - px * sn)
                        ev_kind[ne] = _SPLIT
                        ev_seg[ne] = k
                        ev_x[ne] = px
                        ev_y[ne] = py
                        ne += 1
    order = np.argsort(ev_ang[:ne])

    ring_cap = 2 * ne + 8 + arc_cos.shape[0] + 2
    rx = np.empty(ring_cap)
    ry = np.empty(ring_cap)
    nr = 0
    esc = np.empty((ne + 2, 2))
    n_esc = 0
    if not full:
        rx[0] = 0.0
        ry[0] = 0.0
        nr = 1
    occl = 0.0
    rmin = math.inf
    rmax = 0.0
    front = np.zeros(m, dtype=np.bool_)
    added = np.empty(m, dtype=np.int64)
    n_added = 0
    near = -1
    near_gone = False
    near_split = False
    kind = _NONE
    run_kind = _NONE  # nearest wall of the current run, or _ARC
    run_ang = 0.0  # where the run started (relative angle)
    run_x = 0.0  # direction of the run's start
    run_y = 0.0
    first_kind = _NONE
    first_r = 0.0
    # Whether the first run's end got a vertex of its own, or _push merged it into the
    # ring's first vertex (the two within rounding): the full turn's closing needs to know.
    first_end_kept = False
    n_closed = 0
    last_r = 0.0
    cur = 0.0
    cur_x = cs
    cur_y = sn
    end_x = math.cos(start + fov)
    end_y = math.sin(start + fov)
    i = 0
    while True:
        while i < ne and ev_ang[order[i]] <= cur:
            e = order[i]
            k = ev_seg[e]
            if ev_kind[e] == _ADD:
                if pos[k] < 0:
                    act[nact] = k
                    pos[k] = nact
                    nact += 1
                    added[n_added] = k
                    n_added += 1
            elif ev_kind[e] == _REMOVE:
                p = pos[k]
                if p >= 0:
                    nact -= 1
                    last = act[nact]
                    act[p] = last
                    pos[last] = p
                    pos[k] = -1
                    if k == near:
                        near_gone = True
            elif k == near:
                near_split = True
            i += 1
        if i < ne and ev_ang[order[i]] < end:
            nxt = ev_ang[order[i]]
            nxt_x = ev_x[order[i]]
            nxt_y = ev_y[order[i]]
        else:
            nxt = end
            nxt_x = end_x
            nxt_y = end_y
        wedge = nxt - cur
        if wedge > _MIN_WEDGE:
            if near < 0 or near_gone or n_added > 0 or near_split or kind == _NONE:
                # A ray inside the wedge: the sum of its edge directions scaled to the
                # same max-norm (a wedge of pseudo-width below 1.5 is narrower than
                # 3 radians), or the middle angle for wider wedges.
                if wedge < 1.5:
                    n0 = max(abs(cur_x), abs(cur_y))
                    n1 = max(abs(nxt_x), abs(nxt_y))
                    ux = cur_x / n0 + nxt_x / n1
                    uy = cur_y / n0 + nxt_y / n1
                else:
                    g0 = math.atan2(cur_y, cur_x)
                    w = math.atan2(nxt_y, nxt_x) - g0
                    w -= TWO_PI * math.floor(w / TWO_PI)
                    if w < 1e-9:
                        w = TWO_PI  # the whole turn in one wedge
                    ux = math.cos(g0 + 0.5 * w)
                    uy = math.sin(g0 + 0.5 * w)
                un = math.hypot(ux, uy)
                ux /= un
                uy /= un
                best = math.inf
                j = -1
                # Segments never cross, so the nearest one stays nearest until it ends
                # or a newly added segment comes in front of it: only then look further.
                full_scan = near < 0 or near_gone
                count = nact if full_scan else n_added + 1
                for q in range(count):
                    if full_scan:
                        k = act[q]
                    else:
                        k = near if q == 0 else added[q - 1]
                        if pos[k] < 0:
                            continue
                    dx = ex[k] - sx[k]
                    dy = ey[k] - sy[k]
                    den = ux * dy - uy * dx
                    if den == 0.0:
                        continue
                    t = (sx[k] * dy - sy[k] * dx) / den
                    if 0.0 < t < best:
                        best = t
                        j = k
                near = j
                near_gone = False
                near_split = False
                n_added = 0
                if j >= 0:
                    front[j] = True
                if j < 0 or best >= radius:
                    if not finite:
                        return rx[:0], ry[:0], esc[:0], 1, np.zeros(3), np.flatnonzero(front)
                    kind = _ARC
                else:
                    kind = j
            if kind != run_kind:
                # Close the current run at this wedge's start, open the next one.
                if run_kind != _NONE:
                    nr_before = nr
                    nr, lo_r, hi_r, end_r = _close_run(
                        run_kind, run_ang, run_x, run_y, cur, cur_x, cur_y,
                        sx, sy, ex, ey, radius, arc_cos, arc_sin, rx, ry, nr, ring_cap,
                    )  # fmt: skip
                    if n_closed == 0:
                        first_end_kept = nr > nr_before
                    n_closed += 1
                    rmin = min(rmin, lo_r)
                    rmax = max(rmax, hi_r)
                    if run_kind == _ARC:
                        esc[n_esc, 0] = run_ang
                        esc[n_esc, 1] = cur
                        n_esc += 1
                    last_r = end_r
                px, py = _point_on(
                    kind, cur_x, cur_y, sx[max(kind, 0)], sy[max(kind, 0)],
                    ex[max(kind, 0)], ey[max(kind, 0)], radius,
                )  # fmt: skip
                r_new = math.hypot(px, py)
                if run_kind == _NONE:
                    first_kind = kind
                    first_r = r_new
                    rx[nr] = px
                    ry[nr] = py
                    nr += 1
                else:
                    jump = abs(r_new - last_r)
                    if jump >= min_occlusion:
                        occl += jump
                    nr = _push(rx, ry, nr, px, py)
                run_kind = kind
                run_ang = cur
                run_x = cur_x
                run_y = cur_y
        cur = nxt
        cur_x = nxt_x
        cur_y = nxt_y
        if cur >= end:
            break

    # Close the last run at the end of the view.
    nr_before = nr
    nr, lo_r, hi_r, end_r = _close_run(
        run_kind, run_ang, run_x, run_y, end, end_x, end_y,
        sx, sy, ex, ey, radius, arc_cos, arc_sin, rx, ry, nr, ring_cap,
    )  # fmt: skip
    last_end_kept = nr > nr_before
    rmin = min(rmin, lo_r)
    rmax = max(rmax, hi_r)
    if run_kind == _ARC:
        esc[n_esc, 0] = run_ang
        esc[n_esc, 1] = end
        n_esc += 1
    if full:
        if first_kind != run_kind:
            jump = abs(first_r - end_r)
            if jump >= min_occlusion:
                occl += jump
        elif first_kind >= 0 and nr >= 5:
            # The start direction cuts a wall W: the ring's first vertex is W's point on
            # it, and the last run (on W too) ends on the same point, up to rounding. The
            # closed ring needs neither, as each lies on W between its neighbours, but
            # drop each only if it got a vertex of its own. _push merges a vertex into the
            # one before when the two lie within 1e-9 (relative): where W ends that close
            # to the start direction (an origin in line with an edge that ends there), the
            # last run's end merges into the run's start, W's endpoint, or the first run's
            # end into the first vertex. Dropping both by position then dropped a corner,
            # and the ring cut across the obstacle behind it.
            if last_end_kept:
                nr -= 1
            if first_end_kept:
                for q in range(nr - 1):
                    rx[q] = rx[q + 1]
                    ry[q] = ry[q + 1]
                nr -= 1
        if _near(rx[nr - 1], ry[nr - 1], rx[0], ry[0]):
            rx[nr - 1] = rx[0]
            ry[nr - 1] = ry[0]
        else:
            rx[nr] = rx[0]
            ry[nr] = ry[0]
            nr += 1
    elif _near(0.0, 0.0, rx[nr - 1], ry[nr - 1]):
        rx[nr - 1] = 0.0
        ry[nr - 1] = 0.0
    else:
        rx[nr] = 0.0
        ry[nr] = 0.0
        nr += 1
    stats = np.empty(3)
    stats[0] = occl
    stats[1] = rmin
    stats[2] = rmax
    return rx[:nr], ry[:nr], esc[:n_esc], 0, stats, np.flatnonzero(front)


@njit(cache=True)
def _close_run(
    kind: int,
    a0: float,
    x0: float,
    y0: float,
    a1: float,
    x1: float,
    y1: float,
    sx: np.ndarray,
    sy: np.ndarray,
    ex: np.ndarray,
    ey: np.ndarray,
    radius: float,
    arc_cos: np.ndarray,
    arc_sin: np.ndarray,
    rx: np.ndarray,
    ry: np.ndarray,
    nr: int,
    ring_cap: int,
) -> tuple[int, float, float, float]:
    """Append the vertices of a run from direction (x0, y0) to (x1, y1).

    ``a0`` and ``a1`` are the run's pseudo-angles (used only to tell a full-turn arc).

    Returns the new ring length, the run's smallest and largest depth and its depth at
    the end.
    """
    j = max(kind, 0)
    if kind == _ARC:
        # Vertices on the arc at the angles 2 pi q / n (absolute), from the table.
        n = arc_cos.shape[0]
        if n > 0:
            step = TWO_PI / n
            g0 = math.atan2(y0, x0)
            w = math.atan2(y1, x1) - g0
            w -= TWO_PI * math.floor(w / TWO_PI)
            if w < 1e-9 and a1 - a0 > 1.0:
                w = TWO_PI  # the arc goes all round
            g1 = g0 + w
            q = math.floor(g0 / step) + 1
            while q * step < g1 and nr < ring_cap - 3:
                k = q % n
                nr = _push(rx, ry, nr, radius * arc_cos[k], radius * arc_sin[k])
                q += 1
        px, py = _point_on(kind, x1, y1, 0.0, 0.0, 0.0, 0.0, radius)
        nr = _push(rx, ry, nr, px, py)
        return nr, radius, radius, radius
    px, py = _point_on(kind, x1, y1, sx[j], sy[j], ex[j], ey[j], radius)
    nr = _push(rx, ry, nr, px, py)
    qx, qy = _point_on(kind, x0, y0, sx[j], sy[j], ex[j], ey[j], radius)
    r0 = math.hypot(qx, qy)
    r1 = math.hypot(px, py)
    lo = min(r0, r1)
    # The foot of the perpendicular from the origin may lie inside the run.
    dx = ex[j] - sx[j]
    dy = ey[j] - sy[j]
    tau = -(sx[j] * dx + sy[j] * dy) / (dx * dx + dy * dy)
    if 0.0 < tau < 1.0:
        fx = sx[j] + tau * dx
        fy = sy[j] + tau * dy
        if x0 * fy - y0 * fx >= 0.0 and fx * y1 - fy * x1 >= 0.0:
            lo = min(lo, math.hypot(fx, fy))
    return nr, lo, max(r0, r1), r1


@njit(cache=True)
def ring_measures(rx: np.ndarray, ry: np.ndarray) -> tuple[float, float, float, float]:
    """Area (shoelace), perimeter and centroid of a closed ring."""
    area2 = 0.0
    per = 0.0
    cx = 0.0
    cy = 0.0
    for k in range(rx.shape[0] - 1):
        x0, y0, x1, y1 = rx[k], ry[k], rx[k + 1], ry[k + 1]
        c = x0 * y1 - x1 * y0
        area2 += c
        cx += (x0 + x1) * c
        cy += (y0 + y1) * c
        per += math.hypot(x1 - x0, y1 - y0)
    if area2 != 0.0:
        cx /= 3.0 * area2
        cy /= 3.0 * area2
    return 0.5 * area2, per, cx, cy


@njit(cache=True)
def isovist_batch(
    px: np.ndarray,
    py: np.ndarray,
    skip: np.ndarray,
    starts: np.ndarray,
    fovs: np.ndarray,
    x0: np.ndarray,
    y0: np.ndarray,
    x1: np.ndarray,
    y1: np.ndarray,
    cell: float,
    nx: int,
    ny: int,
    cell_start: np.ndarray,
    cell_items: np.ndarray,
    sides: np.ndarray,
    frames: np.ndarray,
    radius: float,
    first_radius: float,
    arc_vertices: int,
    min_occlusion: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Isovists of many origins (local coordinates).

    With a finite ``radius`` the segments within it are swept once, with the range
    circle. Without one, the search grows: the segments within ``first_radius`` are swept
    with that range; while some rays still reach the range arc, the range doubles and the
    segments of the new annulus that lie in those escaping directions are added. When no
    ray escapes, walls farther away cannot be seen, so the polygon is exact. Between
    levels only the segments in front (nearest in some wedge) are kept: the others are
    hidden behind them and stay hidden whatever is added. ``frames``
    (n, 4): per origin, the box (xmin, ymin, xmax, ymax) that closes the view where no
    obstacle does.

    Returns
    -------
    coords
        (total, 2) ring coordinates of every isovist, relative to its origin.
    offsets
        (n + 1,) start of each ring in ``coords`` (empty for skipped origins).
    measures
        (n, 7): area, perimeter, centroid x, centroid y (relative to the origin),
        occlusivity, min_radial, max_radial.
    status
        (n,) 0 ok, 1 unbounded (no frame), 2 skipped.
    levels
        (n,) number of sweeps each isovist took.
    """
    n = px.shape[0]
    nseg = x0.shape[0]
    cap = max(n * 64, 1024)
    coords = np.empty((cap, 2))
    used = 0
    offsets = np.zeros(n + 1, dtype=np.int64)
    measures = np.full((n, 7), np.nan)
    status = np.zeros(n, dtype=np.int8)
    levels = np.zeros(n, dtype=np.int32)
    stamp = np.full(nseg, -1, dtype=np.int64)
    cand = np.empty(nseg, dtype=np.int64)
    token = 0
    bounded = math.isfinite(radius)
    no_esc = np.empty(0)
    # Range arcs get a vertex at every 2 pi k / n (a table, so no trigonometry per arc).
    # The growing search of an unbounded isovist ends with no arc, so it needs none.
    arc_cos = np.cos(TWO_PI * np.arange(arc_vertices) / arc_vertices)
    arc_sin = np.sin(TWO_PI * np.arange(arc_vertices) / arc_vertices)
    for o in range(n):
        offsets[o] = used
        if skip[o]:
            status[o] = 2
            offsets[o + 1] = used
            continue
        ox = px[o]
        oy = py[o]
        start = starts[o]
        fov = fovs[o]
        n_cand = 0
        if bounded:
            token += 1
            n_cand = _gather(
                ox,
                oy,
                0.0,
                radius,
                start,
                no_esc,
                no_esc,
                0,
                False,
                x0,
                y0,
                x1,
                y1,
                cell,
                nx,
                ny,
                cell_start,
                cell_items,
                sides,
                stamp,
                token,
                cand,
                0,
            )
            ax = x0[cand[:n_cand]] - ox
            ay = y0[cand[:n_cand]] - oy
            bx = x1[cand[:n_cand]] - ox
            by = y1[cand[:n_cand]] - oy
            rx, ry, esc, st, stats, _ = sweep(
                ax, ay, bx, by, radius, start, fov, arc_cos, arc_sin, min_occlusion
            )
            levels[o] = 1
        else:
            # The frame's four sides, relative to the origin, always take part.
            fax = np.empty(4)
            fay = np.empty(4)
            fax[0], fay[0] = frames[o, 0] - ox, frames[o, 1] - oy
            fax[1], fay[1] = frames[o, 2] - ox, frames[o, 1] - oy
            fax[2], fay[2] = frames[o, 2] - ox, frames[o, 3] - oy
            fax[3], fay[3] = frames[o, 0] - ox, frames[o, 3] - oy
            fbx = np.roll(fax, -1)
            fby = np.roll(fay, -1)
            r_lo = 0.0
            r_hi = first_radius
            esc_lo = no_esc
            esc_hi = no_esc
            n_esc = 0
            while True:
                token += 1
                n_cand = _gather(
                    ox,
                    oy,
                    r_lo,
                    r_hi,
                    start,
                    esc_lo,
                    esc_hi,
                    n_esc,
                    r_lo > 0.0,
                    x0,
                    y0,
                    x1,
                    y1,
                    cell,
                    nx,
                    ny,
                    cell_start,
                    cell_items,
                    sides,
                    stamp,
                    token,
                    cand,
                    n_cand,
                )
                sel = cand[:n_cand]
                ax = np.concatenate((x0[sel] - ox, fax))
                ay = np.concatenate((y0[sel] - oy, fay))
                bx = np.concatenate((x1[sel] - ox, fbx))
                by = np.concatenate((y1[sel] - oy, fby))
                rx, ry, esc, st, stats, front = sweep(
                    ax, ay, bx, by, r_hi, start, fov, no_esc, no_esc, min_occlusion
                )
                levels[o] += 1
                n_esc = esc.shape[0]
                if n_esc == 0 or st != 0:
                    break
                if r_hi > _MAX_SEARCH:
                    st = 1
                    break
                # Escape intervals (pseudo-angles), widened a hair against rounding.
                esc_lo = esc[:, 0] - 1e-9
                esc_hi = esc[:, 1] + 1e-9
                # Keep only the segments in front; those behind them stay hidden.
                kept = 0
                for v in front:
                    if v < n_cand:
                        cand[kept] = cand[v]
                        kept += 1
                n_cand = kept
                r_lo = r_hi
                r_hi *= 2.0
        status[o] = st
        if st != 0:
            offsets[o + 1] = used
            continue
        nr = rx.shape[0]
        if used + nr > coords.shape[0]:
            grown = np.empty((max(2 * coords.shape[0], used + nr), 2))
            grown[:used] = coords[:used]
            coords = grown
        for q in range(nr):
            coords[used + q, 0] = rx[q]
            coords[used + q, 1] = ry[q]
        used += nr
        offsets[o + 1] = used
        area, per, cx, cy = ring_measures(rx, ry)
        measures[o, 0] = area
        measures[o, 1] = per
        measures[o, 2] = cx
        measures[o, 3] = cy
        measures[o, 4] = stats[0]
        measures[o, 5] = stats[1]
        measures[o, 6] = stats[2]
    return coords[:used], offsets, measures, status, levels
