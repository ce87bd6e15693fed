"""app.uploads.clean against real hostile files, made here with Pillow, pikepdf and bytes.

Every file is either refused with its reason or stored clean; for the clean ones every
metadata field of the result (and of its preview) is read back, and the raw bytes are
searched for the planted values (names, GPS, device, file path).

| hostile file | what happens |
| --- | --- |
| JPEG with EXIF (GPS position, camera make/model, artist, user comment, orientation), XMP, ICC profile and a JPEG comment | stored as a new JPEG, turned upright; no EXIF, XMP, ICC or comment; preview likewise |
| PNG with tEXt (Author), iTXt (a file path with a user name), zTXt (comment), an XMP iTXt, eXIf and an ICC profile | stored as a new PNG without any text chunk, eXIf or iCCP |
| WebP with EXIF and XMP | stored as a new WebP without EXIF or XMP chunks |
| HEIC (a phone's) with EXIF and XMP | stored as JPEG (browsers cannot show HEIC), without metadata |
| HEIF with the brands cameras write ("heix", "hevc") | stored as JPEG likewise; an MP4 video (also an ISO media file) is refused: type |
| CMYK JPEG; palette PNG with transparency; 16-bit greyscale PNG | stored as RGB / RGBA |
| animated PNG (APNG, 2 frames) | first frame only, stored as a still PNG |
| animated WebP (2 frames, EXIF) | first frame only, a still WebP without EXIF |
| JPEG 2000 with XML and UUID (XMP) boxes and a comment naming its maker | refused as an upload (type); inside a PDF its metadata boxes and comments are dropped |
| PDF with /Author, /Creator, /Producer, /Title, XMP (dc:creator), JavaScript (names tree and /OpenAction), page /AA, a Launch link, an embedded file, a file-attachment comment, a comment with its author (/T), a JPEG image with EXIF inside, an /ID | rewritten: no document information, no XMP, no JavaScript, actions or embedded files, comment without author, image without EXIF, a new /ID |
| PDF with a ZIP appended after %%EOF (PDF/ZIP polyglot) | rewritten: the ZIP is gone |
| PDF whose earlier revision (before an incremental update, a "redaction") had the author's name in its text and /Author | rewritten: only the current revision; the name is gone |
| PDF with links to a local file (file:///C:/Users/...), a network share path and javascript: | those links lose their action; https:// and mailto: links stay |
| PDF with a stream that inflates to 500 MB | rewritten without inflating it (streams copied as they are) |
| PDF with more objects than MAX_PDF_OBJECTS | refused: bomb |
| signed PDF: a signature naming its signer, place and e-mail, certificates in /DSS | rewritten without the signature value and the security store (the field keeps its name) |
| ZIP with a PDF inside (polyglot the other way round) | refused: type |
| JPEG with a ZIP and HTML appended | re-encoded: neither survives |
| PDF that needs a password | refused: encrypted |
| PDF with only an owner password (restrictions) | rewritten without encryption |
| zip bomb (a ZIP of 200 MB of zeros, in 200 kB) | refused: type |
| PNG whose IDAT inflates to 2.5 gigapixels (50000 x 50000) | refused: bomb (from the header, nothing inflated) |
| pixel flood: PNG header claiming 30000 x 30000, tiny body | refused: bomb |
| pixel flood: JPEG frame header claiming 60000 x 60000 | refused: bomb |
| PNG and JPEG of 100 megapixels (past our limit, where Pillow itself only warns) | refused: bomb |
| camera MPO (two pictures, EXIF) | the first picture only, as a bare JPEG |
| JPEG with a broken EXIF block holding a name | stored without it |
| PNG with a zTXt chunk that inflates to 100 MB | refused: bomb (Pillow's text chunk limit) |
| truncated JPEG; truncated PNG; broken PDF; PDF without pages | refused: malformed |
| SVG with <script> | refused: type |
| HTML file named .png | refused: type |
| GIF; AVIF; TIFF; BMP; plain text; an ELF executable | refused: type |
| EICAR test file (no scanner) | refused: type (it is text); with clamd: infected (tests/test_virusscan.py) |
| empty file | refused: empty |
| file larger than max_bytes | refused: too_large, before anything is decoded |
| any file while a required scanner is down (or none configured) | refused: scanner_down; not required: passes, with a warning logged |
"""

from __future__ import annotations

import io
import re
import socket
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageCms, PngImagePlugin

from app.uploads import MAX_PIXELS, PREVIEW_SIDE, CleanFile, FileRefused, clean, strip_jpeg_segments
from app.virusscan import Scanner

MB = 1_000_000
LIMIT = 20 * MB

# Values planted in the hostile files; none may come out.
AUTHOR = "Jantje Klikspaan"
PATH = "C:\\Users\\j.klikspaan\\Documents\\melding-over-mijn-baas.png"
MAKE = "KlikCam"
MODEL = "Spionfoon 3000"
COMMENT = "gemaakt op de afdeling Vergunningen"
XMP_CREATOR = "xmp-maker-klikspaan"
SOFTWARE = "SnapTool by jklikspaan"
PLANTED = [AUTHOR, PATH, MAKE, MODEL, COMMENT, XMP_CREATOR, SOFTWARE, "klikspaan", "Klikspaan"]
# Markers of metadata blocks in raw bytes.
MARKERS = [
    b"Exif\x00\x00",
    b"<x:xmpmeta",
    b"http://ns.adobe.com/xap",
    b"ICC_PROFILE",
    b"tEXt",
    b"iTXt",
    b"zTXt",
    b"eXIf",
    b"iCCP",
    b"XMP ",
    b"EXIF",
    b"ICCP",
    b"PK\x03\x04",
    b"<html",
    b"<script",
]


def refused(data: bytes, **kwargs) -> FileRefused:
    with pytest.raises(FileRefused) as caught:
        clean(data, max_bytes=kwargs.pop("max_bytes", LIMIT), **kwargs)
    exc = caught.value
    assert exc.message == str(exc) and len(exc.message) > 20  # a Dutch sentence, not a code
    return exc


def assert_no_planted(raw: bytes) -> None:
    for value in PLANTED:
        for encoding in ("utf-8", "utf-16-be", "utf-16-le"):
            assert value.encode(encoding) not in raw, value
    # GPS: the latitude we planted as a rational (52/1, 4/1 ...) and the GPS IFD tag itself
    assert struct.pack(">II", 52, 1) not in raw and struct.pack("<II", 52, 1) not in raw


def assert_bare_image(raw: bytes, expected_format: str) -> Image.Image:
    """`raw` is an image of `expected_format` with no metadata whatsoever."""
    assert_no_planted(raw)
    for marker in MARKERS:
        assert marker not in raw, marker
    image = Image.open(io.BytesIO(raw))
    assert image.format == expected_format
    assert len(image.getexif()) == 0
    assert image.getxmp() == {}
    allowed_info = {"jfif", "jfif_version", "jfif_unit", "jfif_density", "dpi", "progressive", "progression"}
    if expected_format == "WEBP":
        allowed_info |= {"loop", "background", "duration", "timestamp"}
    assert set(image.info) <= allowed_info, image.info
    assert "icc_profile" not in image.info and "exif" not in image.info and "comment" not in image.info
    if expected_format == "PNG":
        assert image.text == {}
    image.load()
    return image


def check_image(result: CleanFile, expected_format: str, media_type: str, extension: str) -> Image.Image:
    assert result.kind == "image" and result.media_type == media_type and result.extension == extension
    assert result.pages is None
    image = assert_bare_image(result.content, expected_format)
    assert (image.width, image.height) == (result.width, result.height)
    assert result.preview is not None and result.preview_media_type == media_type
    preview = assert_bare_image(result.preview, expected_format)
    assert max(preview.size) <= PREVIEW_SIDE
    return image


# --- hostile images ------------------------------------------------------------------------


def _exif(orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = MAKE  # Make
    exif[0x0110] = MODEL  # Model
    exif[0x013B] = AUTHOR  # Artist
    exif[0x8298] = AUTHOR  # Copyright
    exif[0x0131] = SOFTWARE  # Software
    exif[0x010E] = PATH  # ImageDescription
    if orientation:
        exif[0x0112] = orientation
    exif_ifd = exif.get_ifd(0x8769)
    exif_ifd[0x9286] = b"ASCII\x00\x00\x00" + COMMENT.encode()  # UserComment
    exif_ifd[0xA430] = AUTHOR  # CameraOwnerName
    exif_ifd[0xA431] = "SN-KLIK-0042"  # BodySerialNumber
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (52.0, 4.0, 42.0)  # GPSLatitude
    gps[3] = "E"
    gps[4] = (4.0, 18.0, 7.0)  # GPSLongitude
    return exif


XMP = (
    '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/">'
    f"<dc:creator><rdf:Seq><rdf:li>{XMP_CREATOR}</rdf:li></rdf:Seq></dc:creator>"
    f"<xmp:CreatorTool>{SOFTWARE}</xmp:CreatorTool></rdf:Description></rdf:RDF></x:xmpmeta>"
    '<?xpacket end="w"?>'
).encode()


def _icc() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def _photo(size=(1200, 800), mode="RGB") -> Image.Image:
    image = Image.linear_gradient("L").resize(size).convert(mode)
    if mode == "RGB":
        r, g, b = image.split()
        image = Image.merge("RGB", (r, g.transpose(Image.Transpose.FLIP_LEFT_RIGHT), b))
    return image


def hostile_jpeg(**kwargs) -> bytes:
    out = io.BytesIO()
    _photo(**kwargs).save(
        out, "JPEG", exif=_exif(orientation=6).tobytes(), xmp=XMP, icc_profile=_icc(), comment=COMMENT.encode()
    )
    return out.getvalue()


def test_jpeg_with_exif_gps_xmp_icc_and_comment_is_stored_bare_and_upright():
    data = hostile_jpeg()
    # the file really carries it all
    source = Image.open(io.BytesIO(data))
    assert source.getexif()[0x0110] == MODEL and source.getexif().get_ifd(0x8825)
    assert source.getxmp() and "icc_profile" in source.info and source.info["comment"] == COMMENT.encode()
    assert AUTHOR.encode() in data and XMP_CREATOR.encode() in data

    result = clean(data, max_bytes=LIMIT)
    image = check_image(result, "JPEG", "image/jpeg", "jpg")
    # orientation 6 (rotate 90° clockwise) was applied to the pixels: 1200 x 800 became 800 x 1200
    assert image.size == (800, 1200)
    assert Image.open(io.BytesIO(result.preview)).size == (427, 640)


def test_png_with_text_chunks_exif_xmp_and_icc_is_stored_bare():
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", AUTHOR)
    info.add_itxt("Source", PATH, lang="nl", tkey="Bron")
    info.add_text("Comment", COMMENT, zip=True)  # zTXt
    info.add_itxt("XML:com.adobe.xmp", XMP.decode())
    info.add_text("Software", SOFTWARE)
    out = io.BytesIO()
    _photo((300, 200)).save(out, "PNG", pnginfo=info, exif=_exif().tobytes(), icc_profile=_icc())
    data = out.getvalue()
    source = Image.open(io.BytesIO(data))
    assert source.text["Author"] == AUTHOR and source.text["Source"] == PATH and source.getexif()[0x0110] == MODEL

    result = clean(data, max_bytes=LIMIT)
    image = check_image(result, "PNG", "image/png", "png")
    assert image.size == (300, 200) and image.mode == "RGB"
    assert result.preview == result.content  # small enough to be its own preview


def test_webp_with_exif_and_xmp_is_stored_bare():
    out = io.BytesIO()
    _photo((900, 900)).save(out, "WEBP", exif=_exif().tobytes(), xmp=XMP, icc_profile=_icc())
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).getexif()[0x0110] == MODEL
    result = clean(data, max_bytes=LIMIT)
    check_image(result, "WEBP", "image/webp", "webp")
    assert Image.open(io.BytesIO(result.preview)).size == (640, 640)


def test_heic_from_a_phone_is_stored_as_bare_jpeg():
    out = io.BytesIO()
    _photo((640, 480)).save(out, "HEIF", exif=_exif().tobytes(), xmp=XMP)
    data = out.getvalue()
    assert data[4:12] == b"ftypheic" and MODEL.encode() in data
    result = clean(data, max_bytes=LIMIT)
    image = check_image(result, "JPEG", "image/jpeg", "jpg")
    assert image.size == (640, 480)


@pytest.mark.parametrize(
    ("make", "expected_mode"),
    [
        (lambda: _save(_photo((50, 40), "CMYK"), "JPEG"), "RGB"),
        (lambda: _save(_palette_with_transparency(), "PNG", transparency=0), "RGBA"),
        (lambda: _save(Image.new("I;16", (30, 20), 40000), "PNG"), "RGB"),
        (lambda: _save(Image.new("LA", (30, 20), (100, 50)), "PNG"), "RGBA"),
        (lambda: _save(Image.new("1", (30, 20), 1), "PNG"), "RGB"),
    ],
    ids=["cmyk-jpeg", "palette-png-transparent", "16-bit-grey-png", "grey-alpha-png", "1-bit-png"],
)
def test_unusual_colour_modes_become_rgb_or_rgba(make, expected_mode):
    result = clean(make(), max_bytes=LIMIT)
    image = Image.open(io.BytesIO(result.content))
    assert image.mode == expected_mode
    assert_bare_image(result.content, image.format)


def _palette_with_transparency() -> Image.Image:
    image = Image.new("P", (30, 20), 0)
    image.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    image.paste(1, (5, 5, 15, 15))
    return image


def _save(image: Image.Image, fmt: str, **params) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


def test_animated_png_keeps_its_first_frame_only():
    frames = [Image.new("RGB", (40, 30), "red"), Image.new("RGB", (40, 30), "blue")]
    out = io.BytesIO()
    frames[0].save(out, "PNG", save_all=True, append_images=frames[1:], duration=100, loop=0)
    data = out.getvalue()
    assert b"acTL" in data
    result = clean(data, max_bytes=LIMIT)
    assert b"acTL" not in result.content and b"fcTL" not in result.content
    image = check_image(result, "PNG", "image/png", "png")
    assert getattr(image, "n_frames", 1) == 1 and image.getpixel((0, 0)) == (255, 0, 0)


def test_jpeg_with_zip_and_html_appended_is_reencoded_without_them():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("payload.html", "<html><script>alert(1)</script></html>")
    data = hostile_jpeg(size=(200, 100)) + archive.getvalue() + b"<html><script>alert(document.cookie)</script>"
    assert zipfile.is_zipfile(io.BytesIO(data))  # a real polyglot
    result = clean(data, max_bytes=LIMIT)
    check_image(result, "JPEG", "image/jpeg", "jpg")
    assert not zipfile.is_zipfile(io.BytesIO(result.content))
    assert result.content.endswith(b"\xff\xd9")


# --- bombs, floods, broken and foreign files -----------------------------------------------


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def png_bytes(width: int, height: int, idat: bytes, *, bit_depth=8, colour_type=0, extra=b"") -> bytes:
    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + extra
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def test_pixel_flood_is_refused_from_its_header():
    data = png_bytes(30000, 30000, zlib.compress(b"\x00" * 30001))
    assert len(data) < 1000
    assert refused(data).reason == "bomb"


def zeros_deflated(chunk_size: int, chunks: int) -> bytes:
    """A zlib stream of chunk_size x chunks zero bytes, made without compressing them all:
    after a sync flush, deflate encodes each further chunk of zeros to the same bytes."""
    compressor = zlib.compressobj(9)
    chunk = b"\x00" * chunk_size
    first = compressor.compress(chunk) + compressor.flush(zlib.Z_SYNC_FLUSH)
    repeated = compressor.compress(chunk) + compressor.flush(zlib.Z_SYNC_FLUSH)
    assert compressor.compress(chunk) + compressor.flush(zlib.Z_SYNC_FLUSH) == repeated
    last_block = compressor.flush()[:-4]
    # Adler-32 of n zero bytes: a stays 1, b grows by 1 a byte
    checksum = (((chunk_size * chunks) % 65521) << 16) | 1
    return first + repeated * (chunks - 1) + last_block + struct.pack(">I", checksum)


def test_zeros_deflated_is_a_real_zlib_stream():
    assert zlib.decompress(zeros_deflated(100_000, 7)) == b"\x00" * 700_000


def peak_memory_of_clean(data: bytes) -> tuple[str, int]:
    """(what clean made of `data`: its kind or the refusal's reason, the peak memory in MB of
    a fresh process that did only that)."""
    # VmHWM: the peak of this process's own memory (ru_maxrss would count the parent's too,
    # as the child was forked from it)
    program = (
        "import re, sys\n"
        "from app.uploads import FileRefused, clean\n"
        "data = sys.stdin.buffer.read()\n"
        "try:\n"
        "    outcome = clean(data, max_bytes=len(data)).kind\n"
        "except FileRefused as exc:\n"
        "    outcome = exc.reason\n"
        "peak = int(re.search(r'VmHWM:\\s+(\\d+) kB', open('/proc/self/status').read()).group(1))\n"
        "print(outcome, peak // 1024)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program],
        input=data,
        capture_output=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
        timeout=120,
    )
    outcome, megabytes = done.stdout.decode().split()
    return outcome, int(megabytes)


def test_png_whose_idat_inflates_to_gigabytes_is_refused():
    # 50000 x 50000 one-bit pixels: 2.5 gigapixels, whose rows (filter byte + 6250 bytes each,
    # 312 MB) deflate to about 300 kB.
    width = height = 50000
    idat = zeros_deflated((1 + width // 8) * 50, height // 50)
    data = png_bytes(width, height, idat, bit_depth=1)
    assert len(data) < 1_000_000 and width * height > 20 * MAX_PIXELS
    assert refused(data).reason == "bomb"
    outcome, megabytes = peak_memory_of_clean(data)
    assert outcome == "bomb" and megabytes < 250, megabytes  # nothing was inflated


def test_png_with_a_text_chunk_that_inflates_to_100_mb_is_refused():
    body = b"Comment\x00\x00" + zlib.compress(b"A" * 100_000_000, 9)
    data = png_bytes(4, 4, zlib.compress(b"\x00" * 5 * 4), extra=_png_chunk(b"zTXt", body))
    assert len(data) < 200_000
    assert refused(data).reason == "bomb"


def test_a_pixel_limit_can_be_set_lower():
    data = _save(_photo((200, 200)), "PNG")
    assert clean(data, max_bytes=LIMIT, max_pixels=40_000).width == 200
    assert refused(data, max_pixels=39_999).reason == "bomb"


def test_zip_bomb_is_refused_as_a_type():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("nullen.bin", b"\x00" * 200_000_000)
    data = archive.getvalue()
    assert len(data) < 300_000
    assert refused(data).reason == "type"


@pytest.mark.parametrize(
    "data",
    [
        hostile_jpeg(size=(400, 300))[:3000],
        _save(Image.effect_noise((400, 300), 64), "PNG")[:2000],
        png_bytes(10, 10, b"not zlib at all"),
        b"\xff\xd8\xff\xe0" + b"\x00" * 100,
    ],
    ids=["truncated-jpeg", "truncated-png", "png-with-garbage-idat", "jpeg-signature-only"],
)
def test_broken_images_are_refused_as_malformed(data):
    assert refused(data).reason == "malformed"


SVG = b"""<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(document.cookie)</script>
<rect width="10" height="10"/></svg>"""
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


@pytest.mark.parametrize(
    "data",
    [
        SVG,
        b"<!doctype html><html><body><script>alert(1)</script></body></html>",  # named .png by its sender
        _save(Image.new("RGB", (10, 10)), "GIF"),
        _save(Image.new("RGB", (10, 10)), "TIFF"),
        _save(Image.new("RGB", (10, 10)), "BMP"),
        b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf" + b"\x00" * 64,
        "Gewoon een tekst met één regel.\n".encode(),
        b"\x7fELF\x02\x01\x01" + b"\x00" * 200,
        b"MZ\x90\x00" + b"\x00" * 200,
        EICAR,
    ],
    ids=["svg-with-script", "html", "gif", "tiff", "bmp", "avif", "text", "elf", "exe", "eicar-without-scanner"],
)
def test_other_types_are_refused_whatever_their_name(data):
    exc = refused(data)
    assert exc.reason == "type"
    assert "PNG, JPEG, WebP of HEIC" in exc.message


def test_empty_and_too_large_files_are_refused_before_decoding():
    assert refused(b"").reason == "empty"
    # a pixel flood that is also too large: the size is checked first
    data = png_bytes(30000, 30000, b"\x00" * 2000)
    exc = refused(data, max_bytes=1000)
    assert exc.reason == "too_large" and "1 kB" in exc.message
    exc = refused(b"%PDF-" + b"\x00" * 2_600_000, max_bytes=2_500_000)
    assert exc.reason == "too_large" and "2,5 MB" in exc.message


# --- PDF -----------------------------------------------------------------------------------


def hostile_pdf() -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    pdf.add_blank_page(page_size=(595, 842))
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:creator"] = [XMP_CREATOR]
        meta["dc:title"] = "Melding over " + AUTHOR
        meta["xmp:CreatorTool"] = SOFTWARE
    pdf.docinfo["/Author"] = AUTHOR
    pdf.docinfo["/Creator"] = SOFTWARE
    pdf.docinfo["/Producer"] = MODEL
    pdf.docinfo["/Title"] = PATH
    js = pdf.make_stream(b"app.alert('klikspaan');")
    action = pikepdf.Dictionary(Type=pikepdf.Name.Action, S=pikepdf.Name.JavaScript, JS=js)
    pdf.Root.OpenAction = action
    pdf.Root.Names = pikepdf.Dictionary(
        JavaScript=pikepdf.Dictionary(Names=pikepdf.Array([pikepdf.String("start"), pdf.make_indirect(action)]))
    )
    pdf.attachments["geheim.txt"] = pikepdf.AttachedFileSpec(pdf, b"Bijlage van " + AUTHOR.encode())
    page = pdf.pages[0]
    page.obj.AA = pikepdf.Dictionary(O=pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.beep()")))
    # a JPEG with EXIF inside, as a scanner or phone puts it in a PDF
    jpeg = io.BytesIO()
    _photo((64, 48)).save(jpeg, "JPEG", exif=_exif().tobytes(), xmp=XMP, comment=COMMENT.encode())
    image = pdf.make_stream(
        jpeg.getvalue(),
        Type=pikepdf.Name.XObject,
        Subtype=pikepdf.Name.Image,
        Width=64,
        Height=48,
        ColorSpace=pikepdf.Name.DeviceRGB,
        BitsPerComponent=8,
        Filter=pikepdf.Name.DCTDecode,
    )
    page.obj.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
    page.obj.Contents = pdf.make_stream(b"q 64 0 0 48 100 700 cm /Im0 Do Q")
    page.obj.Annots = pikepdf.Array(
        [
            pdf.make_indirect(
                pikepdf.Dictionary(
                    Type=pikepdf.Name.Annot,
                    Subtype=pikepdf.Name.Text,
                    Rect=[10, 10, 30, 30],
                    Contents=pikepdf.String("Let op deze regel"),
                    T=pikepdf.String(AUTHOR),
                    M=pikepdf.String("D:20261201120000+01'00'"),
                )
            ),
            pdf.make_indirect(
                pikepdf.Dictionary(
                    Type=pikepdf.Name.Annot,
                    Subtype=pikepdf.Name.Link,
                    Rect=[40, 10, 60, 30],
                    A=pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("C:\\Windows\\System32\\calc.exe")),
                )
            ),
            pdf.make_indirect(
                pikepdf.Dictionary(
                    Type=pikepdf.Name.Annot,
                    Subtype=pikepdf.Name.Link,
                    Rect=[70, 10, 90, 30],
                    A=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("https://wetten.overheid.nl/")),
                )
            ),
            pdf.make_indirect(
                pikepdf.Dictionary(
                    Type=pikepdf.Name.Annot,
                    Subtype=pikepdf.Name.FileAttachment,
                    Rect=[100, 10, 120, 30],
                    FS=pikepdf.AttachedFileSpec(pdf, b"nog een bijlage", filename="x.exe").obj,
                )
            ),
        ]
    )
    pdf.trailer.ID = pikepdf.Array([pikepdf.String(b"0123456789abcdef"), pikepdf.String(b"0123456789abcdef")])
    out = io.BytesIO()
    pdf.save(out, fix_metadata_version=False)
    return out.getvalue()


def assert_bare_pdf(raw: bytes) -> pikepdf.Pdf:
    assert_no_planted(raw)
    for marker in (b"JavaScript", b"/JS", b"/OpenAction", b"/EmbeddedFile", b"/Launch", b"x:xmpmeta", b"/Metadata"):
        assert marker not in raw, marker
    pdf = pikepdf.open(io.BytesIO(raw))
    assert not pdf.is_encrypted
    assert "/Info" not in pdf.trailer
    assert len(pdf.docinfo) == 0
    assert "/Metadata" not in pdf.Root
    assert len(pdf.attachments) == 0
    for key in ("/OpenAction", "/AA", "/AcroForm", "/Names"):
        if key in pdf.Root and key == "/Names":
            assert "/JavaScript" not in pdf.Root.Names and "/EmbeddedFiles" not in pdf.Root.Names
        elif key != "/AcroForm":
            assert key not in pdf.Root
    for page in pdf.pages:
        assert "/AA" not in page.obj and "/Metadata" not in page.obj
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
            for key in ("/JS", "/JavaScript", "/EF", "/Metadata", "/PieceInfo", "/OpenAction", "/AA"):
                assert key not in obj, key
    # (last: opening the XMP of a file without any makes an empty one)
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        assert len(meta) == 0
    return pdf


def test_pdf_with_author_xmp_javascript_and_embedded_files_is_rewritten_bare():
    data = hostile_pdf()
    source = pikepdf.open(io.BytesIO(data))
    assert str(source.docinfo["/Author"]) == AUTHOR and "/Metadata" in source.Root
    assert len(source.attachments) == 1 and "/OpenAction" in source.Root
    assert MAKE.encode() in data and XMP_CREATOR.encode() in data

    result = clean(data, max_bytes=LIMIT)
    assert (result.kind, result.media_type, result.extension, result.pages) == ("pdf", "application/pdf", "pdf", 2)
    assert result.preview is None and result.preview_media_type is None and result.width is None
    pdf = assert_bare_pdf(result.content)
    page = pdf.pages[0]
    subtypes = [str(a.Subtype) for a in page.obj.Annots]
    assert subtypes == ["/Text", "/Link", "/Link"]  # the file attachment is gone
    comment, launch, link = page.obj.Annots
    assert "/T" not in comment and "/M" not in comment and str(comment.Contents) == "Let op deze regel"
    assert "/A" not in launch
    assert str(link.A.URI) == "https://wetten.overheid.nl/"  # a plain link stays
    # the image inside: still a JPEG, same pixels, no EXIF/XMP/comment
    image = page.obj.Resources.XObject.Im0
    raw_jpeg = image.read_raw_bytes()
    inner = Image.open(io.BytesIO(raw_jpeg))
    assert inner.size == (64, 48) and len(inner.getexif()) == 0 and "comment" not in inner.info
    # a new /ID, not the one the author's software made
    assert bytes(pdf.trailer.ID[0]) != b"0123456789abcdef"


def test_pdf_zip_polyglot_loses_its_zip():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("payload.html", "<html><script>alert(1)</script></html>")
    data = hostile_pdf() + archive.getvalue()
    assert zipfile.is_zipfile(io.BytesIO(data))
    result = clean(data, max_bytes=LIMIT)
    assert not zipfile.is_zipfile(io.BytesIO(result.content))
    assert_bare_pdf(result.content)
    assert result.content.rstrip().endswith(b"%%EOF")


def test_zip_with_a_pdf_inside_is_refused():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("brief.pdf", hostile_pdf())
    assert refused(archive.getvalue()).reason == "type"


def _simple_pdf(**save) -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.docinfo["/Author"] = AUTHOR
    out = io.BytesIO()
    pdf.save(out, **save)
    return out.getvalue()


def test_pdf_that_needs_a_password_is_refused():
    data = _simple_pdf(encryption=pikepdf.Encryption(user="geheim", owner="nog-geheimer"))
    exc = refused(data)
    assert exc.reason == "encrypted" and "wachtwoord" in exc.message


def test_pdf_with_only_an_owner_password_is_written_without_encryption():
    data = _simple_pdf(
        encryption=pikepdf.Encryption(user="", owner="nog-geheimer", allow=pikepdf.Permissions(extract=False))
    )
    assert pikepdf.open(io.BytesIO(data)).is_encrypted
    result = clean(data, max_bytes=LIMIT)
    assert result.pages == 1
    assert_bare_pdf(result.content)


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n" + b"garbage " * 100,
        _simple_pdf()[:120],
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        b"trailer << /Root 1 0 R >>\n%%EOF\n",
    ],
    ids=["garbage", "truncated", "no-pages"],
)
def test_broken_pdfs_are_refused_as_malformed(data):
    assert refused(data).reason == "malformed"


def test_pdf_with_a_deflate_bomb_stream_is_rewritten_without_inflating_it():
    pdf = pikepdf.new()
    pdf.add_blank_page()
    bomb = zeros_deflated(1_000_000, 500)  # 500 MB
    stream = pikepdf.Stream(pdf, bomb)
    stream.Filter = pikepdf.Name.FlateDecode
    pdf.pages[0].obj.Contents = pdf.make_indirect(stream)
    out = io.BytesIO()
    pdf.save(out, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.none)
    data = out.getvalue()
    assert len(data) < 1_000_000
    result = clean(data, max_bytes=LIMIT)
    assert result.pages == 1 and len(result.content) < 1_000_000
    outcome, megabytes = peak_memory_of_clean(data)
    assert outcome == "pdf" and megabytes < 250, megabytes  # the stream was never held inflated in memory


# --- the JPEG segment filter used inside PDFs ----------------------------------------------


def test_strip_jpeg_segments_keeps_the_image_and_drops_app_segments():
    data = hostile_jpeg(size=(64, 48))
    stripped = strip_jpeg_segments(data)
    assert stripped is not None
    assert_no_planted(stripped)
    image = Image.open(io.BytesIO(stripped))
    assert image.size == (64, 48) and len(image.getexif()) == 0 and not image.getxmp()
    assert image.tobytes() == Image.open(io.BytesIO(data)).tobytes()  # same pixels, not re-encoded
    assert strip_jpeg_segments(b"not a jpeg") is None
    assert strip_jpeg_segments(data[:30]) is None


# --- the scanner around clean (a real scanner that is down; clamd itself: test_virusscan) ---


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_required_scanner_that_is_down_refuses_and_one_not_required_lets_through(caplog):
    data = hostile_jpeg(size=(100, 80))
    down = Scanner(f"tcp://127.0.0.1:{_closed_port()}", timeout=2)
    exc = refused(data, scanner=down, scan_required=True)
    assert exc.reason == "scanner_down" and "opnieuw" in exc.message
    # required without any scanner configured: never unscanned either
    assert refused(data, scanner=None, scan_required=True).reason == "scanner_down"
    with caplog.at_level("WARNING", logger="app.uploads"):
        result = clean(data, max_bytes=LIMIT, scanner=down, scan_required=False)
    assert result.kind == "image"
    assert any("not scanned" in record.getMessage() for record in caplog.records)


# --- the messages, in each catalog ---------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"TONE": "u", "LANGUAGE": "nl"}, "Alleen die soorten bestanden kunt u toevoegen."),
        ({"TONE": "je", "LANGUAGE": "nl"}, "Alleen die soorten bestanden kun je toevoegen."),
        ({"TONE": "u", "LANGUAGE": "en"}, "Only those kinds of files can be added."),
    ],
    ids=["nl-u", "nl-je", "en"],
)
def test_refusals_speak_the_readers_language_and_tone(database_url, settings, expected):
    from app import create_app
    from config import TestConfig

    config = type("UploadConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": database_url, **settings})
    app = create_app(config)
    with app.test_request_context("/"):
        assert expected in refused(SVG).message
        too_large = refused(_save(Image.effect_noise((100, 100), 64), "PNG"), max_bytes=2_500).message
        if settings["LANGUAGE"] == "en":
            assert too_large.startswith("This file is too large: it may be at most 2 kB.")
            assert refused(b"").message == "This file is empty. Choose another file."
        else:
            assert too_large.startswith("Dit bestand is te groot: het mag maximaal 2 kB zijn.")
        reasons = ["empty", "too_large", "type", "bomb", "malformed", "encrypted", "infected", "scanner_down"]
        messages = {reason: FileRefused(reason, limit="1 MB").message for reason in reasons}
        assert len(set(messages.values())) == len(reasons)
        if settings["TONE"] == "je":
            assert not any(re.search(r"\b[Uu]w?\b", text) for text in messages.values())


# --- hardening: more hostile files ---------------------------------------------------------


def _jpeg_with_size(width: int, height: int) -> bytes:
    """A real small JPEG whose frame header (SOF0) claims `width` x `height`."""
    data = bytearray(_save(Image.new("RGB", (16, 16), "white"), "JPEG"))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def test_pixel_flood_in_a_jpeg_header_is_refused():
    data = _jpeg_with_size(60000, 60000)
    assert len(data) < 2000
    assert refused(data).reason == "bomb"


def test_image_between_our_limit_and_pillows_own_is_refused():
    # 10000 x 10000 = 100 megapixels: past MAX_PIXELS, and in the band where Pillow only warns
    data = png_bytes(10000, 10000, zlib.compress(b"\x00" * 10001))
    assert refused(data).reason == "bomb"
    assert refused(_jpeg_with_size(10000, 10000)).reason == "bomb"


def test_camera_file_with_several_pictures_keeps_the_first_only():
    first = _photo((120, 80))
    out = io.BytesIO()
    first.save(out, "MPO", save_all=True, append_images=[Image.new("RGB", (120, 80), "green")], exif=_exif().tobytes())
    data = out.getvalue()
    assert data.count(b"\xff\xd8") >= 2 and b"MPF" in data
    result = clean(data, max_bytes=LIMIT)
    image = check_image(result, "JPEG", "image/jpeg", "jpg")
    assert result.content.count(b"\xff\xd8") == 1 and b"MPF" not in result.content
    assert image.size == (120, 80)


# Pillow warns about the broken block and reads on, as in production (the suite turns warnings
# into errors).
@pytest.mark.filterwarnings("ignore:Corrupt EXIF data")
def test_jpeg_with_a_broken_exif_block_is_stored_without_it():
    data = bytearray(_save(_photo((80, 60)), "JPEG"))
    garbage = b"Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08\xff\xff" + b"\xde\xad" * 40 + AUTHOR.encode()
    segment = b"\xff\xe1" + struct.pack(">H", len(garbage) + 2) + garbage
    data = bytes(data[:2]) + segment + bytes(data[2:])
    result = clean(data, max_bytes=LIMIT)
    image = check_image(result, "JPEG", "image/jpeg", "jpg")
    assert image.size == (80, 60)


def test_pdf_keeps_nothing_of_its_earlier_revisions():
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.pages[0].obj.Contents = pdf.make_stream(f"BT /F1 12 Tf 72 720 Td ({AUTHOR}) Tj ET".encode())
    pdf.docinfo["/Author"] = AUTHOR
    first = io.BytesIO()
    pdf.save(first)
    # an incremental update, as an editor saves a "redaction": the old objects stay in the file
    data = _append_revision(first.getvalue(), b"BT /F1 12 Tf 72 720 Td (zwart gemaakt) Tj ET")
    assert AUTHOR.encode() in data
    reopened = pikepdf.open(io.BytesIO(data))
    assert reopened.pages[0].Contents.read_bytes().endswith(b"(zwart gemaakt) Tj ET")
    assert "/Info" not in reopened.trailer
    result = clean(data, max_bytes=LIMIT)
    cleaned = assert_bare_pdf(result.content)
    assert cleaned.pages[0].Contents.read_bytes().endswith(b"(zwart gemaakt) Tj ET")


def _append_revision(original: bytes, content: bytes) -> bytes:
    """`original` with an incremental update appended that replaces page 1's content stream
    and drops the document information (PDF 32000-1, 7.5.6)."""
    pdf = pikepdf.open(io.BytesIO(original))
    page = pdf.pages[0].obj
    page_number = page.objgen[0]
    size = int(pdf.trailer.Size)
    root = pdf.Root.objgen[0]
    contents_number = size
    page_dict = page.unparse(resolved=True).decode("latin-1")
    page_dict = re.sub(r"/Contents \d+ 0 R", f"/Contents {contents_number} 0 R", page_dict)
    start_xref = original.rstrip().rsplit(b"startxref", 1)[1].split()[0].decode()
    body = b"\n"
    offsets = {}
    position = len(original) + len(body)
    for number, obj in (
        (page_number, page_dict.encode("latin-1")),
        (contents_number, b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"),
    ):
        chunk = b"%d 0 obj\n" % number + obj + b"\nendobj\n"
        offsets[number] = position
        body += chunk
        position += len(chunk)
    xref = b"xref\n"
    for number in sorted(offsets):
        xref += b"%d 1\n%010d 00000 n \n" % (number, offsets[number])
    trailer = b"trailer\n<< /Size %d /Root %d 0 R /Prev %s >>\nstartxref\n%d\n%%%%EOF\n" % (
        size + 1,
        root,
        start_xref.encode(),
        position,
    )
    return original + body + xref + trailer


def test_pdf_links_to_local_files_go_and_web_links_stay():
    pdf = pikepdf.new()
    pdf.add_blank_page()
    links = [
        "file:///C:/Users/j.klikspaan/Documents/brief.docx",
        "\\\\fileserver\\home\\jklikspaan\\geheim.pdf",
        "javascript:alert(1)",
        "https://www.gemeente.example/regels",
        "mailto:loket@gemeente.example",
    ]
    pdf.pages[0].obj.Annots = pikepdf.Array(
        [
            pdf.make_indirect(
                pikepdf.Dictionary(
                    Type=pikepdf.Name.Annot,
                    Subtype=pikepdf.Name.Link,
                    Rect=[10 * i, 10, 10 * i + 8, 18],
                    A=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String(uri)),
                )
            )
            for i, uri in enumerate(links)
        ]
    )
    out = io.BytesIO()
    pdf.save(out)
    result = clean(out.getvalue(), max_bytes=LIMIT)
    cleaned = pikepdf.open(io.BytesIO(result.content))
    kept = [str(a.A.URI) for a in cleaned.pages[0].obj.Annots if "/A" in a]
    assert kept == ["https://www.gemeente.example/regels", "mailto:loket@gemeente.example"]
    assert b"klikspaan" not in result.content


def test_pdf_with_too_many_objects_is_refused(monkeypatch):
    import app.uploads

    pdf = pikepdf.new()
    for _ in range(30):
        pdf.add_blank_page()
    out = io.BytesIO()
    pdf.save(out)
    assert clean(out.getvalue(), max_bytes=LIMIT).pages == 30
    monkeypatch.setattr(app.uploads, "MAX_PDF_OBJECTS", 20)
    assert refused(out.getvalue()).reason == "bomb"


def test_the_accept_hint_names_what_is_accepted():
    from app.uploads import ACCEPT_ATTRIBUTE

    parts = ACCEPT_ATTRIBUTE.split(",")
    assert {"image/png", "image/jpeg", "image/webp", "image/heic", "application/pdf", ".heic"} <= set(parts)
    assert not any("svg" in part or "gif" in part for part in parts)


def _jp2_with_metadata(size=(32, 24)) -> bytes:
    out = io.BytesIO()
    _photo(size).save(out, "JPEG2000")
    data = out.getvalue()
    assert data[12:16] == b"\x00\x00\x00\x14" and data[16:20] == b"ftyp"
    boxes = struct.pack(">I4s", len(XMP) + 8, b"xml ") + XMP
    uuid = b"\xbe\x7a\xcf\xcb\x97\xa9\x42\xe8\x9c\x71\x99\x94\x91\xe3\xaf\xac" + XMP  # the XMP UUID box
    boxes += struct.pack(">I4s", len(uuid) + 8, b"uuid") + uuid
    data = data[:32] + boxes + data[32:]
    # a comment in the codestream's main header, as some encoders write their user's name
    codestream_at = data.index(b"jp2c") + 4
    siz_end = codestream_at + 2 + 2 + struct.unpack(">H", data[codestream_at + 4 : codestream_at + 6])[0]
    comment = b"\x00\x01" + f"Gescand door {AUTHOR}".encode()
    com = b"\xff\x64" + struct.pack(">H", len(comment) + 2) + comment
    data = data[:siz_end] + com + data[siz_end:]
    box_at = codestream_at - 8
    (length,) = struct.unpack(">I", data[box_at : box_at + 4])
    if length:
        data = data[:box_at] + struct.pack(">I", length + len(com)) + data[box_at + 4 :]
    return data


def test_jpeg2000_metadata_boxes_and_comments_are_dropped():
    from app.uploads import strip_jpeg2000_metadata

    data = _jp2_with_metadata()
    source = Image.open(io.BytesIO(data))
    source.load()
    assert AUTHOR.encode() in data and XMP_CREATOR.encode() in data
    stripped = strip_jpeg2000_metadata(data)
    assert stripped is not None
    assert_no_planted(stripped)
    assert b"xmpmeta" not in stripped
    image = Image.open(io.BytesIO(stripped))
    assert image.size == (32, 24) and image.tobytes() == source.tobytes()
    assert strip_jpeg2000_metadata(b"not jpeg 2000") is None
    assert strip_jpeg2000_metadata(data[:40]) is None
    # JPEG 2000 is not accepted as an upload itself
    assert refused(data).reason == "type"


def test_jpeg2000_image_inside_a_pdf_loses_its_metadata():
    pdf = pikepdf.new()
    pdf.add_blank_page()
    image = pdf.make_stream(
        _jp2_with_metadata(), Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image, Width=32, Height=24
    )
    image.Filter = pikepdf.Name.JPXDecode
    pdf.pages[0].obj.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
    pdf.pages[0].obj.Contents = pdf.make_stream(b"q 32 0 0 24 100 700 cm /Im0 Do Q")
    out = io.BytesIO()
    pdf.save(out)
    assert AUTHOR.encode() in out.getvalue()
    result = clean(out.getvalue(), max_bytes=LIMIT)
    cleaned = assert_bare_pdf(result.content)
    inner = Image.open(io.BytesIO(cleaned.pages[0].obj.Resources.XObject.Im0.read_raw_bytes()))
    assert inner.size == (32, 24)


def test_animated_webp_keeps_its_first_frame_only():
    frames = [Image.new("RGB", (40, 30), "red"), Image.new("RGB", (40, 30), "blue")]
    out = io.BytesIO()
    frames[0].save(
        out,
        "WEBP",
        save_all=True,
        append_images=frames[1:],
        duration=100,
        loop=0,
        lossless=True,
        exif=_exif().tobytes(),
    )
    data = out.getvalue()
    assert b"ANIM" in data and Image.open(io.BytesIO(data)).n_frames == 2
    result = clean(data, max_bytes=LIMIT)
    assert b"ANIM" not in result.content and b"ANMF" not in result.content
    image = check_image(result, "WEBP", "image/webp", "webp")
    assert getattr(image, "n_frames", 1) == 1
    red, _green, blue = image.convert("RGB").getpixel((5, 5))
    assert red > 200 and blue < 60


def test_pdf_signature_with_the_signers_name_is_removed():
    pdf = pikepdf.new()
    pdf.add_blank_page()
    signature = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Sig,
            Filter=pikepdf.Name("/Adobe.PPKLite"),
            SubFilter=pikepdf.Name("/adbe.pkcs7.detached"),
            Name=pikepdf.String(AUTHOR),
            Location=pikepdf.String("Vergunningen, kamer 3.14"),
            ContactInfo=pikepdf.String("j.klikspaan@gemeente.example"),
            M=pikepdf.String("D:20261201120000+01'00'"),
            Contents=pikepdf.String(b"\x30\x82" + AUTHOR.encode() + b"\x00" * 64),
            ByteRange=[0, 0, 0, 0],
        )
    )
    field = pdf.make_indirect(
        pikepdf.Dictionary(
            FT=pikepdf.Name.Sig,
            T=pikepdf.String("Handtekening"),
            V=signature,
            Type=pikepdf.Name.Annot,
            Subtype=pikepdf.Name.Widget,
            Rect=[0, 0, 0, 0],
            P=pdf.pages[0].obj,
        )
    )
    pdf.pages[0].obj.Annots = pikepdf.Array([field])
    pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array([field]), SigFlags=3)
    pdf.Root.DSS = pikepdf.Dictionary(Certs=pikepdf.Array([pdf.make_stream(AUTHOR.encode())]))
    out = io.BytesIO()
    pdf.save(out)
    assert AUTHOR.encode() in out.getvalue()
    result = clean(out.getvalue(), max_bytes=LIMIT)
    cleaned = assert_bare_pdf(result.content)
    assert b"klikspaan" not in result.content and b"kamer 3.14" not in result.content
    assert "/DSS" not in cleaned.Root
    (widget,) = cleaned.pages[0].obj.Annots
    assert "/V" not in widget and str(widget.T) == "Handtekening"  # a form field keeps its name


def test_a_profile_that_does_not_fit_and_a_transparent_colour_are_handled():
    # a CMYK JPEG carrying a profile that does not fit it (Pillow makes no CMYK profile to test
    # with): the pixels are converted plainly, the profile dropped
    wrong_profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
    data = _save(Image.new("CMYK", (20, 20), (0, 255, 255, 0)), "JPEG", icc_profile=wrong_profile.tobytes())
    result = clean(data, max_bytes=LIMIT)
    image = assert_bare_image(result.content, "JPEG")
    red, green, blue = image.getpixel((10, 10))
    assert red > 200 and green < 60 and blue < 60
    # an RGB PNG with a transparent colour (tRNS) keeps its transparency
    rgb = Image.new("RGB", (10, 10), (1, 2, 3))
    rgb.paste((200, 0, 0), (0, 0, 5, 10))
    result = clean(_save(rgb, "PNG", transparency=(1, 2, 3)), max_bytes=LIMIT)
    image = assert_bare_image(result.content, "PNG")
    assert image.mode == "RGBA" and image.getpixel((8, 5))[3] == 0 and image.getpixel((2, 5)) == (200, 0, 0, 255)


@pytest.mark.parametrize("brand", [b"heix", b"hevc"])
def test_heif_from_cameras_with_other_hevc_brands_is_accepted(brand):
    out = io.BytesIO()
    _photo((64, 48)).save(out, "HEIF", exif=_exif().tobytes())
    data = out.getvalue()
    assert data[8:12] == b"heic"
    data = data[:8] + brand + data[12:]
    result = clean(data, max_bytes=LIMIT)
    assert check_image(result, "JPEG", "image/jpeg", "jpg").size == (64, 48)
    # an ISO media file of another kind (an MP4 video) is not
    video = data[:8] + b"isom" + b"\x00\x00\x02\x00" + b"isomiso2avc1mp41"
    assert refused(video).reason == "type"
