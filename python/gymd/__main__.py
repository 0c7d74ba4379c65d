"""``python -m gymd serve``: serve installed Gymnasium environments over the daemon's protocol."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

LEVELS = ["debug", "info", "warning", "error", "critical"]


def parser() -> argparse.ArgumentParser:
    """The command line of ``python -m gymd``."""
    top = argparse.ArgumentParser(prog="python -m gymd", description="Python tools for the gym daemon.")
    commands = top.add_subparsers(dest="command", required=True)
    serve = commands.add_parser(
        "serve", help="serve Gymnasium environments over the gym protocol",
        description="Serves installed Gymnasium environments to any client of the gym protocol (gym train "
                    "--server ADDR, gymd.RemoteEnv, ...). Time limits come from Gymnasium's registry and are "
                    "applied by the bridge, with the autoreset mode each client asks for (protocol/README.md). "
                    "Binds loopback unless told otherwise; SIGINT or SIGTERM stop it after the request in hand.",
        epilog="example: python -m gymd serve --env LunarLander-v3 --bind tcp://127.0.0.1:5600")
    serve.add_argument("--env", action="append", required=True, metavar="ID",
                       help="Gymnasium environment id to serve (repeatable), e.g. LunarLander-v3")
    serve.add_argument("--bind", default="tcp://127.0.0.1:5555", metavar="ADDR",
                       help="endpoint to bind (default: %(default)s; tcp://127.0.0.1:* picks a free port)")
    serve.add_argument("--import", dest="imports", action="append", default=[], metavar="MODULE",
                       help="module to import first, for environments registered on import (e.g. ale_py)")
    serve.add_argument("--max-envs-per-client", type=int, default=4096, help="most environments one client may hold")
    serve.add_argument("--max-message-bytes", type=int, default=256 << 20,
                       help="largest request in bytes; a client sending more is disconnected")
    serve.add_argument("--idle-timeout", type=float, default=600.0,
                       help="seconds without requests after which a client's environments are closed, where "
                            "no connection can be watched (CURVE keys); a client whose connection closes loses them "
                            "at once, one whose connection stays open keeps them")
    serve.add_argument("--heartbeat", type=float, default=10.0, metavar="SECONDS",
                       help="seconds between heartbeats to each client; one answering none for three is "
                            "disconnected and loses its environments (0: none; default: %(default)s)")
    serve.add_argument("--curve-secret", metavar="FILE",
                       help="serve CurveZMQ with this secret key file (gym keygen NAME writes NAME.secret); "
                            "default: GYM_CURVE_SECRET, then curve-secret in ~/.config/gym/config")
    serve.add_argument("--allow", action="append", default=[], metavar="DIR|FILE",
                       help="with --curve-secret: admit the clients whose public keys are in this directory "
                            "(*.public) or file (repeatable; default: GYM_ALLOW, then allow in the config file)")
    serve.add_argument("--insecure", action="store_true",
                       help="serve plain text on an endpoint other hosts can reach (refused without it unless "
                            "--curve-secret is given); logged as a warning")
    serve.add_argument("--workers", type=int, default=0, metavar="N",
                       help="worker processes stepping the environments, each holding a shard of every batch and "
                            "writing observations into shared memory (default: 0, step them in this process)")
    serve.add_argument("--worker-timeout", type=float, default=60.0, metavar="SECONDS",
                       help="with --workers: seconds a worker may take to answer one request; one that overruns "
                            "it (or dies) is restarted and its environments need a reset (default: %(default)s)")
    serve.add_argument("--atari", action="store_true",
                       help="serve ALE/* environments (ale-py) with Gymnasium's AtariPreprocessing (30 no-ops, "
                            "frame skip 4 with ALE's own frameskip 1, 84x84 grayscale, life loss not terminal) "
                            "and a 4-frame FrameStackObservation")
    serve.add_argument("--wrapper", action="append", default=[], metavar="MODULE:CALLABLE",
                       help="wrap every served environment with this callable (env -> env), after --atari "
                            "(repeatable; applied in order)")
    serve.add_argument("--log-level", choices=LEVELS, default="info", help="log level (default: %(default)s)")
    return top


def serve(args: argparse.Namespace) -> int:
    """Runs the bridge until SIGINT or SIGTERM."""
    from .bridge import BridgeServer, EnvCatalog
    from .bridge.server import BridgeConfiguration
    from .bridge.wrappers import OperatorWrappers
    from .curve import CurveKeyError, CurveSettings, is_local_endpoint

    log = logging.getLogger("gymd.serve")
    for problem, bad in [("--max-envs-per-client must be at least 1", args.max_envs_per_client < 1),
                         ("--max-message-bytes must be at least 1024", args.max_message_bytes < 1024),
                         ("--idle-timeout must be positive", not args.idle_timeout > 0),
                         ("--heartbeat must be in [0, 3600]", not 0 <= args.heartbeat <= 3600),
                         ("--workers must be 0 or more", args.workers < 0),
                         ("--worker-timeout must be positive", not args.worker_timeout > 0)]:
        if bad:
            log.error(problem)
            return 2
    try:
        curve = CurveSettings.resolve(curve_secret=args.curve_secret, allow=args.allow)
        curve.server_keys()
    except CurveKeyError as error:
        log.error("cannot serve: %s", error)
        return 2
    if not curve.curve_secret and not is_local_endpoint(args.bind):
        if not args.insecure:
            log.error("cannot serve: %s is reachable from other hosts: give the bridge a key (--curve-secret FILE, "
                      "clients in --allow) or pass --insecure to serve it in plain text", args.bind)
            return 2
        log.warning("serving %s in plain text (--insecure): any host that reaches it can use and read it", args.bind)
    imports = list(args.imports)
    if args.atari and any(env_id.startswith("ALE/") for env_id in args.env) and "ale_py" not in imports:
        imports.append("ale_py")
    try:
        for module in imports:
            importlib.import_module(module)
        catalog = EnvCatalog(args.env, OperatorWrappers(atari=args.atari, references=tuple(args.wrapper)))
    except (ImportError, ValueError, TypeError) as error:
        log.error("cannot serve: %s", error)
        return 2
    try:
        server = BridgeServer(catalog, BridgeConfiguration(
            bind=args.bind, max_envs_per_client=args.max_envs_per_client, max_message_bytes=args.max_message_bytes,
            idle_timeout=args.idle_timeout, heartbeat=args.heartbeat, curve=curve, workers=args.workers, worker_timeout=args.worker_timeout,
            imports=tuple(imports)))
    except RuntimeError as error:
        log.error("cannot serve: %s", error)
        return 2
    try:
        server.bind()
    except Exception as error:  # noqa: BLE001 - zmq raises several kinds for a bad endpoint
        log.error("could not serve on %s: %s", args.bind, error)
        server.close()
        return 2
    server.install_signal_handlers()
    server.run()
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m gymd`` and the ``gymd`` script."""
    args = parser().parse_args(argv)
    logging.basicConfig(level=getattr(logging, args.log_level.upper()), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.command == "serve":
        return serve(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
