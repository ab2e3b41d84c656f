"""Author the small photometric files the lighting tests read (run once, by hand).

The files follow the EULUMDAT layout (Stockmar 1990; one value per line) and IES LM-63-2002.
Their intensities come from the analytic distributions below, which the tests evaluate
too, so a parser that reads a file right reproduces them at every tabulated angle.
"""

from __future__ import annotations

import math
from pathlib import Path

HERE = Path(__file__).resolve().parent


def road(c_deg: float, g_deg: float) -> float:
    """Road lantern, cd/klm: brighter towards C90 (street side), symmetric about C90-C270."""
    if g_deg <= 70:
        base = 100.0 + 120.0 * (g_deg / 70.0) ** 2
    elif g_deg <= 90:
        base = 220.0 * (90.0 - g_deg) / 20.0
    else:
        base = 0.0
    return base * (1.0 + 0.5 * math.sin(math.radians(c_deg)) * math.sin(math.radians(g_deg)))


def post_top(g_deg: float) -> float:
    """Post-top lantern, cd/klm, rotationally symmetric, with some upward light."""
    if g_deg <= 90:
        return 80.0 + 40.0 * math.sin(math.radians(g_deg))
    return 30.0 * (180.0 - g_deg) / 90.0


def ldt(
    *,
    name: str,
    isym: int,
    mc: int,
    dc: float,
    gammas: list[float],
    planes: list[float],
    values: list[list[float]],
    flux: float,
    dff: float,
    lorl: float,
) -> str:
    ng = len(gammas)
    head = [
        "cpted test data / authored by make_photometry.py",
        "1" if isym == 1 else "3",
        str(isym),
        str(mc),
        f"{dc:g}",
        str(ng),
        f"{gammas[1] - gammas[0]:g}",
        "cpted-test-0001",
        name,
        "CPT-1",
        f"{name.lower().replace(' ', '_')}.ldt",
        "2026-11-26 cpted",
        "600",
        "250",
        "120",
        "500",
        "200",
        "0",
        "0",
        "0",
        "0",
        f"{dff:.1f}",
        f"{lorl:.1f}",
        "1.0",
        "0",
        "1",
        "1",
        "LED",
        f"{flux:g}",
        "3000",
        "70",
        "30",
    ]
    head += ["0.5"] * 10
    head += [f"{dc * i:g}" for i in range(mc)]
    head += [f"{g:g}" for g in gammas]
    for row in values:
        head += [f"{v:.1f}" for v in row]
    return "\r\n".join(head) + "\r\n"


def main() -> None:
    gammas = [5.0 * i for i in range(19)]  # 0..90
    mc, dc = 24, 15.0
    # Isym 3: planes 3Mc/4+1 .. 3Mc/4+1+Mc/2, i.e. C270 .. C345, C0 .. C90
    stored = [(270.0 + dc * i) % 360.0 for i in range(mc // 2 + 1)]
    values = [[road(c, g) for g in gammas] for c in stored]
    (HERE / "lighting_road_isym3.ldt").write_text(
        ldt(
            name="Road lantern R1",
            isym=3,
            mc=mc,
            dc=dc,
            gammas=gammas,
            planes=stored,
            values=values,
            flux=4000.0,
            dff=100.0,
            lorl=88.5,
        ),
        encoding="latin-1",
        newline="",
    )
    g_full = [10.0 * i for i in range(19)]  # 0..180
    (HERE / "lighting_post_top_isym1.ldt").write_text(
        ldt(
            name="Post top P1",
            isym=1,
            mc=24,
            dc=15.0,
            gammas=g_full,
            planes=[0.0],
            values=[[post_top(g) for g in g_full]],
            flux=2000.0,
            dff=80.5,
            lorl=86.9,
        ),
        encoding="latin-1",
        newline="",
    )
    # IES: the road lantern for 4000 lm, horizontal angles 90..270 (symmetric about C90-C270)
    h_angles = [90.0 + 15.0 * i for i in range(13)]
    rows = [" ".join(f"{road(c, g) * 4:.1f}" for g in gammas) for c in h_angles]
    ies = [
        "IESNA:LM-63-2002",
        "[TEST] cpted test data, authored by make_photometry.py",
        "[MANUFAC] cpted",
        "[LUMCAT] CPT-1",
        "[LUMINAIRE] Road lantern R1",
        "TILT=NONE",
        f"1 4000 1 {len(gammas)} {len(h_angles)} 1 2 0.25 0.6 0.12",
        "1 1 32",
        " ".join(f"{g:g}" for g in gammas),
        " ".join(f"{h:g}" for h in h_angles),
        *rows,
    ]
    (HERE / "lighting_road_c90.ies").write_text("\n".join(ies) + "\n", encoding="ascii")
    # IES absolute photometry (lumens = -1) of the post top at 2000 lm luminaire output
    absolute = [
        "IESNA:LM-63-2002",
        "[TEST] cpted test data, authored by make_photometry.py",
        "[LUMINAIRE] Post top P1 absolute",
        "TILT=NONE",
        f"1 -1 2 {len(g_full)} 1 1 2 0.5 0.5 0.6",
        "1.0 1.0 20",
        " ".join(f"{g:g}" for g in g_full),
        "0",
        " ".join(f"{post_top(g):.1f}" for g in g_full),
    ]
    (HERE / "lighting_post_top_absolute.ies").write_text(
        "\n".join(absolute) + "\n", encoding="ascii"
    )


if __name__ == "__main__":
    main()
