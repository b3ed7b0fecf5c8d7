# Every dependency comes from a Debian 12 package. A missing one stops the configure step with the
# name of the package that provides it, so a fresh machine knows what to install.

macro(fovea_missing what package)
  message(FATAL_ERROR
    "Fovea needs ${what}, which was not found.\n"
    "Install it with:  apt-get install ${package}\n"
    "(or run tools/setup-deps.sh, which installs everything Fovea needs)")
endmacro()

find_package(Halide 14 QUIET COMPONENTS Halide)
if(NOT Halide_FOUND)
  fovea_missing("Halide 14" "libhalide14-0-dev libpng-dev libjpeg-dev")
endif()

find_package(LLVM 14 QUIET CONFIG PATHS /usr/lib/llvm-14/lib/cmake/llvm NO_DEFAULT_PATH)
if(NOT LLVM_FOUND)
  fovea_missing("LLVM 14" "llvm-14-dev")
endif()

find_package(antlr4-runtime 4.9 QUIET CONFIG)
if(NOT antlr4-runtime_FOUND)
  fovea_missing("the ANTLR4 C++ runtime" "libantlr4-runtime-dev uuid-dev")
endif()
find_program(ANTLR4_TOOL antlr4)
if(NOT ANTLR4_TOOL)
  fovea_missing("the ANTLR4 tool (antlr4)" "antlr4 default-jre-headless")
endif()
find_library(UUID_LIBRARY uuid)
if(NOT UUID_LIBRARY)
  fovea_missing("libuuid" "uuid-dev")
endif()

find_package(OpenCV 4 QUIET COMPONENTS core imgproc imgcodecs dnn)
if(NOT OpenCV_FOUND)
  fovea_missing("OpenCV 4" "libopencv-dev")
endif()

# Image files are decoded with the reference libraries directly (strictly: any warning is an error).
find_package(PNG QUIET)
if(NOT PNG_FOUND)
  fovea_missing("libpng" "libpng-dev")
endif()
find_package(JPEG QUIET)
if(NOT JPEG_FOUND)
  fovea_missing("libjpeg" "libjpeg-dev")
endif()
find_package(TIFF 4.5 QUIET)
if(NOT TIFF_FOUND)
  fovea_missing("libtiff 4.5" "libtiff-dev")
endif()

find_package(fmt 9 QUIET)
if(NOT fmt_FOUND)
  fovea_missing("fmt" "libfmt-dev")
endif()

find_package(GTest QUIET)
if(NOT GTest_FOUND)
  fovea_missing("GoogleTest" "libgtest-dev libgmock-dev")
endif()

find_package(benchmark QUIET)
if(NOT benchmark_FOUND)
  fovea_missing("Google Benchmark" "libbenchmark-dev")
endif()

find_package(Threads REQUIRED)
