// JsonSchema: a compiled JSON Schema (draft 7, valijson) whose violations name field and rule.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace repro {

// One way a document breaks a schema: where (a dotted field path, "" for the root, e.g.
// "tensors[2]", "loss.bits") and which rule ("missing required field", "unknown field",
// "value not allowed: expected one of ...", the validator's own wording otherwise).
struct SchemaViolation {
  std::string field;
  std::string rule;
};

class JsonSchema {
 public:
  // Compiles `schema_text` (a draft-7 schema) named `name` (e.g. "fingerprint.schema.json",
  // used in messages). Throws std::logic_error when the text is not a valid schema: the
  // schemas are ours and embedded at build time, so that is a bug, not an input error.
  JsonSchema(std::string name, std::string_view schema_text);
  ~JsonSchema();
  JsonSchema(const JsonSchema&) = delete;
  JsonSchema& operator=(const JsonSchema&) = delete;

  const std::string& name() const { return m_name; }

  // Every violation of `document`, most specific first (a field's own error, not the
  // "failed to validate property" of each enclosing object). Empty when it conforms.
  // Thread-safe.
  std::vector<SchemaViolation> violations(const nlohmann::json& document) const;

  // Throws repro::Error(file, field, rule) for the first violation, with the count and the
  // next few violations appended to the message ("... (schema S; 2 more: a: rule; b: rule)").
  // `field_prefix` is prepended to each field (e.g. "line 3", "workload").
  void validate(const nlohmann::json& document, const std::string& file,
                const std::string& field_prefix = "") const;

 private:
  struct Compiled;
  std::string m_name;
  std::unique_ptr<Compiled> m_compiled;
};

// "prefix" + "field" joined as JsonPath does ("a" + "b" -> "a.b"; "a" + "[0]" -> "a[0]").
std::string join_field(const std::string& prefix, const std::string& field);

}  // namespace repro
