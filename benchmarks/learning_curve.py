"""How much does the bundled recipe gain from more documents and stain backgrounds?

    python benchmarks/learning_curve.py ../shared/data/ddd

The cross-group figure of the bundled stack (``quality_table.py``) comes from models
trained on a fold's pages: 24 of the 36 documents and 4 or 5 of the 7 stain backgrounds
(9 or 10 of 14 when ``infer_page_groups`` counted each stain twice, once a page size).
The bundled model learns from all of them, so on new pages it should do better than that
figure; this script measures by how much the recipe gains per step of data, to estimate
it. For each of the 3 cross-group folds (``dirtydocs evaluate --cv 3``'s), the recipe is
trained on the fold's training pages and again on subsets that keep a fraction `--keep`
of its documents and of its backgrounds (drawn with each of `--subset-seeds`; a page is
kept when both its document and its background are), and scored on the fold's test pages
(the stack, and each of its level-0 maps). Each model learns from restained pairs of the
pages it trains on, as the bundled model does from all the pages (``MIXED_IN``; the runs
in ``docs/learning_curve.json``, before 2026-12-06, had none). The recipe is one stack
(``STACK_RECIPE``) on all the pages; since the tenth build the bundled model holds two,
one per kind of ink (``--ink-switch``), and since the twelfth each learns from the pages of
its kind only: the curve follows neither exactly.

Assuming the RMSE falls as a power of the number of document-background pairs the model
can learn from (``rmse = c * (documents * backgrounds) ** -alpha``), each fold's
``alpha`` follows from its subsets and its full training set, and the fold's RMSE is
carried from its own pairs to the documents x backgrounds of the whole data (and, as a
check, the same with pages for pairs: to the 144 pages). That is one extrapolation step
of about the size of the measured one (``--keep 0.67`` measures 1.5 times fewer
documents and backgrounds than a fold; the whole data has 1.5 times more than a fold):
an estimate, not a measurement on new pages.

More subset draws narrow it without training the whole folds again:

    python benchmarks/learning_curve.py ../shared/data/ddd --add-to docs/learning_curve.json \
        --subset-seeds 2 3 --out learning_curve.json
"""

import argparse
import json
import sys
import time

import numpy as np

from dirtydocs import rmse
from dirtydocs.cli import _train_model, _train_options, build_parser
from dirtydocs.io import load_dataset
from dirtydocs.models.selection import CrossGroupKFold, infer_page_groups

try:  # imported as part of the benchmarks package, as asv does
    from ._common import command_line, pooled_rmse, rerun_with_avx2_numpy_loops
    from .train_default_model import STACK_RECIPE
except ImportError:  # run as a script: benchmarks/ is on the path
    from _common import command_line, pooled_rmse, rerun_with_avx2_numpy_loops
    from train_default_model import STACK_RECIPE


def subset_pages(pages, documents, backgrounds, keep, random_state):
    """The pages whose document and background are both among a random `keep` of each.

    Parameters
    ----------
    pages : (P,) array of int
        Indices of the pages to draw from.
    documents, backgrounds : (n_pages,) array
        Every page's groups.
    keep : float
        Fraction of the pages' documents, and of their backgrounds, to keep (at least one
        of each).
    random_state : int

    Returns
    -------
    kept : array of int
        A subset of `pages`, in their order.

    Examples
    --------
    >>> documents = np.repeat(np.arange(4), 3)
    >>> backgrounds = np.tile(np.arange(3), 4)
    >>> kept = subset_pages(np.arange(12), documents, backgrounds, 0.5, random_state=0)
    >>> len(set(documents[kept])), len(set(backgrounds[kept]))
    (2, 2)
    """
    rng = np.random.RandomState(random_state)
    chosen = []
    for groups in (documents, backgrounds):
        present = np.unique(groups[pages])
        count = max(1, int(round(keep * len(present))))
        chosen.append(rng.choice(present, count, replace=False))
    mask = np.isin(documents[pages], chosen[0]) & np.isin(backgrounds[pages], chosen[1])
    return pages[mask]


def extrapolate(fold_runs, size, target):
    """A fold's RMSE carried to `target` of `size` (``"pairs"`` or ``"pages"``).

    `fold_runs` holds runs with `size` and ``rmse``; the full training set is the run
    with the largest `size`. Returns the fold's ``alpha`` (the mean over its subsets) and
    the extrapolated RMSE.

    Examples
    --------
    >>> runs = [{"pages": 100, "rmse": 0.02}, {"pages": 25, "rmse": 0.04}]
    >>> alpha, estimate = extrapolate(runs, "pages", 400)
    >>> round(alpha, 3), round(estimate, 4)
    (0.5, 0.01)
    """
    full = max(fold_runs, key=lambda run: run[size])
    alphas = [np.log(run["rmse"] / full["rmse"]) / np.log(full[size] / run[size])
              for run in fold_runs if run[size] < full[size]]
    alpha = float(np.mean(alphas))
    return alpha, float(full["rmse"] * (target / full[size]) ** -alpha)


def level0_rmse(stack, noisy, truth):
    """The RMSE of each of a fitted stack's level-0 maps, by name."""
    maps = [stack.level0_maps(page) for page in noisy]
    return {name: rmse(truth, [page_maps[name] for page_maps in maps]) for name in maps[0]}


def summarise(folds, all_pairs, all_pages):
    """Pooled figures of the folds' runs: measured, and extrapolated to all the data.

    Each fold's RMSE is extrapolated (:func:`extrapolate`) with the exponent from all its
    subsets, and again from each subset seed's alone, to show how much the estimate
    rests on which subsets were drawn; with one subset size, each seed's subsets are also
    pooled as measured. Folds are pooled by their test pixels. Each fold's record gains its
    exponents and extrapolated RMSEs.
    """
    def pooled(values):
        return pooled_rmse(values, [fold["test_pixels"] for fold in folds])

    def whole(fold):
        return max(fold["runs"], key=lambda run: run["pairs"])

    summary = {"rmse_fold_training_sets": pooled([whole(f)["rmse"] for f in folds]),
               "level0_rmse_fold_training_sets": {
                   name: pooled([whole(f)["level0_rmse"][name] for f in folds])
                   for name in whole(folds[0])["level0_rmse"]}}
    for size, target in (("pairs", all_pairs), ("pages", all_pages)):
        for fold in folds:
            fold[f"alpha_{size}"], fold[f"rmse_at_all_{size}"] = extrapolate(
                fold["runs"], size, target)
        summary[f"rmse_extrapolated_to_all_{size}"] = pooled(
            [f[f"rmse_at_all_{size}"] for f in folds])
    seeds = sorted({run["subset_seed"] for run in folds[0]["runs"]} - {None})
    if len({run["keep"] for fold in folds for run in fold["runs"]}) == 2:  # one subset size
        summary["rmse_subsets_by_subset_seed"] = {
            str(seed): pooled([next(run["rmse"] for run in f["runs"]
                                    if run["subset_seed"] == seed) for f in folds])
            for seed in seeds}
    summary["rmse_extrapolated_to_all_pairs_by_subset_seed"] = {
        str(seed): pooled([extrapolate([run for run in f["runs"] if run["subset_seed"]
                                        in (None, seed)], "pairs", all_pairs)[1]
                           for f in folds])
        for seed in seeds}
    return summary


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data")
    parser.add_argument("--keep", type=float, nargs="+", default=[2 / 3],
                        help="fractions of a fold's documents and backgrounds to train on, "
                             "besides all of them (default: 2/3)")
    parser.add_argument("--subset-seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--folds", type=int, nargs="*", default=[0, 1, 2])
    parser.add_argument("--out", default="learning_curve.json")
    parser.add_argument("--from-json", metavar="FILE",
                        help="summarise the runs saved in FILE again instead of training")
    parser.add_argument("--add-to", metavar="FILE",
                        help="train only the subsets of --subset-seeds and add them to the "
                             "runs saved in FILE, whose whole-fold runs they reuse")
    args = parser.parse_args(argv)
    if args.from_json and args.add_to:
        parser.error("--from-json and --add-to exclude each other")
    command = command_line("benchmarks/learning_curve.py", argv)
    saved = {}
    if args.from_json or args.add_to:
        with open(args.from_json or args.add_to) as handle:
            saved = json.load(handle)
        folds = saved["folds"]
        command = saved["command"] + ("; " + command if args.add_to else "")
        drawn = {run["subset_seed"] for fold in folds for run in fold["runs"]}
        if args.add_to and saved.get("recipe") != STACK_RECIPE:
            # Files from before the recipe was saved hold runs of the one-stage stack, and
            # those before 2026-12-06 runs without the restained pairs.
            parser.error(f"{args.add_to} holds runs of another recipe "
                         f"({' '.join(saved.get('recipe', ['unrecorded']))}), not "
                         f"{' '.join(STACK_RECIPE)}; its whole folds would not fit new "
                         "subsets")
        if args.add_to and drawn & set(args.subset_seeds):
            parser.error(f"{args.add_to} has subsets of seeds "
                         f"{sorted(drawn & set(args.subset_seeds))} already")
    if args.from_json and "all_pages" in saved:  # nothing to train: the counts suffice
        all_pairs, all_pages = saved["all_pairs"], saved["all_pages"]
    else:
        data = load_dataset(args.data)
        documents, backgrounds = infer_page_groups(data.noisy, data.clean)
        all_pairs = len(np.unique(documents)) * len(np.unique(backgrounds))
        all_pages = len(data.names)
    if not args.from_json:
        by_fold = {fold["fold"]: fold for fold in folds} if args.add_to else {}
        splits = CrossGroupKFold(3, random_state=0).split(documents, backgrounds)
        for fold, (train, test) in enumerate(splits):
            if fold not in args.folds:
                continue
            if fold in by_fold:
                by_fold[fold]["runs"] += run_fold(fold, train, test, data, documents,
                                                  backgrounds, args, whole=False)["runs"]
            elif args.add_to:
                raise SystemExit(f"{args.add_to} holds no runs of fold {fold}")
            else:
                by_fold[fold] = run_fold(fold, train, test, data, documents, backgrounds,
                                         args)
        folds = [by_fold[fold] for fold in sorted(by_fold)]
    summary = summarise(folds, all_pairs, all_pages)
    with open(args.out, "w") as handle:
        # Re-summarised runs keep the recipe they were saved with, or none if unrecorded.
        recipe = saved.get("recipe") if saved else STACK_RECIPE
        json.dump({"command": command, "recipe": recipe,
                   "all_pairs": all_pairs, "all_pages": all_pages, "folds": folds, **summary},
                  handle, indent=1)
    print(json.dumps(summary))
    return 0


def run_fold(fold, train, test, data, documents, backgrounds, args, whole=True):
    """Train the recipe on the fold's pages (unless not `whole`) and on its subsets.

    Each model is scored on the fold's test pages.
    """
    truth = [data.clean[i] for i in test]
    runs = []
    subsets = ([(1.0, None, train)] if whole else []) + [
        (keep, seed, subset_pages(train, documents, backgrounds, keep, seed))
        for keep in args.keep for seed in args.subset_seeds]
    # Restained pairs are drawn from each run's own pages, as the recipe draws them from
    # all the pages when it builds the bundled model.
    recipe = _train_options(build_parser().parse_args(
        ["train", "-", "--model", "-", "--quiet", *STACK_RECIPE]))
    for keep, seed, pages in subsets:
        started = time.perf_counter()
        model = _train_model(recipe, [data.noisy[i] for i in pages],
                             [data.clean[i] for i in pages])
        n_documents = len(np.unique(documents[pages]))
        n_backgrounds = len(np.unique(backgrounds[pages]))
        run = {"keep": keep, "subset_seed": seed, "pages": len(pages),
               "documents": n_documents, "backgrounds": n_backgrounds,
               "pairs": n_documents * n_backgrounds,
               "rmse": rmse(truth, [model.predict(data.noisy[i]) for i in test]),
               "level0_rmse": level0_rmse(model, [data.noisy[i] for i in test], truth),
               "seconds": round(time.perf_counter() - started)}
        print(json.dumps({"fold": fold, **run}), file=sys.stderr, flush=True)
        runs.append(run)
    return {"fold": fold, "test_pixels": sum(page.size for page in truth), "runs": runs}


if __name__ == "__main__":
    rerun_with_avx2_numpy_loops()
    raise SystemExit(main())
