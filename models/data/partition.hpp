// Partition: the md5 fold of a pet id, as in the original study.
//
//   fold = int(hashlib.md5(id.encode("utf-8")).hexdigest(), 16) % 10
//   folds 0-6 train, 7 validation, 8 calibration, 9 test
//
// The id of a file is its name without directory and without the last extension,
// byte for byte (case-sensitive, no Unicode normalization): "images/Abyssinian_12.jpg"
// -> "Abyssinian_12". A fold depends on the id alone, so a lost dataset regenerates
// exactly, whatever the order, location or company of its files.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace repro {

enum class Split { train, validation, calibration, test };

// "train", "validation", "calibration", "test".
std::string_view to_string(Split split);

// MD5 of the id's bytes, 32 lowercase hex characters.
std::string md5_hex(std::string_view id);

// int(md5 hex, 16) % 10, computed exactly on the 128-bit value.
int fold_of(std::string_view id);

// 0-6 train, 7 validation, 8 calibration, 9 test. `fold` must be in [0, 9].
Split split_of_fold(int fold);
inline Split split_of(std::string_view id) {
  return split_of_fold(fold_of(id));
}

// The id of a dataset file: file name without directories and without its last
// extension ("a/b/Bombay_3.jpg" -> "Bombay_3", "x.tar.gz" -> "x.tar").
std::string id_from_path(std::string_view path);

// Ids grouped by split, each group sorted by id (byte order): never by listing order.
struct Partition {
  std::array<std::vector<std::string>, 4> ids;  // indexed by Split
  const std::vector<std::string>& of(Split s) const { return ids[static_cast<size_t>(s)]; }
};
Partition partition_ids(const std::vector<std::string>& ids);

}  // namespace repro
