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
def _rel_angle(y: float, x: float, start: float) -> float:
    """Angle of (x, y) counter-clockwise from ``start``, in [0, 2 pi)."""
    a = math.atan2(y, x) - start
    a -= TWO_PI * math.floor(a / TWO_PI)
    if a >= TWO_PI:
        a = 0.0
    return a


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
def _overlaps_escape(
    ax: float,
    ay: float,
    bx: float,
    by: float,
    start: float,
    esc_lo: np.ndarray,
    esc_hi: np.ndarray,
    n_esc: int,
) -> bool:
    """Whether the angular span of segment a-b meets one of the escape intervals."""
    c = ax * by - ay * bx
    if c == 0.0:
        return False
    ta = _rel_angle(ay, ax, start)
    tb = _rel_angle(by, bx, start)
    if c > 0.0:
        lo, hi = ta, tb
    else:
        lo, hi = tb, ta
    if hi < lo:
        hi += TWO_PI
    for q in range(n_esc):
        if lo <= esc_hi[q] and hi >= esc_lo[q]:
            return True
        if lo - TWO_PI <= esc_hi[q] and hi - TWO_PI >= esc_lo[q]:
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
    stamp: np.ndarray,
    token: int,
    out: np.ndarray,
    n_out: int,
) -> int:
    """Append to ``out`` the segments at a distance in [r_lo, r_hi) from the origin.

    With ``use_filter`` only segments whose angular span meets an escape interval are
    kept: the others lie behind a wall nearer than ``r_lo`` and cannot be seen.
    """
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
                d = _point_segment_distance(ax, ay, bx, by)
                if d >= r_hi or d < r_lo:
                    continue
                if use_filter and not _overlaps_escape(
                    ax, ay, bx, by, start, esc_lo, esc_hi, n_esc
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
def sweep(
    ax: np.ndarray,
    ay: np.ndarray,
    bx: np.ndarray,
    by: np.ndarray,
    radius: float,
    start: float,
    fov: float,
    arc_step: float,
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
    arc_step
        Angular step of the vertices placed on range arcs, radians.
    min_occlusion
        Radial edges at least this long count towards occlusivity, metres.

    Returns
    -------
    ring_x, ring_y
        The closed boundary ring, counter-clockwise, relative to the origin.
    escapes
        Array (k, 2) of the angular intervals (relative to ``start``) bounded by the range
        arc rather than by a wall.
    status
        0 on success, 1 when a ray meets nothing and ``radius`` is infinite.
    stats
        occlusivity, min_radial, max_radial.
    front
        Indices of the segments that are the nearest in some wedge, whether within the
        range or beyond it. Every other segment lies behind one of them in every
        direction it covers, so no farther obstacle can ever make it visible.
    """
    m = ax.shape[0]
    full = fov >= TWO_PI
    end = TWO_PI if full else fov
    finite = math.isfinite(radius)
    sx = np.empty(m)
    sy = np.empty(m)
    ex = np.empty(m)
    ey = np.empty(m)
    ts = np.empty(m)
    te = np.empty(m)
    cap = 4 * m + 2
    ev_ang = np.empty(cap)
    ev_kind = np.empty(cap, dtype=np.int8)
    ev_seg = np.empty(cap, dtype=np.int64)
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
        a0 = _rel_angle(sy[k], sx[k], start)
        a1 = _rel_angle(ey[k], ex[k], start)
        if a0 == a1:
            continue
        ts[k] = a0
        te[k] = a1
        ev_ang[ne] = a0
        ev_kind[ne] = _ADD
        ev_seg[ne] = k
        ne += 1
        ev_ang[ne] = a1
        ev_kind[ne] = _REMOVE
        ev_seg[ne] = k
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
                    s = (-qb + sgn * sq) / (2.0 * qa)
                    if 0.0 < s < 1.0:
                        ev_ang[ne] = _rel_angle(sy[k] + s * dy, sx[k] + s * dx, start)
                        ev_kind[ne] = _SPLIT
                        ev_seg[ne] = k
                        ne += 1
    order = np.argsort(ev_ang[:ne])

    ring_cap = 2 * ne + 8 + int(end / arc_step) + 2
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
    last_kind = _NONE
    last_r = 0.0
    tail_pb = False
    near = -1
    near_gone = False
    front = np.zeros(m, dtype=np.bool_)
    added = np.empty(m, dtype=np.int64)
    n_added = 0
    first_kind = _NONE
    first_r = 0.0
    i = 0
    cur = 0.0
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
            i += 1
        nxt = end
        if i < ne:
            nxt = min(ev_ang[order[i]], end)
        if nxt - cur > _MIN_WEDGE:
            alpha = cur
            beta = nxt
            mid = start + 0.5 * (alpha + beta)
            ux = math.cos(mid)
            uy = math.sin(mid)
            best = math.inf
            j = -1
            # Segments never cross, so the nearest one stays nearest until it ends or a
            # newly added segment comes in front of it: only then look further.
            if near < 0 or near_gone:
                for q in range(nact):
                    k = act[q]
                    dx = ex[k] - sx[k]
                    dy = ey[k] - sy[k]
                    den = ux * dy - uy * dx
                    if den == 0.0:
                        continue
                    t = (sx[k] * dy - sy[k] * dx) / den
                    if 0.0 < t < best:
                        best = t
                        j = k
            else:
                for q in range(-1, n_added):
                    k = near if q < 0 else added[q]
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
            n_added = 0
            if j >= 0:
                front[j] = True
            if j < 0 or best >= radius:
                if not finite:
                    return rx[:0], ry[:0], esc[:0], 1, np.zeros(3), np.flatnonzero(front)
                kind = _ARC
            else:
                kind = j
            ca = math.cos(start + alpha)
            sa = math.sin(start + alpha)
            cb = math.cos(start + beta)
            sb = math.sin(start + beta)
            if kind == _ARC:
                pax, pay, ra = radius * ca, radius * sa, radius
                pbx, pby, rb = radius * cb, radius * sb, radius
                wmin = radius
            else:
                dx = ex[j] - sx[j]
                dy = ey[j] - sy[j]
                num = sx[j] * dy - sy[j] * dx
                if alpha == ts[j]:
                    pax, pay = sx[j], sy[j]
                else:
                    t = num / (ca * dy - sa * dx)
                    pax, pay = t * ca, t * sa
                if beta == te[j]:
                    pbx, pby = ex[j], ey[j]
                else:
                    t = num / (cb * dy - sb * dx)
                    pbx, pby = t * cb, t * sb
                ra = math.hypot(pax, pay)
                rb = math.hypot(pbx, pby)
                wmin = min(ra, rb)
                # The foot of the perpendicular may lie inside the wedge.
                dd = dx * dx + dy * dy
                tau = -(sx[j] * dx + sy[j] * dy) / dd
                if 0.0 < tau < 1.0:
                    fx = sx[j] + tau * dx
                    fy = sy[j] + tau * dy
                    if ca * fy - sa * fx >= 0.0 and fx * sb - fy * cb >= 0.0:
                        wmin = min(wmin, math.hypot(fx, fy))
            rmin = min(rmin, wmin)
            rmax = max(rmax, ra, rb)
            if last_kind == _NONE:
                first_kind = kind
                first_r = ra
                rx[nr] = pax
                ry[nr] = pay
                nr += 1
            elif kind >= 0 and kind == last_kind:
                if tail_pb:
                    nr -= 1  # the shared vertex is collinear with its neighbours
            elif kind == _ARC and last_kind == _ARC:
                pass  # the arc goes on
            else:
                jump = abs(ra - last_r)
                if jump >= min_occlusion:
                    occl += jump
                nr = _push(rx, ry, nr, pax, pay)
            if kind == _ARC:
                if n_esc > 0 and esc[n_esc - 1, 1] == alpha:
                    esc[n_esc - 1, 1] = beta
                else:
                    esc[n_esc, 0] = alpha
                    esc[n_esc, 1] = beta
                    n_esc += 1
                # Vertices on the arc at multiples of arc_step (absolute angle).
                g0 = start + alpha
                g1 = start + beta
                q = math.floor(g0 / arc_step) + 1
                while q * arc_step < g1 and nr < ring_cap - 3:
                    g = q * arc_step
                    nr = _push(rx, ry, nr, radius * math.cos(g), radius * math.sin(g))
                    q += 1
            before = nr
            nr = _push(rx, ry, nr, pbx, pby)
            tail_pb = nr > before and kind >= 0
            last_kind = kind
            last_r = rb
        cur = nxt
        if cur >= end:
            break

    if full:
        same_wall = first_kind >= 0 and first_kind == last_kind
        if not (same_wall or (first_kind == _ARC and last_kind == _ARC)):
            jump = abs(first_r - last_r)
            if jump >= min_occlusion:
                occl += jump
        if same_wall and tail_pb and nr >= 5:
            # The first and last vertices are one point in the middle of a wall (the
            # start direction cuts it): drop both and close on the next vertex.
            for q in range(nr - 2):
                rx[q] = rx[q + 1]
                ry[q] = ry[q + 1]
            nr -= 2
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
    frames: np.ndarray,
    radius: float,
    first_radius: float,
    arc_step: float,
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
                ax, ay, bx, by, radius, start, fov, arc_step, min_occlusion
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
                    ax, ay, bx, by, r_hi, start, fov, arc_step, min_occlusion
                )
                levels[o] += 1
                n_esc = esc.shape[0]
                if n_esc == 0 or st != 0:
                    break
                if r_hi > _MAX_SEARCH:
                    st = 1
                    break
                esc_lo = esc[:, 0].copy()
                esc_hi = esc[:, 1].copy()
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
