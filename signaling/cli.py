"""The `intervox` command: `intervox serve` runs the server."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from pathlib import Path

from aiohttp import web

from .config import ConfigError, Settings

log = logging.getLogger("intervox")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="intervox", description="Self-hosted real-time video interviews.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the interview server",
                                description="Run the server. Every option can also be set as INTERVOX_<NAME>.")
    serve.add_argument("--host", help="address to listen on (INTERVOX_HOST, default 127.0.0.1)")
    serve.add_argument("--port", help="port to listen on (INTERVOX_PORT, default 8080)")
    serve.add_argument("--data-dir", type=Path,
                       help="database and model cache (INTERVOX_DATA_DIR, default ./data)")
    serve.add_argument("--public-url", help="base URL used in invite links (INTERVOX_PUBLIC_URL)")
    serve.add_argument("--demo", action="store_true", default=None,
                       help="create a demo job and print a fresh candidate invite link (INTERVOX_DEMO)")
    return parser


async def _serve(settings: Settings) -> None:
    from .app import create_app
    from .keys import BANNER

    app = create_app(settings)
    runner = web.AppRunner(app, shutdown_timeout=10.0)
    await runner.setup()  # runs the cleanup contexts' set-up: store, model, scheduler
    site = web.TCPSite(runner, settings.host, settings.port)
    await site.start()
    lines = [*app[BANNER], f"HR dashboard: {settings.base_url}/hr", "Press Ctrl+C to stop."]
    print("\n".join(["", *lines, ""]), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    log.info("shutting down")
    await runner.cleanup()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env().with_overrides(
            host=args.host, port=args.port, data_dir=args.data_dir, public_url=args.public_url, demo=args.demo,
        )
    except ConfigError as exc:
        print(f"intervox: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Libraries that narrate every ICE check or audio window at INFO: keep their warnings only.
    for noisy in ("aiohttp.access", "aioice", "aiortc", "faster_whisper"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(settings.log_level)))
    try:
        asyncio.run(_serve(settings))
    except OSError as exc:
        print(f"intervox: cannot serve on {settings.host}:{settings.port}: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:
        from scoring.errors import ModelIntegrityError

        if isinstance(exc, ModelIntegrityError):
            print(f"intervox: {exc}", file=sys.stderr)
            return 1
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main())
