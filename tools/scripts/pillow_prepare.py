#!/usr/bin/python3
"""Prepares images for HoVLE the way the official InternVL helpers do (Pillow + torchvision), on one thread.

The preparation is InternVL's `load_image`: decode with Pillow, convert("RGB"), `dynamic_preprocess` (grid chosen by
`find_closest_aspect_ratio`, bicubic resize, row-major crops, a thumbnail when the grid has more than one tile), then
`build_transform` (Resize to SxS bicubic, ToTensor, Normalize with the ImageNet statistics) per tile and
`torch.stack`. Images are decoded from bytes held in memory, so disk reads are not timed.

Modes:
  default       time --rounds rounds over all images and print images/s per image and overall
  --dump DIR    also write, per image k, k.tiles.u8 (the 8-bit tiles, [n, S, S, 3]), k.pixel_values.f32 (raw
                little-endian float32, [n, 3, S, S]) and manifest.json (file, size, grid, shape per image)
  --serve       for `hovle bench-images`: print "ready", then answer each stdin line "round R" with one JSON line
                {"seconds": [...]} (seconds to prepare each image R times); "quit" ends

Use Debian's interpreter, /usr/bin/python3, with python3-pil, python3-torchvision and python3-numpy installed.
"""

import argparse
import io
import json
import os
import statistics
import sys
import time

import numpy as np
import torch
import torchvision.transforms as T
from PIL import Image
from torchvision.transforms.functional import InterpolationMode

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def build_transform(input_size):
    """The official per-tile transform: RGB, Resize((S, S), BICUBIC), ToTensor, Normalize(ImageNet)."""
    return T.Compose([
        T.Lambda(lambda img: img.convert("RGB") if img.mode != "RGB" else img),
        T.Resize((input_size, input_size), interpolation=InterpolationMode.BICUBIC),
        T.ToTensor(),
        T.Normalize(mean=IMAGENET_MEAN, std=IMAGENET_STD),
    ])


def candidate_grids(min_num, max_num):
    """(cols, rows) with min_num <= cols*rows <= max_num, from a set sorted by product, as the official code does
    (ties keep the set's iteration order, which decides between equally close grids)."""
    grids = set((i, j) for n in range(min_num, max_num + 1) for i in range(1, n + 1) for j in range(1, n + 1)
                if min_num <= i * j <= max_num)
    return sorted(grids, key=lambda grid: grid[0] * grid[1])


def find_closest_aspect_ratio(aspect_ratio, grids, width, height, image_size):
    best_diff = float("inf")
    best = (1, 1)
    area = width * height
    for grid in grids:
        diff = abs(aspect_ratio - grid[0] / grid[1])
        if diff < best_diff:
            best_diff = diff
            best = grid
        elif diff == best_diff and area > 0.5 * image_size * image_size * grid[0] * grid[1]:
            best = grid
    return best


def dynamic_preprocess(image, min_num, max_num, image_size, use_thumbnail):
    """Returns the grid and its tiles (PIL images) in model order, thumbnail last."""
    width, height = image.size
    cols, rows = find_closest_aspect_ratio(width / height, candidate_grids(min_num, max_num), width, height,
                                           image_size)
    # Pillow's default filter for an RGB resize is BICUBIC, which is what the official call relies on.
    canvas = image.resize((image_size * cols, image_size * rows))
    tiles = []
    for k in range(cols * rows):
        left = (k % cols) * image_size
        top = (k // cols) * image_size
        tiles.append(canvas.crop((left, top, left + image_size, top + image_size)))
    if use_thumbnail and len(tiles) != 1:
        tiles.append(image.resize((image_size, image_size)))
    return (cols, rows), tiles


class Preparer:
    """load_image for one configuration: bytes in, the [n, 3, S, S] pixel_values tensor out."""

    def __init__(self, max_num, image_size):
        self.max_num = max_num
        self.image_size = image_size
        self.transform = build_transform(image_size)

    def tiles(self, data):
        image = Image.open(io.BytesIO(data)).convert("RGB")
        return image.size, dynamic_preprocess(image, 1, self.max_num, self.image_size, use_thumbnail=True)

    def pixel_values(self, tiles):
        return torch.stack([self.transform(tile) for tile in tiles])

    def prepare(self, data):
        _, (_, tiles) = self.tiles(data)
        return self.pixel_values(tiles)


def dump(preparer, files, images, out_dir):
    """Writes every image's 8-bit tiles and pixel_values, and a manifest describing them."""
    os.makedirs(out_dir, exist_ok=True)
    manifest = []
    for k, (path, data) in enumerate(zip(files, images)):
        size, (grid, tiles) = preparer.tiles(data)
        values = preparer.pixel_values(tiles)
        np.stack([np.asarray(tile, dtype=np.uint8) for tile in tiles]).tofile(os.path.join(out_dir, f"{k}.tiles.u8"))
        values.numpy().astype("<f4", copy=False).tofile(os.path.join(out_dir, f"{k}.pixel_values.f32"))
        manifest.append({"file": path, "size_wh": list(size), "grid_cols_rows": list(grid),
                         "shape": list(values.shape), "tiles": f"{k}.tiles.u8",
                         "pixel_values": f"{k}.pixel_values.f32"})
    with open(os.path.join(out_dir, "manifest.json"), "w") as out:
        json.dump({"max_num": preparer.max_num, "image_size": preparer.image_size,
                   "pillow": Image.__version__, "torch": torch.__version__, "images": manifest}, out, indent=1)


def timed_round(preparer, images, repeats):
    """Seconds to prepare each image `repeats` times."""
    seconds = []
    for data in images:
        start = time.perf_counter()
        for _ in range(repeats):
            preparer.prepare(data)
        seconds.append(time.perf_counter() - start)
    return seconds


def serve(preparer, images):
    print("ready", flush=True)
    for line in sys.stdin:
        words = line.split()
        if words == ["quit"]:
            return
        if len(words) != 2 or words[0] != "round":
            print(json.dumps({"error": "expected 'round R' or 'quit', got " + line.strip()}), flush=True)
            continue
        print(json.dumps({"seconds": timed_round(preparer, images, int(words[1]))}), flush=True)


def report(preparer, files, images, rounds):
    per_round = [timed_round(preparer, images, 1) for _ in range(rounds)]
    print(f"Pillow {Image.__version__}, torch {torch.__version__}, {torch.get_num_threads()} thread, "
          f"max_num {preparer.max_num}, tile {preparer.image_size}, median of {rounds} rounds")
    for k, path in enumerate(files):
        times = [r[k] for r in per_round]
        print(f"{1 / statistics.median(times):10.1f} images/s  (min {1 / max(times):.1f}, max {1 / min(times):.1f})"
              f"  {path}")
    totals = [sum(r) for r in per_round]
    print(f"{len(files) / statistics.median(totals):10.1f} images/s  all images")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="+", help="image files")
    parser.add_argument("--max-tiles", type=int, default=12, help="max_num of dynamic_preprocess (default 12)")
    parser.add_argument("--tile-size", type=int, default=448, help="input_size S (default 448)")
    parser.add_argument("--rounds", type=int, default=20, help="timed rounds in the default mode (default 20)")
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads (default 1)")
    parser.add_argument("--dump", metavar="DIR", help="write tiles, pixel_values and manifest.json to DIR")
    parser.add_argument("--serve", action="store_true", help="answer 'round R' lines on stdin (see above)")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    preparer = Preparer(args.max_tiles, args.tile_size)
    images = []
    for path in args.files:
        with open(path, "rb") as f:
            images.append(f.read())
    if args.dump:
        dump(preparer, args.files, images, args.dump)
    timed_round(preparer, images, 1)  # warm-up: first-call costs (imports, allocator) are not counted
    if args.serve:
        serve(preparer, images)
    else:
        report(preparer, args.files, images, args.rounds)


if __name__ == "__main__":
    main()
