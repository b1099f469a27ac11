// Configurations the mma.sync lowering does not support get an error that
// names the option, at the op they come from; nothing is miscompiled.
// RUN: sigattn-opt %s -split-input-file -verify-diagnostics -sigattn-tile -sigattn-peel-boundary-tiles -sigattn-outline-gpu-kernels -convert-sigattn-tiles-to-nvvm

func.func @head_dim_96(%q: tensor<1x?x2x96xbf16>, %k: tensor<1x?x2x96xbf16>,
                       %v: tensor<1x?x2x96xbf16>) -> tensor<1x?x2x96xbf16> {
  // expected-error @+1 {{'gpu.func' op convert-sigattn-tiles-to-nvvm (mma=sync): head dimension D = 96 is not supported (supported: 64, 128, 256)}}
  %o = sigattn.attention %q, %k, %v
      : tensor<1x?x2x96xbf16>, tensor<1x?x2x96xbf16>, tensor<1x?x2x96xbf16> -> tensor<1x?x2x96xbf16>
  return %o : tensor<1x?x2x96xbf16>
}

// -----

func.func @head_dim_32(%q: tensor<1x?x2x32xf16>, %k: tensor<1x?x2x32xf16>,
                       %v: tensor<1x?x2x32xf16>) -> tensor<1x?x2x32xf16> {
  // expected-error @+1 {{'gpu.func' op convert-sigattn-tiles-to-nvvm (mma=sync): head dimension D = 32 is not supported (supported: 64, 128, 256)}}
  %o = sigattn.attention %q, %k, %v causal
      : tensor<1x?x2x32xf16>, tensor<1x?x2x32xf16>, tensor<1x?x2x32xf16> -> tensor<1x?x2x32xf16>
  return %o : tensor<1x?x2x32xf16>
}

// -----

func.func @value_dim_48(%q: tensor<1x?x2x64xbf16>, %k: tensor<1x?x2x64xbf16>,
                        %v: tensor<1x?x2x48xbf16>) -> tensor<1x?x2x48xbf16> {
  // expected-error @+1 {{'gpu.func' op convert-sigattn-tiles-to-nvvm (mma=sync): head dimension Dv = 48 is not supported (supported: 64, 128, 256)}}
  %o = sigattn.attention %q, %k, %v
      : tensor<1x?x2x64xbf16>, tensor<1x?x2x64xbf16>, tensor<1x?x2x48xbf16> -> tensor<1x?x2x48xbf16>
  return %o : tensor<1x?x2x48xbf16>
}
