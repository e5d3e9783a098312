# Tests: doctest unit tests, rule examples, golden cases (one ctest test each), output checks.
find_package(Python3 REQUIRED COMPONENTS Interpreter)

file(GLOB POOLIFY_UNIT_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/unit/*.cpp)
add_executable(poolify_unit_tests ${POOLIFY_UNIT_SOURCES})
target_link_libraries(poolify_unit_tests PRIVATE poolify_core doctest::doctest)
include(doctest)
doctest_discover_tests(poolify_unit_tests)

add_test(NAME rules.examples COMMAND poolify rules test)

# The layers of tool/ (CMakeLists.txt, poolify_layer): no include upwards and no "../" path, which the
# compiler would find beside the source whatever a layer's include root holds; and the checker's self-test.
add_test(NAME layers COMMAND "${Python3_EXECUTABLE}" "${CMAKE_SOURCE_DIR}/tests/layers_test.py")
add_test(NAME layers.self_test COMMAND "${Python3_EXECUTABLE}" "${CMAKE_SOURCE_DIR}/tests/layers_test.py" --self-test)

# Golden cases (fixtures/golden/README.md): migrate cases NN-name (golden.NN-name), and cases of other
# commands GROUP/NAME with a `command` file (golden.GROUP.NAME); a GROUP folder is not a migrate case.
file(GLOB golden_commands CONFIGURE_DEPENDS "${CMAKE_SOURCE_DIR}/fixtures/golden/*/*/command")
set(golden_groups "")
foreach(command IN LISTS golden_commands)
  get_filename_component(case "${command}" DIRECTORY)
  get_filename_component(group "${case}" DIRECTORY)
  list(APPEND golden_groups "${group}")
endforeach()
file(GLOB golden_cases LIST_DIRECTORIES true CONFIGURE_DEPENDS "${CMAKE_SOURCE_DIR}/fixtures/golden/*")
foreach(case IN LISTS golden_cases)
  if(IS_DIRECTORY "${case}/input" AND NOT case IN_LIST golden_groups)
    get_filename_component(name "${case}" NAME)
    add_test(NAME "golden.${name}"
             COMMAND "${Python3_EXECUTABLE}" "${CMAKE_SOURCE_DIR}/tests/golden.py"
                     --poolify $<TARGET_FILE:poolify> --case "${case}")
  endif()
endforeach()
foreach(command IN LISTS golden_commands)
  get_filename_component(case "${command}" DIRECTORY)
  get_filename_component(group "${case}" DIRECTORY)
  get_filename_component(name "${case}" NAME)
  get_filename_component(group "${group}" NAME)
  add_test(NAME "golden.${group}.${name}"
           COMMAND "${Python3_EXECUTABLE}" "${CMAKE_SOURCE_DIR}/tests/golden.py"
                   --poolify $<TARGET_FILE:poolify> --case "${case}")
endforeach()
add_test(NAME golden.outputs_compile
         COMMAND "${Python3_EXECUTABLE}" "${CMAKE_SOURCE_DIR}/tests/check_outputs.py"
                 "${CMAKE_SOURCE_DIR}/fixtures/golden")

if(EXISTS ${CMAKE_SOURCE_DIR}/tests/cli_test.py)
  add_test(NAME cli COMMAND "${Python3_EXECUTABLE}" "${CMAKE_SOURCE_DIR}/tests/cli_test.py" --poolify $<TARGET_FILE:poolify>)
endif()
if(EXISTS ${CMAKE_SOURCE_DIR}/tests/manifest_check_test.py)
  add_test(NAME manifest_check COMMAND "${Python3_EXECUTABLE}" "${CMAKE_SOURCE_DIR}/tests/manifest_check_test.py"
           --poolify $<TARGET_FILE:poolify>)
endif()
add_test(NAME batches COMMAND "${Python3_EXECUTABLE}" "${CMAKE_SOURCE_DIR}/tests/batches_test.py" --poolify $<TARGET_FILE:poolify>)
if(EXISTS ${CMAKE_SOURCE_DIR}/tests/report_test.py)
  add_test(NAME report COMMAND "${Python3_EXECUTABLE}" "${CMAKE_SOURCE_DIR}/tests/report_test.py"
           --poolify $<TARGET_FILE:poolify>)
  # Without chromium the rendering checks are skipped with a message, the rest still run and pass.
  add_test(NAME report.without_chromium COMMAND "${Python3_EXECUTABLE}" "${CMAKE_SOURCE_DIR}/tests/report_test.py"
           --poolify $<TARGET_FILE:poolify> --without-chromium)
endif()
add_test(NAME cache COMMAND "${Python3_EXECUTABLE}" "${CMAKE_SOURCE_DIR}/tests/cache_test.py" --poolify $<TARGET_FILE:poolify>)
# Test patches retargeted with the code they patch, run with unittest before and after --apply.
add_test(NAME patches_e2e COMMAND "${Python3_EXECUTABLE}" "${CMAKE_SOURCE_DIR}/tests/patches_e2e_test.py"
         --poolify $<TARGET_FILE:poolify>)
# Pool imports that `from M import *` would carry into other modules (golden cases 347-352), run
# before and after --apply: the star importers must behave the same.
add_test(NAME star_import_runtime COMMAND "${Python3_EXECUTABLE}" "${CMAKE_SOURCE_DIR}/tests/star_import_runtime_test.py"
         --poolify $<TARGET_FILE:poolify>)
add_test(NAME pipeline COMMAND "${Python3_EXECUTABLE}" "${CMAKE_SOURCE_DIR}/tests/pipeline_test.py" --poolify $<TARGET_FILE:poolify>)
# The reference pool modules `poolify pools init` writes (rules/templates), run with fake Google libraries
# and the installed requests against a local server; exit 77 (skipped) when requests is not installed.
add_test(NAME pool_templates COMMAND "${Python3_EXECUTABLE}" "${CMAKE_SOURCE_DIR}/tests/pool_templates_test.py")
set_tests_properties(pool_templates PROPERTIES SKIP_RETURN_CODE 77)
# The differential oracle: golden cases, the example tree and a generated corpus; and its own self-test.
add_test(NAME oracle COMMAND "${Python3_EXECUTABLE}" "${CMAKE_SOURCE_DIR}/tests/ast_oracle.py"
         --poolify $<TARGET_FILE:poolify> --tree "${CMAKE_SOURCE_DIR}/fixtures/pipeline" --generate 300)
add_test(NAME oracle.self_test COMMAND "${Python3_EXECUTABLE}" "${CMAKE_SOURCE_DIR}/tests/ast_oracle.py" --self-test)
# The runtime checker of migrated trees (tests/runtime_check.py: imports per root, tests under
# FAKE_CLIENTS_STRICT=1, patch targets): it must catch each kind of regression and pass an unchanged tree.
add_test(NAME runtime_check.self_test COMMAND "${Python3_EXECUTABLE}" "${CMAKE_SOURCE_DIR}/tests/runtime_check_test.py")
# Hostile inputs, interrupted runs, a full disk (root: a small tmpfs). Under the sanitizers
# (scripts/sanitize.sh) its giant-file case uses 10 MB instead of 50 MB.
add_test(NAME safety COMMAND "${Python3_EXECUTABLE}" "${CMAKE_SOURCE_DIR}/tests/safety_test.py" --poolify $<TARGET_FILE:poolify>)
set_tests_properties(safety PROPERTIES TIMEOUT 900)
# The binary alone: --version (commit, rules' hash), embedded rules in a copy outside the build tree,
# --rules overriding them, no shared library but glibc's (POOLIFY_STATIC), the comment flood.
add_test(NAME binary COMMAND "${Python3_EXECUTABLE}" "${CMAKE_SOURCE_DIR}/tests/binary_test.py"
         --poolify $<TARGET_FILE:poolify> $<$<BOOL:${POOLIFY_STATIC}>:--expect-static>)
# The release artifacts of scripts/package.sh, installed offline with npm and run with the build
# folder renamed away: alone (RUN_SERIAL), since every other test needs that folder.
add_test(NAME package COMMAND "${Python3_EXECUTABLE}" "${CMAKE_SOURCE_DIR}/tests/package_test.py"
         --poolify $<TARGET_FILE:poolify>)
set_tests_properties(package PROPERTIES RUN_SERIAL TRUE)
# The composite action's steps (action.yml), run as GitHub's runner runs them, on the packaged archive.
add_test(NAME action COMMAND "${Python3_EXECUTABLE}" "${CMAKE_SOURCE_DIR}/tests/action_test.py"
         --poolify $<TARGET_FILE:poolify>)
# scripts/setup.sh and the scripts/poolify wrapper with stand-ins for apt-get, npm and cmake: what
# each option installs, one line per step, the tool alone built on first use.
add_test(NAME setup COMMAND "${Python3_EXECUTABLE}" "${CMAKE_SOURCE_DIR}/tests/setup_test.py")
# A migration end to end at run time (tests/runtime_e2e_test.py): a generated tree with its pools missing
# (scripts/gen_tree.py), `pools init` then `migrate --apply`, plain and with --unsafe-fixes, checked by
# tests/runtime_check.py: no module may stop importing (tree root, units, scripts/), no patch target may
# stop resolving, a second run changes nothing. Patches that stop intercepting are printed, not asserted
# (INTERCEPT_ASSERTED in the script) until test patches migrate with the code.
add_test(NAME runtime_e2e COMMAND "${Python3_EXECUTABLE}" "${CMAKE_SOURCE_DIR}/tests/runtime_e2e_test.py"
         --poolify $<TARGET_FILE:poolify> --scale 1)
set_tests_properties(runtime_e2e PROPERTIES TIMEOUT 900)
