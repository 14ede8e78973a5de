// GoldenStore: the golden/ directory: golden/<suite>/<environment class>.json.
//
// Each cell is stored and looked up under its own class (golden_class.hpp), computed
// from the fingerprint in its own trace. Loads and validates goldens (golden_file.hpp
// has the format), compares a run's cells with them (golden_check.hpp says what each
// comparison means), and blesses (the only writer, atomic, adding or replacing cells
// and never dropping others). A corrupt golden is never overwritten on a failure path.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "harness/plan/cell.hpp"
#include "harness/trace/fingerprint.hpp"
#include "harness/verdict/compare.hpp"
#include "harness/verdict/golden_check.hpp"
#include "harness/verdict/golden_file.hpp"

namespace repro {

struct GoldenLookup {
  // By cell id, for every cell that ran; cells that did not run are absent.
  std::map<std::string, GoldenCellCheck> cells;
  // The classes that have a golden file for this suite.
  std::vector<std::string> classes_present;
};

// What bless() did to one class file.
struct BlessResult {
  std::filesystem::path path;
  bool had_previous = false;         // a golden was there before
  bool replaced_corrupt = false;     // ... and it was unreadable (only with replace_corrupt)
  std::vector<std::string> added;    // settings keys new in this golden
  std::vector<std::string> changed;  // settings keys whose digests or workload changed
  std::vector<std::string> kept;     // settings keys of the previous golden left as they were
};

class GoldenStore {
 public:
  // `directory` is the golden/ folder (it need not exist yet).
  explicit GoldenStore(std::filesystem::path directory);

  // The golden/ folder this store reads and writes.
  const std::filesystem::path& directory() const { return m_directory; }

  // golden/<suite>/<environment_class>.json. Throws repro::Error when either name is
  // empty or could escape the directory ('/', leading '.').
  std::filesystem::path path_for(const std::string& suite,
                                 const std::string& environment_class) const;

  // The environment classes with a golden for `suite`, sorted; empty when none.
  std::vector<std::string> environment_classes(const std::string& suite) const;

  // The golden of `suite` in `environment_class`; nullopt when there is no such file.
  // Throws repro::Error naming the file for anything parse_golden() rejects, and when
  // the file's suite or class disagree with where it lies.
  std::optional<GoldenFile> load(const std::string& suite,
                                 const std::string& environment_class) const;

  // Every golden file of `suite`, by class.
  std::map<std::string, GoldenFile> load_all(const std::string& suite) const;

  // Compares each run that ran with the golden of its own class (its trace's
  // fingerprint, else `fallback`). A cell without one is `missing`, and is compared with
  // every other class's golden that holds its settings (cross-class evidence). Throws
  // repro::Error when a golden it reads is corrupt (exit 2).
  GoldenLookup lookup(const std::string& suite, const Fingerprint& fallback,
                      const std::vector<CellRun>& runs) const;

  // Adds or replaces golden.cells in path_for(golden.suite, golden.environment_class),
  // keeping the previous file's other cells, atomically, after checking that the text
  // reads back exactly. When the existing file is corrupt, bless throws its Error and
  // writes nothing, unless `replace_corrupt` (then its cells are lost).
  BlessResult bless(const GoldenFile& golden, bool replace_corrupt = false) const;

 private:
  std::filesystem::path m_directory;
};

}  // namespace repro
