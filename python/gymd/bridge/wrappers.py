"""Wrappers the operator puts around every served environment at start-up (``--atari``,
``--wrapper module:callable``); clients cannot name any."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, Callable

import gymnasium
import numpy as np

#: Kwargs of ``ALE/*`` environments that ``--atari`` sets itself. AtariPreprocessing skips the
#: frames, so ALE's own frameskip must be 1; it reads ALE's screen itself, whatever ``obs_type``
#: says, so the inner env's own observation is made grayscale, the cheapest it reads back
#: (about 10% of a preprocessed step saved; the observations are the same as with ``rgb``).
ATARI_FIXED_KWARGS = {"frameskip": 1, "obs_type": "grayscale"}
ATARI_REFUSED_KWARGS = ("frameskip", "obs_type")


def is_atari(env_id: str) -> bool:
    """An id of ale-py's environments."""
    return env_id.startswith("ALE/")


def atari_preprocessing(env: gymnasium.Env) -> gymnasium.Env:
    """The standard Atari preprocessing (Machado et al. settings as in Gymnasium's docs): up to 30
    no-ops at reset, 4 frames skipped with a max over the last two, 84x84 grayscale uint8, life
    loss not terminal, then a stack of the last 4 frames (observation shape 4x84x84)."""
    from gymnasium.wrappers import AtariPreprocessing, FrameStackObservation

    env = AtariPreprocessing(env, noop_max=30, frame_skip=4, screen_size=84, terminal_on_life_loss=False,
                             grayscale_obs=True, grayscale_newaxis=False, scale_obs=False)
    return FrameStackObservation(env, stack_size=4)


def load_callable(reference: str) -> Callable[[gymnasium.Env], gymnasium.Env]:
    """``module:attribute.path`` imported; ``ValueError`` or ``ImportError`` when it is not a callable."""
    module_name, separator, attribute = reference.partition(":")
    if not separator or not module_name or not attribute:
        raise ValueError(f"--wrapper {reference!r} is not of the form module:callable")
    target: Any = importlib.import_module(module_name)
    for part in attribute.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            raise ValueError(f"--wrapper {reference!r}: {module_name} has no {attribute}") from None
    if not callable(target):
        raise ValueError(f"--wrapper {reference!r} is not callable")
    return target


@dataclass(frozen=True)
class OperatorWrappers:
    """What the operator asked for; plain data, so worker processes can rebuild it."""

    atari: bool = False
    #: ``module:callable`` references, applied in order after ``--atari``'s preprocessing.
    references: tuple[str, ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "_callables", tuple(load_callable(reference) for reference in self.references))

    def fixed_kwargs(self, env_id: str) -> dict[str, Any]:
        """Kwargs the bridge passes to ``gymnasium.make`` whatever the client asked."""
        return dict(ATARI_FIXED_KWARGS) if self.atari and is_atari(env_id) else {}

    def refused_kwargs(self, env_id: str) -> tuple[str, ...]:
        """Registered kwargs a client may not set under these wrappers."""
        return ATARI_REFUSED_KWARGS if self.atari and is_atari(env_id) else ()

    def apply(self, env_id: str, env: gymnasium.Env) -> gymnasium.Env:
        """``env`` inside the wrappers."""
        if self.atari and is_atari(env_id):
            env = atari_preprocessing(env)
        for wrap in self._callables:
            wrapped = wrap(env)
            if not isinstance(wrapped, gymnasium.Env):
                raise TypeError(f"wrapper {wrap!r} returned {type(wrapped).__name__}, not a gymnasium.Env")
            env = wrapped
        return env

    def __reduce__(self):
        return (OperatorWrappers, (self.atari, self.references))


class SeedsBelow2To32(gymnasium.Wrapper):
    """Folds every reset seed into ``[0, 2**32)`` for environments that seed NumPy's legacy
    ``RandomState`` (MinAtar's games do), which refuses larger seeds although Gymnasium's API takes
    any non-negative integer, and the agents' evaluation seeds are 64-bit.

    The fold is ``SeedSequence(seed).generate_state(1)[0]``: deterministic, and seeds that differ
    only in their high bits still land far apart. Serve such environments with
    ``--wrapper gymd.bridge.wrappers:SeedsBelow2To32``.
    """

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        if seed is not None:
            seed = int(np.random.SeedSequence(seed).generate_state(1)[0])
        return self.env.reset(seed=seed, options=options)
