// What a file's text configures or closes through a name (analysis/configures.h), and the names a
// site's object is held in for other modules to reach (Verdict::holders): the two halves the reduce
// step matches to leave a session that other code configures.
#include "analysis/configures.h"
#include "testing.h"

#include <doctest/doctest.h>

using namespace poolify;
using testing::Analyzed;
using testing::shippedRules;

namespace {

// "holder.attr@line" (a leading "." when the holder is an attribute itself), one per use.
std::string scanned(const std::string &text) {
  std::string out;
  for (const auto &u : analysis::scanConfigUses(text, analysis::configuringAttributes(shippedRules())))
    out += (out.empty() ? "" : " ") + std::string(u.dotted ? "." : "") + u.holder + "." + u.attr + "@" +
           std::to_string(u.line);
  return out;
}

// "name" / ".name" (an attribute) for each holder of the first site of `src`.
std::string holders(const std::string &src) {
  Analyzed a(src, shippedRules());
  REQUIRE(!a.verdicts.empty());
  std::string out;
  for (const auto &h : a.verdicts.front().holders)
    out += (out.empty() ? "" : " ") + std::string(h.attribute ? "." : "") + h.name;
  return out;
}

} // namespace

TEST_CASE("the shipped rules configure through the session's attributes and close") {
  auto attrs = analysis::configuringAttributes(shippedRules());
  for (const char *a : {"headers", "auth", "mount", "proxies", "close"})
    CHECK(std::find(attrs.begin(), attrs.end(), a) != attrs.end());
  CHECK(std::find(attrs.begin(), attrs.end(), "get") == attrs.end());
}

TEST_CASE("configuring uses are found with the name right before the attribute") {
  CHECK(scanned("self.session.headers.update({})\n") == ".session.headers@1");
  CHECK(scanned("x = 1\nSESSION.auth = ('u', 'p')\n") == "SESSION.auth@2");
  CHECK(scanned("import pkg.base as b\n\nb.SESSION.mount('https://', a)\n") == ".SESSION.mount@3");
  CHECK(scanned("del c.session.auth\n") == ".session.auth@1");
  CHECK(scanned("client.session .close ()\n") == ".session.close@1");
  CHECK(scanned("s = (\n    a\n    .session\n    .headers\n)\n") == ".session.headers@4");
}

TEST_CASE("uses, strings and comments configure nothing") {
  CHECK(scanned("self.session.get(url, params={'a': 1}, headers=h)\n").empty());
  CHECK(scanned("f.close\nself.session.closed\n").empty()); // not a call of close
  CHECK(scanned("# self.session.headers['x'] = 1\n").empty());
  CHECK(scanned("'''\nself.session.auth = x\n'''\nSESSION.headers\n") == "SESSION.headers@4");
  CHECK(scanned("s = \"a.b.headers \\\" c.d.auth\"\nr = 'x.y.close()'\n").empty());
  CHECK(scanned("x = 1.headers\n").empty());
  CHECK(scanned("requests.Session().headers\n").empty()); // no name holds it
}

TEST_CASE("a rewritten session names where other modules reach it") {
  CHECK(
      holders("import requests\n\n\nclass C:\n    def __init__(self):\n        self.session = requests.Session()\n") ==
      ".session");
  CHECK(holders("import requests\n\nSESSION = requests.Session()\n") == "SESSION");
  CHECK(holders("import requests\n\n\nclass C:\n    shared = requests.Session()\n") == ".shared");
  CHECK(holders("import requests\n\nSESSION = requests.Session()\n\n\nclass C:\n    def __init__(self):\n"
                "        self.s = SESSION\n") == "SESSION .s");
  // A local of a function is out of other modules' reach.
  CHECK(holders("import requests\n\n\ndef f():\n    s = requests.Session()\n    return s.get('u').text\n").empty());
  // A left site holds nothing for the reduce step.
  CHECK(holders("import requests\n\nSESSION = requests.Session()\nSESSION.headers['a'] = 'b'\n").empty());
}
