"""Cross-group validation of SmallCNN on the Kaggle pages, with its training curves.

Run from the repository root (takes ``3 x --max-seconds`` plus prediction)::

    python benchmarks/cnn_crossval.py ../shared/data/ddd --max-seconds 420 --out docs/cnn

Folds are the same as ``dirtydocs evaluate --cv 3``: each test fold holds out documents
*and* stain backgrounds that no training page of that fold shows. Inside a fold, SmallCNN
holds out whole documents to choose its epoch. Writes ``<out>.json`` (figures and per-epoch
history) and, when matplotlib is installed, ``<out>_curve.png``.
"""

import argparse
import json
import time

import numpy as np

from dirtydocs.io import load_dataset
from dirtydocs.metrics import rmse
from dirtydocs.models.selection import CrossGroupKFold, infer_page_groups
from dirtydocs.nn import SmallCNN


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", help="folder with train/ and train_cleaned/")
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--max-seconds", type=float, default=420.0,
                        help="training time per fold")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="cnn_crossval")
    args = parser.parse_args(argv)

    data = load_dataset(args.data)
    documents, backgrounds = infer_page_groups(data.noisy, data.clean)
    folds = []
    truth_all, cleaned_all = [], []
    splitter = CrossGroupKFold(args.folds, random_state=0)
    for fold, (train, test) in enumerate(splitter.split(documents, backgrounds)):
        model = SmallCNN(max_seconds=args.max_seconds, random_state=args.seed, verbose=True)
        started = time.perf_counter()
        model.fit([data.noisy[i] for i in train], [data.clean[i] for i in train],
                  groups=[documents[i] for i in train])
        seconds = time.perf_counter() - started
        truth = [data.clean[i] for i in test]
        cleaned = model.predict([data.noisy[i] for i in test])
        score = rmse(truth, cleaned)
        truth_all += truth
        cleaned_all += cleaned
        folds.append({"fold": fold, "rmse": score, "n_train": len(train), "n_test": len(test),
                      "train_seconds": seconds, "best_epoch": model.best_epoch_,
                      "history": model.history_})
        print(f"fold {fold}: RMSE {score:.5f} on {len(test)} held-out pages, "
              f"trained {seconds:.0f} s on {len(train)}", flush=True)
    result = {"rmse": rmse(truth_all, cleaned_all), "noisy_rmse": rmse(data.clean, data.noisy),
              "params": SmallCNN(max_seconds=args.max_seconds, random_state=args.seed).get_params(),
              "folds": folds}
    print(f"cross-group RMSE {result['rmse']:.5f} (noisy input {result['noisy_rmse']:.5f})")
    with open(f"{args.out}.json", "w") as handle:
        json.dump(result, handle, indent=1)
    _plot(result, f"{args.out}_curve.png")


def _plot(result, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no curve drawn")
        return
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for fold in result["folds"]:
        history = fold["history"]
        minutes = np.array(history["seconds"]) / 60
        left.plot(minutes, np.sqrt(history["train_loss"]), label=f"fold {fold['fold']}")
        right.plot(minutes, history["validation_rmse"], label=f"fold {fold['fold']}")
    left.set(title="training patches (RMSE)", xlabel="minutes", ylabel="RMSE", yscale="log")
    right.set(title="held-out documents inside the fold", xlabel="minutes", yscale="log")
    for axis in (left, right):
        axis.grid(True, which="both", alpha=0.3)
        axis.legend()
    fig.suptitle(f"SmallCNN on Kaggle pages: cross-group RMSE {result['rmse']:.4f}")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
