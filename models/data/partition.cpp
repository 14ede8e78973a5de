// md5 folds (OpenSSL EVP) and splits.
#include "models/data/partition.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cassert>
#include <memory>
#include <stdexcept>

namespace repro {
namespace {

std::array<unsigned char, 16> md5(std::string_view data) {
  std::array<unsigned char, 16> out{};
  unsigned int len = 0;
  // EVP_Digest is the one-shot API that OpenSSL 3 keeps un-deprecated.
  int ok = EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_md5(), nullptr);
  if (ok != 1 || len != out.size()) {
    throw std::runtime_error("OpenSSL MD5 failed");
  }
  return out;
}

}  // namespace

std::string_view to_string(Split split) {
  switch (split) {
    case Split::train:
      return "train";
    case Split::validation:
      return "validation";
    case Split::calibration:
      return "calibration";
    case Split::test:
      return "test";
  }
  return "train";
}

std::string md5_hex(std::string_view id) {
  static constexpr char k_digits[] = "0123456789abcdef";
  auto d = md5(id);
  std::string out;
  out.reserve(32);
  for (unsigned char b : d) {
    out += k_digits[b >> 4];
    out += k_digits[b & 0xf];
  }
  return out;
}

int fold_of(std::string_view id) {
  // The big-endian 128-bit number mod 10, by Horner's rule on bytes.
  int rem = 0;
  for (unsigned char b : md5(id)) {
    rem = (rem * 256 + b) % 10;
  }
  return rem;
}

Split split_of_fold(int fold) {
  assert(fold >= 0 && fold <= 9);
  if (fold <= 6) {
    return Split::train;
  }
  if (fold == 7) {
    return Split::validation;
  }
  if (fold == 8) {
    return Split::calibration;
  }
  return Split::test;
}

std::string id_from_path(std::string_view path) {
  auto slash = path.find_last_of('/');
  std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  auto dot = name.find_last_of('.');
  if (dot != std::string_view::npos && dot != 0) {
    name = name.substr(0, dot);
  }
  return std::string(name);
}

Partition partition_ids(const std::vector<std::string>& ids) {
  Partition p;
  for (const auto& id : ids) {
    p.ids[static_cast<size_t>(split_of(id))].push_back(id);
  }
  for (auto& group : p.ids) {
    std::sort(group.begin(), group.end());
    // A repeated id is one pet: it belongs to one split, once.
    group.erase(std::unique(group.begin(), group.end()), group.end());
  }
  return p;
}

}  // namespace repro
