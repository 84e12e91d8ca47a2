"""The ``dirtydocs`` command: train, clean, evaluate, submit and demo."""

import argparse
import os
import sys
import time
from functools import lru_cache
from pathlib import Path

import numpy as np

from ._version import __version__

PROGRAM = "dirtydocs"


class CommandError(Exception):
    """A problem the user can fix; printed as one line, exit status 1."""


# -- helpers ----------------------------------------------------------------------------

def _progress(iterable, *, total=None, desc=None, quiet=False):
    from tqdm import tqdm

    return tqdm(iterable, total=total, desc=desc, unit="page", disable=quiet or None,
                file=sys.stderr, leave=False)


def _load_model(path):
    from . import load, load_default

    return load_default() if path is None else load(path)


@lru_cache(maxsize=2)
def _worker_model(path):
    return _load_model(path)


def _clean_one(model_path, source, destination, threads):
    """Clean one file into one file; runs in a joblib worker.

    A destination named .tif gets every page of the source (a multi-page TIFF), cleaned
    and written one at a time; any other gets its one page.
    """
    from numba import config, set_num_threads

    from .io import TIFF_SUFFIXES, iter_pages, read_page, write_page, write_pages

    # NUMBA_NUM_THREADS (set by the user or the environment) is a hard ceiling.
    set_num_threads(max(1, min(threads, config.NUMBA_NUM_THREADS)))
    model = _worker_model(model_path)
    if Path(destination).suffix in TIFF_SUFFIXES:
        write_pages(destination, (model.predict(page) for page in iter_pages(source)))
    else:
        write_page(destination, model.predict(read_page(source)))
    return destination


def _check_inputs(inputs):
    """Fail before any output is written if an input is missing or not an image.

    Returns each input's number of pages.
    """
    from .io import check_page_file, count_pages

    for path in inputs:
        check_page_file(path)
    return [count_pages(path) for path in inputs]


def _destinations(inputs, page_counts, out_dir):
    """Where each input's cleaning goes: a PNG, or a TIFF for a multi-page TIFF.

    Raises CommandError before anything is written if two inputs would go to one file or
    a cleaned page would overwrite an input.
    """
    destinations = [out_dir / f"{path.stem}{'.tif' if pages > 1 else '.png'}"
                    for path, pages in zip(inputs, page_counts)]
    inputs_by_file = {path.resolve(): path for path in inputs}
    seen = {}
    for source, destination in zip(inputs, destinations):
        overwritten = inputs_by_file.get(destination.resolve())
        if overwritten is not None:
            raise CommandError(f"{source}: its cleaned copy would overwrite the input "
                               f"{overwritten}; choose another --out folder")
        if destination in seen:
            raise CommandError(
                f"{source} and {seen[destination]} would both be written to {destination}"
            )
        seen[destination] = source
    return destinations


def _parallel_pages(jobs):
    jobs = max(1, int(jobs))
    cores = os.cpu_count() or 1
    return jobs, max(1, cores // jobs)


# -- commands ---------------------------------------------------------------------------

def command_clean(args):
    from joblib import Parallel, delayed

    inputs = [Path(p) for p in args.inputs]
    page_counts = _check_inputs(inputs)
    out_dir = Path(args.out)
    destinations = _destinations(inputs, page_counts, out_dir)
    model_path = args.model
    _worker_model(model_path)  # a bad model fails here, before any output; kept for jobs=1
    jobs, threads = _parallel_pages(args.jobs)
    pairs = list(zip(map(str, inputs), map(str, destinations)))
    start = time.perf_counter()
    if jobs == 1:
        for source, destination in _progress(pairs, desc="cleaning", quiet=args.quiet):
            _clean_one(model_path, source, destination, threads)
    else:
        runner = Parallel(n_jobs=jobs, return_as="generator_unordered")
        tasks = (delayed(_clean_one)(model_path, s, d, threads) for s, d in pairs)
        for _ in _progress(runner(tasks), total=len(pairs), desc="cleaning", quiet=args.quiet):
            pass
    elapsed = time.perf_counter() - start
    if not args.quiet:
        files = f" of {len(inputs)} file(s)" if sum(page_counts) > len(inputs) else ""
        print(f"cleaned {sum(page_counts)} page(s){files} into {out_dir} in {elapsed:.1f} s",
              file=sys.stderr)
    return 0


# Options of `train` that shape one kind of model, and their defaults (the pixel model's
# come from its classes). An option given for a model it does not shape is refused
# rather than silently ignored.
STACK_OPTIONS = {"level1": "trees", "level1_maps": "in_sample", "mixed_into": "all"}
# Which levels of a stack learn from the pages mixed in (``--mixed-into``).
MIXED_INTO_CHOICES = ("level0", "all")
#: Share of the restained pairs whose ink is lifted for the second model of ``--ink-switch``
#: when that model learns from pages whose ink covers the paper (:func:`ink_switch_pairs`;
#: on the seven Kaggle backgrounds' folds, docs/results.md).
LIFTED_INK_SHARE = 0.5
CNN_LEVEL1_OPTIONS = {"cnn_epochs": 60, "cnn_seconds": None}
TREE_LEVEL1_OPTIONS = {"stages": "auto"}


def _pixel_model_defaults():
    from .models import DocumentDenoiser, PixelRegressor

    defaults = PixelRegressor().get_params()
    return {"n_estimators": defaults["n_estimators"], "num_leaves": defaults["num_leaves"],
            "learning_rate": defaults["learning_rate"],
            "max_samples": DocumentDenoiser().get_params()["max_samples"]}


def _option_name(dest):
    return "--" + dest.replace("_", "-")


def _train_options(args):
    """`args` with the unset options of the chosen model filled in by their defaults.

    Options of other models stay None, so a filled `args` passes again.

    Raises CommandError for an option the chosen model does not use: ``--max-samples``
    with ``--method stacked`` (a stack's levels keep their own budgets) or
    ``--cnn-epochs`` with a tree level 1, for example.
    """
    stacked = args.method == "stacked"
    cnn = stacked and args.level1 == "cnn"
    in_sample_trees = stacked and not cnn and args.level1_maps != "out_of_fold"
    groups = ((_pixel_model_defaults(), not stacked, "--method lightgbm or random_forest"),
              (STACK_OPTIONS, stacked, "--method stacked"),
              (CNN_LEVEL1_OPTIONS, cnn, "--method stacked --level1 cnn"),
              (TREE_LEVEL1_OPTIONS, in_sample_trees,
               "--method stacked --level1 trees --level1-maps in_sample"))
    chosen = f"--method {args.method}" + (f" --level1 {args.level1 or 'trees'}"
                                          if stacked else "")
    if args.ink_switch:
        if not args.restained:
            raise CommandError("--ink-switch needs --restained N: its second model learns "
                               "from restained pairs whose ink is lifted")
        if stacked and args.mixed_into == "level0":
            raise CommandError("--ink-switch trains each stack on all its pages; it does "
                               "not take --mixed-into level0")
    filled = argparse.Namespace(**vars(args))
    for defaults, applies, where in groups:
        given = [dest for dest in defaults if getattr(args, dest) is not None]
        if given and not applies:
            verb = "is" if len(given) == 1 else "are"
            raise CommandError(f"{', '.join(map(_option_name, given))} {verb} for {where}, "
                               f"not {chosen}")
        for dest, default in defaults.items():
            if applies and getattr(args, dest) is None:
                setattr(filled, dest, default)
    return filled


def _build_model(args, real_pages, extra_pages):
    """The model `train` fits; pages mixed in add their pixels on top of each budget.

    A stack's level 1 learns from them too, and its budget grows with them, unless
    ``--mixed-into level0`` (:func:`_fit_model`).
    """
    from .models import (ContextDenoiser, DocumentDenoiser, PixelRegressor, StackedDenoiser,
                         mixed_sample_budget)
    from .models.stack import default_level0
    from .nn import SmallCNN

    args = _train_options(args)
    if args.method == "stacked":
        level0 = default_level0(real_pages, extra_pages) if extra_pages else None
        if args.level1 == "trees":
            level1 = ContextDenoiser()
            if args.mixed_into == "all":
                level1.set_params(max_samples=mixed_sample_budget(
                    level1.max_samples, real_pages, extra_pages))
        else:
            level1 = SmallCNN(max_epochs=args.cnn_epochs, max_seconds=args.cnn_seconds)
        return StackedDenoiser(level0=level0, level1=level1, level1_maps=args.level1_maps,
                               n_stages="auto" if args.stages is None else args.stages,
                               random_state=args.seed, verbose=not args.quiet)
    regressor = PixelRegressor(method=args.method, n_estimators=args.n_estimators,
                               num_leaves=args.num_leaves, learning_rate=args.learning_rate)
    return DocumentDenoiser(
        regressor=regressor,
        max_samples=mixed_sample_budget(args.max_samples, real_pages, extra_pages),
        random_state=args.seed, verbose=not args.quiet)


def _fit_model(model, real_pairs, extra_pairs, mixed_into, groups=None):
    """Fit `model` on the real page pairs and the ones mixed in, as `train` does.

    A stack's level 0 learns from both, and so does its level 1 unless `mixed_into` is
    ``"level0"``: then from the real pairs alone (``StackedDenoiser.fit(mixed_in=...)``). `groups`,
    the ``(documents, backgrounds)`` of all the pages, goes to a stack's ``fit``, which
    infers them when it needs them and is given none.
    """
    from .models import StackedDenoiser

    noisy = list(real_pairs[0]) + list(extra_pairs[0])
    clean = list(real_pairs[1]) + list(extra_pairs[1])
    if isinstance(model, StackedDenoiser):
        mixed_in = None
        if mixed_into == "level0":
            mixed_in = [False] * len(real_pairs[0]) + [True] * len(extra_pairs[0])
        return model.fit(noisy, clean, groups=groups, mixed_in=mixed_in)
    return model.fit(noisy, clean)


def _train_model(args, noisy_pages, clean_pages, source="the given pages"):
    """Build the model `args` describe and fit it on the pairs and those it mixes in.

    `args` are ``train``'s, filled by :func:`_train_options`. ``--restained`` and
    ``--synthetic`` pairs are drawn with ``--seed``, so the same pages and arguments give
    the same model (the bundled recipe's script and the learning curve rely on it). With
    ``--ink-switch``, an :class:`InkSwitch` holds a model for each kind of ink
    (:func:`_train_ink_switch`).
    """
    extra_noisy, extra_clean = [], []
    if args.restained and not args.ink_switch:  # the switch draws them for each kind
        from .synth import restain_pages

        restained = restain_pages(noisy_pages, clean_pages, args.restained,
                                  random_state=args.seed)
        extra_noisy += restained[0]
        extra_clean += restained[1]
    if args.synthetic:
        from .synth import make_synthetic_training_pages

        synthetic = make_synthetic_training_pages(args.synthetic, random_state=args.seed)
        extra_noisy += synthetic[0]
        extra_clean += synthetic[1]
    if not args.quiet:
        extras = [f"{count} {kind} pairs" for count, kind in
                  ((args.restained, "restained"), (args.synthetic, "synthetic")) if count]
        print(f"training on {len(noisy_pages)} page pairs from {source}"
              + "".join(f" and {extra}" for extra in extras), file=sys.stderr)
        if extras:
            print("the mixed-in pairs are sampled on top of the pixel budget, at the rate "
                  "of the real pages", file=sys.stderr)
    if args.ink_switch:
        return _train_ink_switch(args, noisy_pages, clean_pages, (extra_noisy, extra_clean))
    model = _build_model(args, noisy_pages, extra_noisy)
    return _fit_model(model, (noisy_pages, clean_pages), (extra_noisy, extra_clean),
                      args.mixed_into)


def ink_switch_pairs(switch, noisy_pages, clean_pages, n_pairs, random_state):
    """Each denoiser's real pages and restained pairs, as ``train --ink-switch`` draws them.

    Each kind's pairs are drawn from the real pages it learns from
    (``switch.training_pages_for``); they keep their pages' lift (``restain_pages``'s
    `keep_ink_response`). Only when the model of lifted ink learns from pages whose ink
    covers the paper (none of the pages is lifted, or ``training_pages="all"``) is the
    ink of a share ``LIFTED_INK_SHARE`` of its pairs lifted.

    Returns
    -------
    pages, pairs, lifted_share : dict
        Keyed by ``"covered"`` and ``"lifted"``: the indices of the real pages, the
        ``(noisy, clean)`` restained pairs, and the share of drawn lifts.
    """
    from .synth import restain_pages

    pages = switch.training_pages_for(noisy_pages)
    draws_lifts = any(switch.route(noisy_pages[i]) == "covered" for i in pages["lifted"])
    lifted_share = {"covered": 0.0, "lifted": LIFTED_INK_SHARE if draws_lifts else 0.0}
    pairs = {kind: restain_pages([noisy_pages[i] for i in pages[kind]],
                                 [clean_pages[i] for i in pages[kind]], n_pairs,
                                 random_state=random_state, lifted_ink=lifted_share[kind])
             for kind in ("covered", "lifted")}
    return pages, pairs, lifted_share


def _train_ink_switch(args, noisy_pages, clean_pages, synthetic):
    """An :class:`InkSwitch` of two of the models `args` describe (see :func:`_train_model`).

    Each learns from the real pages of its kind of ink and from ``--restained`` pairs drawn
    from them (:func:`ink_switch_pairs`); then from the `synthetic` pairs, if any.
    """
    from .models import InkSwitch

    switch = InkSwitch()
    real_pages, restained, lifted_share = ink_switch_pairs(
        switch, noisy_pages, clean_pages, args.restained, args.seed)
    models, extras = {}, {}
    for kind in ("covered", "lifted"):
        noisy = [noisy_pages[i] for i in real_pages[kind]]
        extras[kind] = (restained[kind][0] + synthetic[0], restained[kind][1] + synthetic[1])
        models[kind] = _build_model(args, noisy, extras[kind][0])
    if not args.quiet:
        lifts = (f", the ink of {lifted_share['lifted']:.0%} of the second's lifted"
                 if lifted_share["lifted"] else "")
        print(f"one model for the {len(real_pages['covered'])} pages whose ink covers its "
              f"paper, another for the {len(real_pages['lifted'])} whose ink is lifted where "
              f"the paper is dark; each with {args.restained} restained pairs of its "
              f"pages{lifts}", file=sys.stderr)
    switch.set_params(covered=models["covered"], lifted=models["lifted"])
    return switch.fit(noisy_pages, clean_pages, covered_extra=extras["covered"],
                      lifted_extra=extras["lifted"])


def command_train(args):
    from .io import load_dataset
    from .persist import save

    args = _train_options(args)  # a misplaced option fails before the data are read
    data = load_dataset(args.data_dir)
    start = time.perf_counter()
    model = _train_model(args, data.noisy, data.clean, source=args.data_dir)
    save(model, args.model)
    if not args.quiet:
        print(f"saved {args.model} after {time.perf_counter() - start:.0f} s", file=sys.stderr)
    return 0


def command_evaluate(args):
    from .io import load_dataset
    from .metrics import rmse
    from .models import cross_validate_pages

    if args.ocr:
        from .ocr import OCRUnavailable, check_ocr_available

        try:
            check_ocr_available()
        except OCRUnavailable as error:
            raise CommandError(str(error)) from None
    data = load_dataset(args.data_dir)
    model = _load_model(args.model)
    cleaned_pages = []
    print("page,rmse_noisy,rmse_cleaned")
    for name, noisy, clean in _progress(zip(data.names, data.noisy, data.clean),
                                        total=len(data.names), desc="evaluating",
                                        quiet=args.quiet):
        cleaned_pages.append(model.predict(noisy))
        print(f"{name},{rmse(clean, noisy):.5f},{rmse(clean, cleaned_pages[-1]):.5f}")
    print(f"overall,{rmse(data.clean, data.noisy):.5f},{rmse(data.clean, cleaned_pages):.5f}")
    if args.ocr:
        _report_ocr(data, cleaned_pages, quiet=args.quiet)
    if args.cv:
        from sklearn.base import clone

        from .models import InkSwitch

        if isinstance(model, InkSwitch):
            # Refitted on the real pages alone, without the restained pairs that set its
            # two models apart, a switch would train the same model twice.
            model = model.covered_
            if not args.quiet:
                print("the model is an ink switch; --cv refits its model for covering ink "
                      "on the pages alone, without restained pairs", file=sys.stderr)
        fresh = clone(model)
        result = cross_validate_pages(fresh, data.noisy, data.clean, n_splits=args.cv,
                                      random_state=args.seed)
        folds = " ".join(f"{value:.5f}" for value in result["fold_rmse"])
        print(f"cross-group {args.cv}-fold RMSE {result['rmse']:.5f} (folds: {folds}; "
              f"train pages {result['n_train']}, test pages {result['n_test']})")
    return 0


def _report_ocr(data, cleaned_pages, *, quiet):
    from .ocr import character_errors, read_text

    print("page,cer_noisy,cer_cleaned,reference_characters")
    totals = np.zeros(3, np.int64)
    for name, noisy, clean, cleaned in _progress(
            zip(data.names, data.noisy, data.clean, cleaned_pages), total=len(data.names),
            desc="OCR", quiet=quiet):
        reference = read_text(clean)
        errors = [character_errors(reference, read_text(page)) for page in (noisy, cleaned)]
        totals += [errors[0], errors[1], len(reference)]
        size = max(len(reference), 1)
        print(f"{name},{errors[0] / size:.4f},{errors[1] / size:.4f},{len(reference)}")
    size = max(int(totals[2]), 1)
    print(f"overall,{totals[0] / size:.4f},{totals[1] / size:.4f},{int(totals[2])}")


def command_submit(args):
    from .io import list_pages, read_page, write_submission

    paths = list_pages(args.test_dir)
    if not paths:
        raise CommandError(f"{args.test_dir}: holds no image files")
    _check_inputs(paths)
    model = _load_model(args.model)
    pages = ((path.stem, model.predict(read_page(path)))
             for path in _progress(paths, desc="cleaning", quiet=args.quiet))
    rows = write_submission(args.out, pages)
    if not args.quiet:
        print(f"wrote {rows} rows for {len(paths)} pages to {args.out}", file=sys.stderr)
    return 0


def command_demo(args):
    from .io import write_page
    from .metrics import rmse
    from .synth import make_page

    noisy, clean = make_page((420, 540), random_state=args.seed)
    model = _load_model(args.model)
    start = time.perf_counter()
    cleaned = model.predict(noisy)
    elapsed = time.perf_counter() - start
    out_dir = Path(args.out)
    for name, page in (("noisy", noisy), ("cleaned", cleaned), ("truth", clean)):
        write_page(out_dir / f"demo_{name}.png", page)
    print(f"synthetic 540x420 page: RMSE {rmse(clean, noisy):.4f} noisy -> "
          f"{rmse(clean, cleaned):.4f} cleaned in {elapsed:.2f} s; "
          f"images in {out_dir}/demo_*.png")
    return 0


# -- parser -----------------------------------------------------------------------------

def build_parser():
    parser = argparse.ArgumentParser(
        prog=PROGRAM, description="Clean scanned document pages for reading and OCR.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name, help_text, function):
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(function=function)
        sub.add_argument("-q", "--quiet", action="store_true", help="no progress output")
        return sub

    clean = add("clean", "clean page images, each on its own", command_clean)
    clean.add_argument("inputs", nargs="+", metavar="INPUT",
                       help="image files (PNG, JPEG, TIFF, BMP); every page of a multi-page "
                            "TIFF is cleaned")
    clean.add_argument("--out", required=True,
                       help="folder for the cleaned pages: NAME.png for each input, NAME.tif "
                            "for a multi-page TIFF")
    clean.add_argument("--model", help="model file (default: the bundled model)")
    clean.add_argument("--jobs", type=int, default=1, help="files cleaned in parallel")

    train = add("train", "train a model on a folder with train/ and train_cleaned/",
                command_train)
    train.add_argument("data_dir", metavar="DATA_DIR")
    train.add_argument("--model", required=True, help="where to save the model")
    train.add_argument("--method", choices=("lightgbm", "random_forest", "stacked"),
                       default="lightgbm",
                       help="a pixel regressor, or the stack of two of them and a level 1")
    defaults = _pixel_model_defaults()
    pixel_only = " (--method lightgbm or random_forest; default: {})"
    train.add_argument("--n-estimators", type=int,
                       help="boosting rounds or trees" + pixel_only.format(
                           defaults["n_estimators"]))
    train.add_argument("--num-leaves", type=int,
                       help="leaves per tree" + pixel_only.format(defaults["num_leaves"]))
    train.add_argument("--learning-rate", type=float,
                       help="boosting's shrinkage" + pixel_only.format(
                           defaults["learning_rate"]))
    train.add_argument("--max-samples", type=int,
                       help="training pixels drawn across the pages of DATA_DIR; pages mixed "
                            "in with --synthetic or --restained add theirs on top"
                            + pixel_only.format(defaults["max_samples"]))
    train.add_argument("--synthetic", type=int, default=0, metavar="N",
                       help="mix N synthetic page pairs (rendered text, synthetic stains) "
                            "into the training pages")
    train.add_argument("--restained", type=int, default=0, metavar="N",
                       help="mix in N pairs made of the training pages' own ink on new "
                            "synthetic paper (dirtydocs.synth.restain_pages)")
    train.add_argument("--ink-switch", action="store_true",
                       help="train a model for each kind of ink, each on the pages of its "
                            "kind and restained pairs of them (for pages whose ink is "
                            "lighter where the paper is dark, the ink of "
                            f"{LIFTED_INK_SHARE * 100:.0f}%% of the pairs lifted so), and "
                            "clean each page with the model its ink calls for "
                            "(dirtydocs.InkSwitch); needs --restained")
    train.add_argument("--mixed-into", choices=MIXED_INTO_CHOICES,
                       help="which levels of a stack learn from the pages mixed in: all "
                            "(better on stains none of the pages has) or level 0 alone "
                            "(level 1 learns to correct it on the real pages' stains); "
                            "default: " + STACK_OPTIONS["mixed_into"])
    train.add_argument("--level1", choices=("trees", "cnn"),
                       help="the stack's level 1: trees over the features and the level-0 "
                            "maps (ContextDenoiser), or a CNN that corrects the first map; "
                            "default: " + STACK_OPTIONS["level1"])
    train.add_argument("--level1-maps", choices=("in_sample", "out_of_fold"),
                       help="which level-0 maps of the training pages level 1 learns from; "
                            "default: " + STACK_OPTIONS["level1_maps"])
    train.add_argument("--stages", type=int, metavar="N",
                       help="auto-context stages of a tree level 1 on in-sample maps, each "
                            "reading the last one's output; default: 2 (auto)")
    train.add_argument("--cnn-epochs", type=int,
                       help="most epochs (1024 patches each) of the stack's CNN; default: "
                            f"{CNN_LEVEL1_OPTIONS['cnn_epochs']}")
    train.add_argument("--cnn-seconds", type=float,
                       help="also stop the stack's CNN after this time (the model then "
                            "depends on the machine's speed); default: no limit")
    train.add_argument("--seed", type=int, default=0)

    evaluate = add("evaluate", "RMSE of a model on a folder with train/ and train_cleaned/",
                   command_evaluate)
    evaluate.add_argument("data_dir", metavar="DATA_DIR")
    evaluate.add_argument("--model", help="model file (default: the bundled model)")
    evaluate.add_argument("--cv", type=int, default=0, metavar="K",
                          help="also refit the model's recipe on K cross-group folds")
    evaluate.add_argument("--seed", type=int, default=0)
    evaluate.add_argument("--ocr", action="store_true",
                          help="also report tesseract's character error rate on noisy and "
                               "cleaned pages (reference: its reading of the clean page)")

    submit = add("submit", "write a Kaggle submission CSV for a folder of test pages",
                 command_submit)
    submit.add_argument("test_dir", metavar="TEST_DIR")
    submit.add_argument("--out", required=True, help="CSV file to write")
    submit.add_argument("--model", help="model file (default: the bundled model)")

    demo = add("demo", "clean a synthetic sample page with the bundled model", command_demo)
    demo.add_argument("--out", default="dirtydocs-demo", help="folder for the images")
    demo.add_argument("--model", help="model file (default: the bundled model)")
    demo.add_argument("--seed", type=int, default=0, help="which synthetic page")
    return parser


def main(argv=None):
    """Run the command line; returns the exit status."""
    from .persist import ModelFileError

    args = build_parser().parse_args(argv)
    try:
        return args.function(args)
    except (CommandError, ModelFileError, FileNotFoundError, ValueError, OSError) as error:
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        print(f"{PROGRAM}: error: {message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{PROGRAM}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
