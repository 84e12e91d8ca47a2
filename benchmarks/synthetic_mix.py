"""Does mixing synthetic pages into training help on unseen stain backgrounds?

    python benchmarks/synthetic_mix.py ../shared/data/ddd --synthetic 72

Cross-group 3-fold CV (the folds of ``dirtydocs evaluate --cv 3``) of a pixel recipe
(``--model pixel``, the default: the LightGBM bundled before the stack) or of the bundled
stack's recipe (``--model stack``), trained on each fold's Kaggle pages alone, and again
with N synthetic pairs added to every training fold, of two kinds:

- *rendered*: :func:`dirtydocs.synth.make_synthetic_training_pages`, text drawn in a font
  and degraded, all synthetic;
- *restained*: :func:`dirtydocs.synth.restain_pages` on the fold's training pages, their
  real ink on new synthetic paper.

Mixed-in pages come on top of the real pages' pixel budgets
(:func:`dirtydocs.models.mixed_sample_budget`, as ``dirtydocs train`` does), so every
variant samples the Kaggle pages at the same rate. A stack's level 1 learns from the Kaggle
pages alone, as ``dirtydocs train`` has it do by default; ``--mixed-into all`` has it learn
from the mixed-in pages too (and tops up its budget for them), as it did before 2026-11-24.
Each model is scored on two sets of test pages, both with documents absent from training:

- *kaggle stains*: the test fold's Kaggle pages, whose stain backgrounds are absent too;
- *new stains*: the same pages' ink on synthetic paper that no training page had (paper
  drawn with a seed the training pages never use), the stains a user's scan may have and
  the Kaggle pages lack.
"""

import argparse
import json

from dirtydocs import DocumentDenoiser, rmse
from dirtydocs.cli import MIXED_INTO_CHOICES, _build_model, _fit_model, build_parser
from dirtydocs.io import load_dataset
from dirtydocs.models import mixed_sample_budget
from dirtydocs.models.selection import CrossGroupKFold, infer_page_groups
from dirtydocs.synth import make_synthetic_training_pages, restain_pages

try:  # imported as part of the benchmarks package, as asv does
    from ._common import command_line, pooled_rmse, rerun_with_avx2_numpy_loops
    from .train_default_model import RECIPE
except ImportError:  # run as a script: benchmarks/ is on the path
    from _common import command_line, pooled_rmse, rerun_with_avx2_numpy_loops
    from train_default_model import RECIPE

NEW_STAIN_SEED = 12345
MAX_SAMPLES = 8_000_000  # the bundled recipe's budget for the Kaggle pages
VARIANTS = ("kaggle", "rendered", "restained")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data")
    parser.add_argument("--synthetic", type=int, default=72, metavar="N")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--folds", type=int, nargs="*", default=None,
                        help="which of the 3 folds to run (default: all)")
    parser.add_argument("--variants", nargs="+", choices=VARIANTS, default=list(VARIANTS),
                        help="which trainings to run (default: all three)")
    parser.add_argument("--model", choices=("pixel", "stack"), default="pixel",
                        help="the pixel recipe (default) or the bundled stack's")
    parser.add_argument("--mixed-into", choices=MIXED_INTO_CHOICES, default="level0",
                        help="which of the stack's levels learn from the mixed-in pages "
                             "(default level0, as in the saved runs, not train's all)")
    parser.add_argument("--out", default="synthetic_mix.json")
    args = parser.parse_args(argv)
    data = load_dataset(args.data)
    documents, backgrounds = infer_page_groups(data.noisy, data.clean)
    rendered = (make_synthetic_training_pages(args.synthetic, random_state=1)
                if "rendered" in args.variants else None)
    folds = []
    for fold, (train, test) in enumerate(CrossGroupKFold(3, random_state=0)
                                         .split(documents, backgrounds)):
        if args.folds is not None and fold not in args.folds:
            if fold > max(args.folds):
                break
            continue
        train_noisy = [data.noisy[i] for i in train]
        train_clean = [data.clean[i] for i in train]
        test_noisy = [data.noisy[i] for i in test]
        test_clean = [data.clean[i] for i in test]
        test_sets = {"kaggle stains": (test_noisy, test_clean),
                     "new stains": restain_pages(test_noisy, test_clean, len(test),
                                                 random_state=NEW_STAIN_SEED)}
        variants = {}
        if "kaggle" in args.variants:
            variants["kaggle pages only"] = ([], [])
        if "rendered" in args.variants:
            variants[f"plus {args.synthetic} rendered pages"] = rendered
        if "restained" in args.variants:
            variants[f"plus {args.synthetic} restained pages"] = restain_pages(
                train_noisy, train_clean, args.synthetic, random_state=1)
        scores = {"fold": fold, "n_pixels": sum(page.size for page in test_clean)}
        for name, (extra_noisy, extra_clean) in variants.items():
            if args.model == "stack":
                model = _build_model(build_parser().parse_args(  # the last --seed counts
                    ["train", "-", "--model", "-", "--quiet", *RECIPE, "--seed", str(args.seed),
                     "--mixed-into", args.mixed_into]),
                    train_noisy, list(extra_noisy))
            else:
                model = DocumentDenoiser(random_state=args.seed, max_samples=mixed_sample_budget(
                    MAX_SAMPLES, train_noisy, extra_noisy))
            _fit_model(model, (train_noisy, train_clean), (extra_noisy, extra_clean),
                       args.mixed_into)
            scores[name] = {
                test_name: {"noisy": rmse(truth, noisy),
                            "cleaned": rmse(truth, model.predict(noisy))}
                for test_name, (noisy, truth) in test_sets.items()}
            print(json.dumps({"fold": fold, name: scores[name]}), flush=True)
        folds.append(scores)
    result = {"command": command_line("benchmarks/synthetic_mix.py", argv),
              "folds": folds, "pooled": _pooled(folds)}
    print(json.dumps(result["pooled"], indent=1))
    with open(args.out, "w") as handle:
        json.dump(result, handle, indent=1)


def _pooled(folds):
    """RMSE over all folds' test pixels, from each fold's RMSE and pixel count."""
    pixels = [f["n_pixels"] for f in folds]
    return {name: {test_name: {column: pooled_rmse([f[name][test_name][column] for f in folds],
                                                   pixels)
                               for column in ("noisy", "cleaned")}
                   for test_name in folds[0][name]}
            for name in folds[0] if name not in ("fold", "n_pixels")}


if __name__ == "__main__":
    rerun_with_avx2_numpy_loops()
    main()
