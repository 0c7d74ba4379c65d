"""atheris (libFuzzer for Python) over the bridge's request handler: ``scripts/fuzz Bridge [SECONDS]``.

Every libFuzzer flag works (``-max_total_time``, ``-artifact_prefix``, corpus directories). A
crash is an exception out of ``bridge_harness.run_input``: an input the bridge did not answer
with a valid reply, answered with INTERNAL, or that killed the handler."""

from __future__ import annotations

import logging
import os
import sys

import atheris

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

with atheris.instrument_imports(include=["gymd", "bridge_harness"]):
    import bridge_harness

import request_mutator  # noqa: E402 - after the instrumented imports


def main() -> None:
    logging.getLogger("gymd").setLevel(logging.CRITICAL)  # a warning per rejected input otherwise
    bridge_harness.server()  # build the catalog before fuzzing starts
    atheris.Setup(sys.argv, bridge_harness.run_input, custom_mutator=request_mutator.mutate)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
