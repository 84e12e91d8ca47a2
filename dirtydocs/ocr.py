"""OCR-aware evaluation: tesseract's character error rate on noisy and cleaned pages.

Optional: needs the ``pytesseract`` package and the ``tesseract`` program
(``pip install dirtydocs[ocr]`` and, on Debian/Ubuntu, ``apt install tesseract-ocr``).
The reference text is tesseract's reading of the *clean* page, so the figure measures
how much of what tesseract can read the noise destroys and the cleaning restores, not
tesseract's own mistakes.
"""

import shutil

import numpy as np

__all__ = ["OCRUnavailable", "check_ocr_available", "read_text", "character_errors"]


class OCRUnavailable(RuntimeError):
    """pytesseract or the tesseract program is missing."""


def check_ocr_available():
    """Raise :class:`OCRUnavailable` with what to install when OCR cannot run."""
    try:
        import pytesseract
    except ImportError:
        raise OCRUnavailable(
            "OCR evaluation needs the pytesseract package: pip install 'dirtydocs[ocr]' "
            "(and the tesseract program, e.g. apt install tesseract-ocr)") from None
    command = pytesseract.pytesseract.tesseract_cmd
    if shutil.which(command) is None:
        raise OCRUnavailable(
            f"OCR evaluation needs the tesseract program ({command!r} is not on PATH): "
            "install it, e.g. apt install tesseract-ocr or brew install tesseract")


def read_text(page):
    """tesseract's text of a page in [0, 1], whitespace runs collapsed to single spaces."""
    import pytesseract
    from PIL import Image

    image = Image.fromarray(np.rint(np.clip(page, 0, 1) * 255).astype(np.uint8))
    return " ".join(pytesseract.image_to_string(image).split())


def character_errors(reference, hypothesis):
    """Levenshtein distance between two strings (insertions, deletions, substitutions).

    The character error rate is this divided by ``len(reference)``.

    Examples
    --------
    >>> character_errors("kitten", "sitting")
    3
    >>> character_errors("", "abc"), character_errors("same", "same")
    (3, 0)
    """
    if len(reference) < len(hypothesis):
        reference, hypothesis = hypothesis, reference
    previous = np.arange(len(hypothesis) + 1)
    target = np.frombuffer(hypothesis.encode("utf-32-le"), dtype=np.uint32)
    for i, char in enumerate(reference, start=1):
        substitution = previous[:-1] + (target != ord(char))
        current = np.empty_like(previous)
        current[0] = i
        current[1:] = np.minimum(previous[1:] + 1, substitution)
        # Insertions chain along the row: current[j] = min(current[j], current[j-1] + 1)
        # for every j at once is a running minimum of current[j] - j.
        steps = np.arange(len(current))
        current = np.minimum.accumulate(current - steps) + steps
        previous = current
    return int(previous[-1])
