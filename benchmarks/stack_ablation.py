"""Where the stack's level 1 can gain: its CNN trained on level-0 maps from different sources.

    python benchmarks/stack_ablation.py ../shared/data/ddd --fold 0 --cnn-seconds 300

One fold of ``CrossGroupKFold(3, random_state=0)`` (the quality table's folds). The stack's
level-0 models (:func:`dirtydocs.models.stack.default_level0`) give three sets of maps:
out of fold on the training pages (``split_cells``, as ``StackedDenoiser.fit`` makes them),
in sample on the training pages (the models refitted on all of them) and on the test pages
(the refitted models, as ``StackedDenoiser.predict`` uses them). A CNN like the stack's is
then trained on the out-of-fold maps, on the in-sample maps, on both, and on no maps at
all (the page and its feature maps only), and each is scored on the test pages. The script
also splits the LightGBM map's squared error on the test pages by kind of pixel. Prints
JSON lines; about 6 minutes for the maps plus 4 x ``--cnn-seconds``.
"""

import argparse
import json

import numpy as np
from scipy import ndimage as ndi
from sklearn.base import clone

from dirtydocs.io import load_dataset
from dirtydocs.metrics import rmse
from dirtydocs.models.selection import CrossGroupKFold, infer_page_groups
from dirtydocs.models.stack import (StackedDenoiser, default_level0, out_of_fold_maps,
                                    stack_channels)
from dirtydocs.nn import SmallCNN


def level0_maps(noisy, clean, documents, backgrounds, test_pages, seed):
    """Out-of-fold and in-sample maps of the training pages, and maps of the test pages."""
    specs = default_level0()
    cells = CrossGroupKFold(3, random_state=seed + 1).split_cells(documents, backgrounds)
    out_of_fold = out_of_fold_maps(
        lambda cell: [clone(model).set_params(random_state=seed + cell) for _, model in specs],
        noisy, clean, cells)
    refitted = [clone(model).set_params(random_state=seed).fit(noisy, clean) for _, model in specs]
    in_sample = [model.predict(noisy) for model in refitted]
    test = [model.predict(test_pages) for model in refitted]
    # Per page, the list of its maps in level-0 order.
    return {"out of fold": list(zip(*out_of_fold)), "in sample": list(zip(*in_sample)),
            "test": list(zip(*test))}


def channels(page, maps):
    """The stack's CNN input with its default feature maps."""
    return stack_channels(page, maps, StackedDenoiser().feature_maps)


def error_by_pixel_kind(truth_pages, cleaned_pages):
    """Share of the squared error on paper far from ink, paper next to ink, ink, and the
    grey edges of strokes (truth strictly between 0.05 and 0.95)."""
    totals = {}
    for truth, cleaned in zip(truth_pages, cleaned_pages):
        squared = (cleaned.astype(np.float64) - truth) ** 2
        paper, ink = truth > 0.95, truth < 0.05
        near_ink = paper & ndi.binary_dilation(~paper, iterations=2)
        kinds = {"paper far from ink": paper & ~near_ink, "paper next to ink": near_ink,
                 "ink": ink, "stroke edges": ~paper & ~ink}
        for kind, mask in kinds.items():
            error, count = totals.get(kind, (0.0, 0))
            totals[kind] = (error + squared[mask].sum(), count + int(mask.sum()))
    all_error = sum(error for error, _ in totals.values())
    all_count = sum(count for _, count in totals.values())
    return {kind: {"share_of_squared_error": error / all_error,
                   "share_of_pixels": count / all_count,
                   "rmse": float(np.sqrt(error / count)) if count else float("nan")}
            for kind, (error, count) in totals.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data")
    parser.add_argument("--fold", type=int, default=0)
    parser.add_argument("--cnn-seconds", type=float, default=300.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    data = load_dataset(args.data)
    documents, backgrounds = map(np.asarray, infer_page_groups(data.noisy, data.clean))
    train, test = list(CrossGroupKFold(3, random_state=0).split(documents, backgrounds))[args.fold]
    noisy, clean = [data.noisy[i] for i in train], [data.clean[i] for i in train]
    test_noisy, test_clean = [data.noisy[i] for i in test], [data.clean[i] for i in test]
    maps = level0_maps(noisy, clean, documents[train], backgrounds[train], test_noisy, args.seed)
    lightgbm_test = [page_maps[0] for page_maps in maps["test"]]
    print(json.dumps({"fold": args.fold, "lightgbm test": rmse(test_clean, lightgbm_test),
                      "lightgbm out of fold": rmse(clean, [m[0] for m in maps["out of fold"]]),
                      "lightgbm in sample": rmse(clean, [m[0] for m in maps["in sample"]]),
                      "lightgbm test error by pixel":
                          error_by_pixel_kind(test_clean, lightgbm_test)}),
          flush=True)

    sources = {"out of fold": ["out of fold"], "in sample": ["in sample"],
               "both": ["out of fold", "in sample"], "no maps": [None]}
    for variant, kinds in sources.items():
        inputs, targets, groups = [], [], []
        for kind in kinds:
            for i, page in enumerate(noisy):
                inputs.append(channels(page, maps[kind][i] if kind else []))
                targets.append(clean[i])
                groups.append(documents[train][i])
        cnn = SmallCNN(max_seconds=args.cnn_seconds, random_state=args.seed)
        cnn.fit(inputs, targets, groups=groups)
        test_maps = maps["test"] if kinds != [None] else [[]] * len(test)
        cleaned = [cnn.predict(channels(page, page_maps))
                   for page, page_maps in zip(test_noisy, test_maps)]
        print(json.dumps({"fold": args.fold, "cnn trained on": variant,
                          "test rmse": rmse(test_clean, cleaned),
                          "best epoch": cnn.best_epoch_}), flush=True)


if __name__ == "__main__":
    main()
