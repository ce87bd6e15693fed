"""Deciding and cleaning one uploaded file (issue 13): what we keep is never what was sent.

`clean(data, max_bytes=...)` either returns a `CleanFile` (the bytes to store, their type and
a preview) or raises `FileRefused` with a Dutch message for the uploader and a short reason
code. No Flask request and no database here: the web layer (attach-web) decides who may
upload and where the result goes (app.storage).

What happens, in order:

1. Size: more than `max_bytes` (or nothing at all) is refused before anything is decoded.
2. Virus scan (app.virusscan), when a scanner is given: the ORIGINAL bytes. A flagged file is
   refused; a scanner that cannot answer refuses the file when scanning is required and lets
   it go on (logged) when it is not. Never unscanned when required.
3. Type, from the content only (the `filetype` library reads the signature; the name and the
   browser's claim are never asked): PNG, JPEG, WebP, HEIC/HEIF and PDF. Everything else (SVG,
   GIF, HTML, ZIP, executables, text, AVIF, TIFF, ...) is refused.
4. Images are decoded fully with Pillow, only with the decoder of the type found in step 3,
   under an explicit pixel limit checked from the header before any pixel is decoded (a pixel
   flood is refused as a "bomb"; Pillow's own DecompressionBombWarning counts as an error
   too). The EXIF orientation is applied, colours are converted to sRGB when the file carries
   an ICC profile, and a NEW image is built from the bare pixels and encoded again: no EXIF,
   no XMP, no ICC profile, no text chunks, no comments, nothing appended. Animated images
   (APNG, animated WebP) keep their first frame only: a still is what a report needs; so do
   files with several pictures (MPO from cameras, HEIF with depth maps and thumbnails). HEIC
   (phones) is stored as JPEG, which every browser shows. Every image gets a preview of at most
   PREVIEW_SIDE pixels on its longest side, encoded the same way.
5. PDFs are opened with pikepdf (qpdf). One that needs a password is refused ("encrypted");
   one with only an owner password (restrictions) is written without it. Removed: the
   document information dictionary, every XMP /Metadata stream (catalog, pages, fonts,
   images), /PieceInfo and /LastModified, the author (/T) and dates of comments, JavaScript,
   /OpenAction and /AA, actions that run, launch, submit or import (links to web addresses
   and within the document stay; a link to a local file, which names its author's folders,
   goes), embedded files and file-attachment comments, XFA forms, digital signatures (they
   name their signer, and no longer fit the rewritten file anyway).
   The APP segments (EXIF, XMP, maker notes, Photoshop data) and comments inside embedded
   JPEG images are dropped without decoding them. A fresh file is written with an /ID made
   from the content (the original /ID can derive from the author's file path and time), so
   anything after %%EOF (a PDF/ZIP polyglot), earlier revisions (incremental updates) and
   unreferenced objects are gone. Streams are copied without being decompressed: a PDF that
   inflates to gigabytes costs no memory; one with more than MAX_PDF_OBJECTS objects is refused.
"""

from __future__ import annotations

import io
import logging
import struct
from dataclasses import dataclass
from typing import TYPE_CHECKING

import filetype
import pikepdf
import pillow_heif
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageCms, ImageFile, ImageOps, UnidentifiedImageError

if TYPE_CHECKING:
    from app.virusscan import Scanner

log = logging.getLogger(__name__)

# HEIC/HEIF from phones. Only the opener is registered: Pillow then reads HEIF when asked
# for it by name below (formats=...), never on its own guess.
pillow_heif.register_heif_opener()
# A file that ends early is malformed; never fill the rest with grey.
ImageFile.LOAD_TRUNCATED_IMAGES = False

# The most pixels an image may have: a 48-megapixel phone photo (8000 x 6000) fits; a pixel
# flood (a tiny file claiming 30000 x 30000) does not. Decoded as RGBA it takes at most
# 4 bytes a pixel, so about 200 MB while one file is cleaned.
MAX_PIXELS = 50_000_000
# The longest side of an image's preview, in pixels.
PREVIEW_SIDE = 640
# A PDF with more objects than this is refused (a letter has tens, a 500-page report a few
# thousand): each one is visited to strip it.
MAX_PDF_OBJECTS = 100_000
JPEG_QUALITY = 90
WEBP_QUALITY = 90

# filetype's MIME types -> what we do with them: (kind, Pillow format to decode with).
_IMAGE_FORMATS = {
    "image/png": "PNG",
    "image/apng": "PNG",  # animated PNG: its first frame
    "image/jpeg": "JPEG",
    "image/webp": "WEBP",
    "image/heic": "HEIF",
    "image/heif": "HEIF",
}
# Pillow format -> how the cleaned image is stored: (Pillow format, media type, extension).
_STORED_AS = {
    "PNG": ("PNG", "image/png", "png"),
    "JPEG": ("JPEG", "image/jpeg", "jpg"),
    "WEBP": ("WEBP", "image/webp", "webp"),
    "HEIF": ("JPEG", "image/jpeg", "jpg"),  # browsers cannot show HEIC
}

# What a file field may offer (<input type=file accept=...>): a hint for the browser's picker
# only; the content decides.
ACCEPTED_MEDIA_TYPES = ("image/png", "image/jpeg", "image/webp", "image/heic", "image/heif", "application/pdf")
ACCEPT_ATTRIBUTE = ",".join((*ACCEPTED_MEDIA_TYPES, ".png", ".jpg", ".jpeg", ".webp", ".heic", ".heif", ".pdf"))

MESSAGES = {
    "empty": _l("Dit bestand is leeg. Kies een ander bestand."),
    "too_large": _l("Dit bestand is te groot: het mag maximaal %(limit)s zijn. Kies een kleiner bestand."),
    "type": _l(
        "Dit bestand is geen afbeelding (PNG, JPEG, WebP of HEIC) of PDF. Alleen die soorten bestanden kunt u toevoegen."
    ),
    "bomb": _l(
        "Dit bestand is te groot om te openen: de afbeelding heeft te veel pixels of het bestand pakt uit tot iets heel groots. Kies een kleiner bestand."
    ),
    "malformed": _l("Dit bestand is beschadigd of onvolledig en kan niet worden geopend. Kies een ander bestand."),
    "encrypted": _l(
        "Deze PDF is beveiligd met een wachtwoord. Bewaar hem zonder wachtwoord en voeg hem dan opnieuw toe."
    ),
    "infected": _l("In dit bestand is mogelijk een virus gevonden. Het is niet opgeslagen."),
    "scanner_down": _l(
        "Bestanden kunnen op dit moment niet op virussen worden gecontroleerd. Uw bestand is niet opgeslagen. Probeer het over een paar minuten opnieuw."
    ),
}


class FileRefused(Exception):
    """A file we will not keep. `str(exc)` / `exc.message`: a clear Dutch message for the
    uploader (through gettext); `exc.reason`: a short English code for logs and tests
    ("empty", "too_large", "type", "bomb", "malformed", "encrypted", "infected",
    "scanner_down"); `exc.detail`: what the library said, for the log only (never shown)."""

    def __init__(self, reason: str, *, detail: str = "", **values):
        self.reason = reason
        self.detail = detail
        self._values = values
        super().__init__(reason)

    @property
    def message(self) -> str:
        text = MESSAGES[self.reason]
        return str(text % self._values if self._values else text)

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class CleanFile:
    content: bytes  # what we store: the re-encoded image or the rewritten PDF
    media_type: str  # "image/png" | "image/jpeg" | "image/webp" | "application/pdf"
    extension: str  # "png" | "jpg" | "webp" | "pdf"
    kind: str  # "image" | "pdf"
    preview: bytes | None  # images: longest side <= PREVIEW_SIDE, encoded like `content`
    preview_media_type: str | None
    width: int | None = None
    height: int | None = None
    pages: int | None = None


def clean(
    data: bytes,
    *,
    max_bytes: int,
    scanner: Scanner | None = None,
    scan_required: bool = False,
    max_pixels: int = MAX_PIXELS,
) -> CleanFile:
    """The file to keep, made from `data`, or FileRefused (see the module's docstring)."""
    try:
        return _clean(data, max_bytes, scanner, scan_required, max_pixels)
    except FileRefused as exc:
        log.info("upload refused (%s): %s", exc.reason, exc.detail[:300])
        raise


def _clean(data: bytes, max_bytes: int, scanner: Scanner | None, scan_required: bool, max_pixels: int) -> CleanFile:
    if not data:
        raise FileRefused("empty")
    if len(data) > max_bytes:
        from app.formatting import file_size

        raise FileRefused("too_large", limit=file_size(max_bytes))
    _scan(data, scanner, scan_required)
    media_type = _sniff(data)
    if media_type == "application/pdf":
        return _clean_pdf(data)
    return _clean_image(data, _IMAGE_FORMATS[media_type], max_pixels)


# --- virus scan ----------------------------------------------------------------------------


def _scan(data: bytes, scanner: Scanner | None, required: bool) -> None:
    from app.virusscan import ScannerUnavailable

    if scanner is None:
        if required:  # a required scan without a scanner is a configuration error: never pass
            raise FileRefused("scanner_down", detail="scanning required but no scanner configured")
        return
    try:
        signature = scanner.scan(data)
    except ScannerUnavailable as exc:
        if required:
            log.error("virus scanner unavailable, upload refused: %s", exc)
            raise FileRefused("scanner_down", detail=str(exc)) from exc
        log.warning("virus scanner unavailable, upload not scanned (scanning not required): %s", exc)
        return
    if signature:
        log.warning("upload refused: virus scanner found %s", signature)
        raise FileRefused("infected", detail=signature)


# --- type ----------------------------------------------------------------------------------


# HEIF brands of HEVC-coded images (ISO/IEC 23008-12): filetype knows only "heic", while
# cameras and some phones write 10-bit "heix" and image sequences "hevc"/"hevx".
_HEVC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"}


def _sniff(data: bytes) -> str:
    """The media type the content's signature says, when it is one we accept."""
    kind = filetype.guess(data[:8192])
    media_type = kind.mime if kind else None
    if media_type == "application/pdf" or media_type in _IMAGE_FORMATS:
        return media_type
    if media_type is None and _heif_brands(data) & _HEVC_BRANDS:
        return "image/heif"
    raise FileRefused("type", detail=f"content looks like {media_type or 'nothing known'}")


def _heif_brands(data: bytes) -> set[bytes]:
    """The major and compatible brands of an ISO base media file's leading ftyp box."""
    if data[4:8] != b"ftyp" or len(data) < 16:
        return set()
    (size,) = struct.unpack(">I", data[:4])
    if not 16 <= size <= min(len(data), 4096):
        return set()
    return {data[8:12]} | {data[i : i + 4] for i in range(16, size - 3, 4)}


# --- images --------------------------------------------------------------------------------


def _clean_image(data: bytes, pillow_format: str, max_pixels: int) -> CleanFile:
    # Our own pixel limit, checked from the header right after opening (nothing is decoded
    # yet), is stricter than Pillow's global one (MAX_IMAGE_PIXELS, about 89 megapixels; an
    # error only at twice that). Pillow's DecompressionBombWarning for the band between is
    # caught like the error where warnings are errors (the tests); elsewhere it is logged
    # and the file refused by our limit. (warnings.catch_warnings is not thread-safe.)
    if max_pixels > Image.MAX_IMAGE_PIXELS:
        raise ValueError(f"max_pixels may be at most Pillow's MAX_IMAGE_PIXELS ({Image.MAX_IMAGE_PIXELS})")
    try:
        with Image.open(io.BytesIO(data), formats=[pillow_format]) as image:
            width, height = image.size
            if width < 1 or height < 1 or width * height > max_pixels:
                raise FileRefused("bomb", detail=f"{width}x{height} pixels")
            image.seek(0)  # animated, or several pictures (MPO, HEIF): the first (primary) only
            image.load()
            pixels = _bare_pixels(image)
    except FileRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise FileRefused("bomb", detail=str(exc)) from exc
    except MemoryError as exc:
        raise FileRefused("bomb", detail="out of memory") from exc
    except ValueError as exc:
        # Pillow refuses text chunks and ICC profiles that inflate past its limits.
        if "too large" in str(exc).lower():
            raise FileRefused("bomb", detail=str(exc)) from exc
        raise FileRefused("malformed", detail=str(exc)) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, EOFError, struct.error, IndexError, TypeError) as exc:
        raise FileRefused("malformed", detail=f"{type(exc).__name__}: {exc}") from exc

    stored_format, media_type, extension = _STORED_AS[pillow_format]
    content = _encode(pixels, stored_format)
    if max(pixels.size) > PREVIEW_SIDE:
        small = pixels.copy()
        small.thumbnail((PREVIEW_SIDE, PREVIEW_SIDE), Image.Resampling.LANCZOS)
        preview = _encode(small, stored_format)
    else:
        preview = content
    return CleanFile(
        content=content,
        media_type=media_type,
        extension=extension,
        kind="image",
        preview=preview,
        preview_media_type=media_type,
        width=pixels.width,
        height=pixels.height,
    )


def _bare_pixels(image: Image.Image) -> Image.Image:
    """A new image holding only `image`'s pixels, upright and in sRGB: no info, no EXIF, no
    XMP, no ICC profile, no palette tricks."""
    try:
        image = ImageOps.exif_transpose(image) or image
    except (ValueError, OSError, SyntaxError, struct.error, KeyError, TypeError, IndexError) as exc:
        # a broken EXIF block: the pixels as they are (the block itself is not kept anyway)
        log.info("EXIF orientation not applied: %s", exc)
    icc = image.info.get("icc_profile")
    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info
    mode = "RGBA" if has_alpha else "RGB"
    if image.mode not in ("RGB", "RGBA", "CMYK", "L"):  # palette, 1-bit, 16-bit, premultiplied, ...
        image = image.convert(mode)
    if icc:
        # Colours as the file meant them (a Display P3 screenshot, a CMYK scan), in sRGB.
        try:
            image = ImageCms.profileToProfile(
                image, ImageCms.ImageCmsProfile(io.BytesIO(icc)), ImageCms.createProfile("sRGB"), outputMode=mode
            )
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError) as exc:  # a broken profile
            log.info("ICC profile not applied: %s", exc)
    if image.mode != mode:
        image = image.convert(mode)
    # A fresh image: only the pixels are copied, nothing of the original's info.
    bare = Image.new(mode, image.size)
    bare.paste(image, (0, 0))
    return bare


def _encode(image: Image.Image, stored_format: str) -> bytes:
    out = io.BytesIO()
    if stored_format == "JPEG":
        if image.mode != "RGB":
            image = image.convert("RGB")
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    elif stored_format == "WEBP":
        image.save(out, "WEBP", quality=WEBP_QUALITY, method=4)
    else:
        image.save(out, "PNG", optimize=False, compress_level=6)
    return out.getvalue()


# --- PDF -----------------------------------------------------------------------------------

_N = pikepdf.Name
# Keys removed from every dictionary in the file: metadata, and what runs or carries files.
_DROP_EVERYWHERE = (
    _N.Metadata,
    _N.PieceInfo,
    _N.LastModified,
    _N.OpenAction,
    _N.AA,
    _N.JS,
    _N.JavaScript,
    _N.EmbeddedFiles,
    _N.EF,
    _N.RF,
    _N.XFA,
    _N.Collection,
    _N.AF,
)
# Actions that run something, leave the document for a file or send data.
_ACTIONS_DROPPED = {
    "/JavaScript",
    "/Launch",
    "/SubmitForm",
    "/ImportData",
    "/ResetForm",
    "/GoToR",
    "/GoToE",
    "/Rendition",
    "/RichMediaExecute",
    "/Sound",
    "/Movie",
    "/Hide",
    "/SetOCGState",
    "/Trans",
    "/GoTo3DView",
}
# Annotations that carry files or media: removed with their contents.
_ANNOTATIONS_DROPPED = {"/FileAttachment", "/RichMedia", "/Movie", "/Sound", "/Screen", "/3D"}
# A markup annotation's author and its dates.
_ANNOTATION_PERSONAL = (_N.T, _N.M, _N.CreationDate, _N.NM)


def _clean_pdf(data: bytes) -> CleanFile:
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError as exc:
        raise FileRefused("encrypted", detail=str(exc)) from exc
    except (pikepdf.PdfError, OSError, ValueError, RuntimeError) as exc:
        raise FileRefused("malformed", detail=str(exc)) from exc
    try:
        with pdf:
            if len(pdf.objects) > MAX_PDF_OBJECTS:
                raise FileRefused("bomb", detail=f"{len(pdf.objects)} objects")
            pages = len(pdf.pages)
            if pages < 1:
                raise FileRefused("malformed", detail="no pages")
            _strip_pdf(pdf)
            out = io.BytesIO()
            pdf.save(
                out,
                encryption=False,  # an owner password only restricts; write it without
                deterministic_id=True,
                fix_metadata_version=False,
                stream_decode_level=pikepdf.StreamDecodeLevel.none,
                object_stream_mode=pikepdf.ObjectStreamMode.preserve,
                compress_streams=True,
                linearize=False,
            )
    except FileRefused:
        raise
    except MemoryError as exc:
        raise FileRefused("bomb", detail="out of memory") from exc
    except (pikepdf.PdfError, OSError, ValueError, RuntimeError, TypeError, KeyError, AttributeError) as exc:
        raise FileRefused("malformed", detail=f"{type(exc).__name__}: {exc}") from exc
    return CleanFile(
        content=out.getvalue(),
        media_type="application/pdf",
        extension="pdf",
        kind="pdf",
        preview=None,
        preview_media_type=None,
        pages=pages,
    )


def _strip_pdf(pdf: pikepdf.Pdf) -> None:
    # The document information, and the /ID: qpdf keeps the original's first half, which
    # writers may compute from the file's path and the time.
    for key in (_N.Info, _N.ID):
        if key in pdf.trailer:
            del pdf.trailer[key]
    root = pdf.Root
    names = root.get(_N.Names)
    if isinstance(names, pikepdf.Dictionary):
        for key in (_N.JavaScript, _N.EmbeddedFiles, _N.AlternatePresentations, _N.Renditions):
            if key in names:
                del names[key]
    acroform = root.get(_N.AcroForm)
    if isinstance(acroform, pikepdf.Dictionary) and _N.XFA in acroform:
        del acroform[_N.XFA]
    # Digital signatures name their signer (and carry certificates); rewriting the file breaks
    # them anyway. Also the document security store (certificates, revocation data).
    for key in (_N.DSS, _N.Perms):
        if key in root:
            del root[key]
    for page in pdf.pages:
        annots = page.obj.get(_N.Annots)
        if isinstance(annots, pikepdf.Array):
            kept = [
                a
                for a in annots
                if not (isinstance(a, pikepdf.Dictionary) and str(a.get(_N.Subtype)) in _ANNOTATIONS_DROPPED)
            ]
            if len(kept) != len(annots):
                page.obj[_N.Annots] = pikepdf.Array(kept)
    for obj in pdf.objects:
        if not isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
            continue
        _strip_object(obj)
        if isinstance(obj, pikepdf.Stream) and obj.get(_N.Subtype) == _N.Image:
            _strip_jpeg_stream(obj)


def _strip_object(obj: pikepdf.Object) -> None:
    for key in _DROP_EVERYWHERE:
        if key in obj:
            del obj[key]
    action = obj.get(_N.A)
    if isinstance(action, pikepdf.Dictionary) and (
        str(action.get(_N.S)) in _ACTIONS_DROPPED or (action.get(_N.S) == _N.URI and not _web_link(action.get(_N.URI)))
    ):
        del obj[_N.A]
    if _N.Next in obj:  # a chain of further actions after a link's own
        del obj[_N.Next]
    if obj.get(_N.FT) == _N.Sig and _N.V in obj:  # a signature field's value: the signature
        del obj[_N.V]
    # A markup annotation (a comment): its author's name and its dates. Form fields (widgets)
    # keep /T: there it is the field's name.
    if obj.get(_N.Rect) is not None and obj.get(_N.Subtype) is not None and obj.get(_N.Subtype) != _N.Widget:
        for key in _ANNOTATION_PERSONAL:
            if key in obj:
                del obj[key]


def _web_link(uri) -> bool:
    """A link to the web or a mail address (kept); not a local file (file:///C:/Users/...),
    which names its author's folders, nor a script."""
    try:
        text = bytes(uri).decode("latin-1").strip().lower()
    except (TypeError, ValueError):
        return False
    return text.startswith(("https://", "http://", "mailto:"))


def _strip_jpeg_stream(stream: pikepdf.Stream) -> None:
    """An image stored as JPEG (DCTDecode) or JPEG 2000 (JPXDecode) as its only filter keeps
    its metadata (EXIF with GPS and camera, XMP, comments) inside the stream: drop those
    parts without decoding anything."""
    filters = stream.get(_N.Filter)
    if isinstance(filters, pikepdf.Array):
        filters = filters[0] if len(filters) == 1 else None
    strip = {_N.DCTDecode: strip_jpeg_segments, _N.JPXDecode: strip_jpeg2000_metadata}.get(filters)
    if strip is None:
        return
    raw = stream.read_raw_bytes()
    stripped = strip(raw)
    if stripped is not None and stripped != raw:
        stream.write(stripped, filter=filters)


def strip_jpeg_segments(raw: bytes) -> bytes | None:
    """`raw` JPEG without its APP1..APP15 and COM segments (APP0, the JFIF header, and every
    segment the image needs stay), or None when it does not parse as a JPEG."""
    if raw[:2] != b"\xff\xd8":
        return None
    out = bytearray(b"\xff\xd8")
    pos = 2
    while pos + 4 <= len(raw):
        if raw[pos] != 0xFF:
            return None
        marker = raw[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xDA:  # start of scan: the rest is image data up to EOI
            out += raw[pos:]
            return bytes(out)
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # no length
            out += raw[pos : pos + 2]
            pos += 2
            continue
        (length,) = struct.unpack(">H", raw[pos + 2 : pos + 4])
        if length < 2 or pos + 2 + length > len(raw):
            return None
        if not (0xE1 <= marker <= 0xEF or marker == 0xFE):
            out += raw[pos : pos + 2 + length]
        pos += 2 + length
    return None


# JPEG 2000 (ISO/IEC 15444-1): the boxes of a JP2 file an image needs; the others (XML and
# UUID boxes with XMP or EXIF, URLs, labels) are dropped.
_JP2_BOXES_KEPT = {b"jP  ", b"ftyp", b"rreq", b"jp2h", b"jp2c"}


def strip_jpeg2000_metadata(raw: bytes) -> bytes | None:
    """`raw` JPEG 2000 (a JP2 file or a bare codestream) without its metadata boxes and the
    comments (COM) of its codestream's main header, or None when it does not parse."""
    if raw[:4] == b"\xff\x4f\xff\x51":
        return _strip_j2k_comments(raw)
    if raw[:12] != b"\x00\x00\x00\x0cjP  \r\n\x87\n":
        return None
    out = bytearray()
    pos = 0
    while pos < len(raw):
        if pos + 8 > len(raw):
            return None
        (length,) = struct.unpack(">I", raw[pos : pos + 4])
        kind = raw[pos + 4 : pos + 8]
        header = 8
        if length == 1:  # the length follows as 8 bytes
            if pos + 16 > len(raw):
                return None
            (length,) = struct.unpack(">Q", raw[pos + 8 : pos + 16])
            header = 16
        elif length == 0:  # the last box, to the end
            length = len(raw) - pos
        if length < header or pos + length > len(raw):
            return None
        if kind == b"jp2c":
            codestream = _strip_j2k_comments(raw[pos + header : pos + length])
            if codestream is None:
                return None
            out += struct.pack(">I4s", len(codestream) + 8, b"jp2c") + codestream
        elif kind in _JP2_BOXES_KEPT:
            out += raw[pos : pos + length]
        pos += length
    return bytes(out)


def _strip_j2k_comments(raw: bytes) -> bytes | None:
    """A JPEG 2000 codestream without the COM segments of its main header."""
    if raw[:2] != b"\xff\x4f":
        return None
    out = bytearray(raw[:2])
    pos = 2
    while pos + 4 <= len(raw):
        marker = raw[pos : pos + 2]
        if marker[0] != 0xFF:
            return None
        if marker == b"\xff\x90":  # the first tile-part: the main header ends
            out += raw[pos:]
            return bytes(out)
        (length,) = struct.unpack(">H", raw[pos + 2 : pos + 4])
        if length < 2 or pos + 2 + length > len(raw):
            return None
        if marker != b"\xff\x64":  # COM
            out += raw[pos : pos + 2 + length]
        pos += 2 + length
    return None
