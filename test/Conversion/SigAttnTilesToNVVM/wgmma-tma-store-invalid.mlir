// TMA stores stage O where Q was: Dv > D is refused at the op, naming the
// option, by the outline pass and by the lowering of a kernel given four
// maps; stores=auto falls back to direct stores there.
// RUN: sigattn-opt %s -split-input-file -verify-diagnostics -sigattn-tile="block-q=128 block-k=64" -sigattn-outline-gpu-kernels="num-warps=8 mma=wgmma loads=tma stores=tma" -o /dev/null
// RUN: sigattn-opt %s -split-input-file -sigattn-tile="block-q=128 block-k=64" -sigattn-outline-gpu-kernels="num-warps=8 mma=wgmma loads=tma stores=auto" | FileCheck %s --check-prefix=AUTO

// AUTO: gpu.func @wide_values_sigattn
// AUTO-SAME: sigattn.tensor_maps = array<i64: 19, 20, 21>


// Dv = 128 > D = 64: O does not fit where Q was.
func.func @wide_values(%q: tensor<?x?x4x64xbf16>, %k: tensor<?x?x2x64xbf16>,
                       %v: tensor<?x?x2x128xbf16>) -> tensor<?x?x4x128xbf16> {
  // expected-error @+1 {{stores=tma stages O where Q was and needs Dv <= D (Dv = 128, D = 64): use stores=direct}}
  %o = sigattn.attention %q, %k, %v
      : tensor<?x?x4x64xbf16>, tensor<?x?x2x64xbf16>, tensor<?x?x2x128xbf16>
      -> tensor<?x?x4x128xbf16>
  return %o : tensor<?x?x4x128xbf16>
}
