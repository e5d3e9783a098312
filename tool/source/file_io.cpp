#include "source/file_io.h"

#include "source/posix.h"
#include "support/text.h"

#include <llvm/Support/Path.h>

#include <fmt/format.h>

#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

namespace poolify::source {

namespace {

std::vector<std::string> gRoots;
bool gBreakHardlinks = false;

std::optional<std::string> realPath(const std::string &p) {
  char buf[PATH_MAX];
  if (!::realpath(p.c_str(), buf))
    return std::nullopt;
  return std::string(buf);
}

// The root `real` lies in, or "" (none registered, or outside all of them).
std::string rootOf(const std::string &real) {
  for (const auto &r : gRoots)
    if (real == r || r == "/" || (real.size() > r.size() && real.compare(0, r.size(), r) == 0 && real[r.size()] == '/'))
      return r;
  return "";
}

std::string readError(int err) {
  if (err == ENAMETOOLONG)
    return fmt::format("cannot read: the path is longer than the system allows (PATH_MAX {})", PATH_MAX);
  return fmt::format("cannot read: {}", std::strerror(err));
}

} // namespace

void setTreeRoots(std::vector<std::string> realRoots) { gRoots = std::move(realRoots); }

bool insideTree(const std::string &real) { return gRoots.empty() || !rootOf(real).empty(); }

void setBreakHardlinks(bool on) { gBreakHardlinks = on; }

llvm::Expected<std::string> readFile(const std::string &path) {
  // O_NONBLOCK: opening a FIFO put in a file's place returns at once; fstat then refuses it.
  const int flags = O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC;
  Fd fd(::open(path.c_str(), flags));
  if (!fd && errno == ELOOP) { // a symbolic link: followed only inside the tree
    auto real = realPath(path);
    if (!real)
      return llvm::createStringError(std::error_code(errno, std::generic_category()), "%s", readError(errno).c_str());
    if (!insideTree(*real))
      return plainError(std::errc::operation_not_permitted,
                        fmt::format("a symbolic link to {}, outside the tree", *real));
    fd = Fd(::open(real->c_str(), flags));
  }
  if (!fd)
    return llvm::createStringError(std::error_code(errno, std::generic_category()), "%s", readError(errno).c_str());
  struct stat st;
  if (::fstat(fd.get(), &st) != 0)
    return llvm::createStringError(std::error_code(errno, std::generic_category()), "%s", readError(errno).c_str());
  if (!S_ISREG(st.st_mode))
    return plainError(std::errc::invalid_argument, fileKind(st.st_mode) + ", not a regular file");
  std::string out;
  out.reserve(static_cast<size_t>(st.st_size));
  if (!readAll(fd.get(), out))
    return llvm::createStringError(std::error_code(errno, std::generic_category()), "%s", readError(errno).c_str());
  return out;
}

llvm::Expected<std::string> readYamlFile(const std::string &path, const std::string &kind) {
  llvm::StringRef ext = llvm::sys::path::extension(path);
  if (ext != ".yaml" && ext != ".yml")
    return plainError(std::errc::invalid_argument,
                      fmt::format("{}: error: not a {} (its name must end in .yaml or .yml); not read", path, kind));
  auto text = readFile(path);
  if (!text)
    return plainError(std::errc::io_error,
                      fmt::format("{}: error: {} ({})", path, llvm::toString(text.takeError()), kind));
  if (auto bad = firstInvalidUtf8(*text)) {
    auto lc = LineIndex(*text).at(*bad);
    return plainError(std::errc::illegal_byte_sequence,
                      fmt::format("{}:{}:{}: error: the {} is not valid UTF-8", path, lc.line, lc.col, kind));
  }
  return text;
}

llvm::Error createNewFile(const std::string &path, const std::string &contents) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0)
    return llvm::createStringError(std::error_code(errno, std::generic_category()), "%s: cannot create: %s",
                                   path.c_str(), std::strerror(errno));
  size_t done = 0;
  while (done < contents.size()) {
    ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      int err = errno;
      ::close(fd);
      ::unlink(path.c_str()); // nothing half written stays behind
      return llvm::createStringError(std::error_code(err, std::generic_category()), "%s: cannot write: %s",
                                     path.c_str(), std::strerror(err));
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    int err = errno;
    ::unlink(path.c_str());
    return llvm::createStringError(std::error_code(err, std::generic_category()), "%s: cannot write: %s", path.c_str(),
                                   std::strerror(err));
  }
  return llvm::Error::success();
}

namespace {
volatile sig_atomic_t gInterrupted = 0;
void onInterrupt(int) { gInterrupted = 1; }
} // namespace

void deferInterrupts() {
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_handler = onInterrupt;
  sa.sa_flags = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP})
    sigaction(sig, &sa, nullptr);
}

bool interrupted() { return gInterrupted != 0; }

std::string tempPrefix(const std::string &name) { return "." + name + ".poolify-"; }

bool isTempName(const std::string &name) {
  size_t at = name.rfind(".poolify-");
  if (name.size() < 2 || name[0] != '.' || at == std::string::npos || at < 2 || at + 9 + 6 != name.size())
    return false;
  for (size_t i = at + 9; i < name.size(); ++i)
    if (!std::isalnum(static_cast<unsigned char>(name[i])))
      return false;
  return true;
}

namespace {

// The folder `realDir` opened one component at a time from its root, none of them followed if it
// is a symbolic link: a folder swapped for a link since the file was found is refused, not
// followed out of the tree. Without roots (tests, direct use) it is opened as it is.
llvm::Expected<Fd> openFolder(const std::string &realDir) {
  std::string root = rootOf(realDir);
  if (root.empty()) {
    Fd fd(::open(realDir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd)
      return errnoError(errno, "cannot open the folder", realDir);
    return fd;
  }
  Fd fd(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd)
    return errnoError(errno, "cannot open the folder", root);
  llvm::StringRef rest = llvm::StringRef(realDir).drop_front(root == "/" ? 1 : root.size());
  llvm::SmallVector<llvm::StringRef, 16> parts;
  rest.split(parts, '/', -1, false);
  for (llvm::StringRef part : parts) {
    Fd next(::openat(fd.get(), part.str().c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!next) {
      if (errno == ELOOP || errno == ENOTDIR)
        return plainError(
            std::errc::operation_not_permitted,
            fmt::format("the folder {} became a symbolic link since poolify read the file; not written", realDir));
      return errnoError(errno, "cannot open the folder", realDir);
    }
    fd = std::move(next);
  }
  return fd;
}

// Copies every extended attribute of `from` to `to`; one that cannot be set (and is not already
// there with the same value, as a default security label is) refuses the write.
llvm::Error copyXattrs(int from, int to, const std::string &path) {
  ssize_t size = ::flistxattr(from, nullptr, 0);
  if (size < 0)
    return errno == ENOTSUP ? llvm::Error::success()
                            : errnoError(errno, "cannot list the extended attributes of", path);
  std::string names(static_cast<size_t>(size), '\0');
  size = ::flistxattr(from, names.data(), names.size());
  if (size < 0)
    return errnoError(errno, "cannot list the extended attributes of", path);
  names.resize(static_cast<size_t>(size));
  for (size_t i = 0; i < names.size();) {
    std::string name(names.c_str() + i);
    i += name.size() + 1;
    auto value = [&](int fd, std::string &out) {
      ssize_t n = ::fgetxattr(fd, name.c_str(), nullptr, 0);
      if (n < 0)
        return false;
      out.assign(static_cast<size_t>(n), '\0');
      n = ::fgetxattr(fd, name.c_str(), out.data(), out.size());
      if (n >= 0)
        out.resize(static_cast<size_t>(n));
      return n >= 0;
    };
    std::string v, existing;
    if (!value(from, v))
      return errnoError(errno, "cannot read the extended attribute " + name + " of", path);
    if (::fsetxattr(to, name.c_str(), v.data(), v.size(), 0) != 0) {
      int err = errno;
      if (!value(to, existing) || existing != v)
        return llvm::createStringError(std::error_code(err, std::generic_category()),
                                       "cannot give the rewritten file the extended attribute %s (%s); not written",
                                       name.c_str(), std::strerror(err));
    }
  }
  return llvm::Error::success();
}

// The file `name` in the folder `dir`, opened without following it: a file swapped for a
// symbolic link since it was read is refused.
llvm::Expected<Fd> openOriginal(int dir, const std::string &name, const std::string &real) {
  Fd fd(::openat(dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  if (!fd) {
    if (errno == ELOOP)
      return plainError(std::errc::operation_not_permitted,
                        "became a symbolic link since poolify read it; not written");
    return errnoError(errno, "cannot open", real);
  }
  return fd;
}

// Why the file `st` describes may not be replaced by a rewritten copy, if it may not: not a
// regular file, read-only, more than one name (unless --break-hardlinks), or another user's.
llvm::Error refuseUnwritable(const struct stat &st) {
  if (!S_ISREG(st.st_mode))
    return plainError(std::errc::invalid_argument, fileKind(st.st_mode) + " now, not a regular file; not written");
  if (!(st.st_mode & S_IWUSR))
    return plainError(std::errc::permission_denied,
                      "the file is read-only; not written (make it writable to migrate it)");
  if (st.st_nlink > 1 && !gBreakHardlinks)
    return plainError(std::errc::too_many_links,
                      fmt::format("the file has {} names (hard links); not written, since the other names would keep "
                                  "the old code (--break-hardlinks rewrites it and separates them)",
                                  st.st_nlink));
  // The rewritten file must have the same owner and group: only root can give a file to another
  // user, so another user's file is refused rather than silently taken over.
  if (st.st_uid != ::geteuid() && ::geteuid() != 0)
    return plainError(std::errc::operation_not_permitted,
                      fmt::format("the file belongs to user {}, and poolify runs as user {}: a rewritten copy would "
                                  "change its owner; not written",
                                  st.st_uid, ::geteuid()));
  return llvm::Error::success();
}

// Writes `contents` to the temp file `tmp`, gives it the owner, group, mode and extended
// attributes of the original (`st`, open as `original`), then syncs and closes it.
llvm::Error fillTemp(Fd &tmp, const std::string &tmpPath, const std::string &contents, const struct stat &st,
                     int original, const std::string &real) {
  if (!writeAll(tmp.get(), contents))
    return errnoError(errno, "cannot write", tmpPath);
  // Owner and group first (chown clears the setuid and setgid bits), then the mode: the bits come
  // back only because the owner is the same as before.
  bool giveOwner = st.st_uid != ::geteuid() || st.st_gid != ::getegid();
  if (giveOwner && ::fchown(tmp.get(), st.st_uid, st.st_gid) != 0)
    return llvm::createStringError(std::error_code(errno, std::generic_category()),
                                   "cannot give the rewritten file the owner %u:%u of the original (%s); not "
                                   "written",
                                   unsigned(st.st_uid), unsigned(st.st_gid), std::strerror(errno));
  if (::fchmod(tmp.get(), st.st_mode & 07777) != 0)
    return errnoError(errno, "cannot set the mode of", tmpPath);
  if (auto e = copyXattrs(original, tmp.get(), real))
    return e;
  if (::fsync(tmp.get()) != 0)
    return errnoError(errno, "cannot sync", tmpPath);
  if (tmp.close() != 0)
    return errnoError(errno, "cannot close", tmpPath);
  return llvm::Error::success();
}

// Right before the rename: the name in `dir` is still the inode `st` describes, not a link, and
// `original` still holds the bytes that were read (`expected`).
llvm::Error refuseChangedSinceRead(int original, int dir, const std::string &name, const struct stat &st,
                                   const std::string &expected) {
  std::string now;
  struct stat again;
  if (::lseek(original, 0, SEEK_SET) != 0 || !readAll(original, now) || now != expected)
    return plainError(std::errc::operation_canceled, "changed on disk since it was read; not overwritten");
  if (::fstatat(dir, name.c_str(), &again, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(again.st_mode) ||
      again.st_ino != st.st_ino || again.st_dev != st.st_dev)
    return plainError(std::errc::operation_canceled,
                      "was replaced (by another file or a link) since poolify read it; not overwritten");
  return llvm::Error::success();
}

} // namespace

llvm::Error writeAtomically(const std::string &linkOrPath, const std::string &contents, const std::string &expected) {
  // Through a symbolic link the file it points to is replaced (and the link stays), when that lies
  // inside the tree: a file swapped for a link to somewhere else since it was read is refused.
  auto real = realPath(linkOrPath);
  if (!real)
    return errnoError(errno, "cannot stat", linkOrPath);
  if (!insideTree(*real))
    return plainError(std::errc::operation_not_permitted,
                      fmt::format("now resolves to {}, outside the tree (replaced by a symbolic link since poolify "
                                  "read it?); not written",
                                  *real));
  std::string name = llvm::sys::path::filename(*real).str();
  std::string dirPath = llvm::sys::path::parent_path(*real).str();
  auto dir = openFolder(dirPath.empty() ? "/" : dirPath);
  if (!dir)
    return dir.takeError();
  auto fd = openOriginal(dir->get(), name, *real);
  if (!fd)
    return fd.takeError();
  struct stat st;
  if (::fstat(fd->get(), &st) != 0)
    return errnoError(errno, "cannot stat", *real);
  if (auto e = refuseUnwritable(st))
    return e;

  std::string tmpName;
  Fd tmp = createTempAt(dir->get(), name, tmpName);
  if (!tmp)
    return errnoError(errno, "cannot create a temporary file beside", *real);
  std::string tmpPath = dirPath + "/" + tmpName;
  auto fail = [&](llvm::Error e) {
    tmp.close();
    ::unlinkat(dir->get(), tmpName.c_str(), 0);
    return e;
  };
  if (auto e = fillTemp(tmp, tmpPath, contents, st, fd->get(), *real))
    return fail(std::move(e));
  if (auto e = refuseChangedSinceRead(fd->get(), dir->get(), name, st, expected))
    return fail(std::move(e));
  if (::renameat(dir->get(), tmpName.c_str(), dir->get(), name.c_str()) != 0)
    return fail(errnoError(errno, "cannot replace", *real));
  return llvm::Error::success();
}

} // namespace poolify::source
