//===- DescriptionTest.cpp - runtime checks that need no GPU --------------===//
//
// Prints the outcome of each case (FileCheck matches the messages in
// test/Runtime/description.test) and exits non-zero if a case that must
// succeed fails or one that must fail succeeds. The cases of Module (load,
// launch, unload) run against a mock driver, in ModuleTest.cpp.
//
//===----------------------------------------------------------------------===//

#include "Expect.h"

#include "sigattn/Runtime/Runtime.h"

#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

using namespace sigattn;
using namespace sigattn::runtime;
using sigattn_test::check;
using sigattn_test::expect;

namespace {

const char *kValid = R"({
  "kernels": [
    {"alibi": "batch_head", "batch": -1, "bias": -2.5, "block_k": 64, "block_q": 64, "block_threads": 128, "dynamic_shared_memory": 81920, "element_type": "bf16", "head_dim": 128, "kind": "attention", "kv_stages": 2, "loads": "cp.async", "mma": "sync", "name": "attn_sigattn", "num_kv_heads": 2, "num_query_heads": 6, "num_warps": 4, "producer_warps": 0, "scale": 0.0883883461, "seq_k": -1, "seq_q": -1, "value_dim": 128, "window_left": -1, "window_right": 0, "abi_version": 3}
  ]
}
)";

std::string replace(std::string s, const std::string &from,
                    const std::string &to) {
  size_t pos = s.find(from);
  if (pos != std::string::npos)
    s.replace(pos, from.size(), to);
  return s;
}

/// kValid's kernel listed twice.
std::string twoKernelsOfOneName() {
  std::string s = kValid;
  size_t begin = s.find("{\"alibi\"");
  size_t end = s.find('}', begin) + 1;
  return s.substr(0, end) + ", " + s.substr(begin);
}

/// kValid with static B = 2, Nq = 113, Nk = 203.
std::string staticDescription() {
  std::string s = replace(kValid, "\"batch\": -1", "\"batch\": 2");
  s = replace(s, "\"seq_q\": -1", "\"seq_q\": 113");
  return replace(s, "\"seq_k\": -1", "\"seq_k\": 203");
}

} // namespace

int main() {
  // Step 1. A description as sigattn-write-ptx writes it.
  std::vector<KernelInfo> kernels;
  expect("valid description", parseKernelDescription(kValid, kernels), true);
  if (kernels.size() != 1) {
    std::printf("UNEXPECTED kernel count %zu\n", kernels.size());
    return 1;
  }
  const KernelInfo &k = kernels[0];
  std::printf("kernel %s: D=%lld Hq=%lld Hkv=%lld window=[%lld, %lld] "
              "alibi=%d smem=%lld scale=%g bias=%g static=[%lld, %lld, %lld]\n",
              k.name.c_str(), (long long)k.headDim,
              (long long)k.numQueryHeads, (long long)k.numKVHeads,
              (long long)k.windowLeft, (long long)k.windowRight,
              static_cast<int>(k.alibi), (long long)k.dynamicSharedMemory,
              k.scale, k.bias, (long long)k.staticBatch,
              (long long)k.staticSeqQ, (long long)k.staticSeqK);

  // Static sizes, in any field order (here "seq_q" first).
  std::vector<KernelInfo> statics;
  std::string reordered = replace(staticDescription(), "{\"alibi\"",
                                  "{\"seq_q\": 113, \"alibi\"");
  reordered = replace(reordered, ", \"seq_q\": 113, \"value_dim\"",
                      ", \"value_dim\"");
  expect("static description", parseKernelDescription(reordered, statics),
         true);
  if (statics.size() != 1) {
    std::printf("UNEXPECTED kernel count %zu\n", statics.size());
    return 1;
  }
  const KernelInfo &ks = statics[0];
  std::printf("static kernel: B=%lld Nq=%lld Nk=%lld\n",
              (long long)ks.staticBatch, (long long)ks.staticSeqQ,
              (long long)ks.staticSeqK);

  // The Hopper generation's kernels launch the same way.
  std::vector<KernelInfo> hopper;
  expect("wgmma description",
         parseKernelDescription(replace(kValid, "\"sync\"", "\"wgmma\""),
                                hopper),
         true);

  // A warp-specialized kernel: 8 computing warps and a producer warpgroup
  // (384 threads), a ring of 3 stages.
  std::vector<KernelInfo> specialized;
  std::string ws = replace(replace(kValid, "\"sync\"", "\"wgmma\""),
                           "\"cp.async\"", "\"tma\"");
  ws = replace(ws, "\"num_warps\": 4", "\"num_warps\": 8");
  ws = replace(ws, "\"block_threads\": 128", "\"block_threads\": 384");
  ws = replace(ws, "\"producer_warps\": 0", "\"producer_warps\": 4");
  ws = replace(ws, "\"kv_stages\": 2", "\"kv_stages\": 3");
  // (64 x 128 + 3 x 64 x 256) x 2 bytes of tiles, 7 mbarriers of 8.
  ws = replace(ws, "\"dynamic_shared_memory\": 81920",
               "\"dynamic_shared_memory\": 114744");
  expect("specialized description", parseKernelDescription(ws, specialized),
         true);
  // The same with TMA stores (a fourth tensor map); "stores" absent is
  // "direct".
  std::string wsStores = replace(ws, "\"loads\": \"tma\"",
                                 "\"loads\": \"tma\", \"stores\": \"tma\"");
  std::vector<KernelInfo> stores;
  expect("TMA stores description", parseKernelDescription(wsStores, stores),
         true);
  check("TMA stores: four tensor maps",
        !stores.empty() && stores[0].tmaStores &&
            abi::numTensorMaps(stores[0].tileShape()) == 4 &&
            !specialized.empty() && !specialized[0].tmaStores &&
            abi::numTensorMaps(specialized[0].tileShape()) == 3,
        "stores parsed wrong");
  // The backward kinds: their shared memory and grid follow their rows and
  // columns (dk, dv: block_k keys per block, tiles of block_q queries).
  // D = Dv = 128, 2 stages, block_q 64: (64 x 256 + 2 x 64 x 256) x 2 bytes
  // for dk, dv with block_k 64; (64 x 256 + 2 x 128 x 256) x 2 for dq with
  // block_k 128.
  std::vector<KernelInfo> gradKV, gradQ;
  expect(
      "attention_grad_kv description",
      parseKernelDescription(replace(replace(kValid, "\"kind\": \"attention\"",
                                             "\"kind\": \"attention_grad_kv\""),
                                     "\"dynamic_shared_memory\": 81920",
                                     "\"dynamic_shared_memory\": 98304"),
                             gradKV),
      true);
  expect("attention_grad_q description",
         parseKernelDescription(
             replace(replace(replace(kValid, "\"kind\": \"attention\"",
                                     "\"kind\": \"attention_grad_q\""),
                             "\"block_k\": 64", "\"block_k\": 128"),
                     "\"dynamic_shared_memory\": 81920",
                     "\"dynamic_shared_memory\": 163840"),
             gradQ),
         true);
  if (!gradKV.empty() && !gradQ.empty()) {
    // Grids for B = 2, Nq = 1000, Hq = 6, Nk = 300, Hkv = 2.
    abi::Grid kv = abi::grid(gradKV[0].tileShape(), 2, 1000, 6, 300, 2);
    abi::Grid q = abi::grid(gradQ[0].tileShape(), 2, 1000, 6, 300, 2);
    check("backward grids",
          kv.x == 5 && kv.y == 2 && kv.z == 2 && q.x == 16 && q.y == 6 &&
              q.z == 2,
          "dk/dv " + std::to_string(kv.x) + "x" + std::to_string(kv.y) +
              ", dq " + std::to_string(q.x) + "x" + std::to_string(q.y));
    check("backward kinds",
          gradKV[0].kind == abi::KernelKind::kGradKV &&
              gradQ[0].kind == abi::KernelKind::kGradQ,
          "kind parsed wrong");
    AttentionArgs args;
    args.query = 0x10000;
    args.key = 0x20000;
    args.value = 0x30000;
    args.output = 0x40000;
    args.slopes = 0x50000;
    args.batch = 2;
    args.seqQ = 1000;
    args.seqK = 300;
    std::printf("forward arguments to a backward kernel: %s\n",
                validateArguments(gradKV[0], args).message().c_str());
    // The same call as a backward one: accepted by both kernels; the dk/dv
    // kernel's grid limit is on key tiles, the dq kernel's on query tiles.
    KernelArgs k;
    static_cast<CallParams &>(k) = args;
    for (int i = 0; i < abi::kNumTensorRoles; ++i)
      k.tensors[i] = 0x100000 * static_cast<CUdeviceptr>(i + 1);
    expect("backward arguments to dk/dv", validateArguments(gradKV[0], k),
           true);
    expect("backward arguments to dq", validateArguments(gradQ[0], k), true);
    KernelArgs far = k;
    far.seqK = (int64_t{1} << 31) * 64;
    expect("dk/dv with too many key tiles", validateArguments(gradKV[0], far),
           false);
    expect("dq with as many keys", validateArguments(gradQ[0], far), true);
    KernelArgs odd = k;
    odd.tensors[static_cast<int>(abi::Tensor::kGradValue)] += 8;
    expect("dk/dv with an 8-byte aligned dv", validateArguments(gradKV[0], odd),
           false);
    expect("dq ignores dv", validateArguments(gradQ[0], odd), true);
    // Sizes of the backward tensors (B = 2, Nq = 1000, Nk = 300, D = Dv =
    // 128): dO and dq like q, dk and dv like k.
    check("backward tensor bytes",
          tensorBytes(gradKV[0], abi::Tensor::kGradOutput, 2, 1000, 300) ==
                  2ull * 1000 * 6 * 128 * 2 &&
              tensorBytes(gradKV[0], abi::Tensor::kGradKey, 2, 1000, 300) ==
                  2ull * 300 * 2 * 128 * 2 &&
              slopesBytes(gradKV[0], 2) == 2 * 6 * 4,
          "wrong sizes");
  }
  if (!specialized.empty()) {
    abi::TileShape shape = specialized[0].tileShape();
    std::printf("specialized: threads=%lld producer=%lld stages=%lld "
                "barriers=%lld\n",
                (long long)abi::blockThreads(shape),
                (long long)shape.producerWarps, (long long)shape.kvStages,
                (long long)abi::tmaBarriers(shape));
  }

  // Step 2. Broken descriptions.
  std::vector<KernelInfo> scratch;
  struct Bad {
    const char *name;
    std::string text;
  } bad[] = {
      {"missing field", replace(kValid, "\"head_dim\": 128, ", "")},
      {"string for a number",
       replace(kValid, "\"block_k\": 64", "\"block_k\": \"64\"")},
      {"fractional integer",
       replace(kValid, "\"block_q\": 64", "\"block_q\": 64.5")},
      {"unknown element type", replace(kValid, "\"bf16\"", "\"f32\"")},
      {"unknown alibi", replace(kValid, "\"batch_head\"", "\"row\"")},
      {"unknown mma", replace(kValid, "\"sync\"", "\"hmma\"")},
      {"missing loads", replace(kValid, "\"loads\": \"cp.async\", ", "")},
      {"unknown loads", replace(kValid, "\"cp.async\"", "\"ldg\"")},
      {"tma loads with mma.sync", replace(kValid, "\"cp.async\"", "\"tma\"")},
      {"scale neither a number nor param",
       replace(kValid, "\"scale\": 0.0883883461", "\"scale\": \"runtime\"")},
      {"bias null", replace(kValid, "\"bias\": -2.5", "\"bias\": null")},
      {"unknown stores",
       replace(wsStores, "\"stores\": \"tma\"", "\"stores\": \"stmatrix\"")},
      {"number for stores",
       replace(wsStores, "\"stores\": \"tma\"", "\"stores\": 1")},
      {"tma stores with cp.async loads",
       replace(kValid, "\"loads\": \"cp.async\"",
               "\"loads\": \"cp.async\", \"stores\": \"tma\"")},
      {"tma stores with Dv > D",
       replace(replace(wsStores, "\"head_dim\": 128", "\"head_dim\": 64"),
               "\"dynamic_shared_memory\": 114744",
               "\"dynamic_shared_memory\": 81976")},
      {"heads not a multiple",
       replace(kValid, "\"num_kv_heads\": 2", "\"num_kv_heads\": 4")},
      {"block threads mismatch",
       replace(kValid, "\"block_threads\": 128", "\"block_threads\": 256")},
      {"missing producer_warps",
       replace(kValid, "\"producer_warps\": 0, ", "")},
      {"missing kv_stages", replace(kValid, "\"kv_stages\": 2, ", "")},
      {"producer without tma",
       replace(
           replace(kValid, "\"producer_warps\": 0", "\"producer_warps\": 4"),
           "\"block_threads\": 128", "\"block_threads\": 256")},
      {"producer of 2 warps",
       replace(replace(ws, "\"producer_warps\": 4", "\"producer_warps\": 2"),
               "\"block_threads\": 384", "\"block_threads\": 320")},
      {"producer threads not counted",
       replace(ws, "\"block_threads\": 384", "\"block_threads\": 256")},
      {"3 stages without a producer",
       replace(kValid, "\"kv_stages\": 2", "\"kv_stages\": 3")},
      {"5 stages", replace(ws, "\"kv_stages\": 3", "\"kv_stages\": 5")},
      {"head dim beyond 2^20",
       replace(kValid, "\"head_dim\": 128", "\"head_dim\": 4503599627370496")},
      {"shared memory not the tiles'",
       replace(kValid, "\"dynamic_shared_memory\": 81920",
               "\"dynamic_shared_memory\": 49152")},
      {"shared memory without the mbarriers",
       replace(ws, "\"dynamic_shared_memory\": 114744",
               "\"dynamic_shared_memory\": 114688")},
      {"duplicate field", replace(kValid, "\"mma\": \"sync\"",
                                  "\"mma\": \"sync\", \"mma\": \"sync\"")},
      {"trailing text", std::string(kValid) + "x"},
      {"not a description", "[1, 2]"},
      // The static sizes: required, -1 or >= 1.
      {"missing batch", replace(kValid, "\"batch\": -1, ", "")},
      {"missing seq_q", replace(kValid, "\"seq_q\": -1, ", "")},
      {"missing seq_k", replace(kValid, "\"seq_k\": -1, ", "")},
      {"seq_q 0", replace(kValid, "\"seq_q\": -1", "\"seq_q\": 0")},
      {"batch -2", replace(kValid, "\"batch\": -1", "\"batch\": -2")},
      {"fractional seq_k", replace(kValid, "\"seq_k\": -1", "\"seq_k\": 33.5")},
      {"string seq_k", replace(kValid, "\"seq_k\": -1", "\"seq_k\": \"-1\"")},
      {"huge batch", replace(kValid, "\"batch\": -1", "\"batch\": 1e30")},
      // Numbers: JSON only, finite, integers within range.
      {"nan for an integer",
       replace(kValid, "\"block_q\": 64", "\"block_q\": nan")},
      {"inf for a float", replace(kValid, "\"bias\": -2.5", "\"bias\": -inf")},
      {"number out of double range",
       replace(kValid, "\"scale\": 0.0883883461", "\"scale\": 1e999")},
      {"scale out of f32 range",
       replace(kValid, "\"scale\": 0.0883883461", "\"scale\": 1e300")},
      {"integer beyond int64",
       replace(kValid, "\"head_dim\": 128", "\"head_dim\": 1e300")},
      {"too many warps",
       replace(replace(kValid, "\"num_warps\": 4", "\"num_warps\": 64"),
               "\"block_threads\": 128", "\"block_threads\": 2048")},
      {"shared memory beyond int",
       replace(kValid, "\"dynamic_shared_memory\": 81920",
               "\"dynamic_shared_memory\": 4294967296")},
      {"two kernels of one name", twoKernelsOfOneName()},
      // The ABI version: required, this runtime's.
      {"missing abi_version", replace(kValid, ", \"abi_version\": 3", "")},
      {"abi_version 1",
       replace(kValid, "\"abi_version\": 3", "\"abi_version\": 1")},
      {"abi_version 2",
       replace(kValid, "\"abi_version\": 3", "\"abi_version\": 2")},
      // The kind: required, one of three.
      {"missing kind", replace(kValid, "\"kind\": \"attention\", ", "")},
      {"unknown kind",
       replace(kValid, "\"kind\": \"attention\"", "\"kind\": \"softmax\"")},
      {"grad_kv with the forward shared memory",
       replace(kValid, "\"kind\": \"attention\"",
               "\"kind\": \"attention_grad_kv\"")},
  };
  for (const Bad &b : bad)
    expect(b.name, parseKernelDescription(b.text, scratch), false);
  check("failed parse leaves the output alone", scratch.empty(),
        std::to_string(scratch.size()) + " kernels");

  // Step 3. Argument checks.
  AttentionArgs good;
  good.query = 0x10000;
  good.key = 0x20000;
  good.value = 0x30000;
  good.output = 0x40000;
  good.slopes = 0x50000;
  good.batch = 2;
  good.seqQ = 113;
  good.seqK = 203;
  expect("valid arguments", validateArguments(k, good), true);
  good.elementType = ElementType::BF16;
  good.numQueryHeads = 6;
  good.numKVHeads = 2;
  good.headDim = 128;
  good.valueDim = 128;
  expect("valid arguments with types and heads", validateArguments(k, good),
         true);
  constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
  struct BadArgs {
    const char *name;
    void (*change)(AttentionArgs &);
  } badArgs[] = {
      {"f16 tensors", [](AttentionArgs &a) { a.elementType = ElementType::F16; }},
      {"other head count", [](AttentionArgs &a) { a.numQueryHeads = 8; }},
      {"other kv head count", [](AttentionArgs &a) { a.numKVHeads = 1; }},
      {"other head dim", [](AttentionArgs &a) { a.headDim = 64; }},
      {"batch 0", [](AttentionArgs &a) { a.batch = 0; }},
      {"negative seq_q", [](AttentionArgs &a) { a.seqQ = -1; }},
      {"seq_k 0", [](AttentionArgs &a) { a.seqK = 0; }},
      {"seq_q INT64_MIN", [](AttentionArgs &a) { a.seqQ = std::numeric_limits<int64_t>::min(); }},
      {"batch above the grid limit", [](AttentionArgs &a) { a.batch = 70000; }},
      {"seq_q above the grid limit", [](AttentionArgs &a) { a.seqQ = (int64_t(1) << 31) * 64; }},
      {"seq_q INT64_MAX", [](AttentionArgs &a) { a.seqQ = kInt64Max; }},
      {"null query", [](AttentionArgs &a) { a.query = 0; }},
      {"null key", [](AttentionArgs &a) { a.key = 0; }},
      {"null value", [](AttentionArgs &a) { a.value = 0; }},
      {"null output", [](AttentionArgs &a) { a.output = 0; }},
      {"misaligned output", [](AttentionArgs &a) { a.output += 8; }},
      {"missing slopes", [](AttentionArgs &a) { a.slopes = 0; }},
      {"misaligned slopes", [](AttentionArgs &a) { a.slopes += 2; }},
      {"4-byte aligned slopes", [](AttentionArgs &a) { a.slopes += 4; }},
      {"8-byte aligned slopes", [](AttentionArgs &a) { a.slopes += 8; }},
      {"overflowing sizes", [](AttentionArgs &a) { a.seqK = int64_t(1) << 61; }},
      {"seq_k INT64_MAX", [](AttentionArgs &a) { a.seqK = kInt64Max; }},
      // Within every grid limit, but B * Nq * Hq * D * 2 > 2^62.
      {"query over 2^62 bytes", [](AttentionArgs &a) { a.batch = 65535; a.seqQ = int64_t(1) << 36; }},
  };
  for (const BadArgs &b : badArgs) {
    AttentionArgs a = good;
    b.change(a);
    expect(b.name, validateArguments(k, a), false);
  }
  // Strides (elements; batch, row, head). Valid: PyTorch's [B, H, N, D]
  // transposed to [B, N, H, D]; q, k, v sliced from one packed [B, N, 3,
  // H, D] tensor (here with Hkv = Hq / 3 ... any strides of 16 bytes);
  // broadcast (stride 0) key heads; an output with padded rows.
  struct GoodStrides {
    const char *name;
    void (*change)(AttentionArgs &);
  } goodStrides[] = {
      {"transposed [B, H, N, D] layouts",
       [](AttentionArgs &a) {
         a.queryStrides = abi::Strides{6 * 113 * 128, 128, 113 * 128};
         a.keyStrides = abi::Strides{2 * 203 * 128, 128, 203 * 128};
         a.valueStrides = a.keyStrides;
         a.outputStrides = abi::Strides{6 * 113 * 128, 128, 113 * 128};
       }},
      {"packed q, k, v rows",
       [](AttentionArgs &a) {
         a.queryStrides = abi::Strides{113 * 10 * 128, 10 * 128, 128};
         a.keyStrides = abi::Strides{203 * 10 * 128, 10 * 128, 128};
         a.valueStrides = a.keyStrides;
       }},
      {"broadcast key heads",
       [](AttentionArgs &a) {
         a.keyStrides = abi::Strides{203 * 128, 128, 0};
       }},
      {"output rows padded",
       [](AttentionArgs &a) {
         a.outputStrides = abi::Strides{113 * 6 * 136, 6 * 136, 136};
       }},
  };
  for (const GoodStrides &gs : goodStrides) {
    AttentionArgs a = good;
    gs.change(a);
    expect(gs.name, validateArguments(k, a), true);
  }
  struct BadStrides {
    const char *name;
    void (*change)(AttentionArgs &);
    bool tma;
  } badStrides[] = {
      {"negative key row stride",
       [](AttentionArgs &a) {
         a.keyStrides = abi::Strides{0, -256, 128};
       }},
      {"query head stride of 12 elements",
       [](AttentionArgs &a) {
         a.queryStrides = abi::Strides{113 * 6 * 128, 6 * 128, 12};
       }},
      {"value row stride of 2^21",
       [](AttentionArgs &a) {
         a.valueStrides = abi::Strides{0, int64_t(1) << 21, 128};
       }},
      {"output heads overlapping",
       [](AttentionArgs &a) {
         a.outputStrides = abi::Strides{113 * 6 * 128, 6 * 128, 64};
       }},
      {"output rows on one address",
       [](AttentionArgs &a) {
         a.outputStrides = abi::Strides{6 * 128, 0, 128};
       }},
      {"output batches overlapping rows",
       [](AttentionArgs &a) {
         a.outputStrides = abi::Strides{6 * 128, 6 * 128, 128};
       }},
      {"query spanning over 2^62 bytes",
       [](AttentionArgs &a) {
         a.queryStrides = abi::Strides{int64_t(1) << 61, 6 * 128, 128};
       }},
      {"TMA: batch stride of 2^40 bytes",
       [](AttentionArgs &a) {
         a.keyStrides = abi::Strides{int64_t(1) << 39, 2 * 128, 128};
       },
       true},
  };
  for (const BadStrides &bs : badStrides) {
    AttentionArgs a = good;
    bs.change(a);
    KernelInfo info = k;
    if (bs.tma) {
      info.mma = "wgmma";
      info.tmaLoads = true;
    }
    expect(bs.name, validateArguments(info, a), false);
  }
  {
    // The batch stride of B = 1 is never stepped: any value will do, and
    // the launch passes the contiguous one.
    AttentionArgs one = good;
    one.batch = 1;
    one.queryStrides = abi::Strides{3, 6 * 128, 128};
    expect("B = 1 with an odd batch stride", validateArguments(k, one), true);
    abi::Strides st = effectiveStrides(k, one, abi::Tensor::kQuery);
    check("B = 1: the contiguous batch stride",
          st.batch == 113 * 6 * 128 && st.row == 6 * 128 && st.head == 128,
          std::to_string(st.batch));
    // Spans: contiguous ones are the tensors' bytes; a transposed one the
    // same; packed rows three times the rows'.
    TensorBytes contiguous = tensorBytes(k, 2, 113, 203);
    TensorBytes spans = tensorSpans(k, good);
    check("contiguous spans",
          spans.query == contiguous.query && spans.key == contiguous.key &&
              spans.output == contiguous.output,
          std::to_string(spans.query));
    AttentionArgs packed = good;
    packed.keyStrides = abi::Strides{203 * 3 * 2 * 128, 3 * 2 * 128, 128};
    check("packed key span",
          tensorSpans(k, packed).key ==
              uint64_t((203 * 3 * 2 * 128 + 202 * 3 * 2 * 128 + 128 + 128) * 2),
          std::to_string(tensorSpans(k, packed).key));
  }

  // The compiled-in scale and bias: a call may restate them, not change
  // them.
  AttentionArgs restated = good;
  restated.scale = k.scale;
  restated.bias = k.bias;
  expect("compiled-in scale and bias restated", validateArguments(k, restated),
         true);
  AttentionArgs otherBias = good;
  otherBias.bias = k.bias + 1.0f;
  expect("a bias other than the compiled-in one",
         validateArguments(k, otherBias), false);
  // Run-time scale and bias ("param"): required and finite.
  std::vector<KernelInfo> runtimeKernels;
  expect(
      "description with run-time scale and bias",
      parseKernelDescription(replace(replace(kValid, "\"scale\": 0.0883883461",
                                             "\"scale\": \"param\""),
                                     "\"bias\": -2.5", "\"bias\": \"param\""),
                             runtimeKernels),
      true);
  if (!runtimeKernels.empty()) {
    const KernelInfo &rk = runtimeKernels[0];
    check("run-time scale and bias parsed", rk.scaleParam && rk.biasParam,
          "param flags not set");
    AttentionArgs withScalars = good;
    withScalars.scale = 0.3f;
    withScalars.bias = -7.0f;
    expect("run-time scale and bias given", validateArguments(rk, withScalars),
           true);
    expect("run-time scale and bias missing", validateArguments(rk, good),
           false);
    AttentionArgs nanBias = withScalars;
    nanBias.bias = std::numeric_limits<float>::quiet_NaN();
    expect("a NaN run-time bias", validateArguments(rk, nanBias), false);
    AttentionArgs infScale = withScalars;
    infScale.scale = std::numeric_limits<float>::infinity();
    expect("an infinite run-time scale", validateArguments(rk, infScale),
           false);
  }
  KernelInfo noAlibi = k;
  noAlibi.alibi = Alibi::None;
  expect("slopes without alibi", validateArguments(noAlibi, good), false);
  AttentionArgs noSlopes = good;
  noSlopes.slopes = 0;
  expect("no slopes without alibi", validateArguments(noAlibi, noSlopes),
         true);
  KernelInfo manyHeads = k;
  manyHeads.numQueryHeads = manyHeads.numKVHeads = 70000;
  AttentionArgs anyHeads = good;
  anyHeads.numQueryHeads = anyHeads.numKVHeads = 0;
  expect("heads above the grid limit", validateArguments(manyHeads, anyHeads),
         false);
  KernelInfo noTiles = k;
  noTiles.blockQ = 0;
  expect("kernel info without block_q", validateSizes(noTiles, 2, 113, 203),
         false);

  // Static sizes: exactly those, and the other checks still apply.
  AttentionArgs exact = good;
  expect("static sizes given", validateArguments(ks, exact), true);
  expect("static sizes through validateSizes", validateSizes(ks, 2, 113, 203),
         true);
  struct Wrong {
    const char *name;
    int64_t batch, seqQ, seqK;
  } wrong[] = {{"wrong static B", 3, 113, 203},
               {"wrong static Nq", 2, 100, 203},
               {"wrong static Nk", 2, 113, 204},
               {"static Nq with seq_q 0", 2, 0, 203}};
  for (const Wrong &w : wrong) {
    AttentionArgs a = good;
    a.batch = w.batch;
    a.seqQ = w.seqQ;
    a.seqK = w.seqK;
    expect(w.name, validateArguments(ks, a), false);
  }
  // Only the static one of the three is fixed.
  KernelInfo onlyNk = k;
  onlyNk.staticSeqK = 1;
  expect("static Nk only, any B and Nq", validateSizes(onlyNk, 7, 1000, 1),
         true);
  expect("static Nk only, other Nk", validateSizes(onlyNk, 7, 1000, 2), false);

  // TMA kernels: Nq, Nk below 2^31 (signed coordinates) and one batch of a
  // tensor below 2^40 bytes (a map's stride): q's batch is Nq x 6 x 128 x 2
  // = 1536 Nq bytes, so 715827882 rows fit and 715827883 do not.
  KernelInfo tma = k;
  tma.mma = "wgmma";
  tma.tmaLoads = true;
  expect("TMA: one batch of q just below 2^40 bytes",
         validateSizes(tma, 1, 715827882, 1), true);
  expect("TMA: one batch of q above 2^40 bytes",
         validateSizes(tma, 1, 715827883, 1), false);
  expect("cp.async: the same Nq", validateSizes(k, 1, 715827883, 1), true);
  expect("TMA: Nk = 2^31", validateSizes(tma, 1, 1, int64_t(1) << 31), false);
  expect("TMA: Nk = 2^31 - 1", validateSizes(tma, 1, 1, (int64_t(1) << 31) - 1),
         true);

  // Step 4. Tensor sizes, and their arithmetic at the limits.
  TensorBytes t = tensorBytes(k, 2, 113, 203);
  std::printf("bytes: q=%llu k=%llu v=%llu out=%llu slopes=%llu\n",
              (unsigned long long)t.query, (unsigned long long)t.key,
              (unsigned long long)t.value, (unsigned long long)t.output,
              (unsigned long long)t.slopes);
  TensorBytes huge = tensorBytes(k, 2, kInt64Max, kInt64Max);
  check("tensor bytes saturate",
        huge.query == UINT64_MAX && huge.key == UINT64_MAX &&
            huge.slopes == 48,
        "q=" + std::to_string(huge.query) + " slopes=" +
            std::to_string(huge.slopes));
  TensorBytes negative = tensorBytes(k, 2, -113, 203);
  check("tensor bytes of a negative size", negative.query == 0,
        "q=" + std::to_string(negative.query));
  abi::Grid g = abi::grid(k.tileShape(), 2, kInt64Max, 6);
  check("grid x at INT64_MAX", g.x == kInt64Max / 64 + 1,
        "x=" + std::to_string(g.x));
  abi::Grid g113 = abi::grid(k.tileShape(), 2, 113, 6);
  check("grid of 113 query rows", g113.x == 2 && g113.y == 6 && g113.z == 2,
        std::to_string(g113.x) + " x " + std::to_string(g113.y) + " x " +
            std::to_string(g113.z));

  // Step 5. Load, launch and unload, against a mock driver.
  sigattn_test::runModuleTests();

  std::printf("%d unexpected\n", sigattn_test::failures);
  return sigattn_test::failures == 0 ? 0 : 1;
}
