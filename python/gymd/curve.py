"""CurveZMQ keys for gymd's clients and the bridge: key files, allowlists and where their
defaults come from, as the Swift ``gym`` reads them (README, "Running across machines").

Key files are ZeroMQ certificate text (what ``gym keygen NAME`` and pyzmq's ``zmq.auth`` write)::

    #   gym CURVE certificate (Z85). Keep NAME.secret private.
    metadata
    curve
        public-key = "<40 Z85 characters>"
        secret-key = "<40 Z85 characters>"      (only in NAME.secret)

or a file holding just the 40-character Z85 key on one line. An allowlist is a directory
(every ``*.public`` file in it) or one public key file.

Defaults, lowest first: the config file ``${XDG_CONFIG_HOME:-$HOME/.config}/gym/config``
(``curve-secret = PATH``, ``server-key = PATH``, ``allow = PATH`` lines, ``#`` comments,
relative paths relative to the file), then ``GYM_CURVE_SECRET``, ``GYM_SERVER_KEY`` and
``GYM_ALLOW`` (a colon-separated list), then what the caller passes.

A client uses CURVE when it knows a server key, and then needs its own secret file too; a
server uses CURVE when it has a secret file, and then needs an allowlist.
"""

from __future__ import annotations

import logging
import os
import re
import stat
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import zmq
from zmq.utils import z85

log = logging.getLogger("gymd.curve")

#: The ZAP domain every gym server authenticates in.
ZAP_DOMAIN = "gym"
#: Largest key file read.
MAX_KEY_FILE_BYTES = 64 << 10
#: Most keys one allowlist may hold.
MAX_ALLOWED_KEYS = 65536

_Z85 = re.compile(r"[0-9a-zA-Z.\-:+=^!/*?&<>()\[\]{}@%$#]{40}")
_LINE = re.compile(r'^\s*(public-key|secret-key)\s*=\s*"([^"]*)"\s*$')


class CurveKeyError(ValueError):
    """A key file, allowlist or CURVE setting that cannot be used; the message names the file."""


@dataclass(frozen=True)
class KeyPair:
    """A Z85 public key and, read from a secret file, its secret key."""

    public: bytes
    secret: bytes | None = None

    @property
    def fingerprint(self) -> str:
        """The first 8 Z85 characters of the public key, as logs name a peer."""
        return fingerprint(self.public)


def fingerprint(public: bytes | str) -> str:
    """The first 8 Z85 characters of a public key."""
    text = public.decode("ascii", "replace") if isinstance(public, bytes) else public
    return text[:8]


def read_key_file(path: str | os.PathLike, *, secret: bool) -> KeyPair:
    """The keys in a certificate (or bare-key) file; ``secret`` asks for a secret file, which
    must hold both keys (a bare secret key gets its public key derived)."""
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > MAX_KEY_FILE_BYTES:
                raise CurveKeyError(f"{path}: {size} bytes is too large for a key file (at most {MAX_KEY_FILE_BYTES})")
            raw = handle.read(MAX_KEY_FILE_BYTES + 1)
            mode = os.fstat(handle.fileno()).st_mode
    except OSError as error:
        raise CurveKeyError(f"{path}: cannot read the key file: {error.strerror or error}") from None
    if len(raw) > MAX_KEY_FILE_BYTES:
        raise CurveKeyError(f"{path}: too large for a key file (at most {MAX_KEY_FILE_BYTES} bytes)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise CurveKeyError(f"{path}: not a key file (not UTF-8 text)") from None
    keys: dict[str, str] = {}
    for line in text.splitlines():
        match = _LINE.match(line)
        if match:
            keys[match.group(1)] = match.group(2)
    if not keys:
        bare = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
        if len(bare) != 1:
            raise CurveKeyError(f"{path}: neither a ZeroMQ certificate (public-key = \"...\") nor one 40-character Z85 key")
        keys["secret-key" if secret else "public-key"] = bare[0]
    for name, value in keys.items():
        _check_z85(value, path, name)
    if secret:
        if "secret-key" not in keys:
            raise CurveKeyError(f"{path}: holds no secret-key (is it a .public file?)")
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            log.warning("%s: the secret key file is readable by group or others (chmod 600 it)", path)
        derived = zmq.curve_public(keys["secret-key"].encode("ascii"))
        if "public-key" in keys and keys["public-key"].encode("ascii") != derived:
            raise CurveKeyError(f"{path}: its public-key does not belong to its secret-key")
        return KeyPair(public=derived, secret=keys["secret-key"].encode("ascii"))
    if "public-key" not in keys:
        raise CurveKeyError(f"{path}: holds no public-key")
    return KeyPair(public=keys["public-key"].encode("ascii"))


def write_key_pair(stem: str | os.PathLike, force: bool = False) -> KeyPair:
    """Writes a new key pair as ``gym keygen STEM`` does: ``STEM.secret`` (mode 0600, refused if
    it exists unless ``force``) and ``STEM.public`` (0644)."""
    public, secret = zmq.curve_keypair()
    stem = os.fspath(stem)
    name = os.path.basename(stem)
    for suffix, mode, lines in ((".secret", 0o600, [f'    public-key = "{public.decode()}"', f'    secret-key = "{secret.decode()}"']),
                                (".public", 0o644, [f'    public-key = "{public.decode()}"'])):
        flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if force else os.O_EXCL)
        try:
            descriptor = os.open(stem + suffix, flags, mode)
        except FileExistsError:
            raise CurveKeyError(f"{stem + suffix} exists (force=True replaces it)") from None
        with os.fdopen(descriptor, "w") as handle:
            os.fchmod(descriptor, mode)
            handle.write("\n".join([f"#   gym CURVE certificate (Z85). Keep {name}.secret private.", "metadata", "curve",
                                    *lines]) + "\n")
    return KeyPair(public=public, secret=secret)


def _check_z85(value: str, path: Path, name: str) -> None:
    if not _Z85.fullmatch(value):
        raise CurveKeyError(f"{path}: {name} must be exactly 40 Z85 characters, got {len(value)} "
                            f"character(s){'' if len(value) != 40 else ' outside the Z85 alphabet'}")
    try:
        if len(z85.decode(value)) != 32:
            raise ValueError
    except Exception:  # noqa: BLE001 - any decode failure is a bad key
        raise CurveKeyError(f"{path}: {name} does not decode to 32 bytes") from None


def read_allowlist(entries: Iterable[str | os.PathLike]) -> set[bytes]:
    """The Z85 public keys of every allowlist entry: a directory (its ``*.public`` files) or one file."""
    keys: set[bytes] = set()
    for entry in entries:
        path = Path(entry)
        if path.is_dir():
            files = sorted(child for child in path.iterdir() if child.name.endswith(".public") and child.is_file())
            if not files:
                log.warning("%s: the allowlist directory holds no *.public files", path)
        elif path.exists():
            files = [path]
        else:
            raise CurveKeyError(f"{path}: no such allowlist file or directory")
        for file in files:
            keys.add(read_key_file(file, secret=False).public)
            if len(keys) > MAX_ALLOWED_KEYS:
                raise CurveKeyError(f"{path}: more than {MAX_ALLOWED_KEYS} allowed keys")
    return keys


def config_path(environ: Mapping[str, str] | None = None) -> Path:
    """``${XDG_CONFIG_HOME:-$HOME/.config}/gym/config``."""
    environ = os.environ if environ is None else environ
    base = environ.get("XDG_CONFIG_HOME") or os.path.join(environ.get("HOME") or os.path.expanduser("~"), ".config")
    return Path(base) / "gym" / "config"


def read_config(path: Path) -> dict[str, list[str]]:
    """The config file's settings (``allow`` may repeat); a missing file is empty."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_KEY_FILE_BYTES + 1)
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise CurveKeyError(f"{path}: cannot read the config file: {error.strerror or error}") from None
    if len(raw) > MAX_KEY_FILE_BYTES:
        raise CurveKeyError(f"{path}: too large for a config file (at most {MAX_KEY_FILE_BYTES} bytes)")
    settings: dict[str, list[str]] = {}
    for number, line in enumerate(raw.decode("utf-8", "replace").splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        key, equals, value = (part.strip() for part in line.partition("="))
        if not equals or not key or not value:
            raise CurveKeyError(f"{path}:{number}: expected 'NAME = VALUE' (curve-secret, server-key or allow)")
        if key not in ("curve-secret", "server-key", "allow"):
            log.debug("%s:%d: %s is not a CURVE setting; ignored here", path, number, key)
            continue
        settings.setdefault(key, []).append(str(path.parent / os.path.expanduser(value)))
    return settings


def is_local_endpoint(endpoint: str) -> bool:
    """Whether ``endpoint`` stays on this host: ``inproc://``, ``ipc://``, or tcp on a loopback
    address (127.x.x.x, ``localhost``, ``[::1]``); the rule ``gym``'s servers keep, so only such a
    server may run without keys."""
    if endpoint.startswith(("inproc://", "ipc://")):
        return True
    if not endpoint.startswith("tcp://"):
        return False
    host = endpoint[len("tcp://"):].split(";", 1)[0]
    if host.startswith("["):
        close = host.find("]")
        return close > 0 and host[1:close] == "::1"
    host = host.rsplit(":", 1)[0] if ":" in host else host
    if host in ("localhost", "lo"):
        return True
    parts = host.split(".")
    return len(parts) == 4 and parts[0] == "127" and all(part.isdigit() for part in parts)


@dataclass
class CurveSettings:
    """Which key files apply once the config file, the environment and the caller had their say."""

    curve_secret: str | None = None
    server_key: str | None = None
    allow: list[str] = field(default_factory=list)

    @classmethod
    def resolve(cls, curve_secret: str | os.PathLike | None = None, server_key: str | os.PathLike | None = None,
                allow: Sequence[str | os.PathLike] | None = None,
                environ: Mapping[str, str] | None = None) -> "CurveSettings":
        """Config file, then ``GYM_CURVE_SECRET``/``GYM_SERVER_KEY``/``GYM_ALLOW``, then the arguments."""
        environ = os.environ if environ is None else environ
        config = read_config(config_path(environ))
        settings = cls(curve_secret=(config.get("curve-secret") or [None])[-1],
                       server_key=(config.get("server-key") or [None])[-1], allow=config.get("allow", []))
        if environ.get("GYM_CURVE_SECRET"):
            settings.curve_secret = environ["GYM_CURVE_SECRET"]
        if environ.get("GYM_SERVER_KEY"):
            settings.server_key = environ["GYM_SERVER_KEY"]
        if environ.get("GYM_ALLOW"):
            settings.allow = [entry for entry in environ["GYM_ALLOW"].split(":") if entry]
        if curve_secret is not None:
            settings.curve_secret = os.fspath(curve_secret)
        if server_key is not None:
            settings.server_key = os.fspath(server_key)
        if allow:
            settings.allow = [os.fspath(entry) for entry in allow]
        return settings

    def apply_to_client(self, socket: zmq.Socket) -> KeyPair | None:
        """Makes ``socket`` a CURVE client when a server key is set; returns its own keys, or None."""
        if not self.server_key:
            return None
        if not self.curve_secret:
            raise CurveKeyError(f"a server key is set ({self.server_key}) but no curve secret: give curve_secret= "
                                f"(--curve-secret FILE), GYM_CURVE_SECRET or curve-secret in {config_path()}")
        own = read_key_file(self.curve_secret, secret=True)
        server = read_key_file(self.server_key, secret=False)
        socket.curve_secretkey = own.secret
        socket.curve_publickey = own.public
        socket.curve_serverkey = server.public
        return own

    def server_keys(self) -> tuple[KeyPair, set[bytes]] | None:
        """The server's keys and its allowlist when a secret is set, or None for plaintext."""
        if not self.curve_secret:
            if self.allow:
                raise CurveKeyError("an allowlist is set but no curve secret: the server needs --curve-secret FILE too")
            return None
        if not self.allow:
            raise CurveKeyError("a curve secret is set but no allowlist: give --allow DIR|FILE (or GYM_ALLOW, or allow "
                                f"in {config_path()}) with the public keys of the clients to serve")
        return read_key_file(self.curve_secret, secret=True), read_allowlist(self.allow)


class AllowlistAuthenticator:
    """A ZAP handler (pyzmq's ``ThreadAuthenticator``) admitting CURVE clients whose public key is
    in the allowlist, in domain ``gym``; a refused key is logged with its fingerprint, at most
    once per ``log_interval`` seconds per key (and at most ``MAX_LOGGED_KEYS`` keys remembered)."""

    MAX_LOGGED_KEYS = 4096

    def __init__(self, context: zmq.Context, allowed: set[bytes], log_interval: float = 10.0):
        from zmq.auth.thread import ThreadAuthenticator

        self.allowed = set(allowed)
        self.log_interval = log_interval
        self.refused = 0
        self._logged: dict[bytes, float] = {}
        self._lock = threading.Lock()
        self._authenticator = ThreadAuthenticator(context, log=logging.getLogger("gymd.zap"))
        self._authenticator.log.setLevel(logging.WARNING)

    def start(self) -> None:
        """Starts the handler thread; sockets bound afterwards with ``zap_domain = gym`` use it."""
        self._authenticator.start()
        self._authenticator.configure_curve_callback(ZAP_DOMAIN, credentials_provider=self)

    def callback(self, domain: str, key: bytes) -> bool:
        """pyzmq's credentials hook: ``key`` is the client's Z85 public key."""
        if key in self.allowed:
            return True
        now = time.monotonic()
        with self._lock:
            self.refused += 1
            last = self._logged.get(key)
            if last is None or now - last >= self.log_interval:
                if len(self._logged) >= self.MAX_LOGGED_KEYS:
                    self._logged.clear()
                self._logged[key] = now
                log.warning("refused a CURVE client with key %s (not in the allowlist); %d refusal(s) so far",
                            fingerprint(key), self.refused)
        return False

    def stop(self) -> None:
        """Stops the handler thread."""
        self._authenticator.stop()
