import numpy as np
import pytest
from numpy.testing import assert_array_equal
from scipy import ndimage as ndi

from dirtydocs.metrics import psnr, rmse, ssim
from dirtydocs.synth import DEGRADATIONS, make_page, make_pages


# The effects that make a page's paper (the rest of DEGRADATIONS act on ink and noise).
PAPER_EFFECTS = ("paper_texture", "blotches", "coffee_rings", "tea_stains", "sun_spots",
                 "yellowing", "folds", "wrinkles", "watermark", "uneven_light")


def test_rmse_pools_pixels_across_pages():
    truth = [np.zeros((1, 1)), np.zeros((1, 3))]
    estimate = [np.ones((1, 1)), np.zeros((1, 3))]
    assert rmse(truth, estimate) == pytest.approx(np.sqrt(1 / 4))


def test_metrics_reject_mismatched_pages():
    with pytest.raises(ValueError, match="truth is"):
        rmse(np.zeros((2, 2)), np.zeros((2, 3)))
    with pytest.raises(ValueError, match="2 true pages but 1"):
        rmse([np.zeros((2, 2))] * 2, [np.zeros((2, 2))])


def test_psnr_and_ssim_delegate_to_skimage():
    page = np.random.default_rng(0).random((32, 32))
    assert psnr(page, np.clip(page + 0.1, 0, 1)) > 15
    assert ssim(page, page) == pytest.approx(1.0)


def test_synthetic_pages_are_seeded_and_plausible():
    noisy, clean = make_page((80, 120), random_state=4)
    again, _ = make_page((80, 120), random_state=4)
    other, _ = make_page((80, 120), random_state=5)
    assert_array_equal(noisy, again)
    assert not np.array_equal(noisy, other)
    assert noisy.dtype == clean.dtype == np.float32
    assert 0.0 <= noisy.min() and noisy.max() <= 1.0
    ink = clean < 0.5
    assert 0.01 < ink.mean() < 0.4, "text covers part of the page"
    assert noisy[~ink].mean() < 0.97, "the paper is stained"
    assert rmse(clean, noisy) > 0.05


@pytest.mark.parametrize("shape", [(32, 32), (40, 48), (600, 90)])
def test_every_page_size_carries_text(shape):
    _, clean = make_page(shape, random_state=0)
    assert (clean < 0.5).mean() > 0.01


def test_make_pages_and_shape_errors():
    noisy, clean = make_pages(2, shape=(40, 60), random_state=0)
    assert [p.shape for p in noisy + clean] == [(40, 60)] * 4
    with pytest.raises(ValueError, match="at least 32"):
        make_page((10, 60))


def test_every_degradation_changes_the_page_and_can_be_switched_off():
    none = {name: 0.0 for name in DEGRADATIONS}
    base, clean = make_page((96, 128), random_state=7, degradations=none)
    for name in DEGRADATIONS:
        only, same_clean = make_page((96, 128), random_state=7,
                                     degradations={**none, name: 1.0})
        if name == "blur":  # a soft scan is soft when clean too
            assert (np.abs(same_clean - clean) > 0.02).mean() > 5e-4, name
        else:  # dirt, light and noise never touch the truth
            assert np.array_equal(same_clean, clean), name
        assert (np.abs(only - base) > 0.02).mean() > 5e-4, name


def test_coffee_rings_are_narrow_rims_some_as_dark_as_kaggles():
    # On the two Kaggle backgrounds with coffee rings the darkest 0.1% of the paper scans
    # at 0.3 to 0.4 of its median; rings much paler taught the models to leave them grey.
    none = {name: 0.0 for name in DEGRADATIONS}
    darkest, stained = [], []
    for seed in range(12):
        ringed, clean = make_page((258, 540), random_state=seed,
                                  degradations={**none, "coffee_rings": 1.0})
        plain, _ = make_page((258, 540), random_state=seed, degradations=none)
        ratio = ringed[clean > 0.99] / plain[clean > 0.99]
        darkest.append(ratio.min())
        stained.append((ratio < 0.85).mean())
    assert sum(value < 0.45 for value in darkest) >= 4
    assert max(stained) < 0.2, "rims and arcs, not a stain over the page"


def test_unknown_or_impossible_degradations_are_refused():
    with pytest.raises(ValueError, match="unknown degradation 'smudge'"):
        make_page((40, 40), degradations={"smudge": 0.5})
    with pytest.raises(ValueError, match="must be in \\[0, 1\\]"):
        make_page((40, 40), degradations={"jpeg": 2.0})


def test_synthetic_training_pages_have_kaggle_sizes_and_distinct_texts():
    from dirtydocs.synth import make_synthetic_training_pages

    noisy, clean = make_synthetic_training_pages(3, random_state=0)
    assert [page.shape for page in noisy] == [(258, 540), (420, 540), (258, 540)]
    assert not np.array_equal(clean[0], clean[2])


def test_paper_scans_light_however_many_stains_darken_it():
    # Every paper effect forced on at once multiplies to a very dark page; the scanner's
    # exposure keeps the paper where real scans have it (Kaggle's noisy paper is ~0.75-0.9).
    every_effect = dict.fromkeys(PAPER_EFFECTS, 1.0)
    for seed in range(6):
        noisy, clean = make_page((96, 128), random_state=seed, degradations=every_effect)
        paper = noisy[clean > 0.99]
        assert 0.7 <= np.median(paper) <= 0.95


NO_PAPER_EFFECTS = dict.fromkeys(PAPER_EFFECTS, 0.0)


def _scanned_pair(shape=(60, 90)):
    """A pair made the way the Kaggle pages are: grainy ink laid over a smooth paper, which
    shows through the strokes' grey edges in proportion to their truth."""
    rng = np.random.default_rng(3)
    clean = np.ones(shape)
    for row in range(8, shape[0] - 8, 12):
        clean[row:row + 3, 5:-5] = rng.uniform(0.0, 0.4, (3, shape[1] - 10))
    ink = (1 - clean) * (0.1 + rng.normal(0, 0.03, shape))
    rows, cols = np.mgrid[0:shape[0], 0:shape[1]]
    paper = 0.65 + 0.25 * np.sin(rows / 40.0) * np.cos(cols / 60.0) ** 2
    noisy = np.clip(clean * paper + ink, 0, 1)
    return [array.astype(np.float32) for array in (noisy, clean, ink, paper)]


def test_paper_under_ink_follows_the_paper_beneath_strokes():
    from dirtydocs.synth import paper_under_ink

    noisy, clean, _, paper = _scanned_pair()
    estimate = paper_under_ink(noisy, clean)
    under_ink = clean < 1
    assert np.abs(estimate - paper)[under_ink].max() < 0.01
    far_from_ink = ndi.distance_transform_edt(clean == 1) > 2
    assert_array_equal(estimate[far_from_ink], noisy[far_from_ink])
    # A page that is all ink still gets a paper, the page's median.
    assert np.allclose(paper_under_ink(noisy, np.zeros_like(clean)), np.median(noisy))


def test_restained_pages_carry_the_real_ink_and_truth_on_new_paper():
    from dirtydocs.synth import restain_pages

    noisy, clean, ink, _ = _scanned_pair()
    new_noisy, new_clean = restain_pages([noisy], [clean], 4, random_state=0)
    again, _ = restain_pages([noisy], [clean], 4, random_state=0)
    assert all(np.array_equal(a, b) for a, b in zip(new_noisy, again))
    assert all(np.array_equal(c, clean) for c in new_clean)
    assert all(page.dtype == np.float32 and page.shape == noisy.shape for page in new_noisy)
    assert all(np.array_equal(np.rint(page * 255), page * 255) for page in new_noisy)  # 8-bit
    # Each copy gets its own stains.
    assert not np.array_equal(new_noisy[0], new_noisy[1])
    assert np.corrcoef(new_noisy[0].ravel(), noisy.ravel())[0, 1] < 0.99

    # With every paper effect off the new paper is flat (only the scanner's exposure): the
    # new page is that exposure where the truth is paper, and the real ink, grain included,
    # laid over it elsewhere.
    plain, _ = restain_pages([noisy], [clean], 2, random_state=1, degradations=NO_PAPER_EFFECTS)
    for page in plain:
        exposure = np.median(page[clean == 1])
        assert 0.74 <= exposure <= 0.93
        # The paper estimate under ink is within 0.01 (above); rounding to 8 bits adds the rest.
        assert np.abs(page - (clean * exposure + ink)).max() < 0.015

    # Solid ink hides the paper: the new page keeps the real scan's strokes as they are.
    solid = np.ones_like(clean)
    solid[20:26, 10:-10] = 0.0
    solid_noisy = np.clip(solid * 0.7 + (1 - solid) * 0.1, 0, 1).astype(np.float32)
    stained, _ = restain_pages([solid_noisy], [solid], 3, random_state=2)
    for page in stained:
        assert np.abs(page - solid_noisy)[solid == 0].max() <= 1 / 255
        assert np.ptp(page[solid == 1]) > 0.05  # while the paper around them is new


def test_restained_ink_can_be_lifted_where_the_paper_is_dark():
    from dirtydocs.synth import INK_LIFT_RANGE, restain_pages

    solid = np.ones((48, 64), np.float32)
    solid[20:26, 10:-10] = 0.0
    solid_noisy = (solid * 0.7 + (1 - solid) * 0.1).astype(np.float32)
    stroke, paper = solid == 0, solid == 1
    kept, _ = restain_pages([solid_noisy], [solid], 6, random_state=3)
    assert all(np.array_equal(a, b) for a, b in zip(
        kept, restain_pages([solid_noisy], [solid], 6, random_state=3, lifted_ink=0.0)[0]))
    lifted, _ = restain_pages([solid_noisy], [solid], 6, random_state=3, lifted_ink=1.0)
    flat, _ = restain_pages([solid_noisy], [solid], 6, random_state=3, lifted_ink=1.0,
                            degradations=NO_PAPER_EFFECTS)
    lifts = []
    for old, new, plain in zip(kept, lifted, flat):
        # The same paper; only the ink moves, and only up.
        assert np.array_equal(old[paper], new[paper])
        assert (new[stroke] >= old[stroke]).all() and (new[stroke] > old[stroke]).any()
        # On flat paper the lift is one amount per page, in the range, times its darkness.
        darkness = 1.0 - np.median(plain[paper])
        gain = (plain[stroke] - 0.1) / darkness
        assert np.ptp(gain) < 2.5 / 255 / darkness
        lifts.append(float(gain.mean()))
    assert all(INK_LIFT_RANGE[0] - 0.03 <= lift <= INK_LIFT_RANGE[1] + 0.03 for lift in lifts)
    assert np.ptp(lifts) > 0.05  # drawn per page
    some, _ = restain_pages([solid_noisy], [solid], 40, random_state=3, lifted_ink=0.5,
                            degradations=NO_PAPER_EFFECTS)
    n_lifted = sum(page[stroke].mean() > 0.1 + 1 / 255 for page in some)
    assert 8 <= n_lifted <= 32


def test_restained_ink_keeps_its_pages_lift_on_the_new_paper():
    from dirtydocs.synth import restain_pages

    # Solid ink lifted where the paper is dark, as on three of the Kaggle backgrounds, over
    # a paper that darkens from right to left (ink_paper_slope about -0.8).
    paper = np.linspace(0.6, 1.0, 200)[None, :].repeat(120, axis=0)
    clean = np.ones(paper.shape, np.float32)
    clean[::6, :] = 0.0
    stroke = clean == 0
    lifted = np.where(stroke, 0.83 - 0.8 * paper, paper).astype(np.float32)
    kept, _ = restain_pages([lifted], [clean], 3, random_state=0,
                            degradations=NO_PAPER_EFFECTS)
    as_read, _ = restain_pages([lifted], [clean], 3, random_state=0,
                               degradations=NO_PAPER_EFFECTS, keep_ink_response=False)
    for new, old in zip(kept, as_read):
        exposure = np.median(new[clean == 1])
        # On the new, flat paper the ink reads as its page's ink would on that paper ...
        assert np.abs(new[stroke] - (0.83 - 0.8 * exposure)).max() < 0.03
        # ... where without its lift it keeps the old paper's gradient.
        assert np.ptp(old[stroke]) > 0.25
        assert np.array_equal(new[~stroke], old[~stroke])

    # Ink that covers its paper (solid strokes as dark on any paper) has nothing to keep.
    covering = np.where(stroke, 0.1, paper).astype(np.float32)
    with_response, _ = restain_pages([covering], [clean], 3, random_state=0)
    without, _ = restain_pages([covering], [clean], 3, random_state=0, keep_ink_response=False)
    assert all(np.array_equal(a, b) for a, b in zip(with_response, without))


def test_restain_pages_input_errors():
    from dirtydocs.synth import restain_pages

    noisy, clean, _, _ = _scanned_pair()
    with pytest.raises(ValueError, match="unknown paper effect 'jpeg'"):
        restain_pages([noisy], [clean], 1, degradations={"jpeg": 1.0})
    with pytest.raises(ValueError, match="must be in"):
        restain_pages([noisy], [clean], 1, degradations={"folds": 2.0})
    with pytest.raises(ValueError, match="at least 0"):
        restain_pages([noisy], [clean], -1)
    with pytest.raises(ValueError, match="lifted_ink must be a probability"):
        restain_pages([noisy], [clean], 1, lifted_ink=1.5)
    with pytest.raises(ValueError, match="at least one page"):
        restain_pages([], [], 1)
    with pytest.raises(ValueError):
        restain_pages([noisy], [clean[:, :-1]], 1)


def test_restained_pages_share_their_source_document_not_its_background():
    # Cross-group validation and the stack's out-of-fold cells rely on this: a restained
    # page must never sit on the other side of a split from the page whose ink it carries.
    from dirtydocs.models.selection import infer_page_groups
    from dirtydocs.synth import restain_pages

    noisy, clean = make_pages(3, shape=(64, 90), random_state=5)
    extra_noisy, extra_clean = restain_pages(noisy, clean, 6, random_state=2)
    documents, backgrounds = infer_page_groups(noisy + extra_noisy, clean + extra_clean)
    assert len(set(documents[:3])) == 3
    for new, truth in enumerate(extra_clean, start=3):
        source = next(i for i in range(3) if np.array_equal(clean[i], truth))
        assert documents[new] == documents[source]
        assert backgrounds[new] != backgrounds[source]
