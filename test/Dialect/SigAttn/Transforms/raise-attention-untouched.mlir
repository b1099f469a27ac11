// sigattn-raise-attention leaves alone what is not exactly sigmoid attention
// with scalar scale and bias: each function keeps its two matmuls and gets
// no sigattn.attention, and nothing is reported.
// RUN: sigattn-opt %s -sigattn-raise-attention 2>&1 | FileCheck %s --implicit-check-not=sigattn.attention --implicit-check-not=error

// relu: another activation
// CHECK-LABEL: func.func @relu
// CHECK-COUNT-2: linalg.batch_matmul
func.func @relu(%q: tensor<1x2x5x8xbf16>, %k: tensor<1x2x5x8xbf16>, %v: tensor<1x2x5x8xbf16>) -> tensor<1x2x5x8xbf16> {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %scale = arith.constant 0.25 : f32
  %qf = arith.extf %q : tensor<1x2x5x8xbf16> to tensor<1x2x5x8xf32>
  %kf = arith.extf %k : tensor<1x2x5x8xbf16> to tensor<1x2x5x8xf32>
  %vf = arith.extf %v : tensor<1x2x5x8xbf16> to tensor<1x2x5x8xf32>
  %kt_e = tensor.empty() : tensor<1x2x8x5xf32>
  %kt = linalg.transpose ins(%kf : tensor<1x2x5x8xf32>) outs(%kt_e : tensor<1x2x8x5xf32>) permutation = [0, 1, 3, 2]
  %s_l = tensor.collapse_shape %qf [[0, 1], [2], [3]] : tensor<1x2x5x8xf32> into tensor<2x5x8xf32>
  %s_r = tensor.collapse_shape %kt [[0, 1], [2], [3]] : tensor<1x2x8x5xf32> into tensor<2x8x5xf32>
  %s_e = tensor.empty() : tensor<2x5x5xf32>
  %s_z = linalg.fill ins(%zero : f32) outs(%s_e : tensor<2x5x5xf32>) -> tensor<2x5x5xf32>
  %s_m = linalg.batch_matmul ins(%s_l, %s_r : tensor<2x5x8xf32>, tensor<2x8x5xf32>) outs(%s_z : tensor<2x5x5xf32>) -> tensor<2x5x5xf32>
  %s = tensor.expand_shape %s_m [[0, 1], [2], [3]] output_shape [1, 2, 5, 5] : tensor<2x5x5xf32> into tensor<1x2x5x5xf32>
  %p_init = tensor.empty() : tensor<1x2x5x5xf32>
  %p = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%s : tensor<1x2x5x5xf32>) outs(%p_init : tensor<1x2x5x5xf32>) {
  ^bb0(%x: f32, %unused: f32):
    %r = arith.maximumf %x, %zero : f32
    linalg.yield %r : f32
  } -> tensor<1x2x5x5xf32>
  %o_l = tensor.collapse_shape %p [[0, 1], [2], [3]] : tensor<1x2x5x5xf32> into tensor<2x5x5xf32>
  %o_r = tensor.collapse_shape %vf [[0, 1], [2], [3]] : tensor<1x2x5x8xf32> into tensor<2x5x8xf32>
  %o_e = tensor.empty() : tensor<2x5x8xf32>
  %o_z = linalg.fill ins(%zero : f32) outs(%o_e : tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  %o_m = linalg.batch_matmul ins(%o_l, %o_r : tensor<2x5x5xf32>, tensor<2x5x8xf32>) outs(%o_z : tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  %o = tensor.expand_shape %o_m [[0, 1], [2], [3]] output_shape [1, 2, 5, 8] : tensor<2x5x8xf32> into tensor<1x2x5x8xf32>
  %ob = arith.truncf %o : tensor<1x2x5x8xf32> to tensor<1x2x5x8xbf16>
  return %ob : tensor<1x2x5x8xbf16>
}

// exp without the reciprocal (an unnormalized softmax numerator)
// CHECK-LABEL: func.func @exp_only
// CHECK-COUNT-2: linalg.batch_matmul
func.func @exp_only(%q: tensor<1x2x5x8xbf16>, %k: tensor<1x2x5x8xbf16>, %v: tensor<1x2x5x8xbf16>) -> tensor<1x2x5x8xbf16> {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %scale = arith.constant 0.25 : f32
  %qf = arith.extf %q : tensor<1x2x5x8xbf16> to tensor<1x2x5x8xf32>
  %kf = arith.extf %k : tensor<1x2x5x8xbf16> to tensor<1x2x5x8xf32>
  %vf = arith.extf %v : tensor<1x2x5x8xbf16> to tensor<1x2x5x8xf32>
  %kt_e = tensor.empty() : tensor<1x2x8x5xf32>
  %kt = linalg.transpose ins(%kf : tensor<1x2x5x8xf32>) outs(%kt_e : tensor<1x2x8x5xf32>) permutation = [0, 1, 3, 2]
  %s_l = tensor.collapse_shape %qf [[0, 1], [2], [3]] : tensor<1x2x5x8xf32> into tensor<2x5x8xf32>
  %s_r = tensor.collapse_shape %kt [[0, 1], [2], [3]] : tensor<1x2x8x5xf32> into tensor<2x8x5xf32>
  %s_e = tensor.empty() : tensor<2x5x5xf32>
  %s_z = linalg.fill ins(%zero : f32) outs(%s_e : tensor<2x5x5xf32>) -> tensor<2x5x5xf32>
  %s_m = linalg.batch_matmul ins(%s_l, %s_r : tensor<2x5x8xf32>, tensor<2x8x5xf32>) outs(%s_z : tensor<2x5x5xf32>) -> tensor<2x5x5xf32>
  %s = tensor.expand_shape %s_m [[0, 1], [2], [3]] output_shape [1, 2, 5, 5] : tensor<2x5x5xf32> into tensor<1x2x5x5xf32>
  %p_init = tensor.empty() : tensor<1x2x5x5xf32>
  %p = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%s : tensor<1x2x5x5xf32>) outs(%p_init : tensor<1x2x5x5xf32>) {
  ^bb0(%x: f32, %unused: f32):
    %r = math.exp %x : f32
    linalg.yield %r : f32
  } -> tensor<1x2x5x5xf32>
  %o_l = tensor.collapse_shape %p [[0, 1], [2], [3]] : tensor<1x2x5x5xf32> into tensor<2x5x5xf32>
  %o_r = tensor.collapse_shape %vf [[0, 1], [2], [3]] : tensor<1x2x5x8xf32> into tensor<2x5x8xf32>
  %o_e = tensor.empty() : tensor<2x5x8xf32>
  %o_z = linalg.fill ins(%zero : f32) outs(%o_e : tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  %o_m = linalg.batch_matmul ins(%o_l, %o_r : tensor<2x5x5xf32>, tensor<2x5x8xf32>) outs(%o_z : tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  %o = tensor.expand_shape %o_m [[0, 1], [2], [3]] output_shape [1, 2, 5, 8] : tensor<2x5x8xf32> into tensor<1x2x5x8xf32>
  %ob = arith.truncf %o : tensor<1x2x5x8xf32> to tensor<1x2x5x8xbf16>
  return %ob : tensor<1x2x5x8xbf16>
}

// the score squared inside the sigmoid: not affine
// CHECK-LABEL: func.func @squared
// CHECK-COUNT-2: linalg.batch_matmul
func.func @squared(%q: tensor<1x2x5x8xbf16>, %k: tensor<1x2x5x8xbf16>, %v: tensor<1x2x5x8xbf16>) -> tensor<1x2x5x8xbf16> {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %scale = arith.constant 0.25 : f32
  %qf = arith.extf %q : tensor<1x2x5x8xbf16> to tensor<1x2x5x8xf32>
  %kf = arith.extf %k : tensor<1x2x5x8xbf16> to tensor<1x2x5x8xf32>
  %vf = arith.extf %v : tensor<1x2x5x8xbf16> to tensor<1x2x5x8xf32>
  %kt_e = tensor.empty() : tensor<1x2x8x5xf32>
  %kt = linalg.transpose ins(%kf : tensor<1x2x5x8xf32>) outs(%kt_e : tensor<1x2x8x5xf32>) permutation = [0, 1, 3, 2]
  %s_l = tensor.collapse_shape %qf [[0, 1], [2], [3]] : tensor<1x2x5x8xf32> into tensor<2x5x8xf32>
  %s_r = tensor.collapse_shape %kt [[0, 1], [2], [3]] : tensor<1x2x8x5xf32> into tensor<2x8x5xf32>
  %s_e = tensor.empty() : tensor<2x5x5xf32>
  %s_z = linalg.fill ins(%zero : f32) outs(%s_e : tensor<2x5x5xf32>) -> tensor<2x5x5xf32>
  %s_m = linalg.batch_matmul ins(%s_l, %s_r : tensor<2x5x8xf32>, tensor<2x8x5xf32>) outs(%s_z : tensor<2x5x5xf32>) -> tensor<2x5x5xf32>
  %s = tensor.expand_shape %s_m [[0, 1], [2], [3]] output_shape [1, 2, 5, 5] : tensor<2x5x5xf32> into tensor<1x2x5x5xf32>
  %sq_init = tensor.empty() : tensor<1x2x5x5xf32>
  %sq = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%s : tensor<1x2x5x5xf32>) outs(%sq_init : tensor<1x2x5x5xf32>) {
  ^bb0(%x: f32, %unused: f32):
    %r = arith.mulf %x, %x : f32
    linalg.yield %r : f32
  } -> tensor<1x2x5x5xf32>
  %p_init = tensor.empty() : tensor<1x2x5x5xf32>
  %p = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%sq : tensor<1x2x5x5xf32>) outs(%p_init : tensor<1x2x5x5xf32>) {
  ^bb0(%x: f32, %unused: f32):
    %n = arith.negf %x : f32
    %ex = math.exp %n : f32
    %den = arith.addf %one, %ex : f32
    %r = arith.divf %one, %den : f32
    linalg.yield %r : f32
  } -> tensor<1x2x5x5xf32>
  %o_l = tensor.collapse_shape %p [[0, 1], [2], [3]] : tensor<1x2x5x5xf32> into tensor<2x5x5xf32>
  %o_r = tensor.collapse_shape %vf [[0, 1], [2], [3]] : tensor<1x2x5x8xf32> into tensor<2x5x8xf32>
  %o_e = tensor.empty() : tensor<2x5x8xf32>
  %o_z = linalg.fill ins(%zero : f32) outs(%o_e : tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  %o_m = linalg.batch_matmul ins(%o_l, %o_r : tensor<2x5x5xf32>, tensor<2x5x8xf32>) outs(%o_z : tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  %o = tensor.expand_shape %o_m [[0, 1], [2], [3]] output_shape [1, 2, 5, 8] : tensor<2x5x8xf32> into tensor<1x2x5x8xf32>
  %ob = arith.truncf %o : tensor<1x2x5x8xf32> to tensor<1x2x5x8xbf16>
  return %ob : tensor<1x2x5x8xbf16>
}

// 1 / (2 + exp(-x)): not a sigmoid
// CHECK-LABEL: func.func @two_plus
// CHECK-COUNT-2: linalg.batch_matmul
func.func @two_plus(%q: tensor<1x2x5x8xbf16>, %k: tensor<1x2x5x8xbf16>, %v: tensor<1x2x5x8xbf16>) -> tensor<1x2x5x8xbf16> {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %scale = arith.constant 0.25 : f32
  %qf = arith.extf %q : tensor<1x2x5x8xbf16> to tensor<1x2x5x8xf32>
  %kf = arith.extf %k : tensor<1x2x5x8xbf16> to tensor<1x2x5x8xf32>
  %vf = arith.extf %v : tensor<1x2x5x8xbf16> to tensor<1x2x5x8xf32>
  %kt_e = tensor.empty() : tensor<1x2x8x5xf32>
  %kt = linalg.transpose ins(%kf : tensor<1x2x5x8xf32>) outs(%kt_e : tensor<1x2x8x5xf32>) permutation = [0, 1, 3, 2]
  %s_l = tensor.collapse_shape %qf [[0, 1], [2], [3]] : tensor<1x2x5x8xf32> into tensor<2x5x8xf32>
  %s_r = tensor.collapse_shape %kt [[0, 1], [2], [3]] : tensor<1x2x8x5xf32> into tensor<2x8x5xf32>
  %s_e = tensor.empty() : tensor<2x5x5xf32>
  %s_z = linalg.fill ins(%zero : f32) outs(%s_e : tensor<2x5x5xf32>) -> tensor<2x5x5xf32>
  %s_m = linalg.batch_matmul ins(%s_l, %s_r : tensor<2x5x8xf32>, tensor<2x8x5xf32>) outs(%s_z : tensor<2x5x5xf32>) -> tensor<2x5x5xf32>
  %s = tensor.expand_shape %s_m [[0, 1], [2], [3]] output_shape [1, 2, 5, 5] : tensor<2x5x5xf32> into tensor<1x2x5x5xf32>
  %p_init = tensor.empty() : tensor<1x2x5x5xf32>
  %p = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%s : tensor<1x2x5x5xf32>) outs(%p_init : tensor<1x2x5x5xf32>) {
  ^bb0(%x: f32, %unused: f32):
    %two = arith.constant 2.0 : f32
    %n = arith.negf %x : f32
    %ex = math.exp %n : f32
    %den = arith.addf %two, %ex : f32
    %r = arith.divf %one, %den : f32
    linalg.yield %r : f32
  } -> tensor<1x2x5x5xf32>
  %o_l = tensor.collapse_shape %p [[0, 1], [2], [3]] : tensor<1x2x5x5xf32> into tensor<2x5x5xf32>
  %o_r = tensor.collapse_shape %vf [[0, 1], [2], [3]] : tensor<1x2x5x8xf32> into tensor<2x5x8xf32>
  %o_e = tensor.empty() : tensor<2x5x8xf32>
  %o_z = linalg.fill ins(%zero : f32) outs(%o_e : tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  %o_m = linalg.batch_matmul ins(%o_l, %o_r : tensor<2x5x5xf32>, tensor<2x5x8xf32>) outs(%o_z : tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  %o = tensor.expand_shape %o_m [[0, 1], [2], [3]] output_shape [1, 2, 5, 8] : tensor<2x5x8xf32> into tensor<1x2x5x8xf32>
  %ob = arith.truncf %o : tensor<1x2x5x8xf32> to tensor<1x2x5x8xbf16>
  return %ob : tensor<1x2x5x8xbf16>
}

// f32 inputs: the op has no f32 form
// CHECK-LABEL: func.func @f32_inputs
// CHECK-COUNT-2: linalg.batch_matmul
func.func @f32_inputs(%q: tensor<1x2x5x8xf32>, %k: tensor<1x2x5x8xf32>, %v: tensor<1x2x5x8xf32>) -> tensor<1x2x5x8xf32> {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %scale = arith.constant 0.25 : f32
  %kt_e = tensor.empty() : tensor<1x2x8x5xf32>
  %kt = linalg.transpose ins(%k : tensor<1x2x5x8xf32>) outs(%kt_e : tensor<1x2x8x5xf32>) permutation = [0, 1, 3, 2]
  %s_l = tensor.collapse_shape %q [[0, 1], [2], [3]] : tensor<1x2x5x8xf32> into tensor<2x5x8xf32>
  %s_r = tensor.collapse_shape %kt [[0, 1], [2], [3]] : tensor<1x2x8x5xf32> into tensor<2x8x5xf32>
  %s_e = tensor.empty() : tensor<2x5x5xf32>
  %s_z = linalg.fill ins(%zero : f32) outs(%s_e : tensor<2x5x5xf32>) -> tensor<2x5x5xf32>
  %s_m = linalg.batch_matmul ins(%s_l, %s_r : tensor<2x5x8xf32>, tensor<2x8x5xf32>) outs(%s_z : tensor<2x5x5xf32>) -> tensor<2x5x5xf32>
  %s = tensor.expand_shape %s_m [[0, 1], [2], [3]] output_shape [1, 2, 5, 5] : tensor<2x5x5xf32> into tensor<1x2x5x5xf32>
  %p_init = tensor.empty() : tensor<1x2x5x5xf32>
  %p = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%s : tensor<1x2x5x5xf32>) outs(%p_init : tensor<1x2x5x5xf32>) {
  ^bb0(%x: f32, %unused: f32):
    %n = arith.negf %x : f32
    %ex = math.exp %n : f32
    %den = arith.addf %one, %ex : f32
    %r = arith.divf %one, %den : f32
    linalg.yield %r : f32
  } -> tensor<1x2x5x5xf32>
  %o_l = tensor.collapse_shape %p [[0, 1], [2], [3]] : tensor<1x2x5x5xf32> into tensor<2x5x5xf32>
  %o_r = tensor.collapse_shape %v [[0, 1], [2], [3]] : tensor<1x2x5x8xf32> into tensor<2x5x8xf32>
  %o_e = tensor.empty() : tensor<2x5x8xf32>
  %o_z = linalg.fill ins(%zero : f32) outs(%o_e : tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  %o_m = linalg.batch_matmul ins(%o_l, %o_r : tensor<2x5x5xf32>, tensor<2x5x8xf32>) outs(%o_z : tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  %o = tensor.expand_shape %o_m [[0, 1], [2], [3]] output_shape [1, 2, 5, 8] : tensor<2x5x8xf32> into tensor<1x2x5x8xf32>
  return %o : tensor<1x2x5x8xf32>
}

// a mask on the rows alone (i < 3): not a window
// CHECK-LABEL: func.func @row_mask
// CHECK-COUNT-2: linalg.batch_matmul
func.func @row_mask(%q: tensor<1x2x5x8xbf16>, %k: tensor<1x2x5x8xbf16>, %v: tensor<1x2x5x8xbf16>) -> tensor<1x2x5x8xbf16> {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %scale = arith.constant 0.25 : f32
  %qf = arith.extf %q : tensor<1x2x5x8xbf16> to tensor<1x2x5x8xf32>
  %kf = arith.extf %k : tensor<1x2x5x8xbf16> to tensor<1x2x5x8xf32>
  %vf = arith.extf %v : tensor<1x2x5x8xbf16> to tensor<1x2x5x8xf32>
  %kt_e = tensor.empty() : tensor<1x2x8x5xf32>
  %kt = linalg.transpose ins(%kf : tensor<1x2x5x8xf32>) outs(%kt_e : tensor<1x2x8x5xf32>) permutation = [0, 1, 3, 2]
  %s_l = tensor.collapse_shape %qf [[0, 1], [2], [3]] : tensor<1x2x5x8xf32> into tensor<2x5x8xf32>
  %s_r = tensor.collapse_shape %kt [[0, 1], [2], [3]] : tensor<1x2x8x5xf32> into tensor<2x8x5xf32>
  %s_e = tensor.empty() : tensor<2x5x5xf32>
  %s_z = linalg.fill ins(%zero : f32) outs(%s_e : tensor<2x5x5xf32>) -> tensor<2x5x5xf32>
  %s_m = linalg.batch_matmul ins(%s_l, %s_r : tensor<2x5x8xf32>, tensor<2x8x5xf32>) outs(%s_z : tensor<2x5x5xf32>) -> tensor<2x5x5xf32>
  %s = tensor.expand_shape %s_m [[0, 1], [2], [3]] output_shape [1, 2, 5, 5] : tensor<2x5x5xf32> into tensor<1x2x5x5xf32>
  %p_init = tensor.empty() : tensor<1x2x5x5xf32>
  %p = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%s : tensor<1x2x5x5xf32>) outs(%p_init : tensor<1x2x5x5xf32>) {
  ^bb0(%x: f32, %unused: f32):
    %n = arith.negf %x : f32
    %ex = math.exp %n : f32
    %den = arith.addf %one, %ex : f32
    %sig = arith.divf %one, %den : f32
    %i = linalg.index 2 : index
    %c3 = arith.constant 3 : index
    %vis = arith.cmpi ult, %i, %c3 : index
    %r = arith.select %vis, %sig, %zero : f32
    linalg.yield %r : f32
  } -> tensor<1x2x5x5xf32>
  %o_l = tensor.collapse_shape %p [[0, 1], [2], [3]] : tensor<1x2x5x5xf32> into tensor<2x5x5xf32>
  %o_r = tensor.collapse_shape %vf [[0, 1], [2], [3]] : tensor<1x2x5x8xf32> into tensor<2x5x8xf32>
  %o_e = tensor.empty() : tensor<2x5x8xf32>
  %o_z = linalg.fill ins(%zero : f32) outs(%o_e : tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  %o_m = linalg.batch_matmul ins(%o_l, %o_r : tensor<2x5x5xf32>, tensor<2x5x8xf32>) outs(%o_z : tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  %o = tensor.expand_shape %o_m [[0, 1], [2], [3]] output_shape [1, 2, 5, 8] : tensor<2x5x8xf32> into tensor<1x2x5x8xf32>
  %ob = arith.truncf %o : tensor<1x2x5x8xf32> to tensor<1x2x5x8xbf16>
  return %ob : tensor<1x2x5x8xbf16>
}

// masked scores set to 0.5, not 0
// CHECK-LABEL: func.func @half_masked
// CHECK-COUNT-2: linalg.batch_matmul
func.func @half_masked(%q: tensor<1x2x5x8xbf16>, %k: tensor<1x2x5x8xbf16>, %v: tensor<1x2x5x8xbf16>) -> tensor<1x2x5x8xbf16> {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %scale = arith.constant 0.25 : f32
  %qf = arith.extf %q : tensor<1x2x5x8xbf16> to tensor<1x2x5x8xf32>
  %kf = arith.extf %k : tensor<1x2x5x8xbf16> to tensor<1x2x5x8xf32>
  %vf = arith.extf %v : tensor<1x2x5x8xbf16> to tensor<1x2x5x8xf32>
  %kt_e = tensor.empty() : tensor<1x2x8x5xf32>
  %kt = linalg.transpose ins(%kf : tensor<1x2x5x8xf32>) outs(%kt_e : tensor<1x2x8x5xf32>) permutation = [0, 1, 3, 2]
  %s_l = tensor.collapse_shape %qf [[0, 1], [2], [3]] : tensor<1x2x5x8xf32> into tensor<2x5x8xf32>
  %s_r = tensor.collapse_shape %kt [[0, 1], [2], [3]] : tensor<1x2x8x5xf32> into tensor<2x8x5xf32>
  %s_e = tensor.empty() : tensor<2x5x5xf32>
  %s_z = linalg.fill ins(%zero : f32) outs(%s_e : tensor<2x5x5xf32>) -> tensor<2x5x5xf32>
  %s_m = linalg.batch_matmul ins(%s_l, %s_r : tensor<2x5x8xf32>, tensor<2x8x5xf32>) outs(%s_z : tensor<2x5x5xf32>) -> tensor<2x5x5xf32>
  %s = tensor.expand_shape %s_m [[0, 1], [2], [3]] output_shape [1, 2, 5, 5] : tensor<2x5x5xf32> into tensor<1x2x5x5xf32>
  %p_init = tensor.empty() : tensor<1x2x5x5xf32>
  %p = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%s : tensor<1x2x5x5xf32>) outs(%p_init : tensor<1x2x5x5xf32>) {
  ^bb0(%x: f32, %unused: f32):
    %n = arith.negf %x : f32
    %ex = math.exp %n : f32
    %den = arith.addf %one, %ex : f32
    %sig = arith.divf %one, %den : f32
    %i = linalg.index 2 : index
    %j = linalg.index 3 : index
    %vis = arith.cmpi ule, %j, %i : index
    %h = arith.constant 0.5 : f32
    %r = arith.select %vis, %sig, %h : f32
    linalg.yield %r : f32
  } -> tensor<1x2x5x5xf32>
  %o_l = tensor.collapse_shape %p [[0, 1], [2], [3]] : tensor<1x2x5x5xf32> into tensor<2x5x5xf32>
  %o_r = tensor.collapse_shape %vf [[0, 1], [2], [3]] : tensor<1x2x5x8xf32> into tensor<2x5x8xf32>
  %o_e = tensor.empty() : tensor<2x5x8xf32>
  %o_z = linalg.fill ins(%zero : f32) outs(%o_e : tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  %o_m = linalg.batch_matmul ins(%o_l, %o_r : tensor<2x5x5xf32>, tensor<2x5x8xf32>) outs(%o_z : tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  %o = tensor.expand_shape %o_m [[0, 1], [2], [3]] output_shape [1, 2, 5, 8] : tensor<2x5x8xf32> into tensor<1x2x5x8xf32>
  %ob = arith.truncf %o : tensor<1x2x5x8xf32> to tensor<1x2x5x8xbf16>
  return %ob : tensor<1x2x5x8xbf16>
}

// a diagonal mask (j == i): not a window the op has
// CHECK-LABEL: func.func @diagonal
// CHECK-COUNT-2: linalg.batch_matmul
func.func @diagonal(%q: tensor<1x2x5x8xbf16>, %k: tensor<1x2x5x8xbf16>, %v: tensor<1x2x5x8xbf16>) -> tensor<1x2x5x8xbf16> {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %scale = arith.constant 0.25 : f32
  %qf = arith.extf %q : tensor<1x2x5x8xbf16> to tensor<1x2x5x8xf32>
  %kf = arith.extf %k : tensor<1x2x5x8xbf16> to tensor<1x2x5x8xf32>
  %vf = arith.extf %v : tensor<1x2x5x8xbf16> to tensor<1x2x5x8xf32>
  %kt_e = tensor.empty() : tensor<1x2x8x5xf32>
  %kt = linalg.transpose ins(%kf : tensor<1x2x5x8xf32>) outs(%kt_e : tensor<1x2x8x5xf32>) permutation = [0, 1, 3, 2]
  %s_l = tensor.collapse_shape %qf [[0, 1], [2], [3]] : tensor<1x2x5x8xf32> into tensor<2x5x8xf32>
  %s_r = tensor.collapse_shape %kt [[0, 1], [2], [3]] : tensor<1x2x8x5xf32> into tensor<2x8x5xf32>
  %s_e = tensor.empty() : tensor<2x5x5xf32>
  %s_z = linalg.fill ins(%zero : f32) outs(%s_e : tensor<2x5x5xf32>) -> tensor<2x5x5xf32>
  %s_m = linalg.batch_matmul ins(%s_l, %s_r : tensor<2x5x8xf32>, tensor<2x8x5xf32>) outs(%s_z : tensor<2x5x5xf32>) -> tensor<2x5x5xf32>
  %s = tensor.expand_shape %s_m [[0, 1], [2], [3]] output_shape [1, 2, 5, 5] : tensor<2x5x5xf32> into tensor<1x2x5x5xf32>
  %p_init = tensor.empty() : tensor<1x2x5x5xf32>
  %p = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%s : tensor<1x2x5x5xf32>) outs(%p_init : tensor<1x2x5x5xf32>) {
  ^bb0(%x: f32, %unused: f32):
    %n = arith.negf %x : f32
    %ex = math.exp %n : f32
    %den = arith.addf %one, %ex : f32
    %sig = arith.divf %one, %den : f32
    %i = linalg.index 2 : index
    %j = linalg.index 3 : index
    %vis = arith.cmpi eq, %j, %i : index
    %r = arith.select %vis, %sig, %zero : f32
    linalg.yield %r : f32
  } -> tensor<1x2x5x5xf32>
  %o_l = tensor.collapse_shape %p [[0, 1], [2], [3]] : tensor<1x2x5x5xf32> into tensor<2x5x5xf32>
  %o_r = tensor.collapse_shape %vf [[0, 1], [2], [3]] : tensor<1x2x5x8xf32> into tensor<2x5x8xf32>
  %o_e = tensor.empty() : tensor<2x5x8xf32>
  %o_z = linalg.fill ins(%zero : f32) outs(%o_e : tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  %o_m = linalg.batch_matmul ins(%o_l, %o_r : tensor<2x5x5xf32>, tensor<2x5x8xf32>) outs(%o_z : tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  %o = tensor.expand_shape %o_m [[0, 1], [2], [3]] output_shape [1, 2, 5, 8] : tensor<2x5x8xf32> into tensor<1x2x5x8xf32>
  %ob = arith.truncf %o : tensor<1x2x5x8xf32> to tensor<1x2x5x8xbf16>
  return %ob : tensor<1x2x5x8xbf16>
}

// +inf where masked before the sigmoid: P = 1 there, not 0
// CHECK-LABEL: func.func @pos_inf
// CHECK-COUNT-2: linalg.batch_matmul
func.func @pos_inf(%q: tensor<1x2x5x8xbf16>, %k: tensor<1x2x5x8xbf16>, %v: tensor<1x2x5x8xbf16>) -> tensor<1x2x5x8xbf16> {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %scale = arith.constant 0.25 : f32
  %qf = arith.extf %q : tensor<1x2x5x8xbf16> to tensor<1x2x5x8xf32>
  %kf = arith.extf %k : tensor<1x2x5x8xbf16> to tensor<1x2x5x8xf32>
  %vf = arith.extf %v : tensor<1x2x5x8xbf16> to tensor<1x2x5x8xf32>
  %kt_e = tensor.empty() : tensor<1x2x8x5xf32>
  %kt = linalg.transpose ins(%kf : tensor<1x2x5x8xf32>) outs(%kt_e : tensor<1x2x8x5xf32>) permutation = [0, 1, 3, 2]
  %s_l = tensor.collapse_shape %qf [[0, 1], [2], [3]] : tensor<1x2x5x8xf32> into tensor<2x5x8xf32>
  %s_r = tensor.collapse_shape %kt [[0, 1], [2], [3]] : tensor<1x2x8x5xf32> into tensor<2x8x5xf32>
  %s_e = tensor.empty() : tensor<2x5x5xf32>
  %s_z = linalg.fill ins(%zero : f32) outs(%s_e : tensor<2x5x5xf32>) -> tensor<2x5x5xf32>
  %s_m = linalg.batch_matmul ins(%s_l, %s_r : tensor<2x5x8xf32>, tensor<2x8x5xf32>) outs(%s_z : tensor<2x5x5xf32>) -> tensor<2x5x5xf32>
  %s = tensor.expand_shape %s_m [[0, 1], [2], [3]] output_shape [1, 2, 5, 5] : tensor<2x5x5xf32> into tensor<1x2x5x5xf32>
  %p_init = tensor.empty() : tensor<1x2x5x5xf32>
  %p = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%s : tensor<1x2x5x5xf32>) outs(%p_init : tensor<1x2x5x5xf32>) {
  ^bb0(%x: f32, %unused: f32):
    %pinf = arith.constant 0x7F800000 : f32
    %i = linalg.index 2 : index
    %j = linalg.index 3 : index
    %vis = arith.cmpi ule, %j, %i : index
    %m = arith.select %vis, %x, %pinf : f32
    %n = arith.negf %m : f32
    %ex = math.exp %n : f32
    %den = arith.addf %one, %ex : f32
    %r = arith.divf %one, %den : f32
    linalg.yield %r : f32
  } -> tensor<1x2x5x5xf32>
  %o_l = tensor.collapse_shape %p [[0, 1], [2], [3]] : tensor<1x2x5x5xf32> into tensor<2x5x5xf32>
  %o_r = tensor.collapse_shape %vf [[0, 1], [2], [3]] : tensor<1x2x5x8xf32> into tensor<2x5x8xf32>
  %o_e = tensor.empty() : tensor<2x5x8xf32>
  %o_z = linalg.fill ins(%zero : f32) outs(%o_e : tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  %o_m = linalg.batch_matmul ins(%o_l, %o_r : tensor<2x5x5xf32>, tensor<2x5x8xf32>) outs(%o_z : tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  %o = tensor.expand_shape %o_m [[0, 1], [2], [3]] output_shape [1, 2, 5, 8] : tensor<2x5x8xf32> into tensor<1x2x5x8xf32>
  %ob = arith.truncf %o : tensor<1x2x5x8xf32> to tensor<1x2x5x8xbf16>
  return %ob : tensor<1x2x5x8xbf16>
}

// a bias tensor (e.g. a mask added before the sigmoid)
// CHECK-LABEL: func.func @bias_tensor
// CHECK-COUNT-2: linalg.batch_matmul
func.func @bias_tensor(%q: tensor<1x2x5x8xbf16>, %k: tensor<1x2x5x8xbf16>, %v: tensor<1x2x5x8xbf16>, %bias_t: tensor<1x2x5x5xf32>) -> tensor<1x2x5x8xbf16> {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %scale = arith.constant 0.25 : f32
  %qf = arith.extf %q : tensor<1x2x5x8xbf16> to tensor<1x2x5x8xf32>
  %kf = arith.extf %k : tensor<1x2x5x8xbf16> to tensor<1x2x5x8xf32>
  %vf = arith.extf %v : tensor<1x2x5x8xbf16> to tensor<1x2x5x8xf32>
  %kt_e = tensor.empty() : tensor<1x2x8x5xf32>
  %kt = linalg.transpose ins(%kf : tensor<1x2x5x8xf32>) outs(%kt_e : tensor<1x2x8x5xf32>) permutation = [0, 1, 3, 2]
  %s_l = tensor.collapse_shape %qf [[0, 1], [2], [3]] : tensor<1x2x5x8xf32> into tensor<2x5x8xf32>
  %s_r = tensor.collapse_shape %kt [[0, 1], [2], [3]] : tensor<1x2x8x5xf32> into tensor<2x8x5xf32>
  %s_e = tensor.empty() : tensor<2x5x5xf32>
  %s_z = linalg.fill ins(%zero : f32) outs(%s_e : tensor<2x5x5xf32>) -> tensor<2x5x5xf32>
  %s_m = linalg.batch_matmul ins(%s_l, %s_r : tensor<2x5x8xf32>, tensor<2x8x5xf32>) outs(%s_z : tensor<2x5x5xf32>) -> tensor<2x5x5xf32>
  %s = tensor.expand_shape %s_m [[0, 1], [2], [3]] output_shape [1, 2, 5, 5] : tensor<2x5x5xf32> into tensor<1x2x5x5xf32>
  %pb_e = tensor.empty() : tensor<1x2x5x5xf32>
  %p = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%s, %bias_t : tensor<1x2x5x5xf32>, tensor<1x2x5x5xf32>) outs(%pb_e : tensor<1x2x5x5xf32>) {
  ^bb0(%x: f32, %bb: f32, %unused: f32):
    %y = arith.addf %x, %bb : f32
    %n = arith.negf %y : f32
    %ex = math.exp %n : f32
    %den = arith.addf %one, %ex : f32
    %r = arith.divf %one, %den : f32
    linalg.yield %r : f32
  } -> tensor<1x2x5x5xf32>
  %o_l = tensor.collapse_shape %p [[0, 1], [2], [3]] : tensor<1x2x5x5xf32> into tensor<2x5x5xf32>
  %o_r = tensor.collapse_shape %vf [[0, 1], [2], [3]] : tensor<1x2x5x8xf32> into tensor<2x5x8xf32>
  %o_e = tensor.empty() : tensor<2x5x8xf32>
  %o_z = linalg.fill ins(%zero : f32) outs(%o_e : tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  %o_m = linalg.batch_matmul ins(%o_l, %o_r : tensor<2x5x5xf32>, tensor<2x5x8xf32>) outs(%o_z : tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  %o = tensor.expand_shape %o_m [[0, 1], [2], [3]] output_shape [1, 2, 5, 8] : tensor<2x5x8xf32> into tensor<1x2x5x8xf32>
  %ob = arith.truncf %o : tensor<1x2x5x8xf32> to tensor<1x2x5x8xbf16>
  return %ob : tensor<1x2x5x8xbf16>
}

// softmax
// CHECK-LABEL: func.func @softmax
// CHECK-COUNT-2: linalg.batch_matmul
func.func @softmax(%q: tensor<1x2x5x8xbf16>, %k: tensor<1x2x5x8xbf16>, %v: tensor<1x2x5x8xbf16>) -> tensor<1x2x5x8xbf16> {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %scale = arith.constant 0.25 : f32
  %qf = arith.extf %q : tensor<1x2x5x8xbf16> to tensor<1x2x5x8xf32>
  %kf = arith.extf %k : tensor<1x2x5x8xbf16> to tensor<1x2x5x8xf32>
  %vf = arith.extf %v : tensor<1x2x5x8xbf16> to tensor<1x2x5x8xf32>
  %kt_e = tensor.empty() : tensor<1x2x8x5xf32>
  %kt = linalg.transpose ins(%kf : tensor<1x2x5x8xf32>) outs(%kt_e : tensor<1x2x8x5xf32>) permutation = [0, 1, 3, 2]
  %s_l = tensor.collapse_shape %qf [[0, 1], [2], [3]] : tensor<1x2x5x8xf32> into tensor<2x5x8xf32>
  %s_r = tensor.collapse_shape %kt [[0, 1], [2], [3]] : tensor<1x2x8x5xf32> into tensor<2x8x5xf32>
  %s_e = tensor.empty() : tensor<2x5x5xf32>
  %s_z = linalg.fill ins(%zero : f32) outs(%s_e : tensor<2x5x5xf32>) -> tensor<2x5x5xf32>
  %s_m = linalg.batch_matmul ins(%s_l, %s_r : tensor<2x5x8xf32>, tensor<2x8x5xf32>) outs(%s_z : tensor<2x5x5xf32>) -> tensor<2x5x5xf32>
  %s = tensor.expand_shape %s_m [[0, 1], [2], [3]] output_shape [1, 2, 5, 5] : tensor<2x5x5xf32> into tensor<1x2x5x5xf32>
  %mx_e = tensor.empty() : tensor<1x2x5xf32>
  %mx_f = linalg.fill ins(%zero : f32) outs(%mx_e : tensor<1x2x5xf32>) -> tensor<1x2x5xf32>
  %sum = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%s : tensor<1x2x5x5xf32>) outs(%mx_f : tensor<1x2x5xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %ex = math.exp %x : f32
    %r = arith.addf %acc, %ex : f32
    linalg.yield %r : f32
  } -> tensor<1x2x5xf32>
  %p_e = tensor.empty() : tensor<1x2x5x5xf32>
  %p = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%s, %sum : tensor<1x2x5x5xf32>, tensor<1x2x5xf32>) outs(%p_e : tensor<1x2x5x5xf32>) {
  ^bb0(%x: f32, %z: f32, %unused: f32):
    %ex = math.exp %x : f32
    %r = arith.divf %ex, %z : f32
    linalg.yield %r : f32
  } -> tensor<1x2x5x5xf32>
  %o_l = tensor.collapse_shape %p [[0, 1], [2], [3]] : tensor<1x2x5x5xf32> into tensor<2x5x5xf32>
  %o_r = tensor.collapse_shape %vf [[0, 1], [2], [3]] : tensor<1x2x5x8xf32> into tensor<2x5x8xf32>
  %o_e = tensor.empty() : tensor<2x5x8xf32>
  %o_z = linalg.fill ins(%zero : f32) outs(%o_e : tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  %o_m = linalg.batch_matmul ins(%o_l, %o_r : tensor<2x5x5xf32>, tensor<2x5x8xf32>) outs(%o_z : tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  %o = tensor.expand_shape %o_m [[0, 1], [2], [3]] output_shape [1, 2, 5, 8] : tensor<2x5x8xf32> into tensor<1x2x5x8xf32>
  %ob = arith.truncf %o : tensor<1x2x5x8xf32> to tensor<1x2x5x8xbf16>
  return %ob : tensor<1x2x5x8xbf16>
}

// a run-time scalar divided by the score (not affine in it; the score divided
// by one is raised: execute-raise.mlir, divisor_form)
// CHECK-LABEL: func.func @runtime_over_score
// CHECK-COUNT-2: linalg.batch_matmul
func.func @runtime_over_score(%q: tensor<1x2x5x8xbf16>, %k: tensor<1x2x5x8xbf16>, %v: tensor<1x2x5x8xbf16>, %rs: f32) -> tensor<1x2x5x8xbf16> {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %scale = arith.constant 0.25 : f32
  %qf = arith.extf %q : tensor<1x2x5x8xbf16> to tensor<1x2x5x8xf32>
  %kf = arith.extf %k : tensor<1x2x5x8xbf16> to tensor<1x2x5x8xf32>
  %vf = arith.extf %v : tensor<1x2x5x8xbf16> to tensor<1x2x5x8xf32>
  %kt_e = tensor.empty() : tensor<1x2x8x5xf32>
  %kt = linalg.transpose ins(%kf : tensor<1x2x5x8xf32>) outs(%kt_e : tensor<1x2x8x5xf32>) permutation = [0, 1, 3, 2]
  %s_l = tensor.collapse_shape %qf [[0, 1], [2], [3]] : tensor<1x2x5x8xf32> into tensor<2x5x8xf32>
  %s_r = tensor.collapse_shape %kt [[0, 1], [2], [3]] : tensor<1x2x8x5xf32> into tensor<2x8x5xf32>
  %s_e = tensor.empty() : tensor<2x5x5xf32>
  %s_z = linalg.fill ins(%zero : f32) outs(%s_e : tensor<2x5x5xf32>) -> tensor<2x5x5xf32>
  %s_m = linalg.batch_matmul ins(%s_l, %s_r : tensor<2x5x8xf32>, tensor<2x8x5xf32>) outs(%s_z : tensor<2x5x5xf32>) -> tensor<2x5x5xf32>
  %s = tensor.expand_shape %s_m [[0, 1], [2], [3]] output_shape [1, 2, 5, 5] : tensor<2x5x5xf32> into tensor<1x2x5x5xf32>
  %p_init = tensor.empty() : tensor<1x2x5x5xf32>
  %p = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%s : tensor<1x2x5x5xf32>) outs(%p_init : tensor<1x2x5x5xf32>) {
  ^bb0(%x: f32, %unused: f32):
    %y = arith.divf %rs, %x : f32
    %n = arith.negf %y : f32
    %ex = math.exp %n : f32
    %den = arith.addf %one, %ex : f32
    %r = arith.divf %one, %den : f32
    linalg.yield %r : f32
  } -> tensor<1x2x5x5xf32>
  %o_l = tensor.collapse_shape %p [[0, 1], [2], [3]] : tensor<1x2x5x5xf32> into tensor<2x5x5xf32>
  %o_r = tensor.collapse_shape %vf [[0, 1], [2], [3]] : tensor<1x2x5x8xf32> into tensor<2x5x8xf32>
  %o_e = tensor.empty() : tensor<2x5x8xf32>
  %o_z = linalg.fill ins(%zero : f32) outs(%o_e : tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  %o_m = linalg.batch_matmul ins(%o_l, %o_r : tensor<2x5x5xf32>, tensor<2x5x8xf32>) outs(%o_z : tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  %o = tensor.expand_shape %o_m [[0, 1], [2], [3]] output_shape [1, 2, 5, 8] : tensor<2x5x8xf32> into tensor<1x2x5x8xf32>
  %ob = arith.truncf %o : tensor<1x2x5x8xf32> to tensor<1x2x5x8xbf16>
  return %ob : tensor<1x2x5x8xbf16>
}

// scaled by the product of two run-time scalars (one run-time scale only)
// CHECK-LABEL: func.func @two_runtime_scales
// CHECK-COUNT-2: linalg.batch_matmul
func.func @two_runtime_scales(%q: tensor<1x2x5x8xbf16>, %k: tensor<1x2x5x8xbf16>, %v: tensor<1x2x5x8xbf16>, %rs: f32, %rt: f32) -> tensor<1x2x5x8xbf16> {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %scale = arith.constant 0.25 : f32
  %qf = arith.extf %q : tensor<1x2x5x8xbf16> to tensor<1x2x5x8xf32>
  %kf = arith.extf %k : tensor<1x2x5x8xbf16> to tensor<1x2x5x8xf32>
  %vf = arith.extf %v : tensor<1x2x5x8xbf16> to tensor<1x2x5x8xf32>
  %kt_e = tensor.empty() : tensor<1x2x8x5xf32>
  %kt = linalg.transpose ins(%kf : tensor<1x2x5x8xf32>) outs(%kt_e : tensor<1x2x8x5xf32>) permutation = [0, 1, 3, 2]
  %s_l = tensor.collapse_shape %qf [[0, 1], [2], [3]] : tensor<1x2x5x8xf32> into tensor<2x5x8xf32>
  %s_r = tensor.collapse_shape %kt [[0, 1], [2], [3]] : tensor<1x2x8x5xf32> into tensor<2x8x5xf32>
  %s_e = tensor.empty() : tensor<2x5x5xf32>
  %s_z = linalg.fill ins(%zero : f32) outs(%s_e : tensor<2x5x5xf32>) -> tensor<2x5x5xf32>
  %s_m = linalg.batch_matmul ins(%s_l, %s_r : tensor<2x5x8xf32>, tensor<2x8x5xf32>) outs(%s_z : tensor<2x5x5xf32>) -> tensor<2x5x5xf32>
  %s = tensor.expand_shape %s_m [[0, 1], [2], [3]] output_shape [1, 2, 5, 5] : tensor<2x5x5xf32> into tensor<1x2x5x5xf32>
  %p_init = tensor.empty() : tensor<1x2x5x5xf32>
  %p = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%s : tensor<1x2x5x5xf32>) outs(%p_init : tensor<1x2x5x5xf32>) {
  ^bb0(%x: f32, %unused: f32):
    %y0 = arith.mulf %x, %rs : f32
    %y = arith.mulf %y0, %rt : f32
    %n = arith.negf %y : f32
    %ex = math.exp %n : f32
    %den = arith.addf %one, %ex : f32
    %r = arith.divf %one, %den : f32
    linalg.yield %r : f32
  } -> tensor<1x2x5x5xf32>
  %o_l = tensor.collapse_shape %p [[0, 1], [2], [3]] : tensor<1x2x5x5xf32> into tensor<2x5x5xf32>
  %o_r = tensor.collapse_shape %vf [[0, 1], [2], [3]] : tensor<1x2x5x8xf32> into tensor<2x5x8xf32>
  %o_e = tensor.empty() : tensor<2x5x8xf32>
  %o_z = linalg.fill ins(%zero : f32) outs(%o_e : tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  %o_m = linalg.batch_matmul ins(%o_l, %o_r : tensor<2x5x5xf32>, tensor<2x5x8xf32>) outs(%o_z : tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  %o = tensor.expand_shape %o_m [[0, 1], [2], [3]] output_shape [1, 2, 5, 8] : tensor<2x5x8xf32> into tensor<1x2x5x8xf32>
  %ob = arith.truncf %o : tensor<1x2x5x8xf32> to tensor<1x2x5x8xbf16>
  return %ob : tensor<1x2x5x8xbf16>
}

// a run-time bias that is not f32
// CHECK-LABEL: func.func @runtime_f16_bias
// CHECK-COUNT-2: linalg.batch_matmul
func.func @runtime_f16_bias(%q: tensor<1x2x5x8xbf16>, %k: tensor<1x2x5x8xbf16>, %v: tensor<1x2x5x8xbf16>, %rb: f16) -> tensor<1x2x5x8xbf16> {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %scale = arith.constant 0.25 : f32
  %qf = arith.extf %q : tensor<1x2x5x8xbf16> to tensor<1x2x5x8xf32>
  %kf = arith.extf %k : tensor<1x2x5x8xbf16> to tensor<1x2x5x8xf32>
  %vf = arith.extf %v : tensor<1x2x5x8xbf16> to tensor<1x2x5x8xf32>
  %kt_e = tensor.empty() : tensor<1x2x8x5xf32>
  %kt = linalg.transpose ins(%kf : tensor<1x2x5x8xf32>) outs(%kt_e : tensor<1x2x8x5xf32>) permutation = [0, 1, 3, 2]
  %s_l = tensor.collapse_shape %qf [[0, 1], [2], [3]] : tensor<1x2x5x8xf32> into tensor<2x5x8xf32>
  %s_r = tensor.collapse_shape %kt [[0, 1], [2], [3]] : tensor<1x2x8x5xf32> into tensor<2x8x5xf32>
  %s_e = tensor.empty() : tensor<2x5x5xf32>
  %s_z = linalg.fill ins(%zero : f32) outs(%s_e : tensor<2x5x5xf32>) -> tensor<2x5x5xf32>
  %s_m = linalg.batch_matmul ins(%s_l, %s_r : tensor<2x5x8xf32>, tensor<2x8x5xf32>) outs(%s_z : tensor<2x5x5xf32>) -> tensor<2x5x5xf32>
  %s = tensor.expand_shape %s_m [[0, 1], [2], [3]] output_shape [1, 2, 5, 5] : tensor<2x5x5xf32> into tensor<1x2x5x5xf32>
  %p_init = tensor.empty() : tensor<1x2x5x5xf32>
  %p = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%s : tensor<1x2x5x5xf32>) outs(%p_init : tensor<1x2x5x5xf32>) {
  ^bb0(%x: f32, %unused: f32):
    %b = arith.extf %rb : f16 to f32
    %y = arith.addf %x, %b : f32
    %n = arith.negf %y : f32
    %ex = math.exp %n : f32
    %den = arith.addf %one, %ex : f32
    %r = arith.divf %one, %den : f32
    linalg.yield %r : f32
  } -> tensor<1x2x5x5xf32>
  %o_l = tensor.collapse_shape %p [[0, 1], [2], [3]] : tensor<1x2x5x5xf32> into tensor<2x5x5xf32>
  %o_r = tensor.collapse_shape %vf [[0, 1], [2], [3]] : tensor<1x2x5x8xf32> into tensor<2x5x8xf32>
  %o_e = tensor.empty() : tensor<2x5x8xf32>
  %o_z = linalg.fill ins(%zero : f32) outs(%o_e : tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  %o_m = linalg.batch_matmul ins(%o_l, %o_r : tensor<2x5x5xf32>, tensor<2x5x8xf32>) outs(%o_z : tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  %o = tensor.expand_shape %o_m [[0, 1], [2], [3]] output_shape [1, 2, 5, 8] : tensor<2x5x8xf32> into tensor<1x2x5x8xf32>
  %ob = arith.truncf %o : tensor<1x2x5x8xf32> to tensor<1x2x5x8xbf16>
  return %ob : tensor<1x2x5x8xbf16>
}
