#include "pipeline/reader.h"

#include "rewrite/edits.h"
#include "source/file_io.h"
#include "support/text.h"

#include <utility>

namespace poolify::pipeline {

llvm::Expected<std::string> readSource(const model::SourceFile &file) { return source::readFile(file.path); }

llvm::Error changedSinceRead() {
  return llvm::createStringError(std::errc::resource_unavailable_try_again,
                                 "changed on disk since poolify read it; run poolify again");
}

llvm::Expected<std::string> readAgain(const model::SourceFile &file, std::optional<uint64_t> hash, bool *changed) {
  auto bytes = readSource(file);
  if (!bytes || !hash || contentHash(*bytes) == *hash)
    return bytes;
  if (changed)
    *changed = true;
  return changedSinceRead();
}

void ChangedFiles::note(size_t file) {
  std::lock_guard<std::mutex> lock(mutex_);
  files_.insert(file);
}

std::set<size_t> ChangedFiles::take() {
  std::lock_guard<std::mutex> lock(mutex_);
  return std::exchange(files_, {});
}

llvm::Expected<model::Texts> texts(const model::FileOutcome &o) {
  model::Texts t;
  if (o.held) {
    t.original = o.original;
    t.updated = o.changed() ? o.updated : o.original;
    return t;
  }
  auto bytes = readAgain(o.file, o.hash);
  if (!bytes)
    return bytes.takeError();
  t.original = std::move(*bytes);
  if (!o.changed()) {
    t.updated = t.original;
    return t;
  }
  rewrite::EditSet edits;
  for (const auto &e : o.edits)
    edits.replace(e.offset, e.length, e.text);
  auto updated = edits.apply(t.original, o.file->display());
  if (!updated)
    return updated.takeError();
  t.updated = std::move(*updated);
  return t;
}

} // namespace poolify::pipeline
