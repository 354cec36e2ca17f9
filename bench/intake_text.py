"""Bench of the intake text steps (not part of pytest): quality and speed.

Run from the repository root:  python3 bench/intake_text.py [--no-demo]

Prints
* classification macro-F1 on the held-out split of data/text/training/categories.csv (rules
  alone, model alone, combined), and on the demo ground truth when data/demo/ exists;
* redaction recall per PII type on tests/data/pii_eval.csv and on the demo ground truth
  (phones and e-mails must be 100%, names >= 95%), whether every kept place name
  survived, and how many name-free texts lost a word (without and with the geocoder's
  span kept, as in the pipeline);
* the per-kind table on the PII set of issue 17 (tests/data/pii_kinds.csv, scored by
  tests/pii_set.py: >= 98% of each kind removed, 100% of the protected names kept,
  placed or not), with every miss listed;
* occurred_at agreement with the demo ground truth for texts with a time phrase;
* duplicate detection precision/recall on the demo ground truth (true points and
  categories, redacted text), so dedupe is measured apart from the geocoder;
* throughput (texts/s) of redact and classify (single and batch).
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sklearn.metrics import f1_score  # noqa: E402

from data.text.classify import classify, classify_by_model, classify_by_rules, classify_many  # noqa: E402
from data.text.redact import place_index, redact  # noqa: E402
from geo.gazetteer import load_gazetteer  # noqa: E402
from tests import pii_set  # noqa: E402

CITY = place_index(load_gazetteer().place_names())  # the place names the import pipeline hands in
TRAINING_CSV = ROOT / "data" / "text" / "training" / "categories.csv"
PII_CSV = ROOT / "tests" / "data" / "pii_eval.csv"
DEMO_DIR = ROOT / "data" / "demo"
PII_COLUMNS = {"phones": "phone", "emails": "email", "handles": "handle", "plates": "plate", "names": "name"}
WORD_RE = re.compile(r"[^\W\d_][\w'’-]*")


def _rate(fn: Callable[[], object], n: int) -> float:
    start = time.perf_counter()
    fn()
    return n / (time.perf_counter() - start)


def removed(item: str, kind: str, output: str, kept: str) -> bool:
    """An item counts as removed when none of its words (names) or itself (contact
    details, plates) is left in the output outside the kept place text."""
    rest = output.replace(kept, " ") if kept else output
    if kind == "name":
        rest_words = set(WORD_RE.findall(rest))
        return not any(w in rest_words for w in WORD_RE.findall(item) if len(w) > 1)
    return item not in rest


def pii_recall(rows: Iterable[tuple[str, str, dict[str, list[str]]]]) -> tuple[Counter[str], Counter[str], int, int]:
    found: Counter[str] = Counter()
    total: Counter[str] = Counter()
    kept_ok = kept_total = 0
    for text, keep, items in rows:
        spans = [(text.index(keep), text.index(keep) + len(keep))] if keep else []
        out = redact(text, keep_spans=spans, places=CITY).text
        if keep:
            kept_total += 1
            kept_ok += keep in out
        for kind, values in items.items():
            for value in values:
                total[kind] += 1
                found[kind] += removed(value, kind, out, keep)
    return found, total, kept_ok, kept_total


def print_recall(title: str, found: Counter[str], total: Counter[str], kept_ok: int, kept_total: int) -> None:
    print(f"\n{title}")
    for kind in ("phone", "email", "handle", "plate", "name"):
        if total[kind]:
            print(f"  {kind:7s} recall {found[kind] / total[kind]:7.2%}  ({found[kind]}/{total[kind]})")
    if kept_total:
        print(f"  kept place names intact: {kept_ok}/{kept_total}")


def bench_pii_kinds() -> None:
    result = pii_set.score(lambda text, keep: redact(text, keep_spans=keep, places=CITY).text)
    print(f"\nredaction per kind on {pii_set.PII_SET.name} (target: >= 98% removed, 100% kept)")
    print("\n".join(pii_set.table(result)))
    for kind, item, out in result.misses:
        print(f"  miss [{kind}] {item!r} -> {out!r}")


def bench_classification() -> list[str]:
    with TRAINING_CSV.open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["split"] == "test"]
    texts, truth = [r["text"] for r in rows], [r["category"] for r in rows]
    rules = [(classify_by_rules(t) or ("other", 0.0))[0] for t in texts]
    model = [c for c, _ in classify_by_model(texts)]
    combined = [c.category for c in classify_many(texts)]
    print(f"classification, held-out split ({len(rows)} texts): macro-F1")
    print(f"  rules only {f1_score(truth, rules, average='macro'):.3f}  (no hit counted as 'other')")
    print(f"  model only {f1_score(truth, model, average='macro'):.3f}")
    print(f"  combined   {f1_score(truth, combined, average='macro'):.3f}")
    return texts


def demo_messages() -> dict[str, object]:
    """RawMessages of the demo sources by source_ref (through the real parsers)."""
    from data.intake import parse_file

    out: dict[str, object] = {}
    paths = [
        DEMO_DIR / "sources" / "telegram" / "result.json",
        *sorted((DEMO_DIR / "sources" / "facebook").rglob("*.json")),
        *sorted((DEMO_DIR / "sources" / "hotline").glob("*.csv")),
        *sorted((DEMO_DIR / "sources" / "minutes").glob("*.*")),
    ]
    for path in paths:
        if not path.exists():
            continue
        for item in parse_file(path).items:
            if hasattr(item, "text") and hasattr(item, "received_at"):
                out[item.source_ref] = item
    return out


def bench_demo() -> None:
    import pandas as pd

    from data.text.dedupe import mark_duplicates
    from data.text.when import occurred_at

    gt_path = next(iter(sorted(DEMO_DIR.glob("ground_truth*.csv"))), None)
    if gt_path is None:
        print("\n(no demo ground truth)")
        return
    gt = pd.read_csv(gt_path, dtype=str, keep_default_na=False)
    gt = gt[gt["is_report"] == "1"]
    messages = demo_messages()
    gt = gt[gt["source_ref"].isin(messages)]
    texts = [messages[r].text for r in gt["source_ref"]]  # type: ignore[attr-defined]
    predicted = [c.category for c in classify_many([redact(t, places=CITY).text for t in texts])]
    print(f"\ndemo ground truth ({gt_path.name}): {len(gt)} reports matched to parsed messages")
    print(
        f"  classification macro-F1 {f1_score(gt['category'], predicted, average='macro'):.3f}"
        f"  accuracy {sum(a == b for a, b in zip(gt['category'], predicted)) / len(gt):.3f}"
    )
    rows = []
    for text, kinds, values in zip(texts, gt["pii_kinds"], gt["pii_values"]):
        items: dict[str, list[str]] = {}
        for kind, value in zip(kinds.split("|"), values.split("|")):
            if kind and value:
                items.setdefault(kind, []).append(value)
        if items:
            rows.append((text, "", items))
    print_recall("  redaction recall on demo PII (no kept spans)", *pii_recall(rows))
    nameless = [t for t, kinds in zip(texts, gt["pii_kinds"]) if "name" not in kinds]
    hit = sum(1 for t in nameless if redact(t, places=CITY).counts_by_type.get("ім'я"))
    print(
        f"  texts without a planted name that lost a word as a name (no kept spans, so street"
        f" names the geocoder would protect count here): {hit}/{len(nameless)}"
    )
    bench_with_geocoder(texts, rows, nameless)

    timed = gt[gt["time_phrase"] != ""]
    ok = said = 0
    for ref, truth in zip(timed["source_ref"], timed["occurred_at"]):
        msg = messages[ref]
        when, source = occurred_at(msg.text, msg.received_at)  # type: ignore[attr-defined]
        said += source == "text"
        ok += abs((when - pd.Timestamp(truth).to_pydatetime()).total_seconds()) <= 3 * 3600
    if len(timed):
        print(
            f"\n  occurred_at on {len(timed)} texts with a time phrase: read from text {said / len(timed):.1%},"
            f" within 3 h of the truth {ok / len(timed):.1%}"
        )

    frame = pd.DataFrame(
        {
            "id": gt["source_ref"].to_numpy(),
            "category": gt["category"].to_numpy(),
            "lat": pd.to_numeric(gt["lat"], errors="coerce").to_numpy(),
            "lon": pd.to_numeric(gt["lon"], errors="coerce").to_numpy(),
            "occurred_at": [messages[r].received_at for r in gt["source_ref"]],  # type: ignore[attr-defined]
            "text": [redact(t, places=CITY).text for t in texts],
        }
    )
    start = time.perf_counter()
    marked = mark_duplicates(frame)
    elapsed = time.perf_counter() - start
    truth_dup = gt["is_duplicate_of"].to_numpy() != ""
    pred_dup = marked.notna().to_numpy()
    tp = int((truth_dup & pred_dup).sum())
    print(
        f"\n  dedupe (true points/categories, message times): {int(pred_dup.sum())} marked, {int(truth_dup.sum())} true;"
        f" precision {tp / max(pred_dup.sum(), 1):.3f}, recall {tp / max(truth_dup.sum(), 1):.3f};"
        f" {len(frame)} rows in {elapsed:.2f} s"
    )


def bench_with_geocoder(
    texts: list[str], rows: list[tuple[str, str, dict[str, list[str]]]], nameless: list[str]
) -> None:
    """As in the pipeline: the geocoder's span is kept. Recall is strict here: an item
    must be gone from the whole output, kept span included."""
    from geo import geocode

    def span(text: str) -> list[tuple[int, int]]:
        match = geocode(text)
        return [match.span] if match.span else []

    found: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for text, _, items in rows:
        out = redact(text, keep_spans=span(text), places=CITY).text
        for kind, values in items.items():
            total[kind] += len(values)
            found[kind] += sum(removed(v, kind, out, "") for v in values)
    print_recall("  with the geocoder's span kept (the pipeline)", found, total, 0, 0)
    hit = sum(1 for t in nameless if redact(t, keep_spans=span(t), places=CITY).counts_by_type.get("ім'я"))
    print(f"  texts without a planted name that lost a word as a name: {hit}/{len(nameless)}")


def bench_throughput(texts: list[str]) -> None:
    sample = (texts * (2000 // len(texts) + 1))[:2000]
    redact(sample[0], places=CITY)
    classify(sample[0])
    print("\nthroughput (texts/s)")
    print(f"  redact          {_rate(lambda: [redact(t, places=CITY) for t in sample], len(sample)):9.0f}")
    print(f"  classify        {_rate(lambda: [classify(t) for t in sample], len(sample)):9.0f}")
    print(f"  classify_many   {_rate(lambda: classify_many(sample), len(sample)):9.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description="intake text bench")
    parser.add_argument("--no-demo", action="store_true", help="skip the demo ground truth")
    args = parser.parse_args()
    texts = bench_classification()
    with PII_CSV.open(encoding="utf-8", newline="") as fh:
        rows = [
            (r["text"], r["keep"], {kind: [v for v in r[col].split("|") if v] for col, kind in PII_COLUMNS.items()})
            for r in csv.DictReader(fh)
        ]
    print_recall(f"redaction recall on {PII_CSV.name} ({len(rows)} texts)", *pii_recall(rows))
    with TRAINING_CSV.open(encoding="utf-8", newline="") as fh:
        clean = [r["text"] for r in csv.DictReader(fh)]
    wrong = sum(1 for t in clean if redact(t, places=CITY).counts_by_type)
    print(f"  false redactions: {wrong} of {len(clean)} name-free training texts changed")
    bench_pii_kinds()
    if not args.no_demo and DEMO_DIR.exists():
        bench_demo()
    bench_throughput(texts + [r[0] for r in rows])


if __name__ == "__main__":
    main()
