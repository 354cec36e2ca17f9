"""Train the category model from data/text/training/categories.csv and write it to
data/text/models/category_model.joblib.

Why a script: the model file is committed so the app needs no training at start, and
anyone can rebuild it byte-for-byte from the committed CSV (fixed seed, single thread,
deterministic solver). Only rows with split == "train" are used, so the held-out "test"
rows stay an honest measure (printed here, and checked in tests/test_classify.py).

    python3 data/text/training/build_model.py [--out PATH]
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import joblib
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import classification_report, f1_score
from sklearn.pipeline import Pipeline

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from data.text.classify import MODEL_PATH, normalise  # noqa: E402

CSV_PATH = Path(__file__).resolve().parent / "categories.csv"
SEED = 20261125


def load_split(split: str, path: Path = CSV_PATH) -> tuple[list[str], list[str]]:
    """Texts and labels of one split of the labelled set."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["split"] == split]
    return [r["text"] for r in rows], [r["category"] for r in rows]


def build_pipeline() -> Pipeline:
    """char_wb 2-5 n-grams survive typos, inflection and uk/ru mixing; sublinear tf keeps
    long posts from dominating. C was chosen by 5-fold cross-validation on the train rows."""
    return Pipeline(
        [
            (
                "tfidf",
                TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=1),
            ),
            ("clf", LogisticRegression(C=20.0, max_iter=5000, random_state=SEED)),
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    args = parser.parse_args()
    x_train, y_train = load_split("train")
    x_test, y_test = load_split("test")
    model = build_pipeline().fit([normalise(t) for t in x_train], y_train)
    pred = model.predict([normalise(t) for t in x_test])
    print(classification_report(y_test, pred, digits=3, zero_division=0))
    print(f"model-only macro-F1 on held-out test: {f1_score(y_test, pred, average='macro'):.3f}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, args.out, compress=3)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
