# Helpers shared by the sigattn build.

# Every sigattn library links the MLIR shared library (libMLIR.so) instead of
# the static component libraries: faster links, one copy of LLVM's globals.
set(MLIR_LINK_MLIR_DYLIB ON)

# sigattn_add_mlir_library(name SRCS... [DEPENDS targets...])
# An MLIR library of this project, linked against libMLIR.so.
function(sigattn_add_mlir_library name)
  cmake_parse_arguments(ARG "" "" "DEPENDS" ${ARGN})
  add_mlir_library(${name}
    ${ARG_UNPARSED_ARGUMENTS}
    ADDITIONAL_HEADER_DIRS ${PROJECT_SOURCE_DIR}/include/sigattn
    DEPENDS ${ARG_DEPENDS}
    DISABLE_INSTALL
    LINK_LIBS PUBLIC MLIR)
endfunction()
