#include "pipeline/pages.h"

#include "source/output_file.h"

#include <llvm/Support/FileSystem.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/Path.h>

#include <fmt/format.h>

namespace poolify::pipeline {

ReportPages::ReportPages(const std::string &mainPath) {
  llvm::StringRef name = llvm::sys::path::filename(mainPath);
  folder_ = llvm::sys::path::parent_path(mainPath).str();
  mainName_ = name.str();
  stem_ = name.endswith(".html") || name.endswith(".htm") ? llvm::sys::path::stem(name).str() : name.str();
}

bool ReportPages::possible(const std::string &mainPath) {
  llvm::StringRef p(mainPath);
  return p != "-" && !p.startswith("/dev/") && !p.startswith("/proc/");
}

std::string ReportPages::name(size_t k) const { return k ? fmt::format("{}-diffs-{}.html", stem_, k) : mainName_; }

bool ReportPages::write(const Say &say) const {
  for (const auto &page : pages_)
    if (auto err = source::writeOutputFile(path(page.first), page.second)) {
      say(path(page.first) + ": error: cannot write the report's diff page: " + llvm::toString(std::move(err)) + "\n");
      return false;
    }
  return true;
}

void ReportPages::removeStale() const {
  for (size_t k = pages_.size() + 1;; ++k) {
    std::string stale = path(name(k));
    auto text = llvm::MemoryBuffer::getFile(stale, /*IsText=*/false, /*RequiresNullTerminator=*/false);
    if (!text || !(*text)->getBuffer().take_front(512).contains("<meta name=\"generator\" content=\"poolify "))
      return;
    llvm::sys::fs::remove(stale);
  }
}

std::string ReportPages::path(const std::string &name) const {
  if (folder_.empty())
    return name;
  llvm::SmallString<256> p(folder_);
  llvm::sys::path::append(p, name);
  return std::string(p);
}

} // namespace poolify::pipeline
