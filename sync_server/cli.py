"""Admin command line of the sync server: ``welcome-desk-server serve|migrate|enroll|…``."""

from __future__ import annotations

import argparse
import errno
import ipaddress
import logging
import os
import socket
import ssl
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from sync_server import db

if TYPE_CHECKING:
    from sync_server.service import SyncService
    from sync_server.wire import DeviceInfo

log = logging.getLogger("sync_server")

EXIT_FAILED, EXIT_USAGE = 1, 2

_EXIT_CODES = (
    "exit codes: 0 done; 1 failed (database unreachable or of a newer server, no such device, "
    "device revoked already, port in use); 2 usage (bad options or database URL, certificate "
    "and key that do not load, plain HTTP refused off loopback). A failure prints one "
    "'error:' line saying what to do, never a traceback."
)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _port(text: str) -> int:
    """A TCP port for argparse: 99999 was taken, and uvicorn then listened on another port
    than the one it named (the number modulo 65536)."""
    port = int(text)
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text} is not a TCP port (1-65535)")
    return port


def _host(text: str) -> str:
    """An address to listen on for argparse: ``--host ""`` (an unset variable in a unit file,
    say) was said as "refusing plain HTTP on :", which named neither the empty address nor
    what to give."""
    host = text.strip()
    if not host:
        raise argparse.ArgumentTypeError(
            "the address is empty: give the address to listen on, e.g. --host 127.0.0.1 "
            "(this machine only) or --host 0.0.0.0 (all its addresses, with --cert and --key)"
        )
    return host


def _listen_problem(host: str, port: int) -> str | None:
    """Why the server could not listen on ``host``:``port``, or None; tried just before the
    server starts. Bound as uvicorn binds (SO_REUSEADDR), then let go. uvicorn said only
    "[Errno 98] error while attempting to bind", and exited 3, which no help named."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        return f"{host!r} is not an address of this machine ({exc.strerror}); give an IP address"
    family, _, _, _, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return (
                    f"cannot listen on {host} port {port}: address already in use by another "
                    "program (a welcome-desk-server still running?). Stop that one, or give "
                    "another --port."
                )
            if exc.errno == errno.EACCES:
                return (
                    f"port {port} may be opened only with administrator rights: give a port "
                    "from 1024 up, e.g. --port 8443"
                )
            if exc.errno == errno.EADDRNOTAVAIL:
                return f"{host} is not an address of this machine: give one of its addresses"
            return f"cannot listen on {host} port {port}: {exc.strerror or exc}"
    return None


def read_env_file(path: str) -> dict[str, str]:
    """KEY=VALUE lines as systemd's EnvironmentFile= reads them (comments, optional quotes).

    Admin commands take the unit's own file, so the database password is neither typed nor
    seen in the process list (``env $(cat server.env)`` put it on a command line)."""
    pairs: dict[str, str] = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if not line or line[0] in "#;" or "=" not in line:
                continue
            key, _, value = line.partition("=")
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            pairs[key.strip()] = value
    return pairs


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--database-url",
        help=f"SQLAlchemy URL (default: ${db.ENV_DATABASE_URL} or a SQLite file in the user data "
        "folder), e.g. postgresql://user@host/db or sqlite:///path/server.db",
    )
    common.add_argument(
        "--env-file",
        metavar="FILE",
        help=f"read the database URL (${db.ENV_DATABASE_URL}) from this file (KEY=VALUE lines, "
        "as systemd's EnvironmentFile=), e.g. /etc/welcome-desk/server.env; serve's address, "
        "port and certificate are given as its options, which the systemd unit passes",
    )
    parser = argparse.ArgumentParser(
        prog="welcome-desk-server",
        description="Welcome Desk central sync server.",
        epilog=_EXIT_CODES,
    )
    commands = parser.add_subparsers(dest="command", required=True)

    def command(name: str, text: str) -> argparse.ArgumentParser:
        # ``text`` in the list of commands and atop the command's own --help, which said
        # nothing of what the command does.
        return commands.add_parser(
            name, parents=[common], help=text, description=text, epilog=_EXIT_CODES
        )

    serve = command("serve", "migrate the database, then serve the sync API")
    serve.add_argument(
        "--host",
        type=_host,
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1); any but loopback needs --cert/--key",
    )
    serve.add_argument("--port", type=_port, default=8765, help="TCP port, 1-65535 (default 8765)")
    serve.add_argument("--cert", metavar="FILE", help="TLS certificate chain (PEM)")
    serve.add_argument("--key", metavar="FILE", help="TLS private key (PEM)")
    serve.add_argument(
        "--insecure-dev",
        action="store_true",
        help="DEVELOPMENT ONLY: allow plain HTTP on a non-loopback address",
    )
    serve.add_argument(
        "--log-level",
        default="info",
        choices=["debug", "info", "warning"],
        help="how much the server logs (default info: one line a request)",
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="server processes (default 1); with PostgreSQL, one per CPU core serves many "
        "laptops syncing at once with shorter waits",
    )

    command("migrate", "create or upgrade the database schema")

    enroll = command("enroll", "print a one-time enrollment code for a laptop")
    enroll.add_argument("--name", required=True, help="who or which laptop the code is for")
    enroll.add_argument(
        "--valid-hours",
        type=float,
        default=24.0,  # service.CODE_VALID_HOURS (not imported here: the CLI starts light)
        metavar="HOURS",
        help="how long the code may be used, more than 0 and at most 720 (default 24)",
    )
    enroll.add_argument(
        "--coordinator",
        action="store_true",
        help="the device joining with this code becomes a coordinator once approved",
    )

    command("devices", "list devices and their fingerprints")

    revoke = command("revoke", "revoke a device at once")
    revoke.add_argument("device", help="device id (or a unique prefix of it)")
    revoke.add_argument(
        "--force",
        action="store_true",
        help="revoke even the last approved coordinator device (then nobody can approve "
        "laptops, renew the team key or publish reference data)",
    )
    return parser


def _tls_problem(cert: str, key: str) -> str | None:
    """Why the certificate and key cannot serve TLS, or None. Checked before anything starts:
    uvicorn would otherwise fail with a traceback after the database was migrated."""
    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).load_cert_chain(cert, key)
    except ssl.SSLError as exc:
        return f"not a PEM certificate chain and its private key ({exc.reason or exc})"
    except OSError as exc:
        return f"{exc.strerror or exc}: {exc.filename or cert}"
    return None


def _warn_insecure(host: str, port: int) -> None:
    bar = "!" * 78
    log.warning(
        "\n%s\n!!! INSECURE DEVELOPMENT MODE (--insecure-dev): plain HTTP on %s:%d\n"
        "!!! Device tokens and envelopes cross the network without TLS; anyone on the way\n"
        "!!! can take over a laptop's identity. NEVER use this in production: give --cert\n"
        "!!! and --key, or bind to 127.0.0.1.\n%s",
        bar,
        host,
        port,
        bar,
    )


def _serve(args: argparse.Namespace, url: str) -> int:
    if bool(args.cert) != bool(args.key):
        print("error: --cert and --key must be given together", file=sys.stderr)
        return EXIT_USAGE
    tls = bool(args.cert)
    if tls and (problem := _tls_problem(args.cert, args.key)):
        print(
            f"error: cannot load the TLS certificate {args.cert} with the key {args.key}: "
            f"{problem}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if not tls and not _is_loopback(args.host) and not args.insecure_dev:
        print(
            f"error: refusing plain HTTP on {args.host}: records and tokens would cross the "
            "network unprotected. Give --cert and --key, bind to 127.0.0.1, or (development "
            "only) pass --insecure-dev.",
            file=sys.stderr,
        )
        return EXIT_USAGE

    insecure = not tls and not _is_loopback(args.host)
    if insecure:
        _warn_insecure(args.host, args.port)
    import uvicorn

    from sync_server.app import Settings, create_app

    log.info("database %s", db.safe_url(url))
    if not 1 <= args.workers <= 64:
        print("error: --workers must be between 1 and 64", file=sys.stderr)
        return EXIT_USAGE
    target: object
    if args.workers == 1:
        target = create_app(Settings(database_url=url, run_migrations=True))
    else:
        # Each worker process builds its own app from the environment; migrate once, here.
        engine = db.create_db_engine(url)
        try:
            db.migrate(engine)
        finally:
            engine.dispose()
        os.environ[db.ENV_DATABASE_URL] = url
        target = "sync_server.app:create_app_from_env"
    if insecure:
        # Again after the migrations' log lines, so that it is what an operator sees last.
        _warn_insecure(args.host, args.port)
    if problem := _listen_problem(args.host, args.port):
        print(f"error: {problem}", file=sys.stderr)
        return EXIT_FAILED
    uvicorn.run(
        target,
        factory=args.workers > 1,
        workers=args.workers,
        host=args.host,
        port=args.port,
        ssl_certfile=args.cert,
        ssl_keyfile=args.key,
        log_level=args.log_level,
        server_header=False,
        timeout_graceful_shutdown=5,
    )
    return 0


def _database_problem(exc: DBAPIError, url: str) -> str:
    """The driver's reason, first line only (no SQL, no parameters), never the password."""
    reason = str(exc.orig or exc).strip().splitlines()[0] if str(exc.orig or exc).strip() else ""
    password = make_url(url).password
    if password:
        reason = reason.replace(str(password), "***")
    return reason or type(exc.orig or exc).__name__


def _database_advice(url: str) -> str:
    """What to check when the database refused or could not be reached."""
    if make_url(url).get_backend_name() == "sqlite":
        return "Check the path: it must be a sync server database, or a new file."
    return (
        "Check that the database server runs at that host and port, and the user, password "
        "and database name in the URL (or in the --env-file)."
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # Seven lines of Alembic's own plugin set-up at every migration say nothing to an operator.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    if args.env_file:
        try:
            os.environ.update(read_env_file(args.env_file))
        except OSError as exc:
            reason = exc.strerror or exc
            print(f"error: cannot read {args.env_file}: {reason}", file=sys.stderr)
            return EXIT_USAGE
        except UnicodeDecodeError as exc:
            print(f"error: cannot read {args.env_file}: not UTF-8 text ({exc})", file=sys.stderr)
            return EXIT_USAGE
    url = db.resolve_database_url(args.database_url)
    try:
        make_url(url)
    except ArgumentError:
        # Not echoed: the value may hold the database password.
        print(
            f"error: --database-url (or ${db.ENV_DATABASE_URL}) is not a database URL; "
            "e.g. postgresql://user:password@host/db or sqlite:///path/server.db",
            file=sys.stderr,
        )
        return EXIT_USAGE
    # Expected failures of an operator's command end in one line, not a traceback.
    try:
        return _run(args, url)
    except DBAPIError as exc:
        print(
            f"error: cannot use the database {db.safe_url(url)}: {_database_problem(exc, url)}. "
            f"{_database_advice(url)}",
            file=sys.stderr,
        )
    except OSError as exc:  # a SQLite file's folder that cannot be made (a file is in the way)
        print(
            f"error: cannot use the database {db.safe_url(url)}: {exc.strerror or exc}: "
            f"{exc.filename}. Give a path whose folder exists or can be created.",
            file=sys.stderr,
        )
    except db.SchemaTooNew as exc:
        print(f"error: {exc}", file=sys.stderr)
    except ModuleNotFoundError as exc:  # e.g. mysql:// without its driver
        print(f"error: no database driver for {db.safe_url(url)} ({exc.name})", file=sys.stderr)
        return EXIT_USAGE
    return 1


def _revoked_already(service: SyncService, device_id: str) -> str | None:
    """Revoking a revoked device printed "revoked …" and the advice to renew the team key
    again, as if it had been approved until then."""
    for device in service.list_devices().devices:
        if device.device_id == device_id and device.status == "revoked":
            when = (device.revoked_at or "")[:16].replace("T", " ")
            since = f" since {when} UTC" if when else ""
            return (
                f"{device_id} ({device.name}) is revoked already{since}; nothing changed. "
                "Its requests stay refused."
            )
    return None


def _minute(iso: str | None) -> str:
    """An ISO time of the server (UTC) to the minute, as the table shows it ("-": never)."""
    if not iso:
        return "-"
    import datetime as dt

    when = dt.datetime.fromisoformat(iso)
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC)
    return f"{when:%Y-%m-%d %H:%M}"


def last_sync(device: DeviceInfo) -> str | None:
    """When the device last synced: the later of its last request (noted to the half minute)
    and the last pull that handed it records (noted at once); what the Laptops dialog of
    Welcome Desk shows as its last sync. None: never."""
    import datetime as dt

    times = [t for t in (device.last_seen_at, device.pulled_at) if t]
    if not times:
        return None
    return max(times, key=lambda t: dt.datetime.fromisoformat(t).timestamp())


DEVICE_COLUMNS = (
    "ID",
    "STATUS",
    "ROLE",
    "LAST SYNC (UTC)",
    "LAST PULL (UTC)",
    "VERSION",
    "UNUSED CODES",
    "PEOPLE AT REVOCATION",
    "FINGERPRINT",
    "NAME",
)


def device_role(device: DeviceInfo) -> str:
    """The ROLE of ``welcome-desk-server devices``: the role a coordinator approved the device
    for (coordinator, advisor, helper); "coordinator" also for one by a coordinator's code not
    approved yet; "-" for one waiting; "no role" for one approved before laptops had roles and
    none chosen since (every right on the laptop, none of a coordinator's here)."""
    if device.laptop_role:
        return device.laptop_role
    if device.is_coordinator:
        return "coordinator"
    return "-" if device.status == "pending" else "no role"


# LAST PULL of a device never handed a record, and of one handed records before the server
# noted when (migration 0009): it has a cursor (``pulled_seq``), but no time.
NEVER_PULLED = "never"
PULLED_UNTIMED = "unknown (before the update)"


def _last_pull(device: DeviceInfo, untimed: frozenset[str]) -> str:
    if device.pulled_at:
        return _minute(device.pulled_at)
    return PULLED_UNTIMED if device.device_id in untimed else NEVER_PULLED


def _devices_table(
    devices: Sequence[DeviceInfo],
    unused: dict[str | None, int],
    untimed: frozenset[str] = frozenset(),
) -> str:
    """``welcome-desk-server devices``: one line a device under a header, columns aligned.

    ROLE the role it was approved for (``device_role``); LAST SYNC is the Laptops dialog's
    "last sync"; LAST PULL when the server last handed the device records it lacked (what a
    lost laptop holds, it held by then): "never", or for those in ``untimed`` (handed records
    before the server noted when) "unknown (before the update)"; UNUSED CODES the
    enrollment codes it asked for that are neither used nor expired (a stolen coordinator's
    laptop may have asked for some before its revocation); PEOPLE AT REVOCATION, for a revoked
    device, how many people's records it had been sent, counted at the revocation ("not
    counted": revoked before the server counted). The name last: it may hold spaces."""
    rows = []
    for d in devices:
        if d.status != "revoked":
            held = "-"
        elif d.people_at_revocation is None:
            held = "not counted"
        else:
            held = str(d.people_at_revocation)
        rows.append(
            (
                d.device_id,
                d.status,
                device_role(d),
                _minute(last_sync(d)),
                _last_pull(d, untimed),
                d.app_version or "-",
                str(unused.get(d.device_id, 0)),
                held,
                d.fingerprint,
                d.name,
            )
        )
    widths = [max(len(r[i]) for r in [DEVICE_COLUMNS, *rows]) for i in range(len(DEVICE_COLUMNS))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [DEVICE_COLUMNS, *rows]
    ]
    listed = {d.device_id for d in devices}
    elsewhere = sum(n for by, n in unused.items() if by is None or by not in listed)
    if elsewhere:
        lines.append(
            "unused enrollment codes asked for by no listed device (welcome-desk-server "
            f"enroll): {elsewhere}"
        )
    return "\n".join(lines)


def _run(args: argparse.Namespace, url: str) -> int:
    if args.command == "serve":
        return _serve(args, url)

    from sync_server.service import ApiError, SyncService

    engine = db.create_db_engine(url)
    try:
        db.migrate(engine)
        service = SyncService(engine)
        if args.command == "migrate":
            print(f"database is up to date: {db.safe_url(url)}")
        elif args.command == "enroll":
            try:
                issued = service.issue_code(args.name, args.valid_hours, args.coordinator)
            except ValueError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return EXIT_USAGE
            print(issued.code)
            print(
                f"for {issued.name!r}, single use, valid until "
                f"{issued.expires_at:%Y-%m-%d %H:%M} UTC",
                file=sys.stderr,
            )
        elif args.command == "devices":
            devices = service.list_devices().devices
            if not devices:
                print("no devices")
            else:
                print(
                    _devices_table(
                        devices, service.unused_codes_by_issuer(), service.pulled_untimed()
                    )
                )
        elif args.command == "revoke":
            try:
                device_id = service.find_device(args.device)
                if already := _revoked_already(service, device_id):
                    print(f"error: {already}", file=sys.stderr)
                    return EXIT_FAILED
                info = service.revoke(device_id, force=args.force)
            except ApiError as exc:
                if exc.code == "last_coordinator":
                    print(
                        f"error: {device_id} is the last approved coordinator device; revoked, "
                        "nobody could approve new laptops, renew the team key or publish the "
                        "service directory and forms. Approve another laptop for coordinators "
                        "first (in Welcome Desk, or one enrolled with enroll --coordinator), or "
                        "give --force.",
                        file=sys.stderr,
                    )
                else:
                    print(f"error: {exc}", file=sys.stderr)
                return 1
            except LookupError as exc:
                print(
                    f"error: {exc}; welcome-desk-server devices lists the devices and their ids",
                    file=sys.stderr,
                )
                return EXIT_FAILED
            print(f"revoked {info.device_id} ({info.name})")
            # Revoking here renews no team key (the server never holds one): it refuses the
            # device at once, but the device could still read what is written under the key it
            # was given if it got hold of it. The operator was told nothing of that.
            print(
                "The team key is not renewed yet: a coordinator renews it in Welcome Desk "
                "(File > Laptops of the organisation > Renew the team key), so that this device "
                "cannot read what is written from now on."
            )
            left = [
                d
                for d in service.list_devices().devices
                if d.is_coordinator and d.status == "approved"
            ]
            if info.is_coordinator and not left:
                print(
                    "warning: no approved coordinator device is left: no laptop can be "
                    "approved, no team key renewed, no reference data published any more",
                    file=sys.stderr,
                )
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
