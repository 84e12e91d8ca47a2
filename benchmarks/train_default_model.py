"""Rebuild the bundled model, ``dirtydocs/data/default_model.ddm``, from its recipe.

    python benchmarks/train_default_model.py ../shared/data/ddd

The recipe is a fixed command line with a fixed seed and no time limits, so the same data
gives the same model file bit for bit: the LightGBM pixel denoiser with every setting
spelled out, so that a change of the command line's defaults cannot change the bundled
model unseen. (The stack ties it on cross-group validation at ten times the cost, see
``docs/results.md``, so it is not bundled.) LightGBM is deterministic for a given thread
count, and its trees came out identical in repeated runs on the 2-core reference machine.
The script prints the file's SHA-256 so that two builds can be compared.
"""

import argparse
import hashlib
from pathlib import Path

from dirtydocs.cli import main as dirtydocs_main

RECIPE = ["--method", "lightgbm", "--n-estimators", "200", "--num-leaves", "127",
          "--learning-rate", "0.1", "--max-samples", "8000000", "--seed", "0"]


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
