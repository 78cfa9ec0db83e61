#!/usr/bin/env python3
"""Draws Rapport's toolbar and store icons (16, 32, 48, 128 px) into extension/icons/.

The mark: two overlapping speech bubbles (you and someone you know) on a deep teal
disc, with an amber dot where Rapport speaks up. Drawn from signed distances with
4x4 supersampling and written as PNG with zlib, so it needs nothing but Python.
Run it after changing the drawing and commit the PNGs: `python3 tools/icons.py`.
"""
import math
import os
import struct
import zlib

TEAL = (15, 98, 110)
WHITE = (255, 255, 255)
MINT = (178, 226, 220)
AMBER = (245, 166, 35)


def rounded_rect(x, y, cx, cy, hw, hh, r):
    dx = max(abs(x - cx) - hw + r, 0.0)
    dy = max(abs(y - cy) - hh + r, 0.0)
    inner = min(max(abs(x - cx) - hw + r, abs(y - cy) - hh + r), 0.0)
    return math.hypot(dx, dy) + inner - r


def circle(x, y, cx, cy, r):
    return math.hypot(x - cx, y - cy) - r


def triangle_tail(x, y, ax, ay, bx, by, tx, ty):
    # Inside test for the bubble's tail: a triangle (a, b, tip).
    def side(px, py, qx, qy):
        return (qx - px) * (y - py) - (qy - py) * (x - px)
    s1, s2, s3 = side(ax, ay, bx, by), side(bx, by, tx, ty), side(tx, ty, ax, ay)
    return -1.0 if (s1 >= 0 and s2 >= 0 and s3 >= 0) or (s1 <= 0 and s2 <= 0 and s3 <= 0) else 1.0


def shade(x, y):
    """Colour at a point of the unit square, or None for transparent."""
    if circle(x, y, 0.5, 0.5, 0.48) > 0:
        return None
    colour = TEAL
    # Back bubble (the other person), upper right.
    if rounded_rect(x, y, 0.60, 0.40, 0.22, 0.15, 0.08) <= 0 or \
            triangle_tail(x, y, 0.66, 0.52, 0.76, 0.52, 0.78, 0.64) < 0:
        colour = MINT
    # Front bubble (you), lower left, with an outline gap against the back one.
    front = rounded_rect(x, y, 0.40, 0.58, 0.24, 0.16, 0.09)
    tail = triangle_tail(x, y, 0.26, 0.70, 0.38, 0.70, 0.22, 0.84)
    if front <= 0.035 and colour == MINT:
        colour = TEAL
    if front <= 0 or tail < 0:
        colour = WHITE
    # Rapport's voice: an amber dot on the front bubble.
    if circle(x, y, 0.72, 0.72, 0.13) <= 0:
        colour = AMBER
    if TEAL != colour and circle(x, y, 0.72, 0.72, 0.17) <= 0 and colour != AMBER:
        colour = TEAL
    return colour


def render(size, samples=4):
    rows = []
    for py in range(size):
        row = bytearray([0])  # PNG filter: none
        for px in range(size):
            r = g = b = a = 0
            for sy in range(samples):
                for sx in range(samples):
                    c = shade((px + (sx + 0.5) / samples) / size, (py + (sy + 0.5) / samples) / size)
                    if c is not None:
                        r += c[0]; g += c[1]; b += c[2]; a += 1
            n = samples * samples
            if a:
                row += bytes((r // a, g // a, b // a, 255 * a // n))
            else:
                row += bytes(4)
        rows.append(bytes(row))
    return b"".join(rows)


def png(size, pixels):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(pixels, 9)) + chunk(b"IEND", b"")


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "extension", "icons")
    os.makedirs(out, exist_ok=True)
    for size in (16, 32, 48, 128):
        with open(os.path.join(out, f"icon-{size}.png"), "wb") as f:
            f.write(png(size, render(size)))
        print(f"extension/icons/icon-{size}.png")


if __name__ == "__main__":
    main()
