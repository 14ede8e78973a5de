// GoldenStore: the golden/ directory: golden/<suite>/<environment class>.json.
//
// Loads and validates goldens (harness/verdict/golden_file.hpp has the format), looks a run
// up against the golden of its environment class, and blesses (the only writer,
// atomic). A corrupt golden is never overwritten on a failure path.
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
#include "harness/verdict/golden_file.hpp"

namespace repro {

// How a cell compares with its golden digests.
enum class GoldenStatus {
  match,     // bit-identical to the golden
  mismatch,  // differs: see first_divergence
  missing,   // no golden for this environment class, or none for these settings
};
// "match", "mismatch", "missing" (the JSON report's words); PrintTo for GoogleTest.
std::string_view to_string(GoldenStatus status);
void PrintTo(GoldenStatus status, std::ostream* os);

struct GoldenCellCheck {
  GoldenStatus status = GoldenStatus::missing;
  std::optional<FirstDivergence> first_divergence;  // set exactly for mismatch
  std::string detail;                               // one line for people
};

// A golden of the same suite blessed in another environment class.
struct OtherClassGolden {
  std::string environment_class;
  std::filesystem::path path;
  std::vector<std::string> differences;  // "blas_version: 0.3.21 -> 0.3.26", golden -> here
};

struct GoldenLookup {
  std::string environment_class;  // this run's class
  std::filesystem::path path;     // where this class's golden is, or would be
  bool found = false;
  // By cell id, for every cell that ran; cells that did not run are absent.
  std::map<std::string, GoldenCellCheck> cells;
  std::vector<OtherClassGolden> other_classes;  // only when !found
  // Sentences for the report: the bless command to run, other classes' differences.
  std::vector<std::string> notes;
};

// What bless() did.
struct BlessResult {
  std::filesystem::path path;
  bool had_previous = false;         // a golden was there before
  bool replaced_corrupt = false;     // ... and it was unreadable (only with replace_corrupt)
  std::vector<std::string> added;    // settings keys new in this golden
  std::vector<std::string> removed;  // settings keys only in the previous golden
  std::vector<std::string> changed;  // settings keys whose digests changed
};

// The shell command that blesses `suite`: "repro-check bless --suite smoke".
std::string bless_command(const std::string& suite);

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
  // the file's suite, class or fingerprint disagree with where it lies.
  std::optional<GoldenFile> load(const std::string& suite,
                                 const std::string& environment_class) const;

  // Compares each run that ran with the golden of `fingerprint`'s class. Without one,
  // every such cell is `missing`, and goldens of other classes (if any) are loaded to
  // say which fingerprint fields differ. Throws repro::Error when a golden it reads is
  // corrupt (exit 2): a broken golden is an input error, not a missing one.
  GoldenLookup lookup(const std::string& suite, const Fingerprint& fingerprint,
                      const std::vector<CellRun>& runs) const;

  // Writes `golden` to path_for(golden.suite, golden.environment_class) atomically,
  // after checking that the text reads back to `golden` exactly. An existing golden
  // is loaded first to report what changed; when it is corrupt, bless throws its
  // Error and writes nothing, unless `replace_corrupt` (bless --force, say).
  BlessResult bless(const GoldenFile& golden, bool replace_corrupt = false) const;

 private:
  std::filesystem::path m_directory;
};

}  // namespace repro
