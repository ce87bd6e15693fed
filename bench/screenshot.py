"""A screenshot for `make bench`'s "submit with a screenshot": a 1280 x 800 PNG of a made-up
case system, the kind of file a reporter attaches (issue 13). Flat interface colours (a top
bar, a menu, panels, buttons, a table) and lines of antialiased "words" of random letters,
so that it compresses like a real screen capture does (about 100-300 kB), not like a flat
picture (a few kB) or noise (megabytes). The same bytes every time (a fixed seed)."""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1280, 800
BACKGROUND = (243, 244, 246)
PANEL = (255, 255, 255)
BORDER = (209, 213, 219)
TOP_BAR = (21, 66, 115)
MENU = (229, 231, 235)
ACCENT = (0, 120, 212)
TEXT = (31, 41, 55)
MUTED = (107, 114, 128)
LETTERS = "abcdeeeefghiijklmnnoopqrsttuvwyz"


def _words(draw, rng, font, x: int, y: int, width: int, colour, lines: int, line_height: int) -> None:
    """`lines` lines of words of random letters from (x, y), at most `width` wide."""
    for line in range(lines):
        text, end = [], x
        while True:
            word = "".join(rng.choice(LETTERS) for _ in range(rng.randint(2, 11)))
            if rng.random() < 0.12:
                word = word.capitalize()
            size = draw.textlength(word + " ", font=font)
            if end + size > x + width:
                break
            text.append(word)
            end += size
        if line == lines - 1 and len(text) > 3:
            text = text[: rng.randint(2, len(text))]
        draw.text((x, y + line * line_height), " ".join(text), fill=colour, font=font)


def screenshot(seed: int = 13) -> bytes:
    rng = random.Random(seed)
    font = ImageFont.load_default(size=14)
    small = ImageFont.load_default(size=12)
    large = ImageFont.load_default(size=20)
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    # Top bar with the application's name and a user menu.
    draw.rectangle((0, 0, WIDTH, 48), fill=TOP_BAR)
    draw.text((20, 14), "Zaaksysteem - Vergunningen en handhaving", fill=(255, 255, 255), font=large)
    draw.rounded_rectangle((1100, 10, 1260, 38), radius=6, fill=(37, 89, 145))
    draw.text((1114, 16), "Medewerker 4711", fill=(255, 255, 255), font=font)
    # The menu on the left.
    draw.rectangle((0, 48, 220, HEIGHT), fill=MENU)
    for i in range(14):
        y = 64 + i * 36
        if i == 3:
            draw.rectangle((0, y - 6, 220, y + 24), fill=(209, 226, 245))
            draw.rectangle((0, y - 6, 4, y + 24), fill=ACCENT)
        _words(draw, rng, font, 20, y, 180, TEXT, 1, 18)
    # A form panel with labelled fields, one of them marked as wrong.
    draw.rectangle((240, 68, 1260, 400), fill=PANEL, outline=BORDER)
    draw.text((260, 82), "Aanvraag omgevingsvergunning, stap 3 van 7", fill=TEXT, font=large)
    for i in range(6):
        y = 124 + i * 44
        _words(draw, rng, font, 260, y + 6, 200, MUTED, 1, 18)
        wrong = i == 4
        draw.rectangle((480, y, 900, y + 30), fill=PANEL, outline=(196, 43, 28) if wrong else BORDER)
        _words(draw, rng, font, 490, y + 7, 300, TEXT, 1, 18)
        if wrong:
            draw.text((910, y + 7), "Verplicht veld: vul opnieuw in", fill=(196, 43, 28), font=font)
    for i, label in enumerate(("Vorige", "Opslaan", "Volgende")):
        x = 920 + i * 112
        draw.rounded_rectangle((x, 356, x + 108, 388), radius=4, fill=ACCENT if i == 2 else MENU)
        draw.text((x + 18, 364), label, fill=(255, 255, 255) if i == 2 else TEXT, font=font)
    # A table of earlier steps, with zebra rows and a status column.
    draw.rectangle((240, 416, 1260, 780), fill=PANEL, outline=BORDER)
    draw.rectangle((241, 417, 1259, 447), fill=MENU)
    for x, title in ((260, "Datum"), (380, "Stap"), (640, "Toelichting"), (1120, "Status")):
        draw.text((x, 424), title, fill=TEXT, font=font)
    for row in range(11):
        y = 450 + row * 30
        if row % 2:
            draw.rectangle((241, y, 1259, y + 29), fill=(249, 250, 251))
        draw.text((260, y + 8), f"{rng.randint(1, 28):02d}-{rng.randint(1, 12):02d}-2026", fill=TEXT, font=small)
        _words(draw, rng, small, 380, y + 8, 240, TEXT, 1, 16)
        _words(draw, rng, small, 640, y + 8, 460, MUTED, 1, 16)
        done = rng.random() < 0.7
        draw.rounded_rectangle((1120, y + 5, 1220, y + 24), radius=9, fill=(220, 252, 231) if done else (254, 243, 199))
        draw.text((1130, y + 8), "Afgerond" if done else "Wacht op u", fill=TEXT, font=small)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=False)
    return out.getvalue()
