"""VGG19 to conv5_1, forward + input gradient, in PyTorch on the CPU: the pass `stylize bench` times.

Random weights (speed does not depend on values); weights need no gradient, as in Stylize. Prints one JSON
line per size: {"size": 256, "seconds_per_eval": ..., "threads": ...}.
"""
import argparse
import json
import time

import torch
from torch import nn

# VGG19's convolutions up to conv5_1 ("M": 2×2 max pool), the layers Stylize runs for a conv5_1 tap.
LAYERS = [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512]


def vgg19_to_conv5_1() -> nn.Sequential:
    layers, channels = [], 3
    for item in LAYERS:
        if item == "M":
            layers.append(nn.MaxPool2d(2, 2))
        else:
            layers += [nn.Conv2d(channels, item, 3, padding=1), nn.ReLU(inplace=False)]
            channels = item
    return nn.Sequential(*layers[:-1])  # ends at conv5_1 itself


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, action="append", required=True)
    parser.add_argument("--iterations", type=int, default=3)
    parser.add_argument("--threads", type=int, default=0, help="0: PyTorch's default")
    args = parser.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    net = vgg19_to_conv5_1().eval()
    for p in net.parameters():
        p.requires_grad_(False)
    for size in args.size:
        image = torch.rand(1, 3, size, size)

        def evaluate() -> None:
            x = image.clone().requires_grad_(True)
            y = net(x)
            y.backward(torch.full_like(y, 1e-3))

        evaluate()  # warm-up: oneDNN picks and caches its kernels
        start = time.perf_counter()
        for _ in range(args.iterations):
            evaluate()
        seconds = (time.perf_counter() - start) / args.iterations
        print(json.dumps({"size": size, "seconds_per_eval": seconds, "threads": torch.get_num_threads(),
                          "torch": torch.__version__}), flush=True)


if __name__ == "__main__":
    main()
