// Matrix expansion (ofat and full) and round-robin sharding.
#include "harness/plan/matrix.hpp"

#include <algorithm>
#include <cassert>
#include <charconv>

#include "harness/util/error.hpp"

namespace repro {
namespace {

Settings baseline_settings(const std::vector<MatrixAxis>& axes) {
  Settings settings;
  for (const auto& axis : axes) {
    settings[axis.name] = axis.values.front();
  }
  return settings;
}

Cell make_cell(Settings settings, CellRole role, std::string varied_axis = "") {
  Cell cell;
  cell.id = settings_key(settings);
  if (role == CellRole::repeat) {
    cell.id += "#repeat";
  }
  cell.settings = std::move(settings);
  cell.role = role;
  cell.varied_axis = std::move(varied_axis);
  return cell;
}

}  // namespace

std::string_view to_string(Design design) {
  switch (design) {
    case Design::ofat:
      return "ofat";
    case Design::full:
      return "full";
  }
  return "ofat";
}

Design design_from_string(std::string_view text, const std::string& source,
                          const std::string& field) {
  if (text == "ofat") {
    return Design::ofat;
  }
  if (text == "full") {
    return Design::full;
  }
  throw Error(source, field, "'" + std::string(text) + "' is not a design (expected ofat or full)");
}

std::vector<Cell> expand_matrix(const std::vector<MatrixAxis>& axes, Design design, int repeats) {
  assert(!axes.empty());
  for (const auto& axis : axes) {
    assert(!axis.values.empty());
    (void)axis;
  }
  std::vector<Cell> cells;
  Settings base = baseline_settings(axes);
  cells.push_back(make_cell(base, CellRole::baseline));
  for (int r = 1; r <= std::max(1, repeats); ++r) {
    cells.push_back(make_cell(base, CellRole::repeat));
    if (r > 1) {
      cells.back().id += std::to_string(r);
    }
  }

  if (design == Design::ofat) {
    for (const auto& axis : axes) {
      for (size_t v = 1; v < axis.values.size(); ++v) {
        Settings settings = base;
        settings[axis.name] = axis.values[v];
        cells.push_back(make_cell(std::move(settings), CellRole::variant, axis.name));
      }
    }
    return cells;
  }

  // Full: an odometer over value indices, last axis fastest; index (0, ..., 0) is the
  // baseline, already emitted.
  std::vector<size_t> index(axes.size(), 0);
  while (true) {
    size_t a = axes.size();
    while (a > 0) {
      --a;
      if (++index[a] < axes[a].values.size()) {
        break;
      }
      index[a] = 0;
      if (a == 0) {
        return cells;
      }
    }
    Settings settings;
    for (size_t i = 0; i < axes.size(); ++i) {
      settings[axes[i].name] = axes[i].values[index[i]];
    }
    cells.push_back(make_cell(std::move(settings), CellRole::variant));
  }
}

std::vector<Cell> shard(const std::vector<Cell>& cells, int index, int count) {
  assert(count >= 1 && index >= 0 && index < count);
  std::vector<Cell> out;
  for (size_t p = static_cast<size_t>(index); p < cells.size(); p += static_cast<size_t>(count)) {
    out.push_back(cells[p]);
  }
  return out;
}

ShardSpec parse_shard(std::string_view text, const std::string& source) {
  auto fail = [&](const std::string& why) -> ShardSpec {
    throw Error(source, "",
                "'" + std::string(text) + "' is not a shard: " + why +
                    " (expected i/N with 0 <= i < N, e.g. 0/3)");
  };
  auto slash = text.find('/');
  if (slash == std::string_view::npos) {
    return fail("no '/'");
  }
  auto number = [](std::string_view part, int& out) {
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), out);
    return !part.empty() && ec == std::errc() && end == part.data() + part.size();
  };
  ShardSpec spec;
  if (!number(text.substr(0, slash), spec.index) || !number(text.substr(slash + 1), spec.count)) {
    return fail("not two integers");
  }
  if (spec.count < 1) {
    return fail("N must be at least 1");
  }
  if (spec.index < 0 || spec.index >= spec.count) {
    return fail("i must be between 0 and N-1");
  }
  return spec;
}

}  // namespace repro
