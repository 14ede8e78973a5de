// GoldenClass: which fingerprint fields can change a cell's bits.
#include "harness/verdict/golden_class.hpp"

#include <algorithm>
#include <cctype>
#include <regex>

#include "harness/util/str_cat.hpp"

namespace repro {
namespace {

std::string value_of(const ClassFields& fields, const std::string& name) {
  for (const auto& [field, value] : fields) {
    if (field == name) {
      return value;
    }
  }
  return "";
}

bool has_field(const ClassFields& fields, const std::string& name) {
  for (const auto& [field, value] : fields) {
    if (field == name) {
      return true;
    }
  }
  return false;
}

}  // namespace

ClassFields golden_class_fields(const Fingerprint& fp) {
  ClassFields f;
  f.emplace_back("libtorch_version", fp.libtorch_version);
  f.emplace_back("blas_build", fp.blas_build);
  f.emplace_back("blas_version", short_version(fp.blas_version));
  if (fp.blas_build.rfind("openblas", 0) == 0) {
    f.emplace_back("blas_core", fp.blas_core.empty() ? "unknown" : fp.blas_core);
  }
  if (fp.blas_build == "blis") {
    // A model name like "AMD EPYC" covers several generations; the widest vector ISA
    // the CPU offers separates the ones BLIS gives different kernels.
    f.emplace_back("cpu_model", fp.cpu_model.empty() ? "unknown" : fp.cpu_model);
    f.emplace_back("cpu_isa", fp.cpu_capabilities_supported.empty()
                                  ? "unknown"
                                  : fp.cpu_capabilities_supported.back());
  }
  f.emplace_back("cpu_capability", fp.cpu_capability);
  f.emplace_back("device", fp.device);
  if (fp.device != "cpu") {
    f.emplace_back("device_model", fp.device_model.empty() ? "unknown" : fp.device_model);
  }
  return f;
}

std::string golden_class_name(const ClassFields& fields) {
  std::string name = str_cat("libtorch-", slug(value_of(fields, "libtorch_version")), "_",
                             slug(value_of(fields, "blas_build")));
  std::string version = value_of(fields, "blas_version");
  if (!version.empty()) {
    name += str_cat("-", slug(version));
  }
  if (has_field(fields, "blas_core")) {
    name += str_cat("-", slug(value_of(fields, "blas_core")));
  }
  if (has_field(fields, "cpu_model")) {
    name += str_cat("-", slug(value_of(fields, "cpu_model")));
  }
  if (has_field(fields, "cpu_isa")) {
    name += str_cat("-", slug(value_of(fields, "cpu_isa")));
  }
  name +=
      str_cat("_", slug(value_of(fields, "cpu_capability")), "_", slug(value_of(fields, "device")));
  if (has_field(fields, "device_model")) {
    name += str_cat("-", slug(value_of(fields, "device_model")));
  }
  return name;
}

bool golden_class_portable(const ClassFields& fields) {
  return !has_field(fields, "blas_core") && !has_field(fields, "cpu_model") &&
         !has_field(fields, "device_model");
}

std::vector<std::string> golden_class_differences(const ClassFields& from, const ClassFields& to) {
  std::vector<std::string> out;
  auto shown = [](const ClassFields& fields, const std::string& name) {
    return has_field(fields, name) ? value_of(fields, name) : std::string("(none)");
  };
  std::vector<std::string> names;
  for (const auto& fields : {from, to}) {
    for (const auto& [field, value] : fields) {
      if (std::find(names.begin(), names.end(), field) == names.end()) {
        names.push_back(field);
      }
    }
  }
  for (const auto& name : names) {
    std::string a = shown(from, name);
    std::string b = shown(to, name);
    if (a != b) {
      out.push_back(name + " " + a + "→" + b);
    }
  }
  return out;
}

}  // namespace repro
