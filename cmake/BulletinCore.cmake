# The seam between a service's rules and its storage/transport, enforced by the build.

# bulletin_core_library(TARGET SOURCES... LIBS...): a service's core/ (rules and store
# interfaces). Its whole link closure is checked at the end of configuration: a core that
# links, directly or through another target, a storage or transport library fails the
# configure step, so a stray include of hiredis, SQLite, curl or gRPC cannot build.
set(BULLETIN_FORBIDDEN_IN_CORE PkgConfig::HIREDIS SQLite::SQLite3 CURL::libcurl gRPC::grpc
  gRPC::grpc++ gRPC::grpc++_reflection gRPC::gpr prometheus-cpp::pull civetweb::civetweb
  civetweb::civetweb-cpp PkgConfig::PQ)
function(bulletin_core_library name)
  cmake_parse_arguments(C "" "" "SOURCES;LIBS" ${ARGN})
  add_library(${name} STATIC ${C_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${C_LIBS})
  set_property(GLOBAL APPEND PROPERTY BULLETIN_CORE_TARGETS ${name})
endfunction()

# The targets `target` links, transitively (generator expressions reduced to their target).
function(_bulletin_link_closure target out_var)
  set(seen "")
  set(queue ${target})
  while(queue)
    list(POP_FRONT queue t)
    if(t IN_LIST seen)
      continue()
    endif()
    list(APPEND seen ${t})
    if(NOT TARGET ${t})
      continue()
    endif()
    get_target_property(aliased ${t} ALIASED_TARGET)
    if(aliased)
      list(APPEND queue ${aliased})
    endif()
    set(links "")
    foreach(prop LINK_LIBRARIES INTERFACE_LINK_LIBRARIES)
      get_target_property(l ${t} ${prop})
      if(l)
        list(APPEND links ${l})
      endif()
    endforeach()
    foreach(l ${links})
      string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" l "${l}")
      list(APPEND queue ${l})
    endforeach()
  endwhile()
  set(${out_var} ${seen} PARENT_SCOPE)
endfunction()

function(bulletin_check_cores)
  get_property(cores GLOBAL PROPERTY BULLETIN_CORE_TARGETS)
  foreach(core ${cores})
    _bulletin_link_closure(${core} closure)
    foreach(bad ${BULLETIN_FORBIDDEN_IN_CORE})
      if(bad IN_LIST closure)
        message(FATAL_ERROR "${core} links ${bad}: a core links no storage or transport "
          "library (put that code in the service's store/, events/ or grpc/ folder)")
      endif()
    endforeach()
  endforeach()
  list(LENGTH cores n)
  message(STATUS "core targets checked (no storage or transport library): ${n}")
endfunction()
