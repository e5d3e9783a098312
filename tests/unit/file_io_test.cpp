// Writes are atomic, keep the mode, follow links, and never overwrite a file that changed since it was read.
#include "source/file_io.h"

#include <doctest/doctest.h>

#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

using namespace poolify::source;

namespace {
struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/poolify-io-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
  std::string file(const std::string &name, const std::string &contents, mode_t mode = 0644) const {
    std::string p = path + "/" + name;
    std::ofstream(p, std::ios::binary) << contents;
    ::chmod(p.c_str(), mode);
    return p;
  }
};
std::string slurp(const std::string &p) {
  auto r = readFile(p);
  REQUIRE(r);
  return *r;
}
size_t entries(const std::string &dir) {
  size_t n = 0;
  if (FILE *f = ::popen(("ls -A '" + dir + "' | wc -l").c_str(), "r")) {
    if (std::fscanf(f, "%zu", &n) != 1)
      n = 0;
    ::pclose(f);
  }
  return n;
}
} // namespace

TEST_CASE("a file that changed on disk since it was read is not overwritten") {
  TempDir d;
  std::string p = d.file("a.py", "edited by someone else\n");
  llvm::Error err = writeAtomically(p, "new\n", "what poolify read\n");
  CHECK(static_cast<bool>(err));
  CHECK(llvm::toString(std::move(err)).find("changed on disk") != std::string::npos);
  CHECK(slurp(p) == "edited by someone else\n");
  CHECK(entries(d.path) == 1); // no temp file left behind
}

TEST_CASE("an atomic write replaces the bytes and keeps the mode") {
  TempDir d;
  std::string p = d.file("run.py", "old\n", 0755);
  CHECK_FALSE(static_cast<bool>(writeAtomically(p, "new\n", "old\n")));
  CHECK(slurp(p) == "new\n");
  struct stat st;
  REQUIRE(::stat(p.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0755);
  CHECK(entries(d.path) == 1);
}

TEST_CASE("a read-only file is not written") {
  TempDir d;
  std::string p = d.file("ro.py", "old\n", 0444);
  llvm::Error err = writeAtomically(p, "new\n", "old\n");
  CHECK(static_cast<bool>(err));
  CHECK(llvm::toString(std::move(err)).find("read-only") != std::string::npos);
  CHECK(slurp(p) == "old\n");
}

TEST_CASE("writing through a symbolic link replaces the target and keeps the link") {
  TempDir d;
  std::string target = d.file("real.py", "old\n");
  std::string link = d.path + "/link.py";
  REQUIRE(::symlink("real.py", link.c_str()) == 0);
  CHECK_FALSE(static_cast<bool>(writeAtomically(link, "new\n", "old\n")));
  CHECK(slurp(target) == "new\n");
  struct stat st;
  REQUIRE(::lstat(link.c_str(), &st) == 0);
  CHECK(S_ISLNK(st.st_mode));
}
