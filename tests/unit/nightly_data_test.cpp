// Nightly report data: the window, grouping by environment class, what changed between nights.
#include <gtest/gtest.h>

#include <sstream>

#include "harness/report/json_report.hpp"
#include "harness/report/nightly_data.hpp"
#include "harness/report/nightly_report.hpp"
#include "harness/util/error.hpp"
#include "harness/verdict/check.hpp"
#include "tests/support/synthetic_traces.hpp"

namespace repro {
namespace {

using test::make_cell;
using test::make_run;
using test::make_trace;

const Settings k_base = {{"device", "cpu"}, {"threads", "1"}};
const Settings k_two = {{"device", "cpu"}, {"threads", "2"}};

RunReport night(bool threads_diverge, const std::string& blas = "openblas") {
  CheckInput in;
  in.suite = "nightly";
  in.design = "ofat";
  in.fingerprint.device = "cpu";
  in.fingerprint.blas_build = blas;
  Trace two = make_trace(3);
  if (threads_diverge) {
    test::diverge(two, 1, "enc1.conv1.weight.grad");
  }
  in.runs = {make_run(make_cell(k_base, CellRole::baseline), make_trace(3)),
             make_run(make_cell(k_base, CellRole::repeat), make_trace(3)),
             make_run(make_cell(k_two, CellRole::variant, "threads"), two)};
  return check_runs(in);
}

HistoryRow row(std::int64_t id, const std::string& time, const RunReport& r) {
  HistoryRow h = history_row(r, time);
  h.id = id;
  return h;
}

TEST(NightlyData, NamesANewDivergenceWithTheSettingResponsible) {
  std::vector<NightChange> changes = changes_between(night(false), night(true));
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].kind, "new divergence");
  EXPECT_EQ(changes[0].cell, "device=cpu,threads=2");
  EXPECT_EQ(changes[0].setting, "threads 1→2");
  EXPECT_NE(changes[0].detail.find("step 1"), std::string::npos) << changes[0].detail;
}

TEST(NightlyData, NamesFixedCellsAndEnvironmentChanges) {
  std::vector<NightChange> changes = changes_between(night(true), night(false, "atlas"));
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].kind, "fixed");
  EXPECT_EQ(changes[1].kind, "environment");
  EXPECT_EQ(changes[1].setting, "blas_build");
  EXPECT_EQ(changes[1].detail, "openblas → atlas");
}

TEST(NightlyData, NothingChangedBetweenEqualNights) {
  EXPECT_TRUE(changes_between(night(true), night(true)).empty());
}

TEST(NightlyData, KeepsTheWindowAndGroupsByEnvironmentClass) {
  std::vector<HistoryRow> rows = {row(4, "2026-02-03T03:00:00Z", night(true)),
                                  row(3, "2026-02-02T03:00:00Z", night(false, "atlas")),
                                  row(2, "2026-02-01T03:00:00Z", night(false)),
                                  row(1, "2026-01-01T03:00:00Z", night(false))};
  rows.push_back(row(5, "2026-02-02T04:00:00Z", night(false)));
  rows.back().suite = "other";
  auto now = parse_utc_iso8601("2026-02-03T12:00:00Z");
  ASSERT_TRUE(now);
  NightlyHistory h = collect_nights(rows, "nightly", *now, parse_duration("14d", "--since"));
  ASSERT_EQ(h.groups.size(), 2u);
  ASSERT_EQ(h.groups[0].nights.size(), 2u);  // January is outside the window
  EXPECT_EQ(h.groups[0].nights.front().time, "2026-02-01T03:00:00Z");  // oldest first
  EXPECT_EQ(h.groups[0].nights.back().time, "2026-02-03T03:00:00Z");
  EXPECT_EQ(h.groups[1].nights.size(), 1u);
  EXPECT_NE(h.groups[0].environment_class, h.groups[1].environment_class);

  std::ostringstream page;
  write_nightly_html(page, h, "<script>/* chart library */</script>");
  std::string html = page.str();
  size_t changed = html.find("<h2 id=\"what-changed\">");
  ASSERT_NE(changed, std::string::npos);
  EXPECT_EQ(html.find("<h2"), changed);  // the first section
  EXPECT_NE(html.find("kind-new-divergence"), std::string::npos);
  EXPECT_NE(html.find("data-charts-expected=\""), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);  // nothing fetched from a network
  EXPECT_EQ(html.find("https://cdn"), std::string::npos);
}

TEST(NightlyData, ParsesDurationsAndRejectsNonsense) {
  EXPECT_EQ(parse_duration("14d", "x").count(), 14 * 86400);
  EXPECT_EQ(parse_duration("36h", "x").count(), 36 * 3600);
  EXPECT_EQ(parse_duration("90m", "x").count(), 90 * 60);
  for (const char* bad : {"", "d", "14", "0d", "-1d", "14w", "1.5d"}) {
    EXPECT_THROW(parse_duration(bad, "--since"), Error) << bad;
  }
}

}  // namespace
}  // namespace repro
