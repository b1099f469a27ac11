//===- sigattn-downstream-plan.cpp - the runtime package without MLIR ----===//
//
// A host program on SigAttn::SigAttnRuntimeDescription (plain C++, cuda.h
// only, nothing called): reads the JSON description the compiler wrote next
// to its PTX and prints, for given B, Nq, Nk, each kernel's launch (grid,
// block, shared memory) or why the runtime would refuse it.
//   sigattn-downstream-plan kernels.ptx.json B Nq Nk
//
//===----------------------------------------------------------------------===//

#include "sigattn/Runtime/KernelABI.h"
#include "sigattn/Runtime/Runtime.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

using namespace sigattn;

int main(int argc, char **argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s kernels.ptx.json B Nq Nk\n", argv[0]);
    return 2;
  }
  std::ifstream file(argv[1]);
  if (!file) {
    std::fprintf(stderr, "cannot read %s\n", argv[1]);
    return 1;
  }
  std::stringstream text;
  text << file.rdbuf();
  std::vector<runtime::KernelInfo> kernels;
  runtime::Status st = runtime::parseKernelDescription(text.str(), kernels);
  if (!st.ok()) {
    std::fprintf(stderr, "%s\n", st.message().c_str());
    return 1;
  }
  int64_t batch = std::atoll(argv[2]), seqQ = std::atoll(argv[3]),
          seqK = std::atoll(argv[4]);
  for (const runtime::KernelInfo &k : kernels) {
    st = runtime::validateSizes(k, batch, seqQ, seqK);
    if (!st.ok()) {
      std::printf("%s: refused: %s\n", k.name.c_str(), st.message().c_str());
      continue;
    }
    abi::Grid g = abi::grid(k.tileShape(), batch, seqQ, k.numQueryHeads);
    std::printf("%s: grid %lldx%lldx%lld block %lld smem %lld loads %s\n",
                k.name.c_str(), (long long)g.x, (long long)g.y, (long long)g.z,
                (long long)k.blockThreads, (long long)k.dynamicSharedMemory,
                k.tmaLoads ? "tma" : "cp.async");
  }
  return 0;
}
