// The printers of `migrate`'s dry run: the unified diff of every file that changes, and the
// `path:line:col: ...` messages of every file.
#include "output/diff.h"
#include "output/printers.h"

namespace poolify::output {

namespace {

class DiffPrinter : public Printer {
public:
  DiffPrinter(llvm::raw_ostream &os, bool colour) : os_(os), colour_(colour) {}

  llvm::Error file(const Document &doc, const model::FileOutcome &o) override {
    if (!o.changed())
      return llvm::Error::success();
    auto texts = doc.texts(o);
    if (!texts)
      return texts.takeError();
    std::string d = unifiedDiff(texts->original, texts->updated, o.file->display());
    os_ << (colour_ ? colorizeDiff(d) : d);
    return llvm::Error::success();
  }

private:
  llvm::raw_ostream &os_;
  bool colour_;
};

class ExplainPrinter : public Printer {
public:
  ExplainPrinter(llvm::raw_ostream &os, bool explain) : os_(os), explain_(explain) {}

  llvm::Error file(const Document &doc, const model::FileOutcome &o) override {
    for (const auto &m : o.messages)
      if (m.error || explain_)
        os_ << m.text << "\n";
    return llvm::Error::success();
  }

private:
  llvm::raw_ostream &os_;
  bool explain_;
};

} // namespace

std::unique_ptr<Printer> diffPrinter(llvm::raw_ostream &os, bool colour) {
  return std::make_unique<DiffPrinter>(os, colour);
}

std::unique_ptr<Printer> explainPrinter(llvm::raw_ostream &os, bool explain) {
  return std::make_unique<ExplainPrinter>(os, explain);
}

} // namespace poolify::output
