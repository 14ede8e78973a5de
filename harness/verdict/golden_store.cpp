// The golden/ directory: load, lookup against a run, bless.
#include "harness/verdict/golden_store.hpp"
#include "harness/verdict/golden_reader.hpp"
#include "harness/verdict/golden_writer.hpp"

#include <algorithm>

#include "harness/util/atomic_file.hpp"
#include "harness/util/error.hpp"

namespace repro {
namespace {

void check_name(const std::string& name, std::string_view what) {
  if (name.empty() || name.front() == '.' || name.find('/') != std::string::npos ||
      name.find('\\') != std::string::npos || name.find('\0') != std::string::npos) {
    throw Error("", std::string(what),
                "'" + name + "' cannot name a golden file (empty, leading '.', or a slash)");
  }
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const auto& item : items) {
    out += (out.empty() ? "" : std::string(separator)) + item;
  }
  return out;
}

}  // namespace

std::string_view to_string(GoldenStatus status) {
  switch (status) {
    case GoldenStatus::match:
      return "match";
    case GoldenStatus::mismatch:
      return "mismatch";
    case GoldenStatus::missing:
      return "missing";
  }
  return "missing";
}

void PrintTo(GoldenStatus status, std::ostream* os) {
  *os << to_string(status);
}

std::string bless_command(const std::string& suite) {
  return "repro-check bless --suite " + suite;
}

GoldenStore::GoldenStore(std::filesystem::path directory) : m_directory(std::move(directory)) {}

std::filesystem::path GoldenStore::path_for(const std::string& suite,
                                            const std::string& environment_class) const {
  check_name(suite, "suite");
  check_name(environment_class, "environment_class");
  return m_directory / suite / (environment_class + ".json");
}

std::vector<std::string> GoldenStore::environment_classes(const std::string& suite) const {
  check_name(suite, "suite");
  std::vector<std::string> out;
  std::error_code ec;
  std::filesystem::directory_iterator it(m_directory / suite, ec);
  if (ec) {
    return out;  // no goldens for this suite yet
  }
  for (const auto& entry : it) {
    const auto& p = entry.path();
    if (p.extension() == ".json" && p.stem().string().front() != '.') {
      out.push_back(p.stem().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<GoldenFile> GoldenStore::load(const std::string& suite,
                                            const std::string& environment_class) const {
  std::filesystem::path path = path_for(suite, environment_class);
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return std::nullopt;
  }
  std::string file = path.string();
  GoldenFile g = parse_golden(read_file(path), file);
  if (g.suite != suite) {
    throw Error(file, "suite", "says '" + g.suite + "' but the file lies under '" + suite + "'");
  }
  if (g.environment_class != environment_class) {
    throw Error(
        file, "environment_class",
        "says '" + g.environment_class + "' but the file is named for '" + environment_class + "'");
  }
  if (repro::environment_class(g.fingerprint) != g.environment_class) {
    throw Error(file, "fingerprint",
                "is of environment class '" + repro::environment_class(g.fingerprint) + "', not '" +
                    g.environment_class + "'");
  }
  return g;
}

GoldenLookup GoldenStore::lookup(const std::string& suite, const Fingerprint& fingerprint,
                                 const std::vector<CellRun>& runs) const {
  GoldenLookup r;
  r.environment_class = environment_class(fingerprint);
  r.path = path_for(suite, r.environment_class);
  std::optional<GoldenFile> golden = load(suite, r.environment_class);
  r.found = golden.has_value();
  size_t missing = 0;
  for (const auto& run : runs) {
    if (run.status != RunStatus::ran || !run.trace) {
      continue;
    }
    GoldenCellCheck check;
    std::string key = settings_key(run.cell.settings);
    const GoldenCell* cell = nullptr;
    if (golden) {
      auto it = golden->cells.find(key);
      cell = it == golden->cells.end() ? nullptr : &it->second;
    }
    if (!golden) {
      check.detail = "no golden for environment class " + r.environment_class;
    } else if (cell == nullptr) {
      check.detail = "the golden has no digests for these settings";
    } else {
      Comparison c = compare_with_golden(*cell, *run.trace);
      check.status = c.identical ? GoldenStatus::match : GoldenStatus::mismatch;
      check.first_divergence = c.first_divergence;
      check.detail =
          c.identical ? "matches the golden" : "differs from the golden: " + c.describe();
    }
    missing += check.status == GoldenStatus::missing ? 1 : 0;
    r.cells.emplace(run.cell.id, std::move(check));
  }
  if (!r.found) {
    r.notes.push_back("no golden digests for suite " + suite + " in environment class " +
                      r.environment_class + " (expected " + r.path.string() +
                      "); to record this run's digests as golden, run: " + bless_command(suite));
    for (const auto& other : environment_classes(suite)) {
      std::optional<GoldenFile> g = load(suite, other);
      if (!g) {
        continue;
      }
      OtherClassGolden o{other, path_for(suite, other),
                         environment_class_differences(g->fingerprint, fingerprint)};
      r.notes.push_back("a golden exists for environment class " + other + " (" + o.path.string() +
                        "), blessed where " +
                        (o.differences.empty() ? std::string("the class fields are equal")
                                               : join(o.differences, "; ")));
      r.other_classes.push_back(std::move(o));
    }
  } else if (missing > 0) {
    r.notes.push_back(std::to_string(missing) + " cell(s) have no golden digests in " +
                      r.path.string() +
                      " (new settings?); to add them, run: " + bless_command(suite));
  }
  return r;
}

BlessResult GoldenStore::bless(const GoldenFile& golden, bool replace_corrupt) const {
  BlessResult result;
  result.path = path_for(golden.suite, golden.environment_class);
  std::string text = serialize_golden(golden);
  // Never write a file that would not read back as exactly what was meant.
  if (parse_golden(text, result.path.string()) != golden) {
    throw Error(result.path.string(), "", "golden does not round-trip (a bug in the writer)");
  }
  std::optional<GoldenFile> previous;
  try {
    previous = load(golden.suite, golden.environment_class);
  } catch (const Error&) {
    if (!replace_corrupt) {
      throw;  // the corrupt file stays as it is, for someone to look at
    }
    result.had_previous = true;
    result.replaced_corrupt = true;
  }
  if (previous) {
    result.had_previous = true;
    for (const auto& [key, cell] : golden.cells) {
      auto it = previous->cells.find(key);
      if (it == previous->cells.end()) {
        result.added.push_back(key);
      } else if (!(it->second == cell)) {
        result.changed.push_back(key);
      }
    }
    for (const auto& [key, cell] : previous->cells) {
      if (golden.cells.find(key) == golden.cells.end()) {
        result.removed.push_back(key);
      }
    }
  } else if (!result.replaced_corrupt) {
    for (const auto& [key, cell] : golden.cells) {
      result.added.push_back(key);
    }
  }
  write_file_atomic(result.path, text);
  return result;
}

}  // namespace repro
