# Helpers shared by the sigattn build.

# Every sigattn library links the MLIR shared library (libMLIR.so) instead of
# the static component libraries: faster links, one copy of LLVM's globals.
set(MLIR_LINK_MLIR_DYLIB ON)

# sigattn_add_mlir_library(name SRCS... [DEPENDS targets...])
# An MLIR library of this project, linked against libMLIR.so.
# Installed and exported (SigAttnTargets, as SigAttn::<name>).
function(sigattn_add_mlir_library name)
  cmake_parse_arguments(ARG "" "" "DEPENDS" ${ARGN})
  add_mlir_library(${name}
    ${ARG_UNPARSED_ARGUMENTS}
    ADDITIONAL_HEADER_DIRS ${PROJECT_SOURCE_DIR}/include/sigattn
    DEPENDS ${ARG_DEPENDS}
    DISABLE_INSTALL
    LINK_LIBS PUBLIC MLIR)
  sigattn_install_library(${name})
endfunction()

# sigattn_install_library(name): installs library `name` into the export set
# SigAttnTargets, with sigattn's headers (source and generated) as its
# include directories in the build tree and under the prefix.
function(sigattn_install_library name)
  target_include_directories(${name} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
    $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  install(TARGETS ${name} EXPORT SigAttnTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
endfunction()
