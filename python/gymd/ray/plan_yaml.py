"""YAML loading that keeps line numbers, so a plan's errors can name the line they are about."""

from __future__ import annotations

import yaml


class LinedMap(dict):
    """A YAML mapping: ``line`` is where it starts, ``lines[key]`` where each key stands."""

    line = 0

    def __init__(self):
        super().__init__()
        self.lines: dict = {}

    def line_of(self, key) -> int:
        """The line of ``key``, or of the mapping itself when the key is absent."""
        return self.lines.get(key, self.line)


class LinedList(list):
    """A YAML sequence: ``line`` is where it starts, ``lines[i]`` where item i stands."""

    line = 0

    def __init__(self):
        super().__init__()
        self.lines: list[int] = []

    def line_of(self, index: int) -> int:
        return self.lines[index] if 0 <= index < len(self.lines) else self.line


class PlanError(ValueError):
    """A plan that cannot run, with the line (1-based; 0 when none applies) it is about."""

    def __init__(self, message: str, line: int = 0, path: str = "plan"):
        self.message, self.line, self.path = message, line, path
        super().__init__(f"{path}:{line}: {message}" if line else f"{path}: {message}")


class _Loader(yaml.SafeLoader):
    """Safe YAML (no Python objects) whose mappings and sequences remember their lines."""


def _mapping(loader: _Loader, node: yaml.MappingNode) -> LinedMap:
    loader.flatten_mapping(node)
    mapping = LinedMap()
    mapping.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, (str, int, float, bool)) or key is None:
            raise PlanError(f"a key must be a plain scalar, not {type(key).__name__}", line)
        if key in mapping:
            raise PlanError(f"{key!r} is given twice (first on line {mapping.lines[key]})", line)
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.lines[key] = line
    return mapping


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> LinedList:
    sequence = LinedList()
    sequence.line = node.start_mark.line + 1
    for item in node.value:
        sequence.append(loader.construct_object(item, deep=True))
        sequence.lines.append(item.start_mark.line + 1)
    return sequence


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)

#: Largest plan file read, in bytes: a plan is a page of YAML, not a data set.
MAX_PLAN_BYTES = 1 << 20


def load_yaml(text: str, path: str = "plan") -> LinedMap:
    """Parses ``text``; syntax errors and a top level that is not a mapping raise ``PlanError``."""
    if len(text) > MAX_PLAN_BYTES:
        raise PlanError(f"the plan is {len(text)} bytes; at most {MAX_PLAN_BYTES} are read", 0, path)
    try:
        document = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except PlanError as error:
        raise PlanError(error.message, error.line, path) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise PlanError(f"not valid YAML: {getattr(error, 'problem', None) or error}",
                        mark.line + 1 if mark else 0, path) from None
    if not isinstance(document, LinedMap):
        raise PlanError("a plan is a YAML mapping with a 'roles' key", 1, path)
    return document
