//===- dq_reduce_cost.cu - what dq by reduction would cost in traffic
//------===//
//
// Issue 11 asks to choose how dq is accumulated across key tiles by
// measurement. sigattn's GPU lowering has the two-kernel scheme (a dq kernel
// that recomputes S and dP: 7 tile products for 5 credited); `dq=reduce`
// (one kernel, dq partials added into an f32 buffer, then converted) has no
// GPU lowering yet. This program measures the part of `dq=reduce` that the
// products do not cover: the f32 reductions of every (key tile, query tile)
// partial into dq, the buffer's zeroing and the conversion to bf16, on the
// shapes of benchmarks/bench_backward.py (bf16, D = 128, H = 16, B N =
// 16384), with the grid a dk/dv kernel has: one block per (key tile, head,
// batch), looping over the query tiles its keys see (all, or causal).
//
// Each block adds a block_q x D tile of ones per query tile (the values do
// not change the traffic), by
//   red      one red.global.add.f32 per element (atomicAdd, result unused)
//   red.v4   red.global.add.v4.f32 (sm_90: 4 elements per instruction)
//   bulk     the tile staged in shared memory, then one
//            cp.reduce.async.bulk.global.shared::cta.add.f32 per row
// then a conversion kernel scales the f32 buffer into the bf16 dq. Every
// element of the buffer is checked after each run (untimed): it must be the
// number of key tiles that see its query row. Prints the median of `reps`
// event-timed runs (L2 flushed before each) of zero + reduce + convert, and
// of zero + reduce.
//
//   nvcc -O3 -arch=sm_90a -o dq_reduce_cost benchmarks/dq_reduce_cost.cu
//   ./dq_reduce_cost [reps]
//
//===----------------------------------------------------------------------===//

#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#define CHECK(call)                                                            \
  do {                                                                         \
    cudaError_t e_ = (call);                                                   \
    if (e_ != cudaSuccess) {                                                   \
      std::fprintf(stderr, "%s: %s\n", #call, cudaGetErrorString(e_));         \
      std::exit(1);                                                            \
    }                                                                          \
  } while (0)

namespace {

constexpr int kD = 128;       // head dim: a dq row is 512 bytes of f32
constexpr int kThreads = 128; // one warpgroup, as the dk/dv kernel

enum Variant { kRed, kRedV4, kBulk };
const char *const kNames[] = {"red", "red.v4", "bulk"};

struct Shape {
  int batch, seq, heads, blockK, blockQ;
  bool causal;
};

/// The first query tile whose rows see key tile `kt` (causal: query i sees
/// key j <= i, Nq = Nk).
__host__ __device__ int firstQueryTile(const Shape &s, int kt) {
  return s.causal ? (kt * s.blockK) / s.blockQ : 0;
}

template <Variant V> __global__ void reduceTiles(float *ws, Shape s) {
  extern __shared__ __align__(128) float tile[]; // blockQ x D (bulk only)
  int kt = blockIdx.x, h = blockIdx.y, b = blockIdx.z;
  int tiles = (s.seq + s.blockQ - 1) / s.blockQ;
  const size_t rowStride = size_t(s.heads) * kD; // [B, N, H, D] f32
  if (V == kBulk) {
    for (int e = threadIdx.x; e < s.blockQ * kD; e += blockDim.x)
      tile[e] = 1.0f;
    // The tile is written by the generic proxy, read by the async one.
    asm volatile("fence.proxy.async.shared::cta;" ::: "memory");
    __syncthreads();
  }
  for (int qt = firstQueryTile(s, kt); qt < tiles; ++qt) {
    int row0 = qt * s.blockQ;
    float *base = ws + (size_t(b) * s.seq + row0) * rowStride + size_t(h) * kD;
    int rows = min(s.blockQ, s.seq - row0);
    if (V == kRed) {
      for (int e = threadIdx.x; e < rows * kD; e += blockDim.x)
        atomicAdd(base + size_t(e / kD) * rowStride + e % kD, 1.0f);
    } else if (V == kRedV4) {
      for (int e = threadIdx.x * 4; e < rows * kD; e += blockDim.x * 4)
        atomicAdd(reinterpret_cast<float4 *>(base + size_t(e / kD) * rowStride +
                                             e % kD),
                  make_float4(1.0f, 1.0f, 1.0f, 1.0f));
    } else {
      // One thread per row issues its 512-byte reduction; the next tile
      // reuses the staged values, so only the reads must finish before the
      // block exits (and before shared memory would be rewritten).
      for (int r = threadIdx.x; r < rows; r += blockDim.x) {
        float *dst = base + size_t(r) * rowStride;
        unsigned src =
            static_cast<unsigned>(__cvta_generic_to_shared(tile + r * kD));
        asm volatile("cp.reduce.async.bulk.global.shared::cta.bulk_group.add."
                     "f32 [%0], [%1], %2;" ::"l"(dst),
                     "r"(src), "r"(kD * 4)
                     : "memory");
      }
      asm volatile("cp.async.bulk.commit_group;" ::: "memory");
    }
  }
  if (V == kBulk)
    asm volatile("cp.async.bulk.wait_group 0;" ::: "memory");
}

/// dq = scale * ws in bf16 (what the conversion grid does).
__global__ void convert(const float *ws, __nv_bfloat16 *dq, size_t n,
                        float scale) {
  for (size_t i = blockIdx.x * size_t(blockDim.x) + threadIdx.x; i < n;
       i += size_t(gridDim.x) * blockDim.x)
    dq[i] = __float2bfloat16_rn(ws[i] * scale);
}

/// Counts the elements of ws that are not the number of key tiles that see
/// their row.
__global__ void check(const float *ws, size_t n, Shape s, unsigned *wrong) {
  int tilesK = (s.seq + s.blockK - 1) / s.blockK;
  for (size_t i = blockIdx.x * size_t(blockDim.x) + threadIdx.x; i < n;
       i += size_t(gridDim.x) * blockDim.x) {
    int row = int((i / (size_t(s.heads) * kD)) % s.seq);
    int qt = row / s.blockQ, want = 0;
    for (int kt = 0; kt < tilesK; ++kt)
      want += firstQueryTile(s, kt) <= qt;
    if (ws[i] != float(want))
      atomicAdd(wrong, 1u);
  }
}

template <Variant V> void launchReduce(float *ws, const Shape &s) {
  dim3 grid((s.seq + s.blockK - 1) / s.blockK, s.heads, s.batch);
  size_t smem = V == kBulk ? size_t(s.blockQ) * kD * sizeof(float) : 0;
  if (smem > 48 * 1024)
    CHECK(cudaFuncSetAttribute(reduceTiles<V>,
                               cudaFuncAttributeMaxDynamicSharedMemorySize,
                               int(smem)));
  reduceTiles<V><<<grid, kThreads, smem>>>(ws, s);
}

void launchReduce(Variant v, float *ws, const Shape &s) {
  if (v == kRed)
    launchReduce<kRed>(ws, s);
  else if (v == kRedV4)
    launchReduce<kRedV4>(ws, s);
  else
    launchReduce<kBulk>(ws, s);
}

} // namespace

int main(int argc, char **argv) {
  int reps = argc > 1 ? std::atoi(argv[1]) : 10;
  if (reps < 1)
    reps = 1;
  void *flush = nullptr;
  const size_t flushBytes = 256u << 20;
  CHECK(cudaMalloc(&flush, flushBytes));
  unsigned *wrong = nullptr;
  CHECK(cudaMalloc(&wrong, sizeof(unsigned)));
  cudaEvent_t start, mid, stop;
  CHECK(cudaEventCreate(&start));
  CHECK(cudaEventCreate(&mid));
  CHECK(cudaEventCreate(&stop));
  std::printf("variant  blk_k blk_q  mask     N  B  zero+reduce+convert ms  "
              "reduce ms  check\n");
  bool allOk = true;
  for (int seq : {4096, 8192}) {
    for (bool causal : {false, true}) {
      for (int blockK : {64, 128}) {
        for (Variant v : {kRed, kRedV4, kBulk}) {
          Shape s{16384 / seq, seq, 16, blockK, 64, causal};
          size_t n = size_t(s.batch) * seq * s.heads * kD;
          float *ws = nullptr;
          __nv_bfloat16 *dq = nullptr;
          CHECK(cudaMalloc(&ws, n * sizeof(float)));
          CHECK(cudaMalloc(&dq, n * sizeof(__nv_bfloat16)));
          std::vector<float> total, reduce;
          bool ok = true;
          for (int it = 0; it < reps + 2; ++it) {
            CHECK(cudaMemsetAsync(flush, it & 0xff, flushBytes));
            CHECK(cudaMemset(wrong, 0, sizeof(unsigned)));
            CHECK(cudaEventRecord(start));
            CHECK(cudaMemsetAsync(ws, 0, n * sizeof(float)));
            launchReduce(v, ws, s);
            CHECK(cudaGetLastError());
            CHECK(cudaEventRecord(mid));
            convert<<<2048, 256>>>(ws, dq, n, 0.088f);
            CHECK(cudaGetLastError());
            CHECK(cudaEventRecord(stop));
            check<<<2048, 256>>>(ws, n, s, wrong);
            CHECK(cudaGetLastError());
            CHECK(cudaEventSynchronize(stop));
            CHECK(cudaDeviceSynchronize());
            unsigned bad = 0;
            CHECK(cudaMemcpy(&bad, wrong, sizeof(bad), cudaMemcpyDeviceToHost));
            ok &= bad == 0;
            float t = 0, r = 0;
            CHECK(cudaEventElapsedTime(&t, start, stop));
            CHECK(cudaEventElapsedTime(&r, start, mid));
            if (it >= 2) {
              total.push_back(t);
              reduce.push_back(r);
            }
          }
          std::sort(total.begin(), total.end());
          std::sort(reduce.begin(), reduce.end());
          std::printf("%-7s  %5d %5d  %-6s %5d %2d  %22.3f  %9.3f  %s\n",
                      kNames[v], blockK, s.blockQ, causal ? "causal" : "full",
                      seq, s.batch, total[total.size() / 2],
                      reduce[reduce.size() / 2], ok ? "ok" : "WRONG");
          allOk &= ok;
          CHECK(cudaFree(ws));
          CHECK(cudaFree(dq));
        }
      }
    }
  }
  CHECK(cudaFree(flush));
  CHECK(cudaFree(wrong));
  return allOk ? 0 : 1;
}
