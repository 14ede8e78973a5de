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

}  // namespace

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
  return g;
}

std::map<std::string, GoldenFile> GoldenStore::load_all(const std::string& suite) const {
  std::map<std::string, GoldenFile> out;
  for (const auto& name : environment_classes(suite)) {
    if (std::optional<GoldenFile> g = load(suite, name)) {
      out.emplace(name, std::move(*g));
    }
  }
  return out;
}

GoldenLookup GoldenStore::lookup(const std::string& suite, const Fingerprint& fallback,
                                 const std::vector<CellRun>& runs) const {
  GoldenLookup r;
  std::map<std::string, GoldenFile> goldens = load_all(suite);
  for (const auto& [name, g] : goldens) {
    r.classes_present.push_back(name);
  }
  for (const auto& run : runs) {
    if (run.status != RunStatus::ran || !run.trace) {
      continue;
    }
    Fingerprint fp = cell_fingerprint(run, fallback);
    ClassFields fields = golden_class_fields(fp);
    GoldenCellCheck check;
    check.environment_class = golden_class_name(fields);
    check.portable = golden_class_portable(fields);
    check.path = path_for(suite, check.environment_class).string();
    std::string key = settings_key(run.cell.settings);
    auto own = goldens.find(check.environment_class);
    const GoldenCell* cell = nullptr;
    if (own != goldens.end()) {
      auto it = own->second.cells.find(key);
      cell = it == own->second.cells.end() ? nullptr : &it->second;
    }
    if (cell != nullptr) {
      check_against_golden(suite, run.cell.settings, fp, *run.trace, *cell, check);
    } else {
      check.accept_command = bless_cell_command(suite, run.cell.settings);
      for (const auto& [name, g] : goldens) {
        auto it = g.cells.find(key);
        if (name != check.environment_class && it != g.cells.end()) {
          check.cross_class.push_back(
              cross_class_evidence(name, g.class_fields, fields, *run.trace, it->second));
        }
      }
      check.detail = own == goldens.end() ? "no golden for class " + check.environment_class
                                          : "the golden of class " + check.environment_class +
                                                " has no digests for these settings";
      for (const auto& e : check.cross_class) {
        check.detail += "; " + e.text;
      }
      if (check.cross_class.empty()) {
        check.detail += "; no other class has these settings either";
      }
    }
    r.cells.emplace(run.cell.id, std::move(check));
  }
  return r;
}

BlessResult GoldenStore::bless(const GoldenFile& golden, bool replace_corrupt) const {
  BlessResult result;
  result.path = path_for(golden.suite, golden.environment_class);
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
  GoldenFile merged = golden;
  if (previous) {
    result.had_previous = true;
    if (previous->class_fields != golden.class_fields) {
      throw Error(result.path.string(), "class_fields",
                  "differ from the cells being blessed (a bug: the class name collides)");
    }
    for (const auto& [key, cell] : previous->cells) {
      auto it = golden.cells.find(key);
      if (it == golden.cells.end()) {
        merged.cells.emplace(key, cell);
        result.kept.push_back(key);
      } else if (it->second.steps != cell.steps || it->second.config != cell.config) {
        result.changed.push_back(key);
      } else {
        // Same digests and workload: the cell keeps its original provenance.
        merged.cells[key] = cell;
        result.kept.push_back(key);
      }
    }
  }
  for (const auto& [key, cell] : golden.cells) {
    if (!previous || previous->cells.find(key) == previous->cells.end()) {
      result.added.push_back(key);
    }
  }
  std::string text = serialize_golden(merged);
  // Never write a file that would not read back as exactly what was meant.
  if (parse_golden(text, result.path.string()) != merged) {
    throw Error(result.path.string(), "", "golden does not round-trip (a bug in the writer)");
  }
  write_file_atomic(result.path, text);
  return result;
}

}  // namespace repro
