"""The cycle collector is paused for a block and switched back on as it was."""

from __future__ import annotations

import gc

import pytest

from cpted._memory import cycles_paused


def test_paused_in_the_block_and_on_again_after():
    assert gc.isenabled()
    with cycles_paused():
        assert not gc.isenabled()
        with cycles_paused():  # nested: the outer block switches it back on
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_on_again_after_an_error():
    with pytest.raises(ValueError, match="inside"), cycles_paused():
        raise ValueError("inside")
    assert gc.isenabled()


def test_left_off_when_the_caller_had_it_off():
    gc.disable()
    try:
        with cycles_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
