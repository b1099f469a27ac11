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
// A kernel of a backward kind (attention_grad_kv or attention_grad_q; or,
// without --kernel, a module holding just such a pair) runs with its
// partner through Module::launchGrad: q, k, v, dO random, dq, dk, dv
// poisoned inside guard zones, each checked against fp32 and low-precision
// references on the GPU by the same rule plus an elementwise allowance for
// the tanh.approx sigmoid's error in P carried through the products (as in
// test/Integration/GPU/check_grad.py); a second launch must write the same
// bits; --time times the pair (credited 2.5x the forward FLOPs);
// --bad-args breaks the gradient arguments.
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

/// Where head h of batch b reads its ALiBi slope (0 without ALiBi).
__device__ float slopeOf(const float *slopes, const Problem &p, int64_t b,
                         int64_t h) {
  return p.alibi == 0 ? 0.0f : p.alibi == 1 ? slopes[h] : slopes[b * p.hq + h];
}

/// P of query i and key j (0 where the mask hides the key) from their
/// product `s`: sigma(s scale + bias - slope |i + Nk - Nq - j|), in fp32 or
/// with every step rounded to T (Lowp). `visible` says whether the mask
/// shows the key.
template <typename T, bool Lowp>
__device__ float probability(float s, const Problem &p, float slope, int64_t i,
                             int64_t j, bool &visible) {
  int64_t diag = i + p.seqK - p.seqQ;
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
  visible = (p.left < 0 || j >= diag - p.left) &&
            (p.right < 0 || j <= diag + p.right);
  return visible ? pr : 0.0f;
}

/// Row r of head h of batch b of a contiguous [B, N, H, dim] tensor.
template <typename T>
__device__ const T *rowOf(const T *t, int64_t b, int64_t r, int64_t h,
                          int64_t n, int64_t heads, int64_t dim) {
  return t + ((b * n + r) * heads + h) * dim;
}

template <typename T>
__device__ float dot(const float *a, const T *b, int64_t n) {
  float s = 0.0f;
  for (int64_t d = 0; d < n; ++d)
    s += a[d] * toFloat(b[d]);
  return s;
}

/// One block per (query i, head h, batch b): the op's definition, in fp32
/// or with every step rounded to T (lowp).
template <typename T, bool Lowp>
__global__ void reference(const T *q, const T *k, const T *v,
                          const float *slopes, float *out, Problem p) {
  extern __shared__ float smem[]; // qrow[D], P[Nk]
  float *qrow = smem, *prob = smem + p.d;
  int64_t i = blockIdx.x, h = blockIdx.y, b = blockIdx.z;
  int64_t hk = h / (p.hq / p.hkv);
  const T *qr = rowOf(q, b, i, h, p.seqQ, p.hq, p.d);
  for (int64_t d = threadIdx.x; d < p.d; d += blockDim.x)
    qrow[d] = toFloat(qr[d]);
  __syncthreads();
  float slope = slopeOf(slopes, p, b, h);
  for (int64_t j = threadIdx.x; j < p.seqK; j += blockDim.x) {
    bool visible;
    prob[j] = probability<T, Lowp>(
        dot(qrow, rowOf(k, b, j, hk, p.seqK, p.hkv, p.d), p.d), p, slope, i, j,
        visible);
  }
  __syncthreads();
  for (int64_t e = threadIdx.x; e < p.dv; e += blockDim.x) {
    float acc = 0.0f;
    for (int64_t j = 0; j < p.seqK; ++j)
      acc += prob[j] * toFloat(v[((b * p.seqK + j) * p.hkv + hk) * p.dv + e]);
    out[((b * p.seqQ + i) * p.hq + h) * p.dv + e] = Lowp ? round<T>(acc) : acc;
  }
}

/// The error of the tanh.approx sigmoid in P (check_kernels.py's measured
/// SIGMOID_ABS_ERROR): the gradient references carry it through the
/// products as an elementwise allowance.
constexpr float kSigmoidAbsError = 4.1e-6f; // 2^-17.9

/// For query i and key j of head h, from s = q_i . k_j and dP = dO_i . v_j:
/// P, dS scale = dP P (1 - P) scale (each step rounded to T when Lowp), and
/// |dP| where the key is visible (0 elsewhere).
template <typename T, bool Lowp>
__device__ void gradientAt(float s, float dp, const Problem &p, float slope,
                           int64_t i, int64_t j, float &prob, float &dsScaled,
                           float &dpAbs, bool &visible) {
  prob = probability<T, Lowp>(s, p, slope, i, j, visible);
  if (Lowp)
    dp = round<T>(dp);
  float ds = dp * prob * (1.0f - prob);
  dsScaled = Lowp ? round<T>(round<T>(ds) * p.scale) : ds * p.scale;
  dpAbs = visible ? fabsf(dp) : 0.0f;
}

/// One block per (query i, head h, batch b): dq = scale dS K, and (fp32)
/// the tanh allowance scale sum_j e |dP| |k_j|.
template <typename T, bool Lowp>
__global__ void referenceGradQ(const T *q, const T *k, const T *v,
                               const T *dout, const float *slopes, float *dq,
                               float *term, Problem p) {
  extern __shared__ float smem[]; // qrow[D], dorow[Dv], w[Nk], wt[Nk]
  float *qrow = smem, *dorow = qrow + p.d, *w = dorow + p.dv, *wt = w + p.seqK;
  int64_t i = blockIdx.x, h = blockIdx.y, b = blockIdx.z;
  int64_t hk = h / (p.hq / p.hkv);
  for (int64_t d = threadIdx.x; d < p.d; d += blockDim.x)
    qrow[d] = toFloat(rowOf(q, b, i, h, p.seqQ, p.hq, p.d)[d]);
  for (int64_t e = threadIdx.x; e < p.dv; e += blockDim.x)
    dorow[e] = toFloat(rowOf(dout, b, i, h, p.seqQ, p.hq, p.dv)[e]);
  __syncthreads();
  float slope = slopeOf(slopes, p, b, h);
  for (int64_t j = threadIdx.x; j < p.seqK; j += blockDim.x) {
    float prob, dpAbs;
    bool visible;
    gradientAt<T, Lowp>(
        dot(qrow, rowOf(k, b, j, hk, p.seqK, p.hkv, p.d), p.d),
        dot(dorow, rowOf(v, b, j, hk, p.seqK, p.hkv, p.dv), p.dv), p, slope, i,
        j, prob, w[j], dpAbs, visible);
    wt[j] = kSigmoidAbsError * dpAbs * fabsf(p.scale);
  }
  __syncthreads();
  for (int64_t d = threadIdx.x; d < p.d; d += blockDim.x) {
    float acc = 0.0f, allow = 0.0f;
    for (int64_t j = 0; j < p.seqK; ++j) {
      float kj = toFloat(rowOf(k, b, j, hk, p.seqK, p.hkv, p.d)[d]);
      acc += w[j] * kj;
      allow += wt[j] * fabsf(kj);
    }
    int64_t at = ((b * p.seqQ + i) * p.hq + h) * p.d + d;
    dq[at] = Lowp ? round<T>(acc) : acc;
    if (!Lowp)
      term[at] = allow;
  }
}

/// One block of kGradKVThreads threads per (key j, kv head, batch b):
/// dk = scale dS^T Q and dv = P^T dO summed over the group's query heads,
/// and (fp32) their tanh allowances. Thread t owns column t of dk and of
/// dv (D, Dv <= kGradKVThreads).
constexpr int kGradKVThreads = 256;
template <typename T, bool Lowp>
__global__ void referenceGradKV(const T *q, const T *k, const T *v,
                                const T *dout, const float *slopes, float *dk,
                                float *dv, float *dkTerm, float *dvTerm,
                                Problem p) {
  // krow[D], vrow[Dv], then per query: w, P, wt, et [Nq].
  extern __shared__ float smem[];
  float *krow = smem, *vrow = krow + p.d, *w = vrow + p.dv, *prob = w + p.seqQ,
        *wt = prob + p.seqQ, *et = wt + p.seqQ;
  int64_t j = blockIdx.x, hk = blockIdx.y, b = blockIdx.z;
  int64_t group = p.hq / p.hkv, t = threadIdx.x;
  for (int64_t d = t; d < p.d; d += blockDim.x)
    krow[d] = toFloat(rowOf(k, b, j, hk, p.seqK, p.hkv, p.d)[d]);
  for (int64_t e = t; e < p.dv; e += blockDim.x)
    vrow[e] = toFloat(rowOf(v, b, j, hk, p.seqK, p.hkv, p.dv)[e]);
  __syncthreads();
  float accK = 0.0f, accV = 0.0f, allowK = 0.0f, allowV = 0.0f;
  for (int64_t h = hk * group; h < (hk + 1) * group; ++h) {
    float slope = slopeOf(slopes, p, b, h);
    for (int64_t i = t; i < p.seqQ; i += blockDim.x) {
      float dpAbs;
      bool visible;
      gradientAt<T, Lowp>(
          dot(krow, rowOf(q, b, i, h, p.seqQ, p.hq, p.d), p.d),
          dot(vrow, rowOf(dout, b, i, h, p.seqQ, p.hq, p.dv), p.dv), p, slope,
          i, j, prob[i], w[i], dpAbs, visible);
      wt[i] = kSigmoidAbsError * dpAbs * fabsf(p.scale);
      et[i] = visible ? kSigmoidAbsError : 0.0f;
    }
    __syncthreads();
    for (int64_t i = 0; i < p.seqQ; ++i) {
      if (t < p.d) {
        float qi = toFloat(rowOf(q, b, i, h, p.seqQ, p.hq, p.d)[t]);
        accK += w[i] * qi;
        allowK += wt[i] * fabsf(qi);
      }
      if (t < p.dv) {
        float di = toFloat(rowOf(dout, b, i, h, p.seqQ, p.hq, p.dv)[t]);
        accV += prob[i] * di;
        allowV += et[i] * fabsf(di);
      }
    }
    __syncthreads();
  }
  if (t < p.d) {
    int64_t at = ((b * p.seqK + j) * p.hkv + hk) * p.d + t;
    dk[at] = Lowp ? round<T>(accK) : accK;
    if (!Lowp)
      dkTerm[at] = allowK;
  }
  if (t < p.dv) {
    int64_t at = ((b * p.seqK + j) * p.hkv + hk) * p.dv + t;
    dv[at] = Lowp ? round<T>(accV) : accV;
    if (!Lowp)
      dvTerm[at] = allowV;
  }
}

/// stats[0] = max(|a - ref| - term, 0) (term: an elementwise allowance,
/// none when null), stats[1] = max|b - ref|, stats[2] = max|ref| (as float
/// bits), stats[3] = NaNs in a.
template <typename T>
__global__ void compare(const T *out, const float *lowp, const float *ref,
                        const float *term, uint64_t n, unsigned *stats) {
  for (uint64_t i = blockIdx.x * uint64_t(blockDim.x) + threadIdx.x; i < n;
       i += uint64_t(gridDim.x) * blockDim.x) {
    float o = toFloat(out[i]);
    if (isnan(o)) {
      atomicAdd(&stats[3], 1u);
      continue;
    }
    float excess = fabsf(o - ref[i]) - (term ? term[i] : 0.0f);
    atomicMax(&stats[0], __float_as_uint(fmaxf(excess, 0.0f)));
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

/// Bytes of the guard zone on each side of an output, and the 16-bit
/// pattern that fills it: a NaN in bf16 and in f16, unlike the NaN a kernel
/// or the poison writes.
constexpr uint64_t kGuardBytes = 4096;
constexpr uint16_t kGuardBits = 0xFFF1;

/// An output of a launch: `elements` 2-byte elements at `ptr`, kGuardBytes
/// into an allocation of [guard | output | guard] (16-byte aligned, as
/// cudaMalloc's 256-byte alignment is kept).
struct Guarded {
  const char *name = "output";
  void *allocation = nullptr, *ptr = nullptr;
  uint64_t elements = 0;
  CUdeviceptr device() const { return reinterpret_cast<CUdeviceptr>(ptr); }
};

/// Fills both guard zones of `g` with the sentinel.
void armGuards(const Guarded &g) {
  auto *base = static_cast<uint16_t *>(g.allocation);
  const uint64_t n = kGuardBytes / 2;
  fillBits<<<blocksFor(n), 256>>>(base, n, kGuardBits);
  fillBits<<<blocksFor(n), 256>>>(base + n + g.elements, n, kGuardBits);
  CHECK_CUDA(cudaGetLastError());
}

Guarded allocateGuarded(const char *name, uint64_t bytes) {
  Guarded g;
  g.name = name;
  CHECK_CUDA(cudaMalloc(&g.allocation, bytes + 2 * kGuardBytes));
  g.ptr = static_cast<char *>(g.allocation) + kGuardBytes;
  g.elements = bytes / 2;
  armGuards(g);
  return g;
}

/// Counts the guard elements before and after `g` that are no longer the
/// sentinel (and re-arms the guards when some changed).
bool guardsIntact(const Guarded &g, uint64_t &changedBefore,
                  uint64_t &changedAfter) {
  const uint64_t n = kGuardBytes / 2;
  std::vector<uint16_t> before(n), after(n);
  auto *base = static_cast<const uint16_t *>(g.allocation);
  CHECK_CUDA(cudaMemcpy(before.data(), base, kGuardBytes,
                        cudaMemcpyDeviceToHost));
  CHECK_CUDA(cudaMemcpy(after.data(), base + n + g.elements, kGuardBytes,
                        cudaMemcpyDeviceToHost));
  changedBefore = changedAfter = 0;
  for (uint64_t i = 0; i < n; ++i) {
    changedBefore += before[i] != kGuardBits;
    changedAfter += after[i] != kGuardBits;
  }
  if (changedBefore || changedAfter)
    armGuards(g);
  return changedBefore == 0 && changedAfter == 0;
}

/// Checks the guards of every output after the launches of `what`, and
/// says so.
bool checkGuards(const std::vector<Guarded> &outputs, const char *what) {
  bool all = true;
  for (const Guarded &g : outputs) {
    uint64_t before = 0, after = 0;
    bool ok = guardsIntact(g, before, after);
    if (ok)
      std::printf("guard: %llu bytes each side of the %s intact after %s "
                  "PASS\n",
                  (unsigned long long)kGuardBytes, g.name, what);
    else
      std::printf("guard: %llu elements before and %llu after the %s "
                  "changed by %s FAIL\n",
                  (unsigned long long)before, (unsigned long long)after, g.name,
                  what);
    all &= ok;
  }
  return all;
}

void poison(const KernelInfo &info, const Guarded &g) {
  uint16_t nan = info.elementType == ElementType::BF16 ? 0x7FC0 : 0x7E00;
  fillBits<<<blocksFor(g.elements), 256>>>(static_cast<uint16_t *>(g.ptr),
                                           g.elements, nan);
  CHECK_CUDA(cudaGetLastError());
}

/// The bits of `g`'s elements, copied to the host.
std::vector<uint16_t> hostBits(const Guarded &g) {
  std::vector<uint16_t> host(g.elements);
  CHECK_CUDA(
      cudaMemcpy(host.data(), g.ptr, g.elements * 2, cudaMemcpyDeviceToHost));
  return host;
}

/// Counts the elements of `g` that are not the NaN poison.
uint64_t countWritten(const Guarded &g) {
  uint64_t written = 0;
  for (uint16_t x : hostBits(g))
    written += x != 0x7FC0 && x != 0x7E00;
  return written;
}

/// A [B, N, H, dim] input filled with N(0, 1) values.
template <typename T> void *randomTensor(uint64_t bytes, uint64_t seed) {
  void *p = nullptr;
  CHECK_CUDA(cudaMalloc(&p, bytes));
  fillNormal<T>
      <<<blocksFor(bytes / 2), 256>>>(static_cast<T *>(p), bytes / 2, seed);
  CHECK_CUDA(cudaGetLastError());
  return p;
}

/// ALiBi slopes in [0, 0.3), or null for a kernel without ALiBi.
float *randomSlopes(const KernelInfo &info, int64_t batch, uint64_t seed) {
  uint64_t bytes = slopesBytes(info, batch);
  if (bytes == 0)
    return nullptr;
  float *p = nullptr;
  CHECK_CUDA(cudaMalloc(&p, bytes));
  fillUniform<<<blocksFor(bytes / 4), 256>>>(p, bytes / 4, seed, 0.3f);
  CHECK_CUDA(cudaGetLastError());
  return p;
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

Problem problemOf(const KernelInfo &info, const Options &o) {
  return {o.batch,
          o.seqQ,
          o.seqK,
          info.numQueryHeads,
          info.numKVHeads,
          info.headDim,
          info.valueDim,
          effectiveScale(info, o),
          effectiveBias(info, o),
          info.windowLeft,
          info.windowRight,
          info.alibi == Alibi::None   ? 0
          : info.alibi == Alibi::Head ? 1
                                      : 2};
}

/// The sizes, scalars and tensor description every launch of `info` gets.
CallParams callParams(const KernelInfo &info, const Options &o,
                      const float *slopes) {
  CallParams c;
  c.slopes = reinterpret_cast<CUdeviceptr>(slopes);
  c.batch = o.batch;
  c.seqQ = o.seqQ;
  c.seqK = o.seqK;
  c.elementType = info.elementType;
  c.numQueryHeads = info.numQueryHeads;
  c.numKVHeads = info.numKVHeads;
  c.headDim = info.headDim;
  c.valueDim = info.valueDim;
  if (info.scaleParam || o.scale)
    c.scale = effectiveScale(info, o);
  if (info.biasParam || o.bias)
    c.bias = effectiveBias(info, o);
  return c;
}

/// FlashAttention's rule for one output against fp32 (`ref`) and
/// low-precision (`lowp`) references of `n` elements, with an elementwise
/// allowance `term` (or none):
///   |out - ref| <= 2 max|lowp - ref| + 2^-12 max|ref| + term.
template <typename T>
bool checkAgainst(const char *name, const void *out, const float *lowp,
                  const float *ref, const float *term, uint64_t n) {
  unsigned *stats = nullptr;
  CHECK_CUDA(cudaMalloc(&stats, 4 * sizeof(unsigned)));
  CHECK_CUDA(cudaMemset(stats, 0, 4 * sizeof(unsigned)));
  compare<T><<<blocksFor(n), 256>>>(static_cast<const T *>(out), lowp, ref,
                                    term, n, stats);
  CHECK_CUDA(cudaGetLastError());
  unsigned host[4];
  CHECK_CUDA(cudaMemcpy(host, stats, sizeof(host), cudaMemcpyDeviceToHost));
  CHECK_CUDA(cudaFree(stats));
  float err, errLowp, maxRef;
  std::memcpy(&err, &host[0], 4);
  std::memcpy(&errLowp, &host[1], 4);
  std::memcpy(&maxRef, &host[2], 4);
  float bound = 2.0f * errLowp + std::ldexp(maxRef, -12);
  bool ok = host[3] == 0 && err <= bound;
  std::printf("check%s%s: max_abs_err%s=%.4g ref_lowp_err=%.4g bound=%.4g "
              "unwritten=%u %s\n",
              name ? " " : "", name ? name : "",
              term ? " beyond the tanh term" : "", err, errLowp, bound, host[3],
              ok ? "PASS" : "FAIL");
  return ok;
}

/// `n` floats on the device.
float *deviceFloats(uint64_t n) {
  float *p = nullptr;
  CHECK_CUDA(cudaMalloc(&p, n * sizeof(float)));
  return p;
}

/// Lets `kernel` use `bytes` of dynamic shared memory (the references keep
/// rows of N floats there).
template <typename Kernel> void allowShared(Kernel kernel, size_t bytes) {
  CHECK_CUDA(cudaFuncSetAttribute(kernel,
                                  cudaFuncAttributeMaxDynamicSharedMemorySize,
                                  static_cast<int>(bytes)));
}

//===----------------------------------------------------------------------===//
// The forward pass
//===----------------------------------------------------------------------===//

struct Buffers {
  void *q = nullptr, *k = nullptr, *v = nullptr;
  float *slopes = nullptr;
  Guarded out;
};

template <typename T>
bool checkOutput(const KernelInfo &info, const Options &o, const Buffers &buf) {
  Problem p = problemOf(info, o);
  uint64_t n = buf.out.elements;
  float *ref = deviceFloats(n), *lowp = deviceFloats(n);
  size_t smem = (p.d + p.seqK) * sizeof(float);
  allowShared(reference<T, false>, smem);
  allowShared(reference<T, true>, smem);
  dim3 grid(static_cast<unsigned>(p.seqQ), static_cast<unsigned>(p.hq),
            static_cast<unsigned>(p.batch));
  auto *q = static_cast<const T *>(buf.q), *k = static_cast<const T *>(buf.k),
       *v = static_cast<const T *>(buf.v);
  reference<T, false><<<grid, 128, smem>>>(q, k, v, buf.slopes, ref, p);
  CHECK_CUDA(cudaGetLastError());
  reference<T, true><<<grid, 128, smem>>>(q, k, v, buf.slopes, lowp, p);
  CHECK_CUDA(cudaGetLastError());
  bool ok = checkAgainst<T>(nullptr, buf.out.ptr, lowp, ref, nullptr, n);
  CHECK_CUDA(cudaFree(ref));
  CHECK_CUDA(cudaFree(lowp));
  return ok;
}

/// Median time of `iters` calls of `launch`, each after flushing L2;
/// `flopFactor` times the forward pass's FLOPs.
template <typename Launch>
void timeLaunches(const KernelInfo &info, const Options &o, double flopFactor,
                  const char *what, Launch launch) {
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
    Status st = launch();
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
  // Forward FLOPs = 4 B Hq Nq Nk D, half for causal (FlashAttention's
  // convention); the backward pass is credited 2.5 times that.
  double flops = flopFactor * 4.0 * o.batch * info.numQueryHeads *
                 double(o.seqQ) * double(o.seqK) * info.headDim;
  bool causal = info.windowLeft < 0 && info.windowRight == 0;
  if (causal)
    flops /= 2;
  std::printf("time: %s median=%.4f ms over %d runs (L2 flushed), %.1f "
              "TFLOP/s%s\n",
              what, median, o.timeIters, flops / (median * 1e-3) / 1e12,
              causal ? " (causal: half the FLOPs)" : "");
  CHECK_CUDA(cudaEventDestroy(start));
  CHECK_CUDA(cudaEventDestroy(stop));
  CHECK_CUDA(cudaFree(flush));
}

/// Broken calls: `good` with one change each.
template <typename Args> struct Cases {
  const Args &good;
  std::vector<std::pair<const char *, Args>> list;
  template <typename Change> void with(const char *what, Change change) {
    Args a = good;
    change(a);
    list.push_back({what, a});
  }
};

/// Launches each broken call of `cases` ({what, args}) with `launch` and
/// checks it is refused with a message, and that no output was written
/// and no guard touched.
template <typename Args, typename Launch>
bool refuseAll(const KernelInfo &info, const std::vector<Guarded> &outputs,
               const std::vector<std::pair<const char *, Args>> &cases,
               Launch launch) {
  bool ok = true;
  for (const auto &c : cases) {
    for (const Guarded &g : outputs)
      poison(info, g);
    CHECK_CUDA(cudaDeviceSynchronize());
    Status st = launch(c.second);
    CHECK_CUDA(cudaDeviceSynchronize());
    uint64_t written = 0;
    bool guards = true;
    for (const Guarded &g : outputs) {
      uint64_t before = 0, after = 0;
      written += countWritten(g);
      guards &= guardsIntact(g, before, after);
    }
    bool refused = !st.ok() && !st.message().empty() && written == 0 && guards;
    std::printf("bad-args: %-34s -> %s%s%s\n", c.first,
                st.ok() ? "ACCEPTED" : st.message().c_str(),
                written ? " [OUTPUT WRITTEN]" : "",
                guards ? "" : " [GUARD WRITTEN]");
    ok &= refused;
  }
  return ok;
}

/// Every broken call must be refused with a message, and launch nothing.
bool checkBadArguments(Module &module, const KernelInfo &info,
                       const AttentionArgs &good, const Buffers &buf,
                       void *small) {
  static std::vector<char> host(1 << 20);
  Cases<AttentionArgs> cases{good, {}};
  auto with = [&](const char *what, auto change) { cases.with(what, change); };
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

  Status unknown = module.launch("no_such_kernel", good);
  std::printf("bad-args: unknown kernel -> %s\n", unknown.message().c_str());
  bool ok = !unknown.ok();
  ok &= refuseAll(info, {buf.out}, cases.list, [&](const AttentionArgs &a) {
    return module.launch(info.name, a);
  });
  std::printf("bad-args: %s\n", ok ? "all refused, nothing launched" : "FAIL");
  return ok;
}

template <typename T> int run(Module &module, const KernelInfo &info,
                              const Options &o) {
  using sigattn::abi::Tensor;
  auto bytes = [&](Tensor t) {
    return tensorBytes(info, t, o.batch, o.seqQ, o.seqK);
  };
  Buffers buf;
  buf.q = randomTensor<T>(bytes(Tensor::kQuery), o.seed * 3 + 0);
  buf.k = randomTensor<T>(bytes(Tensor::kKey), o.seed * 3 + 1);
  buf.v = randomTensor<T>(bytes(Tensor::kValue), o.seed * 3 + 2);
  buf.slopes = randomSlopes(info, o.batch, o.seed * 7 + 5);
  buf.out = allocateGuarded("output", bytes(Tensor::kOutput));
  poison(info, buf.out);

  AttentionArgs args;
  static_cast<CallParams &>(args) = callParams(info, o, buf.slopes);
  args.query = reinterpret_cast<CUdeviceptr>(buf.q);
  args.key = reinterpret_cast<CUdeviceptr>(buf.k);
  args.value = reinterpret_cast<CUdeviceptr>(buf.v);
  args.output = buf.out.device();

  bool ok = true;
  void *small = nullptr;
  CHECK_CUDA(cudaMalloc(&small, 256));
  if (o.badArgs)
    ok &= checkBadArguments(module, info, args, buf, small);
  poison(info, buf.out);
  Status st = module.launch(info.name, args);
  if (!st.ok()) {
    std::fprintf(stderr, "sigattn-run: %s\n", st.message().c_str());
    return 1;
  }
  CHECK_CUDA(cudaDeviceSynchronize());
  ok &= checkGuards({buf.out}, "the launch");
  if (o.check)
    ok &= checkOutput<T>(info, o, buf);
  if (o.timeIters > 0) {
    timeLaunches(info, o, 1.0, "forward",
                 [&] { return module.launch(info.name, args); });
    ok &= checkGuards({buf.out}, "the timed launches");
  }
  for (void *p : {buf.q, buf.k, buf.v, buf.out.allocation,
                  static_cast<void *>(buf.slopes), small})
    CHECK_CUDA(cudaFree(p));
  return ok ? 0 : 1;
}

//===----------------------------------------------------------------------===//
// The backward pass: the two kernels of one sigattn.attention_grad
//===----------------------------------------------------------------------===//

struct GradBuffers {
  void *q = nullptr, *k = nullptr, *v = nullptr, *dout = nullptr;
  float *slopes = nullptr;
  Guarded dq, dk, dv;
  std::vector<Guarded> outputs() const { return {dq, dk, dv}; }
};

/// dq, dk, dv against the references of referenceGradQ / referenceGradKV,
/// each with its tanh allowance.
template <typename T>
bool checkGrads(const KernelInfo &info, const Options &o,
                const GradBuffers &buf) {
  Problem p = problemOf(info, o);
  uint64_t nq = buf.dq.elements, nk = buf.dk.elements, nv = buf.dv.elements;
  float *dq[3] = {deviceFloats(nq), deviceFloats(nq), deviceFloats(nq)};
  float *dk[3] = {deviceFloats(nk), deviceFloats(nk), deviceFloats(nk)};
  float *dv[3] = {deviceFloats(nv), deviceFloats(nv), deviceFloats(nv)};
  auto *q = static_cast<const T *>(buf.q), *k = static_cast<const T *>(buf.k),
       *v = static_cast<const T *>(buf.v),
       *dout = static_cast<const T *>(buf.dout);
  size_t smemQ = (p.d + p.dv + 2 * p.seqK) * sizeof(float);
  size_t smemKV = (p.d + p.dv + 4 * p.seqQ) * sizeof(float);
  allowShared(referenceGradQ<T, false>, smemQ);
  allowShared(referenceGradQ<T, true>, smemQ);
  allowShared(referenceGradKV<T, false>, smemKV);
  allowShared(referenceGradKV<T, true>, smemKV);
  dim3 gridQ(static_cast<unsigned>(p.seqQ), static_cast<unsigned>(p.hq),
             static_cast<unsigned>(p.batch));
  dim3 gridKV(static_cast<unsigned>(p.seqK), static_cast<unsigned>(p.hkv),
              static_cast<unsigned>(p.batch));
  // [0] fp32, [1] low precision, [2] the fp32 run's tanh allowance.
  referenceGradQ<T, false>
      <<<gridQ, 128, smemQ>>>(q, k, v, dout, buf.slopes, dq[0], dq[2], p);
  referenceGradQ<T, true>
      <<<gridQ, 128, smemQ>>>(q, k, v, dout, buf.slopes, dq[1], nullptr, p);
  referenceGradKV<T, false><<<gridKV, kGradKVThreads, smemKV>>>(
      q, k, v, dout, buf.slopes, dk[0], dv[0], dk[2], dv[2], p);
  referenceGradKV<T, true><<<gridKV, kGradKVThreads, smemKV>>>(
      q, k, v, dout, buf.slopes, dk[1], dv[1], nullptr, nullptr, p);
  CHECK_CUDA(cudaGetLastError());
  bool ok = checkAgainst<T>("dq", buf.dq.ptr, dq[1], dq[0], dq[2], nq);
  ok &= checkAgainst<T>("dk", buf.dk.ptr, dk[1], dk[0], dk[2], nk);
  ok &= checkAgainst<T>("dv", buf.dv.ptr, dv[1], dv[0], dv[2], nv);
  for (float *f :
       {dq[0], dq[1], dq[2], dk[0], dk[1], dk[2], dv[0], dv[1], dv[2]})
    CHECK_CUDA(cudaFree(f));
  return ok;
}

bool checkBadGradArguments(Module &module, const KernelInfo &kv,
                           const KernelInfo &dqInfo,
                           const AttentionGradArgs &good,
                           const GradBuffers &buf, void *small) {
  Cases<AttentionGradArgs> cases{good, {}};
  auto with = [&](const char *what, auto change) { cases.with(what, change); };
  with("null grad_output", [](AttentionGradArgs &a) { a.gradOutput = 0; });
  with("misaligned key_grad", [](AttentionGradArgs &a) { a.gradKey += 2; });
  with("query_grad too small", [&](AttentionGradArgs &a) {
    a.gradQuery = reinterpret_cast<CUdeviceptr>(small);
  });
  with("query_grad overlaps grad_output",
       [](AttentionGradArgs &a) { a.gradQuery = a.gradOutput; });
  with("value_grad running past its allocation",
       [](AttentionGradArgs &a) { a.gradValue += kGuardBytes + 16; });
  with("tensors with other kv heads",
       [&](AttentionGradArgs &a) { a.numKVHeads = kv.numKVHeads + 1; });
  if (good.seqK > 1 || kv.numKVHeads > 1)
    with("key_grad rows and heads on one address", [&](AttentionGradArgs &a) {
      a.gradKeyStrides = sigattn::abi::Strides{kv.headDim, 0, 0};
    });
  with("seq_k larger than the buffers",
       [](AttentionGradArgs &a) { a.seqK *= 4; });
  if (kv.alibi == Alibi::None)
    with("slopes for a kernel without ALiBi", [&](AttentionGradArgs &a) {
      a.slopes = reinterpret_cast<CUdeviceptr>(small);
    });
  else
    with("missing slopes", [](AttentionGradArgs &a) { a.slopes = 0; });
  if (kv.scaleParam)
    with("no run-time scale", [](AttentionGradArgs &a) { a.scale.reset(); });
  // Sizes other than static ones: smaller, where the buffers hold them.
  if (kv.staticSeqQ != sigattn::abi::kDynamicSize && kv.staticSeqQ > 1)
    with("Nq other than the static Nq",
         [&](AttentionGradArgs &a) { a.seqQ = kv.staticSeqQ - 1; });
  if (kv.staticSeqK != sigattn::abi::kDynamicSize && kv.staticSeqK > 1)
    with("Nk other than the static Nk",
         [&](AttentionGradArgs &a) { a.seqK = kv.staticSeqK - 1; });

  // A backward kernel launched as a forward one.
  AttentionArgs forward;
  static_cast<CallParams &>(forward) = good;
  forward.query = good.query;
  forward.key = good.key;
  forward.value = good.value;
  forward.output = good.gradQuery;
  Status st = module.launch(dqInfo.name, forward);
  std::printf("bad-args: forward launch of %s -> %s\n", dqInfo.name.c_str(),
              st.message().c_str());
  bool ok = !st.ok();
  ok &=
      refuseAll(kv, buf.outputs(), cases.list, [&](const AttentionGradArgs &a) {
        return module.launchGrad(kv.name, a);
      });
  std::printf("bad-args: %s\n", ok ? "all refused, nothing launched" : "FAIL");
  return ok;
}

template <typename T>
int runGrad(Module &module, const KernelInfo &kv, const KernelInfo &dqInfo,
            const Options &o) {
  using sigattn::abi::Tensor;
  auto bytes = [&](Tensor t) {
    return tensorBytes(kv, t, o.batch, o.seqQ, o.seqK);
  };
  GradBuffers buf;
  buf.q = randomTensor<T>(bytes(Tensor::kQuery), o.seed * 5 + 0);
  buf.k = randomTensor<T>(bytes(Tensor::kKey), o.seed * 5 + 1);
  buf.v = randomTensor<T>(bytes(Tensor::kValue), o.seed * 5 + 2);
  buf.dout = randomTensor<T>(bytes(Tensor::kGradOutput), o.seed * 5 + 3);
  buf.slopes = randomSlopes(kv, o.batch, o.seed * 7 + 5);
  buf.dq = allocateGuarded("dq", bytes(Tensor::kGradQuery));
  buf.dk = allocateGuarded("dk", bytes(Tensor::kGradKey));
  buf.dv = allocateGuarded("dv", bytes(Tensor::kGradValue));

  AttentionGradArgs args;
  static_cast<CallParams &>(args) = callParams(kv, o, buf.slopes);
  args.query = reinterpret_cast<CUdeviceptr>(buf.q);
  args.key = reinterpret_cast<CUdeviceptr>(buf.k);
  args.value = reinterpret_cast<CUdeviceptr>(buf.v);
  args.gradOutput = reinterpret_cast<CUdeviceptr>(buf.dout);
  args.gradQuery = buf.dq.device();
  args.gradKey = buf.dk.device();
  args.gradValue = buf.dv.device();

  bool ok = true;
  void *small = nullptr;
  CHECK_CUDA(cudaMalloc(&small, 256));
  if (o.badArgs)
    ok &= checkBadGradArguments(module, kv, dqInfo, args, buf, small);
  for (const Guarded &g : buf.outputs())
    poison(kv, g);
  Status st = module.launchGrad(kv.name, args);
  if (!st.ok()) {
    std::fprintf(stderr, "sigattn-run: %s\n", st.message().c_str());
    return 1;
  }
  CHECK_CUDA(cudaDeviceSynchronize());
  ok &= checkGuards(buf.outputs(), "the launch");
  if (o.check)
    ok &= checkGrads<T>(kv, o, buf);
  // Determinism: a second launch writes the same bits (each kernel writes
  // every element once, in a fixed order).
  std::vector<std::vector<uint16_t>> first;
  for (const Guarded &g : buf.outputs())
    first.push_back(hostBits(g));
  if (!(st = module.launchGrad(kv.name, args)).ok()) {
    std::fprintf(stderr, "sigattn-run: %s\n", st.message().c_str());
    return 1;
  }
  CHECK_CUDA(cudaDeviceSynchronize());
  bool same = true;
  for (size_t i = 0; i < first.size(); ++i)
    same &= hostBits(buf.outputs()[i]) == first[i];
  std::printf("determinism: a second launch writes the same dq, dk, dv bits "
              "%s\n",
              same ? "PASS" : "FAIL");
  ok &= same;
  if (o.timeIters > 0) {
    timeLaunches(kv, o, 2.5, "backward (dk/dv + dq)",
                 [&] { return module.launchGrad(kv.name, args); });
    ok &= checkGuards(buf.outputs(), "the timed launches");
  }
  for (void *p :
       {buf.q, buf.k, buf.v, buf.dout, buf.dq.allocation, buf.dk.allocation,
        buf.dv.allocation, static_cast<void *>(buf.slopes), small})
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
    // One kernel, or the two kernels of one sigattn.attention_grad.
    const std::vector<KernelInfo> &all = module.kernels();
    bool pair = all.size() == 2 && all[0].partner == all[1].name &&
                all[1].partner == all[0].name;
    if (all.size() != 1 && !pair)
      usage("the module has several kernels: name one with --kernel");
    info = &all[0];
  } else if (!(info = module.find(o.kernel))) {
    usage(("no kernel named '" + o.kernel + "' in " + o.ptx).c_str());
  }
  // A backward kernel runs with its partner: dk/dv, then dq.
  const KernelInfo *partner = nullptr;
  if (info->kind != sigattn::abi::KernelKind::kAttention) {
    partner = module.find(info->partner);
    if (!partner)
      usage(("kernel " + info->name + " computes " +
             sigattn::abi::kindName(info->kind) +
             " and runs with its partner, but its partner '" + info->partner +
             "' is not in " + o.ptx)
                .c_str());
    if (info->kind == sigattn::abi::KernelKind::kGradQ)
      std::swap(info, partner);
  }
  pickSizes(*info, o);
  std::printf("kernel: %s%s%s (%s, D=%lld, Dv=%lld, Hq=%lld, Hkv=%lld, "
              "window=[%lld, %lld], alibi=%d, static B/Nq/Nk=%lld/%lld/%lld) "
              "B=%lld Nq=%lld Nk=%lld\n",
              info->name.c_str(), partner ? " then " : "",
              partner ? partner->name.c_str() : "",
              info->elementType == ElementType::BF16 ? "bf16" : "f16",
              (long long)info->headDim, (long long)info->valueDim,
              (long long)info->numQueryHeads, (long long)info->numKVHeads,
              (long long)info->windowLeft, (long long)info->windowRight,
              static_cast<int>(info->alibi), (long long)info->staticBatch,
              (long long)info->staticSeqQ, (long long)info->staticSeqK,
              (long long)o.batch, (long long)o.seqQ, (long long)o.seqK);
  // Sizes the kernels cannot run at are refused before any allocation.
  for (const KernelInfo *k : {info, partner}) {
    if (k && !(st = validateSizes(*k, o.batch, o.seqQ, o.seqK)).ok()) {
      std::fprintf(stderr, "sigattn-run: %s\n", st.message().c_str());
      return 2;
    }
  }
  bool bf16 = info->elementType == ElementType::BF16;
  if (partner)
    return bf16 ? runGrad<__nv_bfloat16>(module, *info, *partner, o)
                : runGrad<__half>(module, *info, *partner, o);
  return bf16 ? run<__nv_bfloat16>(module, *info, o)
              : run<__half>(module, *info, o);
}
