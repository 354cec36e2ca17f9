"""Equality oracle of the geocoder: every answer on fixed text sets, compared with a record.

Run from the repository root:
    python3 bench/geocode_equal.py                     # compare with bench/geocode_answers.json
    python3 bench/geocode_equal.py --save /tmp/a.jsonl # also keep every answer, to diff later
    python3 bench/geocode_equal.py --against /tmp/a.jsonl  # name each text whose answer changed
    python3 bench/geocode_equal.py --record            # write new digests (an intended change)

Why: a faster geocoder must give identical answers (issue 25). Each answer is the whole
``Match.to_dict()`` (point, level, score, uncertainty, names, span, candidates) as
canonical JSON; the digest of a set is the SHA-256 of its answers in order. The sets and
their gazetteers are in bench/geocode_texts.py (the intake bench's texts, the demo
sources, the eval sets, the tests' strings; demo, mini and Helsinki gazetteers). Exit
status 1 when any set differs.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geo.geocoding import geocode  # noqa: E402

_spec = importlib.util.spec_from_file_location("_bench_geocode_texts", ROOT / "bench" / "geocode_texts.py")
assert _spec is not None and _spec.loader is not None
_texts = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_texts)  # loaded from its file: bench/ stays off sys.path (bench/auth.py)
text_sets = _texts.text_sets

DIGESTS = ROOT / "bench" / "geocode_answers.json"


def answer_line(text: str, location, gazetteer) -> str:
    """One answer as canonical JSON (floats as repr: a last-digit change counts)."""
    out = geocode(text, location=location, gazetteer=gazetteer).to_dict()
    return json.dumps(out, ensure_ascii=False, sort_keys=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--record", action="store_true", help="write the digests to bench/geocode_answers.json")
    parser.add_argument("--save", type=Path, help="write every (set, text, answer) as JSON lines")
    parser.add_argument("--against", type=Path, help="a --save file: print each text whose answer differs")
    parser.add_argument("--no-helsinki", action="store_true", help="skip the Helsinki set (its build takes ~20 s)")
    args = parser.parse_args()
    recorded = json.loads(DIGESTS.read_text(encoding="utf-8")) if DIGESTS.exists() else {}
    before: dict[tuple[str, str], str] = {}
    if args.against:
        with args.against.open(encoding="utf-8") as fh:
            for line in fh:
                row = json.loads(line)
                before[(row["set"], row["text"], json.dumps(row["location"]))] = row["answer"]
    saved = args.save.open("w", encoding="utf-8") if args.save else None
    digests: dict[str, dict[str, object]] = {}
    failed = changed = 0
    for name, gazetteer, items in text_sets(helsinki=not args.no_helsinki):
        digest = hashlib.sha256()
        for text, location in items:
            line = answer_line(text, location, gazetteer)
            digest.update(line.encode("utf-8") + b"\n")
            if saved:
                saved.write(json.dumps({"set": name, "text": text, "location": location, "answer": line}) + "\n")
            old = before.get((name, text, json.dumps(location)))
            if old is not None and old != line:
                changed += 1
                if changed <= 20:
                    print(f"CHANGED [{name}] {text[:100]!r}\n  was {old}\n  now {line}")
        digests[name] = {"texts": len(items), "sha256": digest.hexdigest()}
        want = recorded.get(name)
        same = want == digests[name]
        failed += not same and want is not None
        status = "same" if same else ("no record" if want is None else "DIFFERS")
        print(f"{name:<12} {len(items):>6} texts  {digests[name]['sha256'][:16]}  {status}")
    if saved:
        saved.close()
    if args.against:
        print(f"answers changed against {args.against}: {changed}")
    if args.record:
        DIGESTS.write_text(json.dumps(digests, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"recorded {DIGESTS}")
        return 0
    print("all answers equal" if not failed and not changed else f"{failed} sets differ")
    return 1 if failed or changed else 0


if __name__ == "__main__":
    sys.exit(main())
