"""Writes the image preprocessing fixtures VecNN's ImageDecoder and ImageTransform are checked against.

Images of every kind a user might bring, generated here with numpy and PIL at awkward sizes (PNG in RGB, L,
RGBA, P, 1-bit and 16-bit; JPEG at 4:2:0 and 4:4:4 chroma subsampling and in grey), plus the photos in
PHOTOS_DIR when it exists; and for each image, what torchvision 0.14 makes of it under the evaluation
pipelines VecNN's models use:
    transforms.Compose([Resize(r, interpolation), CenterCrop(c), (Grayscale(),) ToTensor(), Normalize(mean, std)])
applied to Image.open(f).convert('RGB'); and the evaluation transforms of every torchvision classification
model's first published ImageNet weights (weights.transforms()), which ImageTransform.forModel must reproduce.
Run as
    python3 preprocess_fixtures.py OUT_DIR [PHOTOS_DIR]
It writes the images to OUT_DIR/images, each result as a float32 NPY of shape (C, H, W), and
OUT_DIR/manifest.json listing every case (and why the photos were skipped, if they were).
"""
import glob
import json
import os
import struct
import sys
import zlib

import numpy as np
from PIL import Image
import torchvision.models
from torchvision import transforms
from torchvision.transforms import InterpolationMode

IMAGENET = ([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
BILINEAR, BICUBIC = InterpolationMode.BILINEAR, InterpolationMode.BICUBIC
PIPELINES = [
    # name, interpolation, resize, (crop height, crop width), grayscale, mean, std
    ("256/224", BILINEAR, 256, (224, 224), False) + IMAGENET,
    ("342/299", BILINEAR, 342, (299, 299), False) + IMAGENET,
    ("32/32", BILINEAR, 32, (32, 32), False, [0.5] * 3, [0.5] * 3),
    ("grey 32/32", BILINEAR, 32, (32, 32), True, [0.5], [0.5]),
    # A crop larger than the resized image on both sides, which torchvision pads with black.
    ("32/40x36 padded", BILINEAR, 32, (40, 36), False, [0.5] * 3, [0.5] * 3),
    # EfficientNet's: bicubic, whose negative lobes can overshoot and must clip as Pillow's do.
    ("bicubic 256/224", BICUBIC, 256, (224, 224), False) + IMAGENET,
    ("bicubic 320/300", BICUBIC, 320, (300, 300), False) + IMAGENET,
    ("bicubic 48/40", BICUBIC, 48, (40, 40), False, [0.5] * 3, [0.5] * 3),
]


def published_transforms():
    """Each classification model's first ImageNet weights' evaluation transforms, by model name."""
    published = {}
    for name in torchvision.models.list_models(torchvision.models):
        try:
            weights = next(iter(torchvision.models.get_model_weights(name)))
        except (ValueError, KeyError, StopIteration):
            continue
        t = weights.transforms()
        published[name] = {"crop": t.crop_size[0], "resize": t.resize_size[0], "interpolation": t.interpolation.name,
                           "mean": list(t.mean), "std": list(t.std)}
    return published


def scene(height, width, channels, seed):
    """A picture-like test image: smooth gradients and discs (what JPEG is made for) plus some noise."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    planes = []
    for c in range(channels):
        fx, fy = rng.uniform(0.5, 4, 2)
        plane = 127 + 90 * np.sin(2 * np.pi * (fx * x / width + fy * y / height) + c)
        cy, cx, r = rng.uniform(0, height), rng.uniform(0, width), rng.uniform(3, max(4, min(height, width) / 2))
        plane = np.where((y - cy) ** 2 + (x - cx) ** 2 < r * r, 255 - plane, plane)
        planes.append(plane + rng.normal(0, 12, (height, width)))
    return np.clip(np.stack(planes, axis=-1), 0, 255).round().astype(np.uint8)


def raw_png(path, width, height, colour_type, samples):
    """A 16-bit PNG written by hand (PIL writes no 16-bit RGB): samples is a (height, width[, c]) uint16 array."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + samples[y].astype(">u2").tobytes() for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 16, colour_type, 0, 0, 0)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
                + chunk(b"IEND", b""))


def generate(directory):
    """Writes the generated images; returns their paths."""
    os.makedirs(directory, exist_ok=True)
    paths = []

    def save(image, name, **options):
        path = os.path.join(directory, name)
        image.save(path, **options)
        paths.append(path)

    for i, (w, h) in enumerate([(257, 193), (1001, 37), (31, 45), (224, 224), (193, 257)]):
        save(Image.fromarray(scene(h, w, 3, i)), "rgb_%dx%d.png" % (w, h))
    save(Image.fromarray(scene(97, 150, 1, 10)[..., 0], "L"), "grey_150x97.png")
    save(Image.fromarray(scene(90, 121, 4, 11), "RGBA"), "rgba_121x90.png")
    save(Image.fromarray(scene(77, 133, 2, 12), "LA"), "grey_alpha_133x77.png")
    palette = Image.fromarray(scene(101, 87, 3, 13)).quantize(colors=37)
    save(palette, "palette_87x101.png")
    save(palette, "palette_transparent_87x101.png", transparency=5)
    save(Image.fromarray(scene(45, 70, 1, 14)[..., 0] > 127), "bilevel_70x45.png")
    jpeg = Image.fromarray(scene(203, 301, 3, 15))
    save(jpeg, "jpeg420_301x203.jpg", quality=90, subsampling=2)
    save(jpeg, "jpeg444_301x203.jpg", quality=90, subsampling=0)
    save(jpeg, "jpeg422_301x203.jpg", quality=90, subsampling=1)
    save(Image.fromarray(scene(150, 113, 1, 16)[..., 0], "L"), "jpeg_grey_113x150.jpg", quality=85)

    rgb16 = os.path.join(directory, "rgb16_67x49.png")
    raw_png(rgb16, 67, 49, 2, scene(49, 67, 3, 17).astype(np.uint16) * 257
            + np.random.default_rng(17).integers(0, 257, (49, 67, 3)).astype(np.uint16))
    paths.append(rgb16)
    # PIL opens 16-bit grey as 32-bit integers and clips them to 255 in convert('RGB'): small values show it.
    grey16 = os.path.join(directory, "grey16_clipped_58x41.png")
    raw_png(grey16, 58, 41, 0, scene(41, 58, 1, 18)[..., 0].astype(np.uint16) * 2)
    paths.append(grey16)
    return paths


def main(out, photos):
    manifest = {"cases": [], "skipped": None, "published": published_transforms()}
    images = generate(os.path.join(out, "images"))
    if photos and os.path.isdir(photos):
        found = sorted(glob.glob(os.path.join(photos, "*.jpg")))
        images += found
        if not found:
            manifest["skipped"] = "no *.jpg photos in " + photos
    else:
        manifest["skipped"] = "photo directory %s is absent: photo cases skipped" % photos
    for n, path in enumerate(images):
        with Image.open(path) as opened:
            mode = opened.mode
            rgb = opened.convert("RGB")
        for name, interpolation, resize, crop, grey, mean, std in PIPELINES:
            steps = [transforms.Resize(resize, interpolation), transforms.CenterCrop(crop)]
            steps += [transforms.Grayscale()] if grey else []
            steps += [transforms.ToTensor(), transforms.Normalize(mean, std)]
            tensor = transforms.Compose(steps)(rgb).numpy().astype(np.float32)
            expected = "case%03d_%s.npy" % (n, name.replace("/", "_").replace(" ", "_"))
            np.save(os.path.join(out, expected), tensor)
            manifest["cases"].append({
                "image": os.path.abspath(path), "name": os.path.basename(path), "mode": mode,
                "pipeline": name, "interpolation": interpolation.name, "resize": resize, "crop": list(crop), "grayscale": grey,
                "mean": mean, "std": std, "expected": expected, "shape": list(tensor.shape)})
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print("%d cases from %d images%s" % (len(manifest["cases"]), len(images),
                                         "; " + manifest["skipped"] if manifest["skipped"] else ""))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None)
