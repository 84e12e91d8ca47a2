"""Where the stack's level 1 can gain: its CNN trained on level-0 maps from different sources.

    python benchmarks/stack_ablation.py ../shared/data/ddd --fold 0 --cnn-seconds 300

One fold of ``CrossGroupKFold(3, random_state=0)`` (the quality table's folds). The stack's
level-0 models (:func:`dirtydocs.models.stack.default_level0`) give three sets of maps:
out of fold on the training pages (``split_cells``, as ``StackedDenoiser.fit`` makes them),
in sample on the training pages (the models refitted on all of them) and on the test pages
(the refitted models, as ``StackedDenoiser.predict`` uses them). A CNN like the stack's is
then trained on the out-of-fold maps, on the in-sample maps, on both, and on no maps at
all (the page and its feature maps only), and each is scored on the test pages. Each CNN
stops early on held-out stain backgrounds, as the stack's does (``--cnn-groups documents``
holds out documents instead, as the stack did before). The script also splits the
LightGBM map's squared error on the test pages by kind of pixel. Prints JSON lines; about
6 minutes for the maps plus up to ``--cnn-seconds`` a CNN.

``--level1 trees`` replaces the CNNs with tree models, to tell what the level-0 maps add
from what more trees add: a LightGBM on the page's features plus the LightGBM map's
``--window`` neighbourhood and the other level-0 maps (an "auto-context" level 1, the
stack's ``ContextDenoiser``), trained once on the out-of-fold maps and once on the
in-sample maps, against a LightGBM of the same size on the features alone (a
``DocumentDenoiser``). Each also scores averaged half and half with the LightGBM map.
About 6 minutes for the maps plus 2 to 4 minutes a model.
"""

import argparse
import itertools
import json

import numpy as np
from scipy import ndimage as ndi
from sklearn.base import clone

from dirtydocs.io import load_dataset
from dirtydocs.metrics import rmse
from dirtydocs.models import ContextDenoiser, DocumentDenoiser, PixelRegressor
from dirtydocs.models.selection import CrossGroupKFold, infer_page_groups
from dirtydocs.models.stack import (StackedDenoiser, default_level0, level1_input,
                                    out_of_fold_maps, stack_channels)
from dirtydocs.nn import SmallCNN

# Which level-0 maps each CNN variant trains on (None: no maps, the page and feature maps).
MAP_SOURCES = {"out of fold": ["out of fold"], "in sample": ["in sample"],
               "both": ["out of fold", "in sample"], "no maps": [None]}


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


def tree_level1(noisy, clean, train_maps, test_noisy, test_maps, args):
    """Trees on the training pages, with the maps if given, and their maps of the test pages.

    With maps this is the stack's ``ContextDenoiser``; without, a ``DocumentDenoiser`` of
    the same size. The same seed makes both draw the same training pixels.
    """
    regressor = PixelRegressor(n_estimators=args.trees, learning_rate=0.2)
    if not train_maps:
        model = DocumentDenoiser(regressor=regressor, max_samples=args.tree_samples,
                                 random_state=args.seed)
        return model.fit(noisy, clean).predict(test_noisy)
    model = ContextDenoiser(regressor=regressor, window=args.window,
                            max_samples=args.tree_samples, random_state=args.seed)
    model.fit([level1_input(model, page, maps, ()) for page, maps in zip(noisy, train_maps)],
              clean)
    return model.predict([level1_input(model, page, maps, ())
                          for page, maps in zip(test_noisy, test_maps)])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data")
    parser.add_argument("--fold", type=int, default=0)
    parser.add_argument("--cnn-seconds", type=float, default=300.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--level1", choices=("cnn", "trees"), default="cnn",
                        help="which level-1 models to compare (default: the CNN's map sources)")
    parser.add_argument("--trees", type=int, default=200,
                        help="trees of each tree level 1 (learning rate 0.2)")
    parser.add_argument("--tree-samples", type=int, default=3_000_000,
                        help="training pixels of each tree level 1")
    parser.add_argument("--window", type=int, default=7,
                        help="side of the LightGBM map's neighbourhood given to the trees")
    parser.add_argument("--sources", nargs="+", default=list(MAP_SOURCES),
                        choices=list(MAP_SOURCES),
                        help="which map sources to train a CNN on (default all four)")
    parser.add_argument("--cnn-groups", nargs="+", choices=("backgrounds", "documents"),
                        default=["backgrounds"],
                        help="what each CNN's validation pages are held out by (the stack "
                             "holds out backgrounds); each choice trains its own CNNs")
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

    if args.level1 == "trees":
        for variant, train_maps, test_maps in (
                ("features alone", None, None),
                ("features + level-0 maps, out of fold", maps["out of fold"], maps["test"]),
                ("features + level-0 maps, in sample", maps["in sample"], maps["test"])):
            cleaned = tree_level1(noisy, clean, train_maps, test_noisy, test_maps, args)
            print(json.dumps({
                "fold": args.fold, "trees trained on": variant, "trees": args.trees,
                "test rmse": rmse(test_clean, cleaned),
                "averaged with the lightgbm map": rmse(
                    test_clean, [0.5 * (a + b) for a, b in zip(cleaned, lightgbm_test)])}),
                flush=True)
        return

    held_out_groups = {"documents": documents, "backgrounds": backgrounds}
    for held_out, variant in itertools.product(args.cnn_groups, args.sources):
        kinds, validation_groups = MAP_SOURCES[variant], held_out_groups[held_out]
        inputs, targets, groups = [], [], []
        for kind in kinds:
            for i, page in enumerate(noisy):
                inputs.append(channels(page, maps[kind][i] if kind else []))
                targets.append(clean[i])
                groups.append(validation_groups[train][i])
        cnn = SmallCNN(max_seconds=args.cnn_seconds, random_state=args.seed)
        cnn.fit(inputs, targets, groups=groups)
        test_maps = maps["test"] if kinds != [None] else [[]] * len(test)
        cleaned = [cnn.predict(channels(page, page_maps))
                   for page, page_maps in zip(test_noisy, test_maps)]
        print(json.dumps({"fold": args.fold, "cnn trained on": variant,
                          "validated on held-out": held_out,
                          "test rmse": rmse(test_clean, cleaned),
                          "best epoch": cnn.best_epoch_,
                          "seconds trained": float(cnn.history_["seconds"][-1]),
                          "validation rmse": [round(float(value), 5) for value in
                                              cnn.history_["validation_rmse"]]}), flush=True)


if __name__ == "__main__":
    main()
