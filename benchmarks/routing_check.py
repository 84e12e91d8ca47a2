"""How well :func:`dirtydocs.features.ink_paper_slope` tells lifted ink from covering ink.

An :class:`~dirtydocs.InkSwitch` sends a page to its lifted-ink denoiser when the page's
slope is below its ``threshold`` (by default -0.3). This script prints the slopes of the
Kaggle training pages by stain background, then restains the Kaggle pages whose ink
covers its paper (``restain_pages``) with and without lifted ink, and with coffee rings
never, at their usual rate, or on every page, and counts the pages sent the wrong way::

    python benchmarks/routing_check.py ../shared/data/ddd --pages 200

A few minutes on 2 cores for 200 pages a set.
"""

import argparse

import numpy as np

from dirtydocs import InkSwitch
from dirtydocs.features import ink_paper_slope
from dirtydocs.io import load_dataset
from dirtydocs.models.selection import infer_page_groups
from dirtydocs.synth import DEGRADATIONS, restain_pages

THRESHOLD = InkSwitch().threshold
RING_RATES = {"never": 0.0, "usual": DEGRADATIONS["coffee_rings"], "always": 1.0}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", help="the Kaggle data folder (train/ and train_cleaned/)")
    parser.add_argument("--pages", type=int, default=200, help="restained pages a set")
    parser.add_argument("--seed", type=int, default=23)
    args = parser.parse_args(argv)

    data = load_dataset(args.data)
    _, backgrounds = infer_page_groups(data.noisy, data.clean)
    backgrounds = np.asarray(backgrounds)
    slopes = np.array([ink_paper_slope(page) for page in data.noisy])
    print("Kaggle training pages: ink-paper slope by stain background (min / median / max)")
    for background in np.unique(backgrounds):
        own = slopes[backgrounds == background]
        print(f"  background {background}: {own.min():6.2f} {np.median(own):6.2f} "
              f"{own.max():6.2f}  ({np.sum(own < THRESHOLD)} of {own.size} routed lifted)")

    covering = np.flatnonzero(slopes >= THRESHOLD)
    noisy = [data.noisy[i] for i in covering]
    clean = [data.clean[i] for i in covering]
    print(f"\nRestained from the {covering.size} pages with covering ink, {args.pages} a set "
          f"(seed {args.seed}): pages routed the wrong way, and the slope nearest the wrong side")
    for rings, rate in RING_RATES.items():
        for lifted in (0.0, 1.0):
            pages, _ = restain_pages(noisy, clean, args.pages, random_state=args.seed,
                                     degradations={"coffee_rings": rate}, lifted_ink=lifted)
            page_slopes = np.array([ink_paper_slope(page) for page in pages])
            if lifted:
                wrong, nearest = page_slopes >= THRESHOLD, page_slopes.max()
            else:
                wrong, nearest = page_slopes < THRESHOLD, page_slopes.min()
            kind = "lifted ink  " if lifted else "covering ink"
            print(f"  {kind}, rings {rings:6s}: {wrong.sum():3d} of {args.pages} wrong, "
                  f"nearest {nearest:5.2f}", flush=True)


if __name__ == "__main__":
    main()
