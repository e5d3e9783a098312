// A file of a run: the path it is opened by and the path users see.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

namespace poolify::model {

/// What a file's stat says of it (through links): what the cache compares, as git's index does,
/// before trusting a file unchanged without reading it.
struct FileStat {
  uint64_t size = 0, mtimeNs = 0, ctimeNs = 0, inode = 0, device = 0;
  bool operator==(const FileStat &o) const {
    return size == o.size && mtimeNs == o.mtimeNs && ctimeNs == o.ctimeNs && inode == o.inode && device == o.device;
  }
};

struct SourceFile {
  SourceFile() = default;
  SourceFile(std::string path, std::string display, std::optional<FileStat> listed = std::nullopt)
      : path(std::move(path)), listed(listed), display_(display == this->path ? std::string() : std::move(display)) {}

  std::string path; // as opened
  /// Its stat data when the walk listed it (before any of its bytes were read); nullopt when the
  /// file did not come from a walk.
  std::optional<FileStat> listed = std::nullopt;
  /// Relative to the current directory when under it, '/' separators.
  const std::string &display() const { return display_.empty() ? path : display_; }

private:
  // Empty when it is `path` (a tree given by its absolute path, or run from outside it): a run
  // holds one for every file.
  std::string display_;
};

/// The file an outcome is about: a view of a run's file list (the run outlives its outcomes), or a
/// copy of its own (an outcome made outside a run, or read from the cache before the run takes it).
/// A run holds an outcome for every file: a view, not a second copy of every path. Copies of a
/// FileRef share what it holds.
class FileRef {
public:
  FileRef() : file_(&none()) {}
  FileRef(SourceFile f) : own_(std::make_shared<const SourceFile>(std::move(f))), file_(own_.get()) {}
  FileRef(std::string path, std::string display) : FileRef(SourceFile{std::move(path), std::move(display)}) {}
  /// A view of `f`, which must outlive the reference and every copy of it.
  static FileRef view(const SourceFile &f) {
    FileRef r;
    r.file_ = &f;
    return r;
  }
  const SourceFile *operator->() const { return file_; }
  const SourceFile &operator*() const { return *file_; }
  operator const SourceFile &() const { return *file_; } // NOLINT(google-explicit-constructor): a SourceFile

private:
  static const SourceFile &none() {
    static const SourceFile empty;
    return empty;
  }
  std::shared_ptr<const SourceFile> own_;
  const SourceFile *file_;
};

} // namespace poolify::model
