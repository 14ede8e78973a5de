// Tensor dump files and the magnitude of a divergence.
#include "harness/trace/tensor_dump.hpp"

#include <sys/stat.h>

#include <bit>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <limits>

#include "harness/trace/contract_schemas.hpp"
#include "harness/util/atomic_file.hpp"
#include "harness/util/error.hpp"
#include "harness/util/json_fields.hpp"

namespace repro {
namespace {

// Maps float bits onto a line where adjacent floats are adjacent integers.
template <typename Bits>
Bits ordered_bits(Bits raw) {
  constexpr Bits k_sign = Bits(1) << (sizeof(Bits) * 8 - 1);
  return (raw & k_sign) ? Bits(~raw) : Bits(raw | k_sign);
}

template <typename Float, typename Bits>
std::uint64_t ulp_between(Float a, Float b) {
  Bits oa = ordered_bits(std::bit_cast<Bits>(a));
  Bits ob = ordered_bits(std::bit_cast<Bits>(b));
  return oa > ob ? oa - ob : ob - oa;
}

template <typename T>
T load(const std::vector<std::byte>& bytes, size_t i) {
  T v;
  std::memcpy(&v, bytes.data() + i * sizeof(T), sizeof(T));
  return v;
}

template <typename T>
Magnitude compare_as(const DumpedTensor& a, const DumpedTensor& b) {
  Magnitude m;
  size_t n = a.bytes.size() / sizeof(T);
  for (size_t i = 0; i < n; ++i) {
    T x = load<T>(a.bytes, i);
    T y = load<T>(b.bytes, i);
    if (std::memcmp(&x, &y, sizeof(T)) == 0) {
      continue;
    }
    ++m.differing_elements;
    if (m.first_differing_index < 0) {
      m.first_differing_index = static_cast<std::int64_t>(i);
    }
    double diff;
    if constexpr (std::is_floating_point_v<T>) {
      diff = (std::isnan(x) || std::isnan(y)) ? std::numeric_limits<double>::infinity()
                                              : std::fabs(static_cast<double>(x) - y);
      if constexpr (std::is_same_v<T, float>) {
        m.max_ulp = std::max(m.max_ulp, ulp_between<float, std::uint32_t>(x, y));
      } else {
        m.max_ulp = std::max(m.max_ulp, ulp_between<double, std::uint64_t>(x, y));
      }
    } else {
      diff = std::fabs(static_cast<double>(x) - static_cast<double>(y));
    }
    m.max_abs_diff = std::max(m.max_abs_diff, diff);
  }
  return m;
}

size_t element_size(const std::string& dtype) {
  if (dtype == "float64" || dtype == "int64") {
    return 8;
  }
  if (dtype == "float32" || dtype == "int32") {
    return 4;
  }
  if (dtype == "uint8" || dtype == "int8" || dtype == "bool") {
    return 1;
  }
  return 0;
}

// The element count of `shape`, or nullopt when it exceeds `limit` (overflow-checked).
std::optional<std::uint64_t> element_count(const std::vector<std::int64_t>& shape,
                                           std::uint64_t limit) {
  std::uint64_t n = 1;
  for (auto d : shape) {
    if (d < 0 || __builtin_mul_overflow(n, static_cast<std::uint64_t>(d), &n) || n > limit) {
      return std::nullopt;
    }
  }
  return n;
}

// A tensor file name from a manifest: one plain name inside the dump folder.
std::filesystem::path tensor_file(const std::filesystem::path& dir, const std::string& name,
                                  const std::string& manifest_path, const std::string& field) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos ||
      name.find('\0') != std::string::npos) {
    throw Error(manifest_path, field,
                "'" + name + "' is not a plain file name inside the dump folder");
  }
  auto path = dir / name;
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    throw Error(path.string(), "", std::string("cannot open: ") + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    throw Error(path.string(), "",
                std::string("not a regular file (") + file_type_name(st.st_mode) + ")");
  }
  return path;
}

}  // namespace

const DumpedTensor* TensorDump::find(const std::string& name) const {
  for (const auto& t : tensors) {
    if (t.name == name) {
      return &t;
    }
  }
  return nullptr;
}

void write_tensor_dump(const std::filesystem::path& dir, const TensorDump& dump) {
  nlohmann::ordered_json manifest;
  manifest["format_version"] = k_tensor_dump_format_version;
  manifest["step"] = dump.step;
  manifest["tensors"] = nlohmann::ordered_json::array();
  for (size_t i = 0; i < dump.tensors.size(); ++i) {
    const auto& t = dump.tensors[i];
    std::string file = std::to_string(i) + ".bin";
    write_file_atomic(
        dir / file, std::string_view(reinterpret_cast<const char*>(t.bytes.data()), t.bytes.size()),
        Durability::scratch);
    manifest["tensors"].push_back({{"name", t.name},
                                   {"kind", to_string(t.kind)},
                                   {"dtype", t.dtype},
                                   {"shape", t.shape},
                                   {"file", file},
                                   {"digest", digest_tensor(t.dtype, t.shape, t.bytes).hex()}});
  }
  write_file_atomic(dir / "manifest.json", manifest.dump(1) + "\n", Durability::scratch);
}

TensorDump read_tensor_dump(const std::filesystem::path& dir) {
  auto manifest_path = (dir / "manifest.json").string();
  auto j = parse_json(read_file(manifest_path, k_max_dump_manifest_bytes), manifest_path);
  JsonPath at{manifest_path, ""};
  require_object(j, at);
  check_format_version(j, at, 1, k_tensor_dump_format_version, "tensor dump");
  validate_against("tensor-dump.schema.json", j, manifest_path);
  TensorDump dump;
  dump.step = static_cast<int>(get_int_in(j, "step", at, 0, k_max_trace_steps - 1));
  const JsonPath list_at = at.child("tensors");  // named: GCC 14 -Wdangling-reference
  const auto& list = require_array(require_field(j, "tensors", at), list_at);
  if (list.size() > k_max_dump_tensors) {
    throw Error(manifest_path, "tensors",
                std::to_string(list.size()) + " tensors is more than the limit of " +
                    std::to_string(k_max_dump_tensors));
  }
  std::uint64_t total_bytes = 0;
  for (size_t i = 0; i < list.size(); ++i) {
    JsonPath tat = at.child("tensors").index(i);
    DumpedTensor t;
    t.name = get_string(list[i], "name", tat);
    auto kind = tensor_kind_from_string(get_string(list[i], "kind", tat));
    if (!kind) {
      throw Error(manifest_path, tat.child("kind").field, "unknown tensor kind");
    }
    t.kind = *kind;
    t.dtype = get_string(list[i], "dtype", tat);
    size_t esize = element_size(t.dtype);
    if (esize == 0) {
      throw Error(manifest_path, tat.child("dtype").field,
                  "unsupported dtype '" + t.dtype +
                      "' (float32, float64, int64, int32, uint8, int8, bool)");
    }
    const JsonPath shape_at = tat.child("shape");
    const auto& shape = require_array(require_field(list[i], "shape", tat), shape_at);
    if (shape.size() > k_max_dump_dims) {
      throw Error(manifest_path, tat.child("shape").field,
                  std::to_string(shape.size()) + " dimensions is more than the limit of " +
                      std::to_string(k_max_dump_dims));
    }
    for (const auto& d : shape) {
      if (!d.is_number_integer() || (!d.is_number_unsigned() && d.get<std::int64_t>() < 0) ||
          (d.is_number_unsigned() && d.get<std::uint64_t>() > k_max_dump_tensor_bytes)) {
        throw Error(manifest_path, tat.child("shape").field,
                    "expected non-negative integers no larger than " +
                        std::to_string(k_max_dump_tensor_bytes));
      }
      t.shape.push_back(d.get<std::int64_t>());
    }
    auto count = element_count(t.shape, k_max_dump_tensor_bytes / esize);
    if (!count) {
      throw Error(
          manifest_path, tat.child("shape").field,
          "tensor larger than the limit of " + std::to_string(k_max_dump_tensor_bytes) + " bytes");
    }
    const std::uint64_t want_bytes = *count * esize;
    total_bytes += want_bytes;
    if (total_bytes > k_max_dump_total_bytes) {
      throw Error(manifest_path, tat.child("shape").field,
                  "the dump's tensors add up to more than the limit of " +
                      std::to_string(k_max_dump_total_bytes) + " bytes");
    }
    auto file =
        tensor_file(dir, get_string(list[i], "file", tat), manifest_path, tat.child("file").field);
    std::string raw = read_file(file, want_bytes);
    if (raw.size() != want_bytes) {
      throw Error(
          file.string(), "",
          "size " + std::to_string(raw.size()) + " does not match dtype and shape in the manifest");
    }
    t.bytes.resize(raw.size());
    if (!raw.empty()) {
      std::memcpy(t.bytes.data(), raw.data(), raw.size());
    }
    auto want = Digest::from_hex(get_string(list[i], "digest", tat));
    if (!want || *want != digest_tensor(t.dtype, t.shape, t.bytes)) {
      throw Error(file.string(), "", "contents do not match the digest in the manifest");
    }
    dump.tensors.push_back(std::move(t));
  }
  return dump;
}

std::optional<Magnitude> magnitude(const DumpedTensor& a, const DumpedTensor& b) {
  if (a.dtype != b.dtype || a.shape != b.shape || a.bytes.size() != b.bytes.size()) {
    return std::nullopt;
  }
  if (a.dtype == "float32") {
    return compare_as<float>(a, b);
  }
  if (a.dtype == "float64") {
    return compare_as<double>(a, b);
  }
  if (a.dtype == "int64") {
    return compare_as<std::int64_t>(a, b);
  }
  if (a.dtype == "int32") {
    return compare_as<std::int32_t>(a, b);
  }
  if (a.dtype == "uint8" || a.dtype == "bool") {
    return compare_as<std::uint8_t>(a, b);
  }
  if (a.dtype == "int8") {
    return compare_as<std::int8_t>(a, b);
  }
  return std::nullopt;
}

std::uint64_t ulp_distance(float a, float b) {
  return ulp_between<float, std::uint32_t>(a, b);
}
std::uint64_t ulp_distance(double a, double b) {
  return ulp_between<double, std::uint64_t>(a, b);
}

}  // namespace repro
