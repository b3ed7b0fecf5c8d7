# Warnings are errors in Fovea's own code; generated ANTLR code gets its own relaxed target.
function(fovea_strict_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow=local -Wno-unused-parameter -Werror)
endfunction()
