#include "source/file_io.h"

#include <llvm/Support/FileSystem.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/Process.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace poolify::source {

llvm::Expected<std::string> readFile(const std::string &path) {
  auto buf = llvm::MemoryBuffer::getFile(path, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  if (!buf)
    return llvm::createStringError(buf.getError(), "cannot read: %s", buf.getError().message().c_str());
  return (*buf)->getBuffer().str();
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
    return llvm::createStringError(std::error_code(err, std::generic_category()), "%s: cannot write: %s",
                                   path.c_str(), std::strerror(err));
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

namespace {
llvm::Error errnoError(const char *what, const std::string &path) {
  int e = errno;
  return llvm::createStringError(std::error_code(e, std::generic_category()), "%s %s: %s", what, path.c_str(),
                                 std::strerror(e));
}
} // namespace

llvm::Error writeAtomically(const std::string &linkOrPath, const std::string &contents, const std::string &expected) {
  // Through a symbolic link, the file it points to is replaced and the link stays.
  llvm::SmallString<256> real;
  std::string path = linkOrPath;
  if (llvm::sys::fs::is_symlink_file(linkOrPath) && !llvm::sys::fs::real_path(linkOrPath, real))
    path = std::string(real);
  struct stat st;
  if (::stat(path.c_str(), &st) != 0)
    return errnoError("cannot stat", path);
  if (!(st.st_mode & S_IWUSR))
    return llvm::createStringError(std::errc::permission_denied,
                                   "the file is read-only; not written (make it writable to migrate it)");
  llvm::SmallString<256> tmp(llvm::sys::path::parent_path(path));
  if (tmp.empty())
    tmp = ".";
  llvm::sys::path::append(tmp, "." + llvm::sys::path::filename(path).str() + ".poolify-XXXXXX");
  std::string tmpl(tmp.str());
  int fd = ::mkstemp(tmpl.data());
  if (fd < 0)
    return errnoError("cannot create a temporary file beside", path);
  auto fail = [&](const char *what) {
    llvm::Error e = errnoError(what, tmpl);
    ::close(fd);
    ::unlink(tmpl.c_str());
    return e;
  };
  size_t done = 0;
  while (done < contents.size()) {
    ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return fail("cannot write");
    }
    done += static_cast<size_t>(n);
  }
  if (::fchmod(fd, st.st_mode & 07777) != 0)
    return fail("cannot set the mode of");
  if (::fsync(fd) != 0)
    return fail("cannot sync");
  if (::close(fd) != 0) {
    llvm::Error e = errnoError("cannot close", tmpl);
    ::unlink(tmpl.c_str());
    return e;
  }
  auto now = readFile(path);
  if (!now || *now != expected) {
    if (!now)
      llvm::consumeError(now.takeError());
    ::unlink(tmpl.c_str());
    return llvm::createStringError(std::errc::operation_canceled, "changed on disk since it was read; not overwritten");
  }
  if (::rename(tmpl.c_str(), path.c_str()) != 0) {
    llvm::Error e = errnoError("cannot replace", path);
    ::unlink(tmpl.c_str());
    return e;
  }
  return llvm::Error::success();
}

} // namespace poolify::source
