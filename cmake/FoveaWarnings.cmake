# Warnings for Fovea's own code (generated ANTLR code gets its own relaxed target).
# They are errors only where FOVEA_WERROR is on: the project's development and CI builds turn it on
# (tools/build.sh reads FOVEA_WERROR from the environment, .ci/run sets it); someone building a
# release or a package with another compiler or build type gets warnings, never a failed build.
option(FOVEA_WERROR "Treat compiler warnings in Fovea's own code as errors" OFF)

function(fovea_strict_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow=local -Wno-unused-parameter)
  if(FOVEA_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
