"""Rebuild the bundled model, ``dirtydocs/data/default_model.ddm``, from its recipe.

    python benchmarks/train_default_model.py ../shared/data/ddd

The recipe is a fixed command line with a fixed seed and no time limits, so the same data
gives the same model file bit for bit. The bundled model is the stack with a tree level
1 trained on in-sample level-0 maps (``docs/stack.md``): its level-0 models are
``dirtydocs.models.stack.default_level0()`` and its level 1 two stages of
``ContextDenoiser()`` (``StackedDenoiser(n_stages="auto")``), so a change to those
defaults changes the bundled model, and the tests of the stack see it. Since the seventh
build (2026-12-06) its level 0 also learns from 72 restained pairs (``MIXED_IN``: the
Kaggle pages' ink over new synthetic paper, ``dirtydocs.synth.restain_pages``), which
help on every fold of stain backgrounds the model has not seen (``docs/results.md``).
The eighth build (2026-12-06) is the same recipe with ``FeatureExtractor``'s grey closings,
which became a default of the features. Since the ninth build (2026-12-06) the two stages
learn from the restained pairs too (``--mixed-into all``), under which the stack beats its
LightGBM level 0 on every fold of the seven backgrounds (``docs/stack.md``). Since the
tenth build (2026-12-07) the file holds that stack twice (``INK_SWITCH``, a
``dirtydocs.InkSwitch``): as the ninth build, bit for bit, for pages whose ink covers its
paper, and trained again with the ink of half the restained pairs lifted where their paper
is dark, for pages whose ink is lifted so (``docs/results.md``, "Two kinds of ink"). The
eleventh build (2026-12-07) is the tenth's recipe on the synthetic coffee rings drawn since
then (broken arcs with thick, dark rims; ``docs/results.md``, "Coffee rings as cups leave
them"), which change its restained pairs. In the twelfth build (2026-12-07) each stack
learns from the real pages of its own kind of ink and from restained pairs drawn from those
pages alone (``InkSwitch(training_pages="own_kind")``, the way ``train --ink-switch`` has
trained since then; ``docs/results.md``, "Each kind of ink from its own pages"): 72 real
pages each. In the thirteenth build (2026-12-08) the restained pairs of lifted-ink pages
keep their page's lift on the new paper, and none has a lift drawn on top
(``restain_pages``'s ``keep_ink_response``; ``docs/results.md``, "Lifted ink keeps its
lift on new paper"). It takes about half an hour and 12.4 GB on the 2-core reference machine (one
stack at a time).
LightGBM is deterministic for a given thread count, and its trees came out identical in
repeated runs on the 2-core reference machine; the sixth build (2026-12-06) came out the
same bit for bit on 2-core machines of two CPU generations (first-generation Zen and
Zen 3), and the ninth build twice on the Zen 3; the tenth build's second stack came out
the same when trained again on its own. The script prints the file's SHA-256 so
that two builds can be compared. It runs itself again with numpy's AVX-512 loops off where
numpy has them (``_common.rerun_with_avx2_numpy_loops``): they round the last bits of the
restained pairs' paper differently from numpy's AVX2 loops, which every build from the
seventh on was made with; so pinned, the tenth build came out the same bit for bit on a Zen 5
(2026-12-07).

``--lightgbm`` builds the single LightGBM that was bundled until 2026-11-24 instead, on
today's features (``LIGHTGBM_RECIPE``, every setting spelled out); the quality table
scores it beside the stack as one model of about the stack's size.
"""

import argparse
import hashlib
from pathlib import Path

from dirtydocs.cli import main as dirtydocs_main

try:  # imported as part of the benchmarks package, as asv does
    from ._common import rerun_with_avx2_numpy_loops
except ImportError:  # run as a script: benchmarks/ is on the path
    from _common import rerun_with_avx2_numpy_loops

RECIPE = ["--method", "stacked", "--level1", "trees", "--level1-maps", "in_sample",
          "--stages", "2", "--seed", "0"]
# Restained pairs (dirtydocs.synth.restain_pages, drawn with the recipe's seed) that every
# level learns from beside the real pages (spelled out, though train's default, so that a
# change of default does not change the bundled model); the benchmarks that refit RECIPE
# on cross-validation folds mix in their own fold's restained pairs, or none.
MIXED_IN = ["--restained", "72", "--mixed-into", "all"]
# The recipe of each of the bundled model's two stacks, as the benchmarks that refit it per
# fold refer to it (the learning curve; the quality table spells it out in its options).
STACK_RECIPE = RECIPE + MIXED_IN
# A stack for each kind of ink, each on the pages of its kind and pairs restained from
# them (keeping their pages' lift, dirtydocs.cli.ink_switch_pairs); each page goes to the
# stack its ink calls for (dirtydocs.InkSwitch).
INK_SWITCH = ["--ink-switch"]
# What the bundled model is trained with.
BUNDLED_RECIPE = STACK_RECIPE + INK_SWITCH
LIGHTGBM_RECIPE = ["--method", "lightgbm", "--n-estimators", "200", "--num-leaves", "127",
                   "--learning-rate", "0.1", "--max-samples", "8000000", "--seed", "0"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", help="the Kaggle folder (train/ and train_cleaned/)")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parents[1]
                                             / "dirtydocs" / "data" / "default_model.ddm"))
    parser.add_argument("--lightgbm", action="store_true",
                        help="build the single LightGBM bundled until 2026-11-24 instead")
    args = parser.parse_args(argv)
    recipe = LIGHTGBM_RECIPE if args.lightgbm else BUNDLED_RECIPE
    status = dirtydocs_main(["train", args.data, "--model", args.out, *recipe])
    if status == 0:
        digest = hashlib.sha256(Path(args.out).read_bytes()).hexdigest()
        print(f"{args.out}: sha256 {digest}")
    return status


if __name__ == "__main__":
    rerun_with_avx2_numpy_loops()
    raise SystemExit(main())
