// sigattn.attention_grad has a reference lowering only, so far: the tiling
// pass, and the GPU pipeline that runs it, say so at the op instead of
// leaving it in the host code.
// RUN: sigattn-opt %s -sigattn-tile -verify-diagnostics
// RUN: sigattn-opt %s -sigattn-gpu-pipeline -verify-diagnostics

func.func @grad(%q: tensor<1x64x2x64xbf16>, %k: tensor<1x64x2x64xbf16>,
                %v: tensor<1x64x2x64xbf16>, %do: tensor<1x64x2x64xbf16>)
    -> (tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16>) {
  // expected-error @+1 {{'sigattn.attention_grad' op has no tiled GPU lowering yet; lower it with -convert-sigattn-to-linalg}}
  %dq, %dk, %dv = sigattn.attention_grad %q, %k, %v, %do causal
      : tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16>,
        tensor<1x64x2x64xbf16>
      -> tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16>
  return %dq, %dk, %dv : tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16>
}
