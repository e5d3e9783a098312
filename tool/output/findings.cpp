#include "output/printers.h"

#include <llvm/Support/JSON.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/raw_ostream.h>

#include "rules/embedded.h"
#include "support/text.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <map>

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

// One line a finding, as compilers print them; with `colour` (a terminal, or --color always) the
// place in bold, the rule in red (it fails the check) or yellow (a warning).
std::string text(const std::vector<model::Finding> &findings, bool colour) {
  std::string out;
  for (const auto &f : findings) {
    if (!colour)
      out += fmt::format("{}:{}:{}: {}{}: {}\n", f.path, f.line, f.col, f.error ? "" : "warning: ", f.rule, f.message);
    else
      out += fmt::format("\033[1m{}:{}:{}:\033[0m {}{}{}\033[0m: {}\n", f.path, f.line, f.col,
                         f.error ? "\033[1;31m" : "\033[1;33m", f.error ? "" : "warning: ", f.rule, f.message);
  }
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
  return pretty(
      llvm::json::Object{{"schema_version", 1},
                         {"findings", std::move(arr)},
                         {"summary", llvm::json::Object{{"errors", errors}, {"warnings", findings.size() - errors}}}});
}

// The description's first sentence on one line (a rule's YAML description may run over several).
std::string firstLine(const std::string &text) {
  std::string line;
  for (char c : text)
    line += c == '\n' || c == '\t' ? ' ' : c;
  size_t stop = line.find(". ");
  if (stop != std::string::npos)
    line.resize(stop + 1);
  while (!line.empty() && line.back() == ' ')
    line.pop_back();
  return line;
}

std::string trimmed(std::string text) {
  while (!text.empty() && isspace(static_cast<unsigned char>(text.back())))
    text.pop_back();
  return text;
}

// Set by CMake (POOLIFY_DOCS_URL) for this file only: where this version's rules/README.md is.
#ifndef POOLIFY_DOCS_URL
#define POOLIFY_DOCS_URL ""
#endif

// A rule poolify ships (rules/README.md documents it): embedded, or the source rules/ the binary in
// its own build tree reads.
bool shipped(const rules::Rule &r) {
  return rules::isEmbeddedPath(r.file) || r.file == std::string(POOLIFY_SOURCE_RULES_DIR) + "/" + r.id + ".yaml";
}

llvm::json::Object sarifRule(const std::string &id, const std::string &description, const std::string &help,
                             const std::string &helpMarkdown, bool documented) {
  llvm::json::Object rule{{"id", id},
                          {"name", id},
                          {"shortDescription", llvm::json::Object{{"text", firstLine(description)}}},
                          {"fullDescription", llvm::json::Object{{"text", trimmed(description)}}},
                          {"help", llvm::json::Object{{"text", help}, {"markdown", helpMarkdown}}},
                          {"defaultConfiguration", llvm::json::Object{{"level", "error"}}}};
  std::string uri = documented ? ruleHelpUri(POOLIFY_DOCS_URL, id) : std::string();
  if (!uri.empty())
    rule["helpUri"] = uri;
  return rule;
}

// What a rule finds and what to do about it: the rewrites it makes, the commands, the ways to
// accept a site for now.
llvm::json::Object sarifRuleOf(const rules::Rule &r) {
  std::string maps, mapsMd;
  for (const auto &rw : r.rewrites)
    for (const auto &m : rw.match) {
      maps += fmt::format("{}{} -> {}.{}", maps.empty() ? "" : ", ", m, rw.replace.module, rw.replace.function);
      mapsMd += fmt::format("- `{}` → `{}.{}`\n", m, rw.replace.module, rw.replace.function);
    }
  std::string fix = fmt::format("`poolify migrate --apply` rewrites the sites it can (`--explain` says why it leaves "
                                "the others; `--unsafe-fixes` also applies the unsafe fixes). To accept a site for "
                                "now, mark it `# poolify: ignore[{}]` or list it in a baseline (`poolify check "
                                "--write-baseline FILE`, then `--baseline FILE`).",
                                r.id);
  std::string text = fmt::format("{}\nRewrites: {}.\n{}", trimmed(r.description), maps, fix);
  std::string md = fmt::format("{}\n\nRewrites:\n\n{}\n{}", trimmed(r.description), mapsMd, fix);
  return sarifRule(r.id, r.description, text, md, shipped(r));
}

// The rules of findings about files themselves: one that could not be parsed, or analyzed at all.
const struct {
  const char *id, *description, *help;
} kFileRules[] = {
    {"syntax", "A Python file that does not parse, or that CPython rejects",
     "poolify cannot analyze a file with a syntax error (or one CPython 3 rejects, such as a Python 2 script), so "
     "its direct clients are not checked. Fix the file, exclude it in poolify.yaml (`exclude:`), or accept it for "
     "now in a baseline (`poolify check --write-baseline FILE`)."},
    {"unanalyzable", "A file poolify cannot read or analyze",
     "poolify cannot analyze this file (it is not text in an encoding poolify edits, cannot be read, or the "
     "rewrite was refused), so its direct clients are not checked. The message says why; exclude the file in "
     "poolify.yaml or accept it in a baseline."}};

// partialFingerprints: stable across unrelated edits (no line numbers) and unique in the run: a hash
// of path, rule and the site's normalised code, and the occurrence of that key among the findings.
std::vector<std::string> fingerprints(const std::vector<model::Finding> &findings) {
  std::map<std::string, unsigned> seen;
  std::vector<std::string> out;
  for (const auto &f : findings) {
    std::string key = f.path + '\0' + f.rule + '\0' + (f.code.empty() ? f.message : f.code);
    out.push_back(fmt::format("{:016x}:{}", contentHash(key), ++seen[key]));
  }
  return out;
}

} // namespace

std::string ruleHelpUri(std::string_view docsUrl, std::string_view ruleId) {
  if (docsUrl.empty())
    return {};
  while (!docsUrl.empty() && docsUrl.back() == '/')
    docsUrl.remove_suffix(1);
  return fmt::format("{}/rules/README.md#{}", docsUrl, ruleId);
}

namespace {

std::string sarif(const std::vector<model::Finding> &findings, const std::vector<rules::Rule> &rules, int exitCode) {
  llvm::json::Array ruleArr;
  for (const auto &r : rules)
    ruleArr.push_back(sarifRuleOf(r));
  for (const auto &fr : kFileRules)
    ruleArr.push_back(sarifRule(fr.id, fr.description, fr.help, fr.help, true));
  std::vector<std::string> prints = fingerprints(findings);
  llvm::json::Array results, notifications;
  for (size_t i = 0; i < findings.size(); ++i) {
    const model::Finding &f = findings[i];
    llvm::json::Object location{
        {"physicalLocation",
         llvm::json::Object{
             {"artifactLocation", llvm::json::Object{{"uri", uriOf(f.path)}, {"uriBaseId", "%SRCROOT%"}}},
             {"region", llvm::json::Object{{"startLine", f.line}, {"startColumn", f.col}}}}}};
    bool fileRule =
        std::any_of(std::begin(kFileRules), std::end(kFileRules), [&](const auto &fr) { return f.rule == fr.id; });
    if (fileRule) // a file that was not analyzed: the run did not do all it should (SARIF 3.58)
      notifications.push_back(llvm::json::Object{{"level", "error"},
                                                 {"message", llvm::json::Object{{"text", f.message}}},
                                                 {"locations", llvm::json::Array{llvm::json::Object(location)}},
                                                 {"descriptor", llvm::json::Object{{"id", f.rule}}}});
    results.push_back(llvm::json::Object{{"ruleId", f.rule},
                                         {"level", f.error ? "error" : "warning"},
                                         {"message", llvm::json::Object{{"text", f.message}}},
                                         {"locations", llvm::json::Array{std::move(location)}},
                                         {"partialFingerprints", llvm::json::Object{{"poolifySite/v2", prints[i]}}}});
  }
  llvm::json::Object invocation{{"executionSuccessful", exitCode == 0 || exitCode == 1}, {"exitCode", exitCode}};
  if (!notifications.empty())
    invocation["toolExecutionNotifications"] = std::move(notifications);
  llvm::json::Object run{
      {"tool", llvm::json::Object{{"driver", llvm::json::Object{{"name", "poolify"},
                                                                {"version", POOLIFY_VERSION},
                                                                {"semanticVersion", POOLIFY_VERSION},
                                                                {"rules", std::move(ruleArr)}}}}},
      {"invocations", llvm::json::Array{std::move(invocation)}},
      {"originalUriBaseIds",
       llvm::json::Object{
           {"%SRCROOT%", llvm::json::Object{{"description", llvm::json::Object{{"text", "The folder poolify check ran "
                                                                                        "in: result paths are "
                                                                                        "relative to it"}}}}}}},
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
    out +=
        fmt::format("::{} file={},line={},col={},title={}::{}\n", f.error ? "error" : "warning", ghEscape(f.path, true),
                    f.line, f.col, ghEscape("poolify " + f.rule, true), ghEscape(f.message, false));
  return out;
}

class FindingsPrinter : public Printer {
public:
  FindingsPrinter(Format format, llvm::raw_ostream &os, bool colour) : format_(format), os_(os), colour_(colour) {}
  void finish(const Document &doc) override {
    static const std::vector<rules::Rule> none;
    static const std::vector<model::Finding> noFindings;
    const std::vector<model::Finding> &findings = doc.findings ? *doc.findings : noFindings;
    switch (format_) {
    case Format::Json:
      os_ << json(findings);
      break;
    case Format::Sarif:
      os_ << sarif(findings, doc.rules ? *doc.rules : none, doc.exitCode);
      break;
    case Format::Github:
      os_ << github(findings);
      break;
    default:
      os_ << text(findings, colour_);
    }
  }

private:
  Format format_;
  llvm::raw_ostream &os_;
  bool colour_;
};

class BaselinePrinter : public Printer {
public:
  explicit BaselinePrinter(llvm::raw_ostream &os) : os_(os) {}
  void finish(const Document &doc) override {
    llvm::json::Array entries;
    if (doc.baseline)
      for (const auto &[key, count] : doc.baseline->entries)
        entries.push_back(llvm::json::Object{
            {"file", std::get<0>(key)}, {"rule", std::get<1>(key)}, {"code", std::get<2>(key)}, {"count", count}});
    os_ << pretty(llvm::json::Object{{"schema_version", 1}, {"tool", "poolify"}, {"entries", std::move(entries)}});
  }

private:
  llvm::raw_ostream &os_;
};

} // namespace

std::unique_ptr<Printer> findingsPrinter(Format format, llvm::raw_ostream &os, bool colour) {
  return std::make_unique<FindingsPrinter>(format, os, colour);
}

std::unique_ptr<Printer> baselinePrinter(llvm::raw_ostream &os) { return std::make_unique<BaselinePrinter>(os); }

} // namespace poolify::output
