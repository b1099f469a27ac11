// Every option of sigattn-gpu-pipeline is checked before anything runs; a
// bad value gets one error naming the option and the values it accepts.
// RUN: not sigattn-opt %s --sigattn-gpu-pipeline="chip=sm_50" 2>&1 | FileCheck %s --check-prefix=SM50
// RUN: not sigattn-opt %s --sigattn-gpu-pipeline="chip=sm_75" 2>&1 | FileCheck %s --check-prefix=SM75
// RUN: not sigattn-opt %s --sigattn-gpu-pipeline="chip=" 2>&1 | FileCheck %s --check-prefix=EMPTY
// RUN: not sigattn-opt %s --sigattn-gpu-pipeline="chip=sm_100a" 2>&1 | FileCheck %s --check-prefix=SM100
// RUN: not sigattn-opt %s --sigattn-gpu-pipeline="features=+ptx60" 2>&1 | FileCheck %s --check-prefix=PTX60
// RUN: not sigattn-opt %s --sigattn-gpu-pipeline="features=+ptx10" 2>&1 | FileCheck %s --check-prefix=PTX10
// RUN: not sigattn-opt %s --sigattn-gpu-pipeline="features=+ptx999" 2>&1 | FileCheck %s --check-prefix=PTX999
// RUN: not sigattn-opt %s --sigattn-gpu-pipeline="features=garbage" 2>&1 | FileCheck %s --check-prefix=GARBAGE
// RUN: not sigattn-opt %s --sigattn-gpu-pipeline="chip=sm_80 features=+ptx89" 2>&1 | FileCheck %s --check-prefix=PTX89
// RUN: not sigattn-opt %s --sigattn-gpu-pipeline="mma=foo" 2>&1 | FileCheck %s --check-prefix=MMA
// RUN: not sigattn-opt %s --sigattn-gpu-pipeline="loads=ldg" 2>&1 | FileCheck %s --check-prefix=LOADS
// RUN: not sigattn-opt %s --sigattn-gpu-pipeline="mma=sync loads=tma" 2>&1 | FileCheck %s --check-prefix=SYNCTMA
// RUN: not sigattn-opt %s --sigattn-gpu-pipeline="chip=sm_90 loads=tma" 2>&1 | FileCheck %s --check-prefix=SYNCTMA
// RUN: not sigattn-opt %s --sigattn-gpu-pipeline="schedule=pingpong" 2>&1 | FileCheck %s --check-prefix=SCHED
// RUN: not sigattn-opt %s --sigattn-gpu-pipeline="schedule=specialized loads=cp.async" 2>&1 | FileCheck %s --check-prefix=WSLOADS
// RUN: not sigattn-opt %s --sigattn-gpu-pipeline="schedule=specialized mma=sync" 2>&1 | FileCheck %s --check-prefix=WSLOADS
// RUN: not sigattn-opt %s --sigattn-gpu-pipeline="kv-stages=3" 2>&1 | FileCheck %s --check-prefix=STAGES3
// RUN: not sigattn-opt %s --sigattn-gpu-pipeline="schedule=specialized kv-stages=5" 2>&1 | FileCheck %s --check-prefix=STAGES5
// RUN: not sigattn-opt %s --sigattn-gpu-pipeline="schedule=specialized kv-stages=-1" 2>&1 | FileCheck %s --check-prefix=STAGESNEG
// RUN: not sigattn-opt %s --sigattn-gpu-pipeline="schedule=specialized num-warps=32" 2>&1 | FileCheck %s --check-prefix=WSWARPS
// RUN: not sigattn-opt %s --sigattn-gpu-pipeline="pingpong=true" 2>&1 | FileCheck %s --check-prefix=PINGPONG
// RUN: not sigattn-opt %s --sigattn-gpu-pipeline="pingpong=maybe" 2>&1 | FileCheck %s --check-prefix=PINGPONGVALUE
// RUN: not sigattn-opt %s --sigattn-gpu-pipeline="poly-sigmoid=9" 2>&1 | FileCheck %s --check-prefix=POLY9
// RUN: not sigattn-opt %s --sigattn-gpu-pipeline="mma=sync poly-sigmoid=-1" 2>&1 | FileCheck %s --check-prefix=POLYNEG
// RUN: not sigattn-opt %s --sigattn-gpu-pipeline="block-q=4611686018427387904" 2>&1 | FileCheck %s --check-prefix=BQ
// RUN: not sigattn-opt %s --sigattn-gpu-pipeline="block-k=-1" 2>&1 | FileCheck %s --check-prefix=BK
// RUN: not sigattn-opt %s --sigattn-gpu-pipeline="num-warps=-1" 2>&1 | FileCheck %s --check-prefix=W0
// RUN: not sigattn-opt %s --sigattn-gpu-pipeline="num-warps=2147483648" 2>&1 | FileCheck %s --check-prefix=WBIG
// RUN: not sigattn-opt %s --sigattn-gpu-pipeline="ptx-output=%t.missing/dir/out.ptx" 2>&1 | FileCheck %s --check-prefix=NODIR
// RUN: rm -rf %t.dir && mkdir -p %t.dir
// RUN: not sigattn-opt %s --sigattn-gpu-pipeline="ptx-output=%t.dir" 2>&1 | FileCheck %s --check-prefix=ISDIR
// RUN: not sigattn-opt %s --sigattn-gpu-pipeline="ptx-output=/dev/full" 2>&1 | FileCheck %s --check-prefix=FULL
// Accepted: another chip of the mma.sync lowering, a newer PTX ISA.
// RUN: sigattn-opt %s --sigattn-gpu-pipeline="chip=sm_80 features=+ptx80 ptx-output=%t.sm80.ptx" -o /dev/null
// RUN: FileCheck %s --check-prefix=SM80 --input-file=%t.sm80.ptx
// RUN: %if ptxas %{ %ptxas -arch=sm_80 %t.sm80.ptx -o /dev/null %}
// RUN: sigattn-opt %s --sigattn-gpu-pipeline="features=+ptx90 ptx-output=%t.ptx90.ptx" -o /dev/null
// RUN: FileCheck %s --check-prefix=PTX90 --input-file=%t.ptx90.ptx
// RUN: %if ptxas %{ %ptxas -arch=sm_90a %t.ptx90.ptx -o /dev/null %}

// SM50: error: sigattn-gpu-pipeline: chip='sm_50' is not supported by mma=sync (supported: sm_80, sm_86, sm_87, sm_89, sm_90, sm_90a)
// SM75: error: sigattn-gpu-pipeline: chip='sm_75' is not supported by mma=sync
// EMPTY: error: sigattn-gpu-pipeline: chip='' is not supported by mma=sync
// SM100: error: sigattn-gpu-pipeline: chip='sm_100a' is not supported by mma=sync
// PTX60: error: sigattn-gpu-pipeline: features='+ptx60': PTX ISA version 6.0 is not one the NVPTX backend and ptxas both accept (+ptx80 .. +ptx88, +ptx90)
// PTX10: error: sigattn-gpu-pipeline: features='+ptx10': PTX ISA version 1.0 is not one
// PTX999: error: sigattn-gpu-pipeline: features='+ptx999': PTX ISA version 99.9 is not one
// GARBAGE: error: sigattn-gpu-pipeline: features='garbage' is not a PTX ISA version (expected +ptx80 .. +ptx88 or +ptx90)
// PTX89: error: sigattn-gpu-pipeline: features='+ptx89': PTX ISA version 8.9 is not one
// MMA: error: sigattn-gpu-pipeline: mma='foo' is not supported (expected auto, sync or wgmma)
// LOADS: sigattn-gpu-pipeline: loads='ldg' is not supported (expected auto, cp.async or tma)
// SYNCTMA: sigattn-gpu-pipeline: loads=tma needs mma=wgmma
// SCHED: error: sigattn-gpu-pipeline: schedule='pingpong' is not supported (expected auto, cooperative or specialized)
// WSLOADS: error: sigattn-gpu-pipeline: schedule=specialized needs loads=tma (the producer warpgroup issues TMA loads)
// STAGES3: error: sigattn-gpu-pipeline: kv-stages=3 needs schedule=specialized (without a producer every warp loads one tile ahead into 2 stages)
// STAGES5: error: sigattn-gpu-pipeline: kv-stages=5 is out of range (0 for the schedule's default, or 2 .. 4)
// STAGESNEG: error: sigattn-gpu-pipeline: kv-stages=-1 is out of range
// WSWARPS: error: sigattn-gpu-pipeline: num-warps=32 is too many for schedule=specialized, which adds 4 producer warps (at most 28)
// PINGPONG: error: sigattn-gpu-pipeline: pingpong needs schedule=specialized (the computing warpgroups of a warp-specialized kernel take turns)
// PINGPONGVALUE: pingpong
// PINGPONGVALUE-NOT: Stack dump
// POLY9: error: sigattn-gpu-pipeline: poly-sigmoid=9 is not a number of scores out of 8 (expected 0 .. 8)
// POLYNEG: error: sigattn-gpu-pipeline: poly-sigmoid=-1 is not a number of scores out of 8 (expected 0 .. 8)
// BQ: error: sigattn-gpu-pipeline: block-q=4611686018427387904 is out of range (0 for the default, or 1 .. 1024)
// BK: error: sigattn-gpu-pipeline: block-k=-1 is out of range (0 for the default, or 1 .. 1024)
// W0: error: sigattn-gpu-pipeline: num-warps=-1 is out of range (0 for the default, or 1 .. 32)
// WBIG: error: sigattn-gpu-pipeline: num-warps=2147483648 is out of range (0 for the default, or 1 .. 32)
// NODIR: error: sigattn-write-ptx: cannot write '{{.*}}.missing/dir/out.ptx': No such file or directory
// ISDIR: error: sigattn-write-ptx: cannot write '{{.*}}.dir': Is a directory
// FULL: error: sigattn-write-ptx: cannot write '/dev/full': No space left on device
// SM80: .version 8.0
// SM80: .target sm_80
// PTX90: .version 9.0
// PTX90: .target sm_90a

func.func @attention(%q: tensor<?x?x4x64xbf16>, %k: tensor<?x?x4x64xbf16>,
                     %v: tensor<?x?x4x64xbf16>) -> tensor<?x?x4x64xbf16> {
  %o = sigattn.attention %q, %k, %v causal
      : tensor<?x?x4x64xbf16>, tensor<?x?x4x64xbf16>, tensor<?x?x4x64xbf16> -> tensor<?x?x4x64xbf16>
  return %o : tensor<?x?x4x64xbf16>
}
