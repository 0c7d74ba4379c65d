"""CurveZMQ between gymd's clients and the bridge (and the Swift daemon once it serves CURVE):
key files, defaults and their precedence, and who gets service."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import time
from pathlib import Path

import pytest
import zmq

import gymd
from conftest import gym_binary
from gymd.curve import CurveKeyError, CurveSettings, read_allowlist, read_key_file, write_key_pair
from gymd.daemon_process import DaemonProcess, start_bridge
from gymd.errors import GymTimeoutError
from gymd.protocol import gym_pb2

TIMEOUT = 1.5


@pytest.fixture()
def keys(tmp_path: Path) -> dict[str, Path]:
    """A server pair, an allowed client and an unknown one; the allowlist directory holds the allowed client."""
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    write_key_pair(tmp_path / "server")
    write_key_pair(allowed / "alice")
    write_key_pair(tmp_path / "mallory")
    write_key_pair(tmp_path / "impostor")
    return {"server_secret": tmp_path / "server.secret", "server_public": tmp_path / "server.public",
            "allow": allowed, "alice": allowed / "alice.secret", "mallory": tmp_path / "mallory.secret",
            "impostor_public": tmp_path / "impostor.public"}


def test_key_files_are_read_strictly(tmp_path, caplog):
    pair = write_key_pair(tmp_path / "a")
    assert oct((tmp_path / "a.secret").stat().st_mode & 0o777) == "0o600"
    assert read_key_file(tmp_path / "a.secret", secret=True) == pair
    assert read_key_file(tmp_path / "a.public", secret=False).public == pair.public
    with pytest.raises(CurveKeyError, match="exists"):
        write_key_pair(tmp_path / "a")
    write_key_pair(tmp_path / "a", force=True)
    # A bare 40-character key on one line is a key file too.
    (tmp_path / "bare.public").write_text(pair.public.decode() + "\n")
    assert read_key_file(tmp_path / "bare.public", secret=False).public == pair.public
    (tmp_path / "bare.secret").write_text(pair.secret.decode() + "\n")
    os.chmod(tmp_path / "bare.secret", 0o600)
    assert read_key_file(tmp_path / "bare.secret", secret=True) == pair
    cases = {"short": "abc", "long": "x" * 41, "alphabet": "~" * 40, "huge": "#" * (70 << 10),
             "empty": "", "two": "a" * 40 + "\n" + "b" * 40}
    for name, text in cases.items():
        (tmp_path / f"{name}.public").write_text(text)
        with pytest.raises(CurveKeyError, match=re.escape(str(tmp_path / f"{name}.public"))):
            read_key_file(tmp_path / f"{name}.public", secret=False)
    with pytest.raises(CurveKeyError, match="no secret-key"):
        read_key_file(tmp_path / "a.public", secret=True)
    with pytest.raises(CurveKeyError, match="cannot read"):
        read_key_file(tmp_path / "missing.secret", secret=True)
    os.chmod(tmp_path / "a.secret", 0o644)
    with caplog.at_level(logging.WARNING, logger="gymd.curve"):
        read_key_file(tmp_path / "a.secret", secret=True)
    assert "readable by group or others" in caplog.text
    assert read_allowlist([tmp_path / "a.public", tmp_path / "bare.public"]) == {pair.public,
                                                                                read_key_file(tmp_path / "a.public", secret=False).public}


def test_defaults_come_from_the_config_file_then_the_environment_then_the_arguments(tmp_path):
    config = tmp_path / "xdg" / "gym"
    config.mkdir(parents=True)
    (config / "config").write_text("# keys\ncurve-secret = keys/me.secret\nserver-key = /abs/server.public  # theirs\n"
                                   "allow = clients\nallow = more\n")
    environ = {"XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    settings = CurveSettings.resolve(environ=environ)
    assert settings.curve_secret == str(config / "keys" / "me.secret")
    assert settings.server_key == "/abs/server.public"
    assert settings.allow == [str(config / "clients"), str(config / "more")]
    environ.update(GYM_CURVE_SECRET="/env/me.secret", GYM_ALLOW="/env/a:/env/b")
    settings = CurveSettings.resolve(environ=environ)
    assert (settings.curve_secret, settings.server_key, settings.allow) == ("/env/me.secret", "/abs/server.public", ["/env/a", "/env/b"])
    settings = CurveSettings.resolve(curve_secret="/flag/me.secret", server_key="/flag/s.public", allow=["/flag/c"], environ=environ)
    assert (settings.curve_secret, settings.server_key, settings.allow) == ("/flag/me.secret", "/flag/s.public", ["/flag/c"])
    (config / "config").write_text("curve-secret\n")
    with pytest.raises(CurveKeyError, match="config:1"):
        CurveSettings.resolve(environ=environ)
    # A server key without a secret, or a server secret without an allowlist, is an error, not plaintext.
    with pytest.raises(CurveKeyError, match="no curve secret"):
        CurveSettings(server_key="/x.public").apply_to_client(zmq.Context.instance().socket(zmq.DEALER))
    with pytest.raises(CurveKeyError, match="no allowlist"):
        CurveSettings(curve_secret="/x.secret").server_keys()


def curve_bridge(keys) -> DaemonProcess:
    return start_bridge("CartPole-v1", args=("--curve-secret", str(keys["server_secret"]), "--allow", str(keys["allow"])))


def expect_no_service(endpoint: str, **curve) -> None:
    """A client that must get nothing: a timeout within its timeout, never a hang or a reply."""
    started = time.monotonic()
    with pytest.raises(GymTimeoutError, match="no reply"):
        gymd.Connection(endpoint, timeout=TIMEOUT, **curve)
    assert time.monotonic() - started < 10 * TIMEOUT, "the refused client hung"


def test_the_bridge_serves_allowed_keys_only(keys):
    with curve_bridge(keys) as bridge:
        allowed = dict(curve_secret=str(keys["alice"]), server_key=str(keys["server_public"]))
        with gymd.Connection(bridge.endpoint, timeout=5, **allowed) as connection:
            env = gymd.RemoteEnv("CartPole-v1", connection=connection)
            assert env.reset(seed=0)[0].shape == (4,)
            # Unknown key, no key, the wrong server key: no service, while the allowed client goes on.
            expect_no_service(bridge.endpoint, curve_secret=str(keys["mallory"]), server_key=str(keys["server_public"]))
            expect_no_service(bridge.endpoint)
            expect_no_service(bridge.endpoint, curve_secret=str(keys["alice"]), server_key=str(keys["impostor_public"]))
            assert env.step(0)[0].shape == (4,)
            env.close()
        mallory = read_key_file(keys["mallory"], secret=True)
        assert f"refused a CURVE client with key {mallory.fingerprint}" in bridge.output()
        alice = read_key_file(keys["alice"], secret=True)
        assert alice.fingerprint not in bridge.output().split("refused")[-1]


def test_with_curve_the_bridge_keys_environments_on_the_client_key_not_its_routing_id(keys, tmp_path):
    write_key_pair(keys["allow"] / "bob")
    alice = dict(curve_secret=str(keys["alice"]), server_key=str(keys["server_public"]))
    bob = dict(curve_secret=str(keys["allow"] / "bob.secret"), server_key=str(keys["server_public"]))
    contexts = []

    def connect(routing_id: bytes, **curve) -> gymd.Connection:
        # A client choosing its own routing id, as an attacker may.
        context = zmq.Context()
        context.setsockopt(zmq.ROUTING_ID, routing_id)
        contexts.append(context)
        return gymd.Connection(bridge.endpoint, timeout=5, context=context, **curve)

    with curve_bridge(keys) as bridge:
        victim = connect(b"victim", **alice)
        handle = gymd.RemoteBatch("CartPole-v1", 1, connection=victim).handle
        victim.call(reset=gym_pb2.Reset(handle=handle, seeds=[0]))
        victim.close()
        time.sleep(0.5)  # the victim's connection is gone; its routing id is free
        thief = connect(b"victim", **bob)
        with pytest.raises(gymd.NotOwnerError):
            thief.call(reset=gym_pb2.Reset(handle=handle))
        thief.close()
        # The same key on a new connection (another routing id) is the same client.
        with gymd.Connection(bridge.endpoint, timeout=5, **alice) as again:
            assert again.call(reset=gym_pb2.Reset(handle=handle, seeds=[1])).reset.observations
    for context in contexts:
        context.term()


def test_the_bridge_takes_its_keys_from_the_environment(keys, monkeypatch):
    monkeypatch.setenv("GYM_CURVE_SECRET", str(keys["server_secret"]))
    monkeypatch.setenv("GYM_ALLOW", str(keys["allow"]))
    with start_bridge("CartPole-v1") as bridge:
        monkeypatch.setenv("GYM_CURVE_SECRET", str(keys["alice"]))
        monkeypatch.setenv("GYM_SERVER_KEY", str(keys["server_public"]))
        with gymd.Connection(bridge.endpoint, timeout=5) as connection:
            assert connection.curve is not None and any(spec.id == "CartPole-v1" for spec in connection.list_envs())
        monkeypatch.delenv("GYM_SERVER_KEY")
        expect_no_service(bridge.endpoint)


def test_the_bridge_refuses_incomplete_curve_settings(keys):
    for args in (("--curve-secret", str(keys["server_secret"])), ("--allow", str(keys["allow"])),
                 ("--curve-secret", str(keys["server_public"]), "--allow", str(keys["allow"]))):
        with pytest.raises(RuntimeError, match="cannot serve"):
            start_bridge("CartPole-v1", args=args)


def test_the_bridge_refuses_plain_text_beyond_loopback_unless_insecure():
    for bind in ("tcp://0.0.0.0:*", "tcp://*:*"):
        with pytest.raises(RuntimeError, match="reachable from other hosts"):
            start_bridge("CartPole-v1", args=("--bind", bind))
    with start_bridge("CartPole-v1", args=("--bind", "tcp://0.0.0.0:*", "--insecure")) as bridge:
        assert "in plain text (--insecure)" in bridge.output()


def swift_serves_curve(*command: str) -> bool:
    result = subprocess.run([str(gym_binary()), *command, "--help"], capture_output=True, text=True, timeout=60)
    return "--curve-secret" in result.stdout + result.stderr


def test_the_swift_daemon_serves_allowed_python_clients_only(keys):
    if not swift_serves_curve("serve"):
        pytest.skip(f"{gym_binary()} serve --help lists no --curve-secret: this gym has no CURVE yet")
    command = [str(gym_binary()), "serve", "--bind", "tcp://127.0.0.1:*", "--workers", "1",
               "--curve-secret", str(keys["server_secret"]), "--allow", str(keys["allow"])]
    with DaemonProcess(command, "gym serve") as daemon:
        allowed = dict(curve_secret=str(keys["alice"]), server_key=str(keys["server_public"]))
        with gymd.Connection(daemon.endpoint, timeout=5, **allowed) as connection:
            env = gymd.RemoteEnv("CartPole-v1", connection=connection)
            assert env.reset(seed=0)[0].shape == (4,)
            expect_no_service(daemon.endpoint, curve_secret=str(keys["mallory"]), server_key=str(keys["server_public"]))
            expect_no_service(daemon.endpoint)
            expect_no_service(daemon.endpoint, curve_secret=str(keys["alice"]), server_key=str(keys["impostor_public"]))
            assert env.step(0)[0].shape == (4,)
            env.close()


def test_the_swift_buffer_serves_allowed_python_clients_only(keys):
    if not swift_serves_curve("buffer", "serve"):
        pytest.skip(f"{gym_binary()} buffer serve --help lists no --curve-secret: this gym has no CURVE yet")
    command = [str(gym_binary()), "buffer", "--bind", "tcp://127.0.0.1:*", "--table", "replay",
               "--curve-secret", str(keys["server_secret"]), "--allow", str(keys["allow"])]
    with DaemonProcess(command, "gym buffer") as service:
        with gymd.BufferClient(service.endpoint, timeout=5, curve_secret=str(keys["alice"]),
                               server_key=str(keys["server_public"])) as buffer:
            assert [table.config.name for table in buffer.info()] == ["replay"]
        with pytest.raises(GymTimeoutError):
            gymd.BufferClient(service.endpoint, timeout=TIMEOUT, curve_secret=str(keys["mallory"]),
                              server_key=str(keys["server_public"]))
