"""The quality table: cross-group RMSE of each method on the same folds of the Kaggle pages.

Run from the repository root; takes about 3 x (the stack's training time)::

    python benchmarks/quality_table.py ../shared/data/ddd --out docs/quality
    python benchmarks/quality_table.py ../shared/data/ddd --synthetic 72 --out docs/quality_synth
    python benchmarks/quality_table.py ../shared/data/ddd --restained 72 --out quality_re

Rows: the noisy input, median background removal (the page divided by its 31x31 median,
no learning), a random forest on raw 3x3 windows (scikit-learn), the stack's two level-0
models (LightGBM and LightGBM's random forest over the 57 features, refitted on each fold's
training pages), one LightGBM of about the stack's size (``--recipe``, the model bundled
until 2026-11-24: the stack is also measured against one model as large as itself) and the
stack, built as ``dirtydocs train --method stacked`` builds it, with ``--level1`` and
``--level1-maps`` passed on. The script's defaults, ``--level1 cnn --level1-maps
out_of_fold``, are the stack of its earlier runs (``docs/results.md``); the bundled
model's is ``--level1 trees --level1-maps in_sample``. Folds are
``CrossGroupKFold(3, random_state=0)``, those of ``dirtydocs evaluate --cv 3``: each test
page's document and stain background are absent from its fold's training pages.
``--synthetic N`` mixes N synthetic pairs into every training fold (never into a test
fold), ``--restained N`` N restained copies of the fold's own training pages
(``dirtydocs.synth.restain_pages``, drawn with ``--restain-seed``); mixed-in pages add to
the pixel budgets and, as in ``dirtydocs train``, only the stack's level 0 learns from
them unless ``--mixed-into all`` (before 2026-12-06 every level did). ``--ink-switch``
(with ``--restained`` and ``--mixed-into all``) also trains a stack for each kind of ink
as ``dirtydocs train --ink-switch`` does: each on the fold's training pages of its kind
and restained pairs of them (``dirtydocs.cli.ink_switch_pairs``); it adds their rows and
the row of the two routed as ``dirtydocs.InkSwitch`` routes them (each fold lists the test
pages sent to the second). Runs before 2026-12-07 (night) trained both on all the fold's
pages and their pairs, and had no row for the first, which was the "stacked" row's stack;
runs before 2026-12-08 drew lifts on half the second's pairs whatever their pages. It
adds about the stack's time, not its peak memory (one stack trains at a time).
``--folds 0`` runs one fold only (a third of the time). Writes ``<out>.json`` and
``<out>.md``.
"""

import argparse
import json
import time

import numpy as np
from sklearn.ensemble import RandomForestRegressor

from dirtydocs import InkSwitch
from dirtydocs.cli import (MIXED_INTO_CHOICES, _build_model, _fit_model, build_parser,
                           ink_switch_pairs)
from dirtydocs.features import background_ratio, local_windows, median_background
from dirtydocs.io import load_dataset
from dirtydocs.metrics import rmse
from dirtydocs.models.selection import CrossGroupKFold, infer_page_groups
from dirtydocs.synth import make_synthetic_training_pages, restain_pages

try:  # imported as part of the benchmarks package, as asv does
    from ._common import command_line, rerun_with_avx2_numpy_loops
    from .train_default_model import LIGHTGBM_RECIPE
except ImportError:  # run as a script: benchmarks/ is on the path
    from _common import command_line, rerun_with_avx2_numpy_loops
    from train_default_model import LIGHTGBM_RECIPE

ONE_LARGE_MODEL = "LightGBM, 200 trees, 8M pixels"  # the --recipe row
COVERED_STACK = "stacked, covering-ink pages"  # the --ink-switch rows
LIFTED_STACK = "stacked, lifted-ink pages and pairs"
SWITCH = "ink switch (routed)"


def median_background_removal(page):
    return np.clip(background_ratio(page, median_background(page, size=31)), 0.0, 1.0)


class RandomForest3x3:
    """scikit-learn's random forest on the raw 3x3 window of each pixel."""

    def __init__(self, max_samples=1_000_000, random_state=0):
        self.max_samples = max_samples
        self.random_state = random_state

    def fit(self, noisy, clean):
        rng = np.random.default_rng(self.random_state)
        per_page = max(1, self.max_samples // len(noisy))
        X, y = [], []
        for page, truth in zip(noisy, clean):
            chosen = rng.choice(page.size, size=min(per_page, page.size), replace=False)
            X.append(local_windows(page, size=3)[chosen])
            y.append(truth.reshape(-1)[chosen])
        self.forest_ = RandomForestRegressor(n_estimators=30, min_samples_leaf=20, n_jobs=-1,
                                             random_state=self.random_state)
        self.forest_.fit(np.concatenate(X), np.concatenate(y))
        return self

    def predict(self, page):
        out = self.forest_.predict(local_windows(page, size=3)).reshape(page.shape)
        return np.clip(out, 0.0, 1.0).astype(np.float32)


def fit_stack(args, pairs, mixed_in, groups):
    """The stack ``dirtydocs train --method stacked`` builds with the script's options."""
    cnn_budget = (["--cnn-epochs", "200", "--cnn-seconds", str(args.cnn_seconds)]
                  if args.level1 == "cnn" else [])
    stack = _build_model(build_parser().parse_args(
        ["train", "-", "--model", "-", "--method", "stacked", "--level1", args.level1,
         "--level1-maps", args.level1_maps, *cnn_budget, "--seed", str(args.seed),
         "--mixed-into", args.mixed_into]),
        pairs[0], mixed_in[0])
    return _fit_model(stack, pairs, mixed_in, args.mixed_into, groups=groups)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data")
    parser.add_argument("--synthetic", type=int, default=0, metavar="N")
    parser.add_argument("--restained", type=int, default=0, metavar="N")
    parser.add_argument("--level1", choices=("cnn", "trees"), default="cnn",
                        help="the stack's level 1 (default: the CNN, as in earlier runs)")
    parser.add_argument("--level1-maps", choices=("out_of_fold", "in_sample"),
                        default="out_of_fold")
    parser.add_argument("--cnn-seconds", type=float, default=420.0)
    parser.add_argument("--recipe", action=argparse.BooleanOptionalAction, default=True,
                        help="also score one LightGBM of about the stack's size "
                             "(train_default_model.LIGHTGBM_RECIPE)")
    parser.add_argument("--mixed-into", choices=MIXED_INTO_CHOICES, default="level0",
                        help="which of the stack's levels learn from the mixed-in pages, "
                             "as in dirtydocs train (the other models learn from them all); "
                             "default level0, as in the saved runs, not train's all")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--restain-seed", type=int, default=1,
                        help="seed of the restained pairs' draw (default 1, as in every "
                             "saved run); the stack's figure on a fold moves with it")
    parser.add_argument("--out", default="quality")
    parser.add_argument("--folds", type=int, nargs="+", default=[0, 1, 2],
                        help="which of the three folds to run (default all)")
    parser.add_argument("--ink-switch", action="store_true",
                        help="also a stack whose restained pairs have lifted ink, and the "
                             "two routed page by page as dirtydocs.InkSwitch routes them")
    args = parser.parse_args(argv)
    if args.ink_switch and not (args.restained and args.mixed_into == "all"):
        parser.error("--ink-switch needs --restained N and --mixed-into all, as dirtydocs "
                     "train --ink-switch does")

    data = load_dataset(args.data)
    documents, backgrounds = infer_page_groups(data.noisy, data.clean)
    extra_noisy, extra_clean = (make_synthetic_training_pages(args.synthetic, random_state=1)
                                if args.synthetic else ([], []))
    methods = ["noisy input", "median background removal", "random forest, 3x3 window",
               "LightGBM (level 0)", "random forest (level 0)",
               ONE_LARGE_MODEL, "stacked"]
    if not args.recipe:
        methods.remove(ONE_LARGE_MODEL)
    if args.ink_switch:
        methods += [COVERED_STACK, LIFTED_STACK, SWITCH]
    router = InkSwitch()
    cleaned = {name: [] for name in methods}
    truth, folds = [], []
    for fold, (train, test) in enumerate(
            CrossGroupKFold(3, random_state=0).split(documents, backgrounds)):
        if fold not in args.folds:
            continue
        started = time.perf_counter()
        noisy_train = [data.noisy[i] for i in train]
        clean_train = [data.clean[i] for i in train]
        restained = restain_pages(noisy_train, clean_train, args.restained,
                                  random_state=args.restain_seed)
        mixed_in = extra_noisy + restained[0]
        mixed_in_clean = extra_clean + restained[1]
        groups = None  # inferred: a restained page shares its source's document
        if not mixed_in:
            groups = ([documents[i] for i in train], [backgrounds[i] for i in train])
        stack = fit_stack(args, (noisy_train, clean_train), (mixed_in, mixed_in_clean),
                          groups)
        if args.ink_switch:
            kind_stacks = {}
            real_pages, kind_pairs, _ = ink_switch_pairs(
                router, noisy_train, clean_train, args.restained, args.restain_seed)
            for kind, (pairs_noisy, pairs_clean) in kind_pairs.items():
                noisy_kind = [noisy_train[i] for i in real_pages[kind]]
                clean_kind = [clean_train[i] for i in real_pages[kind]]
                kind_stacks[kind] = fit_stack(args, (noisy_kind, clean_kind),
                                              (extra_noisy + pairs_noisy,
                                               extra_clean + pairs_clean), None)
        noisy_train += mixed_in
        clean_train += mixed_in_clean
        forest = RandomForest3x3(random_state=args.seed).fit(noisy_train, clean_train)
        if args.recipe:
            recipe_args = build_parser().parse_args(["train", "-", "--model", "-", "--quiet",
                                                     *LIGHTGBM_RECIPE])
            recipe = _build_model(recipe_args, noisy_train[:len(train)], mixed_in)
            recipe.fit(noisy_train, clean_train)
        fold_scores, lifted_pages = {}, []
        for i in test:
            page = data.noisy[i]
            maps = stack.level0_maps(page)
            outputs = {
                "noisy input": page,
                "median background removal": median_background_removal(page),
                "random forest, 3x3 window": forest.predict(page),
                "LightGBM (level 0)": maps["lightgbm"],
                "random forest (level 0)": maps["random_forest"],
                "stacked": stack.predict(page),
            }
            if args.recipe:
                outputs[ONE_LARGE_MODEL] = recipe.predict(page)
            if args.ink_switch:
                outputs[COVERED_STACK] = kind_stacks["covered"].predict(page)
                outputs[LIFTED_STACK] = kind_stacks["lifted"].predict(page)
                routed_to_lifted = router.route(page) == "lifted"
                outputs[SWITCH] = outputs[LIFTED_STACK if routed_to_lifted else COVERED_STACK]
                if routed_to_lifted:
                    lifted_pages.append(data.names[i])
            for name, output in outputs.items():
                cleaned[name].append(output)
            truth.append(data.clean[i])
        for name in methods:
            fold_scores[name] = rmse(truth[-len(test):], cleaned[name][-len(test):])
        folds.append({"fold": fold, "n_train": len(noisy_train), "n_test": len(test),
                      "seconds": time.perf_counter() - started, "rmse": fold_scores,
                      "level0_rmse_on_training_maps": stack.maps_rmse_,
                      "level1": type(stack.level1_).__name__,
                      "cnn_best_epoch": getattr(stack.level1_, "best_epoch_", None),
                      **({"routed_to_lifted": lifted_pages} if args.ink_switch else {})})
        print(json.dumps(folds[-1]), flush=True)
    result = {"command": command_line("benchmarks/quality_table.py", argv),
              "synthetic_pages": args.synthetic, "restained_pages": args.restained,
              "restain_seed": args.restain_seed,
              "mixed_into": args.mixed_into, "ink_switch": args.ink_switch,
              "level1": args.level1, "level1_maps": args.level1_maps, "folds": folds,
              "rmse": {name: rmse(truth, cleaned[name]) for name in methods}}
    with open(f"{args.out}.json", "w") as handle:
        json.dump(result, handle, indent=1)
    lines = ["| method | cross-group RMSE | folds |", "|---|---|---|"]
    for name in methods:
        per_fold = ", ".join(f"{f['rmse'][name]:.4f}" for f in folds)
        lines.append(f"| {name} | {result['rmse'][name]:.4f} | {per_fold} |")
    with open(f"{args.out}.md", "w") as handle:
        handle.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    rerun_with_avx2_numpy_loops()
    main()
