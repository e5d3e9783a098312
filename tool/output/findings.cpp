#include "output/printers.h"

#include <llvm/Support/JSON.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/raw_ostream.h>

#include <fmt/format.h>

namespace poolify::output {

namespace {

// A relative path as a URI reference (RFC 3986): unreserved characters and '/' stay.
std::string uriOf(const std::string &path) {
  std::string out;
  for (unsigned char c : path) {
    if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/')
      out += static_cast<char>(c);
    else
      out += fmt::format("%{:02X}", c);
  }
  return out;
}

std::string pretty(llvm::json::Value v) {
  std::string out;
  llvm::raw_string_ostream os(out);
  os << llvm::formatv("{0:2}", v) << "\n";
  return os.str();
}

// GitHub workflow commands: data escapes %, CR, LF; properties also ':' and ','.
std::string ghEscape(const std::string &s, bool property) {
  std::string out;
  for (char c : s) {
    if (c == '%')
      out += "%25";
    else if (c == '\r')
      out += "%0D";
    else if (c == '\n')
      out += "%0A";
    else if (property && c == ':')
      out += "%3A";
    else if (property && c == ',')
      out += "%2C";
    else
      out += c;
  }
  return out;
}

std::string text(const std::vector<model::Finding> &findings) {
  std::string out;
  for (const auto &f : findings)
    out += fmt::format("{}:{}:{}: {}{}: {}\n", f.path, f.line, f.col, f.error ? "" : "warning: ", f.rule, f.message);
  return out;
}

std::string json(const std::vector<model::Finding> &findings) {
  llvm::json::Array arr;
  unsigned errors = 0;
  for (const auto &f : findings) {
    errors += f.error;
    arr.push_back(llvm::json::Object{{"path", f.path},
                                     {"line", f.line},
                                     {"column", f.col},
                                     {"rule", f.rule},
                                     {"severity", f.error ? "error" : "warning"},
                                     {"message", f.message}});
  }
  return pretty(llvm::json::Object{
      {"schema_version", 1},
      {"findings", std::move(arr)},
      {"summary", llvm::json::Object{{"errors", errors}, {"warnings", findings.size() - errors}}}});
}

std::string sarif(const std::vector<model::Finding> &findings, const std::vector<rules::Rule> &rules) {
  llvm::json::Array ruleArr;
  for (const auto &r : rules)
    ruleArr.push_back(llvm::json::Object{{"id", r.id},
                                         {"name", r.id},
                                         {"shortDescription", llvm::json::Object{{"text", r.description}}},
                                         {"fullDescription", llvm::json::Object{{"text", r.description}}},
                                         {"defaultConfiguration", llvm::json::Object{{"level", "error"}}}});
  llvm::json::Array results;
  for (const auto &f : findings)
    results.push_back(llvm::json::Object{
        {"ruleId", f.rule},
        {"level", f.error ? "error" : "warning"},
        {"message", llvm::json::Object{{"text", f.message}}},
        {"locations",
         llvm::json::Array{llvm::json::Object{
             {"physicalLocation",
              llvm::json::Object{{"artifactLocation", llvm::json::Object{{"uri", uriOf(f.path)}, {"uriBaseId", "%SRCROOT%"}}},
                                 {"region", llvm::json::Object{{"startLine", f.line}, {"startColumn", f.col}}}}}}}},
        {"partialFingerprints", llvm::json::Object{{"poolifySite/v1", fmt::format("{}:{}:{}", f.path, f.rule,
                                                                                   f.message)}}}});
  llvm::json::Object run{
      {"tool", llvm::json::Object{{"driver", llvm::json::Object{{"name", "poolify"},
                                                                 {"version", POOLIFY_VERSION},
                                                                 {"semanticVersion", POOLIFY_VERSION},
                                                                 {"rules", std::move(ruleArr)}}}}},
      {"results", std::move(results)},
      {"columnKind", "unicodeCodePoints"}};
  return pretty(llvm::json::Object{
      {"$schema", "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"},
      {"version", "2.1.0"},
      {"runs", llvm::json::Array{std::move(run)}}});
}

std::string github(const std::vector<model::Finding> &findings) {
  std::string out;
  for (const auto &f : findings)
    out += fmt::format("::{} file={},line={},col={},title={}::{}\n", f.error ? "error" : "warning",
                       ghEscape(f.path, true), f.line, f.col, ghEscape("poolify " + f.rule, true),
                       ghEscape(f.message, false));
  return out;
}

class FindingsPrinter : public Printer {
public:
  FindingsPrinter(Format format, llvm::raw_ostream &os) : format_(format), os_(os) {}
  void finish(const Document &doc) override {
    static const std::vector<rules::Rule> none;
    static const std::vector<model::Finding> noFindings;
    const std::vector<model::Finding> &findings = doc.findings ? *doc.findings : noFindings;
    switch (format_) {
    case Format::Json:
      os_ << json(findings);
      break;
    case Format::Sarif:
      os_ << sarif(findings, doc.rules ? *doc.rules : none);
      break;
    case Format::Github:
      os_ << github(findings);
      break;
    default:
      os_ << text(findings);
    }
  }

private:
  Format format_;
  llvm::raw_ostream &os_;
};

class BaselinePrinter : public Printer {
public:
  explicit BaselinePrinter(llvm::raw_ostream &os) : os_(os) {}
  void finish(const Document &doc) override {
    llvm::json::Array entries;
    if (doc.baseline)
      for (const auto &[key, count] : doc.baseline->entries)
        entries.push_back(llvm::json::Object{{"file", std::get<0>(key)},
                                             {"rule", std::get<1>(key)},
                                             {"code", std::get<2>(key)},
                                             {"count", count}});
    os_ << pretty(llvm::json::Object{{"schema_version", 1}, {"tool", "poolify"}, {"entries", std::move(entries)}});
  }

private:
  llvm::raw_ostream &os_;
};

} // namespace

std::unique_ptr<Printer> findingsPrinter(Format format, llvm::raw_ostream &os) {
  return std::make_unique<FindingsPrinter>(format, os);
}

std::unique_ptr<Printer> baselinePrinter(llvm::raw_ostream &os) { return std::make_unique<BaselinePrinter>(os); }

} // namespace poolify::output
