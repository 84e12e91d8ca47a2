"""Rebuild the bundled model, ``dirtydocs/data/default_model.ddm``, from its recipe.

    python benchmarks/train_default_model.py ../shared/data/ddd

The recipe is a fixed command line with a fixed seed and no time limits, so the same data
gives the same model file bit for bit. The CNN's gradients are summed in a fixed order on
any number of cores. LightGBM is deterministic for a given thread count, and its trees
came out identical in repeated runs on the 2-core reference machine. The script prints
the file's SHA-256 so that two builds can be compared.
"""

import argparse
import hashlib
from pathlib import Path

from dirtydocs.cli import main as dirtydocs_main

RECIPE = ["--method", "stacked", "--cnn-epochs", "60", "--seed", "0"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", help="the Kaggle folder (train/ and train_cleaned/)")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parents[1]
                                             / "dirtydocs" / "data" / "default_model.ddm"))
    args = parser.parse_args(argv)
    status = dirtydocs_main(["train", args.data, "--model", args.out, *RECIPE])
    if status == 0:
        digest = hashlib.sha256(Path(args.out).read_bytes()).hexdigest()
        print(f"{args.out}: sha256 {digest}")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
