#!/usr/bin/env python3
"""Reference trainer in PyTorch (Python) for the C++ trainer's benchmark.

Builds the same decoder LM as models/transformer_lm.h (token + learned
position embeddings, pre-norm blocks of fused-QKV causal attention with an
additive -inf mask, or F.scaled_dot_product_attention with --fused_attention,
and a ReLU MLP, final LayerNorm, untied head without bias), trains it with
AdamW (decay on matrices only; fused=True with --fused_optimizer), warmup +
cosine schedule and
global-norm clipping on uniformly random tokens, and prints one JSON line with
its speed. Thread settings follow train/run_info.h: every core to torch's
intra-op pool (which MKL shares), one inter-op thread. --device cuda trains
on the GPU; --compile runs the model through torch.compile (and reports the
error in its JSON line if compiling fails).

  .venv/bin/python bench/torch_reference.py --steps 30 --batch_size 32
"""
import argparse
import json
import math
import os
import sys
import time


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--vocab_size", type=int, default=256)
    p.add_argument("--d_model", type=int, default=128)
    p.add_argument("--n_layers", type=int, default=6)
    p.add_argument("--n_heads", type=int, default=4)
    p.add_argument("--d_ff", type=int, default=512)
    p.add_argument("--seq_len", type=int, default=128)
    p.add_argument("--batch_size", type=int, default=32)
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--warmup", type=int, default=3, help="untimed steps first")
    p.add_argument("--threads", type=int, default=0, help="cores, 0 = all")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    p.add_argument("--compile", action="store_true",
                   help="torch.compile the model (default mode)")
    p.add_argument("--fused_attention", action="store_true",
                   help="attention through F.scaled_dot_product_attention "
                        "(as the C++ trainer by default)")
    p.add_argument("--fused_optimizer", action="store_true",
                   help="torch.optim.AdamW(fused=True) (as the C++ trainer "
                        "by default)")
    a = p.parse_args()
    for name in ("vocab_size", "d_model", "n_layers", "n_heads", "d_ff",
                 "seq_len", "batch_size", "steps"):
        if getattr(a, name) <= 0:
            p.error(f"--{name} must be positive, got {getattr(a, name)}")
    if a.d_model % a.n_heads:
        p.error(f"--d_model ({a.d_model}) must be divisible by --n_heads ({a.n_heads})")
    return a


ARGS = parse_args()
CORES = ARGS.threads or os.cpu_count() or 1
try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:
    sys.exit("torch_reference.py: error: torch is missing: run tools/setup.sh "
             "and use .venv/bin/python")


class Attention(nn.Module):
    def __init__(self, d, h, max_len, fused):
        super().__init__()
        self.h = h
        self.fused = fused
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.register_buffer(
            "mask", torch.full((max_len, max_len), float("-inf")).triu(1))

    def forward(self, x):
        b, s, d = x.shape
        hd = d // self.h
        q, k, v = self.qkv(x).view(b, s, 3, self.h, hd).permute(2, 0, 3, 1, 4)
        if self.fused:
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            return self.proj(y.transpose(1, 2).reshape(b, s, d))
        # As models/attention.cc: scale and additive mask in one baddbmm.
        scores = torch.baddbmm(
            self.mask[:s, :s].expand(b * self.h, s, s),
            q.reshape(b * self.h, s, hd),
            k.reshape(b * self.h, s, hd).transpose(1, 2),
            alpha=1.0 / math.sqrt(hd)).view(b, self.h, s, s)
        probs = torch.softmax(scores, dim=-1)
        return self.proj((probs @ v).transpose(1, 2).reshape(b, s, d))


class Block(nn.Module):
    def __init__(self, a):
        super().__init__()
        self.ln1 = nn.LayerNorm(a.d_model)
        self.attn = Attention(a.d_model, a.n_heads, a.seq_len,
                              a.fused_attention)
        self.ln2 = nn.LayerNorm(a.d_model)
        self.fc1 = nn.Linear(a.d_model, a.d_ff)
        self.fc2 = nn.Linear(a.d_ff, a.d_model)

    def forward(self, x):
        x = x + self.attn(self.ln1(x))
        return x + self.fc2(torch.relu(self.fc1(self.ln2(x))))


class LM(nn.Module):
    def __init__(self, a):
        super().__init__()
        self.tok = nn.Embedding(a.vocab_size, a.d_model)
        self.pos = nn.Embedding(a.seq_len, a.d_model)
        self.blocks = nn.ModuleList(Block(a) for _ in range(a.n_layers))
        self.ln_f = nn.LayerNorm(a.d_model)
        self.head = nn.Linear(a.d_model, a.vocab_size, bias=False)
        for name, p in self.named_parameters():
            if "ln" in name:
                continue
            if p.dim() == 1:
                nn.init.zeros_(p)
            elif name.endswith("proj.weight") or name.endswith("fc2.weight"):
                nn.init.normal_(p, 0.0, 0.02 / math.sqrt(2 * a.n_layers))
            else:
                nn.init.normal_(p, 0.0, 0.02)

    def forward(self, tokens):
        x = self.tok(tokens) + self.pos(
            torch.arange(tokens.shape[1], device=tokens.device))
        for block in self.blocks:
            x = block(x)
        return self.head(self.ln_f(x))


def main():
    a = ARGS
    if a.device == "cuda" and not torch.cuda.is_available():
        sys.exit("torch_reference.py: error: --device cuda but torch sees no GPU")
    torch.set_num_threads(CORES)
    torch.set_num_interop_threads(1)
    torch.manual_seed(a.seed)
    device = torch.device(a.device)
    model = LM(a).to(device)
    forward = torch.compile(model) if a.compile else model
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    lr, min_lr, warmup_lr = 2e-3, 2e-4, 100
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": 0.1},
         {"params": no_decay, "weight_decay": 0.0}],
        lr=lr, betas=(0.9, 0.95), eps=1e-8,
        fused=True if a.fused_optimizer else None)
    gen = torch.Generator().manual_seed(a.seed)
    total = a.warmup + a.steps

    def step(i):
        lr_i = lr * (i + 1) / warmup_lr if i < warmup_lr else min_lr + (lr - min_lr) * \
            0.5 * (1 + math.cos(math.pi * min(1.0, (i - warmup_lr) / max(1, total - warmup_lr))))
        for g in opt.param_groups:
            g["lr"] = lr_i
        batch = torch.randint(0, a.vocab_size, (a.batch_size, a.seq_len + 1),
                              generator=gen).to(device)
        for p in model.parameters():
            p.grad = None
        logits = forward(batch[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, a.vocab_size),
                               batch[:, 1:].reshape(-1))
        value = loss.item()
        if not math.isfinite(value):
            sys.exit(f"torch_reference.py: error: loss became {value} at step {i}")
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return value

    try:
        for i in range(a.warmup):
            step(i)
    except Exception as e:  # torch.compile's failures are many and varied
        if not a.compile:
            raise
        print(json.dumps({"impl": "python_compile", "error": str(e).splitlines()[0][:300],
                          "torch_version": torch.__version__}))
        return
    start = time.perf_counter()
    for i in range(a.warmup, total):
        loss = step(i)
    seconds = time.perf_counter() - start
    print(json.dumps({
        "impl": "python_compile" if a.compile else "python",
        "device": a.device, "steps": a.steps, "seconds": seconds,
        "steps_per_second": a.steps / seconds,
        "tokens_per_second": a.steps * a.batch_size * a.seq_len / seconds,
        "final_loss": loss, "torch_version": torch.__version__,
        "parameters": sum(p.numel() for p in model.parameters()),
        "torch_threads": torch.get_num_threads(),
    }))


if __name__ == "__main__":
    main()
