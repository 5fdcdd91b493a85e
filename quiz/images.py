"""A question's image, its one home: what an upload or an imported file must be, how it is stored
and who may see it.

Every image is opened with Pillow — never trusted by its name or first bytes — inside caps on
its size in bytes and in pixels (checked from the header, before the pixels are decoded, so a
small file that inflates to gigapixels is refused), then decoded and written again as WebP, at
most MAX_SIDE pixels on its longer side, without its metadata (EXIF, GPS, comments). What is
stored is therefore always an image we wrote ourselves. It is named by the SHA-256 of those
bytes (content-addressed: the sealed key file holds the same SHA-256) under PRIVATE_MEDIA_ROOT,
and served only by `quiz.views.question_image` to a contestant whose attempt drew the question
and to the office (docs/decisions.md)."""

import hashlib
import io
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024  # an upload or a file in the import's zip
MAX_PIXELS = 40_000_000  # width × height from the header, before decoding
MAX_SIDE = 1600  # the stored image's longer side
FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
QUALITY = 85
DIRECTORY = "questions"


@dataclass(frozen=True)
class PreparedImage:
    data: bytes  # WebP, written by us
    sha256: str
    width: int
    height: int

    @property
    def name(self) -> str:
        return f"{DIRECTORY}/{self.sha256}.webp"


def image_prepare(data: bytes, *, name: str = "") -> PreparedImage:
    """Check an image and write it again as WebP. ValidationError (Vietnamese, naming the file)
    for anything that is not a JPEG, PNG, WebP or GIF image within the caps."""
    label = name or _("hình ảnh")
    if len(data) > MAX_BYTES:
        raise ValidationError(
            _("Ảnh «%(name)s» lớn quá %(mb)d MB.") % {"name": label, "mb": MAX_BYTES // (1024 * 1024)}, code="too_big"
        )
    not_an_image = ValidationError(
        _("Tệp «%(name)s» không phải ảnh JPEG, PNG, WebP hoặc GIF hợp lệ.") % {"name": label}, code="invalid"
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in FORMATS:
                    raise not_an_image
                width, height = probe.size
                if width * height > MAX_PIXELS:
                    raise ValidationError(
                        _("Ảnh «%(name)s» quá nhiều điểm ảnh (%(w)d × %(h)d).") % {"name": label, "w": width, "h": height},
                        code="too_many_pixels",
                    )
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                image = ImageOps.exif_transpose(image)
                image = image.convert("RGBA" if _has_alpha(image) else "RGB")
                image.thumbnail((MAX_SIDE, MAX_SIDE))
                out = io.BytesIO()
                image.save(out, format="WEBP", quality=QUALITY, method=4)
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as exc:  # fmt: skip
        raise not_an_image from exc
    written = out.getvalue()
    return PreparedImage(written, hashlib.sha256(written).hexdigest(), image.width, image.height)


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)


def image_store(image: PreparedImage) -> str:
    """Write the image under its content-addressed name (once: the same bytes are the same file)."""
    from django.core.files.base import ContentFile

    from contests.storage import private_storage

    storage = private_storage()
    if not storage.exists(image.name):
        if not image.data:
            raise FileNotFoundError(image.name)
        storage.save(image.name, ContentFile(image.data))
    return image.name


def image_read(name: str) -> bytes:
    from contests.storage import private_storage

    with private_storage().open(name, "rb") as handle:
        return handle.read()
