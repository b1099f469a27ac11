//===- sigattn-run.cu - run, check and time a generated sigattn kernel ----===//
//
//   sigattn-run --ptx k.ptx [--kernel NAME] [--batch B] [--seq-q N]
//               [--seq-k N] [--seed S] [--no-check] [--time ITERS]
//               [--bad-args]
//
// Fills random inputs on the GPU, poisons the output with NaN, launches the
// kernel through the sigattn runtime, and checks it against the op's
// definition computed on the GPU in fp32, with FlashAttention's rule:
//   max|out - ref_fp32| <= 2 max|ref_lowp - ref_fp32| + 2^-12 max|ref_fp32|
// where ref_lowp rounds every step to the input precision. The output lies
// in the middle of a larger allocation whose 4 KiB before and after it hold
// a sentinel NaN pattern; any launch that changes them fails (also with
// --no-check). --time reports the median of ITERS event-timed launches with
// L2 flushed before each. --bad-args launches with broken arguments and
// checks each is refused with an error and without touching the output or
// its guards. Sizes not given are the kernel's static ones where it has
// them (its JSON's "batch", "seq_q", "seq_k"), else B = 2, Nq = Nk = 1024;
// sizes a kernel cannot run at (not its static ones, beyond the grid) are
// refused before anything is allocated. Exit status 0 iff all passed.
//
//===----------------------------------------------------------------------===//

#include "sigattn/Runtime/Runtime.h"

#include <cuda.h>
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

using namespace sigattn::runtime;

#define CHECK_CUDA(call)                                                       \
  do {                                                                         \
    cudaError_t e_ = (call);                                                   \
    if (e_ != cudaSuccess) {                                                   \
      std::fprintf(stderr, "sigattn-run: %s: %s (%s)\n", #call,                \
                   cudaGetErrorName(e_), cudaGetErrorString(e_));              \
      std::exit(2);                                                            \
    }                                                                          \
  } while (0)

namespace {

//===----------------------------------------------------------------------===//
// Device helpers
//===----------------------------------------------------------------------===//

__device__ float toFloat(__nv_bfloat16 x) { return __bfloat162float(x); }
__device__ float toFloat(__half x) { return __half2float(x); }
template <typename T> __device__ T fromFloat(float x);
template <> __device__ __nv_bfloat16 fromFloat(float x) {
  return __float2bfloat16_rn(x);
}
template <> __device__ __half fromFloat(float x) { return __float2half_rn(x); }
/// x rounded to T and back: what a computation in T keeps of x.
template <typename T> __device__ float round(float x) {
  return toFloat(fromFloat<T>(x));
}

__device__ uint64_t mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}
__device__ float uniform(uint64_t seed, uint64_t i) {
  return (mix(seed * 0x9E3779B97F4A7C15ULL + i) >> 40) * (1.0f / 16777216.0f);
}

/// N(0, 1) values (Box-Muller on hashed uniforms).
template <typename T>
__global__ void fillNormal(T *p, uint64_t n, uint64_t seed) {
  for (uint64_t i = blockIdx.x * uint64_t(blockDim.x) + threadIdx.x; i < n;
       i += uint64_t(gridDim.x) * blockDim.x) {
    float u1 = fmaxf(uniform(seed, 2 * i), 1e-7f), u2 = uniform(seed, 2 * i + 1);
    p[i] = fromFloat<T>(sqrtf(-2.0f * logf(u1)) * cosf(6.2831853f * u2));
  }
}

__global__ void fillUniform(float *p, uint64_t n, uint64_t seed, float hi) {
  for (uint64_t i = blockIdx.x * uint64_t(blockDim.x) + threadIdx.x; i < n;
       i += uint64_t(gridDim.x) * blockDim.x)
    p[i] = hi * uniform(seed, i);
}

__global__ void fillBits(uint16_t *p, uint64_t n, uint16_t bits) {
  for (uint64_t i = blockIdx.x * uint64_t(blockDim.x) + threadIdx.x; i < n;
       i += uint64_t(gridDim.x) * blockDim.x)
    p[i] = bits;
}

struct Problem {
  int64_t batch, seqQ, seqK, hq, hkv, d, dv;
  float scale, bias;
  int64_t left, right;
  int alibi; // 0 none, 1 [Hq], 2 [B, Hq]
};

/// One block per (query i, head h, batch b): the op's definition, in fp32
/// or with every step rounded to T (lowp).
template <typename T, bool Lowp>
__global__ void reference(const T *q, const T *k, const T *v,
                          const float *slopes, float *out, Problem p) {
  extern __shared__ float smem[]; // qrow[D], P[Nk]
  float *qrow = smem, *prob = smem + p.d;
  int64_t i = blockIdx.x, h = blockIdx.y, b = blockIdx.z;
  int64_t hk = h / (p.hq / p.hkv);
  const T *qr = q + ((b * p.seqQ + i) * p.hq + h) * p.d;
  for (int64_t d = threadIdx.x; d < p.d; d += blockDim.x)
    qrow[d] = toFloat(qr[d]);
  __syncthreads();
  int64_t diag = i + p.seqK - p.seqQ;
  float slope = p.alibi == 0   ? 0.0f
                : p.alibi == 1 ? slopes[h]
                               : slopes[b * p.hq + h];
  for (int64_t j = threadIdx.x; j < p.seqK; j += blockDim.x) {
    const T *kr = k + ((b * p.seqK + j) * p.hkv + hk) * p.d;
    float s = 0.0f;
    for (int64_t d = 0; d < p.d; ++d)
      s += qrow[d] * toFloat(kr[d]);
    float x;
    if (Lowp) {
      x = round<T>(round<T>(round<T>(s) * p.scale) + p.bias);
      if (p.alibi)
        x = round<T>(x - round<T>(slope * round<T>(float(llabs(diag - j)))));
    } else {
      x = s * p.scale + p.bias - slope * float(llabs(diag - j));
    }
    float pr = 1.0f / (1.0f + expf(-x));
    if (Lowp)
      pr = round<T>(pr);
    bool visible = (p.left < 0 || j >= diag - p.left) &&
                   (p.right < 0 || j <= diag + p.right);
    prob[j] = visible ? pr : 0.0f;
  }
  __syncthreads();
  for (int64_t e = threadIdx.x; e < p.dv; e += blockDim.x) {
    float acc = 0.0f;
    for (int64_t j = 0; j < p.seqK; ++j)
      acc += prob[j] * toFloat(v[((b * p.seqK + j) * p.hkv + hk) * p.dv + e]);
    out[((b * p.seqQ + i) * p.hq + h) * p.dv + e] = Lowp ? round<T>(acc) : acc;
  }
}

/// stats[0] = max|a - ref|, stats[1] = max|b - ref|, stats[2] = max|ref|
/// (as float bits), stats[3] = NaNs in a.
template <typename T>
__global__ void compare(const T *out, const float *lowp, const float *ref,
                        uint64_t n, unsigned *stats) {
  for (uint64_t i = blockIdx.x * uint64_t(blockDim.x) + threadIdx.x; i < n;
       i += uint64_t(gridDim.x) * blockDim.x) {
    float o = toFloat(out[i]);
    if (isnan(o)) {
      atomicAdd(&stats[3], 1u);
      continue;
    }
    atomicMax(&stats[0], __float_as_uint(fabsf(o - ref[i])));
    atomicMax(&stats[1], __float_as_uint(fabsf(lowp[i] - ref[i])));
    atomicMax(&stats[2], __float_as_uint(fabsf(ref[i])));
  }
}

//===----------------------------------------------------------------------===//
// Host
//===----------------------------------------------------------------------===//

struct Options {
  std::string ptx, kernel;
  /// Given with --batch, --seq-q, --seq-k, or picked by pickSizes.
  int64_t batch = 0, seqQ = 0, seqK = 0;
  bool batchGiven = false, seqQGiven = false, seqKGiven = false;
  uint64_t seed = 1;
  /// --scale, --bias: the values a kernel that takes them at run time gets
  /// (default 1/sqrt(D) and -log(Nk)); a kernel with them compiled in
  /// refuses others.
  std::optional<float> scale, bias;
  bool check = true, badArgs = false;
  int timeIters = 0;
};

[[noreturn]] void usage(const char *msg) {
  std::fprintf(stderr,
               "sigattn-run: %s\nusage: sigattn-run --ptx FILE [--kernel NAME] "
               "[--batch B] [--seq-q N] [--seq-k N] [--seed S] [--scale X] "
               "[--bias X] [--no-check] [--time ITERS] [--bad-args]\n",
               msg);
  std::exit(2);
}

int64_t parseInt(const char *flag, const char *text) {
  char *end = nullptr;
  errno = 0;
  long long v = std::strtoll(text, &end, 10);
  if (!*text || *end || errno == ERANGE)
    usage((std::string(flag) + " takes a 64-bit integer, got '" + text + "'")
              .c_str());
  return v;
}

float parseFloat(const char *flag, const char *text) {
  char *end = nullptr;
  errno = 0;
  float v = std::strtof(text, &end);
  if (!*text || *end || errno == ERANGE || !std::isfinite(v))
    usage((std::string(flag) + " takes a finite float, got '" + text + "'")
              .c_str());
  return v;
}

Options parseOptions(int argc, char **argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> const char * {
      if (i + 1 >= argc)
        usage((a + " needs a value").c_str());
      return argv[++i];
    };
    if (a == "--ptx") o.ptx = value();
    else if (a == "--kernel") o.kernel = value();
    else if (a == "--batch") o.batch = parseInt("--batch", value()), o.batchGiven = true;
    else if (a == "--seq-q") o.seqQ = parseInt("--seq-q", value()), o.seqQGiven = true;
    else if (a == "--seq-k") o.seqK = parseInt("--seq-k", value()), o.seqKGiven = true;
    else if (a == "--seed") o.seed = parseInt("--seed", value());
    else if (a == "--scale") o.scale = parseFloat("--scale", value());
    else if (a == "--bias") o.bias = parseFloat("--bias", value());
    else if (a == "--time") {
      int64_t iters = parseInt("--time", value());
      if (iters < 0 || iters > 1000000)
        usage("--time takes 0 to 1000000 iterations");
      o.timeIters = static_cast<int>(iters);
    }
    else if (a == "--no-check") o.check = false;
    else if (a == "--bad-args") o.badArgs = true;
    else usage(("unknown option " + a).c_str());
  }
  if (o.ptx.empty())
    usage("--ptx is required");
  return o;
}

/// Sizes not given on the command line: the kernel's static size where it
/// has one, else the default.
void pickSizes(const KernelInfo &info, Options &o) {
  auto pick = [](int64_t &size, bool given, int64_t compiled,
                 int64_t fallback) {
    if (!given)
      size = compiled != sigattn::abi::kDynamicSize ? compiled : fallback;
  };
  pick(o.batch, o.batchGiven, info.staticBatch, 2);
  pick(o.seqQ, o.seqQGiven, info.staticSeqQ, 1024);
  pick(o.seqK, o.seqKGiven, info.staticSeqK, 1024);
}

unsigned blocksFor(uint64_t n) {
  return static_cast<unsigned>(std::min<uint64_t>((n + 255) / 256, 65535));
}

/// Bytes of the guard zone on each side of the output, and the 16-bit
/// pattern that fills it: a NaN in bf16 and in f16, unlike the NaN a kernel
/// or the poison writes.
constexpr uint64_t kGuardBytes = 4096;
constexpr uint16_t kGuardBits = 0xFFF1;

struct Buffers {
  void *q = nullptr, *k = nullptr, *v = nullptr, *out = nullptr;
  float *slopes = nullptr;
  /// [guard | out | guard]; `out` points kGuardBytes into it (16-byte
  /// aligned, as cudaMalloc's 256-byte alignment is kept).
  void *outAllocation = nullptr;
  uint64_t outElements = 0;
};

/// Fills both guard zones of the output with the sentinel.
void armGuards(const Buffers &buf) {
  auto *base = static_cast<uint16_t *>(buf.outAllocation);
  const uint64_t n = kGuardBytes / 2;
  fillBits<<<blocksFor(n), 256>>>(base, n, kGuardBits);
  fillBits<<<blocksFor(n), 256>>>(base + n + buf.outElements, n, kGuardBits);
  CHECK_CUDA(cudaGetLastError());
}

/// Counts the guard elements before and after the output that are no
/// longer the sentinel (and re-arms the guards when some changed).
bool guardsIntact(const Buffers &buf, uint64_t &changedBefore,
                  uint64_t &changedAfter) {
  const uint64_t n = kGuardBytes / 2;
  std::vector<uint16_t> before(n), after(n);
  auto *base = static_cast<const uint16_t *>(buf.outAllocation);
  CHECK_CUDA(cudaMemcpy(before.data(), base, kGuardBytes,
                        cudaMemcpyDeviceToHost));
  CHECK_CUDA(cudaMemcpy(after.data(), base + n + buf.outElements, kGuardBytes,
                        cudaMemcpyDeviceToHost));
  changedBefore = changedAfter = 0;
  for (uint64_t i = 0; i < n; ++i) {
    changedBefore += before[i] != kGuardBits;
    changedAfter += after[i] != kGuardBits;
  }
  if (changedBefore || changedAfter)
    armGuards(buf);
  return changedBefore == 0 && changedAfter == 0;
}

/// Checks the guards after the launches of `what`, and says so.
bool checkGuards(const Buffers &buf, const char *what) {
  uint64_t before = 0, after = 0;
  bool ok = guardsIntact(buf, before, after);
  if (ok)
    std::printf("guard: %llu bytes each side of the output intact after %s "
                "PASS\n",
                (unsigned long long)kGuardBytes, what);
  else
    std::printf("guard: %llu elements before and %llu after the output "
                "changed by %s FAIL\n",
                (unsigned long long)before, (unsigned long long)after, what);
  return ok;
}

void poisonOutput(const KernelInfo &info, const Buffers &buf) {
  uint16_t nan = info.elementType == ElementType::BF16 ? 0x7FC0 : 0x7E00;
  fillBits<<<blocksFor(buf.outElements), 256>>>(
      static_cast<uint16_t *>(buf.out), buf.outElements, nan);
  CHECK_CUDA(cudaGetLastError());
}

/// The scale and bias of a call: the kernel's compiled-in values, or for a
/// kernel that takes them at run time --scale / --bias, by default
/// 1/sqrt(D) and -log(Nk).
float effectiveScale(const KernelInfo &info, const Options &o) {
  if (!info.scaleParam)
    return info.scale;
  return o.scale ? *o.scale : 1.0f / std::sqrt(static_cast<float>(info.headDim));
}
float effectiveBias(const KernelInfo &info, const Options &o) {
  if (!info.biasParam)
    return info.bias;
  return o.bias ? *o.bias : -std::log(static_cast<float>(o.seqK));
}

/// Counts the output elements that are not the NaN poison.
uint64_t countWritten(const Buffers &buf) {
  std::vector<uint16_t> host(buf.outElements);
  CHECK_CUDA(cudaMemcpy(host.data(), buf.out, buf.outElements * 2,
                        cudaMemcpyDeviceToHost));
  uint64_t written = 0;
  for (uint16_t x : host)
    written += x != 0x7FC0 && x != 0x7E00;
  return written;
}

template <typename T>
bool checkOutput(const KernelInfo &info, const Options &o, const Buffers &buf) {
  Problem p{o.batch,     o.seqQ,          o.seqK,         info.numQueryHeads,
            info.numKVHeads, info.headDim, info.valueDim,  effectiveScale(info, o),
            effectiveBias(info, o),   info.windowLeft, info.windowRight,
            info.alibi == Alibi::None ? 0 : info.alibi == Alibi::Head ? 1 : 2};
  uint64_t n = buf.outElements;
  float *ref = nullptr, *lowp = nullptr;
  unsigned *stats = nullptr;
  CHECK_CUDA(cudaMalloc(&ref, n * sizeof(float)));
  CHECK_CUDA(cudaMalloc(&lowp, n * sizeof(float)));
  CHECK_CUDA(cudaMalloc(&stats, 4 * sizeof(unsigned)));
  CHECK_CUDA(cudaMemset(stats, 0, 4 * sizeof(unsigned)));
  size_t smem = (p.d + p.seqK) * sizeof(float);
  CHECK_CUDA(cudaFuncSetAttribute(reference<T, false>,
                                  cudaFuncAttributeMaxDynamicSharedMemorySize,
                                  static_cast<int>(smem)));
  CHECK_CUDA(cudaFuncSetAttribute(reference<T, true>,
                                  cudaFuncAttributeMaxDynamicSharedMemorySize,
                                  static_cast<int>(smem)));
  dim3 grid(static_cast<unsigned>(p.seqQ), static_cast<unsigned>(p.hq),
            static_cast<unsigned>(p.batch));
  auto *q = static_cast<const T *>(buf.q), *k = static_cast<const T *>(buf.k),
       *v = static_cast<const T *>(buf.v);
  reference<T, false><<<grid, 128, smem>>>(q, k, v, buf.slopes, ref, p);
  CHECK_CUDA(cudaGetLastError());
  reference<T, true><<<grid, 128, smem>>>(q, k, v, buf.slopes, lowp, p);
  CHECK_CUDA(cudaGetLastError());
  compare<T><<<blocksFor(n), 256>>>(static_cast<const T *>(buf.out), lowp, ref,
                                    n, stats);
  CHECK_CUDA(cudaGetLastError());
  unsigned host[4];
  CHECK_CUDA(cudaMemcpy(host, stats, sizeof(host), cudaMemcpyDeviceToHost));
  float err, errLowp, maxRef;
  std::memcpy(&err, &host[0], 4);
  std::memcpy(&errLowp, &host[1], 4);
  std::memcpy(&maxRef, &host[2], 4);
  float bound = 2.0f * errLowp + std::ldexp(maxRef, -12);
  bool ok = host[3] == 0 && err <= bound;
  std::printf("check: max_abs_err=%.4g ref_lowp_err=%.4g bound=%.4g "
              "unwritten=%u %s\n",
              err, errLowp, bound, host[3], ok ? "PASS" : "FAIL");
  CHECK_CUDA(cudaFree(ref));
  CHECK_CUDA(cudaFree(lowp));
  CHECK_CUDA(cudaFree(stats));
  return ok;
}

/// Median time of `iters` launches, each after flushing L2.
void timeKernel(Module &module, const KernelInfo &info, const Options &o,
                const AttentionArgs &args) {
  void *flush = nullptr;
  const size_t flushBytes = 256u << 20;
  CHECK_CUDA(cudaMalloc(&flush, flushBytes));
  cudaEvent_t start, stop;
  CHECK_CUDA(cudaEventCreate(&start));
  CHECK_CUDA(cudaEventCreate(&stop));
  std::vector<float> ms;
  for (int it = 0; it < o.timeIters + 3; ++it) {
    CHECK_CUDA(cudaMemsetAsync(flush, it & 0xff, flushBytes));
    CHECK_CUDA(cudaEventRecord(start));
    Status st = module.launch(info.name, args);
    if (!st.ok()) {
      std::fprintf(stderr, "sigattn-run: %s\n", st.message().c_str());
      std::exit(1);
    }
    CHECK_CUDA(cudaEventRecord(stop));
    CHECK_CUDA(cudaEventSynchronize(stop));
    float t = 0;
    CHECK_CUDA(cudaEventElapsedTime(&t, start, stop));
    if (it >= 3)
      ms.push_back(t);
  }
  std::sort(ms.begin(), ms.end());
  float median = ms[ms.size() / 2];
  // FLOPs = 4 B Hq Nq Nk D, half for causal (FlashAttention's convention).
  double flops = 4.0 * o.batch * info.numQueryHeads * double(o.seqQ) *
                 double(o.seqK) * info.headDim;
  bool causal = info.windowLeft < 0 && info.windowRight == 0;
  if (causal)
    flops /= 2;
  std::printf("time: median=%.4f ms over %d runs (L2 flushed), %.1f TFLOP/s%s\n",
              median, o.timeIters, flops / (median * 1e-3) / 1e12,
              causal ? " (causal: half the FLOPs)" : "");
  CHECK_CUDA(cudaFree(flush));
}

/// Every broken call must be refused with a message, and launch nothing.
bool checkBadArguments(Module &module, const KernelInfo &info,
                       const AttentionArgs &good, const Buffers &buf) {
  void *small = nullptr;
  CHECK_CUDA(cudaMalloc(&small, 256));
  std::vector<char> host(1 << 20);
  struct Case {
    const char *what;
    AttentionArgs args;
  };
  std::vector<Case> cases;
  auto with = [&](const char *what, auto change) {
    AttentionArgs a = good;
    change(a);
    cases.push_back({what, a});
  };
  with("null query", [](AttentionArgs &a) { a.query = 0; });
  with("misaligned key", [](AttentionArgs &a) { a.key += 2; });
  with("host pointer as value", [&](AttentionArgs &a) {
    a.value = reinterpret_cast<CUdeviceptr>(host.data()) & ~CUdeviceptr(15);
  });
  with("output too small", [&](AttentionArgs &a) {
    a.output = reinterpret_cast<CUdeviceptr>(small);
  });
  with("output overlaps query", [&](AttentionArgs &a) { a.output = a.query; });
  with("output running past its allocation", [&](AttentionArgs &a) {
    a.output += kGuardBytes + 16; // inside the allocation, 16-byte aligned
  });
  with("tensors of the other type", [&](AttentionArgs &a) {
    a.elementType = info.elementType == ElementType::BF16 ? ElementType::F16
                                                          : ElementType::BF16;
  });
  with("tensors with other heads", [&](AttentionArgs &a) {
    a.numQueryHeads = info.numQueryHeads + 1;
  });
  with("batch 0", [](AttentionArgs &a) { a.batch = 0; });
  // Strides the kernels cannot take, or that leave the buffers.
  // (Dimensions of size 1 are never stepped: their strides do not count.)
  if (good.batch > 1 || good.seqQ > 1 || info.numQueryHeads > 1)
    with("query strides of 4 elements", [&](AttentionArgs &a) {
      a.queryStrides = sigattn::abi::Strides{4, 4, 4};
    });
  if (good.seqQ > 1 || info.numQueryHeads > 1)
    with("output rows and heads on one address", [&](AttentionArgs &a) {
      a.outputStrides = sigattn::abi::Strides{info.valueDim, 0, 0};
    });
  // 2 MiB between rows: far past the allocation.
  if (good.seqQ > 1)
    with("output rows past its allocation", [&](AttentionArgs &a) {
      a.outputStrides = sigattn::abi::Strides{
          a.seqQ << 20, 1 << 20, info.valueDim};
    });
  if (info.scaleParam)
    with("no run-time scale", [](AttentionArgs &a) { a.scale.reset(); });
  else
    with("a scale other than the compiled-in one",
         [&](AttentionArgs &a) { a.scale = info.scale * 2.0f + 1.0f; });
  if (info.biasParam)
    with("a NaN bias", [](AttentionArgs &a) { a.bias = std::nanf(""); });
  with("negative seq_k", [](AttentionArgs &a) { a.seqK = -5; });
  with("seq_q larger than the buffers", [](AttentionArgs &a) { a.seqQ *= 4; });
  // A size other than a static one: smaller where it can be, so the buffers
  // would hold it and only the static size refuses it.
  auto other = [](int64_t size) { return size > 1 ? size - 1 : size + 1; };
  if (info.staticBatch != sigattn::abi::kDynamicSize)
    with("B other than the static B", [&](AttentionArgs &a) {
      a.batch = other(info.staticBatch);
    });
  if (info.staticSeqQ != sigattn::abi::kDynamicSize)
    with("Nq other than the static Nq", [&](AttentionArgs &a) {
      a.seqQ = other(info.staticSeqQ);
    });
  if (info.staticSeqK != sigattn::abi::kDynamicSize)
    with("Nk other than the static Nk", [&](AttentionArgs &a) {
      a.seqK = other(info.staticSeqK);
    });
  if (info.alibi == Alibi::None)
    with("slopes for a kernel without ALiBi", [&](AttentionArgs &a) {
      a.slopes = reinterpret_cast<CUdeviceptr>(small);
    });
  else
    with("missing slopes", [](AttentionArgs &a) { a.slopes = 0; });

  bool ok = true;
  Status unknown = module.launch("no_such_kernel", good);
  std::printf("bad-args: unknown kernel -> %s\n", unknown.message().c_str());
  ok &= !unknown.ok();
  for (const Case &c : cases) {
    poisonOutput(info, buf);
    CHECK_CUDA(cudaDeviceSynchronize());
    Status st = module.launch(info.name, c.args);
    CHECK_CUDA(cudaDeviceSynchronize());
    uint64_t written = countWritten(buf), before = 0, after = 0;
    bool guards = guardsIntact(buf, before, after);
    bool refused = !st.ok() && !st.message().empty() && written == 0 && guards;
    std::printf("bad-args: %-34s -> %s%s%s\n", c.what,
                st.ok() ? "ACCEPTED" : st.message().c_str(),
                written ? " [OUTPUT WRITTEN]" : "",
                guards ? "" : " [GUARD WRITTEN]");
    ok &= refused;
  }
  std::printf("bad-args: %s\n", ok ? "all refused, nothing launched" : "FAIL");
  CHECK_CUDA(cudaFree(small));
  return ok;
}

template <typename T> int run(Module &module, const KernelInfo &info,
                              const Options &o) {
  TensorBytes bytes = tensorBytes(info, o.batch, o.seqQ, o.seqK);
  Buffers buf;
  CHECK_CUDA(cudaMalloc(&buf.q, bytes.query));
  CHECK_CUDA(cudaMalloc(&buf.k, bytes.key));
  CHECK_CUDA(cudaMalloc(&buf.v, bytes.value));
  CHECK_CUDA(cudaMalloc(&buf.outAllocation, bytes.output + 2 * kGuardBytes));
  buf.out = static_cast<char *>(buf.outAllocation) + kGuardBytes;
  buf.outElements = bytes.output / 2;
  armGuards(buf);
  fillNormal<T><<<blocksFor(bytes.query / 2), 256>>>(
      static_cast<T *>(buf.q), bytes.query / 2, o.seed * 3 + 0);
  fillNormal<T><<<blocksFor(bytes.key / 2), 256>>>(
      static_cast<T *>(buf.k), bytes.key / 2, o.seed * 3 + 1);
  fillNormal<T><<<blocksFor(bytes.value / 2), 256>>>(
      static_cast<T *>(buf.v), bytes.value / 2, o.seed * 3 + 2);
  CHECK_CUDA(cudaGetLastError());
  if (info.alibi != Alibi::None) {
    CHECK_CUDA(cudaMalloc(&buf.slopes, bytes.slopes));
    fillUniform<<<blocksFor(bytes.slopes / 4), 256>>>(buf.slopes,
                                                       bytes.slopes / 4,
                                                       o.seed * 7 + 5, 0.3f);
    CHECK_CUDA(cudaGetLastError());
  }
  poisonOutput(info, buf);

  AttentionArgs args;
  args.query = reinterpret_cast<CUdeviceptr>(buf.q);
  args.key = reinterpret_cast<CUdeviceptr>(buf.k);
  args.value = reinterpret_cast<CUdeviceptr>(buf.v);
  args.output = reinterpret_cast<CUdeviceptr>(buf.out);
  args.slopes = reinterpret_cast<CUdeviceptr>(buf.slopes);
  args.batch = o.batch;
  args.seqQ = o.seqQ;
  args.seqK = o.seqK;
  args.elementType = info.elementType;
  args.numQueryHeads = info.numQueryHeads;
  args.numKVHeads = info.numKVHeads;
  args.headDim = info.headDim;
  args.valueDim = info.valueDim;
  if (info.scaleParam || o.scale)
    args.scale = effectiveScale(info, o);
  if (info.biasParam || o.bias)
    args.bias = effectiveBias(info, o);

  bool ok = true;
  if (o.badArgs)
    ok &= checkBadArguments(module, info, args, buf);
  poisonOutput(info, buf);
  Status st = module.launch(info.name, args);
  if (!st.ok()) {
    std::fprintf(stderr, "sigattn-run: %s\n", st.message().c_str());
    return 1;
  }
  CHECK_CUDA(cudaDeviceSynchronize());
  ok &= checkGuards(buf, "the launch");
  if (o.check)
    ok &= checkOutput<T>(info, o, buf);
  if (o.timeIters > 0) {
    timeKernel(module, info, o, args);
    ok &= checkGuards(buf, "the timed launches");
  }
  for (void *p : {buf.q, buf.k, buf.v, buf.outAllocation,
                  static_cast<void *>(buf.slopes)})
    CHECK_CUDA(cudaFree(p));
  return ok ? 0 : 1;
}

} // namespace

int main(int argc, char **argv) {
  Options o = parseOptions(argc, argv);
  CHECK_CUDA(cudaSetDevice(0));
  CHECK_CUDA(cudaFree(nullptr)); // creates the primary context
  Module module;
  Status st = Module::load(o.ptx, module);
  if (!st.ok()) {
    std::fprintf(stderr, "sigattn-run: %s\n", st.message().c_str());
    return 2;
  }
  const KernelInfo *info = nullptr;
  if (o.kernel.empty()) {
    if (module.kernels().size() != 1)
      usage("the module has several kernels: name one with --kernel");
    info = &module.kernels()[0];
  } else if (!(info = module.find(o.kernel))) {
    usage(("no kernel named '" + o.kernel + "' in " + o.ptx).c_str());
  }
  pickSizes(*info, o);
  std::printf("kernel: %s (%s, D=%lld, Dv=%lld, Hq=%lld, Hkv=%lld, window=[%lld, "
              "%lld], alibi=%d, static B/Nq/Nk=%lld/%lld/%lld) B=%lld Nq=%lld "
              "Nk=%lld\n",
              info->name.c_str(),
              info->elementType == ElementType::BF16 ? "bf16" : "f16",
              (long long)info->headDim, (long long)info->valueDim,
              (long long)info->numQueryHeads, (long long)info->numKVHeads,
              (long long)info->windowLeft, (long long)info->windowRight,
              static_cast<int>(info->alibi), (long long)info->staticBatch,
              (long long)info->staticSeqQ, (long long)info->staticSeqK,
              (long long)o.batch, (long long)o.seqQ, (long long)o.seqK);
  // Sizes the kernel cannot run at are refused before any allocation.
  if (!(st = validateSizes(*info, o.batch, o.seqQ, o.seqK)).ok()) {
    std::fprintf(stderr, "sigattn-run: %s\n", st.message().c_str());
    return 2;
  }
  return info->elementType == ElementType::BF16
             ? run<__nv_bfloat16>(module, *info, o)
             : run<__half>(module, *info, o);
}
