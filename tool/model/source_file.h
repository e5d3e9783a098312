// A file of a run: the path it is opened by and the path users see.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

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
  std::string path;    // as opened
  std::string display; // relative to the current directory when under it, '/' separators
  /// Its stat data when the walk listed it (before any of its bytes were read); nullopt when the
  /// file did not come from a walk.
  std::optional<FileStat> listed = std::nullopt;
};

} // namespace poolify::model
