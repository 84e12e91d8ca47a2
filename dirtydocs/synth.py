"""Synthetic dirty pages: rendered text under realistic, seeded degradations.

Tests, examples and the demo use these instead of real scans, so nothing needs outside
data; training can mix them in so that models meet stains they would otherwise never see.
Every page is a pure function of its seed (and of the fonts installed: Pillow's built-in
font always, DejaVu faces where present).

A page is built as ``noisy = degrade(paper(x) * clean(x))``: the clean page is the
rendered text as a clean scan shows it (black ink, the scanner's blur included);
the paper carries stains, folds, light and bleed-through, and noise and compression come
last. Each degradation below is drawn with its own probability (see ``DEGRADATIONS``) and
strength, so one seed gives one combination.

:func:`restain_pages` uses the same paper on real pairs instead: the new paper shows
through a real scan where its truth is paper, and the scan's own ink covers it where the
truth is ink, with the real truth kept. Those pairs keep the scanner's ink and are the ones
to mix into training (see docs/results.md).
"""

import io
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from scipy import ndimage as ndi
from scipy.special import expit
from sklearn.utils import check_random_state

from ._validation import check_page_pairs
from .features._util import masked_gaussian_mean
from .features.ink_response import ink_paper_slope

__all__ = ["DEGRADATIONS", "INK_LIFT_RANGE", "make_page", "make_pages",
           "make_synthetic_training_pages", "paper_under_ink", "restain_pages"]

#: How much :func:`restain_pages` lifts solid ink per unit of paper darkness, when it does.
INK_LIFT_RANGE = (0.6, 0.9)

#: Probability that a page gets each degradation. Override per call with `degradations=`.
DEGRADATIONS = {
    "paper_texture": 1.0,     # fibre grain and a paper shade
    "blotches": 0.7,          # soft irregular stains
    "coffee_rings": 0.5,      # cup rings and arcs with a dark, sharp-edged rim
    "tea_stains": 0.4,        # large soft blobs with a darker tide line
    "sun_spots": 0.3,         # foxing: many small round brownish spots
    "yellowing": 0.4,         # aged paper: darker, duller, darker towards the edges
    "folds": 0.35,            # straight creases with light and shadow sides
    "wrinkles": 0.3,          # crumpled paper shading
    "watermark": 0.2,         # large faint rotated text
    "uneven_light": 0.8,      # gradients and vignetting from the scanner or camera
    "bleed_through": 0.3,     # mirrored text of the other side
    "faded_ink": 0.5,         # grey, not black, ink (black in the clean page)
    "blur": 0.5,              # soft scan (soft in the clean page too)
    "gaussian_noise": 0.9,    # sensor noise
    "salt_and_pepper": 0.2,   # dust and dead pixels
    "jpeg": 0.3,              # compression artefacts
}

_WORDS = (
    "the of and to in is that for it as was with be by on not he this are or his from at "
    "which but have an they you were her she there been one all we their has would when "
    "page paper text filter noise stain clean scan image document method field form sheet "
    "light dark median window pixel ink line guide ruler print write several design value "
    "Report Table Figure Section 1994 2021 42 7.5 % ( ) , . ; : - Letter Dear Sincerely"
).split()

_DEJAVU_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu",
                "/usr/local/share/fonts", "/Library/Fonts", "C:/Windows/Fonts")


def _installed_fonts():
    """Paths of DejaVu faces found on this machine (possibly none), in a fixed order."""
    found = []
    for folder in _DEJAVU_DIRS:
        path = Path(folder)
        if path.is_dir():
            found += sorted(str(p) for p in path.glob("DejaVu*.ttf"))
    return found


def _font(rng, size):
    faces = _installed_fonts()
    choice = int(rng.integers(len(faces) + 1))
    if choice == len(faces):
        return ImageFont.load_default(size=size)
    return ImageFont.truetype(faces[choice], size=size)


def _render_text(shape, rng, *, columns=None, text_size=None):
    """Black text on white paper in one or two columns, with an occasional heading."""
    n_rows, n_cols = shape
    # Small pages get small type, so even a 32 x 32 page carries a line or two of text.
    largest = max(9, min(26, n_rows // 3, n_cols // 4))
    smallest = min(12, largest - 1)
    if text_size is not None:
        smallest, largest = min(text_size[0], largest - 1), min(text_size[1], largest)
    font_size = int(rng.integers(smallest, largest + 1))
    font = _font(rng, font_size)
    canvas = Image.new("L", (n_cols, n_rows), 255)
    draw = ImageDraw.Draw(canvas)
    line_height = int(font_size * rng.uniform(1.2, 1.7))
    margin = int(rng.integers(2, max(3, min(30, n_rows // 8))))
    if columns is None:
        columns = 2 if n_cols >= 400 and rng.random() < 0.3 else 1
    gutter = int(rng.integers(10, 30))
    column_width = (n_cols - 2 * margin - (columns - 1) * gutter) // columns
    y = margin
    roomy = n_rows >= 120  # small pages get plain lines, so they still carry text
    if roomy and n_rows > 6 * line_height and rng.random() < 0.4:  # a heading, bigger type
        heading = _font(rng, min(int(font_size * 1.5), largest + 8))
        words = " ".join(_WORDS[int(rng.integers(len(_WORDS)))] for _ in range(3)).title()
        draw.text((margin, y), words, fill=0, font=heading)
        y += int(line_height * 1.8)
    top = y
    for column in range(columns):
        left = margin + column * (column_width + gutter)
        y = top
        while y + line_height <= n_rows - margin // 2:
            if roomy and rng.random() < 0.08:  # paragraph break
                y += line_height // 2
            indent = roomy and rng.random() < 0.15
            x = left + (int(rng.integers(0, 3 * font_size)) if indent else 0)
            misses = 0
            while misses < 8:  # a few tries, so narrow columns still get short words
                word = _WORDS[int(rng.integers(len(_WORDS)))]
                width = draw.textlength(word + " ", font=font)
                if x + width > left + column_width:
                    misses += 1
                    continue
                draw.text((x, y), word, fill=0, font=font)
                x += width
            y += line_height
    return np.asarray(canvas, dtype=np.float32) / 255.0


# -- multiplicative paper effects (1 = untouched paper, lower = darker) --------------------

def _smooth_field(shape, rng, scale):
    """Smooth random field in [0, 1] whose features are about `scale` pixels wide."""
    field = ndi.gaussian_filter(rng.standard_normal(shape), sigma=scale, mode="wrap")
    field -= field.min()
    return field / max(field.max(), 1e-12)


def _grid(shape):
    return np.mgrid[0:shape[0], 0:shape[1]].astype(np.float32)


def _paper_texture(shape, rng):
    grain = _smooth_field(shape, rng, rng.uniform(0.7, 2.5))
    return rng.uniform(0.78, 0.97) - rng.uniform(0.03, 0.14) * grain


def _blotches(shape, rng):
    field = _smooth_field(shape, rng, rng.uniform(8, 40))
    return 1.0 - rng.uniform(0.1, 0.45) * field ** rng.uniform(1.5, 3.0)


def _ring_distance(shape, rng, size_range, margin=0.0):
    """Distance from a wobbly circle's centre in units of its radius, and the angle.

    The centre lies on the page or up to `margin` of its size past each edge; the radius
    is `size_range` of the page's shorter side, plus 10 pixels.
    """
    rows, cols = _grid(shape)
    centre_r = rng.uniform(-margin, 1.0 + margin) * shape[0]
    centre_c = rng.uniform(-margin, 1.0 + margin) * shape[1]
    radius = rng.uniform(*size_range) * min(shape) + 10
    angle = np.arctan2(rows - centre_r, cols - centre_c)
    wobble = 1.0 + 0.06 * np.sin(3 * angle + rng.uniform(0, 6.3)) \
        + 0.03 * np.sin(7 * angle + rng.uniform(0, 6.3))
    return np.hypot(rows - centre_r, cols - centre_c) / (radius * wobble), angle


def _coffee_rings(shape, rng):
    """Rings left by cups: one to five, often broken into arcs, some past the page's edge.

    The rim is a band with a sharp outer edge, where the drying drop left most of its
    coffee, fading inwards; rims are up to a quarter of the ring's radius wide and can be
    nearly as dark as ink, as on two of the Kaggle stain backgrounds (docs/results.md,
    "Coffee rings as cups leave them").
    """
    factor = np.ones(shape, np.float64)
    for _ in range(int(rng.integers(1, 6))):
        distance, angle = _ring_distance(shape, rng, (0.06, 0.4), margin=0.1)
        thickness = rng.uniform(0.04, 0.25)
        inner_edge = rng.uniform(0.01, 0.08)
        outer_edge = rng.uniform(0.003, 0.015)
        rim = expit((distance - 1.0 + thickness) / inner_edge) \
            * expit((1.0 - distance) / outer_edge)
        # An arc centred on a random direction: a full ring when the offset is above 1.
        arc = np.clip(rng.uniform(-0.3, 1.5) + np.cos(angle - rng.uniform(0, 2 * np.pi)), 0, 1)
        disc = (distance < 1.0) * rng.uniform(0.0, 0.15)
        factor *= 1.0 - rng.uniform(0.2, 0.7) * np.clip(rim * arc + disc * arc, 0, 1)
    return factor


def _tea_stains(shape, rng):
    """A large soft stain whose edge (the tide line) is darker than its inside."""
    distance, _ = _ring_distance(shape, rng, (0.3, 0.9))
    distance = distance + 0.25 * (_smooth_field(shape, rng, rng.uniform(10, 30)) - 0.5)
    inside = 1.0 / (1.0 + np.exp((distance - 1.0) / 0.03))
    tide = np.exp(-(((distance - 1.0) / rng.uniform(0.015, 0.04)) ** 2))
    return 1.0 - rng.uniform(0.08, 0.3) * inside - rng.uniform(0.05, 0.2) * tide


def _sun_spots(shape, rng):
    rows, cols = _grid(shape)
    factor = np.ones(shape, np.float32)
    n_spots = max(4, int(rng.integers(5, 40) * shape[0] * shape[1] / (420 * 540)))
    for _ in range(n_spots):
        r, c = rng.uniform(0, shape[0]), rng.uniform(0, shape[1])
        radius = rng.uniform(1.0, 6.0)
        window = (slice(max(0, int(r - 4 * radius)), int(r + 4 * radius) + 1),
                  slice(max(0, int(c - 4 * radius)), int(c + 4 * radius) + 1))
        d2 = ((rows[window] - r) ** 2 + (cols[window] - c) ** 2) / radius ** 2
        factor[window] *= 1.0 - rng.uniform(0.1, 0.4) * np.exp(-d2)
    return factor


def _yellowing(shape, rng):
    """Aged paper in grey: overall darker, plus darker borders."""
    rows, cols = _grid(shape)
    edge = np.minimum(np.minimum(rows, shape[0] - 1 - rows) / shape[0],
                      np.minimum(cols, shape[1] - 1 - cols) / shape[1])
    border = np.exp(-edge / rng.uniform(0.03, 0.12))
    return rng.uniform(0.85, 0.97) * (1.0 - rng.uniform(0.05, 0.25) * border)


def _folds(shape, rng):
    rows, cols = _grid(shape)
    factor = np.ones(shape, np.float32)
    for _ in range(int(rng.integers(1, 3))):
        angle = rng.uniform(0, np.pi) if rng.random() < 0.4 else rng.choice([0, np.pi / 2]) \
            + rng.normal(0, 0.03)
        span = shape[0] * abs(np.cos(angle)) + shape[1] * abs(np.sin(angle))
        offset = rng.uniform(0.2, 0.8) * span
        signed = rows * np.cos(angle) + cols * np.sin(angle) - offset
        width = rng.uniform(0.6, 2.0)
        crease = np.exp(-(signed / width) ** 2)
        shade = np.tanh(signed / rng.uniform(5, 25))  # one side catches the light
        factor *= 1.0 - rng.uniform(0.15, 0.45) * crease + rng.uniform(0.0, 0.06) * shade
    return factor


def _wrinkles(shape, rng):
    height = _smooth_field(shape, rng, rng.uniform(6, 25))
    grad_r, grad_c = np.gradient(height * rng.uniform(20, 60))
    shading = grad_r * np.cos(rng.uniform(0, 6.3)) + grad_c * np.sin(rng.uniform(0, 6.3))
    return 1.0 - rng.uniform(0.05, 0.2) * np.clip(np.abs(shading), 0, 1)


def _watermark(shape, rng):
    n_rows, n_cols = shape
    size = max(10, int(min(shape) * rng.uniform(0.15, 0.3)))
    word = rng.choice(["DRAFT", "COPY", "CONFIDENTIAL", "SAMPLE", "VOID"])
    canvas = Image.new("L", (n_cols, n_rows), 0)
    ImageDraw.Draw(canvas).text((n_cols * rng.uniform(0.05, 0.3), n_rows * rng.uniform(0.3, 0.6)),
                                word, fill=255, font=_font(rng, size))
    canvas = canvas.rotate(rng.uniform(-40, 40), resample=Image.BILINEAR,
                           center=(n_cols / 2, n_rows / 2))
    mark = ndi.gaussian_filter(np.asarray(canvas, np.float32) / 255.0, rng.uniform(0.5, 2.0))
    return 1.0 - rng.uniform(0.05, 0.2) * mark


def _uneven_light(shape, rng):
    rows, cols = _grid(shape)
    rows, cols = rows / shape[0], cols / shape[1]
    ramp = (rng.uniform(-1, 1) * rows + rng.uniform(-1, 1) * cols) ** 2
    centre = np.hypot(rows - rng.uniform(0.2, 0.8), cols - rng.uniform(0.2, 0.8))
    return (1.0 - rng.uniform(0, 0.3) * ramp) * (1.0 - rng.uniform(0, 0.3) * centre ** 2)


_PAPER_EFFECTS = {
    "paper_texture": _paper_texture, "blotches": _blotches, "coffee_rings": _coffee_rings,
    "tea_stains": _tea_stains, "sun_spots": _sun_spots, "yellowing": _yellowing,
    "folds": _folds, "wrinkles": _wrinkles, "watermark": _watermark,
    "uneven_light": _uneven_light,
}


def _probabilities(overrides, names, kind):
    """``DEGRADATIONS`` restricted to `names`, in their order, with checked `overrides`."""
    probabilities = {name: DEGRADATIONS[name] for name in names}
    for name, probability in (overrides or {}).items():
        if name not in probabilities:
            raise ValueError(f"unknown {kind} {name!r}; known: {sorted(probabilities)}")
        if not 0.0 <= probability <= 1.0:
            raise ValueError(f"probability of {name!r} must be in [0, 1], got {probability}")
        probabilities[name] = probability
    return probabilities


def _draw(probabilities, rng):
    """Which effects a page gets, and a generator of its own for each effect.

    Every decision is drawn before any effect runs, so switching one degradation off
    leaves the others' draws alone.
    """
    applied = {name: rng.random() < p for name, p in probabilities.items()}
    seeds = {name: np.random.default_rng(rng.integers(2**63)) for name in probabilities}
    return applied, seeds


def _stained_paper(shape, applied, seeds, rng):
    """The product of the applied paper effects, exposed like a scan of that paper."""
    paper = np.ones(shape, np.float64)
    for name, effect in _PAPER_EFFECTS.items():
        if applied[name]:
            paper *= effect(shape, seeds[name])
    # A scanner exposes for the paper: however many stains darken it, most of a page still
    # scans light. Without this the product of several effects makes pages far darker than
    # real scans, and models trained on them learn the wrong paper level.
    return np.minimum(paper * (rng.uniform(0.75, 0.92) / np.median(paper)), 1.0)


def _jpeg(page, rng):
    buffer = io.BytesIO()
    Image.fromarray(np.rint(page * 255).astype(np.uint8)).save(
        buffer, format="JPEG", quality=int(rng.integers(25, 85)))
    return np.asarray(Image.open(buffer), np.float32) / 255.0


def make_page(shape=(258, 540), *, random_state=None, degradations=None, text_size=None):
    """One synthetic dirty page and its clean truth.

    Parameters
    ----------
    shape : tuple of int
        ``(rows, columns)``; at least 32 x 32.
    random_state : int, Generator, RandomState or None
        Seed; the same seed gives the same page.
    degradations : dict of str to float, optional
        Probabilities that override ``DEGRADATIONS`` for this page (0 turns one off, 1
        forces it), e.g. ``{"jpeg": 0.0}``.
    text_size : (int, int), optional
        Smallest and largest font size in pixels; by default 12 to 26, less on small pages.

    Returns
    -------
    noisy, clean : (M, N) ndarray of float32
        In [0, 1], the noisy page quantised to 8 bits like a real scan.

    Examples
    --------
    >>> noisy, clean = make_page((64, 96), random_state=1)
    >>> noisy.shape, bool(clean.min() < 0.5 < clean.max()), bool((noisy < 0.99).mean() > 0.5)
    ((64, 96), True, True)
    >>> plain, _ = make_page((64, 96), random_state=1, degradations={"jpeg": 0.0})
    """
    shape = tuple(int(s) for s in shape)
    if len(shape) != 2 or min(shape) < 32:
        raise ValueError(f"shape must be (rows, columns) of at least 32 each, got {shape}")
    probabilities = _probabilities(degradations, DEGRADATIONS, "degradation")
    rng = np.random.default_rng(check_random_state(random_state).randint(2**31 - 1))
    applied, seeds = _draw(probabilities, rng)
    clean = _render_text(shape, rng, text_size=text_size)

    paper = _stained_paper(shape, applied, seeds, rng)

    # The clean page is the text as a clean scan shows it, with the scanner's blur, on
    # white paper. The noisy scan lifts the ink off black (faded ink, or just the scan)
    # and cleaning brings it back, as in the Kaggle pairs, where the truth's strokes are
    # darker than the noisy page's but no sharper.
    clean = clean.astype(np.float64)
    if applied["blur"]:
        clean = ndi.gaussian_filter(clean, sigma=seeds["blur"].uniform(0.4, 1.2))
    else:
        clean = ndi.gaussian_filter(clean, sigma=0.3)
    ink_level = seeds["faded_ink"].uniform(0.15, 0.4) if applied["faded_ink"] else \
        seeds["faded_ink"].uniform(0.0, 0.12)
    if applied["bleed_through"]:
        other = _render_text(shape, seeds["bleed_through"])[:, ::-1]
        other = ndi.gaussian_filter(other, sigma=seeds["bleed_through"].uniform(1.0, 2.5))
        paper = paper * (1.0 - seeds["bleed_through"].uniform(0.08, 0.3) * (1.0 - other))
    noisy = paper * (ink_level + (1.0 - ink_level) * clean)

    if applied["gaussian_noise"]:
        noise = seeds["gaussian_noise"]
        noisy = noisy + noise.normal(0.0, noise.uniform(0.005, 0.04), shape)
    if applied["salt_and_pepper"]:
        dots = seeds["salt_and_pepper"]
        hit = dots.random(shape) < dots.uniform(0.0005, 0.005)
        noisy = np.where(hit, dots.random(shape) < 0.5, noisy)
    noisy = np.clip(noisy, 0.0, 1.0)
    if applied["jpeg"]:
        noisy = _jpeg(noisy, seeds["jpeg"])
    noisy = np.rint(noisy * 255) / 255  # real scans are 8-bit
    return noisy.astype(np.float32), clean.astype(np.float32)


def make_pages(n_pages, shape=(258, 540), *, random_state=None, degradations=None):
    """Several synthetic pages, each with its own seed drawn from `random_state`.

    Returns
    -------
    noisy, clean : list of (M, N) ndarray of float32

    Examples
    --------
    >>> noisy, clean = make_pages(3, shape=(40, 50), random_state=0)
    >>> len(noisy), noisy[2].shape
    (3, (40, 50))
    """
    rng = check_random_state(random_state)
    pairs = [make_page(shape, random_state=int(rng.randint(2**31 - 1)), degradations=degradations)
             for _ in range(n_pages)]
    return [noisy for noisy, _ in pairs], [clean for _, clean in pairs]


def make_synthetic_training_pages(n_pages, *, random_state=None):
    """Synthetic pairs in the Kaggle page sizes (540 wide, 258 or 420 rows), alternating.

    Each page has its own text and its own stains, so it forms its own group for
    cross-group validation. The type is body-text size (13 to 18 pixels, lines about 16
    to 30 pixels apart), that of a letter or report scanned at the Kaggle pages'
    resolution: the models learn stroke edges at the scale they will meet.

    Examples
    --------
    >>> noisy, clean = make_synthetic_training_pages(2, random_state=0)
    >>> [page.shape for page in noisy]
    [(258, 540), (420, 540)]
    """
    rng = check_random_state(random_state)
    pairs = [make_page(((258, 540), (420, 540))[i % 2], random_state=int(rng.randint(2**31 - 1)),
                       text_size=(13, 18))
             for i in range(n_pages)]
    return [noisy for noisy, _ in pairs], [clean for _, clean in pairs]


def paper_under_ink(noisy, clean, *, paper_level=0.99, sigma=3.0):
    """The paper of a training pair, with the ink taken out.

    Where the clean page is paper the noisy page shows the paper itself; under ink the
    paper is the Gaussian-weighted mean of the paper around it, or the nearest paper pixel
    where ink covers more than a few `sigma`.

    Parameters
    ----------
    noisy, clean : (M, N) ndarray
        A noisy page and its truth.
    paper_level : float
        Clean pixels at least this bright are paper.
    sigma : float
        Reach, in pixels, of the mean that fills in under the ink.

    Returns
    -------
    paper : (M, N) ndarray of float64

    Examples
    --------
    >>> import numpy as np
    >>> clean = np.ones((9, 9)); clean[4, 2:7] = 0.0
    >>> noisy = 0.8 * (0.1 + 0.9 * clean)
    >>> bool(np.allclose(paper_under_ink(noisy, clean), 0.8))
    True
    """
    noisy = np.asarray(noisy, np.float64)
    # The pixels next to a stroke are paper in the truth but carry the scan's blur.
    paper = ndi.binary_erosion(np.asarray(clean) >= paper_level, border_value=1)
    if not paper.any():
        return np.full(noisy.shape, np.median(noisy))
    mean, weight = masked_gaussian_mean(noisy, paper, sigma)
    nearest = ndi.distance_transform_edt(~paper, return_distances=False, return_indices=True)
    filled = np.where(weight > 0.05, mean, noisy[tuple(nearest)])
    return np.where(paper, noisy, filled)


def restain_pages(noisy_pages, clean_pages, n_pages, *, random_state=None, degradations=None,
                  lifted_ink=0.0, keep_ink_response=True):
    """New training pairs: the ink of real pairs on new synthetic paper.

    Each new pair takes one real pair at random and swaps its paper (:func:`paper_under_ink`)
    for freshly stained paper (the effects of :func:`make_page`). Ink covers the paper
    rather than tinting it: on the Kaggle pages, whose truth is known, solid strokes scan
    equally dark on light and on stained paper, while the paper shows through grey stroke
    edges in proportion to their truth. So the new page is ``clean * new_paper + (noisy -
    clean * paper)``: the new paper where the truth is paper, the real scan's ink, grain
    and blur where it is ink, and a blend of the two at stroke edges. The clean page is
    the real one, unchanged. So the pairs teach the mapping from a real scan's ink to its
    truth under stains the real pages lack, where fully synthetic pages
    (:func:`make_synthetic_training_pages`) teach a rendered ink that no scanner made.

    On some scans solid ink is not the same on any paper but lighter where the paper is
    darker (:func:`~dirtydocs.features.ink_paper_slope` near -0.8 rather than 0). Such a
    page's ink, kept as it read on its own paper, would be neither kind on the new one;
    so by default the ink keeps its page's lift: ``slope * (1 - clean)**4 * (new_paper -
    paper)`` is added, with the page's `slope` where it is negative, fading out towards
    the stroke edges as `lifted_ink`'s lift does. A positive slope (ink a little darker
    on darker paper) is the paper showing through grey ink, which ``clean * new_paper``
    already carries over.

    Parameters
    ----------
    noisy_pages, clean_pages : sequence of (M, N) array_like
        Real training pairs.
    n_pages : int
        How many pairs to make.
    random_state : int, Generator, RandomState or None
        Seed.
    degradations : dict of str to float, optional
        Probabilities that override ``DEGRADATIONS`` for the paper effects, as in
        :func:`make_page`; the effects on ink and noise do not apply here.
    lifted_ink : float
        Probability that a pair's solid ink is lifted where its new paper is dark: ``lift *
        (1 - clean)**4 * (1 - new_paper)`` is added, with `lift` drawn from
        ``INK_LIFT_RANGE``. Three of the seven Kaggle stain backgrounds scan that way (solid
        ink about ``0.83 - 0.8 * paper``, the effect fading out towards the stroke edges as
        the fourth power does), while on the other four solid ink is as dark on any paper;
        see docs/results.md. Drawn from a generator of its own, so pairs made with 0 (the
        default) are those made before this option. Meant for pages whose own ink covers
        its paper: a page whose ink is lifted already keeps its lift (`keep_ink_response`).
    keep_ink_response : bool
        Lay each page's ink on the new paper with the lift it shows on its own paper (a
        negative :func:`~dirtydocs.features.ink_paper_slope`). False keeps the ink as it
        read on the old paper, as pairs were made before this option (the bundled builds
        up to the twelfth); pages whose slope is not negative, such as ink that covers its
        paper or a page whose paper is too even to tell, come out the same either way.

    Returns
    -------
    noisy, clean : list of (M, N) ndarray of float32
        The noisy pages quantised to 8 bits like a real scan.

    Examples
    --------
    >>> noisy, clean = make_pages(2, shape=(40, 50), random_state=0)
    >>> new_noisy, new_clean = restain_pages(noisy, clean, 3, random_state=0)
    >>> len(new_noisy), new_noisy[0].shape, any(c is clean[0] for c in new_clean)
    (3, (40, 50), True)
    """
    noisy_pages, clean_pages = check_page_pairs(noisy_pages, clean_pages)
    if n_pages < 0:
        raise ValueError(f"n_pages must be at least 0, got {n_pages}")
    if not 0.0 <= lifted_ink <= 1.0:
        raise ValueError(f"lifted_ink must be a probability in [0, 1], got {lifted_ink!r}")
    probabilities = _probabilities(degradations, _PAPER_EFFECTS, "paper effect")
    seed = check_random_state(random_state).randint(2**31 - 1)
    rng = np.random.default_rng(seed)
    lift_rng = np.random.default_rng([seed, 1])
    # What each real page shows beyond its truth times its paper (the ink's own shade, grain
    # and blur), its paper, and how its solid ink moves with that paper.
    sources = {}
    new_noisy, new_clean = [], []
    for _ in range(int(n_pages)):
        source = int(rng.integers(len(noisy_pages)))
        truth = np.asarray(clean_pages[source], np.float64)
        if source not in sources:
            page = np.asarray(noisy_pages[source], np.float64)
            old_paper = paper_under_ink(page, truth)
            slope = (min(ink_paper_slope(noisy_pages[source]), 0.0) if keep_ink_response
                     else 0.0)
            sources[source] = (page - truth * old_paper, old_paper, slope)
        ink_over_paper, old_paper, slope = sources[source]
        applied, seeds = _draw(probabilities, rng)
        paper = _stained_paper(truth.shape, applied, seeds, rng)
        noisy = truth * paper + ink_over_paper
        if slope:
            noisy += slope * (1.0 - truth) ** 4 * (paper - old_paper)
        if lift_rng.random() < lifted_ink:
            noisy += lift_rng.uniform(*INK_LIFT_RANGE) * (1.0 - truth) ** 4 * (1.0 - paper)
        noisy = np.rint(np.clip(noisy, 0.0, 1.0) * 255) / 255
        new_noisy.append(noisy.astype(np.float32))
        new_clean.append(clean_pages[source])
    return new_noisy, new_clean
