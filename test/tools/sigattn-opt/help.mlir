// sigattn-opt --help lists the sigattn passes with their summaries.
// RUN: sigattn-opt --help | FileCheck %s

// CHECK-DAG: --convert-sigattn-tiles-to-vector {{.*}}- Lower sigattn tile ops to portable vector, arith and math ops
// CHECK-DAG: --convert-sigattn-to-linalg {{.*}}- Expand sigattn.attention and sigattn.attention_grad into their reference linalg computations
// CHECK-DAG: --sigattn-peel-boundary-tiles {{.*}}- Split loops over column tiles so that only boundary tiles carry element masks
// CHECK-DAG: --sigattn-tile {{.*}}- Tile sigattn.attention (and attention_grad) into grids of tiles with a loop over the tiles the mask reaches
// CHECK-DAG: --block-q=<long>
// CHECK-DAG: --block-k=<long>
