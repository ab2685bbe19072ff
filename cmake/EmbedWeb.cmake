# Writes OUT, a C++ source holding every file of DIR (the web app) with its
# ETag (a SHA-256 prefix of its bytes), so one executable serves it all.
# Run at build time: cmake -DDIR=... -DOUT=... -P EmbedWeb.cmake
file(GLOB names RELATIVE ${DIR} ${DIR}/*)
list(SORT names)
set(arrays "")
set(table "")
set(i 0)
foreach(name IN LISTS names)
  if(IS_DIRECTORY ${DIR}/${name})
    continue()
  endif()
  file(READ ${DIR}/${name} hex HEX)
  string(LENGTH "${hex}" digits)
  if(digits EQUAL 0)
    continue()
  endif()
  math(EXPR size "${digits} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  file(SHA256 ${DIR}/${name} sha)
  string(SUBSTRING ${sha} 0 20 etag)
  string(APPEND arrays "constexpr unsigned char kFile${i}[] = {${bytes}};\n")
  string(APPEND table "      {\"${name}\", {reinterpret_cast<char const*>(kFile${i}), ${size}}, \"\\\"${etag}\\\"\"},\n")
  math(EXPR i "${i} + 1")
endforeach()
file(WRITE ${OUT}.tmp
"// Generated from web/ by cmake/EmbedWeb.cmake; do not edit.
#include \"web_files.hpp\"

namespace ticketing::api {
namespace {
${arrays}
}  // namespace

std::span<WebFile const> web_files() {
  static WebFile const files[] = {
${table}  };
  return files;
}

}  // namespace ticketing::api
")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
file(REMOVE ${OUT}.tmp)
