import subprocess
import sys

import numpy as np
import pytest

from dirtydocs import (DocumentDenoiser, FeatureExtractor, PixelRegressor, load, read_page,
                       save)
from dirtydocs.cli import main
from dirtydocs.io import iter_pages, write_page, write_pages
from dirtydocs.synth import make_pages

from .conftest import two_kinds_pairs

SMALL = ["--n-estimators", "10", "--max-samples", "20000"]


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    """A Kaggle-layout folder of synthetic pages: four training pairs and two test pages."""
    root = tmp_path_factory.mktemp("data")
    noisy, clean = make_pages(6, shape=(64, 90), random_state=3)
    for index in range(4):
        write_page(root / "train" / f"{index + 1}.png", noisy[index])
        write_page(root / "train_cleaned" / f"{index + 1}.png", clean[index])
    for index in (4, 5):
        write_page(root / "test" / f"{index + 1}.png", noisy[index])
    return root


@pytest.fixture(scope="module")
def model_file(dataset, tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "m.ddm"
    assert main(["train", str(dataset), "--model", str(path), "-q", *SMALL]) == 0
    return path


def _one_line_error(capsys, *fragments):
    err = capsys.readouterr().err.strip()
    assert err.startswith("dirtydocs: error: ") and "\n" not in err, err
    for fragment in fragments:
        assert fragment in err, err


def test_clean_writes_one_png_per_input_at_the_same_size(dataset, model_file, tmp_path):
    inputs = [dataset / "test" / "5.png", dataset / "test" / "6.png"]
    out = tmp_path / "out"
    assert main(["clean", "--model", str(model_file), *map(str, inputs), "--out", str(out),
                 "-q"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["5.png", "6.png"]
    for source in inputs:
        assert read_page(out / source.name).shape == read_page(source).shape


def test_clean_in_parallel_gives_the_same_pages(dataset, model_file, tmp_path):
    inputs = [str(dataset / "test" / "5.png"), str(dataset / "test" / "6.png")]
    main(["clean", "--model", str(model_file), *inputs, "--out", str(tmp_path / "a"), "-q"])
    main(["clean", "--model", str(model_file), *inputs, "--out", str(tmp_path / "b"), "-q",
          "--jobs", "2"])
    for name in ("5.png", "6.png"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_clean_cleans_every_page_of_a_multi_page_tiff(dataset, model_file, tmp_path,
                                                    capsys):
    pages = [read_page(dataset / "test" / name) for name in ("5.png", "6.png")]
    pages[1] = pages[1][:50, :70]  # pages of one file may differ in size
    write_pages(tmp_path / "scan.tif", pages)
    write_pages(tmp_path / "single.tif", pages[:1])
    out = tmp_path / "out"
    assert main(["clean", "--model", str(model_file), str(tmp_path / "scan.tif"),
                 str(tmp_path / "single.tif"), "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["scan.tif", "single.png"]
    model = load(model_file)
    for cleaned, page in zip(iter_pages(out / "scan.tif"), iter_pages(tmp_path / "scan.tif"),
                             strict=True):
        assert np.abs(cleaned - model.predict(page)).max() <= 0.5 / 255 + 1e-6
    assert "cleaned 3 page(s) of 2 file(s) into" in capsys.readouterr().err


def test_clean_refuses_to_overwrite_an_input(dataset, model_file, tmp_path, capsys):
    source = tmp_path / "5.png"
    source.write_bytes((dataset / "test" / "5.png").read_bytes())
    before = source.read_bytes()
    assert main(["clean", "--model", str(model_file), str(source), "--out", str(tmp_path),
                 "-q"]) == 1
    _one_line_error(capsys, f"{source}: its cleaned copy would overwrite the input {source}")
    # Nor another input: 5.tif (one page) would be cleaned into out/5.png.
    write_pages(tmp_path / "5.tif", [read_page(source)])
    (tmp_path / "out").mkdir()
    other = tmp_path / "out" / "5.png"
    other.write_bytes(before)
    assert main(["clean", "--model", str(model_file), str(tmp_path / "5.tif"), str(other),
                 "--out", str(tmp_path / "out"), "-q"]) == 1
    _one_line_error(capsys, f"5.tif: its cleaned copy would overwrite the input {other}")
    assert source.read_bytes() == other.read_bytes() == before
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["5.png"]


def test_evaluate_reports_every_page_and_cross_validation(dataset, model_file, capsys):
    assert main(["evaluate", "--model", str(model_file), str(dataset), "-q", "--cv", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "page,rmse_noisy,rmse_cleaned"
    assert [line.split(",")[0] for line in lines[1:-1]] == ["1", "2", "3", "4", "overall"]
    noisy_rmse, cleaned_rmse = map(float, lines[-2].split(",")[1:])
    assert cleaned_rmse < noisy_rmse
    assert lines[-1].startswith("cross-group 2-fold RMSE ")
    cv_rmse = float(lines[-1].split()[3])
    assert cleaned_rmse < cv_rmse < 1  # the pages a model learned from are easier


def test_submit_writes_every_pixel_of_every_test_page(dataset, model_file, tmp_path):
    target = tmp_path / "submission.csv"
    assert main(["submit", "--model", str(model_file), str(dataset / "test"), "--out",
                 str(target), "-q"]) == 0
    lines = target.read_text().splitlines()
    assert len(lines) == 1 + 2 * 64 * 90
    assert lines[1].startswith("5_1_1,") and lines[-1].startswith("6_64_90,")


def test_demo_uses_the_bundled_model(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path)]) == 0
    assert "cleaned in" in capsys.readouterr().out
    assert {p.name for p in tmp_path.iterdir()} == {
        "demo_noisy.png", "demo_cleaned.png", "demo_truth.png"}


# -- bad input: one line, status 1, nothing written -------------------------------------

def test_non_image_and_empty_inputs(dataset, model_file, tmp_path, capsys):
    (tmp_path / "notes.png").write_text("hello")
    (tmp_path / "empty.png").write_bytes(b"")
    out = tmp_path / "out"
    good = str(dataset / "test" / "5.png")
    for bad, reason in (("notes.png", "not an image file"), ("empty.png", "the file is empty")):
        code = main(["clean", "--model", str(model_file), good, str(tmp_path / bad),
                     "--out", str(out)])
        assert code == 1
        _one_line_error(capsys, bad, reason)
    assert not out.exists()


def test_missing_input_and_missing_folder(model_file, tmp_path, capsys):
    assert main(["clean", "--model", str(model_file), str(tmp_path / "gone.png"),
                 "--out", str(tmp_path / "out")]) == 1
    _one_line_error(capsys, "gone.png", "no such file")
    assert main(["train", str(tmp_path / "nowhere"), "--model", str(tmp_path / "m.ddm")]) == 1
    _one_line_error(capsys, "nowhere", "no such dataset folder")
    assert main(["submit", str(tmp_path / "nowhere"), "--out", str(tmp_path / "s.csv")]) == 1
    _one_line_error(capsys, "nowhere")
    assert not any(tmp_path.iterdir())


def test_mismatched_pair(tmp_path, capsys):
    write_page(tmp_path / "data" / "train" / "1.png", np.ones((10, 12)))
    write_page(tmp_path / "data" / "train_cleaned" / "1.png", np.ones((10, 13)))
    assert main(["train", str(tmp_path / "data"), "--model", str(tmp_path / "m.ddm")]) == 1
    _one_line_error(capsys, "train/1.png", "train_cleaned/1.png")
    assert not (tmp_path / "m.ddm").exists()


def test_corrupted_model(dataset, model_file, tmp_path, capsys):
    broken = tmp_path / "broken.ddm"
    broken.write_bytes(model_file.read_bytes()[:500])
    out = tmp_path / "out"
    assert main(["clean", "--model", str(broken), str(dataset / "test" / "5.png"),
                 "--out", str(out)]) == 1
    _one_line_error(capsys, "broken.ddm")
    assert not out.exists()


def test_colliding_output_names(dataset, model_file, tmp_path, capsys):
    write_page(tmp_path / "other" / "5.png", np.ones((8, 8)))
    assert main(["clean", "--model", str(model_file), str(dataset / "test" / "5.png"),
                 str(tmp_path / "other" / "5.png"), "--out", str(tmp_path / "out")]) == 1
    _one_line_error(capsys, "would both be written")


def test_console_entry_point_exit_status(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "dirtydocs", "clean", str(tmp_path / "none.png"), "--out",
         str(tmp_path / "out")], capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.strip() == f"dirtydocs: error: {tmp_path / 'none.png'}: no such file"


def _command_names():
    import argparse

    from dirtydocs.cli import build_parser
    commands, = (action for action in build_parser()._actions
                 if isinstance(action, argparse._SubParsersAction))
    return list(commands.choices)


@pytest.mark.parametrize("command", [None, *_command_names()])
def test_every_help_text_renders(command, capsys):
    # argparse %-formats help strings, so a literal "%" in one breaks --help alone.
    argv = ([command] if command else []) + ["--help"]
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 0
    assert "usage: dirtydocs" in capsys.readouterr().out


def test_trained_file_loads_as_the_same_recipe(model_file):
    from dirtydocs import load

    model = load(model_file)
    assert isinstance(model, DocumentDenoiser)
    assert isinstance(model.features_, FeatureExtractor)
    assert isinstance(model.regressor_, PixelRegressor)
    assert model.regressor_.n_estimators == 10
    save(model, model_file.parent / "again.ddm")


def test_train_can_mix_in_synthetic_pages(dataset, tmp_path, capsys):
    path = tmp_path / "mixed.ddm"
    assert main(["train", str(dataset), "--model", str(path), "--synthetic", "2", *SMALL]) == 0
    assert "and 2 synthetic pairs" in capsys.readouterr().err
    from dirtydocs import load

    assert isinstance(load(path), DocumentDenoiser)


def test_train_can_mix_in_restained_pages(dataset, tmp_path, capsys):
    path = tmp_path / "restained.ddm"
    argv = ["train", str(dataset), "--model", str(path), "--restained", "3", "--synthetic", "1"]
    assert main([*argv, *SMALL]) == 0
    assert "training on 4 page pairs from" in (err := capsys.readouterr().err)
    assert "and 3 restained pairs and 1 synthetic pairs" in err
    from dirtydocs import load

    assert isinstance(load(path), DocumentDenoiser)


@pytest.mark.parametrize("argv, refused", [
    (["--method", "stacked", "--max-samples", "100"], "--max-samples is for --method lightgbm"),
    (["--method", "stacked", "--n-estimators", "5", "--num-leaves", "7"],
     "--n-estimators, --num-leaves are for"),
    (["--method", "stacked", "--cnn-seconds", "9"], "not --method stacked --level1 trees"),
    (["--level1", "cnn"], "--level1 is for --method stacked, not --method lightgbm"),
    (["--method", "random_forest", "--mixed-into", "all"], "not --method random_forest"),
    (["--method", "stacked", "--level1", "cnn", "--stages", "2"],
     "--stages is for --method stacked --level1 trees --level1-maps in_sample"),
    (["--method", "stacked", "--level1-maps", "out_of_fold", "--stages", "2"],
     "not --method stacked --level1 trees"),
])
def test_train_refuses_options_the_chosen_model_would_ignore(dataset, tmp_path, capsys, argv,
                                                             refused):
    path = tmp_path / "m.ddm"
    assert main(["train", str(dataset), "--model", str(path), "-q", *argv]) == 1
    _one_line_error(capsys, refused)
    assert not path.exists()


def test_train_refuses_zero_stages_instead_of_reading_it_as_the_default(dataset, tmp_path,
                                                                       capsys):
    path = tmp_path / "m.ddm"
    assert main(["train", str(dataset), "--model", str(path), "-q", "--method", "stacked",
                 "--stages", "0"]) == 1
    _one_line_error(capsys, "n_stages must be 'auto' or an int >= 1, got 0")
    assert not path.exists()


def test_train_fills_in_the_defaults_of_the_options_left_out():
    from dirtydocs.cli import _train_options, build_parser

    pixel = _train_options(build_parser().parse_args(["train", "d", "--model", "m"]))
    assert (pixel.max_samples, pixel.n_estimators) == (
        DocumentDenoiser().max_samples, PixelRegressor().n_estimators)
    assert pixel.level1 is None  # stack options stay unset for a pixel model
    stack = _train_options(build_parser().parse_args(
        ["train", "d", "--model", "m", "--method", "stacked", "--level1", "cnn"]))
    assert (stack.level1, stack.level1_maps, stack.mixed_into) == ("cnn", "in_sample", "all")
    assert (stack.cnn_epochs, stack.cnn_seconds) == (60, None)


def test_stacked_method_builds_the_stack_with_its_cnn_budget():
    from dirtydocs import StackedDenoiser
    from dirtydocs.cli import _build_model, build_parser
    from dirtydocs.nn import SmallCNN

    args = build_parser().parse_args(["train", "data", "--model", "m.ddm", "--method",
                                      "stacked", "--level1", "cnn", "--cnn-seconds", "60",
                                      "--seed", "3"])
    page = np.zeros((10, 20))
    model = _build_model(args, [page] * 4, [])
    assert isinstance(model, StackedDenoiser) and isinstance(model.level1, SmallCNN)
    assert model.level1.max_seconds == 60 and model.random_state == 3
    assert model.level1.max_epochs == 60
    assert model.level0 is None  # the default level 0, budgets unchanged


def test_stacked_method_defaults_to_trees_on_in_sample_maps():
    from dirtydocs.cli import _build_model, build_parser
    from dirtydocs.models import ContextDenoiser

    args = build_parser().parse_args(["train", "data", "--model", "m.ddm", "--method",
                                      "stacked"])
    page = np.zeros((10, 20))
    model = _build_model(args, [page] * 4, [])
    assert isinstance(model.level1, ContextDenoiser) and model.level1_maps == "in_sample"
    assert model.level1.max_samples == ContextDenoiser().max_samples


@pytest.mark.parametrize("mixed_into, level1_share", [("level0", 1), ("all", 3 / 2)])
def test_pages_mixed_into_the_stack_add_to_the_budgets_of_the_levels_they_train(
        mixed_into, level1_share):
    from dirtydocs.cli import _build_model, build_parser
    from dirtydocs.models import ContextDenoiser
    from dirtydocs.models.stack import default_level0

    args = build_parser().parse_args(["train", "data", "--model", "m.ddm", "--method",
                                      "stacked", "--level1", "trees", "--restained", "2",
                                      "--mixed-into", mixed_into])
    page = np.zeros((10, 20))
    model = _build_model(args, [page] * 4, [page] * 2)
    budgets = {name: level.max_samples for name, level in model.level0}
    assert budgets == {name: level.max_samples * 3 // 2 for name, level in default_level0()}
    assert model.level1.max_samples == ContextDenoiser().max_samples * level1_share


@pytest.mark.parametrize("mixed_into, level1_share", [("level0", 1), ("all", 3 / 2)])
def test_a_stack_learns_level1_from_the_real_pages_alone_when_mixed_into_level0(
        mixed_into, level1_share):
    from dirtydocs import StackedDenoiser
    from dirtydocs.cli import _fit_model
    from dirtydocs.models import ContextDenoiser

    noisy, clean = make_pages(6, shape=(32, 40), random_state=0)
    level0 = [("gbm", DocumentDenoiser(regressor=PixelRegressor(n_estimators=3)))]
    level1 = ContextDenoiser(regressor=PixelRegressor(n_estimators=3), window=3)
    stack = StackedDenoiser(level0=level0, level1=level1, random_state=0)
    _fit_model(stack, (noisy[:4], clean[:4]), (noisy[4:], clean[4:]), mixed_into)
    real_pixels = 4 * 32 * 40  # every pixel fits in every budget here
    assert stack.level1_.n_training_pixels_ == real_pixels * level1_share
    assert stack.level0_[0][1].n_training_pixels_ == real_pixels * 3 // 2


@pytest.mark.parametrize("argv, mixed_into", [([], "all"), (["--mixed-into", "level0"], "level0")])
def test_train_fits_the_stack_with_its_mixed_in_pages_marked(dataset, tmp_path, monkeypatch,
                                                             argv, mixed_into):
    import dirtydocs.cli as cli
    import dirtydocs.persist as persist

    calls = []
    monkeypatch.setattr(cli, "_fit_model", lambda model, real, extra, into: calls.append(
        (type(model).__name__, len(real[0]), len(extra[0]), into)))
    monkeypatch.setattr(persist, "save", lambda model, path: None)
    argv = ["train", str(dataset), "--model", str(tmp_path / "m.ddm"), "--method", "stacked",
            "--restained", "2", "-q", *argv]
    assert main(argv) == 0
    assert calls == [("StackedDenoiser", 4, 2, mixed_into)]


@pytest.fixture(scope="module")
def two_kinds_dataset(tmp_path_factory):
    """Training pairs of both kinds of ink: pages 1 and 2 covering, 3 and 4 lifted."""
    root = tmp_path_factory.mktemp("two_kinds")
    for index, (page, truth) in enumerate(zip(*two_kinds_pairs())):
        write_page(root / "train" / f"{index + 1}.png", page)
        write_page(root / "train_cleaned" / f"{index + 1}.png", truth)
    return root


def test_ink_switch_pairs_draw_lifts_only_for_covering_ink():
    from dirtydocs import InkSwitch
    from dirtydocs.cli import LIFTED_INK_SHARE, ink_switch_pairs
    from dirtydocs.synth import restain_pages

    noisy, clean = two_kinds_pairs()

    def drawn(indices, lifted_ink):
        return restain_pages([noisy[i] for i in indices], [clean[i] for i in indices], 3,
                             random_state=7, lifted_ink=lifted_ink)[0]

    def same(a, b):
        return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b))

    # Each kind from its own pages: the lifted pages' pairs keep their own lift, and the
    # switch sends them to the model that learns from them.
    switch = InkSwitch()
    pages, pairs, shares = ink_switch_pairs(switch, noisy, clean, 3, 7)
    assert pages == {"covered": [0, 1], "lifted": [2, 3]}
    assert shares == {"covered": 0.0, "lifted": 0.0}
    assert same(pairs["covered"][0], drawn([0, 1], 0.0))
    assert same(pairs["lifted"][0], drawn([2, 3], 0.0))
    assert {switch.route(page) for page in pairs["lifted"][0]} == {"lifted"}
    # A model of lifted ink that learns from covering ink gets lifts drawn for it.
    for switch, indices in ((InkSwitch(training_pages="all"), [0, 1, 2, 3]),
                            (InkSwitch(), [0, 1])):  # no lifted page: it learns from all
        chosen = ([noisy[i] for i in indices], [clean[i] for i in indices])
        pages, pairs, shares = ink_switch_pairs(switch, *chosen, 3, 7)
        assert shares == {"covered": 0.0, "lifted": LIFTED_INK_SHARE}
        assert same(pairs["lifted"][0], drawn(indices, LIFTED_INK_SHARE))
        assert same(pairs["covered"][0], drawn(indices, 0.0))


def test_train_ink_switch_trains_a_model_for_each_kind_on_its_pages(two_kinds_dataset,
                                                                     tmp_path, capsys):
    from sklearn.base import clone

    from dirtydocs import InkSwitch
    from dirtydocs.io import load_dataset
    from dirtydocs.models import mixed_sample_budget
    from dirtydocs.synth import make_synthetic_training_pages, restain_pages

    argv = ["train", str(two_kinds_dataset), "--restained", "2", "--synthetic", "1",
            "--seed", "3", *SMALL]
    assert main([*argv, "--model", str(tmp_path / "switch.ddm"), "--ink-switch"]) == 0
    assert ("one model for the 2 pages whose ink covers its paper, another for the 2 whose "
            "ink is lifted") in capsys.readouterr().err
    switch = load(tmp_path / "switch.ddm")
    assert isinstance(switch, InkSwitch) and switch.training_pages == "own_kind"
    data = load_dataset(two_kinds_dataset)
    synthetic = make_synthetic_training_pages(1, random_state=3)
    # Each model learned from its kind's pages, restained pairs drawn from them (those of
    # the second keeping their pages' lift, none drawn), then the synthetic pairs, on a
    # budget grown by its extra pairs from its own pages' pixels.
    for model, pages in ((switch.covered_, slice(0, 2)), (switch.lifted_, slice(2, 4))):
        noisy, clean = data.noisy[pages], data.clean[pages]
        restained = restain_pages(noisy, clean, 2, random_state=3)
        extra = (restained[0] + synthetic[0], restained[1] + synthetic[1])
        assert model.max_samples == mixed_sample_budget(20000, noisy, extra[0])
        refit = clone(model).fit(noisy + extra[0], clean + extra[1])
        for page in data.noisy:
            assert np.array_equal(refit.predict(page), model.predict(page))
    page = data.noisy[2]
    assert not np.array_equal(switch.lifted_.predict(page), switch.covered_.predict(page))
    assert main(["clean", str(two_kinds_dataset / "train" / "3.png"), "--model",
                 str(tmp_path / "switch.ddm"), "--out", str(tmp_path / "out"), "-q"]) == 0
    write_page(tmp_path / "expected.png", switch.lifted_.predict(page))
    assert np.array_equal(read_page(tmp_path / "out" / "3.png"),
                          read_page(tmp_path / "expected.png"))


def test_evaluate_cv_of_an_ink_switch_refits_its_model_for_covering_ink(dataset, tmp_path,
                                                                         capsys):
    argv = ["train", str(dataset), "--restained", "2", "--seed", "3", "-q", *SMALL]
    assert main([*argv, "--model", str(tmp_path / "switch.ddm"), "--ink-switch"]) == 0
    assert main([*argv, "--model", str(tmp_path / "plain.ddm")]) == 0
    reports = {}
    for name in ("switch", "plain"):
        assert main(["evaluate", str(dataset), "--model", str(tmp_path / f"{name}.ddm"),
                     "--cv", "2"]) == 0
        output = capsys.readouterr()
        reports[name] = output.out.splitlines()[-1], output.err
    assert reports["switch"][0].startswith("cross-group 2-fold RMSE ")
    assert reports["switch"][0] == reports["plain"][0]
    assert "the model is an ink switch" in reports["switch"][1]
    assert "ink switch" not in reports["plain"][1]


@pytest.mark.parametrize("argv, refused", [
    (["--ink-switch"], "--ink-switch needs --restained N"),
    (["--ink-switch", "--restained", "2", "--method", "stacked", "--mixed-into", "level0"],
     "does not take --mixed-into level0"),
])
def test_train_ink_switch_refuses_what_it_cannot_do(dataset, tmp_path, argv, refused, capsys):
    path = tmp_path / "m.ddm"
    assert main(["train", str(dataset), "--model", str(path), "-q", *argv]) == 1
    _one_line_error(capsys, refused)
    assert not path.exists()


def test_restained_pages_are_sampled_on_top_of_the_budget(dataset, tmp_path):
    from dirtydocs import load

    path = tmp_path / "topped_up.ddm"
    argv = ["train", str(dataset), "--model", str(path), "--restained", "2", "-q", *SMALL]
    assert main(argv) == 0
    model = load(path)
    # four real 64x90 pages keep their 20,000 pixels; two restained copies add half again
    assert model.max_samples == 30_000
    assert model.n_training_pixels_ == pytest.approx(30_000, abs=10)


def test_evaluate_ocr_without_tesseract_says_what_to_install(dataset, model_file, capsys,
                                                              monkeypatch):
    import dirtydocs.ocr as ocr

    def unavailable():
        raise ocr.OCRUnavailable("OCR evaluation needs the tesseract program")

    monkeypatch.setattr(ocr, "check_ocr_available", unavailable)
    assert main(["evaluate", str(dataset), "--model", str(model_file), "--ocr", "-q"]) == 1
    err = capsys.readouterr().err
    assert "needs the tesseract program" in err and "Traceback" not in err


def test_evaluate_ocr_reports_character_error_rates(dataset, model_file, capsys):
    from dirtydocs.ocr import OCRUnavailable, check_ocr_available

    try:
        check_ocr_available()
    except OCRUnavailable as error:
        pytest.skip(str(error))
    assert main(["evaluate", str(dataset), "--model", str(model_file), "--ocr", "-q"]) == 0
    out = capsys.readouterr().out
    assert "page,cer_noisy,cer_cleaned,reference_characters" in out
    overall = out.strip().splitlines()[-1].split(",")
    assert overall[0] == "overall" and all(float(v) >= 0 for v in overall[1:])
