// A batch's PR description (Markdown): the files it changes, sites rewritten per rule, overrides
// removed, and every site left with the reason poolify did not rewrite it. Also the body of the
// batch's commit message (without the title line).
#include "output/printers.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace poolify::output {

namespace {

class BatchMarkdownPrinter : public Printer {
public:
  explicit BatchMarkdownPrinter(llvm::raw_ostream &os) : os_(os) {}

  llvm::Error file(const Document &doc, const model::FileOutcome &o) override {
    std::map<std::string, unsigned> fileRules;
    unsigned fileRemoved = 0;
    for (const auto &r : o.records) {
      if (!r.isDirect())
        continue;
      if (r.outcome == model::Outcome::Rewritten) {
        ++perRule_[r.rule];
        ++fileRules[r.rule];
        ++rewritten_;
      } else if (r.outcome == model::Outcome::Removed) {
        ++fileRemoved;
        ++removed_;
      } else if (r.unsafeFix()) {
        left_ += fmt::format("- `{}:{}:{}` {}: unsafe fix, applied with `--unsafe-fixes`: {}\n", o.file->display(),
                             r.line, r.col, r.rule, r.reason);
      } else {
        left_ += fmt::format("- `{}:{}:{}` {}: {}\n", o.file->display(), r.line, r.col, r.rule, r.reason);
      }
      if (r.fixable() && !r.reason.empty())
        unsafeApplied_ += fmt::format("- `{}:{}:{}` {}: {}\n", o.file->display(), r.line, r.col, r.rule, r.reason);
    }
    for (const auto &p : o.patches) {
      if (!p.after.empty())
        patches_ += fmt::format("- `{}:{}:{}` {}: `{}` → `{}` (follows `{}`)\n", o.file->display(), p.line, p.col,
                                p.rule, p.before, p.after, p.modulePath);
      if (!p.handFix.empty())
        patchesLeft_ +=
            fmt::format("- `{}:{}:{}` {}: `{}`: {}\n", o.file->display(), p.line, p.col, p.rule, p.before, p.handFix);
    }
    if (!o.changed())
      return llvm::Error::success();
    ++changedFiles_;
    std::string what;
    for (const auto &[rule, n] : fileRules)
      what += fmt::format("{}{} {}", what.empty() ? "" : ", ", rule, n);
    if (fileRemoved)
      what += fmt::format("{}{} redundant override{} removed", what.empty() ? "" : "; ", fileRemoved,
                          fileRemoved == 1 ? "" : "s");
    if (unsigned n = static_cast<unsigned>(std::count_if(o.patches.begin(), o.patches.end(),
                                                         [](const model::PatchChange &p) { return !p.after.empty(); })))
      what += fmt::format("{}{} test patch{} retargeted", what.empty() ? "" : "; ", n, n == 1 ? "" : "es");
    files_ += fmt::format("- `{}` ({})\n", o.file->display(), what);
    return llvm::Error::success();
  }

  void finish(const Document &doc) override {
    if (!doc.title.empty())
      os_ << fmt::format("# poolify batch {}\n\n", doc.title);
    std::string rules;
    for (const auto &[rule, n] : perRule_)
      rules += fmt::format("{}{} {}", rules.empty() ? "" : ", ", rule, n);
    os_ << fmt::format("{} file{} changed: {} site{} rewritten{}, {} redundant override{} removed.\n", changedFiles_,
                       changedFiles_ == 1 ? "" : "s", rewritten_, rewritten_ == 1 ? "" : "s",
                       rules.empty() ? "" : " (" + rules + ")", removed_, removed_ == 1 ? "" : "s");
    if (!files_.empty())
      os_ << "\n## Files\n\n" << files_;
    if (!patches_.empty())
      os_ << "\n## Test patches (retargeted to the pooled callable of the module they patch)\n\n" << patches_;
    if (!patchesLeft_.empty())
      os_ << "\n## Test patches needing a hand fix\n\n" << patchesLeft_;
    if (!unsafeApplied_.empty())
      os_ << "\n## Unsafe fixes applied (review: the rewrite is right only if what each says holds)\n\n"
          << unsafeApplied_;
    if (!left_.empty())
      os_ << "\n## Sites left (with the reason poolify did not rewrite them)\n\n" << left_;
  }

private:
  llvm::raw_ostream &os_;
  std::map<std::string, unsigned> perRule_;
  unsigned removed_ = 0, changedFiles_ = 0, rewritten_ = 0;
  std::string files_, left_, unsafeApplied_, patches_, patchesLeft_;
};

} // namespace

std::unique_ptr<Printer> batchMarkdownPrinter(llvm::raw_ostream &os) {
  return std::make_unique<BatchMarkdownPrinter>(os);
}

} // namespace poolify::output
