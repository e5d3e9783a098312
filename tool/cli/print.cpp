#include "cli/print.h"

#include "cli/options.h"

#include "pipeline/reader.h"
#include "source/output_file.h"

#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/Process.h>

namespace poolify::cli {

output::Document documentOf(const pipeline::Run &run) {
  output::Document doc;
  doc.rules = &run.rules;
  doc.texts = [](const model::FileOutcome &o) { return pipeline::texts(o); };
  return doc;
}

bool feed(output::Printer &printer, const output::Document &doc, const model::FileOutcome &outcome) {
  if (auto err = printer.file(doc, outcome)) {
    llvm::errs() << outcome.file->display() << ": error: " << llvm::toString(std::move(err)) << "; left out\n";
    return false;
  }
  return true;
}

bool print(const pipeline::Run &run, output::Format format, const output::Document &doc, llvm::raw_ostream &os,
           const std::optional<std::vector<size_t>> &files, output::PrinterOptions options) {
  auto printer = output::makePrinter(format, os, options);
  bool ok = true;
  if (files)
    for (size_t i : *files)
      ok = feed(*printer, doc, run.outcomes[i]) && ok;
  else
    for (const auto &o : run.outcomes)
      ok = feed(*printer, doc, o) && ok;
  printer->finish(doc);
  return ok;
}

bool writeDocument(const pipeline::Run &run, output::Format format, const output::Document &doc,
                   const std::string &path, const std::string &what, const std::optional<std::vector<size_t>> &files) {
  if (path == "-") { // stdout, as a Unix tool reads it (no other document goes there: cli/main.cpp)
    print(run, format, doc, llvm::outs(), files);
    return true;
  }
  // Whole or not at all: a temp file beside `path`, synced and renamed (a full disk leaves the old file).
  // A folder named for it that is not there yet is made, as CI steps expect (`--output-sarif out/p.sarif`).
  llvm::StringRef parent = llvm::sys::path::parent_path(path);
  if (!parent.empty() && !llvm::sys::fs::exists(parent))
    if (auto ec = llvm::sys::fs::create_directories(parent)) {
      llvm::errs() << path << ": error: cannot write the " << what << ": cannot create the folder " << parent << ": "
                   << ec.message() << "\n";
      return false;
    }
  auto out = source::OutputFile::open(path);
  if (out)
    print(run, format, doc, (*out)->os(), files); // a file left out is reported; the others are written
  llvm::Error err = out ? (*out)->commit() : out.takeError();
  if (err) {
    llvm::errs() << path << ": error: cannot write the " << what << ": " << llvm::toString(std::move(err)) << "\n";
    return false;
  }
  return true;
}

std::string documentText(const pipeline::Run &run, output::Format format, const output::Document &doc,
                         const std::optional<std::vector<size_t>> &files) {
  std::string text;
  llvm::raw_string_ostream os(text);
  print(run, format, doc, os, files);
  os.flush();
  return text;
}

bool appendToFile(const std::string &path, const std::string &text, const std::string &what) {
  std::error_code ec;
  {
    llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_Append | llvm::sys::fs::OF_Text);
    if (!ec) {
      os << text;
      os.flush();
      if (os.has_error()) {
        ec = os.error();
        os.clear_error();
      }
    }
  }
  if (ec)
    llvm::errs() << path << ": error: cannot write the " << what << ": " << ec.message() << "\n";
  return !ec;
}

bool coloursOnStdout() {
  if (Color == "always")
    return true;
  if (Color == "never")
    return false;
  auto set = [](const char *name) {
    auto v = llvm::sys::Process::GetEnv(name);
    return v && !v->empty() && *v != "0";
  };
  if (set("NO_COLOR"))
    return false;
  return set("FORCE_COLOR") || llvm::outs().has_colors();
}

} // namespace poolify::cli
