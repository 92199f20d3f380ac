"""A process that has imported the sync server once and forks a real server process from
itself for each test: ``python -m sync_server.cli serve`` spent about 0.5 s of CPU importing
FastAPI, SQLAlchemy and uvicorn before it served, for each of the ~600 servers a test run
starts. The forked child runs the server's own ``cli.main`` with the test's arguments,
environment and working folder, its output in the test's log, as the command would.

Protocol (one JSON object a line): ``{"op": "spawn", "argv", "env", "cwd", "log"}`` answers
``{"pid"}``; ``{"op": "reap", "pid"}`` waits for that child and answers ``{"code"}`` (as
Popen's returncode: negative for a signal). A child is reaped only when asked, so its pid
cannot go to another process while the test may still signal it. Ends at end of input."""

from __future__ import annotations

import json
import os
import sys
import traceback

# What ``serve`` imports before it serves (importing has no side effects: no threads, no files).
# Alembic for a database not yet at head; the databases' drivers, imported at a first connect.
import alembic.command  # noqa: F401
import psycopg  # noqa: F401
import sqlalchemy.dialects.postgresql.psycopg
import sqlalchemy.dialects.sqlite.pysqlite  # noqa: F401
import uvicorn
import uvicorn.lifespan.on
import uvicorn.loops.auto
import uvicorn.protocols.http.auto  # noqa: F401

import sync_server.app
import sync_server.cli


def _serve(argv: list[str], env: dict[str, str], cwd: str, log: str) -> int:
    """In the forked child: the server as ``python -m sync_server.cli ARGV`` runs it."""
    out = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    os.dup2(out, 1)
    os.dup2(out, 2)
    os.close(out)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    sys.argv = [sync_server.cli.__file__, *argv]
    try:
        return sync_server.cli.main()
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        traceback.print_exc()
        return 1


def main() -> None:
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    for line in sys.stdin:
        request = json.loads(line)
        if request["op"] == "spawn":
            answers.flush()
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                code = 1
                try:
                    answers.close()
                    code = _serve(request["argv"], request["env"], request["cwd"], request["log"])
                finally:
                    sys.stdout.flush()
                    sys.stderr.flush()
                    os._exit(code)
            answer: dict[str, int] = {"pid": pid}
        else:
            _, status = os.waitpid(request["pid"], 0)
            answer = {"code": os.waitstatus_to_exitcode(status)}
        answers.write(json.dumps(answer) + "\n")
        answers.flush()


if __name__ == "__main__":
    main()
