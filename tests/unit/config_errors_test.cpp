// A bad poolify.yaml stops the run with file:line:col; nothing it names silently matches nothing.
#include "config/config.h"

#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

using namespace poolify::config;

namespace {
std::string errorFor(const std::string &yaml, const std::string &name = "poolify.yaml") {
  std::string dir = "/tmp/poolify_config_test_" + std::to_string(::getpid());
  ::mkdir(dir.c_str(), 0755);
  std::string path = dir + "/" + name;
  std::ofstream(path) << yaml;
  auto c = loadConfig(path);
  std::remove(path.c_str());
  ::rmdir(dir.c_str());
  if (c)
    return "";
  std::string msg = llvm::toString(c.takeError());
  return msg.substr(msg.find(name) + name.size());
}
} // namespace

TEST_CASE("a glob that can match nothing is refused where it stands") {
  // Was accepted silently: `exclude: ["["]` excluded nothing.
  CHECK(errorFor("exclude: [\"[\"]\n") ==
        ":1:11: error: exclude: the glob '[' has a '[' (column 1 of the glob) without its closing ']', so it matches "
        "nothing");
  CHECK(errorFor("categories:\n  api: [\"api/[]x\"]\n")
            .find(":2:9: error: category api: the glob 'api/[]x' has an "
                  "empty character class '[]'") == 0);
  CHECK(errorFor("batches:\n  - name: one\n    globs: [\"\"]\n").find(":3:13: error: globs: the glob '' is empty") ==
        0);
  CHECK(errorFor("exclude: [\"[z-a]*.py\"]\n").find("has a range 'z-a' that holds no character") != std::string::npos);
  CHECK(errorFor("exclude: [\"tests/**\", \"*_pb2.py\", \"[!_]*.py\", \"gen/[a-c]?/\"]\n") == "");
}

TEST_CASE("duplicate keys are refused, naming both lines") {
  CHECK(errorFor("exclude: [a]\nexclude: [b]\n") == ":2:1: error: duplicate key 'exclude' (first at line 1)");
  CHECK(errorFor("categories:\n  api: [a]\n  api: [b]\n") == ":3:3: error: duplicate key 'api' (first at line 2)");
  CHECK(errorFor("batches:\n  - name: one\n    name: two\n") == ":3:5: error: duplicate key 'name' (first at line 2)");
}

TEST_CASE("a configuration file must be a YAML file: nothing else is read or echoed") {
  std::string e = errorFor("root:$6$hash:19000:0:99999:7:::\n", "shadow");
  CHECK(e.find("not a configuration file") != std::string::npos);
  CHECK(e.find("root:") == std::string::npos);
}

TEST_CASE("globs match as documented") {
  CHECK(globMatch("*.py", "a/b/c.py"));
  CHECK(globMatch("a/**/c.py", "a/b/x/c.py"));
  CHECK(globMatch("[!_]*.py", "x.py"));
  CHECK_FALSE(globMatch("[!_]*.py", "_x.py"));
}
