// The walk: what it lists does not depend on how many threads list the folders, or in what order
// the file system keeps their entries.
#include "source/discover.h"
#include "source/file_io.h"

#include "testing.h"

#include <llvm/ADT/SmallString.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>

#include <doctest/doctest.h>

#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

using namespace poolify;

namespace {

std::vector<std::string> displays(const source::Discovery &d) {
  std::vector<std::string> out;
  for (const auto &f : d.files)
    out.push_back(f.display());
  return out;
}

// A tree as real ones are: packages several levels deep, folders that are never walked (caches,
// virtualenvs, build output), links to a file and to a folder inside the tree, a temp file left by
// an interrupted run, a folder named like a module.
void buildTree(const testing::TempDir &t) {
  for (int pkg = 0; pkg < 12; ++pkg)
    for (int sub = 0; sub < 5; ++sub)
      for (int mod = 0; mod < 4; ++mod)
        t.write("src/pkg" + std::to_string(pkg) + "/sub" + std::to_string(sub) + "/m" + std::to_string(mod) + ".py",
                "x = 1\n");
  t.write("src/__init__.py", "");
  t.write("src/__pycache__/cached.py", "");
  t.write("node_modules/lib/index.py", "");
  t.write("env/pyvenv.cfg", "home = /usr/bin\n");
  t.write("env/lib/site.py", "");
  t.write("tools/build/gen.py", "");
  t.write("tools/run.py", "");
  t.write("tools/README.md", "not python\n");
  t.write("odd.py/inner.py", ""); // a folder named x.py is walked as a folder
  std::string temp = t.write("tools/.run.py.poolify-AbC123", "left over\n");
  const struct timespec old[2] = {{1577836800, 0}, {1577836800, 0}}; // 2020: before this run
  REQUIRE(::utimensat(AT_FDCWD, temp.c_str(), old, 0) == 0);
  REQUIRE(::symlink("run.py", (t.path + "/tools/alias.py").c_str()) == 0);
  REQUIRE(::symlink("../src/pkg0", (t.path + "/tools/linked").c_str()) == 0);
}

} // namespace

TEST_CASE("the walk lists the same files, notes and problems on one thread as on several") {
  testing::TempDir t;
  buildTree(t);
  std::vector<std::string> roots{t.path};
  source::Discovery one = source::discover(roots, 1);
  std::vector<std::string> expected;
  for (int pkg = 0; pkg < 12; ++pkg)
    for (int sub = 0; sub < 5; ++sub)
      for (int mod = 0; mod < 4; ++mod)
        expected.push_back(t.path + "/src/pkg" + std::to_string(pkg) + "/sub" + std::to_string(sub) + "/m" +
                           std::to_string(mod) + ".py");
  expected.push_back(t.path + "/odd.py/inner.py");
  expected.push_back(t.path + "/src/__init__.py");
  expected.push_back(t.path + "/tools/run.py");
  std::sort(expected.begin(), expected.end());
  std::vector<std::string> paths;
  for (const auto &f : one.files) {
    paths.push_back(f.path);
    CHECK(f.listed.has_value());
  }
  std::sort(paths.begin(), paths.end());
  // Never: __pycache__, node_modules, a virtualenv, build output; the link to run.py is the same
  // file (named once, by its own path); the linked folder's files are walked where they are.
  CHECK(paths == expected);
  CHECK(one.problems.empty());
  REQUIRE(one.staleTemps.size() == 1);
  CHECK(one.staleTemps.front() == t.path + "/tools/.run.py.poolify-AbC123");
  for (unsigned jobs : {2u, 4u, 0u}) {
    CAPTURE(jobs);
    source::Discovery many = source::discover(roots, jobs);
    CHECK(displays(many) == displays(one));
    CHECK(many.notes == one.notes);
    CHECK(many.problems == one.problems);
    CHECK(many.staleTemps == one.staleTemps);
  }
  source::setTreeRoots({});
}

TEST_CASE("of two links to one file outside the listed files, the walk keeps the one first by path") {
  testing::TempDir t;
  t.write("data/target.txt", "x = 1\n"); // not *.py: only the links to it are listed
  for (const char *name : {"b/zz.py", "a/x/deep.py", "c/mid.py"}) {
    t.write(std::string(name) + ".keep", "");
    REQUIRE(::symlink((t.path + "/data/target.txt").c_str(), (t.path + "/" + name).c_str()) == 0);
  }
  for (unsigned jobs : {1u, 4u}) {
    CAPTURE(jobs);
    source::Discovery d = source::discover({t.path}, jobs);
    REQUIRE(d.files.size() == 1);
    CHECK(d.files.front().path == t.path + "/a/x/deep.py"); // before b/zz.py, though deeper
  }
  source::setTreeRoots({});
}

// Paths the walk made take a join instead of LLVM's make_absolute and remove_dots; every path must
// come out as those would make it, clean or not.
TEST_CASE("lexicalAbsolute makes a path absolute and drops . and .. as LLVM's path functions do") {
  auto reference = [](const std::string &p, const std::string &cwd) {
    llvm::SmallString<256> abs(p.empty() ? "." : p);
    llvm::sys::fs::make_absolute(cwd, abs);
    llvm::sys::path::remove_dots(abs, /*remove_dot_dot=*/true);
    return std::string(abs);
  };
  const std::vector<std::string> cwds = {"/work/repo", "/", "/work/./repo", "/work/repo/", "//net/x", "/a/../b"};
  const std::vector<std::string> paths = {"pkg/mod.py",
                                          "./pkg/mod.py",
                                          "pkg/./mod.py",
                                          "pkg//mod.py",
                                          "pkg/mod.py/",
                                          "../up/mod.py",
                                          "pkg/../mod.py",
                                          "/abs/pkg/mod.py",
                                          "/abs//pkg",
                                          "/",
                                          ".",
                                          "..",
                                          "",
                                          "a",
                                          "/a/",
                                          "a/..",
                                          ".hidden/x.py",
                                          "..x/y.py",
                                          "x./y.py",
                                          "a/.../b",
                                          "//root",
                                          "/abs/./x",
                                          "././pkg/m.py",
                                          "./",
                                          ".//a",
                                          "./.",
                                          "./../a",
                                          "./a/"};
  for (const auto &cwd : cwds)
    for (const auto &p : paths) {
      CAPTURE(cwd);
      CAPTURE(p);
      CHECK(source::lexicalAbsolute(p, cwd) == reference(p, cwd));
      // A join is taken only where keeping `..` (as FilesByPath does) would make the same path.
      if (auto joined = source::joinedAbsolute(p, cwd)) {
        llvm::SmallString<256> keepDotDot(p);
        llvm::sys::fs::make_absolute(cwd, keepDotDot);
        llvm::sys::path::remove_dots(keepDotDot, /*remove_dot_dot=*/false);
        CHECK(*joined == std::string(keepDotDot));
      }
    }
}
