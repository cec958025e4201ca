"""Regenerates the vision conversion fixtures with Pillow 9.4 (Debian python3-pil) and cwebp-free Pillow WebP.

Run with the system python: /usr/bin/python3 make_fixtures.py OUTDIR
Every <name>.<ext> input gets <name>.expected.png = Image.open(input).convert("RGB") saved as 8-bit RGB PNG.
"""
import io, struct, sys, zlib, os
from PIL import Image, features

OUT = sys.argv[1]
HERE = sys.argv[2] if len(sys.argv) > 2 else "."
W, H = 45, 31


def rnd(seed):
    x = seed
    while True:
        x = (x * 1103515245 + 12345) & 0x7FFFFFFF
        yield x >> 8


def pattern(channels, maxval=255, seed=1, w=W, h=H):
    """Gradients, two hard-edged shapes and noise: exercises chroma edges and every value range.

    With maxval 65535 the high byte carries the pattern and the low byte a cheap ramp, so that taking the high
    byte and rounding v / 257 give different answers."""
    r = rnd(seed)
    rows = []
    for y in range(h):
        row = []
        for x in range(w):
            px = []
            for c in range(channels):
                v = (x * (c + 1) * 255 // (w - 1) + y * (3 - c) * 255 // (h - 1)) % 256
                if 10 <= x < 22 and 6 <= y < 18:
                    v = (60, 220, 30, 128)[c % 4]
                if (x - 32) ** 2 + (y - 20) ** 2 < 40:
                    v = (250, 20, 200, 40)[c % 4]
                v = min(255, max(0, v + next(r) % 17 - 8))
                px.append(v * 256 + ((x * 37 + y * 11 + c * 50) & 0xFF) if maxval == 65535 else v)
            row.append(px)
        rows.append(row)
    return rows


def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)


def raw_png(rows, bitdepth, colortype, extra=b"", w=W, h=H, packed=None):
    """Writes a PNG by hand for layouts Pillow cannot save (16-bit RGB/RGBA/LA, 2-bit gray)."""
    out = b""
    for y in range(h):
        out += b"\0"
        if packed is not None:
            out += packed(rows[y])
        else:
            for px in rows[y]:
                for v in px:
                    out += struct.pack(">H", v) if bitdepth == 16 else bytes([v])
    ihdr = struct.pack(">IIBBBBB", w, h, bitdepth, colortype, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + extra + chunk(b"IDAT", zlib.compress(out, 9)) + chunk(b"IEND", b"")


def save(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
    im = Image.open(io.BytesIO(data))
    base = name.rsplit(".", 1)[0]
    # Re-created from bytes so that no transparency info from convert() ends up in the expected file.
    rgb = Image.frombytes("RGB", im.size, im.convert("RGB").tobytes())
    rgb.save(os.path.join(OUT, base + ".expected.png"), optimize=True)
    print(f"{name:28s} {im.format:5s} {im.mode:5s} {len(data):6d} B")


def pil_bytes(im, fmt, **kw):
    b = io.BytesIO()
    im.save(b, fmt, **kw)
    return b.getvalue()


def from_rows(mode, rows):
    im = Image.new(mode, (W, H))
    im.putdata([tuple(px) if len(px) > 1 else px[0] for row in rows for px in row])
    return im


rgb = from_rows("RGB", pattern(3))
rgba_rows = pattern(4, seed=7)
rgba = from_rows("RGBA", rgba_rows)

# --- PNG ---
save("l8.png", pil_bytes(from_rows("L", pattern(1)), "PNG"))
save("la8.png", pil_bytes(from_rows("LA", pattern(2, seed=3)), "PNG"))
# 16-bit gray: half of the values below 256 so that the clamp of Pillow's I -> RGB conversion is visible.
g16 = [[[v[0] * 257 if (x + y) % 2 else v[0]] for x, v in enumerate(row)] for y, row in enumerate(pattern(1, seed=5))]
save("l16.png", raw_png(g16, 16, 0))
# 16-bit colour files are smaller (24x16) to keep them to a few KB.
save("rgb16.png", raw_png(pattern(3, 65535, seed=9, w=24, h=16), 16, 2, w=24, h=16))
save("rgba16.png", raw_png(pattern(4, 65535, seed=11, w=24, h=16), 16, 6, w=24, h=16))
save("la16.png", raw_png(pattern(2, 65535, seed=13, w=24, h=16), 16, 4, w=24, h=16))
save("rgba8.png", pil_bytes(rgba, "PNG"))
pal = rgb.quantize(colors=200, method=Image.Quantize.MEDIANCUT)
save("p8.png", pil_bytes(pal, "PNG"))
pal_trns = pal.copy()
pal_trns.info["transparency"] = bytes((i * 37) % 256 for i in range(200))
save("p8_trns.png", pil_bytes(pal_trns, "PNG", transparency=pal_trns.info["transparency"]))
save("p8_trns_one.png", pil_bytes(pal, "PNG", transparency=3))
pal16 = rgb.quantize(colors=16)
save("p4.png", pil_bytes(pal16, "PNG", bits=4))
save("l1.png", pil_bytes(from_rows("L", pattern(1, seed=17)).convert("1"), "PNG"))
g2 = [[[v[0] >> 6] for v in row] for row in pattern(1, seed=19)]


def pack2(row):
    vals = [px[0] for px in row] + [0] * 3
    return bytes((vals[i] << 6) | (vals[i + 1] << 4) | (vals[i + 2] << 2) | vals[i + 3] for i in range(0, len(row), 4))


save("l2.png", raw_png(g2, 2, 0, packed=pack2))
# PLTE with 4 entries but 4-bit indices up to 15: Pillow fills missing entries with grey (i, i, i).
short = [[[(x + y) % 16] for x in range(W)] for y in range(H)]
plte = chunk(b"PLTE", bytes([200, 10, 10, 10, 200, 10, 10, 10, 200, 250, 250, 0]))


def pack4(row):
    vals = [px[0] for px in row] + [0]
    return bytes((vals[i] << 4) | vals[i + 1] for i in range(0, len(row), 2))


save("p4_short_plte.png", raw_png(short, 4, 3, extra=plte, packed=pack4))
# 16-bit grey with a tRNS colour: still mode I in Pillow (clamped), although Java adds an alpha band.
save("l16_trns.png", raw_png(g16, 16, 0, extra=chunk(b"tRNS", struct.pack(">H", 300))))
save("rgb16_trns.png", raw_png(pattern(3, 65535, seed=9, w=24, h=16), 16, 2, w=24, h=16,
                               extra=chunk(b"tRNS", struct.pack(">HHH", 1, 2, 3))))
save("l8_trns.png", pil_bytes(from_rows("L", pattern(1, seed=21)), "PNG", transparency=128))
save("rgb8_trns.png", pil_bytes(rgb, "PNG", transparency=(60, 220, 30)))
icc = open(os.path.join(HERE, "linear_rgb.icc"), "rb").read()
gama = chunk(b"gAMA", struct.pack(">I", 100000))
iccp = chunk(b"iCCP", b"linear\0\0" + zlib.compress(icc))
save("rgb8_icc_gamma.png", raw_png(pattern(3, seed=23), 8, 2, extra=gama + iccp))
gicc = chunk(b"iCCP", b"gray\0\0" + zlib.compress(open(os.path.join(HERE, "gray.icc"), "rb").read()))
save("l8_icc_gamma.png", raw_png(pattern(1, seed=29), 8, 0, extra=gama + gicc))

# --- JPEG ---
save("ycc420.jpg", pil_bytes(rgb, "JPEG", quality=90, subsampling=2))
save("ycc422.jpg", pil_bytes(rgb, "JPEG", quality=90, subsampling=1))
save("ycc444.jpg", pil_bytes(rgb, "JPEG", quality=90, subsampling=0))
save("progressive.jpg", pil_bytes(rgb, "JPEG", quality=85, progressive=True))
save("gray.jpg", pil_bytes(from_rows("L", pattern(1, seed=31)), "JPEG", quality=90))
save("icc.jpg", pil_bytes(rgb, "JPEG", quality=90, icc_profile=icc))
cmyk = from_rows("CMYK", pattern(4, seed=37))
save("cmyk.jpg", pil_bytes(cmyk, "JPEG", quality=90))
if os.path.exists(os.path.join(HERE, "ycck_java.jpg")):
    # Written by the JDK's JPEG writer from cmyk_src.raw (Pillow cannot write YCCK): one with an Adobe marker,
    # transform 2 (YCCK), one with no Adobe marker at all (libjpeg then assumes plain CMYK).
    save("ycck.jpg", open(os.path.join(HERE, "ycck_java.jpg"), "rb").read())
    save("cmyk_noadobe.jpg", open(os.path.join(HERE, "cmyk_noadobe_java.jpg"), "rb").read())
else:
    # Adobe-inverted CMYK samples for the Java writer, which stores 4-band rasters as YCCK.
    stored = bytes(255 - v for v in cmyk.tobytes())
    with open(os.path.join(HERE, "cmyk_src.raw"), "wb") as f:
        f.write(struct.pack(">II", W, H) + stored)
    # The JDK writer stores the samples it is given, so hand it YCCK: libjpeg's CMYK -> YCCK applied by hand
    # (R = 255 - C etc., then JFIF YCbCr; K kept).
    ycck = bytearray()
    for i in range(0, len(stored), 4):
        r, g, b = (255 - stored[i]), (255 - stored[i + 1]), (255 - stored[i + 2])
        yy = 0.299 * r + 0.587 * g + 0.114 * b
        cb = -0.168736 * r - 0.331264 * g + 0.5 * b + 128
        cr = 0.5 * r - 0.418688 * g - 0.081312 * b + 128
        ycck += bytes(min(255, max(0, round(v))) for v in (yy, cb, cr)) + bytes([stored[i + 3]])
    with open(os.path.join(HERE, "ycck_src.raw"), "wb") as f:
        f.write(struct.pack(">II", W, H) + bytes(ycck))

# --- WebP ---
save("lossless.webp", pil_bytes(rgb, "WEBP", lossless=True))
save("lossless_alpha.webp", pil_bytes(rgba, "WEBP", lossless=True))
save("lossy.webp", pil_bytes(rgb, "WEBP", quality=80))
save("lossy_alpha.webp", pil_bytes(rgba, "WEBP", quality=80))

# --- Not supported: refused by magic bytes ---
small = rgb.resize((8, 8))
for fmt, ext in (("GIF", "gif"), ("BMP", "bmp"), ("TIFF", "tiff")):
    with open(os.path.join(OUT, "unsupported." + ext), "wb") as f:
        f.write(pil_bytes(small, fmt))

# --- Pillow's bicubic resize of an RGB image to assorted sizes (up, down, one axis only, non-integer scales) ---
rgb.save(os.path.join(OUT, "resize_src.png"))
for w, h in ((20, 50), (100, 7), (45, 90), (13, 31), (1, 1), (64, 64), (7, 200)):
    rgb.resize((w, h), Image.BICUBIC).save(os.path.join(OUT, f"resize_to_{w}x{h}.png"))

# --- CPython's order of the official candidate grids (set of tuples sorted by product) ---
with open(os.path.join(OUT, "grid_orders.txt"), "w") as f:
    f.write(f"# sorted(set(official comprehension), key=i*j) under CPython {sys.version.split()[0]}\n")
    f.write("# min max then i,j pairs in order\n")
    cases = [(1, m) for m in range(1, 31)] + [(mn, mx) for mn in (2, 3, 5) for mx in (6, 12, 24, 40)]
    for mn, mx in cases:
        s = set((i, j) for n in range(mn, mx + 1) for i in range(1, n + 1) for j in range(1, n + 1)
                if i * j <= mx and i * j >= mn)
        order = sorted(s, key=lambda x: x[0] * x[1])
        f.write(f"{mn} {mx} " + " ".join(f"{i},{j}" for i, j in order) + "\n")
