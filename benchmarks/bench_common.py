"""What the benchmarks share: timing with the L2 flushed, and the dynamo
settings that let FlexAttention compile one graph per shape."""

import statistics

import torch
import torch._dynamo  # noqa: F401 - configured by allow_many_compiled_shapes()

_flush = None


def flush_l2():
    global _flush
    if _flush is None:
        _flush = torch.empty(256 << 20, dtype=torch.uint8, device="cuda")
    _flush.zero_()


def time_fn(fn, reps, warmup=3):
    """Median of `reps` event-timed calls, L2 flushed before each. The calls
    are queued without synchronising in between (as triton.testing.do_bench
    does), so the host's launch overhead (Python wrappers, autotuner and
    dynamo guards) stays out of the GPU time unless it exceeds the kernel."""
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    starts = [torch.cuda.Event(enable_timing=True) for _ in range(reps)]
    stops = [torch.cuda.Event(enable_timing=True) for _ in range(reps)]
    for start, stop in zip(starts, stops):
        flush_l2()
        start.record()
        fn()
        stop.record()
    torch.cuda.synchronize()
    return statistics.median(a.elapsed_time(b) for a, b in zip(starts, stops))




def allow_many_compiled_shapes():
    """One static graph per shape and block mask, and room for all of them:
    past dynamo's recompile limit (8 by default) FlexAttention silently runs
    an unfused version."""
    for name in ("cache_size_limit", "recompile_limit"):
        if hasattr(torch._dynamo.config, name):
            setattr(torch._dynamo.config, name, 256)
    for name in ("accumulated_cache_size_limit", "accumulated_recompile_limit"):
        if hasattr(torch._dynamo.config, name):
            setattr(torch._dynamo.config, name, 4096)
    torch._dynamo.config.automatic_dynamic_shapes = False
