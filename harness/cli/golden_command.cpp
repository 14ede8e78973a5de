// `repro-check golden classes`: list a suite's class files and their bit-for-bit agreement.
#include "harness/cli/golden_command.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

#include "harness/cli/run_setup.hpp"
#include "harness/util/exit_codes.hpp"
#include "harness/util/join.hpp"

namespace repro {
namespace {

constexpr const char* k_golden_examples = R"TEXT(
Examples:
  repro-check golden classes --suite pr
  repro-check golden classes --suite smoke --json

Each class file holds the cells blessed in that environment class (golden/<suite>/<class>.json).
"agreement" compares every settings key blessed in more than one class: classes whose
digests are identical at every step form one group. Identical groups across CPUs are the
evidence that a cell's bits are portable; different groups show they are CPU-specific.)TEXT";

std::string short_commit(const std::string& commit) {
  return commit.empty() ? "-" : commit.substr(0, 12);
}

// For one key: groups of classes with identical steps, in class order.
std::vector<std::vector<std::string>> agreement(const std::map<std::string, GoldenFile>& goldens,
                                                const std::string& key) {
  std::vector<std::pair<const GoldenCell*, std::vector<std::string>>> groups;
  for (const auto& [name, g] : goldens) {
    auto it = g.cells.find(key);
    if (it == g.cells.end()) {
      continue;
    }
    bool placed = false;
    for (auto& [cell, names] : groups) {
      if (cell->steps == it->second.steps) {
        names.push_back(name);
        placed = true;
        break;
      }
    }
    if (!placed) {
      groups.push_back({&it->second, {name}});
    }
  }
  std::vector<std::vector<std::string>> out;
  for (auto& [cell, names] : groups) {
    out.push_back(std::move(names));
  }
  return out;
}

}  // namespace

void add_golden_command(CLI::App& app, GoldenOptions& options) {
  auto* cmd = app.add_subcommand("golden", "Inspect the committed goldens");
  cmd->require_subcommand(1);
  auto* classes = cmd->add_subcommand(
      "classes",
      "Which environment class files a suite has, their cells and provenance, and which "
      "classes agree bit for bit on which cells");
  classes->add_option("--suite", options.suite, "Suite: golden/NAME/")->required();
  classes->add_flag("--json", options.json, "Print JSON instead of text");
  classes->footer(k_golden_examples);
}

bool golden_command_given(const CLI::App& app) {
  return app.got_subcommand("golden");
}

void write_golden_classes(std::ostream& out, const std::string& suite,
                          const std::map<std::string, GoldenFile>& goldens, bool json) {
  std::map<std::string, int> key_count;
  for (const auto& [name, g] : goldens) {
    for (const auto& [key, cell] : g.cells) {
      ++key_count[key];
    }
  }
  if (json) {
    nlohmann::ordered_json j;
    j["format_version"] = 1;
    j["suite"] = suite;
    nlohmann::ordered_json classes = nlohmann::ordered_json::array();
    for (const auto& [name, g] : goldens) {
      nlohmann::ordered_json c;
      c["environment_class"] = name;
      c["portable"] = golden_class_portable(g.class_fields);
      nlohmann::ordered_json fields = nlohmann::ordered_json::object();
      for (const auto& [field, value] : g.class_fields) {
        fields[field] = value;
      }
      c["class_fields"] = std::move(fields);
      nlohmann::ordered_json cells = nlohmann::ordered_json::array();
      for (const auto& [key, cell] : g.cells) {
        cells.push_back({{"key", key},
                         {"steps", cell.steps.size()},
                         {"blessed_at", cell.provenance.blessed_at},
                         {"reason", cell.provenance.reason},
                         {"commit", cell.provenance.commit},
                         {"source", cell.provenance.source},
                         {"config_hash", config_hash(cell.config).hex()}});
      }
      c["cells"] = std::move(cells);
      classes.push_back(std::move(c));
    }
    j["classes"] = std::move(classes);
    nlohmann::ordered_json agree = nlohmann::ordered_json::array();
    for (const auto& [key, n] : key_count) {
      if (n > 1) {
        agree.push_back({{"key", key}, {"identical_groups", agreement(goldens, key)}});
      }
    }
    j["agreement"] = std::move(agree);
    out << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return;
  }
  out << "golden classes of suite " << suite << ": " << goldens.size() << " file(s)\n";
  for (const auto& [name, g] : goldens) {
    out << "\n"
        << name << (golden_class_portable(g.class_fields) ? "  (portable)" : "  (CPU-specific)")
        << "\n  fields:";
    for (const auto& [field, value] : g.class_fields) {
      out << " " << field << "=" << value;
    }
    out << "\n";
    for (const auto& [key, cell] : g.cells) {
      out << "  " << key << ": " << cell.steps.size() << " steps, blessed "
          << cell.provenance.blessed_at << " at " << short_commit(cell.provenance.commit)
          << " from " << cell.provenance.source << " (" << cell.provenance.reason << ")\n";
    }
  }
  bool header = false;
  for (const auto& [key, n] : key_count) {
    if (n < 2) {
      continue;
    }
    if (!header) {
      out << "\nagreement (settings blessed in more than one class):\n";
      header = true;
    }
    auto groups = agreement(goldens, key);
    out << "  " << key << ": "
        << (groups.size() == 1 ? "identical in all " + std::to_string(n) + " classes"
                               : std::to_string(groups.size()) + " different results")
        << "\n";
    if (groups.size() > 1) {
      for (const auto& group : groups) {
        out << "    identical: " << join(group, ", ") << "\n";
      }
    }
  }
  if (!header) {
    out << "\nagreement: no settings are blessed in more than one class\n";
  }
}

int run_golden(const CommonOptions& common, const GoldenOptions& options) {
  std::filesystem::path root = project_root(common);
  GoldenStore store(root / "golden");
  write_golden_classes(std::cout, options.suite, store.load_all(options.suite), options.json);
  return k_exit_ok;
}

}  // namespace repro
