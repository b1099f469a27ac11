//===- DescriptionTest.cpp - runtime checks that need no GPU --------------===//
//
// Prints the outcome of each case (FileCheck matches the messages in
// test/Runtime/description.test) and exits non-zero if a case that must
// succeed fails or one that must fail succeeds.
//
//===----------------------------------------------------------------------===//

#include "sigattn/Runtime/Runtime.h"

#include <cstdio>
#include <string>
#include <vector>

using namespace sigattn::runtime;

namespace {

int failures = 0;

void expect(const char *name, const Status &st, bool shouldSucceed) {
  bool good = st.ok() == shouldSucceed;
  failures += !good;
  std::printf("%s %s: %s\n", good ? "ok" : "UNEXPECTED", name,
              st.ok() ? "success" : st.message().c_str());
}

const char *kValid = R"({
  "kernels": [
    {"alibi": "batch_head", "bias": -2.5, "block_k": 64, "block_q": 64, "block_threads": 128, "dynamic_shared_memory": 49152, "element_type": "bf16", "head_dim": 128, "mma": "sync", "name": "attn_sigattn", "num_kv_heads": 2, "num_query_heads": 6, "num_warps": 4, "scale": 0.0883883461, "value_dim": 128, "window_left": -1, "window_right": 0}
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
              "alibi=%d smem=%lld scale=%g bias=%g\n",
              k.name.c_str(), (long long)k.headDim,
              (long long)k.numQueryHeads, (long long)k.numKVHeads,
              (long long)k.windowLeft, (long long)k.windowRight,
              static_cast<int>(k.alibi), (long long)k.dynamicSharedMemory,
              k.scale, k.bias);

  // Step 2. Broken descriptions.
  std::vector<KernelInfo> scratch;
  struct Bad {
    const char *name;
    std::string text;
  } bad[] = {
      {"missing field", replace(kValid, "\"head_dim\": 128, ", "")},
      {"string for a number", replace(kValid, "\"block_k\": 64", "\"block_k\": \"64\"")},
      {"fractional integer", replace(kValid, "\"block_q\": 64", "\"block_q\": 64.5")},
      {"unknown element type", replace(kValid, "\"bf16\"", "\"f32\"")},
      {"unknown alibi", replace(kValid, "\"batch_head\"", "\"row\"")},
      {"heads not a multiple", replace(kValid, "\"num_kv_heads\": 2", "\"num_kv_heads\": 4")},
      {"block threads mismatch", replace(kValid, "\"block_threads\": 128", "\"block_threads\": 256")},
      {"duplicate field", replace(kValid, "\"mma\": \"sync\"", "\"mma\": \"sync\", \"mma\": \"sync\"")},
      {"trailing text", std::string(kValid) + "x"},
      {"not a description", "[1, 2]"},
  };
  for (const Bad &b : bad)
    expect(b.name, parseKernelDescription(b.text, scratch), false);

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
      {"batch above the grid limit", [](AttentionArgs &a) { a.batch = 70000; }},
      {"null value", [](AttentionArgs &a) { a.value = 0; }},
      {"misaligned output", [](AttentionArgs &a) { a.output += 8; }},
      {"missing slopes", [](AttentionArgs &a) { a.slopes = 0; }},
      {"misaligned slopes", [](AttentionArgs &a) { a.slopes += 2; }},
      {"overflowing sizes", [](AttentionArgs &a) { a.seqK = int64_t(1) << 61; }},
  };
  for (const BadArgs &b : badArgs) {
    AttentionArgs a = good;
    b.change(a);
    expect(b.name, validateArguments(k, a), false);
  }
  KernelInfo noAlibi = k;
  noAlibi.alibi = Alibi::None;
  expect("slopes without alibi", validateArguments(noAlibi, good), false);

  TensorBytes t = tensorBytes(k, 2, 113, 203);
  std::printf("bytes: q=%llu k=%llu v=%llu out=%llu slopes=%llu\n",
              (unsigned long long)t.query, (unsigned long long)t.key,
              (unsigned long long)t.value, (unsigned long long)t.output,
              (unsigned long long)t.slopes);
  std::printf("%d unexpected\n", failures);
  return failures == 0 ? 0 : 1;
}
