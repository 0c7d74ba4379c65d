"""A launch plan: which services run, how many, with what arguments, where, and in what order.

A plan is YAML (see examples/ray/*.yaml)::

    name: apex                   # the run's name (named actors are NAME/ROLE/INDEX)
    host: 127.0.0.1              # what services bind: an address, or "node" for the node's IP
    binary: /opt/gym/bin/gym     # the gym binary, at this path on every node (default: $GYM_BIN, PATH, the build)
    until: learner               # the role whose exit ends the run (default: the only `train` role)
    keys: {server: /etc/gym/server.secret}   # files on the nodes, used as {keys.server}
    groups:                      # instance i of each role shares placement-group bundle i
      - {roles: [env, actor], strategy: STRICT_SPREAD}
    roles:
      env:     {service: serve, count: 2, resources: {"actor_node_{i}": 0.01}}
      buffer:  {service: buffer}
      learner: {service: train, args: [dqn, --server, "{env.endpoint}", --buffer, "{buffer.endpoint}", --json]}
      actor:   {service: worker, count: 2, args: [--learner, "{learner.endpoint}", --server, "{env.endpoint}"]}

Placeholders in arguments and resource names: ``{i}`` (the instance's index), ``{ROLE.endpoint}``
(instance ``i % count`` of ROLE, which makes ROLE a dependency), ``{ROLE.count}``, ``{keys.NAME}``,
``{host}`` (the bind address on the node), ``{run}``. Every error names the plan line it is about.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .kinds import KINDS, has_option
from .plan_yaml import LinedList, LinedMap, PlanError, load_yaml

PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
STRATEGIES = ("PACK", "SPREAD", "STRICT_PACK", "STRICT_SPREAD")
MAX_COUNT = 1024
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,62}$")
_ROLE_KEYS = {"service", "count", "args", "resources", "cpus", "restarts", "after", "ready_timeout"}
_TOP_KEYS = {"name", "host", "binary", "until", "keys", "groups", "roles"}


@dataclass
class Role:
    """One role of a plan: ``count`` processes of one service kind."""

    name: str
    service: str
    line: int
    count: int = 1
    args: list[str] = field(default_factory=list)
    arg_lines: list[int] = field(default_factory=list)
    resources: dict[str, float] = field(default_factory=dict)
    resources_line: int = 0
    cpus: float = 0.01
    restarts: int = 3
    after: list[str] = field(default_factory=list)
    ready_timeout: float = 120.0
    #: Roles whose endpoints the arguments name, with the line of the first mention.
    needs: dict[str, int] = field(default_factory=dict)
    group: int | None = None

    def resources_for(self, index: int) -> dict[str, float]:
        """The custom resources instance ``index`` asks for, with ``{i}`` filled in."""
        return {name.replace("{i}", str(index)): amount for name, amount in self.resources.items()}


@dataclass
class Group:
    """Roles whose instance i share bundle i of one placement group."""

    roles: list[str]
    strategy: str
    line: int


@dataclass
class Plan:
    """A validated plan; ``order`` is the roles in dependency order."""

    name: str
    path: str
    roles: dict[str, Role]
    order: list[str]
    until: str
    host: str = "127.0.0.1"
    binary: str | None = None
    binary_line: int = 0
    keys: dict[str, str] = field(default_factory=dict)
    groups: list[Group] = field(default_factory=list)

    def error(self, message: str, line: int = 0) -> PlanError:
        return PlanError(message, line, self.path)


def load_plan(path: str | Path) -> Plan:
    """Reads and validates the plan at ``path`` (nothing is started)."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as error:
        raise PlanError(f"cannot read the plan: {error.strerror or error}", 0, str(path)) from None
    return parse_plan(text, str(path), default_name=path.stem)


def parse_plan(text: str, path: str = "plan", default_name: str = "run") -> Plan:
    """Parses and validates a plan's text: every check that needs no cluster."""
    document = load_yaml(text, path)

    def fail(message: str, line: int):
        raise PlanError(message, line, path)

    for key in document:
        if key not in _TOP_KEYS:
            fail(f"unknown key {key!r} (a plan has {', '.join(sorted(_TOP_KEYS))})", document.line_of(key))
    name = _text(document, "name", default_name, fail)
    if not _NAME.match(name):
        fail(f"the run's name {name!r} must be a letter then letters, digits, '_' or '-' (at most 63)", document.line_of("name"))
    roles_map = document.get("roles")
    if not isinstance(roles_map, LinedMap) or not roles_map:
        fail("'roles' must be a mapping of role names to roles", document.line_of("roles"))
    keys = _keys(document, fail)
    roles = {role_name: _role(role_name, spec, roles_map.line_of(role_name), fail) for role_name, spec in roles_map.items()}
    groups = _groups(document, roles, fail)
    for role in roles.values():
        _check_placeholders(role, roles, keys, fail)
        for other in role.after:
            if other not in roles:
                fail(f"role {role.name!r} comes after unknown role {other!r}", role.line)
            role.needs.setdefault(other, role.line)
    order = _dependency_order(roles, fail)
    until = _until(document, roles, fail)
    host = _text(document, "host", "127.0.0.1", fail)
    binary = document.get("binary")
    if binary is not None and not isinstance(binary, str):
        fail("'binary' must be a path", document.line_of("binary"))
    return Plan(name=name, path=path, roles=roles, order=order, until=until, host=host, binary=binary,
                binary_line=document.line_of("binary") if binary is not None else 0, keys=keys, groups=groups)


def _text(mapping: LinedMap, key: str, default: str, fail: Callable) -> str:
    value = mapping.get(key, default)
    if not isinstance(value, str) or not value:
        fail(f"{key!r} must be a non-empty string", mapping.line_of(key))
    return value


def _number(value, what: str, line: int, fail: Callable, minimum: float = 0, integer: bool = False, maximum: float | None = None):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (integer and not isinstance(value, int)):
        fail(f"{what} must be {'an integer' if integer else 'a number'}, not {value!r}", line)
    if value < minimum or (maximum is not None and value > maximum) or value != value:
        fail(f"{what} must be in [{minimum}, {maximum if maximum is not None else '∞'}], not {value!r}", line)
    return value


def _keys(document: LinedMap, fail: Callable) -> dict[str, str]:
    keys = document.get("keys", LinedMap())
    if not isinstance(keys, LinedMap):
        fail("'keys' must map key names to file paths on the nodes", document.line_of("keys"))
    for key, value in keys.items():
        if not isinstance(key, str) or not _NAME.match(key) or not isinstance(value, str) or not value:
            fail(f"key {key!r} must be a name mapped to a file path", keys.line_of(key))
    return dict(keys)


def _role(name, spec, line: int, fail: Callable) -> Role:
    if not isinstance(name, str) or not _NAME.match(name):
        fail(f"role name {name!r} must be a letter then letters, digits, '_' or '-'", line)
    if not isinstance(spec, LinedMap):
        fail(f"role {name!r} must be a mapping with at least 'service'", line)
    for key in spec:
        if key not in _ROLE_KEYS:
            fail(f"role {name!r} has unknown key {key!r} (a role has {', '.join(sorted(_ROLE_KEYS))})", spec.line_of(key))
    service = spec.get("service")
    if service not in KINDS:
        fail(f"role {name!r} has service {service!r}; known services: {', '.join(KINDS)}", spec.line_of("service"))
    role = Role(name=name, service=service, line=line)
    role.count = _number(spec.get("count", 1), f"{name}.count", spec.line_of("count"), fail, 1, True, MAX_COUNT)
    role.cpus = float(_number(spec.get("cpus", role.cpus), f"{name}.cpus", spec.line_of("cpus"), fail, 0, maximum=1024))
    role.restarts = _number(spec.get("restarts", 0 if service in ("train", "trainer") else 3), f"{name}.restarts",
                            spec.line_of("restarts"), fail, 0, True, 100)
    role.ready_timeout = float(_number(spec.get("ready_timeout", role.ready_timeout), f"{name}.ready_timeout",
                                       spec.line_of("ready_timeout"), fail, 1, maximum=3600))
    args = spec.get("args", LinedList())
    if not isinstance(args, LinedList):
        fail(f"{name}.args must be a list", spec.line_of("args"))
    for index, arg in enumerate(args):
        if isinstance(arg, bool) or not isinstance(arg, (str, int, float)):
            fail(f"{name}.args[{index}] must be a string or a number, not {arg!r}", args.line_of(index))
        role.args.append(str(arg))
        role.arg_lines.append(args.line_of(index))
    resources = spec.get("resources", LinedMap())
    if not isinstance(resources, LinedMap):
        fail(f"{name}.resources must map resource names to amounts", spec.line_of("resources"))
    role.resources_line = spec.line_of("resources")
    for resource, amount in resources.items():
        if not isinstance(resource, str) or PLACEHOLDER.sub("", resource.replace("{i}", "")) != resource.replace("{i}", ""):
            fail(f"{name}.resources: {resource!r} may use no placeholder but {{i}}", resources.line_of(resource))
        role.resources[resource] = float(_number(amount, f"{name}.resources.{resource}", resources.line_of(resource), fail, 0.0001))
    after = spec.get("after", LinedList())
    if not isinstance(after, LinedList) or not all(isinstance(item, str) for item in after):
        fail(f"{name}.after must be a list of role names", spec.line_of("after"))
    role.after = list(after)
    return role


def _groups(document: LinedMap, roles: dict[str, Role], fail: Callable) -> list[Group]:
    specs = document.get("groups", LinedList())
    if not isinstance(specs, LinedList):
        fail("'groups' must be a list of {roles: [...], strategy: ...}", document.line_of("groups"))
    groups = []
    for index, spec in enumerate(specs):
        line = specs.line_of(index)
        if not isinstance(spec, LinedMap) or not isinstance(spec.get("roles"), LinedList) or not spec["roles"]:
            fail("a group needs 'roles', a list of role names", line)
        strategy = spec.get("strategy", "PACK")
        if strategy not in STRATEGIES:
            fail(f"strategy {strategy!r} is not one of {', '.join(STRATEGIES)}", spec.line_of("strategy"))
        members = list(spec["roles"])
        for member in members:
            if member not in roles:
                fail(f"the group names unknown role {member!r}", spec.line_of("roles"))
            if roles[member].group is not None:
                fail(f"role {member!r} is in two groups", spec.line_of("roles"))
            roles[member].group = len(groups)
        counts = {roles[member].count for member in members}
        if len(counts) != 1:
            fail(f"the roles of a group must have one count (instance i of each shares bundle i), not {sorted(counts)}",
                 spec.line_of("roles"))
        groups.append(Group(roles=members, strategy=strategy, line=line))
    return groups


def _check_placeholders(role: Role, roles: dict[str, Role], keys: dict[str, str], fail: Callable) -> None:
    for arg, line in zip(role.args, role.arg_lines):
        for token in PLACEHOLDER.findall(arg):
            if token in ("i", "host", "run"):
                continue
            head, _, tail = token.partition(".")
            if head == "keys":
                if tail not in keys:
                    fail(f"{{{token}}} names no key of the plan's 'keys' ({', '.join(keys) or 'none'})", line)
            elif head in roles and tail == "count":
                continue
            elif head in roles and tail == "endpoint":
                if KINDS[roles[head].service].ready is None or roles[head].service == "record":
                    fail(f"role {head!r} ({roles[head].service}) has no endpoint to wire into {role.name!r}", line)
                role.needs.setdefault(head, line)
            elif head not in roles and tail in ("endpoint", "count"):
                fail(f"unknown role {head!r} in {{{token}}} (roles: {', '.join(roles)})", line)
            else:
                fail(f"unknown placeholder {{{token}}} (known: {{i}}, {{host}}, {{run}}, {{ROLE.endpoint}}, "
                     f"{{ROLE.count}}, {{keys.NAME}})", line)


def _dependency_order(roles: dict[str, Role], fail: Callable) -> list[str]:
    order: list[str] = []
    state: dict[str, str] = {}

    def visit(name: str, path: list[str]):
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            cycle = path[path.index(name):] + [name]
            first = roles[cycle[0]]
            fail(f"dependency cycle: {' -> '.join(cycle)} (each needs the next one's endpoint or comes after it)",
                 first.needs.get(cycle[1], first.line))
        state[name] = "visiting"
        for needed in roles[name].needs:
            visit(needed, path + [name])
        state[name] = "done"
        order.append(name)

    for name in roles:
        visit(name, [])
    return order


def _until(document: LinedMap, roles: dict[str, Role], fail: Callable) -> str:
    if "until" in document:
        until = document["until"]
        if until not in roles:
            fail(f"'until' names unknown role {until!r} (roles: {', '.join(roles)})", document.line_of("until"))
        return until
    learners = [name for name, role in roles.items() if role.service in ("train", "trainer")]
    if len(learners) != 1:
        fail("say which role's exit ends the run with 'until: ROLE' (the plan has "
             f"{len(learners)} train or trainer roles)", document.line)
    return learners[0]


def expand(arg: str, index: int, plan: Plan, host: str, endpoint: Callable[[str, int], str]) -> str:
    """``arg`` with its placeholders filled for instance ``index``; ``endpoint(role, i)`` looks one up."""

    def fill(match: re.Match) -> str:
        token = match.group(1)
        if token == "i":
            return str(index)
        if token == "host":
            return host
        if token == "run":
            return plan.name
        head, _, tail = token.partition(".")
        if head == "keys":
            return plan.keys[tail]
        other = plan.roles[head]
        if tail == "count":
            return str(other.count)
        return endpoint(head, index % other.count)

    return PLACEHOLDER.sub(fill, arg)


def service_arguments(plan: Plan, role_name: str, index: int, host: str, endpoint: Callable[[str, int], str]) -> list[str]:
    """The arguments instance ``index`` of a role runs with: its own, expanded, plus what the
    launcher supplies when they do not say (``--no-spawn`` for a learner; the bind option with
    ``host`` and a free port for a service that listens)."""
    role = plan.roles[role_name]
    kind = KINDS[role.service]
    args = [expand(arg, index, plan, host, endpoint) for arg in role.args]
    for option in kind.default_args:
        if not has_option(args, option):
            args.append(option)
    if kind.bind_option and not has_option(args, kind.bind_option):
        args += [kind.bind_option, f"tcp://{host}:*"]
    return args
