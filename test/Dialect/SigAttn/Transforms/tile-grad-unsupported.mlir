// The backward tile steps have the portable lowering only, so far: outlining
// them into GPU kernels, and the GPU pipeline that does, stop with an error
// at the step (the location of its sigattn.attention_grad).
// RUN: sigattn-opt %s -sigattn-tile -sigattn-peel-boundary-tiles -sigattn-outline-gpu-kernels -verify-diagnostics
// RUN: sigattn-opt %s -sigattn-gpu-pipeline -verify-diagnostics

func.func @grad(%q: tensor<1x64x2x64xbf16>, %k: tensor<1x64x2x64xbf16>,
                %v: tensor<1x64x2x64xbf16>, %do: tensor<1x64x2x64xbf16>)
    -> (tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16>) {
  // expected-error-re @+1 {{'sigattn.grad_{{kv|q}}_step' op has no GPU kernel lowering yet; lower sigattn.attention_grad with -convert-sigattn-to-linalg, or run the tiled loops on the CPU with -convert-sigattn-tiles-to-vector}}
  %dq, %dk, %dv = sigattn.attention_grad %q, %k, %v, %do causal
      : tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16>,
        tensor<1x64x2x64xbf16>
      -> tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16>
  return %dq, %dk, %dv : tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16>
}
