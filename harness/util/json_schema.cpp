// JSON Schema validation through valijson (Debian libvalijson-dev, header-only).
#include "harness/util/json_schema.hpp"

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include <algorithm>
#include <stdexcept>

#include "harness/util/error.hpp"

namespace repro {
namespace {

// valijson's context is {"<root>", "[key]", "[3]", ...}: a dotted path like JsonPath's.
std::string field_of(const std::vector<std::string>& context) {
  std::string out;
  for (const auto& part : context) {
    if (part == "<root>" || part.size() < 2) {
      continue;
    }
    std::string inner = part.substr(1, part.size() - 2);
    bool index = !inner.empty() && std::all_of(inner.begin(), inner.end(),
                                               [](char c) { return c >= '0' && c <= '9'; });
    out = index ? out + part : join_field(out, inner);
  }
  return out;
}

// The text between the first (or, with `last`, the last) pair of single quotes, or "".
std::string first_quoted(const std::string& text, bool last = false) {
  auto close = last ? text.rfind('\'') : std::string::npos;
  auto open = last ? (close == std::string::npos || close == 0 ? std::string::npos
                                                                : text.rfind('\'', close - 1))
                   : text.find('\'');
  if (!last) {
    close = open == std::string::npos ? open : text.find('\'', open + 1);
  }
  return open == std::string::npos || close == std::string::npos
             ? ""
             : text.substr(open + 1, close - open - 1);
}

bool is_summary(const std::string& description) {
  // Errors an enclosing schema adds on top of the specific one it found inside.
  return description.rfind("Failed to validate against", 0) == 0 ||
         description.rfind("Failed to validate item", 0) == 0;
}

SchemaViolation violation_of(const valijson::ValidationResults::Error& e) {
  std::string field = field_of(e.context);
  std::string text = e.description;
  while (!text.empty() && text.back() == '.') {
    text.pop_back();
  }
  if (text.rfind("Missing required property", 0) == 0) {
    return {join_field(field, first_quoted(text)), "missing required field"};
  }
  if (text.rfind("Object contains a property that could not be validated", 0) == 0) {
    return {join_field(field, first_quoted(text, /*last=*/true)), "unknown field (not in the schema)"};
  }
  if (text.rfind("Value type not permitted", 0) == 0) {
    return {field, "wrong type"};
  }
  if (text.rfind("Failed to match against any enum values", 0) == 0 ||
      text.rfind("Failed to match expected value set by 'const'", 0) == 0) {
    return {field, "value not allowed"};
  }
  return {field, text};
}

}  // namespace

std::string join_field(const std::string& prefix, const std::string& field) {
  if (prefix.empty()) {
    return field;
  }
  if (field.empty()) {
    return prefix;
  }
  return field.front() == '[' ? prefix + field : prefix + "." + field;
}

struct JsonSchema::Compiled {
  valijson::Schema schema;
};

JsonSchema::JsonSchema(std::string name, std::string_view schema_text)
    : m_name(std::move(name)), m_compiled(std::make_unique<Compiled>()) {
  nlohmann::json document = nlohmann::json::parse(schema_text, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) {
    throw std::logic_error("embedded schema " + m_name + " is not JSON");
  }
  try {
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    valijson::adapters::NlohmannJsonAdapter adapter(document);
    parser.populateSchema(adapter, m_compiled->schema);
  } catch (const std::exception& e) {
    throw std::logic_error("embedded schema " + m_name + " does not compile: " + e.what());
  }
}

JsonSchema::~JsonSchema() = default;

std::vector<SchemaViolation> JsonSchema::violations(const nlohmann::json& document) const {
  valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter adapter(document);
  if (validator.validate(m_compiled->schema, adapter, &results)) {
    return {};
  }
  // Keep the specific errors; the summaries an enclosing schema adds ("failed to validate
  // against ...") only when nothing more specific was found, and then the deepest ones.
  std::vector<valijson::ValidationResults::Error> errors(results.begin(), results.end());
  std::vector<SchemaViolation> specific;
  std::vector<SchemaViolation> summaries;
  for (size_t i = 0; i < errors.size(); ++i) {
    const bool summary = is_summary(errors[i].description);
    if (summary) {
      bool ancestor = false;
      for (size_t k = 0; k < errors.size() && !ancestor; ++k) {
        const auto& a = errors[i].context;
        const auto& b = errors[k].context;
        ancestor = b.size() > a.size() && std::equal(a.begin(), a.end(), b.begin());
      }
      if (ancestor) {
        continue;
      }
    }
    auto v = violation_of(errors[i]);
    auto& into = summary ? summaries : specific;
    bool seen = std::any_of(into.begin(), into.end(), [&](const SchemaViolation& s) {
      return s.field == v.field && s.rule == v.rule;
    });
    if (!seen) {
      into.push_back(std::move(v));
    }
  }
  return specific.empty() ? summaries : specific;
}

void JsonSchema::validate(const nlohmann::json& document, const std::string& file,
                          const std::string& field_prefix) const {
  auto found = violations(document);
  if (found.empty()) {
    return;
  }
  std::string message = found[0].rule + " (schema " + m_name;
  if (found.size() > 1) {
    constexpr size_t k_listed = 4;
    message += "; " + std::to_string(found.size() - 1) + " more:";
    for (size_t i = 1; i < found.size() && i <= k_listed; ++i) {
      std::string field = join_field(field_prefix, found[i].field);
      message += (i == 1 ? " " : "; ") + (field.empty() ? "" : field + ": ") + found[i].rule;
    }
    if (found.size() - 1 > k_listed) {
      message += "; ...";
    }
  }
  message += ")";
  throw Error(file, join_field(field_prefix, found[0].field), message);
}

}  // namespace repro
