// Default tile sizes per head dimension, and bad tile-size options.
// RUN: sigattn-opt %s -split-input-file -sigattn-tile | FileCheck %s
// RUN: not sigattn-opt %s -split-input-file -sigattn-tile="block-q=-4" 2>&1 | FileCheck %s --check-prefix=BAD

// BAD: error: sigattn-tile: block-q=-4 is out of range (0 for the default, or 1 .. 1024)
// RUN: not sigattn-opt %s -split-input-file -sigattn-tile="dq=atomic" 2>&1 | FileCheck %s --check-prefix=BADDQ
// BADDQ: error: sigattn-tile: dq='atomic' is not supported (expected separate or reduce)

// CHECK-LABEL: func.func @d128
//       CHECK:   arith.ceildivsi %{{.+}}, %c128
//       CHECK:   sigattn.load_tile {{.*}} -> vector<128x128xbf16>
//       CHECK:   sigattn.tile_step {{.*}} block_k = 32
func.func @d128(%q: tensor<1x?x2x128xbf16>, %k: tensor<1x?x2x128xbf16>,
                %v: tensor<1x?x2x128xbf16>) -> tensor<1x?x2x128xbf16> {
  %o = sigattn.attention %q, %k, %v
      : tensor<1x?x2x128xbf16>, tensor<1x?x2x128xbf16>, tensor<1x?x2x128xbf16>
      -> tensor<1x?x2x128xbf16>
  return %o : tensor<1x?x2x128xbf16>
}

// -----

// CHECK-LABEL: func.func @d256
//       CHECK:   arith.ceildivsi %{{.+}}, %c64
//       CHECK:   sigattn.load_tile {{.*}} -> vector<64x256xbf16>
//       CHECK:   sigattn.tile_step {{.*}} block_k = 16
func.func @d256(%q: tensor<1x?x2x256xbf16>, %k: tensor<1x?x2x256xbf16>,
                %v: tensor<1x?x2x256xbf16>) -> tensor<1x?x2x256xbf16> {
  %o = sigattn.attention %q, %k, %v
      : tensor<1x?x2x256xbf16>, tensor<1x?x2x256xbf16>, tensor<1x?x2x256xbf16>
      -> tensor<1x?x2x256xbf16>
  return %o : tensor<1x?x2x256xbf16>
}
