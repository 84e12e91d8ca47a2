"""Feature extraction: time, peak memory, and speed against scipy in the same run."""

from scipy import ndimage as ndi

from dirtydocs.features import FeatureExtractor, ink_paper_slope, median_background

from ._common import A4_300DPI_SHAPE, best_seconds, synthetic_page, tiled_page


class FeatureExtraction:
    timeout = 300

    def setup(self):
        self.page, _ = synthetic_page()
        self.extractor = FeatureExtractor().fit()
        self.extractor.transform(self.page)  # compile the numba kernels outside the timing

    def time_transform_kaggle_page(self):
        self.extractor.transform(self.page)

    def peakmem_transform_kaggle_page(self):
        self.extractor.transform(self.page)

    def time_median_background_31(self):
        median_background(self.page, size=31)

    def track_median_31_speedup_vs_scipy(self):
        """scipy.ndimage.median_filter time / ours, both measured now."""
        ours = best_seconds(lambda: median_background(self.page, size=31))
        scipy = best_seconds(lambda: ndi.median_filter(self.page, size=31, mode="reflect"),
                             repeat=2)
        return scipy / ours

    track_median_31_speedup_vs_scipy.unit = "x"

    def track_closings_cost_vs_default_features(self):
        """Time of the default features / the same without grey closings, both now."""
        without_closings = FeatureExtractor(closing_sizes=()).fit()
        baseline = best_seconds(lambda: without_closings.transform(self.page))
        return best_seconds(lambda: self.extractor.transform(self.page)) / baseline

    track_closings_cost_vs_default_features.unit = "x"

    def time_ink_paper_slope(self):
        ink_paper_slope(self.page)

    def track_ink_paper_slope_cost_vs_features(self):
        """Time of an ink switch's routing / the page's features, both now: what routing
        adds to cleaning, beyond the features every model makes."""
        features = best_seconds(lambda: self.extractor.transform(self.page))
        return best_seconds(lambda: ink_paper_slope(self.page)) / features

    track_ink_paper_slope_cost_vs_features.unit = "x"


class LargePage:
    """A 300-dpi A4 scan: memory must stay bounded (features are made band by band)."""

    timeout = 600

    def setup(self):
        self.page = tiled_page(A4_300DPI_SHAPE)
        self.extractor = FeatureExtractor().fit()
        self.extractor.transform(self.page[:600])

    def peakmem_feature_bands_a4(self):
        for _ in self.extractor.iter_bands(self.page):
            pass

    def peakmem_ink_paper_slope_a4(self):
        ink_paper_slope(self.page)
