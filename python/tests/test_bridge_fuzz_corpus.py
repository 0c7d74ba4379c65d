"""Replays the bridge fuzz corpus (Fuzz/Bridge/corpus: seeds and every crasher found, see
scripts/fuzz Bridge) through the harness's checks, as an ordinary test."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HARNESS = Path(__file__).resolve().parents[2] / "Fuzz" / "Bridge"
CORPUS = sorted((HARNESS / "corpus").iterdir())


@pytest.fixture(scope="module")
def harness():
    sys.path.insert(0, str(HARNESS))
    try:
        import bridge_harness
        yield bridge_harness
    finally:
        sys.path.remove(str(HARNESS))


def test_the_corpus_holds_the_seeds_and_the_crashers():
    names = {path.name for path in CORPUS}
    assert {"seed-make", "seed-step", "crash-overlong-varint-id"} <= names


@pytest.mark.parametrize("path", CORPUS, ids=[path.name for path in CORPUS])
def test_corpus_input_gets_a_valid_reply(harness, path):
    harness.run_input(path.read_bytes())
