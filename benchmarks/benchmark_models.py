"""Cleaning speed and quality of the bundled model, with same-run baselines."""

import numpy as np

from dirtydocs import DocumentDenoiser, InkSwitch, load_default, rmse
from dirtydocs.models import _forest_kernels
from dirtydocs.models.context import ContextFeatures
from dirtydocs.models.forest import CompiledForest
from dirtydocs.synth import make_pages

from ._common import A4_300DPI_SHAPE, best_seconds, synthetic_page, tiled_page


def routed(model, page):
    """The denoiser `model` cleans `page` with: for an ink switch the one the page's ink
    calls for, else the model itself."""
    return model.denoiser_for(page) if isinstance(model, InkSwitch) else model


def pixel_model(model, page):
    """The pixel denoiser that cleans `page` first: the model itself if it is one, else
    the first level-0 model of the stack the page goes to."""
    model = routed(model, page)
    return model if isinstance(model, DocumentDenoiser) else model.level0_[0][1]


class Predict:
    timeout = 300

    def setup(self):
        self.page, _ = synthetic_page()
        self.model = load_default()
        self.model.predict(self.page)

    def time_predict_kaggle_page(self):
        self.model.predict(self.page)

    def peakmem_predict_kaggle_page(self):
        self.model.predict(self.page)

    def track_seconds_per_megapixel(self):
        """Whole cleaning (features + regressor), best of 5, per million pixels."""
        return best_seconds(lambda: self.model.predict(self.page)) / (self.page.size / 1e6)

    track_seconds_per_megapixel.unit = "s/MP"

    def track_speedup_vs_lightgbm_predict(self):
        """Features + Booster.predict, over features + our compiled forest, measured now
        (for a stack: its first level-0 model)."""
        model = pixel_model(self.model, self.page)
        features, booster = model.features_, model.regressor_.booster_

        def with_lightgbm():
            for _, _, band in features.iter_bands(self.page):
                booster.predict(band)

        return best_seconds(with_lightgbm) / best_seconds(lambda: model.predict(self.page))

    track_speedup_vs_lightgbm_predict.unit = "x"

    def track_cost_over_first_pixel_model(self):
        """Whole cleaning over the cleaning of the model's first pixel model alone (1 for a
        pixel model; for a stack, what its other models cost), measured now."""
        first = pixel_model(self.model, self.page)
        return (best_seconds(lambda: self.model.predict(self.page))
                / best_seconds(lambda: first.predict(self.page)))

    track_cost_over_first_pixel_model.unit = "x"

    def _slowdown_with(self, changes):
        """Cleaning with the `changes`, ``(estimator, params)`` pairs, made, over cleaning
        as loaded, measured now (the parameters are put back)."""
        saved = [(estimator, {name: estimator.get_params(deep=False)[name] for name in params})
                 for estimator, params in changes]
        try:
            for estimator, params in changes:
                estimator.set_params(**params)
            changed = best_seconds(lambda: self.model.predict(self.page))
        finally:
            for estimator, params in saved:
                estimator.set_params(**params)
        return changed / best_seconds(lambda: self.model.predict(self.page))

    def track_speedup_from_paper_rule(self):
        """Cleaning with every tree stage of a stack run on every pixel, over cleaning with
        their paper rules (``ContextDenoiser(paper_threshold=...)``, whose threshold the
        level-0 gate uses too, so it goes with them), measured now; 1 for other models."""
        stack = routed(self.model, self.page)
        stages = [getattr(stack, "level1_", None), *getattr(stack, "later_stages_", [])]
        if not hasattr(stages[0], "paper_threshold"):
            return 1.0
        return self._slowdown_with([(stage, {"paper_threshold": None}) for stage in stages])

    track_speedup_from_paper_rule.unit = "x"

    def track_speedup_from_level0_gate(self):
        """Cleaning with the stack's first level-0 model walked on every pixel, over
        cleaning with the level-0 gate (``StackedDenoiser(gate_map=...)``), measured now;
        1 for other models."""
        stack = routed(self.model, self.page)
        if not hasattr(stack, "gate_map"):
            return 1.0
        return self._slowdown_with([(stack, {"gate_map": None})])

    track_speedup_from_level0_gate.unit = "x"

    def track_cost_of_routing(self):
        """Whole cleaning over the cleaning by the denoiser the page is routed to (for an
        ink switch, what telling the page's kind of ink costs; 1 for other models),
        measured now."""
        chosen = routed(self.model, self.page)
        return (best_seconds(lambda: self.model.predict(self.page))
                / best_seconds(lambda: chosen.predict(self.page)))

    track_cost_of_routing.unit = "x"


class LoadModel:
    """What every `dirtydocs clean` run and joblib worker pays before its first page."""

    timeout = 300

    def setup(self):
        self.booster = pixel_model(load_default(), synthetic_page()[0]).regressor_.booster_
        self.model_text = self.booster.model_to_string()

    def time_load_default(self):
        load_default()

    def time_compile_forest(self):
        CompiledForest(self.booster)

    def time_compile_forest_from_text(self):
        """As a model file's loader builds it: from the text it read, without asking
        LightGBM to write the booster out again."""
        CompiledForest(self.booster, self.model_text)

    def track_compile_speedup_vs_dump_model(self):
        """``Booster.dump_model()`` alone (what the forest was built from before), over
        building the whole forest from the text model, measured now."""
        return (best_seconds(self.booster.dump_model)
                / best_seconds(lambda: CompiledForest(self.booster)))

    track_compile_speedup_vs_dump_model.unit = "x"


class WalkTrees:
    """The compiled forest's two walks over the trees of the bundled model's last level
    (a stack's level 1 on its rows of a page, or a pixel model on its features)."""

    timeout = 300

    def setup(self):
        page, _ = synthetic_page()
        model = routed(load_default(), page)
        if isinstance(model, DocumentDenoiser):
            self.forest, self.rows = model.regressor_.forest_, model.features_.transform(page)
        else:
            level1 = model.level1_
            stack = np.stack([page, *model.level0_maps(page).values()], axis=-1)
            rows = ContextFeatures(level1.features_, level1.window, level1.n_maps_)
            self.forest = level1.regressor_.forest_
            self.rows = np.vstack([band for _, _, band in rows.iter_bands(stack)])
        self.out = np.empty(len(self.rows))
        self.walk(lockstep=True)
        self.walk(lockstep=False)

    def walk(self, lockstep):
        forest = self.forest
        _forest_kernels._predict_forest(
            self.rows, forest.roots, forest.feature, forest.threshold32, forest.children,
            forest.default_left, forest.missing_type, lockstep and forest.plain,
            forest.leaf_value, forest.scale, self.out)

    def time_lockstep_walk(self):
        self.walk(lockstep=True)

    def track_lockstep_speedup_vs_row_by_row(self):
        """Walking a block of rows down each tree in lockstep, over walking each row
        alone down every tree (with the missing-value rules), measured now."""
        return (best_seconds(lambda: self.walk(lockstep=False))
                / best_seconds(lambda: self.walk(lockstep=True)))

    track_lockstep_speedup_vs_row_by_row.unit = "x"


class PredictLargePage:
    timeout = 600

    def setup(self):
        self.page = tiled_page(A4_300DPI_SHAPE)
        self.model = load_default()
        self.model.predict(self.page[:600])

    def peakmem_predict_a4(self):
        self.model.predict(self.page)


class Quality:
    """RMSE on synthetic pages the model never saw (its training set is the Kaggle data)."""

    timeout = 300

    def setup(self):
        self.noisy, self.clean = make_pages(6, shape=(420, 540), random_state=2026)
        self.model = load_default()

    def track_rmse_noisy(self):
        return rmse(self.clean, self.noisy)

    def track_rmse_cleaned(self):
        return rmse(self.clean, self.model.predict(self.noisy))

    def track_rmse_reduction(self):
        """Noisy RMSE / cleaned RMSE."""
        return rmse(self.clean, self.noisy) / rmse(self.clean, self.model.predict(self.noisy))

    track_rmse_reduction.unit = "x"
