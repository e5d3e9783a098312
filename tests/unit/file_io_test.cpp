// Writes are atomic, keep the mode, follow links, and never overwrite a file that changed since it was read.
#include "source/file_io.h"

#include <doctest/doctest.h>

#include <chrono>
#include <climits>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <future>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

using namespace poolify::source;

namespace {
struct TempDir {
  std::string path;
  // Writes are confined to the tree roots a run sets, and another test in this process may have
  // left its own: a test starts unrestricted, and registers a tree with `Tree` when it needs one.
  TempDir() {
    char tmpl[] = "/tmp/poolify-io-XXXXXX";
    path = ::mkdtemp(tmpl);
    setTreeRoots({});
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

// --- the second hostile-user round ---------------------------------------------------------------

namespace {
// Registers `dir` as the run's tree for the test's duration.
struct Tree {
  explicit Tree(const std::string &dir) {
    char real[PATH_MAX];
    REQUIRE(::realpath(dir.c_str(), real));
    setTreeRoots({real});
  }
  ~Tree() { setTreeRoots({}); }
};
struct BreakHardlinks {
  BreakHardlinks() { setBreakHardlinks(true); }
  ~BreakHardlinks() { setBreakHardlinks(false); }
};
} // namespace

TEST_CASE("reading a FIFO put in a file's place does not block") {
  // Was a bug (fixed): a file replaced by a FIFO between the walk and the read blocked a worker in
  // open() for ever.
  TempDir d;
  std::string p = d.path + "/a.py";
  REQUIRE(::mkfifo(p.c_str(), 0644) == 0);
  auto result = std::async(std::launch::async, [&] {
    auto r = readFile(p);
    return r ? std::string("read") : llvm::toString(r.takeError());
  });
  if (result.wait_for(std::chrono::seconds(5)) != std::future_status::ready) {
    int w = ::open(p.c_str(), O_WRONLY | O_NONBLOCK); // lets the blocked reader go, so the test ends
    if (w >= 0)
      ::close(w);
    FAIL("readFile blocked on a FIFO");
  }
  CHECK(result.get() == "a FIFO (named pipe), not a regular file");
}

TEST_CASE("a file swapped for a link to an outside file with the same bytes is not written through it") {
  // Was a bug (fixed): the outside target was rewritten.
  TempDir d, outside;
  std::string target = outside.file("secret.py", "old\n");
  std::string p = d.file("a.py", "old\n");
  Tree tree(d.path);
  REQUIRE(::unlink(p.c_str()) == 0);
  REQUIRE(::symlink(target.c_str(), p.c_str()) == 0);
  llvm::Error err = writeAtomically(p, "new\n", "old\n");
  REQUIRE(static_cast<bool>(err));
  CHECK(llvm::toString(std::move(err)).find("outside the tree") != std::string::npos);
  CHECK(slurp(target) == "old\n");
  struct stat st;
  REQUIRE(::lstat(p.c_str(), &st) == 0);
  CHECK(S_ISLNK(st.st_mode));
  CHECK(entries(d.path) == 1);
  // A link inside the tree is still written through (the target replaced, the link kept).
  std::string inner = d.file("real.py", "old\n");
  std::string link = d.path + "/link.py";
  REQUIRE(::symlink("real.py", link.c_str()) == 0);
  CHECK_FALSE(static_cast<bool>(writeAtomically(link, "new\n", "old\n")));
  CHECK(slurp(inner) == "new\n");
}

TEST_CASE("a folder swapped for a link out of the tree is not followed") {
  TempDir d, outside;
  REQUIRE(::mkdir((d.path + "/pkg").c_str(), 0755) == 0);
  std::string p = d.file("pkg/a.py", "old\n");
  std::string target = outside.file("a.py", "old\n");
  Tree tree(d.path);
  // The folder is swapped for a link to an outside folder holding the same file. (The write also
  // opens the folder component by component with O_NOFOLLOW, for a swap after its path check.)
  REQUIRE(std::system(("rm -rf '" + d.path + "/pkg'").c_str()) == 0);
  REQUIRE(::symlink(outside.path.c_str(), (d.path + "/pkg").c_str()) == 0);
  llvm::Error err = writeAtomically(p, "new\n", "old\n");
  CHECK(static_cast<bool>(err));
  llvm::consumeError(std::move(err));
  CHECK(slurp(target) == "old\n");
}

TEST_CASE("a file with other hard links is not written unless asked") {
  // Was a bug (fixed): --apply broke the link and left the other name unmigrated.
  TempDir d;
  std::string a = d.file("a.py", "old\n");
  std::string b = d.path + "/b.py";
  REQUIRE(::link(a.c_str(), b.c_str()) == 0);
  llvm::Error err = writeAtomically(a, "new\n", "old\n");
  REQUIRE(static_cast<bool>(err));
  CHECK(llvm::toString(std::move(err)).find("2 names (hard links)") != std::string::npos);
  CHECK(slurp(a) == "old\n");
  BreakHardlinks allow;
  CHECK_FALSE(static_cast<bool>(writeAtomically(a, "new\n", "old\n")));
  CHECK(slurp(a) == "new\n");
  CHECK(slurp(b) == "old\n");
}

TEST_CASE("owner, group, mode with setuid, and extended attributes are kept") {
  // Was a bug (fixed): run as root, another user's files became root:root, user.* attributes were
  // dropped, and a user's mode-4755 file became a setuid-root file.
  TempDir d;
  std::string p = d.file("run.py", "old\n", 0644);
  bool root = ::geteuid() == 0;
  if (root)
    REQUIRE(::chown(p.c_str(), 4321, 4322) == 0);
  REQUIRE(::chmod(p.c_str(), root ? 04755 : 0755) == 0);
  bool xattrs = ::setxattr(p.c_str(), "user.poolify-test", "kept", 4, 0) == 0; // not every file system has them
  CHECK_FALSE(static_cast<bool>(writeAtomically(p, "new\n", "old\n")));
  CHECK(slurp(p) == "new\n");
  struct stat st;
  REQUIRE(::stat(p.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == (root ? 04755u : 0755u));
  if (root) {
    CHECK(st.st_uid == 4321u);
    CHECK(st.st_gid == 4322u);
  }
  if (xattrs) {
    char value[16] = {};
    CHECK(::getxattr(p.c_str(), "user.poolify-test", value, sizeof value) == 4);
    CHECK(std::string(value) == "kept");
  } else {
    MESSAGE("user.* extended attributes are not supported here: that part is not checked");
  }
}

TEST_CASE("poolify's temp file names") {
  CHECK(isTempName(".a.py.poolify-Ab12xZ"));
  CHECK(isTempName(tempPrefix("x y.py") + "000000"));
  CHECK_FALSE(isTempName(".a.py.poolify-Ab12x"));
  CHECK_FALSE(isTempName("a.py.poolify-Ab12xZ"));
  CHECK_FALSE(isTempName(".a.py.poolify-Ab12x!"));
}
