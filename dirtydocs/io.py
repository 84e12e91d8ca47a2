"""Read and write pages, dataset folders in the Kaggle layout, and submission files.

Every writer goes through a temporary file in the destination folder and an atomic
rename, so an interrupted run never leaves a half-written output behind.
"""

import contextlib
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, TiffImagePlugin, UnidentifiedImageError

from ._validation import check_page

__all__ = [
    "PageReadError",
    "Dataset",
    "check_page_file",
    "read_page",
    "iter_pages",
    "count_pages",
    "write_page",
    "write_pages",
    "list_pages",
    "load_dataset",
    "write_submission",
    "atomic_output",
]

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp")
TIFF_SUFFIXES = (".tif", ".tiff")
WRITTEN_SUFFIXES = (".png",) + TIFF_SUFFIXES
# How write_page and write_pages save a TIFF page: lossless and compact.
_TIFF_SAVE_OPTIONS = {"format": "TIFF", "compression": "tiff_deflate"}

# TIFF's NewSubfileType tag marks an image that is a reduced-resolution copy of another (a
# thumbnail, bit 0) or a transparency mask (bit 2): such images are not pages.
_NEW_SUBFILE_TYPE = 254
_NOT_A_PAGE = 0b101

# Read once at import: os.umask can only be read by setting it, which is not thread-safe.
_UMASK = os.umask(0o022)
os.umask(_UMASK)


class PageReadError(ValueError):
    """A file could not be read as a page; the message names the file and the problem."""


def _to_grey(image):
    mode = image.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N"):
        return np.asarray(image, dtype=np.uint16) / np.float32(65535)
    if mode == "I":
        values = np.asarray(image, dtype=np.int64)
        high = 255 if values.max(initial=0) <= 255 else 65535
        return np.clip(values, 0, high) / np.float32(high)
    if mode == "F":
        values = np.asarray(image, dtype=np.float32)
        high = float(values.max(initial=0.0))
        scale = 1.0 if high <= 1.0 else (255.0 if high <= 255.0 else 65535.0)
        return np.clip(values / scale, 0.0, 1.0)
    if mode in ("RGBA", "LA", "PA") or (mode == "P" and "transparency" in image.info):
        # Transparent areas are paper: composite over white before dropping colour.
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, rgba)
    if image.mode != "L":
        image = image.convert("L")
    return np.asarray(image, dtype=np.uint8) / np.float32(255)


@contextlib.contextmanager
def _libtiff_decoding():
    """Have Pillow decode TIFFs through libtiff, as it does any compressed TIFF.

    Pillow's own decoder, which it uses for uncompressed TIFFs, scrambles those whose
    orientation tag turns them sideways (5 to 8; seen in Pillow 12.1 and 13.0): it reads the
    stored rows at the turned size. libtiff reads them right. Pillow reads the setting when
    it opens a file or moves to another of its pages, so only those calls need it; while it
    is set, a TIFF opened by another thread is read through libtiff too, which is harmless.
    """
    previous = TiffImagePlugin.READ_LIBTIFF
    TiffImagePlugin.READ_LIBTIFF = True
    try:
        yield
    finally:
        TiffImagePlugin.READ_LIBTIFF = previous


@contextlib.contextmanager
def _open_image(path):
    """Open an image file; any problem, opening or in the body, becomes a PageReadError."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file")
    if path.is_dir():
        raise PageReadError(f"{path}: is a folder, not an image file")
    if path.stat().st_size == 0:
        raise PageReadError(f"{path}: the file is empty")
    try:
        with _libtiff_decoding():
            image = Image.open(path)
        with image:
            yield image
    except PageReadError:
        raise
    except UnidentifiedImageError:
        raise PageReadError(f"{path}: not an image file Pillow can read") from None
    except (OSError, SyntaxError, ValueError) as error:
        raise PageReadError(f"{path}: the image is damaged or truncated ({error})") from None


def check_page_file(path):
    """Check that a file looks like a readable image, without decoding its pixels.

    Cheap enough to run over every input before any work starts, so a bad file stops a
    batch before it writes anything.

    Raises
    ------
    FileNotFoundError, PageReadError
        As :func:`read_page` would for a missing, empty or non-image file.

    Examples
    --------
    >>> from pathlib import Path
    >>> _ = Path("notes.png").write_text("text")
    >>> check_page_file("notes.png")
    Traceback (most recent call last):
    ...
    dirtydocs.io.PageReadError: notes.png: not an image file Pillow can read
    """
    with _open_image(path) as image:
        image.verify()


def _seek(image, index):
    with _libtiff_decoding():
        image.seek(index)


def _page_frames(image):
    """Indices of the frames of an open image that are pages of the document.

    Every frame of a TIFF but thumbnails and masks; only the first frame of other formats
    (the second frame of a camera's MPO JPEG is another picture, not a page).
    """
    if image.format != "TIFF":
        return [0]
    frames = []
    for index in range(image.n_frames):
        _seek(image, index)
        if not image.tag_v2.get(_NEW_SUBFILE_TYPE, 0) & _NOT_A_PAGE:
            frames.append(index)
    return frames or [0]


def _grey_frame(image, path):
    image.load()
    page = _to_grey(ImageOps.exif_transpose(image))
    if page.ndim != 2 or page.size == 0:
        raise PageReadError(f"{path}: expected a 2-D image, got shape {page.shape}")
    return np.ascontiguousarray(page, dtype=np.float32)


def read_page(path):
    """Read an image file as a grey page.

    PNG, JPEG, TIFF and BMP in 8 or 16 bits are accepted; colour, palette and alpha images
    are converted to grey (transparency becomes white paper). A multi-page TIFF gives its
    first page (:func:`iter_pages` gives them all). An orientation tag (EXIF or TIFF), as
    cameras and scanners write, is applied: the page comes out upright, as image viewers
    show it, and so does its cleaned copy.

    Parameters
    ----------
    path : str or os.PathLike
        The image file.

    Returns
    -------
    page : (M, N) ndarray of float32
        Intensities in [0, 1], 1 being white.

    Raises
    ------
    FileNotFoundError
        If `path` does not exist.
    PageReadError
        If the file is empty, not an image, truncated or otherwise unreadable.

    Examples
    --------
    >>> import numpy as np
    >>> write_page("p.png", np.full((4, 6), 0.5))
    >>> read_page("p.png").shape
    (4, 6)
    """
    with contextlib.closing(iter_pages(path)) as pages:
        return next(pages)


def iter_pages(path):
    """Read the pages of an image file one at a time, as :func:`read_page` reads one.

    A multi-page TIFF, as document scanners write, gives each of its pages in order
    (thumbnails and transparency masks stored beside them are skipped); any other file
    gives one page. Only the page being read is held in memory, and the file stays open
    until the last page is read or the iterator is closed.

    Parameters
    ----------
    path : str or os.PathLike
        The image file.

    Yields
    ------
    page : (M, N) ndarray of float32
        Intensities in [0, 1], 1 being white; pages may differ in size.

    Raises
    ------
    FileNotFoundError, PageReadError
        As :func:`read_page`; a damaged page of a multi-page file is named by its number.

    See Also
    --------
    count_pages, write_pages

    Examples
    --------
    >>> import numpy as np
    >>> write_pages("scan.tif", [np.ones((4, 6)), np.zeros((5, 3))])
    >>> [page.shape for page in iter_pages("scan.tif")]
    [(4, 6), (5, 3)]
    """
    with _open_image(path) as image:
        frames = _page_frames(image)
        for number, index in enumerate(frames, start=1):
            try:
                _seek(image, index)
                page = _grey_frame(image, path)
            except (OSError, SyntaxError, ValueError) as error:
                if len(frames) == 1:
                    raise  # _open_image names the file and the problem
                raise PageReadError(f"{path}: page {number} of {len(frames)} is damaged or "
                                    f"unreadable ({error})") from None
            yield page


def _read_only_page(path):
    """The one page of a file, as :func:`read_page` reads it; a multi-page file is an error."""
    with contextlib.closing(iter_pages(path)) as pages:
        page = next(pages)
        if next(pages, None) is not None:
            raise ValueError(f"{path}: holds {count_pages(path)} pages; a training pair is "
                             "one page in each file")
    return page


def count_pages(path):
    """Number of pages :func:`iter_pages` gives for a file, without decoding them.

    Examples
    --------
    >>> import numpy as np
    >>> write_pages("three.tif", [np.ones((2, 2))] * 3)
    >>> write_page("one.png", np.ones((2, 2)))
    >>> count_pages("three.tif"), count_pages("one.png")
    (3, 1)
    """
    with _open_image(path) as image:
        return len(_page_frames(image))


def _to_8bit_image(page, name):
    page = check_page(page, name=name)
    return Image.fromarray(np.rint(page * 255.0).astype(np.uint8), mode="L")


@contextlib.contextmanager
def atomic_output(path, mode="wb"):
    """Open a temporary file beside `path`; rename it onto `path` only on success.

    Examples
    --------
    >>> from pathlib import Path
    >>> with atomic_output("out.txt", "w") as handle:
    ...     _ = handle.write("done")
    >>> Path("out.txt").read_text()
    'done'
    """
    path = Path(path)
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    try:
        # mkstemp makes the file private (0600); give it the mode a plain open() would.
        os.chmod(temporary, 0o666 & ~_UMASK)
        with os.fdopen(descriptor, mode) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def write_page(path, page):
    """Write a page as an 8-bit grey PNG or TIFF, as its name says, atomically.

    Only lossless formats are written: JPEG's blocks would put back some of the noise
    that cleaning took out, around every stroke.

    Parameters
    ----------
    path : str or os.PathLike
        Destination file named ``.png``, ``.tif`` or ``.tiff`` (a TIFF is
        deflate-compressed); its folder is created if missing.
    page : (M, N) array_like
        Intensities in [0, 1] (or an integer image).

    Examples
    --------
    >>> import numpy as np
    >>> write_page("white.png", np.ones((3, 3)))
    >>> float(read_page("white.png").min())
    1.0
    >>> write_page("white.jpg", np.ones((3, 3)))
    Traceback (most recent call last):
    ...
    ValueError: white.jpg: pages are written as .png, .tif or .tiff, not .jpg
    """
    suffix = Path(path).suffix.lower()
    if suffix not in WRITTEN_SUFFIXES:
        raise ValueError(f"{path}: pages are written as .png, .tif or .tiff, "
                         f"not {suffix or 'a name without a suffix'}")
    image = _to_8bit_image(page, str(path))
    with atomic_output(path, "wb") as handle:
        if suffix in TIFF_SUFFIXES:
            image.save(handle, **_TIFF_SAVE_OPTIONS)
        else:
            image.save(handle, format="PNG")


def write_pages(path, pages):
    """Write pages as one multi-page 8-bit grey TIFF (deflate-compressed), atomically.

    Pages are written as they come, so `pages` may be a generator that cleans them one at a
    time: only one is held in memory. If any page is invalid or the generator fails, no
    file is written and an existing one is left as it was.

    Parameters
    ----------
    path : str or os.PathLike
        Destination file, named ``.tif`` or ``.tiff``; its folder is created if missing.
    pages : iterable of (M, N) array_like
        Intensities in [0, 1] (or integer images); at least one; sizes may differ.

    Examples
    --------
    >>> import numpy as np
    >>> write_pages("two.tif", [np.ones((4, 6)), np.full((4, 6), 0.5)])
    >>> [round(float(page.mean()), 3) for page in iter_pages("two.tif")]
    [1.0, 0.502]
    """
    path = Path(path)
    if path.suffix.lower() not in TIFF_SUFFIXES:
        raise ValueError(f"{path}: pages are written as one TIFF file; name it .tif or .tiff")
    with atomic_output(path, "w+b") as handle:
        # Given an open file, the writer leaves closing it to atomic_output.
        with TiffImagePlugin.AppendingTiffWriter(handle) as tiff:
            written = 0
            for written, page in enumerate(pages, start=1):
                _to_8bit_image(page, f"{path} page {written}").save(tiff, **_TIFF_SAVE_OPTIONS)
                tiff.newFrame()
        if not written:
            raise ValueError(f"{path}: no pages to write")


def _natural_key(path):
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", path.name)]


def list_pages(folder):
    """List the image files of a folder in natural order (2.png before 10.png).

    Examples
    --------
    >>> import numpy as np
    >>> from pathlib import Path
    >>> for name in ("10.png", "2.png"):
    ...     write_page(name, np.ones((2, 2)))
    >>> _ = Path("notes.txt").write_text("not a page")
    >>> [path.name for path in list_pages(".")]
    ['2.png', '10.png']
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no such folder")
    files = [p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES]
    return sorted(files, key=_natural_key)


@dataclass
class Dataset:
    """Pages of a folder in the Kaggle layout.

    Attributes
    ----------
    names : list of str
        File stems of the training pages (``"101"`` for ``train/101.png``).
    noisy, clean : list of (M, N) float32 ndarray
        The training pages and their ground truth, paired by file name.
    test_names : list of str
        File stems of the test pages (no truth).
    test_paths : list of Path
        Their files; read them with :func:`read_page` when needed.
    """

    names: list = field(default_factory=list)
    noisy: list = field(default_factory=list)
    clean: list = field(default_factory=list)
    test_names: list = field(default_factory=list)
    test_paths: list = field(default_factory=list)


def load_dataset(root, *, with_train=True):
    """Load a dataset folder laid out as ``train/``, ``train_cleaned/`` and ``test/``.

    Training pages are paired with their clean partner by file name.

    Parameters
    ----------
    root : str or os.PathLike
        The dataset folder. ``test/`` is optional.
    with_train : bool
        Read the training pairs (set False to list the test pages only).

    Returns
    -------
    Dataset

    Raises
    ------
    FileNotFoundError
        If `root` or its ``train/`` / ``train_cleaned/`` folders are missing.
    ValueError
        If a page has no partner, a pair differs in size (both files are named) or a file
        holds several pages.

    Examples
    --------
    >>> import numpy as np
    >>> write_page("data/train/1.png", np.full((5, 7), 0.4))
    >>> write_page("data/train_cleaned/1.png", np.ones((5, 7)))
    >>> data = load_dataset("data")
    >>> data.names, data.noisy[0].shape
    (['1'], (5, 7))
    """
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"{root}: no such dataset folder")
    data = Dataset()
    if with_train:
        noisy_dir, clean_dir = root / "train", root / "train_cleaned"
        for folder in (noisy_dir, clean_dir):
            if not folder.is_dir():
                raise FileNotFoundError(
                    f"{folder}: missing; a dataset folder needs train/ and train_cleaned/"
                )
        noisy_files = {p.stem: p for p in list_pages(noisy_dir)}
        clean_files = {p.stem: p for p in list_pages(clean_dir)}
        for stem, noisy_path in noisy_files.items():
            if stem not in clean_files:
                raise ValueError(
                    f"{noisy_path}: has no clean partner {clean_dir / noisy_path.name}"
                )
        for stem, clean_path in clean_files.items():
            if stem not in noisy_files:
                raise ValueError(
                    f"{clean_path}: has no noisy partner {noisy_dir / clean_path.name}"
                )
        if not noisy_files:
            raise ValueError(f"{noisy_dir}: holds no image files")
        for stem, noisy_path in noisy_files.items():
            noisy, clean = _read_only_page(noisy_path), _read_only_page(clean_files[stem])
            if noisy.shape != clean.shape:
                raise ValueError(
                    f"{noisy_path} is {noisy.shape[1]}x{noisy.shape[0]} but its partner "
                    f"{clean_files[stem]} is {clean.shape[1]}x{clean.shape[0]}"
                )
            data.names.append(stem)
            data.noisy.append(noisy)
            data.clean.append(clean)
    test_dir = root / "test"
    if test_dir.is_dir():
        data.test_paths = list_pages(test_dir)
        data.test_names = [p.stem for p in data.test_paths]
    return data


def write_submission(path, named_pages):
    """Stream a Kaggle submission CSV (``id,value``) for pages given one at a time.

    Each pixel gets the id ``<image>_<row>_<col>`` with 1-based row and column. Pages are
    consumed lazily, so a whole test folder never sits in memory; the file appears only
    once it is complete.

    Parameters
    ----------
    path : str or os.PathLike
        The CSV to write.
    named_pages : iterable of (str, (M, N) array_like)
        Image id and cleaned page, in the order they should appear.

    Returns
    -------
    n_rows : int
        Pixels written.

    Examples
    --------
    >>> import numpy as np
    >>> from pathlib import Path
    >>> write_submission("sub.csv", [("1", np.array([[0.0, 1.0]]))])
    2
    >>> print(Path("sub.csv").read_text().strip())
    id,value
    1_1_1,0
    1_1_2,1
    """
    n_rows = 0
    with atomic_output(path, "w") as handle:
        handle.write("id,value\n")
        for name, page in named_pages:
            page = check_page(page, name=str(name))
            columns = [f"_{c}," for c in range(1, page.shape[1] + 1)]
            for row_index, row in enumerate(page, start=1):
                prefix = f"{name}_{row_index}"
                values = np.char.mod("%.6g", row)
                handle.write(
                    "".join(f"{prefix}{col}{value}\n" for col, value in zip(columns, values))
                )
            n_rows += page.size
    return n_rows
