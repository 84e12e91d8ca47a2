import os

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from PIL import Image, TiffImagePlugin

from dirtydocs.io import (
    PageReadError,
    atomic_output,
    count_pages,
    iter_pages,
    list_pages,
    load_dataset,
    read_page,
    write_page,
    write_pages,
    write_submission,
)


@pytest.fixture
def gradient():
    return np.tile(np.arange(256, dtype=np.uint8), (3, 1))


@pytest.mark.parametrize("suffix", [".png", ".tif", ".bmp"])
def test_read_8bit_grey(tmp_path, gradient, suffix):
    path = tmp_path / f"page{suffix}"
    Image.fromarray(gradient, mode="L").save(path)
    page = read_page(path)
    assert page.dtype == np.float32 and page.shape == (3, 256)
    assert_allclose(page, gradient / 255.0, atol=1e-7)


@pytest.mark.parametrize("suffix", [".png", ".tif"])
def test_read_16bit_grey(tmp_path, suffix):
    values = np.array([[0, 1000, 65535]], dtype=np.uint16)
    path = tmp_path / f"deep{suffix}"
    Image.fromarray(values).save(path)
    assert_allclose(read_page(path), values / 65535.0, atol=1e-7)


def test_read_colour_palette_and_alpha(tmp_path):
    rgb = np.zeros((2, 2, 3), np.uint8)
    rgb[0, 0] = (255, 255, 255)
    Image.fromarray(rgb, mode="RGB").save(tmp_path / "rgb.png")
    assert_array_equal(read_page(tmp_path / "rgb.png"), [[1, 0], [0, 0]])

    Image.fromarray(rgb, mode="RGB").convert("P").save(tmp_path / "palette.png")
    assert_array_equal(read_page(tmp_path / "palette.png"), [[1, 0], [0, 0]])

    rgba = np.zeros((1, 2, 4), np.uint8)
    rgba[0, 1, 3] = 255  # opaque black beside a transparent pixel
    Image.fromarray(rgba, mode="RGBA").save(tmp_path / "alpha.png")
    assert_array_equal(read_page(tmp_path / "alpha.png"), [[1, 0]])


NEW_SUBFILE_TYPE, ORIENTATION = 254, 0x0112  # TIFF (and EXIF) tags

UPRIGHT = {  # how a viewer turns the stored rows for each EXIF/TIFF orientation
    1: lambda a: a, 2: np.fliplr, 3: lambda a: np.rot90(a, 2), 4: np.flipud,
    5: np.transpose, 6: lambda a: np.rot90(a, -1), 7: lambda a: np.rot90(a, 2).T,
    8: lambda a: np.rot90(a, 1),
}


@pytest.mark.parametrize("orientation", sorted(UPRIGHT))
@pytest.mark.parametrize("suffix, options", [
    (".png", {}), (".tif", {}), (".tif", {"compression": "tiff_lzw"}),
], ids=["png", "tiff", "tiff-lzw"])
def test_read_applies_the_orientation_tag(tmp_path, orientation, suffix, options):
    # A camera or scanner stores the sensor's rows and a tag saying how to turn them;
    # viewers show the page turned, and so must the page that is cleaned and written back.
    # Pillow's own decoder, used for uncompressed TIFFs, scrambled those turned sideways.
    stored = np.arange(12, dtype=np.uint8).reshape(3, 4) * 20
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    path = tmp_path / f"photo{suffix}"
    Image.fromarray(stored, mode="L").save(path, exif=exif, **options)
    assert_array_equal(read_page(path), UPRIGHT[orientation](stored) / np.float32(255))


def test_read_jpeg_is_close(tmp_path, gradient):
    Image.fromarray(gradient, mode="L").save(tmp_path / "page.jpg", quality=95)
    assert_allclose(read_page(tmp_path / "page.jpg"), gradient / 255.0, atol=0.03)


def test_read_errors_name_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.png"):
        read_page(tmp_path / "missing.png")
    (tmp_path / "empty.png").write_bytes(b"")
    with pytest.raises(PageReadError, match="empty.png: the file is empty"):
        read_page(tmp_path / "empty.png")
    (tmp_path / "notes.png").write_text("not a picture")
    with pytest.raises(PageReadError, match="notes.png: not an image"):
        read_page(tmp_path / "notes.png")
    write_page(tmp_path / "whole.png", np.random.default_rng(0).random((50, 50)))
    data = (tmp_path / "whole.png").read_bytes()
    (tmp_path / "cut.png").write_bytes(data[: len(data) // 2])
    with pytest.raises(PageReadError, match="cut.png: the image is damaged or truncated"):
        read_page(tmp_path / "cut.png")
    with pytest.raises(PageReadError, match="is a folder"):
        read_page(tmp_path)


def test_write_round_trips_8bit(tmp_path):
    page = np.random.default_rng(1).random((7, 9)).astype(np.float32)
    write_page(tmp_path / "sub" / "p.png", page)
    assert_allclose(read_page(tmp_path / "sub" / "p.png"), page, atol=0.5 / 255 + 1e-7)
    with Image.open(tmp_path / "sub" / "p.png") as image:
        assert image.mode == "L" and image.format == "PNG"


@pytest.mark.parametrize("name", ["p.tif", "p.TIFF"])
def test_write_page_writes_a_tiff_when_named_so(tmp_path, name):
    page = np.random.default_rng(2).random((5, 8)).astype(np.float32)
    write_page(tmp_path / name, page)
    assert_allclose(read_page(tmp_path / name), page, atol=0.5 / 255 + 1e-7)
    with Image.open(tmp_path / name) as image:
        assert image.mode == "L" and image.format == "TIFF"
        assert image.info["compression"] == "tiff_adobe_deflate"


@pytest.mark.parametrize("name, named", [("p.jpg", "not .jpg"), ("p.bmp", "not .bmp"),
                                         ("p", "not a name without a suffix")])
def test_write_page_refuses_other_formats_and_writes_nothing(tmp_path, name, named):
    with pytest.raises(ValueError, match=f"{name}: pages are written as .png, .tif or .tiff, "
                                         f"{named}"):
        write_page(tmp_path / name, np.ones((2, 2)))
    assert list(tmp_path.iterdir()) == []


def test_failed_write_leaves_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "page.png"
    write_page(target, np.ones((2, 2)))
    before = target.read_bytes()
    with pytest.raises(ValueError):
        write_page(target, np.full((2, 2), 7.0))
    with pytest.raises(RuntimeError):
        with atomic_output(target) as handle:
            handle.write(b"partial")
            raise RuntimeError("interrupted")
    assert target.read_bytes() == before
    assert os.listdir(tmp_path) == ["page.png"]


def _scanner_tiff(path, frames):
    """A multi-page TIFF of (8-bit array, {tag: value}, save options) frames."""
    with TiffImagePlugin.AppendingTiffWriter(str(path), new=True) as tiff:
        for pixels, tags, options in frames:
            info = TiffImagePlugin.ImageFileDirectory_v2()
            for tag, value in tags.items():
                info[tag] = value
            Image.fromarray(pixels, mode="L").save(tiff, tiffinfo=info, **options)
            tiff.newFrame()


def test_iter_pages_gives_every_page_of_a_tiff_and_skips_its_thumbnails(tmp_path):
    rng = np.random.default_rng(2)
    first, second, third = (rng.integers(0, 256, shape, dtype=np.uint8)
                            for shape in [(6, 9), (7, 5), (4, 4)])
    thumbnail = first[::3, ::3].copy()
    _scanner_tiff(tmp_path / "scan.tif", [
        (first, {NEW_SUBFILE_TYPE: 0}, {}), (thumbnail, {NEW_SUBFILE_TYPE: 1}, {}),
        (second, {}, {"compression": "tiff_lzw"}),
        (third, {NEW_SUBFILE_TYPE: 2}, {}),  # bit 1: one page of several, a page all the same
    ])
    pages = list(iter_pages(tmp_path / "scan.tif"))
    assert [page.shape for page in pages] == [(6, 9), (7, 5), (4, 4)]
    for page, stored in zip(pages, [first, second, third]):
        assert_array_equal(page, stored / np.float32(255))
    assert count_pages(tmp_path / "scan.tif") == 3
    assert_array_equal(read_page(tmp_path / "scan.tif"), pages[0])

    write_page(tmp_path / "one.png", first / 255.0)
    assert count_pages(tmp_path / "one.png") == 1
    assert [p.shape for p in iter_pages(tmp_path / "one.png")] == [(6, 9)]


def test_iter_pages_turns_each_page_by_its_own_orientation(tmp_path):
    stored = np.arange(12, dtype=np.uint8).reshape(3, 4) * 20
    _scanner_tiff(tmp_path / "mixed.tif",
                  [(stored, {ORIENTATION: orientation}, {}) for orientation in (6, 1, 8)])
    pages = list(iter_pages(tmp_path / "mixed.tif"))
    for page, orientation in zip(pages, (6, 1, 8), strict=True):
        assert_array_equal(page, UPRIGHT[orientation](stored) / np.float32(255))
    assert_array_equal(read_page(tmp_path / "mixed.tif"), pages[0])


def test_write_pages_round_trips_and_streams(tmp_path):
    rng = np.random.default_rng(3)
    pages = [rng.random((5, 8)).astype(np.float32), rng.random((9, 4)).astype(np.float32)]
    handed_out = []

    def one_at_a_time():
        for page in pages:
            handed_out.append(page)
            yield page

    write_pages(tmp_path / "sub" / "out.tiff", one_at_a_time())
    back = list(iter_pages(tmp_path / "sub" / "out.tiff"))
    assert len(back) == len(handed_out) == 2
    for page, read in zip(pages, back):
        assert_allclose(read, page, atol=0.5 / 255 + 1e-7)
    with Image.open(tmp_path / "sub" / "out.tiff") as image:
        assert image.format == "TIFF" and image.mode == "L" and image.n_frames == 2


def test_failed_write_pages_leaves_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "doc.tif"
    write_pages(target, [np.ones((2, 2))])
    before = target.read_bytes()

    def fails_on_the_second_page():
        yield np.zeros((2, 2))
        raise RuntimeError("cleaning failed")

    with pytest.raises(RuntimeError, match="cleaning failed"):
        write_pages(target, fails_on_the_second_page())
    with pytest.raises(ValueError, match="doc.tif page 2"):
        write_pages(target, [np.ones((2, 2)), np.full((2, 2), 7.0)])
    with pytest.raises(ValueError, match="doc.tif: no pages to write"):
        write_pages(target, [])
    with pytest.raises(ValueError, match="doc.png: pages are written as one TIFF"):
        write_pages(tmp_path / "doc.png", [np.ones((2, 2))])
    assert target.read_bytes() == before
    assert os.listdir(tmp_path) == ["doc.tif"]


def test_a_damaged_page_of_a_tiff_is_named(tmp_path):
    pixels = np.random.default_rng(4).integers(0, 256, (40, 40), dtype=np.uint8)
    _scanner_tiff(tmp_path / "scan.tif", [(pixels, {}, {"compression": "tiff_deflate"})] * 3)
    data = bytearray((tmp_path / "scan.tif").read_bytes())
    with Image.open(tmp_path / "scan.tif") as image:
        image.seek(1)
        offset = image.tag_v2[273][0]  # where the second page's compressed rows start
    data[offset:offset + 64] = bytes(64)
    (tmp_path / "damaged.tif").write_bytes(bytes(data))
    pages = iter_pages(tmp_path / "damaged.tif")
    assert next(pages).shape == (40, 40)
    with pytest.raises(PageReadError, match="damaged.tif: page 2 of 3 is damaged"):
        next(pages)


def _dataset(root, names, shapes=None, clean_names=None):
    rng = np.random.default_rng(0)
    shapes = shapes or {}
    for name in names:
        write_page(root / "train" / f"{name}.png", rng.random(shapes.get(name, (6, 8))))
    for name in clean_names if clean_names is not None else names:
        write_page(root / "train_cleaned" / f"{name}.png", np.ones((6, 8)))


def test_load_dataset_pairs_by_name_in_natural_order(tmp_path):
    _dataset(tmp_path, ["10", "2", "1"])
    write_page(tmp_path / "test" / "3.png", np.ones((4, 4)))
    data = load_dataset(tmp_path)
    assert data.names == ["1", "2", "10"]
    assert len(data.noisy) == len(data.clean) == 3
    assert data.test_names == ["3"]
    assert [p.name for p in list_pages(tmp_path / "test")] == ["3.png"]


def test_load_dataset_refuses_a_multi_page_training_file(tmp_path):
    _dataset(tmp_path, ["1"])
    write_pages(tmp_path / "train" / "2.tif", [np.ones((6, 8))] * 2)
    write_pages(tmp_path / "train_cleaned" / "2.tif", [np.ones((6, 8))])
    with pytest.raises(ValueError, match=r"train/2.tif: holds 2 pages"):
        load_dataset(tmp_path)


def test_load_dataset_errors_name_both_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such dataset folder"):
        load_dataset(tmp_path / "nowhere")
    _dataset(tmp_path / "a", ["1", "2"], clean_names=["1"])
    with pytest.raises(ValueError, match=r"train/2.png: has no clean partner .*train_cleaned/2"):
        load_dataset(tmp_path / "a")
    _dataset(tmp_path / "b", ["1"], clean_names=["1", "5"])
    with pytest.raises(ValueError, match=r"train_cleaned/5.png: has no noisy partner"):
        load_dataset(tmp_path / "b")
    _dataset(tmp_path / "c", ["1"], shapes={"1": (6, 9)})
    with pytest.raises(ValueError, match=r"train/1.png is 9x6 but its partner .*is 8x6"):
        load_dataset(tmp_path / "c")
    (tmp_path / "d" / "train").mkdir(parents=True)
    with pytest.raises(FileNotFoundError, match="train_cleaned: missing"):
        load_dataset(tmp_path / "d")


def test_submission_ids_are_one_based_and_complete(tmp_path):
    pages = [("7", np.array([[0.25, 0.5, 1.0], [0.0, 0.125, 0.75]])), ("8", np.ones((1, 1)))]
    assert write_submission(tmp_path / "s.csv", iter(pages)) == 7
    lines = (tmp_path / "s.csv").read_text().splitlines()
    assert lines[0] == "id,value"
    assert lines[1:] == ["7_1_1,0.25", "7_1_2,0.5", "7_1_3,1", "7_2_1,0", "7_2_2,0.125",
                         "7_2_3,0.75", "8_1_1,1"]


def test_submission_not_written_when_a_page_fails(tmp_path):
    def pages():
        yield "1", np.ones((2, 2))
        raise ValueError("bad page")

    with pytest.raises(ValueError, match="bad page"):
        write_submission(tmp_path / "s.csv", pages())
    assert not any(tmp_path.iterdir())
