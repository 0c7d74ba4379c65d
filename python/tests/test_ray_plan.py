"""Launch-plan validation (gymd.ray.plan): every bad plan fails before anything starts, naming its line."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

pytest.importorskip("yaml", reason="gymd.ray plans need PyYAML (pip install 'gymd[ray]')")

from gymd.ray.placement import check_resources, resolve_binary  # noqa: E402
from gymd.ray.plan import expand, parse_plan  # noqa: E402
from gymd.ray.plan_yaml import PlanError  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "ray"

GOOD = """\
name: t
roles:
  env:
    service: serve
    count: 2
    resources: {"node_{i}": 0.5}
  buffer:
    service: buffer
  learner:
    service: train
    args: [dqn, --server, "{env.endpoint}", --buffer, "{buffer.endpoint}", --actors, "{actor.count}"]
  actor:
    service: worker
    count: 2
    args: [--learner, "{learner.endpoint}", --server, "{env.endpoint}"]
"""


def error_of(text: str) -> PlanError:
    with pytest.raises(PlanError) as caught:
        parse_plan(textwrap.dedent(text), "p.yaml")
    return caught.value


def test_a_good_plan_is_ordered_by_its_dependencies():
    plan = parse_plan(GOOD, "p.yaml")
    assert plan.until == "learner"
    order = plan.order
    assert order.index("env") < order.index("learner") < order.index("actor")
    assert order.index("buffer") < order.index("learner")
    assert plan.roles["actor"].needs == {"learner": 15, "env": 15}
    assert plan.roles["env"].resources_for(1) == {"node_1": 0.5}


def test_placeholders_take_the_instance_of_the_same_index():
    plan = parse_plan(GOOD, "p.yaml")
    endpoints = {("env", 0): "tcp://a:1", ("env", 1): "tcp://b:2", ("learner", 0): "tcp://l:3"}
    args = [expand(arg, 1, plan, "10.0.0.9", lambda role, i: endpoints[(role, i)]) for arg in plan.roles["actor"].args]
    assert args == ["--learner", "tcp://l:3", "--server", "tcp://b:2"]
    assert expand("{actor.count}/{i}/{host}/{run}", 0, plan, "h", None) == "2/0/h/t"


def test_an_unknown_role_names_its_line():
    error = error_of(GOOD.replace('"{buffer.endpoint}"', '"{bufer.endpoint}"'))
    assert error.line == 11 and "unknown role 'bufer'" in str(error) and str(error).startswith("p.yaml:11:")


def test_an_unknown_service_names_its_line():
    error = error_of(GOOD.replace("service: buffer", "service: bufer"))
    assert error.line == 8 and "bufer" in error.message


def test_a_cycle_names_the_line_and_the_cycle():
    text = GOOD.replace("service: buffer", 'service: buffer\n    args: [--x, "{learner.endpoint}"]')
    error = error_of(text)
    assert "buffer -> learner -> buffer" in error.message or "learner -> buffer -> learner" in error.message
    assert error.line in (9, 12)


def test_a_self_reference_is_a_cycle():
    error = error_of("roles:\n  a: {service: serve, args: ['{a.endpoint}']}\n  l: {service: train}\n")
    assert "cycle: a -> a" in error.message and error.line == 2


def test_an_endpoint_of_a_service_without_one_is_refused():
    error = error_of("roles:\n  w: {service: worker}\n  l:\n    service: train\n    args: ['{w.endpoint}']\n")
    assert error.line == 5 and "no endpoint" in error.message


def test_unknown_keys_placeholders_and_bad_values_name_their_lines():
    assert error_of("roles:\n  l: {service: train, colour: red}\n").line == 2
    assert error_of("roles:\n  l:\n    service: train\n    args: ['{nodeip}']\n").line == 4
    assert error_of("roles:\n  l:\n    service: train\n    count: 0\n").line == 4
    assert error_of("roles:\n  l:\n    service: train\n    count: many\n").line == 4
    assert error_of("roles:\n  l:\n    service: train\n    args: ['{keys.x}']\n").line == 4
    assert error_of("roles:\n  l: {service: train}\n  l: {service: serve}\n").line == 3  # twice
    assert error_of("roles:\n  l: {service: train}\nuntil: nobody\n").line == 3
    assert error_of("roles: [1, 2\n").line >= 1  # YAML syntax
    assert error_of("roles:\n  a: {service: serve}\n  b: {service: serve}\n").line == 1  # which role ends the run?


def test_group_members_must_share_a_count():
    text = GOOD + "groups:\n  - roles: [env, buffer]\n"
    error = error_of(text)
    assert error.line == 17 and "one count" in error.message


def test_unplaceable_resources_fail_before_anything_starts():
    plan = parse_plan(GOOD, "p.yaml")
    nodes = [{"Alive": True, "Resources": {"CPU": 2.0, "node_0": 1.0}}]
    with pytest.raises(PlanError) as caught:
        check_resources(plan, nodes)
    assert caught.value.line == 6 and "env.1" in caught.value.message and "node_1" in caught.value.message
    check_resources(plan, nodes + [{"Alive": True, "Resources": {"CPU": 1.0, "node_1": 1.0}}])
    dead = [{"Alive": False, "Resources": {"CPU": 2.0, "node_0": 1.0, "node_1": 1.0}}]
    with pytest.raises(PlanError):
        check_resources(plan, dead)


def test_a_missing_binary_names_its_line(tmp_path):
    plan = parse_plan(GOOD + f"binary: {tmp_path / 'nope' / 'gym'}\n", "p.yaml")
    with pytest.raises(PlanError) as caught:
        resolve_binary(plan)
    assert caught.value.line == 16 and "not an executable" in caught.value.message


@pytest.mark.parametrize("name", sorted(path.name for path in EXAMPLES.glob("*.yaml")))
def test_the_example_plans_are_valid(name):
    plan = parse_plan((EXAMPLES / name).read_text(), name)
    assert plan.until in plan.roles and plan.order


def test_the_cli_refuses_a_bad_plan_with_one_json_line(tmp_path, capsys):
    from gymd.ray.__main__ import main

    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace('"{learner.endpoint}"', '"{lerner.endpoint}"'))
    assert main(["up", str(bad), "--json"]) == 2
    out, err = capsys.readouterr()
    assert "bad.yaml:15: unknown role 'lerner'" in err
    import json

    last = json.loads(out.strip().splitlines()[-1])
    assert last["ok"] is False and last["line"] == 15
