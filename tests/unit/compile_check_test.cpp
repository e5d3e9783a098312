// The last-line guard: what tree-sitter accepts and CPython rejects. Every case states CPython's
// verdict, and the test asks python3 too (compile() of the same bytes), so a case whose premise is
// wrong fails here rather than proving nothing.
#include "python/compile_check.h"
#include "python/syntax.h"

#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

using poolify::py::cpythonRejects;

namespace {

// python3's verdict on `text`: 1 it compiles, 0 SyntaxError, -1 python3 could not be run.
int python3Compiles(const std::string &text) {
  static int available = std::system("python3 -c pass >/dev/null 2>&1") == 0 ? 1 : 0;
  if (!available)
    return -1;
  std::string path = "/tmp/poolify_compile_check_" + std::to_string(::getpid()) + ".py";
  std::ofstream(path, std::ios::binary) << text;
  std::string cmd = "python3 -c \"import sys\ntry:\n compile(open(sys.argv[1],'rb').read(),'f','exec')\nexcept "
                    "SyntaxError:\n sys.exit(3)\" " +
                    path + " 2>/dev/null";
  int rc = std::system(cmd.c_str());
  std::remove(path.c_str());
  return WIFEXITED(rc) && WEXITSTATUS(rc) == 0 ? 1 : WIFEXITED(rc) && WEXITSTATUS(rc) == 3 ? 0 : -1;
}

// tree-sitter parses it without an error (else the pipeline's syntax check refuses it already).
bool treeSitterAccepts(const std::string &text) {
  std::string_view body(text);
  if (body.substr(0, 3) == "\xEF\xBB\xBF")
    body.remove_prefix(3);
  return !poolify::py::Tree::parse(body).firstError();
}

void rejected(const std::string &text, const std::string &messagePart, size_t offset = std::string::npos) {
  CAPTURE(text.size() > 300 ? text.substr(0, 300) + "..." : text);
  CHECK(treeSitterAccepts(text));
  CHECK(python3Compiles(text) != 1);
  auto p = cpythonRejects(text);
  REQUIRE(p);
  CHECK(p->message.find(messagePart) != std::string::npos);
  if (offset != std::string::npos)
    CHECK(p->offset == offset);
}

void accepted(const std::string &text) {
  CAPTURE(text.size() > 300 ? text.substr(0, 300) + "..." : text);
  CHECK(python3Compiles(text) != 0);
  auto p = cpythonRejects(text);
  CHECK_MESSAGE(!p, (p ? p->message : ""));
}

std::string nested(const std::string &open, const std::string &close, int n) {
  std::string s = "x = ";
  for (int i = 0; i < n; ++i)
    s += open;
  s += "1";
  for (int i = 0; i < n; ++i)
    s += close;
  return s + "\n";
}

} // namespace

TEST_CASE("keywords used as names in imports, attributes, keyword arguments and parameters") {
  rejected("from shared.pool import class\n", "'class' is a keyword", 24);
  rejected("from shared.pool import None\n", "'None' is a keyword", 24);
  rejected("from shared.import.x import f\n", "'import' is a keyword", 12);
  rejected("import a.class\n", "'class' is a keyword");
  rejected("x.nonlocal\n", "'nonlocal' is a keyword", 2);
  rejected("y = x.True\n", "'True' is a keyword");
  rejected("f(class=1)\n", "'class' is a keyword", 2);
  rejected("def f(class): pass\n", "'class' is a keyword");
  rejected("from a import async\n", "'async' is a keyword");
}

TEST_CASE("soft keywords, print and exec are names") {
  accepted("from a import match, case, type, _\nmatch(1)\nf(match=1, case=2, type=3, _=4)\nx.match.case.type._\n"
           "import match\n");
  accepted("from a import print, exec\nx.print\nf(print=1)\n");
}

TEST_CASE("__debug__ may be read but not bound") {
  rejected("from m import __debug__\n", "cannot assign to __debug__", 14);
  rejected("import __debug__\n", "cannot assign to __debug__");
  rejected("import a as __debug__\n", "cannot assign to __debug__");
  rejected("f(__debug__=1)\n", "cannot assign to __debug__");
  rejected("def f(__debug__): pass\n", "cannot assign to __debug__");
  rejected("__debug__ = 1\n", "cannot assign to __debug__");
  accepted("x.__debug__\nimport a.__debug__\nfrom a.__debug__ import x\nfrom __debug__ import f\nf(x=__debug__)\n");
}

TEST_CASE("more than 200 nested parentheses, brackets or braces") {
  accepted(nested("(", ")", 200));
  rejected(nested("(", ")", 201), "too many nested parentheses", 4 + 200);
  rejected(nested("[{(", ")}]", 67), "too many nested parentheses", 4 + 200);
  rejected(nested("f(", ")", 201), "too many nested parentheses", 4 + 2 * 200 + 1);
  // Inside strings and comments they are text; an f-string's expressions are parsed on their own.
  accepted("x = '" + std::string(300, '(') + "'\n# " + std::string(300, '[') + "\ny = \"\"\"" + std::string(300, '{') +
           "\n\"\"\"\n");
  std::string f = "x = " + std::string(150, '(') + "f\"{" + std::string(150, '(') + "1" + std::string(150, ')') +
                  "}\"" + std::string(150, ')') + "\n";
  accepted(f);
}

namespace {
std::string repeat(const std::string &s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i)
    out += s;
  return out;
}
std::string ifs(int n) {
  std::string out;
  for (int i = 0; i < n; ++i)
    out += std::string(i, ' ') + "if x:\n";
  return out + std::string(n, ' ') + "pass\n";
}
} // namespace

TEST_CASE("a 100th level of indentation") {
  accepted(ifs(99));
  rejected(ifs(100), "too many levels of indentation");
  // Continuation lines, bracketed lines and strings do not indent.
  accepted("x = (1,\n" + repeat("        2,\n", 3) + ")\ny = 1 + \\\n        2\ns = '''\n" +
           repeat("    indented text\n", 3) + "'''\n");
}

TEST_CASE("expressions nested deeper than CPython's compiler goes") {
  // python3.11's compile() fails from about 2,995 nested attributes (an import from about 2,970):
  // refused from 2,901.
  accepted("a = b" + repeat(".c", 2900) + "\n");
  rejected("a = b" + repeat(".c", 3000) + "\n", "expressions nested more than 2900 deep");
  rejected("u = " + repeat("not ", 3000) + "1\n", "nested more than");
  rejected("s = 1" + repeat(" + 1", 3000) + "\n", "nested more than");
  rejected("g = " + repeat("lambda: ", 3000) + "1\n", "nested more than");
  accepted("s = 1" + repeat(" + 1", 2900) + "\n");
  // Flat in CPython's AST, nested in tree-sitter's: never refused.
  accepted("x = a" + repeat(" and a", 20000) + "\ny = a" + repeat(" < a", 20000) + "\n");
}

TEST_CASE("a UTF-8 BOM with a coding cookie other than utf-8") {
  const std::string bom = "\xEF\xBB\xBF";
  rejected(bom + "# -*- coding: latin-1 -*-\nx = 1\n", "encoding problem: iso-8859-1 with BOM", 3 + 14);
  rejected(bom + "# coding: utf8\nx = 1\n", "encoding problem: utf8 with BOM");
  rejected(bom + "#!/usr/bin/env python\n# coding: cp1252\nx = 1\n", "encoding problem: cp1252 with BOM");
  rejected(bom + "# vim: set fileencoding=latin-1 :\nx = 1\n", "encoding problem: iso-8859-1 with BOM");
  accepted(bom + "# coding: utf-8\nx = 1\n");
  accepted(bom + "# coding: UTF_8\nx = 1\n");
  accepted(bom + "# coding: utf-8-sig\nx = 1\n");
  accepted(bom + "x = 1\n# coding: latin-1\n"); // line 2 counts only below a comment or blank line
  accepted("# coding: latin-1\nx = 1\n");       // no BOM
}

TEST_CASE("Python 2 statements and literals") {
  rejected("print \"x\"\n", "Missing parentheses in call to 'print'", 0);
  rejected("import sys\nprint sys.stderr, \"x\"\n", "Missing parentheses in call to 'print'", 11);
  rejected("exec \"code\"\n", "Missing parentheses in call to 'exec'");
  rejected("exec code in ns\n", "Missing parentheses in call to 'exec'");
  rejected("x = 1 <> 2\n", "'<>'", 6);
  rejected("x = 10L\n", "long integer suffix");
  rejected("x = 0x1fL\n", "long integer suffix");
  rejected("x = 0777\n", "leading zeros", 4);
  rejected("try:\n    pass\nexcept ValueError, e:\n    pass\n", "multiple exception types must be parenthesized");
  rejected("raise E, \"x\"\n", "raise E, value");
  rejected("x = `1`\n", "backquotes");
  rejected("x = ur\"a\"\n", "string prefix 'ur'");
  accepted("print >>sys.stderr, \"x\"\n"); // a shift and a tuple, not a print statement, to Python 3
  accepted("print (1), 2\nprint(\"x\")\nexec(\"x\")\nprint\nx = 0_0 + 00 + 0777j + 0o777 + 0xFF + 0777.5\n"
           "try:\n    pass\nexcept (ValueError, KeyError) as e:\n    pass\nraise (E, \"x\")\n"
           "y = u\"a\" + rb\"b\" + Rb'c' + f\"d\" + fr\"e\" + b\"f\"\n");
}

TEST_CASE("the first problem in the file is the one reported") {
  auto p = cpythonRejects("x = 1 <> 2\n" + nested("(", ")", 201));
  REQUIRE(p);
  CHECK(p->offset == 6);
  p = cpythonRejects(nested("(", ")", 201) + "x = 1 <> 2\n");
  REQUIRE(p);
  CHECK(p->message.find("too many nested") == 0);
}

TEST_CASE("ordinary Python 3 passes") {
  accepted(
      "from google.cloud import bigquery\n\nPROJECT_ID = \"demo\"\n\n\nasync def run(project_id=None, *args, **kw):\n"
      "    await x\n    return bigquery.Client(project=project_id)\n\n\nmatch command:\n"
      "    case [\"go\", direction]:\n        pass\n    case _:\n        pass\n"
      "x = {'a': [1, (2, 3)], **kw}\nf = lambda: None\nif x != 2 and not y:\n    del x\n");
}
