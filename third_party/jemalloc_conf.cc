// jemalloc (Debian libjemalloc2) replaces glibc's malloc in every binary
// that links //third_party:jemalloc. Read by jemalloc at start-up: keep freed
// pages (no decay back to the kernel), so the activations a training step
// frees and reallocates are not faulted in again.
//
// Why not glibc: kept in its heap (mallopt), the per-step activations
// fragmented it without bound (a 6-layer LM with d_ff 1024 grew ~1 MiB a
// step, a 4096-word LM ~10 MiB, until the kernel killed it), and returning
// them to the kernel costs ~10% of step time. With jemalloc configured so,
// resident memory stays flat and steps are ~15% faster than glibc's default
// (measured: docs/architecture.md, "CPU settings").
extern "C" {
// NOLINTNEXTLINE: the name is jemalloc's.
const char* malloc_conf = "dirty_decay_ms:-1,muzzy_decay_ms:-1";
}
