// Static grid sizes beyond CUDA's launch limits are diagnosed when the grid
// becomes a launch: y (query heads) and z (batches) at most 65535, x (query
// tiles) at most 2^31 - 1. Dynamic sizes are checked by the runtime.
// RUN: sigattn-opt %s -split-input-file -verify-diagnostics -sigattn-tile -sigattn-outline-gpu-kernels

func.func @batch(%q: tensor<65536x?x2x64xbf16>, %k: tensor<65536x?x2x64xbf16>, %v: tensor<65536x?x2x64xbf16>) -> tensor<65536x?x2x64xbf16> {
  // expected-error @+1 {{sigattn-outline-gpu-kernels: the grid has 65536 batches (grid z), more than a launch allows (65535)}}
  %o = sigattn.attention %q, %k, %v : tensor<65536x?x2x64xbf16>, tensor<65536x?x2x64xbf16>, tensor<65536x?x2x64xbf16> -> tensor<65536x?x2x64xbf16>
  return %o : tensor<65536x?x2x64xbf16>
}

// -----

func.func @heads(%q: tensor<?x?x65536x64xbf16>, %k: tensor<?x?x1x64xbf16>, %v: tensor<?x?x1x64xbf16>) -> tensor<?x?x65536x64xbf16> {
  // expected-error @+1 {{sigattn-outline-gpu-kernels: the grid has 65536 query heads (grid y), more than a launch allows (65535)}}
  %o = sigattn.attention %q, %k, %v : tensor<?x?x65536x64xbf16>, tensor<?x?x1x64xbf16>, tensor<?x?x1x64xbf16> -> tensor<?x?x65536x64xbf16>
  return %o : tensor<?x?x65536x64xbf16>
}

// -----

// 2^40 queries are 2^33 tiles of 128 rows.
func.func @query_tiles(%q: tensor<?x1099511627776x2x64xbf16>, %k: tensor<?x?x2x64xbf16>, %v: tensor<?x?x2x64xbf16>) -> tensor<?x1099511627776x2x64xbf16> {
  // expected-error @+1 {{sigattn-outline-gpu-kernels: the grid has 8589934592 query tiles (grid x), more than a launch allows (2147483647)}}
  %o = sigattn.attention %q, %k, %v : tensor<?x1099511627776x2x64xbf16>, tensor<?x?x2x64xbf16>, tensor<?x?x2x64xbf16> -> tensor<?x1099511627776x2x64xbf16>
  return %o : tensor<?x1099511627776x2x64xbf16>
}

// -----

// At the limits: accepted.
func.func @at_limits(%q: tensor<65535x?x2x64xbf16>, %k: tensor<65535x?x2x64xbf16>, %v: tensor<65535x?x2x64xbf16>) -> tensor<65535x?x2x64xbf16> {
  %o = sigattn.attention %q, %k, %v : tensor<65535x?x2x64xbf16>, tensor<65535x?x2x64xbf16>, tensor<65535x?x2x64xbf16> -> tensor<65535x?x2x64xbf16>
  return %o : tensor<65535x?x2x64xbf16>
}
