"""Does mixing synthetic pages into training help on unseen stain backgrounds?

    python benchmarks/synthetic_mix.py ../shared/data/ddd --synthetic 72

Cross-group 3-fold CV (the folds of ``dirtydocs evaluate --cv 3``) of the bundled pixel
recipe, trained on each fold's Kaggle pages alone and again with N synthetic pairs
(``dirtydocs.synth.make_synthetic_training_pages``) added to every training fold. Test
folds are Kaggle pages only, with documents and stain backgrounds absent from training.
"""

import argparse
import json

from dirtydocs import DocumentDenoiser, rmse
from dirtydocs.io import load_dataset
from dirtydocs.models.selection import CrossGroupKFold, infer_page_groups
from dirtydocs.synth import make_synthetic_training_pages


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data")
    parser.add_argument("--synthetic", type=int, default=72, metavar="N")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="synthetic_mix.json")
    args = parser.parse_args(argv)
    data = load_dataset(args.data)
    documents, backgrounds = infer_page_groups(data.noisy, data.clean)
    extra_noisy, extra_clean = make_synthetic_training_pages(args.synthetic, random_state=1)
    variants = {"kaggle pages only": ([], []),
                f"plus {args.synthetic} synthetic pages": (extra_noisy, extra_clean)}
    truth, cleaned = [], {name: [] for name in variants}
    folds = []
    for train, test in CrossGroupKFold(3, random_state=0).split(documents, backgrounds):
        truth += [data.clean[i] for i in test]
        scores = {}
        for name, (noisy_extra, clean_extra) in variants.items():
            model = DocumentDenoiser(random_state=args.seed).fit(
                [data.noisy[i] for i in train] + noisy_extra,
                [data.clean[i] for i in train] + clean_extra)
            pages = model.predict([data.noisy[i] for i in test])
            cleaned[name] += pages
            scores[name] = rmse([data.clean[i] for i in test], pages)
        folds.append(scores)
        print(json.dumps(scores), flush=True)
    result = {"folds": folds, "rmse": {name: rmse(truth, pages) for name, pages in cleaned.items()}}
    print(json.dumps(result["rmse"], indent=1))
    with open(args.out, "w") as handle:
        json.dump(result, handle, indent=1)


if __name__ == "__main__":
    main()
