// Scale and bias given at run time (`scale(%s : f32)`, `bias(%b : f32)`):
// the tile steps carry the f32 values, the kernel takes them as f32
// parameters after B, Nq, Nk and the strides (scale first; tensor maps
// after them), the
// launch passes the host's values, and the description says "param". One
// compiled kernel serves every N. A kernel with only a run-time bias takes
// one parameter; one value used for both still makes two parameters.
// RUN: sigattn-opt %s -sigattn-tile="block-q=64 block-k=32" | FileCheck %s --check-prefix=TILE
// RUN: sigattn-opt %s -sigattn-tile="block-q=64 block-k=32" -sigattn-peel-boundary-tiles -sigattn-outline-gpu-kernels="num-warps=4 mma=wgmma loads=tma" -canonicalize | FileCheck %s --check-prefix=OUTLINE
// RUN: sigattn-opt %s --sigattn-gpu-pipeline="ptx-output=%t.ptx" -o /dev/null
// RUN: FileCheck %s --input-file=%t.ptx --check-prefix=PTX
// RUN: FileCheck %s --input-file=%t.ptx.json --check-prefix=JSON
// RUN: %if ptxas %{ %ptxas -arch=sm_90a -v %t.ptx -o /dev/null 2>&1 | FileCheck %s --check-prefix=PTXAS --implicit-check-not="spill stores" --implicit-check-not=C75 %}
// RUN: sigattn-opt %s --sigattn-gpu-pipeline="mma=sync ptx-output=%t.sync.ptx" -o /dev/null
// RUN: %if ptxas %{ %ptxas -arch=sm_90a -v %t.sync.ptx -o /dev/null 2>&1 | FileCheck %s --check-prefix=PTXAS --implicit-check-not="spill stores" %}
// RUN: sigattn-opt %s --sigattn-gpu-pipeline="schedule=specialized block-q=128 block-k=128 num-warps=8 kv-stages=3 pingpong=true poly-sigmoid=2 ptx-output=%t.ws.ptx" -o /dev/null
// RUN: %if ptxas %{ %ptxas -arch=sm_90a -v %t.ws.ptx -o /dev/null 2>&1 | FileCheck %s --check-prefix=PTXAS --implicit-check-not="spill stores" --implicit-check-not=C75 %}

// TILE-LABEL: func.func @both
//  TILE-SAME:   %[[S:[^:]+]]: f32, %[[B:[^:]+]]: f32)
//       TILE:   sigattn.tile_step {{.*}} block_k = 32 window = [-1, 0] scale(%[[S]] : f32) bias(%[[B]] : f32)

// OUTLINE-LABEL: func.func @both
//  OUTLINE-SAME:   %[[S:[^:]+]]: f32, %[[B:[^:]+]]: f32)
//       OUTLINE:   gpu.launch_func @sigattn_kernels::@both_sigattn {{.*}} args({{.*}} : i64, %{{.+}} : i64, %{{.+}} : i64, %[[S]] : f32, %[[B]] : f32, %{{.+}} : !llvm.ptr
//       OUTLINE:   gpu.launch_func @sigattn_kernels::@bias_only_sigattn {{.*}} args({{.*}} : i64, %{{.+}} : i64, %{{.+}} : i64, %{{.+}} : f32, %{{.+}} : !llvm.ptr
//       OUTLINE:   gpu.launch_func @sigattn_kernels::@shared_sigattn {{.*}} args({{.*}} : i64, %[[X:.+]] : f32, %[[X]] : f32, %{{.+}} : !llvm.ptr
//       OUTLINE: gpu.func @both_sigattn({{.*}}, %{{.+}}: i64, %[[KS:.+]]: f32, %[[KB:.+]]: f32, %{{.+}}: !llvm.ptr
//       OUTLINE:   sigattn.tile_step {{.*}} scale(%[[KS]] : f32) bias(%[[KB]] : f32)
//       OUTLINE: gpu.func @bias_only_sigattn({{.*}}, %{{.+}}: i64, %[[OB:.+]]: f32, %{{.+}}: !llvm.ptr
//       OUTLINE:   sigattn.tile_step {{.*}} scale = 1.250000e-01 bias(%[[OB]] : f32)
//       OUTLINE: gpu.func @shared_sigattn({{.*}}, %{{.+}}: i64, %[[SX:.+]]: f32, %{{.+}}: f32, %{{.+}}: !llvm.ptr
//       OUTLINE:   sigattn.tile_step {{.*}} scale(%[[SX]] : f32) bias(%[[SX]] : f32)

// PTX-LABEL: .visible .entry both_sigattn(
//       PTX: .param .u64 both_sigattn_param_18,
//  PTX-NEXT: .param .f32 both_sigattn_param_19,
//  PTX-NEXT: .param .f32 both_sigattn_param_20,
//  PTX-NEXT: .param .align 64 .b8 both_sigattn_param_21[128],
//   PTX-DAG: ld.param.b32 {{.*}}[both_sigattn_param_19]
//   PTX-DAG: ld.param.b32 {{.*}}[both_sigattn_param_20]
//       PTX: tanh.approx.f32
// PTX-LABEL: .visible .entry bias_only_sigattn(
// (slopes, then B, Nq, Nk, the strides, then the bias)
//       PTX: .param .u64 bias_only_sigattn_param_19,
//  PTX-NEXT: .param .f32 bias_only_sigattn_param_20,
//  PTX-NEXT: .param .align 64 .b8 bias_only_sigattn_param_21[128],

// JSON: "bias": "param", {{.*}} "name": "both_sigattn", {{.*}} "scale": "param",
// JSON: "bias": "param", {{.*}} "name": "bias_only_sigattn", {{.*}} "scale": 0.125,
// JSON: "bias": "param", {{.*}} "name": "shared_sigattn", {{.*}} "scale": "param",

// PTXAS-COUNT-3: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads

func.func @both(%q: tensor<?x?x8x128xbf16>, %k: tensor<?x?x2x128xbf16>,
                %v: tensor<?x?x2x128xbf16>, %s: f32, %b: f32) -> tensor<?x?x8x128xbf16> {
  %o = sigattn.attention %q, %k, %v causal scale(%s : f32) bias(%b : f32)
      : tensor<?x?x8x128xbf16>, tensor<?x?x2x128xbf16>, tensor<?x?x2x128xbf16>
      -> tensor<?x?x8x128xbf16>
  return %o : tensor<?x?x8x128xbf16>
}

func.func @bias_only(%q: tensor<?x?x4x64xf16>, %k: tensor<?x?x4x64xf16>,
                     %v: tensor<?x?x4x64xf16>, %sl: tensor<4xf32>, %b: f32) -> tensor<?x?x4x64xf16> {
  %o = sigattn.attention %q, %k, %v alibi(%sl : tensor<4xf32>) window = [100, 3] scale = 0.125 bias(%b : f32)
      : tensor<?x?x4x64xf16>, tensor<?x?x4x64xf16>, tensor<?x?x4x64xf16>
      -> tensor<?x?x4x64xf16>
  return %o : tensor<?x?x4x64xf16>
}

func.func @shared(%q: tensor<?x?x2x64xbf16>, %k: tensor<?x?x2x64xbf16>,
                  %v: tensor<?x?x2x64xbf16>, %x: f32) -> tensor<?x?x2x64xbf16> {
  %o = sigattn.attention %q, %k, %v scale(%x : f32) bias(%x : f32)
      : tensor<?x?x2x64xbf16>, tensor<?x?x2x64xbf16>, tensor<?x?x2x64xbf16>
      -> tensor<?x?x2x64xbf16>
  return %o : tensor<?x?x2x64xbf16>
}
