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

// valijson's context is {"<root>", "[key]", "[3]", ...}, the same for an object key and an
// array index: walking `document` along it tells them apart. `node` ends at the value the
// context names (nullptr when it cannot be followed).
std::string field_of(const std::vector<std::string>& context, const nlohmann::json& document,
                     const nlohmann::json** node) {
  std::string out;
  const nlohmann::json* at = &document;
  for (const auto& part : context) {
    if (part == "<root>" || part.size() < 2) {
      continue;
    }
    std::string inner = part.substr(1, part.size() - 2);
    if (at != nullptr && at->is_array()) {
      out += part;
      size_t index = 0;
      bool numeric = !inner.empty() && inner.find_first_not_of("0123456789") == std::string::npos;
      if (numeric) {
        index = static_cast<size_t>(std::stoull(inner));
      }
      at = numeric && index < at->size() ? &(*at)[index] : nullptr;
    } else {
      out = join_field(out, inner);
      at = at != nullptr && at->is_object() && at->contains(inner) ? &(*at)[inner] : nullptr;
    }
  }
  if (node != nullptr) {
    *node = at;
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

// "999999.000000" -> "999999" (valijson prints limits with std::to_string).
std::string trim_number(std::string text) {
  if (text.find('.') != std::string::npos) {
    while (!text.empty() && text.back() == '0') {
      text.pop_back();
    }
    if (!text.empty() && text.back() == '.') {
      text.pop_back();
    }
  }
  return text;
}

// ": found X" for a short scalar value, else "".
std::string found_text(const nlohmann::json* value) {
  if (value == nullptr || value->is_structured()) {
    return value != nullptr ? std::string(", found ") + value->type_name() : "";
  }
  std::string text = value->dump();
  return text.size() <= 80 ? ", found " + text : "";
}

bool is_summary(const std::string& description) {
  // Errors an enclosing schema adds on top of the specific one it found inside.
  return description.rfind("Failed to validate against", 0) == 0 ||
         description.rfind("Failed to validate item", 0) == 0;
}

SchemaViolation violation_of(const valijson::ValidationResults::Error& e,
                             const nlohmann::json& document) {
  const nlohmann::json* node = nullptr;
  std::string field = field_of(e.context, document, &node);
  std::string text = e.description;
  while (!text.empty() && text.back() == '.') {
    text.pop_back();
  }
  auto starts = [&](std::string_view prefix) { return text.rfind(prefix, 0) == 0; };
  if (starts("Missing required property")) {
    return {join_field(field, first_quoted(text)), "missing required field"};
  }
  if (starts("Object contains a property that could not be validated")) {
    return {join_field(field, first_quoted(text, /*last=*/true)),
            "unknown field (not in the schema)"};
  }
  if (starts("Value type not permitted")) {
    return {field, "wrong type" + found_text(node)};
  }
  if (starts("Failed to match against any enum values") ||
      starts("Failed to match expected value set by 'const'")) {
    return {field, "value not allowed" + found_text(node)};
  }
  if (starts("Failed to match regex")) {
    return {field, "malformed: does not match the schema's pattern" + found_text(node)};
  }
  for (auto [prefix, words] : {std::pair{"Expected number less than or equal to ", "at most "},
                               std::pair{"Expected number less than ", "below "},
                               std::pair{"Expected number greater than or equal to ", "at least "},
                               std::pair{"Expected number greater than ", "above "}}) {
    if (starts(prefix)) {
      return {field, "out of range: must be " + std::string(words) +
                         trim_number(text.substr(std::string_view(prefix).size())) +
                         found_text(node)};
    }
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
    auto v = violation_of(errors[i], document);
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
