"""Sign-in timing: does an unknown name answer as fast as a known one? (not part of pytest)

Run from the repository root:
    python3 bench/auth.py            # SQLite in a temporary folder
    python3 bench/auth.py --rounds 40 --url postgresql+psycopg://user@host/db

A fresh store gets ``rounds`` real accounts; each round times one wrong password for a
known name and one for a never-seen name (both fresh, each from its own client address,
so no back-off interferes), in alternating order. It prints the median time of each and
the ratio unknown/known, which should lie in 0.8-1.25: both run one argon2 verify
(auth/users.py), so timing does not tell who has an account.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from auth.accounts import create_user  # noqa: E402
from auth.users import authenticate  # noqa: E402
from data.store.db import make_engine, upgrade  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--url", help="store URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(args.url or f"sqlite:///{folder}/bench.db")
        upgrade(engine)
        for number in range(args.rounds):
            create_user(engine, f"known{number}", "correct horse battery", "police", actor="bench")
        authenticate(engine, "warm-up", "wrong password", client="192.0.2.250")  # builds the dummy hash once
        times: dict[str, list[float]] = {"known": [], "unknown": []}
        for number in range(args.rounds):
            order = [("known", f"known{number}"), ("unknown", f"ghost{number}")]
            for kind, name in order if number % 2 else order[::-1]:
                start = time.perf_counter()
                assert authenticate(engine, name, "wrong password", client=f"192.0.2.{number}-{kind}") is None
                times[kind].append(time.perf_counter() - start)
        engine.dispose()
    known, unknown = statistics.median(times["known"]), statistics.median(times["unknown"])
    print(
        f"{engine.dialect.name}: {args.rounds} rounds, median known {known * 1000:.1f} ms, "
        f"unknown {unknown * 1000:.1f} ms"
    )
    print(f"unknown/known time ratio: {unknown / known:.3f} (target 0.8-1.25)")


if __name__ == "__main__":
    main()
