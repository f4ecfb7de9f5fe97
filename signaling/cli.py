"""The `intervox` command: `intervox serve` runs the server."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
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

    keys = commands.add_parser("keys", help="manage the master key").add_subparsers(dest="action", required=True)
    rotate = keys.add_parser("rotate", help="create a new master key version and re-wrap every data key",
                             description="Re-wraps every recording's data key (and TOTP secret) under a new master "
                                         "key; the media files are not touched. Stop the server first.")
    rotate.add_argument("--data-dir", type=Path, help="the server's data directory (INTERVOX_DATA_DIR)")
    rotate.add_argument("--delete-old", action="store_true",
                        help="then delete retired master key files that nothing is wrapped under any more")

    users = commands.add_parser("users", help="manage staff accounts").add_subparsers(dest="action", required=True)
    add = users.add_parser("add", help="create a staff account and print its first password once")
    add.add_argument("--data-dir", type=Path, help="the server's data directory (INTERVOX_DATA_DIR)")
    add.add_argument("--email", required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--role", required=True, choices=["admin", "hr", "dept_head", "reviewer"])
    add.add_argument("--department", action="append", default=[], help="repeat for several departments")
    return parser


async def _serve(settings: Settings) -> None:
    from .app import create_app
    from .keys import BANNER

    app = create_app(settings)
    runner = web.AppRunner(app, shutdown_timeout=10.0)
    try:
        await runner.setup()  # runs the cleanup contexts' set-up: store, keys, model, scheduler
        site = web.TCPSite(runner, settings.host, settings.port)
        await site.start()
    except BaseException:
        await runner.cleanup()  # close what did start (the database thread would keep us alive)
        raise
    lines = [*app[BANNER], f"HR dashboard: {settings.base_url}/hr", "Press Ctrl+C to stop."]
    print("\n".join(["", *lines, ""]), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    log.info("shutting down")
    await runner.cleanup()


def _rotate(settings: Settings, delete_old: bool) -> int:
    from .datadir_lock import DataDirLock
    from .key_rotation import rotate

    if settings.master_key:
        print("intervox: the master key comes from INTERVOX_MASTER_KEY; rotate it where it is kept", file=sys.stderr)
        return 2
    with DataDirLock(settings.data_dir):
        report = asyncio.run(rotate(settings.data_dir, delete_old=delete_old))
    print(f"Master key version {report.new_version} is current: {report.recordings} recording keys and "
          f"{report.totp_secrets} TOTP secrets re-wrapped.")
    if report.webhook_secrets:
        print(f"{report.webhook_secrets} webhook signing secrets re-sealed.")
    if report.deleted_versions:
        print(f"Deleted retired master key versions: {', '.join(map(str, report.deleted_versions))}.")
    else:
        print("The retired key file is kept; run again with --delete-old to delete it.")
    return 0


def _add_user(settings: Settings, args: argparse.Namespace) -> int:
    from . import auth
    from .store import Store
    from .validation import ValidationError, parse_new_user

    try:
        data = parse_new_user({"email": args.email, "name": args.name, "role": args.role,
                               "departments": args.department})
    except ValidationError as exc:
        print(f"intervox: {exc}", file=sys.stderr)
        return 2

    async def create() -> str:
        store = await Store.open(settings.db_path)
        try:
            if await store.staff.email_taken(data.email):
                raise SystemExit(f"intervox: an account with e-mail {data.email} exists")
            password = auth.generate_password()
            await store.staff.create(email=data.email, display_name=data.name, role=data.role,
                                     departments=data.departments, password_hash=auth.hash_password(password))
            await store.audit.record("user.created", actor="cli", target=data.email, role=data.role.value)
            return password
        finally:
            await store.close()

    password = asyncio.run(create())
    print(f"Created {data.role.value} {data.email}. First password (shown once): {password}")
    return 0


def main(argv: list[str] | None = None) -> int:
    # Before anything imports numpy (nothing has yet: the server's modules are imported below):
    # numpy's OpenBLAS threads spin on a 2-core server and waste ~0.1 CPU-s per recognition, while
    # the speech model has threads of its own (INTERVOX_ASR_WORKERS/ASR_THREADS, always passed
    # explicitly, so OMP_NUM_THREADS does not size them). An operator's own values are kept.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env().with_overrides(
            host=getattr(args, "host", None), port=getattr(args, "port", None), data_dir=args.data_dir,
            public_url=getattr(args, "public_url", None), demo=getattr(args, "demo", None),
        )
    except ConfigError as exc:
        print(f"intervox: {exc}", file=sys.stderr)
        return 2
    if args.command != "serve":
        logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
        from media import VaultError

        from .datadir_lock import DataDirBusy

        try:
            if args.command == "keys":
                return _rotate(settings, args.delete_old)
            return _add_user(settings, args)
        except (DataDirBusy, VaultError) as exc:
            print(f"intervox: {exc}", file=sys.stderr)
            return 1
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
        from media import VaultError
        from scoring.errors import ModelIntegrityError

        from .datadir_lock import DataDirBusy

        if isinstance(exc, ModelIntegrityError | VaultError | DataDirBusy):
            print(f"intervox: {exc}", file=sys.stderr)
            return 1
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main())
