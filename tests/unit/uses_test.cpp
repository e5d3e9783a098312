// The test before a file is parsed to find its uses of names another module removed
// (pipeline::mayUse): every way Python spells such a use must pass it; text that only uses the
// library itself (what most files that name a client hold) must not, or every such file is
// parsed a second time.
#include "pipeline/uses.h"

#include <doctest/doctest.h>

#include <string>
#include <unordered_set>

using poolify::pipeline::mayUse;

namespace {

// `exporter` (pkg/exporter.py) and `pkg` (pkg/__init__.py) removed `bigquery` and `Client`.
const std::unordered_set<std::string_view> kWanted = {"bigquery", "Client"};
const std::unordered_set<std::string_view> kModules = {"exporter", "pkg"};

bool may(const std::string &text) { return mayUse(text, kWanted, &kModules); }

} // namespace

TEST_CASE("every spelling of a use through the module that removed the name passes") {
  // from-imports from that module, or relative ones
  CHECK(may("from pkg.exporter import bigquery\n"));
  CHECK(may("from pkg.exporter import (\n    x,\n    bigquery as bq,\n)\n"));
  CHECK(may("from pkg . exporter import bigquery\n"));
  CHECK(may("from pkg.\\\n    exporter import bigquery\n"));
  CHECK(may("from pkg import bigquery\n"));
  CHECK(may("from . import bigquery\n"));
  CHECK(may("from .exporter import bigquery\n"));
  CHECK(may("from .. import bigquery\n"));
  CHECK(may("if x: from pkg.exporter import Client\n"));
  // attribute chains, imports and dotted strings: the name after a dot, the module before it
  CHECK(may("import pkg.exporter\npkg.exporter.bigquery.Client()\n"));
  CHECK(may("import pkg.exporter.bigquery\n"));
  CHECK(may("from pkg import exporter\nexporter.bigquery.Client()\n"));
  CHECK(may("from pkg import exporter\nexporter . bigquery\n"));
  CHECK(may("from pkg import exporter\n(exporter\n    .bigquery)\n"));
  CHECK(may("from pkg import exporter\n(exporter.\n\n    bigquery)\n"));
  CHECK(may("from pkg import exporter\nexporter.\\\n    bigquery\n"));
  CHECK(may("from pkg import exporter\nexporter\\\n.bigquery\n"));
  CHECK(may("from pkg import exporter\r\n(exporter.\r\n    bigquery)\r\n"));
  CHECK(may("from pkg import exporter\r(exporter.\r    bigquery)\r"));
  CHECK(may("@mock.patch(\"pkg.exporter.bigquery.Client\")\ndef test(): pass\n"));
  CHECK(may("x = 'pkg.exporter.Client'\n"));
  // another name for the module
  CHECK(may("import pkg.exporter as ex\nex.bigquery.Client()\n"));
  CHECK(may("from pkg import (exporter as ex)\nex.Client\n"));
  CHECK(may("from pkg import exporter \\\n  as ex\nex.Client\n"));
  CHECK(may("ex.Client\nimport pkg.exporter as ex\n")); // the import may come later in the text
  // the name in a string next to the module: patch.object, getattr, monkeypatch.setattr
  CHECK(may("from pkg import exporter\nmock.patch.object(exporter, \"bigquery\")\n"));
  CHECK(may("from pkg import exporter\ngetattr(exporter, 'Client')\n"));
  CHECK(may("from pkg import exporter\nmonkeypatch.setattr(exporter, r'bigquery', fake)\n"));
  CHECK(may("from pkg import exporter\nmock.patch.object(exporter, \"\"\"Client\"\"\")\n"));
  // a comment between the parts could hide any of them
  CHECK(may("from pkg import exporter\n(exporter.  # the client\n    bigquery)\n"));
  CHECK(may("from pkg import exporter\n(exporter  # the module\n    # more\n    .bigquery)\n"));
  // star imports take every public name
  CHECK(may("from pkg.exporter import *\n"));
  CHECK(may("from pkg.exporter import*\n"));
}

TEST_CASE("text that uses the library itself, or other modules, does not pass") {
  CHECK_FALSE(may("from google.cloud import bigquery\n\nclient = bigquery.Client(project='p')\n"));
  CHECK_FALSE(may("import google.cloud.bigquery\nimport pkg.other\n"));
  CHECK_FALSE(may("from google.cloud.bigquery import Client\nfrom shared.utils import helper\n"));
  CHECK_FALSE(may("from pkg.exporter import Exporter\n")); // the module, but not a removed name
  CHECK_FALSE(may("import pkg.exporter\nx = pkg.exporter.Exporter()\n"));
  CHECK_FALSE(may("def f(client: bigquery.Client) -> None:\n    return bigquery.Client()\n"));
  CHECK_FALSE(may("raise ValueError('x') from err\nbigquery = None\n"));
  CHECK_FALSE(may("result = yield from pkg.run()\nClient = 1\n"));
  CHECK_FALSE(may("x = f(a).bigquery\n")); // a chain that no import starts
  // string annotations and dotted strings that start with the library's module
  CHECK_FALSE(may("import pkg.exporter\nclient: \"Optional[bigquery.Client]\" = None\n"));
  CHECK_FALSE(may("import pkg.exporter\n@mock.patch('bigquery.Client')\ndef test(): pass\n"));
  CHECK_FALSE(may("import exporter\n")); // names neither
  CHECK_FALSE(may(""));
}

TEST_CASE("without the modules, naming one of the names is enough") {
  CHECK(mayUse("from google.cloud import bigquery\n", kWanted, nullptr));
  CHECK_FALSE(mayUse("import requests\n", kWanted, nullptr));
  CHECK(mayUse("from x import *\n", kWanted, nullptr));
}
