"""PyTorch reference for lenses' benchmark (bench/main.ts runs it in the same run).

Same workloads, shapes, batch and optimizer as bench/workloads.ts:
  cnn_train  reference CNN (conv3x3 32 relu same, maxpool2, conv3x3 64 relu same, maxpool2,
             fc128 relu, fc10), batch 128, 1x28x28, Adam(lr 1e-3, eps 1e-7), cross-entropy
  mlp_train  MLP 784-300-100-10 ReLU, batch 128, Adam(lr 1e-3, eps 1e-7)
  cnn_pgd10  10-step L-inf PGD (eps 0.3, step 0.03, sign step, projection to the ball and
             [0, 1]) on the reference CNN, batch 128, plus the final evaluation lenses' attack
             also runs (loss and prediction at the last iterate)
  smooth_certify  the inner loop of randomized smoothing's CERTIFY (core.py's _sample_noise):
             1000 copies of one image plus N(0, 0.25^2) noise, reference CNN in eval mode
             without autograd, argmax, counts per class

Prints one JSON object: {"threads": n, "torch": version, "workloads": [{name, images_per_second,
images_per_cpu_second, steps}]} (CPU seconds: process time, all threads).
Usage: python3 torch_ref.py --threads 1 --steps 20
         [--workloads cnn_train,mlp_train,cnn_pgd10,smooth_certify]
"""

import argparse
import json
import time

import torch
from torch import nn
import torch.nn.functional as F

BATCH = 128
NOISE_BATCH = 1000


def reference_cnn():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))


def mlp():
    return nn.Sequential(
        nn.Flatten(), nn.Linear(784, 300), nn.ReLU(), nn.Linear(300, 100), nn.ReLU(),
        nn.Linear(100, 10))


def batch():
    g = torch.Generator().manual_seed(0)
    x = torch.rand(BATCH, 1, 28, 28, generator=g)
    y = torch.randint(0, 10, (BATCH,), generator=g)
    return x, y


def train_step(model):
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    x, y = batch()

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        loss.item()
    return step


def pgd_step(model, steps=10, eps=0.3, step_size=0.03):
    x0, y = batch()
    for p in model.parameters():
        p.requires_grad_(False)

    def step():
        x = x0.clone()
        for _ in range(steps):
            x.requires_grad_(True)
            loss = F.cross_entropy(model(x), y, reduction="none")
            (grad,) = torch.autograd.grad(loss.sum(), x)
            with torch.no_grad():
                x = x + step_size * grad.sign()
                x = torch.min(torch.max(x, (x0 - eps).clamp(min=0)), (x0 + eps).clamp(max=1))
        with torch.no_grad():
            logits = model(x)
            F.cross_entropy(logits, y, reduction="none").sum().item()
            logits.argmax(1).ne(y).sum().item()
    return step


def certify_step(model, sigma=0.25):
    x, _ = batch()
    image = x[:1]
    model.eval()

    def step():
        with torch.no_grad():
            copies = image.repeat((NOISE_BATCH, 1, 1, 1))
            noise = torch.randn_like(copies) * sigma
            predictions = model(copies + noise).argmax(1)
            torch.bincount(predictions, minlength=10).tolist()
    return step


WORKLOADS = {
    "cnn_train": lambda: train_step(reference_cnn()),
    "mlp_train": lambda: train_step(mlp()),
    "cnn_pgd10": lambda: pgd_step(reference_cnn()),
    "smooth_certify": lambda: certify_step(reference_cnn()),
}
WARMUP = {"cnn_train": 3, "mlp_train": 10, "cnn_pgd10": 1, "smooth_certify": 1}
SCALE = {"cnn_train": 1, "mlp_train": 10, "cnn_pgd10": 0.25, "smooth_certify": 0.25}
IMAGES = {"cnn_train": BATCH, "mlp_train": BATCH, "cnn_pgd10": BATCH,
          "smooth_certify": NOISE_BATCH}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--workloads", default=",".join(WORKLOADS))
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    out = []
    for name in args.workloads.split(","):
        step = WORKLOADS[name]()
        for _ in range(WARMUP[name]):
            step()
        steps = max(1, round(args.steps * SCALE[name]))
        start, cpu_start = time.perf_counter(), time.process_time()
        for _ in range(steps):
            step()
        seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
        images = IMAGES[name] * steps
        out.append({"name": name, "images_per_second": images / seconds,
                    "images_per_cpu_second": images / cpu_seconds, "steps": steps})
    print(json.dumps({"threads": torch.get_num_threads(), "torch": torch.__version__,
                      "workloads": out}))


if __name__ == "__main__":
    main()
