# Common compile settings for every target of the project.
function(ticketing_target_defaults target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
    -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # g++ 12 at -O2 reports false stringop-overflow inside std::variant's
    # storage (GCC bug 106199 family); the code is not at fault.
    target_compile_options(${target} PRIVATE -Wno-stringop-overflow)
  endif()
  if(TICKETING_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  get_target_property(kind ${target} TYPE)
  if(TICKETING_JEMALLOC AND kind STREQUAL "EXECUTABLE")
    target_link_libraries(${target} PRIVATE PkgConfig::JEMALLOC)
  endif()
endfunction()

# ticketing_library(NAME SOURCES... [PUBLIC_DEPS ...] [PRIVATE_DEPS ...])
# A static library whose public headers live under NAME/include/NAME/.
function(ticketing_library name)
  cmake_parse_arguments(arg "" "" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${name} STATIC ${arg_SOURCES})
  add_library(ticketing::${name} ALIAS ${name})
  target_include_directories(${name}
    PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include
    PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src)
  target_link_libraries(${name} PUBLIC ${arg_PUBLIC_DEPS} PRIVATE ${arg_PRIVATE_DEPS})
  ticketing_target_defaults(${name})
endfunction()
