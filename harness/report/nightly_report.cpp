// Nightly report: "what changed" first, then the Vega-Lite charts, as HTML and Markdown.
#include "harness/report/nightly_report.hpp"

#include <cmath>
#include <cstdio>

#include "harness/report/escape.hpp"
#include "harness/report/nightly_charts.hpp"

namespace repro {
namespace {

constexpr const char* k_style = R"css(
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; max-width: 1280px; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 1.8em; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
.kind-new-divergence { color: #b00020; font-weight: bold; } .kind-fixed { color: #17692b; }
.muted, .caption { color: #666; } .caption { margin: 0.2em 0 0.6em; }
.chart { margin: 0.5em 0 1.5em; }
#repro-script-errors { color: #b00020; white-space: pre-wrap; }
table.strip img { width: 128px; height: 128px; image-rendering: pixelated; }
)css";

// Records script errors where a test (and a person) sees them, before any chart code runs.
constexpr const char* k_error_hook = R"js(
window.__reproErrors = [];
function reproError(message) {
  window.__reproErrors.push(String(message));
  document.body.setAttribute('data-repro-error', window.__reproErrors.join(' | '));
  var box = document.getElementById('repro-script-errors');
  if (box) { box.textContent = window.__reproErrors.join('\n'); }
}
window.addEventListener('error', function (e) { reproError(e.message || 'script error'); });
window.addEventListener('unhandledrejection', function (e) { reproError(e.reason); });
window.addEventListener('load', function () {
  var images = document.querySelectorAll('img');
  var decoded = 0;
  images.forEach(function (img) {
    if (img.complete && img.naturalWidth > 0) { decoded += 1; }
    else { reproError('image did not decode: ' + img.alt); }
  });
  document.body.setAttribute('data-images-decoded', String(decoded));
});
(function () {
  var original = console.error;
  console.error = function () {
    reproError(Array.prototype.join.call(arguments, ' '));
    original.apply(console, arguments);
  };
})();
)js";

constexpr const char* k_render = R"js(
(function () {
  var charts = JSON.parse(document.getElementById('repro-charts').textContent);
  if (typeof vegaEmbed !== 'function') { reproError('vegaEmbed is not loaded'); return; }
  Promise.all(charts.map(function (c) {
    return vegaEmbed('#' + c.id, c.spec, {renderer: 'svg', actions: false});
  })).then(function () {
    document.body.setAttribute('data-charts-rendered', String(charts.length));
  }).catch(function (err) { reproError(err && err.message ? err.message : err); });
})();
)js";

std::string h(std::string_view text) {
  return xml_escape(text);
}

std::string css_kind(const std::string& kind) {
  std::string out = "kind-";
  for (char c : kind) {
    out += c == ' ' ? '-' : c;
  }
  return out;
}

void write_changes_html(std::ostream& out, const NightlyHistory& history) {
  out << "<h2 id=\"what-changed\">What changed since the previous night</h2>\n";
  if (history.groups.empty()) {
    out << "<p class=\"muted\">No night of suite " << h(history.suite) << " between "
        << h(history.since) << " and " << h(history.now) << ".</p>\n";
    return;
  }
  const NightGroup& group = history.groups.front();
  const Night& latest = group.nights.back();
  out << "<p>Latest night: <b>" << h(latest.time) << "</b>, environment class <code>"
      << h(group.environment_class) << "</code>, verdict <b>"
      << (latest.report.pass ? "pass" : "fail") << "</b> (exit " << latest.report.exit_code << ")"
      << (latest.report.culprit.empty() ? "" : ": " + h(latest.report.culprit)) << ".</p>\n";
  if (group.nights.size() < 2) {
    out << "<p class=\"muted\">No previous night of this environment class in the window: "
           "nothing to compare with yet.</p>\n";
    return;
  }
  const Night& previous = group.nights[group.nights.size() - 2];
  std::vector<NightChange> changes = changes_between(previous.report, latest.report);
  out << "<p>Compared with " << h(previous.time) << ".</p>\n";
  if (changes.empty()) {
    out << "<p>Nothing changed: same verdicts, same goldens, same environment.</p>\n";
    return;
  }
  out << "<table>\n<tr><th>Change</th><th>Cell</th><th>Setting responsible</th>"
         "<th>What</th></tr>\n";
  for (const auto& c : changes) {
    out << "<tr class=\"" << css_kind(c.kind) << "\"><td>" << h(c.kind) << "</td><td><code>"
        << h(c.cell) << "</code></td><td>" << h(c.setting) << "</td><td>" << h(c.detail)
        << "</td></tr>\n";
  }
  out << "</table>\n";
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

// The chart's numbers, exactly: deltas of a few ULP do not show as bars.
void write_metric_table(std::ostream& out, const nlohmann::json& rows) {
  out << "<table>\n<tr><th>Setting</th><th>Metric</th><th>Cell</th><th>Baseline</th>"
         "<th>Δ</th></tr>\n";
  for (const auto& row : rows) {
    out << "<tr><td>" << h(row["setting"].get<std::string>()) << "</td><td>"
        << h(row["metric"].get<std::string>()) << "</td><td>" << number(row["value"].get<double>())
        << "</td><td>" << number(row["baseline"].get<double>()) << "</td><td>"
        << number(row["delta"].get<double>()) << "</td></tr>\n";
  }
  out << "</table>\n";
}

std::string png_img(const std::string& base64_png, const std::string& alt) {
  return "<img src=\"data:image/png;base64," + base64_png + "\" alt=\"" + h(alt) + "\">";
}

// For each breaking single-axis change of the latest night: how many validation pixels
// the cell predicts differently from the baseline, and a strip of a few validation images
// with both cells' predicted masks side by side.
void write_prediction_strip(std::ostream& out, const RunReport& r) {
  const CellReport* baseline = nullptr;
  for (const auto& c : r.cells) {
    if (c.role == CellRole::baseline && c.predictions) {
      baseline = &c;
    }
  }
  if (baseline == nullptr) {
    out << "<p class=\"muted\">No predicted masks on the latest night (the worker writes "
           "them with its validation metrics).</p>\n";
    return;
  }
  out << "<h3>Predicted masks: baseline and each breaking setting</h3>\n<p class=\"caption\">"
         "Orange: pet, grey: background, white: border. Counts are over the first "
      << baseline->predictions->samples.size() << " validation images.</p>\n";
  int strips = 0;
  for (const auto& a : r.attribution) {
    const CellReport* cell = nullptr;
    for (const auto& c : r.cells) {
      if (a.breaks && c.id == a.cell_id && c.predictions && c.prediction_change) {
        cell = &c;
      }
    }
    if (cell == nullptr) {
      continue;
    }
    ++strips;
    const PredictionChange& change = *cell->prediction_change;
    char share[32];
    std::snprintf(share, sizeof share, "%.2f%%",
                  change.pixels == 0 ? 0.0
                                     : 100.0 * static_cast<double>(change.differing) /
                                           static_cast<double>(change.pixels));
    out << "<div class=\"strip\" data-setting=\"" << h(a.axis) << "\"><p><b>"
        << h(a.axis + " " + a.from + "→" + a.to) << "</b>: " << change.differing << " of "
        << change.pixels << " validation pixels (" << share
        << ") get another predicted class.</p>\n<table class=\"strip\"><tr><th>Image</th>"
           "<th>Input</th><th>Baseline</th><th>"
        << h(r.label(*cell)) << "</th><th>Pixels changed</th></tr>\n";
    for (const auto& image : baseline->predictions->images) {
      const PredictionImage* theirs = nullptr;
      for (const auto& other : cell->predictions->images) {
        if (other.id == image.id) {
          theirs = &other;
        }
      }
      std::int64_t differing = -1;
      for (size_t i = 0; i < baseline->predictions->samples.size(); ++i) {
        if (baseline->predictions->samples[i].id == image.id &&
            i < change.differing_by_sample.size()) {
          differing = change.differing_by_sample[i];
        }
      }
      out << "<tr><td>" << h(image.id) << "</td><td>"
          << (image.input_png.empty() ? "" : png_img(image.input_png, image.id + " input"))
          << "</td><td>" << png_img(image.mask_png, image.id + " baseline mask") << "</td><td>"
          << (theirs == nullptr ? "-" : png_img(theirs->mask_png, image.id + " cell mask"))
          << "</td><td>" << (differing < 0 ? std::string("-") : std::to_string(differing))
          << "</td></tr>\n";
    }
    out << "</table></div>\n";
  }
  if (strips == 0) {
    out << "<p class=\"muted\">No breaking setting with predicted masks on the latest "
           "night.</p>\n";
  }
}

// JSON inside <script type="application/json">: "</" must not close the element.
std::string script_safe(const std::string& json_text) {
  std::string out;
  for (size_t i = 0; i < json_text.size(); ++i) {
    if (json_text[i] == '<' && i + 1 < json_text.size() && json_text[i + 1] == '/') {
      out += "<\\/";
      ++i;
    } else {
      out += json_text[i];
    }
  }
  return out;
}

}  // namespace

void write_nightly_html(std::ostream& out, const NightlyHistory& history,
                        std::string_view chart_scripts) {
  std::vector<NightlyChart> charts;
  charts.push_back(verdict_grid_chart(history));
  if (!history.groups.empty()) {
    const NightGroup& group = history.groups.front();
    charts.push_back(divergence_heatmap_chart(group));
    charts.push_back(loss_curves_chart(group));
    charts.push_back(step_time_chart(group));
    charts.push_back(determinism_tax_chart(group));
    charts.push_back(model_effect_chart(group));
  }
  nlohmann::json drawn = nlohmann::json::array();
  for (const auto& c : charts) {
    if (!c.spec.is_null()) {
      drawn.push_back({{"id", c.id}, {"spec", c.spec}});
    }
  }

  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<title>repro-check nightly: " << h(history.suite) << "</title>\n<style>" << k_style
      << "</style>\n</head>\n<body data-charts-expected=\"" << drawn.size() << "\">\n"
      << "<script>" << k_error_hook << "</script>\n";
  out << "<h1>repro-check nightly report: suite " << h(history.suite) << "</h1>\n"
      << "<p class=\"muted\">Nights from " << h(history.since) << " to " << h(history.now)
      << ". Self-contained: works offline.</p>\n<pre id=\"repro-script-errors\"></pre>\n";
  write_changes_html(out, history);
  for (const auto& c : charts) {
    out << "<h2>" << h(c.title) << "</h2>\n<p class=\"caption\">" << h(c.caption) << "</p>\n";
    if (c.spec.is_null()) {
      out << "<p class=\"muted\">Nothing to draw: " << h(c.empty_note) << ".</p>\n";
    } else {
      out << "<div class=\"chart\" id=\"" << h(c.id) << "\"></div>\n";
    }
    if (c.id == "model-effect" && !c.spec.is_null()) {
      write_metric_table(out, c.spec["data"]["values"]);
    }
    if (c.id == "model-effect" && !history.groups.empty()) {
      write_prediction_strip(out, history.groups.front().nights.back().report);
    }
  }
  if (history.groups.size() > 1) {
    out << "<h2>Other environment classes</h2>\n<table>\n<tr><th>Environment class</th>"
           "<th>Nights</th><th>Latest</th><th>Verdict</th></tr>\n";
    for (size_t i = 1; i < history.groups.size(); ++i) {
      const NightGroup& g = history.groups[i];
      out << "<tr><td><code>" << h(g.environment_class) << "</code></td><td>" << g.nights.size()
          << "</td><td>" << h(g.nights.back().time) << "</td><td>"
          << (g.nights.back().report.pass ? "pass" : "fail") << "</td></tr>\n";
    }
    out << "</table>\n";
  }
  if (!history.unreadable.empty()) {
    out << "<h2>Unreadable history rows</h2>\n<ul>\n";
    for (const auto& line : history.unreadable) {
      out << "<li>" << h(line) << "</li>\n";
    }
    out << "</ul>\n";
  }
  out << chart_scripts << "<script type=\"application/json\" id=\"repro-charts\">"
      << script_safe(drawn.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
      << "</script>\n<script>" << k_render << "</script>\n</body>\n</html>\n";
}

void write_nightly_markdown(std::ostream& out, const NightlyHistory& history) {
  out << "## repro-check nightly: " << markdown_escape(history.suite) << "\n\n";
  if (history.groups.empty()) {
    out << "No night between " << history.since << " and " << history.now << ".\n";
    return;
  }
  const NightGroup& group = history.groups.front();
  const Night& latest = group.nights.back();
  out << "### What changed since the previous night\n\n";
  if (group.nights.size() < 2) {
    out << "First night of environment class `" << group.environment_class
        << "` in the window: nothing to compare with.\n\n";
  } else {
    std::vector<NightChange> changes =
        changes_between(group.nights[group.nights.size() - 2].report, latest.report);
    if (changes.empty()) {
      out << "Nothing changed.\n\n";
    } else {
      out << "| change | cell | setting responsible | what |\n| --- | --- | --- | --- |\n";
      for (const auto& c : changes) {
        out << "| " << markdown_escape(c.kind) << " | `" << c.cell << "` | "
            << markdown_escape(c.setting) << " | " << markdown_escape(c.detail) << " |\n";
      }
      out << "\n";
    }
  }
  out << "### Latest night (" << latest.time << ", `" << group.environment_class << "`)\n\n"
      << "| cell | verdict | golden |\n| --- | --- | --- |\n";
  for (const auto& c : latest.report.cells) {
    out << "| `" << latest.report.label(c) << "` | " << to_string(c.verdict) << " | "
        << (c.golden ? std::string(to_string(*c.golden)) : "-") << " |\n";
  }
}

}  // namespace repro
