"""The Gymnasium environments a bridge serves: how to make them and their protocol specs."""

from __future__ import annotations

import dataclasses
import importlib.metadata
import inspect
import logging
from typing import Any, Mapping

import gymnasium

from ..errors import InvalidArgumentError, UnknownEnvError
from ..protocol import gym_pb2
from ..spaces import space_to_wire
from ..values import to_value
from ..wire_limits import echo
from .wrappers import OperatorWrappers

#: The render modes a client may ask for: ``human`` opens windows and costs tens of
#: milliseconds a step on the bridge's one thread, ``rgb_array_list`` keeps every frame.
SERVED_RENDER_MODES = ("rgb_array",)

log = logging.getLogger("gymd.serve")

#: Constructor switches clients may set although the registry does not list them, by entry
#: point: only booleans, read with their defaults from the constructor's signature
#: (``--env-arg is_slippery=false`` on FrozenLake).
CONSTRUCTOR_SWITCHES = {
    "gymnasium.envs.toy_text.frozen_lake:FrozenLakeEnv": ("is_slippery",),
    "gymnasium.envs.toy_text.cliffwalking:CliffWalkingEnv": ("is_slippery",),
    "gymnasium.envs.toy_text.taxi:TaxiEnv": ("is_rainy", "fickle_passenger"),
}


def _settable_kwargs(registered: gymnasium.envs.registration.EnvSpec) -> dict[str, Any]:
    """The registered kwargs plus the ``CONSTRUCTOR_SWITCHES`` of its entry point, with their defaults."""
    kwargs = dict(registered.kwargs)
    switches = CONSTRUCTOR_SWITCHES.get(registered.entry_point) if isinstance(registered.entry_point, str) else None
    if switches:
        try:
            parameters = inspect.signature(gymnasium.envs.registration.load_env_creator(registered.entry_point)).parameters
        except (ImportError, AttributeError, TypeError, ValueError):
            return kwargs
        for name in switches:
            default = parameters[name].default if name in parameters else None
            if isinstance(default, bool):
                kwargs.setdefault(name, default)
    return kwargs


class EnvCatalog:
    """Gymnasium ids made without Gymnasium's own time limit (the batch applies the
    registry's), in ``rgb_array`` render mode when the environment has it.

    Only the ids the operator named are served, each resolved once here: a client's id is
    looked up among them and never reaches Gymnasium's registry (where ``module:Env-v0`` would
    import ``module``). A client's kwargs are checked by ``checked_kwargs`` against what the
    environment was registered with (and the few ``CONSTRUCTOR_SWITCHES``).
    """

    def __init__(self, env_ids: list[str], wrappers: OperatorWrappers | None = None, *,
                 renders: dict[str, bool] | None = None):
        self.wrappers = wrappers or OperatorWrappers()
        self._registry: dict[str, gymnasium.envs.registration.EnvSpec] = {}
        self._kwargs: dict[str, dict[str, Any]] = {}
        self._renders: dict[str, bool] = dict(renders or {})
        self.specs: dict[str, gym_pb2.EnvSpec] = {}
        for env_id in env_ids:
            register_namespace(env_id)
            try:
                registered = gymnasium.spec(env_id)
            except gymnasium.error.Error as error:
                raise ValueError(f"{env_id} is not a registered Gymnasium environment: {error}") from None
            self._registry[env_id] = registered
            self._kwargs[env_id] = _settable_kwargs(registered)
            # A worker process is handed what the main process found out about rendering.
            if renders is None:
                self.specs[env_id] = self._describe(env_id)

    @property
    def renders(self) -> dict[str, bool]:
        """Which served ids render ``rgb_array`` frames (for worker processes' catalogs)."""
        return dict(self._renders)

    @property
    def env_ids(self) -> list[str]:
        """Every id this catalog makes."""
        return list(self._registry)

    @property
    def ids(self) -> list[str]:
        """The served ids, in the order given."""
        return list(self.specs)

    def max_episode_steps(self, env_id: str) -> int | None:
        """The registry's time limit of ``env_id``."""
        return self._registry[env_id].max_episode_steps

    def make(self, env_id: str, kwargs: Mapping[str, Any] | None = None) -> gymnasium.Env:
        """A new environment; a bad kwarg is ``InvalidArgumentError``."""
        if env_id not in self._registry:
            raise UnknownEnvError(f"this bridge does not serve {echo(env_id)!r} (it serves: {echo(', '.join(self.ids))})")
        unlimited = dataclasses.replace(self._registry[env_id], max_episode_steps=None)
        options: dict[str, Any] = dict(kwargs or {})
        if self._renders.get(env_id, True):
            options.setdefault("render_mode", "rgb_array")
        options.update(self.wrappers.fixed_kwargs(env_id))
        try:
            env = gymnasium.make(unlimited, disable_env_checker=True, **options)
        except (TypeError, ValueError, AssertionError, gymnasium.error.Error) as error:
            raise InvalidArgumentError(f"could not make {env_id} with kwargs {sorted(options)}: {echo(str(error))}") from None
        except Exception as error:
            # A constructor fails in its own ways on a client's kwargs (FrozenLake: KeyError for an unknown map).
            if not kwargs:
                raise
            raise InvalidArgumentError(f"could not make {env_id} with kwargs {sorted(options)}: "
                                       f"{type(error).__name__}: {echo(str(error))}") from None
        try:
            return self.wrappers.apply(env_id, env)
        except BaseException:
            env.close()
            raise

    def checked_kwargs(self, env_id: str, kwargs: Mapping[str, Any]) -> dict[str, Any]:
        """A client's kwargs for ``env_id`` if each is one the environment was registered with,
        of its registered value's type (a float may be given as an int), or ``render_mode`` with
        a mode this bridge renders the environment in; else ``InvalidArgumentError``."""
        registered = self._kwargs[env_id]
        checked: dict[str, Any] = {}
        for name, value in kwargs.items():
            if name == "render_mode":
                modes = SERVED_RENDER_MODES if self._renders.get(env_id) else ()
                if not isinstance(value, str) or value not in modes:
                    raise InvalidArgumentError(f"{env_id} is served with render_mode in {list(modes)}, "
                                               f"not {echo(str(value))!r}")
                checked[name] = value
                continue
            if name in self.wrappers.refused_kwargs(env_id):
                raise InvalidArgumentError(f"{env_id} is served with the operator's --atari preprocessing, "
                                           f"which sets {name} itself")
            if name not in registered:
                raise InvalidArgumentError(f"{env_id} takes no kwarg {echo(name)!r} here; it takes: "
                                           f"{', '.join(sorted(k for k in registered if k != 'render_mode')) or 'none'}")
            checked[name] = _typed_like(registered[name], value, f"{env_id} kwarg {name}")
        return checked

    def _describe(self, env_id: str) -> gym_pb2.EnvSpec:
        registered = self._registry[env_id]
        env = self._make_first(env_id)
        try:
            spec = gym_pb2.EnvSpec(
                id=env_id, observation_space=space_to_wire(env.observation_space),
                action_space=space_to_wire(env.action_space), max_episode_steps=registered.max_episode_steps or 0,
                description=_summary(type(env.unwrapped).__doc__) or f"Gymnasium's {env_id}")
            if registered.reward_threshold is not None:
                spec.reward_threshold = float(registered.reward_threshold)
            for key, value in self._kwargs[env_id].items():
                if key == "render_mode" or key in self.wrappers.refused_kwargs(env_id):
                    continue
                try:
                    spec.kwargs[key].CopyFrom(to_value(value))
                except TypeError:
                    log.info("%s: kwarg %s=%r cannot travel on the protocol; not listed", env_id, key, value)
            if self._renders[env_id]:
                env.reset(seed=0)
                frame = env.render()
                spec.render_height, spec.render_width = int(frame.shape[0]), int(frame.shape[1])
            return spec
        finally:
            env.close()

    def _make_first(self, env_id: str) -> gymnasium.Env:
        # Rendering needs optional packages (pygame, ...): without them the env is served unrendered.
        try:
            self._renders[env_id] = True
            env = self.make(env_id)
            env.reset(seed=0)
            frame = env.render()
            if frame is not None and getattr(frame, "ndim", 0) == 3:
                return env
            env.close()
        except Exception as error:  # noqa: BLE001 - any failure only means "cannot render"
            log.warning("%s cannot render rgb_array frames (%s); serving it without render", env_id, error)
        self._renders[env_id] = False
        return self.make(env_id)


def register_namespace(env_id: str) -> None:
    """Registers the namespace of ``env_id`` from the package that declares it, when Gymnasium
    has none of its ids yet.

    Packages such as ``minatar`` declare a ``gymnasium.envs`` entry point named after their
    namespace (``MinAtar = minatar.gym:register_envs``); Gymnasium 1.x no longer calls these, so
    ``MinAtar/Breakout-v1`` would be unknown without an ``--import`` that registers nothing either.
    Only operator-named ids reach here, and only installed packages' entry points are loaded.
    """
    namespace, _, _ = env_id.rpartition("/")
    if not namespace or any(spec.namespace == namespace for spec in gymnasium.registry.values()):
        return
    for entry_point in importlib.metadata.entry_points(group="gymnasium.envs", name=namespace):
        log.info("registering the %s environments from %s", namespace, entry_point.value)
        registrar = entry_point.load()
        if callable(registrar):
            registrar()


def _typed_like(default: Any, value: Any, what: str) -> Any:
    """``value`` if it has the kind of the registered ``default`` (bool, int, float or str);
    kwargs registered with other values cannot be set by clients."""
    if isinstance(default, bool):
        ok = isinstance(value, bool)
    elif isinstance(default, int):
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif isinstance(default, float):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        value = float(value) if ok else value
    elif isinstance(default, str):
        ok = isinstance(value, str)
    else:
        raise InvalidArgumentError(f"{what} is registered as {type(default).__name__}, which clients cannot set")
    if not ok:
        raise InvalidArgumentError(f"{what} must be a {type(default).__name__} like its registered value "
                                   f"{echo(repr(default))}, got a {type(value).__name__}")
    return value


def _summary(doc: str | None) -> str:
    """The first prose line of an environment's docstring."""
    for line in (doc or "").splitlines():
        line = line.strip()
        if line and not line.startswith(("#", "=", "-", "..", "|")):
            return line[:300]
    return ""
