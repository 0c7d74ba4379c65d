"""Services under abuse (issue 13), small enough for CI: the runs of ``scripts/abuse`` against
the debug build. Latency figures are printed, not asserted (timing is measured by the script,
not by tests); what must hold whatever the machine's load is asserted: every request answered,
nothing of the good client's lost or wrong, the service alive, its memory back near baseline."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from conftest import REPO, gym_binary


@pytest.fixture(scope="module")
def abuse():
    spec = importlib.util.spec_from_file_location("abuse", REPO / "scripts" / "abuse.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["abuse"] = module
    spec.loader.exec_module(module)
    module.GYM = str(gym_binary())
    return module


@pytest.mark.parametrize("service", ["daemon", "buffer"])
def test_a_garbage_flood_loses_nothing_of_a_good_client_and_leaves_no_memory_behind(abuse, service):
    result = abuse.flood(service, seconds=1.5, rounds=1)
    print(result)
    assert result["alive"]
    assert result["garbage_sent"] > 1000, "the flood must actually flood"
    assert result["lost"] == 0 and result["wrong"] == 0, result.get("first_wrong")
    assert result["rss_change"] <= 0.10, f"resident memory {result['rss_before_kib']} -> {result['rss_after_kib']} KiB"


@pytest.mark.parametrize("service", ["daemon", "buffer", "parameters"])
def test_every_fuzzed_request_is_answered_with_a_typed_error_or_a_valid_reply(abuse, service):
    result = abuse.fuzz(service, 2000)
    print(result)
    assert result["alive"]
    assert result["answered"] == result["sent"] == 2000, result["unanswered"]
    assert result["internal"] == 0, result["internal_messages"]
    assert result["undecodable"] == 0
    assert result["good_lost"] == 0
