"""Wrappers the parallel bridge's tests hand it with ``--wrapper`` (operator input)."""

from __future__ import annotations

import time

import gymnasium


class StallOnRequest(gymnasium.Wrapper):
    """Sleeps ``options["stall"]`` seconds in reset: a worker that overruns its timeout."""

    def reset(self, *, seed=None, options=None):
        if options and "stall" in options:
            time.sleep(float(options["stall"]))
        return self.env.reset(seed=seed)
