#include "source/posix.h"

#include "source/file_io.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <random>
#include <sys/stat.h>
#include <unistd.h>

namespace poolify::source {

Fd &Fd::operator=(Fd &&o) noexcept {
  if (this != &o) {
    close();
    fd_ = o.release();
  }
  return *this;
}

Fd::~Fd() { close(); }

int Fd::release() {
  int fd = fd_;
  fd_ = -1;
  return fd;
}

int Fd::close() {
  if (fd_ < 0)
    return 0;
  int rc = ::close(release());
  return rc;
}

llvm::Error errnoError(int err, const std::string &what, const std::string &path) {
  std::string msg = what.empty() ? path : what + " " + path;
  return llvm::createStringError(std::error_code(err, std::generic_category()), "%s: %s", msg.c_str(),
                                 std::strerror(err));
}

llvm::Error plainError(std::errc code, const std::string &message) {
  return llvm::createStringError(std::make_error_code(code), "%s", message.c_str());
}

bool readAll(int fd, std::string &out) {
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return false;
    }
    if (n == 0)
      return true;
    out.append(buf, static_cast<size_t>(n));
  }
}

bool writeAll(int fd, std::string_view data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

Fd createTempAt(int dirFd, const std::string &name, std::string &tmpName) {
  static const char letters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  thread_local std::mt19937_64 rng(std::random_device{}() ^ (static_cast<uint64_t>(::getpid()) << 32));
  for (int attempt = 0; attempt < 100; ++attempt) {
    tmpName = tempPrefix(name);
    for (int i = 0; i < 6; ++i)
      tmpName += letters[rng() % (sizeof letters - 1)];
    int fd = ::openat(dirFd, tmpName.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd >= 0 || errno != EEXIST)
      return Fd(fd);
  }
  return Fd();
}

std::string fileKind(unsigned mode) {
  switch (mode & S_IFMT) {
  case S_IFIFO:
    return "a FIFO (named pipe)";
  case S_IFCHR:
    return "a character device";
  case S_IFBLK:
    return "a block device";
  case S_IFSOCK:
    return "a socket";
  case S_IFDIR:
    return "a folder";
  case S_IFLNK:
    return "a symbolic link";
  default:
    return "not a regular file";
  }
}

model::FileStat statData(const struct stat &st) {
  auto ns = [](const struct timespec &t) {
    return static_cast<uint64_t>(t.tv_sec) * 1000000000u + static_cast<uint64_t>(t.tv_nsec);
  };
  model::FileStat s;
  s.size = static_cast<uint64_t>(st.st_size);
  s.mtimeNs = ns(st.st_mtim);
  s.ctimeNs = ns(st.st_ctim);
  s.inode = static_cast<uint64_t>(st.st_ino);
  s.device = static_cast<uint64_t>(st.st_dev);
  return s;
}

} // namespace poolify::source
