"""The helpers of benchmarks/learning_curve.py, which estimate the bundled model's RMSE."""

import numpy as np
import pytest

from benchmarks.learning_curve import extrapolate, subset_pages


def test_subset_keeps_the_pages_of_a_fraction_of_the_documents_and_backgrounds():
    documents = np.repeat(np.arange(6), 4)  # every document on every background
    backgrounds = np.tile(np.arange(4), 6)
    pages = np.arange(24)[documents != 5]  # document 5 belongs to the test fold
    kept = subset_pages(pages, documents, backgrounds, keep=0.6, random_state=1)
    assert set(kept) <= set(pages)
    assert len(set(documents[kept])) == 3 and len(set(backgrounds[kept])) == 2
    assert len(kept) == 3 * 2  # every pair of a kept document and background
    assert np.array_equal(kept, subset_pages(pages, documents, backgrounds, 0.6, 1))
    assert not np.array_equal(kept, subset_pages(pages, documents, backgrounds, 0.6, 2))


def test_extrapolation_recovers_a_power_law_from_the_subsets():
    def law(n):
        return 0.3 * n ** -0.4

    runs = [{"pairs": n, "rmse": law(n)} for n in (50, 80, 200)]
    alpha, estimate = extrapolate(runs, "pairs", 504)
    assert alpha == pytest.approx(0.4)
    assert estimate == pytest.approx(law(504))


def test_summary_pools_the_folds_and_extrapolates_each_seed_apart():
    from benchmarks.learning_curve import summarise

    def run(seed, pairs, value):
        return {"subset_seed": seed, "keep": 1.0 if seed is None else 0.5, "pairs": pairs,
                "pages": pairs // 2, "rmse": value, "level0_rmse": {"lightgbm": 2 * value}}

    folds = [{"test_pixels": pixels,
              "runs": [run(None, 200, 0.02), run(0, 50, 0.02 * 4 ** 0.5),  # alpha 0.5
                       run(1, 100, 0.02)]}  # alpha 0: no gain from more data
             for pixels in (100, 300)]
    summary = summarise(folds, all_pairs=800, all_pages=400)
    assert summary["rmse_fold_training_sets"] == pytest.approx(0.02)
    assert summary["level0_rmse_fold_training_sets"] == {"lightgbm": pytest.approx(0.04)}
    by_seed = summary["rmse_extrapolated_to_all_pairs_by_subset_seed"]
    assert by_seed == {"0": pytest.approx(0.01), "1": pytest.approx(0.02)}
    assert summary["rmse_subsets_by_subset_seed"] == {"0": pytest.approx(0.04),
                                                      "1": pytest.approx(0.02)}
    assert summary["rmse_extrapolated_to_all_pairs"] == pytest.approx(0.02 * 4 ** -0.25)
    assert folds[0]["alpha_pairs"] == pytest.approx(0.25)


def test_added_subsets_join_the_saved_runs_and_reuse_their_whole_folds(tmp_path, monkeypatch):
    import json
    from types import SimpleNamespace

    import benchmarks.learning_curve as learning_curve

    def run(seed, pairs, value):
        return {"subset_seed": seed, "keep": 1.0 if seed is None else 0.5, "pairs": pairs,
                "pages": pairs, "rmse": value, "level0_rmse": {"lightgbm": value}}

    saved = {"command": "python benchmarks/learning_curve.py data",
             "recipe": learning_curve.STACK_RECIPE,
             "folds": [{"fold": fold, "test_pixels": 100,
                        "runs": [run(None, 200, 0.02), run(0, 50, 0.04)]} for fold in (0, 1)]}
    (tmp_path / "saved.json").write_text(json.dumps(saved))
    trained = []

    def fake_run_fold(fold, train, test, data, documents, backgrounds, args, whole=True):
        trained.append((fold, whole))
        return {"fold": fold, "runs": [run(seed, 100, 0.02 * 2 ** 0.5)
                                       for seed in args.subset_seeds]}

    class TwoFolds:
        def __init__(self, n_splits, random_state):
            pass

        def split(self, documents, backgrounds):
            return iter([([0], [1]), ([1], [0])])

    monkeypatch.setattr(learning_curve, "load_dataset",
                        lambda root: SimpleNamespace(noisy=[], clean=[], names=[0] * 200))
    monkeypatch.setattr(learning_curve, "infer_page_groups",
                        lambda noisy, clean: (np.arange(40), np.arange(20)))  # 800 pairs
    monkeypatch.setattr(learning_curve, "CrossGroupKFold", TwoFolds)
    monkeypatch.setattr(learning_curve, "run_fold", fake_run_fold)
    out = tmp_path / "more.json"
    assert learning_curve.main(["data", "--add-to", str(tmp_path / "saved.json"), "--folds",
                                "0", "1", "--subset-seeds", "2", "3", "--out", str(out)]) == 0
    assert trained == [(0, False), (1, False)]
    result = json.loads(out.read_text())
    assert [len(fold["runs"]) for fold in result["folds"]] == [4, 4]
    assert result["command"] == (
        f"{saved['command']}; python benchmarks/learning_curve.py data --add-to "
        f"{tmp_path / 'saved.json'} --folds 0 1 --subset-seeds 2 3 --out {out}")
    by_seed = result["rmse_extrapolated_to_all_pairs_by_subset_seed"]
    assert by_seed == {"0": pytest.approx(0.01), "2": pytest.approx(0.01),
                       "3": pytest.approx(0.01)}
    with pytest.raises(SystemExit):  # seed 2's subsets are there already
        learning_curve.main(["data", "--add-to", str(out), "--subset-seeds", "2", "4"])
    older = tmp_path / "older.json"
    older.write_text(json.dumps({**saved, "recipe": ["--stages", "1"]}))
    with pytest.raises(SystemExit):  # its whole folds are another recipe's
        learning_curve.main(["data", "--add-to", str(older), "--subset-seeds", "4"])
    assert len(trained) == 2
    # Summarising the saved runs again needs neither training nor the data.
    monkeypatch.setattr(learning_curve, "load_dataset", None)
    again = tmp_path / "again.json"
    assert learning_curve.main(["data", "--from-json", str(out), "--out", str(again)]) == 0
    assert json.loads(again.read_text()) == result
    # A file from before recipes were recorded is not stamped with today's recipe.
    unrecorded = tmp_path / "unrecorded.json"
    unrecorded.write_text(json.dumps({k: v for k, v in result.items() if k != "recipe"}))
    learning_curve.main(["data", "--from-json", str(unrecorded), "--out", str(again)])
    assert json.loads(again.read_text())["recipe"] is None


def test_each_run_trains_the_bundled_recipe_with_pairs_restained_from_its_own_pages(
        monkeypatch):
    from types import SimpleNamespace

    import benchmarks.learning_curve as learning_curve
    from benchmarks.train_default_model import MIXED_IN

    trained = []

    class Fitted:
        level0_ = []

        def predict(self, page):
            return page

    def fake_train_model(args, noisy_pages, clean_pages):
        trained.append((args, [round(10 * float(page[0, 0])) for page in noisy_pages]))
        return Fitted()

    monkeypatch.setattr(learning_curve, "_train_model", fake_train_model)
    monkeypatch.setattr(learning_curve, "level0_rmse", lambda model, noisy, truth: {})
    pages = [np.full((2, 3), index / 10, dtype=np.float32) for index in range(8)]
    data = SimpleNamespace(noisy=pages, clean=pages)
    documents, backgrounds = np.repeat(np.arange(4), 2), np.tile(np.arange(2), 4)
    args = SimpleNamespace(keep=[0.5], subset_seeds=[0])
    run = learning_curve.run_fold(0, np.arange(6), np.arange(6, 8), data, documents,
                                  backgrounds, args)
    subset = subset_pages(np.arange(6), documents, backgrounds, 0.5, 0)
    assert [r["pages"] for r in run["runs"]] == [6, len(subset)]
    (whole, whole_pages), (_, pages_of_subset) = trained
    assert whole_pages == [0, 1, 2, 3, 4, 5] and pages_of_subset == subset.tolist()
    assert whole.restained == int(MIXED_IN[MIXED_IN.index("--restained") + 1]) > 0
    assert whole.method == "stacked"
    assert whole.mixed_into == MIXED_IN[MIXED_IN.index("--mixed-into") + 1]
