// docs/trace-format.md's worked example against our C++ digest, reader and writer.
//
// tests/contract/trace_format_example.py checks the same numbers with an independent
// re-implementation; this test checks that our harness agrees with the document, so the
// page a stranger implements from and the code that reads their traces cannot drift apart.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/trace/digest.hpp"
#include "harness/trace/trace.hpp"
#include "tests/support/test_paths.hpp"

namespace repro {
namespace {

std::string read_doc() {
  std::ifstream in(test::source_dir() / "docs" / "trace-format.md");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The contents of the first ``` block after `marker`.
std::string block_after(const std::string& doc, const std::string& marker) {
  size_t at = doc.find(marker);
  EXPECT_NE(at, std::string::npos) << marker;
  size_t open = doc.find("```", at);
  size_t body = doc.find('\n', open) + 1;
  size_t close = doc.find("```", body);
  return doc.substr(body, close - body);
}

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::string part;
  std::istringstream in(text);
  while (std::getline(in, part, sep)) {
    out.push_back(part);
  }
  return out;
}

std::string trim(std::string s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '`')) {
    s.erase(s.begin());
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '`')) {
    s.pop_back();
  }
  return s;
}

std::vector<std::byte> raw_bytes(const std::string& dtype, const nlohmann::json& values) {
  std::vector<std::byte> out;
  auto append = [&out](const void* p, size_t n) {
    const auto* b = static_cast<const std::byte*>(p);
    out.insert(out.end(), b, b + n);
  };
  for (const auto& v : values) {
    if (dtype == "float32") {
      float f = v.get<float>();
      append(&f, sizeof f);
    } else if (dtype == "int64") {
      std::int64_t i = v.get<std::int64_t>();
      append(&i, sizeof i);
    } else {
      ADD_FAILURE() << "the example uses only float32 and int64, found " << dtype;
    }
  }
  return out;
}

Digest digest_of(const std::string& dtype, const std::string& shape_text,
                 const std::string& values_text) {
  auto shape = nlohmann::json::parse(shape_text).get<std::vector<std::int64_t>>();
  return digest_tensor(dtype, shape, raw_bytes(dtype, nlohmann::json::parse(values_text)));
}

TEST(TraceFormatDoc, FramingExampleDigestIsOurs) {
  std::string doc = read_doc();
  std::map<std::string, std::string> fields;
  for (const auto& line : split(block_after(doc, "<!-- example:framing -->"), '\n')) {
    auto colon = line.find(':');
    ASSERT_NE(colon, std::string::npos) << line;
    fields[line.substr(0, colon)] = trim(line.substr(colon + 1));
  }
  EXPECT_EQ(digest_of(fields["dtype"], fields["shape"], fields["values"]).hex(), fields["digest"]);
}

TEST(TraceFormatDoc, TensorTableDigestsAreOurs) {
  std::string doc = read_doc();
  size_t at = doc.find("<!-- example:tensors -->");
  ASSERT_NE(at, std::string::npos);
  int rows = 0;
  for (const auto& line : split(doc.substr(at), '\n')) {
    if (line.rfind("| `", 0) != 0) {
      if (rows > 0) {
        break;
      }
      continue;
    }
    auto cells = split(line.substr(1), '|');
    ASSERT_GE(cells.size(), 6U) << line;
    EXPECT_EQ(digest_of(trim(cells[2]), trim(cells[3]), trim(cells[4])).hex(), trim(cells[5]))
        << trim(cells[0]);
    ++rows;
  }
  EXPECT_EQ(rows, 13);
}

TEST(TraceFormatDoc, ExampleTraceIsAcceptedAndRewrittenByteForByte) {
  std::string text = block_after(read_doc(), "<!-- example:trace -->");
  Trace trace = parse_trace(text, "docs/trace-format.md");
  ASSERT_TRUE(trace.complete);
  ASSERT_EQ(trace.steps.size(), 1U);
  const StepRecord& step = trace.steps[0];
  EXPECT_EQ(compute_root(step), step.root);
  EXPECT_EQ(step.root.hex(), "9b3c72fbd6887e1ea9f6c68ec404ef33");
  auto lines = split(text, '\n');
  ASSERT_GE(lines.size(), 3U);
  EXPECT_EQ(step_line(step), lines[1] + "\n");
  EXPECT_EQ(end_line(1, "ok"), lines[2] + "\n");
}

TEST(TraceFormatDoc, EmptyStepRootIsOurs) {
  EXPECT_NE(read_doc().find("5d07c1d9ce7779a952734f34cc580f27"), std::string::npos);
  EXPECT_EQ(step_root({}).hex(), "5d07c1d9ce7779a952734f34cc580f27");
}

}  // namespace
}  // namespace repro
