"""Before/after figure of real pages: noisy crops above, the same crops cleaned below.

    python benchmarks/before_after.py ../shared/data/ddd/test --out docs/before_after.png

Uses the bundled model unless ``--model`` names another; crops are taken from the same
place of each page, at full resolution (no resizing), and laid side by side.
"""

import argparse

import numpy as np

from dirtydocs import load, load_default, read_page, write_page
from dirtydocs.io import list_pages


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder")
    parser.add_argument("--model")
    parser.add_argument("--pages", type=int, default=3)
    parser.add_argument("--crop", type=int, nargs=2, default=(200, 300), metavar=("ROWS", "COLS"))
    parser.add_argument("--out", default="before_after.png")
    args = parser.parse_args(argv)
    model = load(args.model) if args.model else load_default()
    paths = list_pages(args.folder)
    chosen = [paths[i] for i in np.linspace(0, len(paths) - 1, args.pages).astype(int)]
    rows, cols = args.crop
    before, after = [], []
    for path in chosen:
        page = read_page(path)
        top, left = (page.shape[0] - rows) // 2, (page.shape[1] - cols) // 2
        window = (slice(max(top, 0), max(top, 0) + rows), slice(max(left, 0), max(left, 0) + cols))
        before.append(page[window])
        after.append(model.predict(page)[window])
    gap = np.full((rows, 6), 0.5, np.float32)  # grey, so white paper does not merge
    line = lambda crops: np.hstack(sum(([c, gap] for c in crops), [])[:-1])  # noqa: E731
    figure = np.vstack([line(before), np.full((6, line(before).shape[1]), 0.5, np.float32),
                        line(after)])
    write_page(args.out, figure)
    print(f"wrote {args.out} from {', '.join(p.name for p in chosen)}")


if __name__ == "__main__":
    main()
