#include "source/output_file.h"

#include "source/posix.h"

#include <llvm/Support/Path.h>

#include <fmt/format.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace poolify::source {

struct OutputFile::State {
  std::string path;   // as the user named it
  std::string target; // the file replaced (a link's target)
  Fd dir, fd;
  std::string tmpName; // "" when written directly
  bool existed = false;
  bool done = false;
  std::string leftAsItWas() const {
    return existed ? fmt::format("{} was left as it was", path) : fmt::format("nothing was written to {}", path);
  }
};

namespace {

// The stream of a file being written: buffered by 1 MiB, not the file system's block (4 KiB), so that a
// large file written piece by piece (the cache, the results: 100 MB and more) takes ~100 write calls per
// 100 MB, not 25,000.
std::unique_ptr<llvm::raw_fd_ostream> streamTo(int fd) {
  auto os = std::make_unique<llvm::raw_fd_ostream>(fd, /*shouldClose=*/false, /*unbuffered=*/false);
  os->SetBufferSize(size_t(1) << 20);
  return os;
}

} // namespace

llvm::Expected<std::unique_ptr<OutputFile>> OutputFile::open(const std::string &path) {
  std::unique_ptr<OutputFile> out(new OutputFile);
  out->state_ = std::make_unique<State>();
  State &s = *out->state_;
  s.path = s.target = path;
  struct stat st;
  bool exists = ::stat(path.c_str(), &st) == 0;
  llvm::StringRef p(path);
  if (p.startswith("/dev/") || p.startswith("/proc/") || (exists && !S_ISREG(st.st_mode))) {
    // A device, a FIFO, /dev/stdout: there is nothing to replace, only to write to.
    s.fd = Fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666));
    if (!s.fd)
      return errnoError(errno, "cannot open", path);
  } else {
    s.existed = exists;
    if (exists) {
      char real[PATH_MAX];
      if (::realpath(path.c_str(), real))
        s.target = real; // through a symbolic link, its target is replaced
    }
    std::string dir = llvm::sys::path::parent_path(s.target).str();
    s.dir = Fd(::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!s.dir)
      return errnoError(errno, "cannot open the folder of", path);
    if (auto e = out->createTemp(exists ? std::optional<unsigned>(st.st_mode & 07777) : std::nullopt))
      return e;
  }
  out->os_ = streamTo(s.fd.get());
  return out;
}

llvm::Expected<std::unique_ptr<OutputFile>> OutputFile::openAt(int dirFd, const std::string &name,
                                                               const std::string &path) {
  std::unique_ptr<OutputFile> out(new OutputFile);
  out->state_ = std::make_unique<State>();
  State &s = *out->state_;
  s.path = path;
  s.target = name;
  s.dir = Fd(::fcntl(dirFd, F_DUPFD_CLOEXEC, 0));
  if (!s.dir)
    return errnoError(errno, "cannot open the folder of", path);
  struct stat st;
  s.existed = ::fstatat(dirFd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
  if (auto e = out->createTemp(std::nullopt))
    return e;
  out->os_ = streamTo(s.fd.get());
  return out;
}

llvm::Error OutputFile::createTemp(std::optional<unsigned> mode) {
  State &s = *state_;
  s.fd = createTempAt(s.dir.get(), llvm::sys::path::filename(s.target).str(), s.tmpName);
  if (!s.fd)
    return errnoError(errno, "cannot create a temporary file beside", s.path);
  if (!mode) {
    mode_t mask = ::umask(0);
    ::umask(mask);
    mode = 0666 & ~mask;
  }
  if (::fchmod(s.fd.get(), *mode) != 0) {
    llvm::Error e = errnoError(errno, "cannot set the mode of a temporary file beside", s.path);
    s.fd.close();
    ::unlinkat(s.dir.get(), s.tmpName.c_str(), 0);
    s.tmpName.clear();
    return e;
  }
  return llvm::Error::success();
}

OutputFile::~OutputFile() {
  if (os_) {
    os_->flush();
    os_->clear_error(); // reported by commit(), or the file is abandoned: never LLVM's abort
  }
  if (state_ && !state_->done && !state_->tmpName.empty()) {
    state_->fd.close();
    ::unlinkat(state_->dir.get(), state_->tmpName.c_str(), 0);
  }
}

llvm::Error OutputFile::commit() {
  State &s = *state_;
  auto fail = [&](int err, const char *what) {
    if (!s.tmpName.empty()) {
      s.fd.close();
      ::unlinkat(s.dir.get(), s.tmpName.c_str(), 0);
      s.done = true;
    }
    return llvm::createStringError(std::error_code(err, std::generic_category()), "%s: %s; %s", what,
                                   std::strerror(err), s.leftAsItWas().c_str());
  };
  os_->flush();
  if (os_->has_error()) {
    std::error_code ec = os_->error();
    os_->clear_error();
    return fail(ec.value(), "cannot write");
  }
  if (s.tmpName.empty()) { // written directly
    s.done = true;
    if (s.fd.close() != 0)
      return fail(errno, "cannot write");
    return llvm::Error::success();
  }
  if (::fsync(s.fd.get()) != 0)
    return fail(errno, "cannot sync");
  if (s.fd.close() != 0)
    return fail(errno, "cannot write");
  std::string name = llvm::sys::path::filename(s.target).str();
  if (::renameat(s.dir.get(), s.tmpName.c_str(), s.dir.get(), name.c_str()) != 0)
    return fail(errno, "cannot replace");
  s.done = true;
  return llvm::Error::success();
}

llvm::Error writeOutputFile(const std::string &path, std::string_view contents) {
  auto out = OutputFile::open(path);
  if (!out)
    return out.takeError();
  (*out)->os() << llvm::StringRef(contents.data(), contents.size());
  return (*out)->commit();
}

int finishStdout(int code) {
  llvm::raw_fd_ostream &out = llvm::outs();
  out.flush();
  if (out.has_error()) {
    std::error_code ec = out.error();
    out.clear_error();
    llvm::errs() << "poolify: error: cannot write to standard output: " << ec.message()
                 << "; the output is incomplete\n";
    code = 2;
  }
  llvm::errs().flush();
  llvm::errs().clear_error(); // nothing can be said about a broken stderr
  return code;
}

} // namespace poolify::source
