"""`make bench`: the speed targets of docs/architecture.md §8, measured side by side in one run.

Each section prints `name value` lines; ratios compare two variants measured alternately in the
same run, on the same machine, so that the machine's speed cancels out. Runs on a throw-away
database (SQLite, or the server in DATABASE_URL) in a temporary DATA_DIR.

    make bench                    # every section
    make bench ARGS=middleware    # one section
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BACKEND = REPO / "backend"
sys.path.insert(0, str(BACKEND))
sys.path.insert(0, str(REPO))


def report(name: str, value, note: str = "") -> None:
    text = f"{value:.4f}" if isinstance(value, float) else str(value)
    print(f"{name:<40} {text:>14}  {note}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sections", nargs="*", help="sections to run (default: all)")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="resee-bench-"))
    os.environ["DATA_DIR"] = str(workdir / "data")
    os.environ["ENV_FILE"] = str(workdir / "no.env")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    os.environ["TELEMETRY_FLUSH_INTERVAL_SECONDS"] = "0"
    os.environ["LOG_LEVEL"] = "ERROR"
    os.environ["DJANGO_SETTINGS_MODULE"] = "resee.settings"
    if not os.environ["DATABASE_URL"].startswith("sqlite"):
        # A database of its own on the server, dropped afterwards.
        os.environ["DATABASE_URL"] = _scratch_postgres_database(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from bench import sections

    chosen = args.sections or list(sections.SECTIONS)
    print(f"database: {django.db.connection.vendor}; sections: {', '.join(chosen)}", flush=True)
    for name in chosen:
        print(f"\n[{name}]", flush=True)
        started = time.monotonic()
        sections.SECTIONS[name](workdir, report)
        print(f"({time.monotonic() - started:.0f} s)", flush=True)
    return 0


def _scratch_postgres_database(url: str) -> str:
    import atexit

    import psycopg

    base, _, _ = url.rpartition("/")
    name = f"resee_bench_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop():
        from django.db import connections

        connections.close_all()
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    atexit.register(drop)
    return f"{base}/{name}"


if __name__ == "__main__":
    sys.exit(main())
