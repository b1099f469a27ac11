# -*- Python -*-
# lit configuration for the sigattn test suite.

import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "SIGATTN"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.sigattn_obj_root, "test")
config.excludes = ["CMakeLists.txt", "README.md", "lit.cfg.py", "lit.site.cfg.py",
                   "make_kernels.py", "check_kernels.py", "measure_sigmoid.py",
                   "gen_reference_test.py", "fuzz.py", "Inputs"]

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%shlibext", config.llvm_shlib_ext))
config.substitutions.append(("%mlir_lib_dir", config.mlir_lib_dir))
# The installed package and the downstream project (test/Install).
config.substitutions.append(("%sigattn_src", config.sigattn_src_root))
config.substitutions.append(("%sigattn_obj", config.sigattn_obj_root))
config.substitutions.append(("%cmake_generator", config.cmake_generator))
config.substitutions.append(("%cmake", config.cmake_command))
config.substitutions.append(("%mlir_cmake_dir", config.mlir_cmake_dir))
# The plugin for stock mlir-opt (test/Plugin).
config.substitutions.append(("%sigattn_plugin", os.path.join(
    config.sigattn_obj_root, "lib", "SigAttnPlugin" + config.llvm_shlib_ext)))

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

# Our tools first, then the upstream MLIR and LLVM tools.
llvm_config.with_environment("PATH", config.sigattn_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.mlir_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

tool_dirs = [config.sigattn_tools_dir, config.mlir_tools_dir, config.llvm_tools_dir]
tools = ["sigattn-opt", "sigattn-layout-tests", "sigattn-wgmma-layout-tests", "mlir-opt", "mlir-runner", "mlir-translate"]
llvm_config.add_tool_substitutions(tools, tool_dirs)

# CPU execution through mlir-runner needs the shipped runner utilities.
runner_utils = os.path.join(config.mlir_lib_dir, "libmlir_runner_utils" + config.llvm_shlib_ext)
c_runner_utils = os.path.join(config.mlir_lib_dir, "libmlir_c_runner_utils" + config.llvm_shlib_ext)
if os.path.exists(runner_utils) and os.path.exists(c_runner_utils):
    config.available_features.add("mlir-runner")
    config.substitutions.append(("%mlir_runner_utils", runner_utils))
    config.substitutions.append(("%mlir_c_runner_utils", c_runner_utils))

# Upstream passes that take tensor-level linalg code to LLVM for mlir-runner.
# bf16 conversions are expanded into integer ops: the host has no libcall
# for them.
lower_to_cpu = ",".join([
    "convert-elementwise-to-linalg",
    "arith-expand{include-bf16=true}",
    "one-shot-bufferize{bufferize-function-boundaries=true}",
    "buffer-deallocation-pipeline",
    "scf-forall-to-for",
    "convert-linalg-to-loops",
    "convert-vector-to-scf",
    "convert-scf-to-cf",
    "expand-strided-metadata",
    "lower-affine",
    "convert-vector-to-llvm",
    "convert-math-to-llvm",
    "arith-expand{include-bf16=true}",
    "convert-arith-to-llvm",
    "finalize-memref-to-llvm",
    "convert-func-to-llvm",
    "convert-cf-to-llvm",
    "convert-ub-to-llvm",
    "reconcile-unrealized-casts",
])
config.substitutions.append(("%lower-to-cpu", "'--pass-pipeline=builtin.module(" + lower_to_cpu + ")'"))

# The CUDA runtime and its CPU-only tests are built with the CUDA toolkit.
if config.sigattn_runtime:
    config.available_features.add("runtime")
    llvm_config.add_tool_substitutions(["sigattn-runtime-tests", "sigattn-run"],
                                       tool_dirs)

# A GPU: tests that launch kernels say `REQUIRES: cuda-gpu`. CI has none, so
# they show as UNSUPPORTED there; test/Integration/GPU/run-suite.sh runs the
# GPU suite on an H100.
if os.environ.get("SIGATTN_GPU_TESTS") == "1":
    config.available_features.add("cuda-gpu")

# ptxas assembles the generated PTX for sm_90a; tests that need it say
# `REQUIRES: ptxas`.
if config.sigattn_ptxas and os.path.exists(config.sigattn_ptxas):
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", config.sigattn_ptxas))
