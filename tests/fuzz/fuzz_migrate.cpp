// libFuzzer target over the whole per-file path (decode -> parse -> scopes -> sites -> plan ->
// edits -> re-parse) with the shipped rules. Properties checked on every input:
//   - no crash and no sanitizer report (the build adds ASan and UBSan);
//   - a rewritten file parses with no error (the input parsed cleanly, or it is not rewritten);
//   - a second pass over the output changes nothing;
//   - the input with a few edits (which its last bytes describe) parses incrementally to the same
//     verdict as from scratch: an error exactly when there is one, and where, unless tree-sitter's
//     error recovery is involved (after an ERROR or MISSING node it may recover differently when
//     it reuses the old tree: only the presence of an error is then compared).
// Run with scripts/fuzz.sh SECONDS.
#include "pipeline/process.h"
#include "python/syntax.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

using namespace poolify;

namespace {
const std::vector<rules::Rule> &shippedRules() {
  static const std::vector<rules::Rule> rules = [] {
    auto loaded = rules::loadRules({POOLIFY_SOURCE_RULES_DIR});
    if (!loaded) {
      std::fprintf(stderr, "%s\n", llvm::toString(loaded.takeError()).c_str());
      std::abort();
    }
    return std::move(*loaded);
  }();
  return rules;
}

// Reads the input's bytes from the last one backwards (wrapping around), so the edits come from
// its tail while the whole input stays the text: the seeds, whole Python files, keep parsing.
class TailReader {
public:
  explicit TailReader(std::string_view data) : data_(data) {}
  uint8_t next() {
    uint8_t b = static_cast<uint8_t>(data_[data_.size() - 1 - pos_ % data_.size()]);
    ++pos_;
    return b;
  }

private:
  std::string_view data_;
  size_t pos_ = 0;
};

// True when the two trees have the same nodes at the same places. Walks both cursors in step,
// without recursion (ts_node_string recurses over the depth, which a fuzzer makes large).
bool sameTrees(TSNode a, TSNode b) {
  TSTreeCursor ca = ts_tree_cursor_new(a), cb = ts_tree_cursor_new(b);
  bool same = true;
  for (;;) {
    TSNode x = ts_tree_cursor_current_node(&ca), y = ts_tree_cursor_current_node(&cb);
    if (ts_node_symbol(x) != ts_node_symbol(y) || ts_node_start_byte(x) != ts_node_start_byte(y) ||
        ts_node_end_byte(x) != ts_node_end_byte(y) || ts_node_is_missing(x) != ts_node_is_missing(y)) {
      same = false;
      break;
    }
    bool down = ts_tree_cursor_goto_first_child(&ca);
    if (down != ts_tree_cursor_goto_first_child(&cb)) {
      same = false;
      break;
    }
    if (down)
      continue;
    bool done = false;
    for (;;) {
      bool next = ts_tree_cursor_goto_next_sibling(&ca);
      if (next != ts_tree_cursor_goto_next_sibling(&cb)) {
        same = false;
        done = true;
        break;
      }
      if (next)
        break;
      if (!ts_tree_cursor_goto_parent(&ca)) {
        done = true;
        break;
      }
      ts_tree_cursor_goto_parent(&cb);
    }
    if (done)
      break;
  }
  ts_tree_cursor_delete(&ca);
  ts_tree_cursor_delete(&cb);
  return same;
}

std::string show(std::optional<size_t> err) { return err ? std::to_string(*err) : std::string("none"); }

void checkReparse(const std::string &text) {
  if (text.empty())
    return;
  static const char kAlphabet[] = "\n\n    ():'\"x=,.[]{}#\\f\t";
  TailReader in(text);
  std::vector<py::TextEdit> edits;
  std::vector<std::string> inserted;
  for (int count = 1 + in.next() % 3; count > 0; --count) {
    size_t offset = ((size_t(in.next()) << 8) | in.next()) % (text.size() + 1);
    size_t length = std::min<size_t>(in.next() % 8, text.size() - offset);
    std::string insert;
    for (int n = in.next() % 8; n > 0; --n)
      insert += kAlphabet[in.next() % (sizeof kAlphabet - 1)];
    edits.push_back({offset, length, insert.size()});
    inserted.push_back(std::move(insert));
  }
  // Sorted by offset, and an edit that overlaps the one before it dropped.
  std::vector<size_t> order(edits.size());
  for (size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return edits[a].offset < edits[b].offset; });
  std::vector<py::TextEdit> kept;
  std::string edited;
  size_t pos = 0;
  for (size_t i : order) {
    const py::TextEdit &e = edits[i];
    if (e.offset < pos)
      continue;
    kept.push_back(e);
    edited.append(text, pos, e.offset - pos);
    edited += inserted[i];
    pos = e.offset + e.length;
  }
  edited.append(text, pos, std::string::npos);

  py::Tree before = py::Tree::parse(text);
  py::Tree incremental = std::move(before).reparse(edited, kept);
  py::Tree fresh = py::Tree::parse(edited);
  std::optional<size_t> incrementalError = incremental.firstError(), freshError = fresh.firstError();
  // Where a fresh parse finds no ERROR or MISSING node, the incremental tree must be the same, and
  // so must the verdict (an indentation error included); otherwise both must find an error.
  bool agree = ts_node_has_error(fresh.root())
                   ? incrementalError.has_value() == freshError.has_value()
                   : incrementalError == freshError && sameTrees(incremental.root(), fresh.root());
  if (!agree) {
    std::string where;
    for (const py::TextEdit &e : kept)
      where +=
          " {" + std::to_string(e.offset) + ", " + std::to_string(e.length) + ", " + std::to_string(e.newLength) + "}";
    std::fprintf(stderr,
                 "incremental and fresh parses disagree (first error: incremental %s, fresh %s)\n--- edits"
                 "%s\n--- input\n%s\n--- edited\n%s\n",
                 show(incrementalError).c_str(), show(freshError).c_str(), where.c_str(), text.c_str(), edited.c_str());
    std::abort();
  }
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const auto &rules = shippedRules();
  model::SourceFile file{"fuzz/module.py", "fuzz/module.py"};
  std::string text(reinterpret_cast<const char *>(data), size);
  checkReparse(text);
  model::FileOutcome first = pipeline::processText(file, text, rules);
  // `updated` is empty when the file does not change.
  if (!first.changed())
    return 0;
  std::string_view body = first.updated;
  if (body.substr(0, 3) == "\xEF\xBB\xBF")
    body.remove_prefix(3);
  py::Tree after = py::Tree::parse(body);
  if (after.firstError()) {
    std::fprintf(stderr, "rewrite produced a syntax error\n--- input\n%s\n--- output\n%s\n", text.c_str(),
                 first.updated.c_str());
    std::abort();
  }
  model::FileOutcome second = pipeline::processText(file, first.updated, rules);
  if (second.changed()) {
    std::fprintf(stderr, "second pass changed the output\n--- first\n%s\n--- second\n%s\n", first.updated.c_str(),
                 second.updated.c_str());
    std::abort();
  }
  return 0;
}
