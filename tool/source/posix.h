// Small POSIX pieces the readers and writers of tool/source share: an owned descriptor, whole
// reads and writes that retry on EINTR, poolify's temp files, errors that say what failed.
#pragma once

#include "model/source_file.h"

#include <llvm/Support/Error.h>

#include <string>
#include <string_view>
#include <sys/stat.h>

namespace poolify::source {

/// An owned file descriptor (closed on destruction; -1 when none).
class Fd {
public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd &&o) noexcept : fd_(o.release()) {}
  Fd &operator=(Fd &&o) noexcept;
  Fd(const Fd &) = delete;
  Fd &operator=(const Fd &) = delete;
  ~Fd();
  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  int release();
  /// close() and its result (a delayed write error shows here); -1 with errno set on failure.
  int close();

private:
  int fd_ = -1;
};

/// An error with errno's code: "<what> <path>: <strerror>" (what may be empty).
llvm::Error errnoError(int err, const std::string &what, const std::string &path);
/// An error with a code and a message of poolify's own.
llvm::Error plainError(std::errc code, const std::string &message);

/// Reads the rest of `fd` into `out` (appending); false with errno set on failure.
bool readAll(int fd, std::string &out);
/// Writes all of `data`; false with errno set on failure.
bool writeAll(int fd, std::string_view data);

/// Creates a new temp file for `name` in the folder `dirFd` (".NAME.poolify-XXXXXX", mode 0600,
/// O_EXCL | O_NOFOLLOW); sets `tmpName`. An invalid Fd with errno set on failure.
Fd createTempAt(int dirFd, const std::string &name, std::string &tmpName);

/// The stat data the cache compares, from a stat(2) result.
model::FileStat statData(const struct stat &st);

/// "a FIFO (named pipe)", "a folder", ... for a st_mode that is not a regular file.
std::string fileKind(unsigned mode);

} // namespace poolify::source
