#include "pipeline/reader.h"

#include "rewrite/edits.h"
#include "source/file_io.h"
#include "support/text.h"

namespace poolify::pipeline {

llvm::Expected<std::string> readSource(const model::SourceFile &file) { return source::readFile(file.path); }

llvm::Expected<model::Texts> texts(const model::FileOutcome &o) {
  model::Texts t;
  if (o.held) {
    t.original = o.original;
    t.updated = o.changed() ? o.updated : o.original;
    return t;
  }
  auto bytes = readSource(o.file);
  if (!bytes)
    return bytes.takeError();
  if (contentHash(*bytes) != o.hash)
    return llvm::createStringError(std::errc::resource_unavailable_try_again,
                                   "changed on disk since poolify read it; run poolify again");
  t.original = std::move(*bytes);
  if (!o.changed()) {
    t.updated = t.original;
    return t;
  }
  rewrite::EditSet edits;
  for (const auto &e : o.edits)
    edits.replace(e.offset, e.length, e.text);
  auto updated = edits.apply(t.original, o.file.display);
  if (!updated)
    return updated.takeError();
  t.updated = std::move(*updated);
  return t;
}

} // namespace poolify::pipeline
