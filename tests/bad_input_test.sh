#!/usr/bin/env bash
# Bad input gets one clear error line on stderr, a non-zero exit, and leaves
# no (partial) files behind. Args: EXPERIMENT RENDER BROWN_CA01 NEURON_DEATH
# NORM_GROWTH TOPK_THRESHOLDING GRADIENT_SPARSITY
set -uo pipefail
experiment=$1
render=$2
corpus=$(dirname "$3")
neuron_death=$4
norm_growth=$5
topk=$6
gradient=$7
tmp=${TEST_TMPDIR:-$(mktemp -d)}
failures=0

# expect_error NAME PATTERN DIR_THAT_MUST_STAY_EMPTY CMD...
expect_error() {
  local name=$1 pattern=$2 dir=$3
  shift 3
  rm -rf "$dir"
  mkdir -p "$dir"
  "$@" >"$tmp/stdout" 2>"$tmp/stderr"
  local rc=$?
  local lines
  lines=$(wc -l <"$tmp/stderr")
  local leftover
  leftover=$(ls -A "$dir")
  if [[ $rc -eq 0 ]]; then
    echo "FAIL $name: exit code 0"; failures=$((failures + 1))
  elif [[ $lines -ne 1 ]]; then
    echo "FAIL $name: $lines stderr lines:"; cat "$tmp/stderr"; failures=$((failures + 1))
  elif ! grep -q -- "$pattern" "$tmp/stderr"; then
    echo "FAIL $name: stderr lacks '$pattern':"; cat "$tmp/stderr"; failures=$((failures + 1))
  elif [[ -n $leftover ]]; then
    echo "FAIL $name: left files behind: $leftover"; failures=$((failures + 1))
  else
    echo "ok   $name: $(cat "$tmp/stderr")"
  fi
}

out=$tmp/out
run() { "$experiment" --preset=smoke --quiet --out_dir="$out" --corpus_dir="$corpus" "$@"; }

expect_error "unknown preset" "unknown preset 'huge'" "$out" run --preset=huge
expect_error "negative size" "model.d_model must be positive, got -5" "$out" run --d_model=-5
expect_error "zero size" "model.d_ff must be positive, got 0" "$out" run --d_ff=0
expect_error "zero steps" "train.steps must be positive" "$out" run --steps=0
expect_error "heads do not divide" "must be divisible by model.n_heads" "$out" run --d_model=33
expect_error "sequence too long" "data.seq_len (64) exceeds model.max_seq_len (32)" "$out" run --seq_len=64
expect_error "probe not whole sequences" "must be a multiple of probe.seq_len" "$out" run --probe_tokens=500
expect_error "malformed value" "is not a valid value for base.train.steps" "$out" run --steps=ten
expect_error "malformed override" "is not a valid" "$out" run --override='base { train { stepz: 3 } }'
# Values that parse but mean nothing: an enum number that does not exist,
# nan and inf, in the base config and in a sweep patch.
expect_error "optimizer 99" "config field base.optim.optimizer is 99, which Optimizer does not define (ADAMW, SGD)" "$out" \
  run --override='base { optim { optimizer: 99 } }'
expect_error "momentum nan" "config field base.optim.momentum is nan: it must be a finite number" "$out" \
  run --override='base { optim { momentum: nan } }'
expect_error "momentum inf" "config field base.optim.momentum is inf" "$out" \
  run --override='base { optim { momentum: inf } }'
expect_error "nan in a sweep patch" "config field sweep.variants\\[[0-9]*\\].patch.optim.eps is nan" "$out" \
  run --override='sweep { variants { name: "x" patch { optim { eps: nan } } } }'
expect_error "too many steps" "train.steps must be at most 100000000, got 10000000000" "$out" run --steps=10000000000
expect_error "too many threads" "train.threads must be at most 256, got 100000" "$out" run --threads=100000
expect_error "model beyond memory" "this config needs about" "$out" run --d_model=16384 --n_heads=2 --d_ff=1048576
expect_error "width beyond bounds" "model.d_ff must be at most" "$out" run --d_ff=2000000000
expect_error "byte vocabulary too small" "model.vocab_size must be at least 256 for bytes" "$out" \
  run --override='base { model { vocab_size: 100 } }'
expect_error "word vocabulary too small" "model.vocab_size must be at least 2 for words" "$out" \
  run --override='base { data { tokenizer: WORDS } model { vocab_size: 1 } }'
expect_error "words of random tokens" "data.tokenizer WORDS needs data.source BROWN" "$out" \
  run --override='base { data { tokenizer: WORDS source: RANDOM_TOKENS } }'
expect_error "unknown device" "train.device must be cpu or cuda" "$out" run --device=tpu
expect_error "no CUDA device here" "sees no CUDA device" "$out" run --device=cuda
expect_error "malformed seeds" "'x' is not a seed" "$out" run --seeds=1,x
expect_error "unknown variant" "no variant 'nope'" "$out" run --variants=nope
expect_error "unknown flag" "unknown command line flag 'bogus'" "$out" run --bogus=1
expect_error "shard beyond the count" "a shard is I/N with 0 <= I < N" "$out" run --shard=3/3
expect_error "malformed shard" "a shard is I/N with 0 <= I < N" "$out" run --shard=one/3
expect_error "shard and merge" "--merge assembles every shard's runs" "$out" run --shard=0/2 --merge
expect_error "no workers" "workers must be in \\[1, 256\\], got 0" "$out" run --workers=0
expect_error "workers and shard" "workers shards the sweep itself" "$out" run --workers=2 --shard=0/2
expect_error "workers and merge" "merge trains nothing" "$out" run --workers=2 --merge
expect_error "malformed Slurm task" "SLURM_ARRAY_TASK_ID=x is not a task number" "$out" \
  env SLURM_ARRAY_TASK_ID=x SLURM_ARRAY_TASK_COUNT=2 "$experiment" --preset=smoke --quiet --out_dir="$out" --corpus_dir="$corpus"
expect_error "missing corpus" "tools/setup.sh" "$out" run --corpus_dir="$tmp/no_corpus"
expect_error "diverging run" "diverged" "$out" run --lr=1e30 --warmup_steps=0 --steps=20
touch "$tmp/plain_file"
expect_error "unwritable output folder" "$tmp/plain_file" "$out" \
  "$experiment" --preset=smoke --quiet --out_dir="$tmp/plain_file/sub" --corpus_dir="$corpus"

# neuron_death's own settings, checked before any folder is made.
death() { "$neuron_death" --preset=smoke --quiet --out_dir="$out" --corpus_dir="$corpus" "$@"; }
expect_error "death window 0" "dead_window (0)" "$out" death --override='dead_window: 0'
expect_error "fade not whole bins" "a positive multiple of fade_bin" "$out" death --override='fade_steps: 7'
expect_error "no reference variant" "reference variant 'nope'" "$out" death --override='reference: "nope"'
expect_error "falling prune thresholds" "prune_thresholds must rise" "$out" death --override='prune_thresholds: 0.001'
expect_error "death learning rate inf" "config field base.optim.lr is inf" "$out" death --override='base { optim { lr: inf } }'
expect_error "init_from a later run" "is not an earlier run" "$out" death --variants=frozen_trained

# norm_growth's own settings, checked before any folder is made.
norm() { "$norm_growth" --preset=smoke --quiet --out_dir="$out" --corpus_dir="$corpus" "$@"; }
expect_error "saturation scale 1" "saturation_scale must be in (1, 1e6\\]" "$out" norm --override='saturation_scale: 1'
expect_error "saturation scale inf" "config field saturation_scale is inf: it must be a finite number" "$out" norm --override='saturation_scale: inf'
expect_error "saturation scale beyond a float" "saturation_scale" "$out" norm --override='saturation_scale: 1e39'
expect_error "similarity scale inf" "config field similarity_scales\\[[0-9]*\\] is inf" "$out" norm --override='similarity_scales: 1 similarity_scales: inf'
expect_error "tie tolerance inf" "config field tie_tolerance is inf" "$out" norm --override='tie_tolerance: inf'
expect_error "trajectory not on probes" "trajectory_every must be 0 or a multiple of probe.every" "$out" norm --override='trajectory_every: 15'
expect_error "falling similarity scales" "similarity_scales must be positive, rising and at most 1e6" "$out" norm --override='similarity_scales: 0.5'
expect_error "attended threshold 0" "attended_threshold must be in (0, 1)" "$out" norm --override='attended_threshold: 0'
expect_error "negative tie tolerance" "tie_tolerance must be >= 0" "$out" norm --override='tie_tolerance: -1'
expect_error "norm reference missing" "reference variant 'adamw' is not among" "$out" norm --variants=sgd
expect_error "too few norm points" "at least 3 probe points" "$out" norm --override='base { probe { every: 30 } }'

# topk_thresholding: the ViT's config and Fashion-MNIST's files.
topk() { "$topk" --preset=smoke --quiet --out_dir="$out" --corpus_dir="$corpus" "$@"; }
expect_error "ViT activation 42" "config field base.model.mlp.activation is 42" "$out" \
  topk --override='base { model { mlp { activation: 42 } } }'
expect_error "label noise nan" "config field base.data.label_noise is nan" "$out" \
  topk --override='base { data { label_noise: nan } }'
expect_error "ViT patch size" "model.patch_size must be 4 or 7" "$out" topk --override='base { model { patch_size: 5 } }'
expect_error "ViT patch size 0" "model.patch_size must be 4 or 7" "$out" topk --override='base { model { patch_size: 0 } }'
expect_error "ViT without classes" "model.num_classes must be positive" "$out" topk --override='base { model { num_classes: 0 } }'
expect_error "ViT on text" "model.family VIT needs data.source FASHION_MNIST" "$out" topk --override='base { data { source: BROWN } }'
expect_error "ViT reference missing" "reference variant 'vit' is not among" "$out" topk --variants=lm
expect_error "probe beyond the test set" "the test set holds 10000" "$out" topk --probe_tokens=170017
expect_error "label noise above 1" "data.label_noise must be a fraction in \\[0, 1\\], got 1.5" "$out" \
  topk --override='base { data { label_noise: 1.5 } }'
expect_error "label noise on text" "data.label_noise applies to data.source FASHION_MNIST" "$out" \
  topk --variants=lm_noisy --override='sweep { variants { name: "lm_noisy" extends: "lm" patch { data { label_noise: 0.2 } } } }'
expect_error "label noise with random labels" "image_stream IMAGES only" "$out" \
  topk --override='base { data { label_noise: 0.2 image_stream: RANDOM_LABELS } }'
expect_error "training subset beyond the set" "data.train_examples must be in \\[1, 60000\\]" "$out" \
  topk --override='base { data { train_examples: 60001 } }'
expect_error "negative training subset" "data.train_examples must be in \\[1, 60000\\]" "$out" \
  topk --override='base { data { train_examples: -1 } }'
expect_error "training subset of text" "data.train_examples applies to data.source FASHION_MNIST only" "$out" \
  topk --variants=lm_sub --override='sweep { variants { name: "lm_sub" extends: "lm" patch { data { train_examples: 10 } } } }'
expect_error "Top-k with k 0" "model.mlp.topk" "$out" \
  topk --override='base { model { mlp { activation: TOPK_RELU topk: 0 } } }'
expect_error "extends a later variant" "extends 'nope', which is not an earlier variant" "$out" \
  topk --override='sweep { variants { name: "x" extends: "nope" } }'
expect_error "corruption images beyond the probe" "corruption_examples must be in \\[1, 500\\]" "$out" \
  topk --override='corruption_examples: 501'
expect_error "corruption variant an LM" "corruption variant 'lm' must be a ViT" "$out" \
  topk --override='corruption_variants: "lm"'
expect_error "images missing" "install it with tools/setup.sh" "$out" \
  topk --override='base { data { images_dir: "/nonexistent" } }'
gradient() { "$gradient" --preset=smoke --quiet --out_dir="$out" --corpus_dir="$corpus" "$@"; }
expect_error "flatness scale nan" "config field flatness_sigmas\\[[0-9]*\\] is nan" "$out" \
  gradient --override='flatness_sigmas: nan'
expect_error "zeroth bias placement 7" "config field base.model.zeroth_bias is 7" "$out" \
  gradient --override='base { model { zeroth_bias: 7 } }'
expect_error "mix without JSReLU" "model.mlp.mix_steps mixes ReLU into J-SquaredReLU" "$out" \
  gradient --override='base { model { mlp { mix_steps: 10 } } }'
expect_error "zeroth bias in a post-norm block" "unset model.post_norm" "$out" \
  gradient --override='base { model { post_norm: true zeroth_bias: MLP_INPUT } }'
expect_error "finetuning LayerNorm without U" "model.restricted_ln_steps (U) must be in" "$out" \
  gradient --override='base { model { restricted_ln: FINETUNE } }'
expect_error "zeroth-bias clip 0" "model.zeroth_bias_clip must be in (0, 1e6], got 0" "$out" \
  gradient --override='base { model { zeroth_bias_clip: 0 } }'
expect_error "two baselines" "are both from-scratch plain-ReLU baselines" "$out" \
  gradient --override='sweep { variants { name: "vit_again" } }'
expect_error "finetuning from a non-baseline" "it must start from its family's baseline 'vit'" "$out" \
  gradient --override='sweep { variants { name: "vit_ft2" patch { init_from: "vit_jsrelu" } } }'
expect_error "flatness scale above 1" "flatness_sigmas must be rising, in (0, 1\\]" "$out" \
  gradient --override='flatness_sigmas: 2'
expect_error "flatness without draws" "flatness_draws must be in \\[1, 1000\\]" "$out" \
  gradient --override='flatness_draws: 0'
images=$tmp/images
mkdir -p "$images"
for f in /usr/share/datasets/fashion-mnist/*; do ln -sf "$f" "$images/"; done
rm -f "$images/train-images-idx3-ubyte.gz"
head -c 1000000 /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz >"$images/train-images-idx3-ubyte.gz"
expect_error "images truncated" "IDX file .*train-images" "$out" \
  topk --override="base { data { images_dir: \"$images\" } }"

# The renderer, on a good file made here, then damaged copies of it.
good=$tmp/good
rm -rf "$good" && mkdir -p "$good"
run --out_dir="$good" >/dev/null 2>&1 || { echo "FAIL: smoke run failed"; exit 1; }
reports=$tmp/reports
mkdir -p "$tmp/truncated" "$tmp/corrupt" "$tmp/empty"
size=$(stat -c %s "$good/layerwise_sparsity.pb")
head -c $((size / 2)) "$good/layerwise_sparsity.pb" >"$tmp/truncated/layerwise_sparsity.pb"
head -c $((size - 3)) "$good/layerwise_sparsity.pb" >"$tmp/truncated/zz_short.pb"
printf 'not a protobuf \xff\xff\xff\xff' >"$tmp/corrupt/layerwise_sparsity.pb"
expect_error "render truncated" "truncated\|corrupt" "$reports" \
  "$render" --results_dir="$tmp/truncated" --out_dir="$reports"
rm "$tmp/truncated/layerwise_sparsity.pb"
expect_error "render cut by 3 bytes" "zz_short.pb is" "$reports" \
  "$render" --results_dir="$tmp/truncated" --out_dir="$reports"
expect_error "render corrupt" "corrupt" "$reports" \
  "$render" --results_dir="$tmp/corrupt" --out_dir="$reports"
expect_error "render empty folder" "no results files" "$reports" \
  "$render" --results_dir="$tmp/empty" --out_dir="$reports"
expect_error "render missing folder" "does not exist" "$reports" \
  "$render" --results_dir="$tmp/nowhere" --out_dir="$reports"
# Two results files of one experiment: ambiguous, nothing is written.
mkdir -p "$tmp/twice"
cp "$good/layerwise_sparsity.pb" "$tmp/twice/layerwise_sparsity.pb"
cp "$good/layerwise_sparsity.pb" "$tmp/twice/layerwise_sparsity_old.pb"
expect_error "render two files of one experiment" "holds two results files of experiment layerwise_sparsity" "$reports" \
  "$render" --results_dir="$tmp/twice" --out_dir="$reports"
# Invalid UTF-8 in a string field (the experiment's name): one line, the
# project's, and no protobuf log line before it.
mkdir -p "$tmp/utf8"
python3 - "$good/layerwise_sparsity.pb" "$tmp/utf8/layerwise_sparsity.pb" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
at = data.index(b"layerwise_sparsity")
open(sys.argv[2], "wb").write(data[:at] + b"\xff" + data[at + 1:])
PY
expect_error "render invalid UTF-8" "layerwise_sparsity.pb" "$reports" \
  "$render" --results_dir="$tmp/utf8" --out_dir="$reports"
# A good file next to a corrupt one: nothing is written.
cp "$good/layerwise_sparsity.pb" "$tmp/corrupt/a_good.pb"
expect_error "render good + corrupt" "corrupt" "$reports" \
  "$render" --results_dir="$tmp/corrupt" --out_dir="$reports"

if ((failures)); then
  echo "$failures bad-input case(s) failed"
  exit 1
fi
echo "all bad-input cases passed"
