"""One rounding rule per kind of figure (cpted._format), worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from cpted import _format as fmt


def test_scores_are_whole_numbers():
    assert fmt.score(63.4) == "63" and fmt.score(99.6) == "100" and fmt.score(0) == "0"
    assert fmt.score(math.nan) == fmt.score(None) == fmt.score(pd.NA) == "–"


def test_measures_keep_their_units_precision():
    assert fmt.metres(1204.4) == "1,204 m" and fmt.metres(12.5, unit=False) == "12"
    assert fmt.kilometres(83_912) == "83.9 km"
    assert fmt.lux(3.21) == "3.2 lx" and fmt.lux(0.456) == "0.46 lx" and fmt.lux(15) == "15.0 lx"
    assert fmt.share(0.423) == "42%" and fmt.share(np.float64(1.0)) == "100%"
    assert fmt.number(1234.567, 1) == "1,234.6"


def test_counts_say_one_or_many():
    assert fmt.count(1, "way out") == "1 way out"
    assert fmt.count(0, "way out", "ways out") == "0 ways out"
    assert fmt.count(3, "hiding place") == "3 hiding places"
    assert fmt.count(2, "approach") == "2 approaches"


def test_barrier_ratings_are_read_out():
    assert fmt.barrier_rating("V/30000[N3]/64") == (
        "a barrier rated for a 30 t heavy truck at 64 km/h (IWA 14-1 V/30000[N3]/64)"
    )
    assert fmt.barrier_rating("V/7200[N2A]/48", short=True) == (
        "a 7.2 t light truck at 48 km/h (IWA 14-1 V/7200[N2A]/48)"
    )
    assert "over 112 km/h" in fmt.barrier_rating("V/1500[M1]/>112")
    assert fmt.barrier_rating("") == "–" and fmt.barrier_rating("unknown") == "unknown"
